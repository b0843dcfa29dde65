// The simulator over real loopback HTTP: routes, rate limit, every fault kind, bad input,
// the admin API, and determinism of the journal. The server runs on its own thread; the test
// talks to it with a plain synchronous Beast client. Its clock is virtual and never advanced,
// so "six quick calls" really are within one second.
#include "support/sim_thread.hpp"
#include <pancake/pancake.hpp>
#include <sim/server.hpp>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>
#include <thread>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace sim_http_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

const std::string P = "100000000000001";
const std::string T = "pat_hoamai_7f3c2a91e4b84d0c";
const std::string C1 = "100000000000001_200000000000001";

struct reply {
    boost::system::error_code ec;
    unsigned status = 0;
    std::string body;
    std::string content_type;
    json::value js() const { return json::parse(body); }
};

struct running_sim : test::sim_thread {
    using sim_thread::sim_thread;
    reply raw(const std::string& bytes, std::chrono::milliseconds timeout = 2000ms) {
        asio::io_context c;
        beast::tcp_stream s(c);
        reply r;
        s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), srv.port()));
        s.expires_after(timeout);
        asio::write(s.socket(), asio::buffer(bytes), r.ec);
        beast::flat_buffer b;
        http::response_parser<http::string_body> p;
        p.body_limit(16 << 20);
        bool done = false;
        http::async_read(s, b, p, [&](auto ec, auto) {
            r.ec = ec;
            done = true;
        });
        c.run();
        if (!r.ec) {
            r.status = p.get().result_int();
            r.body = p.get().body();
            r.content_type = std::string(p.get()[http::field::content_type]);
        }
        return r;
    }
    reply req(http::verb v, const std::string& target, const std::string& body = {},
              std::chrono::milliseconds timeout = 2000ms) {
        http::request<http::string_body> rq{v, target, 11};
        rq.set(http::field::host, "127.0.0.1");
        rq.keep_alive(false);
        if (!body.empty()) rq.set(http::field::content_type, "application/json");
        rq.body() = body;
        rq.prepare_payload();
        std::ostringstream os;
        os << rq;
        return raw(os.str(), timeout);
    }
    reply get(const std::string& t) { return req(http::verb::get, t); }
    reply post(const std::string& t, const std::string& b = {}) { return req(http::verb::post, t, b); }
    std::string v1(const std::string& tail, const std::string& page = P, const std::string& tok = T) {
        return "/api/public_api/v1/pages/" + page + "/" + tail + "?page_access_token=" + tok;
    }
    void faults(const std::string& plan) { BOOST_REQUIRE_EQUAL(post("/__sim/faults", plan).status, 200u); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(sim_http)

BOOST_AUTO_TEST_CASE(every_endpoint_answers_over_http) {
    running_sim s;
    s.post("/__sim/rate_limit", R"({"per_second":0})"); // time is frozen: 12 calls in "one second"
    BOOST_TEST(s.get(s.v1("tags")).js().at("tags").as_array().size() == 6u);
    BOOST_TEST(s.get(s.v1("users")).js().at("round_robin_users").at("inbox").as_array().size() == 3u);
    BOOST_TEST(s.post(s.v1("round_robin_users"), R"({"comment":[]})").js().at("success") == true);
    BOOST_TEST(s.post(s.v1("conversations/" + C1 + "/tags"), R"({"action":"add","tag_id":"1"})").js().at("data") ==
               json::parse("[3,1]"));
    BOOST_TEST(
        s.post(s.v1("conversations/" + C1 + "/assign"), R"({"assignee_ids":["c4bafd84-7b96-4f28-b59a-031f17c32ddf"]})")
            .status == 200u);
    BOOST_TEST(s.post(s.v1("conversations/" + C1 + "/read")).js().at("success") == true);
    BOOST_TEST(s.post(s.v1("conversations/" + C1 + "/unread")).js().at("success") == true);
    BOOST_TEST(s.get(s.v1("conversations/" + C1 + "/messages")).js().at("messages").as_array().size() == 3u);
    BOOST_TEST(s.post(s.v1("conversations/" + C1 + "/messages"), R"({"action":"reply_inbox","message":"Dạ"})")
                   .js()
                   .at("success") == true);
    BOOST_TEST(s.get("/api/public_api/v2/pages/" + P + "/conversations?page_access_token=" + T)
                   .js()
                   .at("conversations")
                   .as_array()
                   .size() == 3u);
    BOOST_TEST(s.get("/api/v1/pages?access_token=uat_hoamai_owner_2026").js().at("pages").as_array().size() == 2u);
    BOOST_TEST(s.get("/api/public_api/v1/nothing/here").content_type.starts_with("text/html"));
}

BOOST_AUTO_TEST_CASE(documented_quirks_over_http) {
    running_sim s;
    s.post("/__sim/rate_limit", R"({"per_second":0})");
    for (int i = 0; i < 70; ++i) {
        s.on_server([&] {
            s.clk.advance(std::chrono::seconds(60));
            return 0;
        });
        s.post("/__sim/pages/" + P + "/messages", R"({"psid":"8)" + std::to_string(100 + i) + R"(","text":"hi"})");
    }
    const std::string list = "/api/public_api/v2/pages/" + P + "/conversations?page_access_token=" + T;
    auto ids = [&](const std::string& q) {
        auto b = s.get(list + q).js();
        std::vector<std::string> out;
        for (auto& c : b.at("conversations").as_array())
            out.emplace_back(c.at("id").as_string());
        return out;
    };
    auto first = ids("");
    BOOST_TEST(first.size() == 60u); // silent cap, no total, no cursor field
    BOOST_TEST(!s.get(list).js().as_object().contains("total"));
    BOOST_TEST(ids("&last_conversation_id=" + first.back()).size() == 13u);
    BOOST_TEST(ids("&type=COMMENT&type=INBOX").empty()); // one type per call
    BOOST_TEST(ids("&type=COMMENT").size() == 1u);
    s.post(s.v1("conversations/" + C1 + "/tags"), R"({"action":"add","tag_id":1})"); // int form accepted
    BOOST_TEST(ids("&tags=1,3") == std::vector<std::string>{C1});                    // AND
    BOOST_TEST(ids("&since=1767225000&until=1767225630&order_by=inserted_at") == std::vector<std::string>{C1});
    BOOST_TEST(ids("&since=1767225000&until=1767225630").empty()); // updated_at moved on
    // Tags: duplicate add is a no-op success; the answer is the full set.
    auto dup = s.post(s.v1("conversations/" + C1 + "/tags"), R"({"action":"add","tag_id":"1"})").js();
    BOOST_TEST(dup.at("data") == json::parse("[3,1]"));
    // Assign replaces; histories record both sides.
    s.post(s.v1("conversations/" + C1 + "/assign"), R"({"assignee_ids":["c4bafd84-7b96-4f28-b59a-031f17c32ddf"]})");
    s.post(s.v1("conversations/" + C1 + "/assign"), R"({"assignee_ids":["fb5ff8ed-434b-4d4b-a213-b595b242b81a"]})");
    auto conv = s.get("/__sim/pages/" + P + "/conversations/" + C1).js().at("conversation");
    BOOST_TEST(conv.at("assignee_ids") == json::parse(R"(["fb5ff8ed-434b-4d4b-a213-b595b242b81a"])"));
    BOOST_TEST(conv.at("assignee_histories").as_array().size() == 2u);
    BOOST_TEST(s.post(s.v1("conversations/" + C1 + "/assign"), R"({"assignee_ids":["116256249766099"]})").status ==
               400u);
    // Token bound to its page.
    BOOST_TEST(s.get(s.v1("tags", P, "pat_senvang_5d1e8b7a3c6f4e21")).js().at("error_code") == 102);
}

BOOST_AUTO_TEST_CASE(sixth_quick_call_is_429_and_other_pages_are_unaffected) {
    running_sim s;
    for (int i = 0; i < 5; ++i)
        BOOST_TEST_REQUIRE(s.get(s.v1("tags")).status == 200u);
    auto sixth = s.get(s.v1("tags"));
    BOOST_TEST(sixth.status == 429u);
    BOOST_TEST(sixth.js().at("success") == false);
    BOOST_TEST(s.get(s.v1("tags", "100000000000002", "pat_senvang_5d1e8b7a3c6f4e21")).status == 200u);
    BOOST_TEST(s.get("/__sim/journal/count?route=tags.list&status=429").js().at("count") == 1);
    s.on_server([&] {
        s.clk.advance(1s);
        return 0;
    });
    BOOST_TEST(s.get(s.v1("tags")).status == 200u);
}

BOOST_AUTO_TEST_CASE(every_fault_kind) {
    running_sim s;
    s.post("/__sim/rate_limit", R"({"per_second":0})");
    auto one = [&](std::string kind, std::string extra = {}) {
        s.faults(R"({"rules":[{"route":"read","kind":")" + kind + "\"" + extra + "}]}");
        return s.req(http::verb::post, s.v1("conversations/" + C1 + "/read"), {}, 1000ms);
    };
    auto seen = [&] {
        return s.get("/__sim/pages/" + P + "/conversations/" + C1).js().at("conversation").at("seen").as_bool();
    };
    BOOST_TEST(one("server_error", R"(,"status":502)").status == 502u);
    BOOST_TEST(!seen()); // nothing applied
    auto tr = one("transient_error");
    BOOST_TEST(tr.status == 200u);
    BOOST_TEST(tr.js().at("message") == "An error occurred. Please try again later.");
    BOOST_TEST(one("html").content_type.starts_with("text/html"));
    boost::system::error_code ec;
    auto mal = one("malformed_json");
    BOOST_TEST(mal.status == 200u);
    json::parse(mal.body, ec);
    BOOST_TEST(ec.failed());
    BOOST_TEST(one("rate_limited").status == 429u);
    BOOST_TEST(one("reset_before_headers").ec.failed());
    BOOST_TEST(!seen());
    {
        // A hang holds the request until the client gives up: no bytes come back while it is parked.
        s.faults(R"({"rules":[{"route":"read","kind":"hang"}]})");
        asio::io_context c;
        asio::ip::tcp::socket sock(c);
        sock.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), s.srv.port()));
        const std::string rq =
            "POST " + s.v1("conversations/" + C1 + "/read") + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
        asio::write(sock, asio::buffer(rq));
        s.await_server([&] { return s.srv.parked() == 1; });
        BOOST_TEST(sock.available() == 0u);
        sock.close(); // the client gives up; the server lets go of the session
        s.await_server([&] { return s.srv.parked() == 0; });
        BOOST_TEST(!seen());
    }
    BOOST_TEST(one("commit_then_drop").ec.failed());
    BOOST_TEST(seen()); // committed, answer lost
    s.post(s.v1("conversations/" + C1 + "/unread"));
    BOOST_TEST(one("truncated_json").ec.failed());
    BOOST_TEST(seen());
    s.post(s.v1("conversations/" + C1 + "/unread"));
    BOOST_TEST(one("reset_after_headers").ec.failed());
    BOOST_TEST(seen());
    // Latency on a virtual clock: the answer comes only once time moves.
    s.faults(R"({"rules":[{"route":"tags.list","kind":"latency","latency":{"dist":"fixed","ms":5000}}]})");
    std::future<reply> pending = std::async(std::launch::async, [&] { return s.get(s.v1("tags")); });
    s.await_server([&] { return s.srv.parked() == 1; }); // held on the clock, not answered
    BOOST_TEST((pending.wait_for(0s) == std::future_status::timeout));
    s.post("/__sim/time/advance?ms=5000");
    BOOST_TEST(pending.get().status == 200u);
    auto report = s.get("/__sim/faults").js();
    BOOST_TEST(report.at("rules").as_array().at(0).at("fired") == 1);
    BOOST_TEST(s.post("/__sim/faults", R"({"rules":[{"kind":"explode"}]})").status == 400u);
    BOOST_TEST(
        s.post("/__sim/faults", R"({"rules":[{"kind":"latency","latency":{"dist":"uniform","min_ms":5,"max_ms":1}}]})")
            .status == 400u);
}

BOOST_AUTO_TEST_CASE(nth_and_window_rules) {
    running_sim s;
    s.post("/__sim/rate_limit", R"({"per_second":0})");
    s.faults(R"({"rules":[{"route":"tags.list","kind":"server_error","every_nth":3}]})");
    std::vector<unsigned> st;
    for (int i = 0; i < 6; ++i)
        st.push_back(s.get(s.v1("tags")).status);
    BOOST_TEST((st == std::vector<unsigned>{200, 200, 503, 200, 200, 503}));
    s.faults(R"({"rules":[{"kind":"server_error","window":{"from_s":10,"until_s":20}}]})");
    BOOST_TEST(s.get(s.v1("tags")).status == 200u);
    s.post("/__sim/time/advance?ms=15000");
    BOOST_TEST(s.get(s.v1("tags")).status == 503u);
    s.post("/__sim/time/advance?ms=10000");
    BOOST_TEST(s.get(s.v1("tags")).status == 200u);
}

BOOST_AUTO_TEST_CASE(bad_input_gets_a_clear_answer_and_never_hurts_the_server) {
    pancake::sim::server_options o;
    o.max_body = 1024;
    running_sim s(o);
    s.post("/__sim/rate_limit", R"({"per_second":0})");
    auto big = s.post(s.v1("conversations/" + C1 + "/assign"), std::string(4096, 'x'));
    BOOST_TEST(big.status == 413u);
    BOOST_TEST(s.raw("THIS IS NOT HTTP\r\n\r\n").status == 400u);
    BOOST_TEST(s.post(s.v1("conversations/" + C1 + "/assign"), "{\"assignee_ids\": [1, {}]").status == 400u);
    BOOST_TEST(s.post(s.v1("conversations/" + C1 + "/assign"), R"({"assignee_ids": 7})").status == 400u);
    BOOST_TEST(s.get(s.v1("conversations/" + C1 + "/messages") + "&current_count=99999999999999999999999").status ==
               400u);
    BOOST_TEST(s.get("/api/public_api/v2/pages/" + P + "/conversations?page_access_token=" + T + "&since=abc").status ==
               400u);
    BOOST_TEST(s.get("/api/public_api/v2/pages/" + P + "/conversations?page_access_token=" + T + "&tags=1,,x").status ==
               400u);
    // A slow client that never finishes its headers doesn't block anyone else.
    asio::io_context c;
    asio::ip::tcp::socket slow(c);
    slow.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), s.srv.port()));
    asio::write(slow, asio::buffer(std::string("GET /api/public_api/v1/pages/1/tags HTTP/1.1\r\nHost: x\r\n")));
    BOOST_TEST(s.get(s.v1("tags")).status == 200u);
    // State is intact after all that.
    BOOST_TEST(s.get("/__sim/pages/" + P + "/conversations/" + C1)
                   .js()
                   .at("conversation")
                   .at("assignee_ids")
                   .as_array()
                   .empty());
}

BOOST_AUTO_TEST_CASE(admin_api) {
    running_sim s;
    s.post("/__sim/rate_limit", R"({"per_second":0})");
    BOOST_TEST(s.get("/__sim/health").js().at("ok") == true);
    auto inj = s.post("/__sim/pages/" + P + "/messages", R"({"psid":"777","name":"Bảo","text":"Mình muốn đặt hàng"})");
    BOOST_TEST(inj.status == 200u);
    auto conv = inj.js().at("conversation");
    BOOST_TEST(conv.at("id").as_string() == P + "_777");
    BOOST_TEST(conv.at("assignee_ids").as_array().size() == 1u); // built-in round-robin ran
    BOOST_TEST(s.get("/__sim/events").js().at("events").as_array().size() == 2u);
    BOOST_TEST(
        s.post("/__sim/pages/" + P + "/users/fb5ff8ed-434b-4d4b-a213-b595b242b81a", R"({"is_online":false})").status ==
        200u);
    BOOST_TEST(s.post("/__sim/pages/" + P + "/users/nobody", R"({"is_online":false})").status == 404u);
    BOOST_TEST(s.post("/__sim/behaviour", R"({"reject_empty_assign":true})").status == 200u);
    BOOST_TEST(s.post(s.v1("conversations/" + C1 + "/assign"), R"({"assignee_ids":[]})").status == 400u);
    s.get(s.v1("tags"));
    auto journal = s.get("/__sim/journal").js().at("journal").as_array();
    BOOST_TEST(!journal.empty());
    for (auto& e : journal)
        BOOST_TEST(json::serialize(e).find(T) == std::string::npos); // token redacted
    // The request's Content-Type is journaled ("" without one): the spec conformance test reads it.
    BOOST_TEST(journal.at(journal.size() - 2).at("content_type") == "application/json"); // the assign
    BOOST_TEST(journal.back().at("content_type") == "");                                 // GET tags
    BOOST_TEST(s.get("/__sim/journal/count?route=tags.list").js().at("count") == 1);
    BOOST_TEST(s.post("/__sim/fixture", R"({"pages":[{"id":"9"}]})").status == 400u);
    BOOST_TEST(s.post("/__sim/reset").status == 200u);
    BOOST_TEST(s.get("/__sim/pages/" + P + "/conversations/" + P + "_777").status == 404u);
    BOOST_TEST(s.get("/__sim/nope").status == 404u);
}

BOOST_AUTO_TEST_CASE(same_seed_same_journal) {
    auto run = [](std::uint64_t seed) {
        pancake::sim::server_options o;
        o.seed = seed;
        running_sim s(o);
        s.post("/__sim/rate_limit", R"({"per_second":0})");
        s.faults(R"({"rules":[{"kind":"server_error","probability":0.3},{"kind":"transient_error","probability":0.3},
                    {"route":"assign","kind":"commit_then_drop","probability":0.5}]})");
        for (int i = 0; i < 30; ++i) {
            s.on_server([&] {
                s.clk.advance(300ms);
                return 0;
            });
            if (i % 3 == 0)
                s.get(s.v1("tags"));
            else if (i % 3 == 1)
                s.post(s.v1("conversations/" + C1 + "/assign"),
                       R"({"assignee_ids":["c4bafd84-7b96-4f28-b59a-031f17c32ddf"]})");
            else
                s.post("/__sim/pages/" + P + "/messages", R"({"psid":"9)" + std::to_string(i) + R"(","text":"hi"})");
        }
        return json::serialize(s.get("/__sim/journal").js()) + json::serialize(s.get("/__sim/events").js());
    };
    auto a = run(7), b = run(7), c = run(8);
    BOOST_TEST(a == b);
    BOOST_TEST(a != c);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace sim_http_test

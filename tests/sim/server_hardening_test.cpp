// Regression tests for the simulator items of issue 14 (adversarial probing of pancake-sim):
// graceful close, deadlines, accept backoff and the connection cap, bounded journal and events,
// journal redaction and encoding, admin input validation and token, HEAD and body growth, and the
// --state snapshot. The server runs on its own thread with a virtual clock; the tests talk to it
// over loopback with plain Asio/Beast clients. Real time is only ever a ceiling on a failure, or
// a deadline the test sets on purpose in milliseconds.
#include "support/sim_thread.hpp"
#include <pancake/pancake.hpp>
#include <sim/server.hpp>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <thread>
#include <unistd.h>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace server_hardening_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;
using namespace std::string_literals;
using tcp = asio::ip::tcp;

namespace {

const std::string P = "100000000000001";
const std::string T = "pat_hoamai_7f3c2a91e4b84d0c";
const std::string USER_TOKEN = "uat_hoamai_owner_2026";
const std::string C1 = "100000000000001_200000000000001";
constexpr auto ceiling = 30s; // bounds a failure only

struct reply {
    boost::system::error_code ec;
    unsigned status = 0;
    std::string body;
    http::fields headers;
    json::value js() const { return json::parse(body); }
};

// Everything the server sent until it closed, and how the connection ended.
struct raw_reply {
    std::string bytes;
    boost::system::error_code end;
    std::string head() const { return bytes.substr(0, bytes.find("\r\n\r\n") + 4); }
    std::string body() const { return bytes.substr(head().size()); }
    std::optional<std::size_t> content_length() const {
        auto h = head();
        auto at = h.find("Content-Length: ");
        if (at == std::string::npos) return std::nullopt;
        return std::stoull(h.substr(at + 16));
    }
};

// The blocking-client side of the simulator tests, with an admin header.
struct running_sim : test::sim_thread {
    std::string admin_header; // sent as X-Sim-Admin-Token when not empty
    explicit running_sim(pancake::sim::server_options o = {}) : sim_thread(std::move(o)) {}
    tcp::endpoint ep() const { return {asio::ip::make_address("127.0.0.1"), srv.port()}; }

    reply raw(const std::string& bytes) {
        asio::io_context c;
        beast::tcp_stream s(c);
        reply r;
        s.connect(ep());
        s.expires_after(ceiling);
        asio::write(s.socket(), asio::buffer(bytes), r.ec);
        beast::flat_buffer b;
        http::response_parser<http::string_body> p;
        p.body_limit(64 << 20);
        http::async_read(s, b, p, [&](auto ec, auto) { r.ec = ec; });
        c.run();
        if (!r.ec) {
            r.status = p.get().result_int();
            r.body = p.get().body();
            r.headers = p.get().base();
        }
        return r;
    }
    std::string request(http::verb v, const std::string& target, const std::string& body = {},
                        bool keep_alive = false) {
        http::request<http::string_body> rq{v, target, 11};
        rq.set(http::field::host, "127.0.0.1");
        if (!admin_header.empty()) rq.set("X-Sim-Admin-Token", admin_header);
        rq.keep_alive(keep_alive);
        if (!body.empty()) rq.set(http::field::content_type, "application/json");
        rq.body() = body;
        rq.prepare_payload();
        std::ostringstream os;
        os << rq;
        return os.str();
    }
    reply get(const std::string& t) { return raw(request(http::verb::get, t)); }
    reply post(const std::string& t, const std::string& b = {}) { return raw(request(http::verb::post, t, b)); }
    std::string v1(const std::string& tail, const std::string& tok = T) {
        return "/api/public_api/v1/pages/" + P + "/" + tail + "?page_access_token=" + tok;
    }

    // Sends `bytes`, then reads until the server closes; the deadline only bounds a failure.
    raw_reply until_close(const std::string& bytes) {
        asio::io_context c;
        beast::tcp_stream s(c);
        s.connect(ep());
        s.expires_after(ceiling);
        raw_reply r;
        asio::write(s.socket(), asio::buffer(bytes));
        std::array<char, 65536> chunk;
        std::function<void(boost::system::error_code, std::size_t)> on_read = [&](auto ec, std::size_t n) {
            r.bytes.append(chunk.data(), n);
            if (ec) {
                r.end = ec;
                return;
            }
            s.async_read_some(asio::buffer(chunk), on_read);
        };
        s.async_read_some(asio::buffer(chunk), on_read);
        c.run();
        return r;
    }

    // n requests of `body_bytes` each on one keep-alive connection: that many journal entries.
    void fill_journal(std::size_t n, std::size_t body_bytes) {
        asio::io_context c;
        beast::tcp_stream s(c);
        s.connect(ep());
        beast::flat_buffer b;
        const std::string rq = request(http::verb::post, "/fill/journal", std::string(body_bytes, 'x'), true);
        for (std::size_t i = 0; i < n; ++i) {
            asio::write(s.socket(), asio::buffer(rq));
            http::response<http::string_body> res;
            http::read(s, b, res);
            BOOST_REQUIRE_EQUAL(res.result_int(), 200u);
        }
    }
};

std::string temp_path(const std::string& tag) {
    static int n = 0;
    return (std::filesystem::temp_directory_path() /
            ("pancake-sim-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + ".json"))
        .string();
}

} // namespace

BOOST_AUTO_TEST_SUITE(sim_hardening)

// Item 1. The server used to answer and then reset the connection (linger 0): whatever was still
// in its send buffer was lost, so a multi-megabyte answer to "Connection: close" arrived short.
BOOST_AUTO_TEST_CASE(connection_close_answers_arrive_whole) {
    running_sim s;
    s.fill_journal(700, 4000);
    const auto rq = s.request(http::verb::get, "/__sim/journal?limit=1000");
    for (int i = 0; i < 100; ++i) {
        auto r = s.until_close(rq);
        BOOST_TEST_REQUIRE(r.end == asio::error::eof, "round " << i << ": " << r.end.message());
        BOOST_TEST_REQUIRE(r.content_length().has_value());
        BOOST_TEST_REQUIRE(*r.content_length() > (2u << 20)); // multi-megabyte
        BOOST_TEST_REQUIRE(r.body().size() == *r.content_length(), "round " << i);
    }
    BOOST_TEST(json::parse(s.until_close(rq).body()).at("journal").as_array().size() == 700u);
}

// Item 1, after a 413: the client still sending its body used to see only a reset.
BOOST_AUTO_TEST_CASE(a_refused_body_still_gets_its_413_and_a_clean_close) {
    pancake::sim::server_options o;
    o.max_body = 1024;
    running_sim s(o);
    const std::string body(300000, 'x');
    auto r = s.until_close("POST " + s.v1("conversations/" + C1 + "/assign") +
                           " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body);
    BOOST_TEST(r.bytes.starts_with("HTTP/1.1 413"));
    BOOST_TEST(r.end == asio::error::eof, r.end.message());
    BOOST_TEST(r.body().size() == r.content_length().value_or(0));
}

// Item 2. Writing had no deadline: clients that asked for a big answer and never read held
// their connection and its memory forever. Now the write deadline drops them.
BOOST_AUTO_TEST_CASE(a_client_that_never_reads_is_dropped_at_the_write_deadline) {
    pancake::sim::server_options o;
    o.write_timeout = 300ms;
    running_sim s(o);
    s.fill_journal(1500, 4000); // a 6 MB answer: more than a kernel send buffer takes
    asio::io_context c;
    std::vector<tcp::socket> lazy;
    for (int i = 0; i < 4; ++i) {
        auto& sock = lazy.emplace_back(c);
        sock.open(tcp::v4());
        sock.set_option(asio::socket_base::receive_buffer_size(4096));
        sock.connect(s.ep());
        asio::write(sock, asio::buffer(s.request(http::verb::get, "/__sim/journal?limit=2000", {}, true)));
    }
    s.await_server([&] { return s.srv.connections_accepted() >= 5; });
    s.await_server([&] { return s.srv.connections_open() == 0; }, "a non-reading client kept its connection");
    BOOST_TEST(s.get("/__sim/health").status == 200u);
}

// Item 2, reads: a hang fault no longer holds a connection without limit.
BOOST_AUTO_TEST_CASE(a_hang_ends_at_its_deadline) {
    pancake::sim::server_options o;
    o.hang_timeout = 200ms;
    running_sim s(o);
    BOOST_TEST_REQUIRE(s.post("/__sim/faults", R"({"rules":[{"route":"tags.list","kind":"hang"}]})").status == 200u);
    auto r = s.until_close(s.request(http::verb::get, s.v1("tags"), {}, true));
    BOOST_TEST(r.bytes.empty());                   // never answered, but let go
    BOOST_TEST(!(r.end == beast::error::timeout)); // the server let go before our ceiling
    s.await_server([&] { return s.srv.parked() == 0; });
}

// A deadline covers I/O only: the read deadline bounds receiving a request, not the time its
// answer takes. The socket's watchdog must let a latency fault outlast it. (The fault waits on
// the server's virtual clock: it holds until the test advances it.)
BOOST_AUTO_TEST_CASE(a_slow_answer_outlasts_the_read_deadline) {
    pancake::sim::server_options o;
    o.idle_timeout = 150ms;
    running_sim s(o);
    BOOST_TEST_REQUIRE(
        s.post("/__sim/faults", R"({"rules":[{"route":"tags.list","kind":"latency","latency":{"ms":400}}]})").status ==
        200u);
    asio::io_context c;
    beast::tcp_stream slow(c);
    slow.connect(s.ep());
    slow.expires_after(ceiling);
    asio::write(slow.socket(), asio::buffer(s.request(http::verb::get, s.v1("tags"))));
    s.await_server([&] { return s.srv.parked() == 1u; });
    // An idle connection opened after it is closed at its read deadline: by then the slow
    // request's read deadline, set earlier, has passed as well.
    auto idle = s.until_close("");
    BOOST_TEST(idle.bytes.empty());
    BOOST_TEST(idle.end == asio::error::eof, idle.end.message());
    s.on_server([&] {
        s.clk.advance(400ms);
        return 0;
    });
    beast::flat_buffer b;
    http::response<http::string_body> res;
    boost::system::error_code ec;
    http::async_read(slow, b, res, [&](auto e, auto) { ec = e; });
    c.run();
    BOOST_TEST(!ec, ec.message());
    BOOST_TEST(res.result_int() == 200u);
}

// Item 3. Over the cap, a newcomer either takes the place of an idle keep-alive connection or
// gets a quick 503; the server keeps answering.
BOOST_AUTO_TEST_CASE(the_connection_cap_refuses_busy_overflow_and_recycles_idle_connections) {
    pancake::sim::server_options o;
    o.max_connections = 2;
    running_sim s(o);
    asio::io_context c;
    // Two busy connections: each has sent part of a request body.
    std::vector<tcp::socket> busy;
    for (int i = 0; i < 2; ++i) {
        auto& sock = busy.emplace_back(c);
        sock.connect(s.ep());
        asio::write(sock, asio::buffer("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n01234"s));
    }
    s.await_server([&] { return s.srv.connections_open() == 2 && s.srv.request_bytes_buffered() >= 10; });
    auto refused = s.get("/__sim/health");
    BOOST_TEST(refused.status == 503u);
    BOOST_TEST(refused.headers["Retry-After"] == "1");
    BOOST_TEST(s.on_server([&] { return s.srv.connections_refused(); }) == 1u);
    // One leaves: there is room again.
    busy[0].close();
    s.await_server([&] { return s.srv.connections_open() == 1; });
    BOOST_TEST(s.get("/__sim/health").status == 200u);
    s.await_server([&] { return s.srv.connections_open() == 1; }); // that one has closed
    // An idle keep-alive connection (answered, waiting for more) makes room for a newcomer.
    tcp::socket idle(c);
    idle.connect(s.ep());
    asio::write(idle, asio::buffer(s.request(http::verb::get, "/__sim/health", {}, true)));
    beast::flat_buffer b;
    http::response<http::string_body> res;
    http::read(idle, b, res);
    BOOST_TEST(res.result_int() == 200u);
    s.await_server([&] { return s.srv.connections_open() == 2; });
    BOOST_TEST(s.get("/__sim/health").status == 200u);
    BOOST_TEST(s.on_server([&] { return s.srv.connections_refused(); }) == 1u);
    boost::system::error_code ec;
    std::array<char, 16> x;
    idle.read_some(asio::buffer(x), ec); // it was closed to make room
    BOOST_TEST(ec == asio::error::eof);
}

// Item 3. At the descriptor limit accept fails at once, every time: the loop used to spin on a
// full core. Now it pauses, doubling the pause, and accepts again once it can.
BOOST_AUTO_TEST_CASE(accept_errors_back_off_instead_of_spinning) {
    std::vector<std::chrono::steady_clock::time_point> calls; // written on the server thread only
    pancake::sim::server_options o;
    o.accept_fault = [&]() -> boost::system::error_code {
        calls.push_back(std::chrono::steady_clock::now());
        if (calls.size() <= 6) return asio::error::no_descriptors; // EMFILE
        return {};
    };
    running_sim s(o);
    s.await_server([&] { return s.srv.accept_errors() == 6; });
    BOOST_TEST(s.get("/__sim/health").status == 200u);
    auto [seen, backoff] = s.on_server([&] { return std::pair(calls, s.srv.accept_backoff()); });
    BOOST_TEST_REQUIRE(seen.size() >= 7u);
    auto pause = 5ms;
    for (std::size_t i = 1; i < 7; ++i, pause *= 2) // 5, 10, 20, 40, 80, 160 ms
        BOOST_TEST((seen[i] - seen[i - 1] >= pause), "pause " << i);
    BOOST_TEST(backoff.count() == 0); // reset once accepting works
}

// Item 4. The journal and the event list are bounded by count and bytes; the admin reads page.
BOOST_AUTO_TEST_CASE(journal_and_events_are_bounded_and_paged) {
    pancake::sim::server_options o;
    o.max_journal = 50;
    o.max_events = 6;
    running_sim s(o);
    s.fill_journal(80, 10);
    auto all = s.on_server([&] { return s.srv.journal(); });
    BOOST_TEST(all.size() == 50u);
    BOOST_TEST(all.front().seq == 31u);
    BOOST_TEST(s.on_server([&] { return s.srv.journal_dropped(); }) == 30u);
    // Paging walks the kept entries in order.
    std::vector<std::uint64_t> seen;
    std::uint64_t after = 0;
    for (int guard = 0; guard < 20; ++guard) {
        auto page = s.get("/__sim/journal?after=" + std::to_string(after) + "&limit=12").js().as_object();
        for (auto& e : page.at("journal").as_array())
            seen.push_back(e.at("seq").to_number<std::uint64_t>());
        BOOST_TEST(page.at("dropped") == 30);
        after = page.at("next_after").to_number<std::uint64_t>();
        if (!page.at("more").as_bool()) break;
    }
    BOOST_TEST_REQUIRE(seen.size() == 50u);
    for (std::size_t i = 0; i < seen.size(); ++i)
        BOOST_TEST(seen[i] == 31 + i);
    BOOST_TEST(s.get("/__sim/journal").js().at("journal").as_array().size() == 50u); // default page holds them
    for (auto bad : {"limit=0", "limit=abc", "limit=100001", "after=-1"})
        BOOST_TEST(s.get(std::string("/__sim/journal?") + bad).status == 400u, bad);
    // Events: 5 injected messages emit 10 envelopes; 6 are kept.
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(s.post("/__sim/pages/" + P + "/messages", R"({"psid":"5)" + std::to_string(i) + R"(","text":"hi"})")
                       .status == 200u);
    BOOST_TEST(s.on_server([&] { return s.srv.events().size(); }) == 6u);
    BOOST_TEST(s.on_server([&] { return s.srv.events_dropped(); }) == 4u);
    auto first = s.get("/__sim/events?limit=4").js();
    BOOST_TEST(first.at("events").as_array().size() == 4u);
    BOOST_TEST(first.at("more") == true);
    auto rest = s.get("/__sim/events?after=" + std::to_string(first.at("next_after").to_number<std::uint64_t>())).js();
    BOOST_TEST(rest.at("events").as_array().size() == 2u);
    BOOST_TEST(rest.at("more") == false);
    BOOST_TEST(s.get("/__sim/events?limit=x").status == 400u);
}

BOOST_AUTO_TEST_CASE(the_byte_bounds_hold_too) {
    pancake::sim::server_options o;
    o.max_journal_bytes = 40000; // about nine 4 KB bodies
    o.max_events_bytes = 5000;
    running_sim s(o);
    s.fill_journal(40, 4000);
    const auto kept = s.on_server([&] { return s.srv.journal().size(); });
    BOOST_TEST(kept >= 5u);
    BOOST_TEST(kept <= 10u);
    BOOST_TEST(s.on_server([&] { return s.srv.journal_dropped(); }) == 40u - kept);
    for (int i = 0; i < 10; ++i)
        s.post("/__sim/pages/" + P + "/messages", R"({"psid":"6)" + std::to_string(i) + R"(","text":"hi"})");
    auto events = s.on_server([&] { return s.srv.events(); });
    std::size_t bytes = 0;
    for (auto& e : events)
        bytes += json::serialize(e.body).size();
    BOOST_TEST(bytes <= 5000u);
    BOOST_TEST(!events.empty());
    BOOST_TEST(s.on_server([&] { return s.srv.events_dropped(); }) > 0u);
}

// Item 5. Every known token is redacted wherever it appears; bodies are cut on a character
// boundary and invalid bytes are escaped, so the journal is valid JSON for strict parsers.
BOOST_AUTO_TEST_CASE(the_journal_redacts_every_token_and_stays_valid_json) {
    running_sim s;
    s.post("/__sim/rate_limit", R"({"per_second":0})");
    const std::string base = "/api/public_api/v1/pages/" + P + "/tags";
    s.get(base + "?PAGE_ACCESS_TOKEN=" + T);                                           // other case
    s.get(base + "?Page_Access_Token=unknown_secret_value");                           // unknown token, any case
    s.get(base + "?page_access_token=" + T + "&note=pat%5Fhoamai_7f3c2a91e4b84d0c");   // percent-encoded elsewhere
    s.post("/anything", R"({"token":")" + T + R"(","user":")" + USER_TOKEN + R"("})"); // in a body
    s.post("/anything", R"({"t":"pat\u005fhoamai\u005F7f3c2a91e4b84d0c"})");           // JSON-escaped
    s.post("/anything", std::string(4090, 'a') + T);                                   // across the cut
    // A rotated token is known too.
    auto rot = s.post("/api/v1/pages/" + P + "/generate_page_access_token?access_token=" + USER_TOKEN);
    BOOST_TEST_REQUIRE(rot.status == 200u);
    const std::string fresh(rot.js().at("page_access_token").as_string());
    s.post("/anything", "new token: " + fresh);
    // Encoding: a multi-byte character across the cap, and bytes that are not UTF-8.
    s.post("/anything", std::string(4095, 'b') + "\xE1\xBA\xA1"); // "ạ" would straddle 4096
    s.post("/anything", "bad \xFF\xFE bytes \xC3");
    auto answer = s.get("/__sim/journal");
    BOOST_TEST_REQUIRE(answer.status == 200u);
    boost::system::error_code ec;
    auto j = json::parse(answer.body, ec); // Boost.JSON rejects invalid UTF-8
    BOOST_TEST_REQUIRE(!ec, ec.message());
    const auto text = answer.body;
    for (std::string secret : {T, USER_TOKEN, fresh, std::string("unknown_secret_value"), std::string("pat%5Fhoamai"),
                               std::string("pat\\\\u005fhoamai"), std::string("pat_hoa")})
        BOOST_TEST(text.find(secret) == std::string::npos, secret);
    auto& entries = j.at("journal").as_array();
    BOOST_TEST(std::string(entries.at(0).at("path").as_string()).find("PAGE_ACCESS_TOKEN=REDACTED") !=
               std::string::npos);
    auto body_of = [&](std::size_t i) { return std::string(entries.at(i).at("body").as_string()); };
    BOOST_TEST(body_of(5).size() <= 4096u);
    BOOST_TEST(body_of(8) == std::string(4095, 'b')); // cut before the character, not inside it
    BOOST_TEST(body_of(9) == "bad \\xFF\\xFE bytes \\xC3");
}

// Item 6. Admin input is validated with a clear 400; nothing half-applies.
BOOST_AUTO_TEST_CASE(admin_input_is_validated) {
    running_sim s;
    for (auto bad : {R"({"per_second":1e300})", R"({"per_second":1.5})", R"({"per_second":-1})",
                     R"({"per_second":"5"})", R"({"per_second":3,"fixed_window":"yes"})", R"({"per_sec":3})",
                     R"({"per_page":{"1":1e300}})", R"([1])", "not json"}) {
        auto r = s.post("/__sim/rate_limit", bad);
        BOOST_TEST(r.status == 400u, bad);
        BOOST_TEST(!r.js().at("message").as_string().empty());
    }
    BOOST_TEST(s.on_server([&] { return s.srv.model().rate_limits().per_second; }) == 5); // untouched
    BOOST_TEST(s.post("/__sim/rate_limit", R"({"per_second":2.0,"per_page":{"x":7}})").status == 200u);
    BOOST_TEST(s.on_server([&] { return s.srv.model().rate_limits().per_second; }) == 2);
    for (auto bad : {"-1", "0", "99", "1000", "4294967295", "600", "404.5", "true"}) {
        auto r = s.post("/__sim/behaviour", std::string(R"({"invalid_token_status":)") + bad + "}");
        BOOST_TEST(r.status == 400u, bad);
    }
    BOOST_TEST(s.post("/__sim/behaviour", R"({"reject_empty_assign":1})").status == 400u);
    BOOST_TEST(s.post("/__sim/behaviour", R"({"no_such_switch":true})").status == 400u);
    BOOST_TEST(s.post("/__sim/behaviour", R"({"invalid_token_status":401})").status == 200u);
    BOOST_TEST(s.get(s.v1("tags", "pat_wrong_token_123")).status == 401u);
    BOOST_TEST(s.post("/__sim/pages/" + P + "/messages", R"({"psid":7,"text":"hi"})").status == 400u);
    BOOST_TEST(s.post("/__sim/pages/" + P + "/messages", R"({"psid":"7","type":"DM"})").status == 400u);
    BOOST_TEST(
        s.post("/__sim/pages/" + P + "/users/fb5ff8ed-434b-4d4b-a213-b595b242b81a", R"({"is_online":"no"})").status ==
        400u);
    BOOST_TEST(s.post("/__sim/time/advance?ms=99999999999999999").status == 400u);
    // A fixture without pages is refused (it would also become what reset restores).
    BOOST_TEST(s.post("/__sim/fixture", R"({"pages":[]})").status == 400u);
    BOOST_TEST(s.post("/__sim/reset").status == 200u);
    BOOST_TEST(s.get(s.v1("tags")).status == 200u);
    // The default bind is loopback.
    BOOST_TEST(pancake::sim::server_options{}.host == "127.0.0.1");
}

BOOST_AUTO_TEST_CASE(an_admin_token_guards_the_admin_api) {
    pancake::sim::server_options o;
    o.admin_token = "s3cret-admin";
    running_sim s(o);
    BOOST_TEST(s.get("/__sim/health").status == 401u);
    BOOST_TEST(s.post("/__sim/reset").status == 401u);
    s.admin_header = "wrong";
    BOOST_TEST(s.get("/__sim/journal").status == 401u);
    s.admin_header = "s3cret-admin";
    BOOST_TEST(s.get("/__sim/health").status == 200u);
    BOOST_TEST(s.get(s.v1("tags")).status == 200u); // the API itself is untouched
}

// Item 7. HEAD answers carry no body (a keep-alive client would read it as the next answer),
// and a claimed Content-Length is not reserved before the bytes arrive.
BOOST_AUTO_TEST_CASE(head_answers_have_no_body) {
    running_sim s;
    auto r = s.until_close("HEAD /api/public_api/v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n"
                           "GET /__sim/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    BOOST_TEST_REQUIRE(r.bytes.starts_with("HTTP/1.1 200"));
    BOOST_TEST(r.content_length().value_or(0) > 0u);                          // says how long the GET body would be
    BOOST_TEST(r.body().starts_with("HTTP/1.1 200"), r.body().substr(0, 40)); // the next answer follows at once
    BOOST_TEST(r.body().find("\"ok\":true") != std::string::npos);
    BOOST_TEST(r.end == asio::error::eof);
}

BOOST_AUTO_TEST_CASE(request_bodies_grow_as_bytes_arrive) {
    running_sim s; // max_body 1 MiB
    asio::io_context c;
    std::vector<tcp::socket> claims;
    for (int i = 0; i < 20; ++i) {
        auto& sock = claims.emplace_back(c);
        sock.connect(s.ep());
        asio::write(sock,
                    asio::buffer("POST /anything HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n0123456789"s));
    }
    s.await_server([&] { return s.srv.connections_open() == 20 && s.srv.request_bytes_buffered() >= 20 * 10; });
    BOOST_TEST(s.on_server([&] { return s.srv.request_bytes_buffered(); }) < 20u * 4096); // not 20 x 1 MB
    // The body limit still holds.
    auto big = s.until_close("POST /anything HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n");
    BOOST_TEST(big.bytes.starts_with("HTTP/1.1 413"));
    // And a body that does arrive whole is served.
    asio::write(claims[0], asio::buffer(std::string(1000000 - 10, 'y')));
    beast::flat_buffer b;
    http::response<http::string_body> res;
    http::read(claims[0], b, res);
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(s.on_server([&] { return s.srv.journal().back().body.size(); }) == 4096u);
}

// Item 8. State lives in memory; --state FILE keeps it across restarts.
BOOST_AUTO_TEST_CASE(state_survives_a_restart_through_the_snapshot) {
    const auto file = temp_path("state");
    pancake::sim::server_options o;
    o.state_file = file;
    std::string fresh;
    json::value conv_before;
    {
        running_sim s(o);
        s.post("/__sim/rate_limit", R"({"per_second":0})");
        BOOST_TEST(s.post(s.v1("conversations/" + C1 + "/tags"), R"({"action":"add","tag_id":"1"})").status == 200u);
        BOOST_TEST(s.post("/__sim/pages/" + P + "/messages", R"({"psid":"9001","text":"còn hàng không?"})").status ==
                   200u);
        auto rot = s.post("/api/v1/pages/" + P + "/generate_page_access_token?access_token=" + USER_TOKEN);
        fresh = std::string(rot.js().at("page_access_token").as_string());
        conv_before = s.get("/__sim/pages/" + P + "/conversations/" + C1).js();
        BOOST_TEST(s.post("/__sim/snapshot").status == 200u);
    }
    {
        running_sim s(o);
        std::string err;
        BOOST_TEST_REQUIRE(s.on_server([&] { return s.srv.read_snapshot(err); }), err);
        s.post("/__sim/rate_limit", R"({"per_second":0})");
        BOOST_TEST(s.get("/__sim/pages/" + P + "/conversations/" + C1).js() == conv_before);
        BOOST_TEST(s.get("/__sim/pages/" + P + "/conversations/" + P + "_9001").status == 200u);
        BOOST_TEST(s.get(s.v1("tags", fresh)).status == 200u);
        BOOST_TEST(s.get(s.v1("tags", T)).js().at("error_code") == 102); // the rotated-away token stays dead
        // The journal shows no token from the restored state either.
        BOOST_TEST(s.get("/__sim/journal").body.find(fresh) == std::string::npos);
        // reset still means the original fixture.
        BOOST_TEST(s.post("/__sim/reset").status == 200u);
        s.post("/__sim/rate_limit", R"({"per_second":0})");
        BOOST_TEST(s.get(s.v1("tags", T)).status == 200u);
        BOOST_TEST(s.get("/__sim/pages/" + P + "/conversations/" + P + "_9001").status == 404u);
    }
    {
        running_sim s; // no state file: the route says so
        BOOST_TEST(s.post("/__sim/snapshot").status == 409u);
        std::string err;
        BOOST_TEST(!s.on_server([&] { return s.srv.restore(json::parse(R"({"pages":[]})"), err); }));
    }
    std::remove(file.c_str());
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace server_hardening_test

// The simulator served over an in-memory stream (server::connect_in_memory): raw HTTP/1.1 written
// by hand into the client's end, answers read back with Beast, one io_context, no sockets.
#include <pancake/pancake.hpp>
#include <pancake/testing/memory_stream.hpp>
#include <sim/server.hpp>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace memory_session_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace sim = pancake::sim;
using boost::system::error_code;
using pancake::testing::memory_stream;
using namespace std::chrono_literals;

namespace {

const std::string P = "100000000000001";
const std::string T = "pat_hoamai_7f3c2a91e4b84d0c";

std::string tags_target() { return "/api/public_api/v1/pages/" + P + "/tags?page_access_token=" + T; }
std::string users_target() { return "/api/public_api/v1/pages/" + P + "/users?page_access_token=" + T; }
std::string get(const std::string& target, const std::string& extra_headers = {}) {
    return "GET " + target + " HTTP/1.1\r\nHost: sim\r\n" + extra_headers + "\r\n";
}

struct reply {
    bool done = false;
    error_code ec;
    http::response<http::string_body> res;
    json::value body() const { return json::parse(res.body()); }
};

struct harness {
    pancake::virtual_clock clk; // outlives the io_context, whose shutdown ends the sessions
    asio::io_context ioc;
    sim::server srv;

    explicit harness(sim::server_options o = {}) : srv(ioc.get_executor(), clk, std::move(o)) {}

    // Runs what is ready until only reads waiting on a peer (or on the clock) are left. poll(), not
    // run(): a session is a coroutine, and co_spawn keeps the context's work count up for as long
    // as it lives, so run() would wait for ever on an open connection.
    void run() {
        ioc.restart();
        ioc.poll();
    }
    void send(memory_stream& s, std::string raw) {
        auto bytes = std::make_shared<std::string>(std::move(raw));
        asio::async_write(s, asio::buffer(*bytes), [bytes](error_code ec, std::size_t) { BOOST_TEST(!ec); });
    }
    std::shared_ptr<reply> read(memory_stream& s, beast::flat_buffer& buf) {
        auto r = std::make_shared<reply>();
        http::async_read(s, buf, r->res, [r](error_code ec, std::size_t) {
            r->done = true;
            r->ec = ec;
        });
        return r;
    }
    // One request, one answer.
    std::shared_ptr<reply> exchange(memory_stream& s, beast::flat_buffer& buf, std::string raw) {
        send(s, std::move(raw));
        auto r = read(s, buf);
        run();
        return r;
    }
    // What a read on the client's end gets now: eof once the server closed its end.
    error_code read_some(memory_stream& s) {
        auto out = std::make_shared<std::pair<bool, error_code>>();
        auto buf = std::make_shared<std::array<char, 64>>();
        s.async_read_some(asio::buffer(*buf), [out, buf](error_code ec, std::size_t) { *out = {true, ec}; });
        run();
        BOOST_TEST(out->first);
        return out->second;
    }
    void set_faults(const char* plan) {
        std::string err;
        BOOST_REQUIRE_MESSAGE(srv.faults().set_plan(json::parse(plan), err), err);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(sim_memory)

BOOST_AUTO_TEST_CASE(get_tags_without_start) {
    harness h; // no start(): no socket is bound
    auto c = h.srv.connect_in_memory();
    BOOST_TEST(c.is_open());
    beast::flat_buffer buf;
    auto r = h.exchange(c, buf, get(tags_target()));
    BOOST_REQUIRE(r->done);
    BOOST_TEST(!r->ec);
    BOOST_TEST(r->res.result_int() == 200u);
    BOOST_TEST(r->res[http::field::server] == "pancake-sim");
    BOOST_TEST(!r->body().at("tags").as_array().empty());
    BOOST_TEST(h.srv.connections_accepted() == 1u);
    BOOST_TEST(h.srv.connections_open() == 1u); // keep-alive: still open, idle
    auto j = h.srv.journal();
    BOOST_REQUIRE(j.size() == 1u);
    BOOST_TEST(j[0].route == "tags.list");
    BOOST_TEST(j[0].status == 200u);
    BOOST_TEST(j[0].path.find(T) == std::string::npos); // the token is redacted as over TCP
}

BOOST_AUTO_TEST_CASE(keep_alive_serves_requests_in_turn_and_pipelined) {
    harness h;
    auto c = h.srv.connect_in_memory();
    beast::flat_buffer buf;
    auto a = h.exchange(c, buf, get(tags_target()));
    auto b = h.exchange(c, buf, get(users_target()));
    BOOST_TEST((a->done && b->done));
    BOOST_TEST(a->res.result_int() == 200u);
    BOOST_TEST(b->res.result_int() == 200u);
    BOOST_TEST(b->body().at("users").is_array());
    // Two requests in one write: answered in order.
    h.send(c, get(users_target()) + get(tags_target()));
    auto first = h.read(c, buf);
    h.run();
    auto second = h.read(c, buf);
    h.run();
    BOOST_TEST(first->body().as_object().contains("users"));
    BOOST_TEST(second->body().as_object().contains("tags"));
    BOOST_TEST(h.srv.connections_accepted() == 1u);
    BOOST_TEST(h.srv.journal().size() == 4u);
}

BOOST_AUTO_TEST_CASE(connection_close_ends_the_stream_after_the_answer) {
    harness h;
    auto c = h.srv.connect_in_memory();
    beast::flat_buffer buf;
    auto r = h.exchange(c, buf, get(tags_target(), "Connection: close\r\n"));
    BOOST_TEST(r->res.result_int() == 200u);
    BOOST_TEST(!r->res.keep_alive());
    BOOST_TEST(h.read_some(c) == asio::error::eof);
    BOOST_TEST(h.srv.connections_open() == 0u);
}

BOOST_AUTO_TEST_CASE(reset_faults_close_the_stream) {
    harness h;
    h.set_faults(R"({"rules":[{"route":"tags.list","kind":"reset_after_headers","times":1},
                              {"route":"users.list","kind":"reset_before_headers","times":1}]})");
    auto c = h.srv.connect_in_memory();
    beast::flat_buffer buf;
    auto r = h.exchange(c, buf, get(tags_target()));
    BOOST_REQUIRE(r->done);
    BOOST_TEST((r->ec == http::error::partial_message), r->ec.message()); // headers, then the end: no body
    BOOST_TEST(h.read_some(c) == asio::error::eof);
    BOOST_TEST(h.srv.connections_open() == 0u);

    auto c2 = h.srv.connect_in_memory();
    beast::flat_buffer buf2;
    auto r2 = h.exchange(c2, buf2, get(users_target()));
    BOOST_TEST((r2->ec == http::error::end_of_stream), r2->ec.message()); // closed before any byte of an answer
    auto j = h.srv.journal();
    BOOST_REQUIRE(j.size() == 2u);
    BOOST_TEST(j[0].fault == "reset_after_headers");
    BOOST_TEST(j[0].status == 0u);
    BOOST_TEST(j[1].fault == "reset_before_headers");
}

BOOST_AUTO_TEST_CASE(rate_limited_fault_answers_429_and_keeps_the_connection) {
    harness h;
    h.set_faults(R"({"rules":[{"route":"tags.list","kind":"rate_limited","times":1}]})");
    auto c = h.srv.connect_in_memory();
    beast::flat_buffer buf;
    auto limited = h.exchange(c, buf, get(tags_target()));
    BOOST_TEST(limited->res.result_int() == 429u);
    BOOST_TEST(!limited->body().at("success").as_bool());
    auto ok = h.exchange(c, buf, get(tags_target()));
    BOOST_TEST(ok->res.result_int() == 200u);
    BOOST_TEST(h.srv.connections_accepted() == 1u);
    BOOST_TEST(h.srv.journal().at(0).fault == "rate_limited");
    BOOST_TEST(h.srv.journal().at(0).status == 429u);
}

BOOST_AUTO_TEST_CASE(page_rate_limit_applies_in_memory) {
    harness h;
    h.srv.model().rate_limits().per_second = 2;
    auto c = h.srv.connect_in_memory();
    beast::flat_buffer buf;
    unsigned statuses[3];
    for (auto& s : statuses)
        s = h.exchange(c, buf, get(tags_target()))->res.result_int(); // all at the same virtual instant
    BOOST_TEST(statuses[0] == 200u);
    BOOST_TEST(statuses[1] == 200u);
    BOOST_TEST(statuses[2] == 429u);
    h.clk.advance(1s);
    BOOST_TEST(h.exchange(c, buf, get(tags_target()))->res.result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(hang_lasts_until_the_client_closes) {
    harness h;
    h.set_faults(R"({"rules":[{"route":"tags.list","kind":"hang"}]})");
    auto c = h.srv.connect_in_memory();
    beast::flat_buffer buf;
    auto r = h.exchange(c, buf, get(tags_target()));
    BOOST_TEST(!r->done);
    BOOST_TEST(h.srv.parked() == 1u);
    BOOST_TEST(h.srv.connections_open() == 1u);
    c.close(); // the client gives up
    h.run();
    BOOST_TEST(r->done); // the client's own read ends with its end
    BOOST_TEST(h.srv.parked() == 0u);
    BOOST_TEST(h.srv.connections_open() == 0u);
    BOOST_TEST(h.srv.journal().at(0).fault == "hang");
}

BOOST_AUTO_TEST_CASE(latency_waits_on_the_virtual_clock) {
    harness h;
    h.set_faults(R"({"rules":[{"kind":"latency","latency":{"ms":500}}]})");
    auto c = h.srv.connect_in_memory();
    beast::flat_buffer buf;
    auto r = h.exchange(c, buf, get(tags_target()));
    BOOST_TEST(!r->done);
    BOOST_TEST(h.srv.parked() == 1u);
    h.clk.advance(499ms);
    h.run();
    BOOST_TEST(!r->done);
    h.clk.advance(1ms);
    h.run();
    BOOST_TEST(r->done);
    BOOST_TEST(r->res.result_int() == 200u);
    BOOST_TEST(h.srv.parked() == 0u);
}

BOOST_AUTO_TEST_CASE(admin_api_in_memory) {
    sim::server_options o;
    o.admin_token = "admin-secret";
    harness h(o);
    auto c = h.srv.connect_in_memory();
    beast::flat_buffer buf;
    BOOST_TEST(h.exchange(c, buf, get("/__sim/health"))->res.result_int() == 401u);
    auto ok = h.exchange(c, buf, get("/__sim/health", "X-Sim-Admin-Token: admin-secret\r\n"));
    BOOST_TEST(ok->res.result_int() == 200u);
    BOOST_TEST(ok->body().at("ok").as_bool());
}

BOOST_AUTO_TEST_CASE(traffic_on_the_virtual_clock) {
    harness h;
    auto c = h.srv.connect_in_memory();
    beast::flat_buffer buf;
    auto post = [](const std::string& body) {
        return "POST /__sim/traffic HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    };
    const std::string plan = R"({"page_id":")" + P + R"(","messages":5,"per_second":2,"seed":9,"customers":3})";
    auto started = h.exchange(c, buf, post(plan));
    BOOST_TEST_REQUIRE(started->res.result_int() == 200u);
    const auto answer = started->body();
    BOOST_TEST(answer.at("messages").as_array().size() == 5u);            // what it will send
    BOOST_TEST(h.exchange(c, buf, post(plan))->res.result_int() == 409u); // one stream at a time
    BOOST_TEST(h.exchange(c, buf, post(R"({"page_id":"1","messages":5,"rate":2})"))->res.result_int() == 400u);
    auto sent = [&] { return h.exchange(c, buf, get("/__sim/traffic?messages=0"))->body().at("sent").as_int64(); };
    BOOST_TEST(sent() == 1); // message 0 at once, then one every 500 ms of the simulator's clock
    h.clk.advance(1000ms);
    h.run();
    BOOST_TEST(sent() == 3);
    h.clk.advance(1000ms);
    h.run();
    auto done = h.exchange(c, buf, get("/__sim/traffic"))->body();
    BOOST_TEST(done.at("sent").as_int64() == 5);
    BOOST_TEST(done.at("remaining").as_int64() == 0);
    BOOST_TEST(!done.at("running").as_bool());
    for (auto& m : done.at("messages").as_array()) {
        BOOST_TEST(m.at("sent").as_bool());
        const std::string conv(m.at("conversation_id").as_string());
        BOOST_TEST(h.srv.model().find_conversation(P, conv) != nullptr, conv);
    }
    for (std::size_t i = 0; i < 5; ++i) // what it said it would send is what it sent
        BOOST_TEST(done.at("messages").at(i).at("text") == answer.at("messages").at(i).at("text"));
}

BOOST_AUTO_TEST_CASE(connection_cap_evicts_idle_then_refuses) {
    sim::server_options o;
    o.max_connections = 1;
    harness h(o);
    auto c1 = h.srv.connect_in_memory();
    beast::flat_buffer b1;
    BOOST_TEST(h.exchange(c1, b1, get(tags_target()))->res.result_int() == 200u);
    // c1 is idle between requests: a newcomer takes its place.
    auto c2 = h.srv.connect_in_memory();
    h.run();
    BOOST_TEST(h.read_some(c1) == asio::error::eof);
    beast::flat_buffer b2;
    h.set_faults(R"({"rules":[{"route":"tags.list","kind":"hang"}]})");
    BOOST_TEST(!h.exchange(c2, b2, get(tags_target()))->done); // c2 busy (hanging): none idle
    auto c3 = h.srv.connect_in_memory();
    beast::flat_buffer b3;
    auto refused = h.read(c3, b3);
    h.run();
    BOOST_REQUIRE(refused->done);
    BOOST_TEST(refused->res.result_int() == 503u);
    BOOST_TEST(refused->res[http::field::retry_after] == "1");
    BOOST_TEST(h.read_some(c3) == asio::error::eof);
    BOOST_TEST(h.srv.connections_refused() == 1u);
    BOOST_TEST(h.srv.connections_accepted() == 3u);
    c2.close();
    h.run();
    BOOST_TEST(h.srv.connections_open() == 0u);
}

BOOST_AUTO_TEST_CASE(stop_closes_in_memory_connections) {
    harness h;
    auto c = h.srv.connect_in_memory();
    beast::flat_buffer buf;
    BOOST_TEST(h.exchange(c, buf, get(tags_target()))->res.result_int() == 200u);
    h.srv.stop();
    BOOST_TEST(h.read_some(c) == asio::error::eof);
    BOOST_TEST(h.srv.connections_open() == 0u);
    auto late = h.srv.connect_in_memory(); // a stopped server takes no connection
    BOOST_TEST(h.read_some(late) == asio::error::eof);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace memory_session_test

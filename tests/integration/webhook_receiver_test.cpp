// The webhook receiver over real HTTP. webhook_receiver: bad input gets its documented answer
// and the receiver keeps serving. webhook_crash: a receiver process (tests/support/
// webhook_node.cpp, durable file intake) is killed with SIGKILL mid-stream and restarted, again
// and again; every delivery it acknowledged must take effect exactly once.
#include <pancake/webhook.hpp>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace webhook_receiver_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace wh = pancake::webhook;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

const std::string page = "100000000000001";

std::string messaging(std::size_t i) {
    json::object msg{{"id", "m_" + std::to_string(i)},
                     {"message", "Shop ơi, mã " + std::to_string(i) + " còn hàng không?"},
                     {"type", "INBOX"},
                     {"from", json::object{{"id", "psid_" + std::to_string(i % 16)}, {"name", "Khách"}}}};
    json::object conv{{"id", page + "_c" + std::to_string(i % 16)}, {"type", "INBOX"}};
    json::object ev{{"page_id", page},
                    {"event_type", "messaging"},
                    {"data", json::object{{"conversation", conv}, {"message", msg}, {"post", nullptr}}}};
    return json::serialize(ev);
}

// Blocking socket reads give up after this: a failure of the receiver, never a hang of the test.
void bound_reads(tcp::socket& s) {
    timeval tv{10, 0};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

struct reply {
    boost::system::error_code ec;
    unsigned status = 0;
    std::string body;
    http::fields headers;
    bool keep_alive = false;
};

// One blocking HTTP client connection.
struct client {
    asio::io_context ioc;
    tcp::socket sock{ioc};
    beast::flat_buffer buf;

    explicit client(unsigned short port) {
        sock.connect({asio::ip::make_address("127.0.0.1"), port});
        bound_reads(sock);
    }
    reply send_raw(const std::string& bytes) {
        reply r;
        asio::write(sock, asio::buffer(bytes), r.ec);
        if (r.ec) return r;
        return read();
    }
    reply send(http::verb verb, const std::string& target, std::string body) {
        http::request<http::string_body> rq{verb, target, 11};
        rq.set(http::field::host, "127.0.0.1");
        rq.set(http::field::content_type, "application/json");
        rq.body() = std::move(body);
        rq.prepare_payload();
        reply r;
        http::write(sock, rq, r.ec);
        if (r.ec) return r;
        return read();
    }
    reply read() {
        reply r;
        http::response<http::string_body> res;
        http::read(sock, buf, res, r.ec);
        r.status = res.result_int();
        r.body = res.body();
        r.headers = res.base();
        r.keep_alive = res.keep_alive();
        return r;
    }
    // The server closed the connection (EOF before any byte of another answer).
    bool closed() {
        char c;
        boost::system::error_code ec;
        sock.read_some(asio::buffer(&c, 1), ec);
        return ec == asio::error::eof || ec == asio::error::connection_reset;
    }
};

// A receiver (memory intake) on its own thread.
struct receiver_thread {
    asio::io_context ioc;
    wh::memory_intake intake;
    wh::suspension_monitor monitor{pancake::real_clock::instance()};
    wh::receiver rx;
    std::thread th;

    explicit receiver_thread(wh::receiver_options o, std::size_t capacity = 100)
        : intake(ioc.get_executor(), capacity), rx(ioc.get_executor(), intake, std::move(o), &monitor) {
        rx.start();
        th = std::thread([this] {
            auto guard = asio::make_work_guard(ioc);
            ioc.run();
        });
    }
    ~receiver_thread() {
        asio::post(ioc, [this] {
            rx.stop();
            ioc.stop();
        });
        th.join();
    }
    template <class F>
    auto on_server(F f) {
        std::promise<decltype(f())> p;
        asio::post(ioc, [&] { p.set_value(f()); });
        return p.get_future().get();
    }
    wh::receiver_stats stats() {
        return on_server([&] { return rx.stats(); });
    }
    std::vector<std::string> drain() {
        return on_server([&] {
            std::vector<std::string> out;
            while (auto r = intake.next()) {
                out.push_back(r->body);
                intake.commit(r->seq, "");
            }
            return out;
        });
    }
};

bool documented_body(const reply& r, bool success) {
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    if (ec || !v.is_object()) return false;
    auto* s = v.as_object().if_contains("success");
    return s && s->is_bool() && s->as_bool() == success && v.as_object().contains("message");
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_receiver)

BOOST_AUTO_TEST_CASE(bad_input_gets_its_documented_answer_and_the_connection_keeps_serving) {
    receiver_thread t({});
    client c(t.on_server([&] { return t.rx.port(); }));
    auto ok = c.send(http::verb::post, "/webhook", messaging(1));
    BOOST_TEST(ok.status == 200u);
    BOOST_TEST(documented_body(ok, true), ok.body);

    for (std::string bad : {"{\"event_type\":", "not json at all", "[1,2,3]", "\"a string\"", ""}) {
        auto r = c.send(http::verb::post, "/webhook", bad);
        BOOST_TEST(r.status == 400u, bad);
        BOOST_TEST(documented_body(r, false), r.body);
        BOOST_TEST(r.keep_alive); // the same connection goes on
    }
    auto get = c.send(http::verb::get, "/webhook", "");
    BOOST_TEST(get.status == 405u);
    BOOST_TEST(get.headers[http::field::allow] == "POST");
    auto elsewhere = c.send(http::verb::post, "/other", messaging(2));
    BOOST_TEST(elsewhere.status == 404u);

    // An event type nobody documented is kept (200), raw, for the handler to see.
    const std::string unknown = R"({"event_type":"reaction","page_id":"1","data":{"emoji":"❤"}})";
    auto r = c.send(http::verb::post, "/webhook/", unknown);
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(c.send(http::verb::post, "/webhook", messaging(3)).status == 200u);

    const auto stored = t.drain();
    BOOST_TEST_REQUIRE(stored.size() == 3u); // exactly the accepted ones, nothing of the bad ones
    BOOST_TEST(stored[1] == unknown);
    auto parsed = wh::parse_event(stored[1]);
    BOOST_TEST_REQUIRE(parsed.has_value());
    BOOST_TEST((parsed->kind == wh::event_kind::unknown));
    BOOST_TEST(parsed->raw.at("data").at("emoji").as_string() == "❤");
    const auto st = t.stats();
    BOOST_TEST(st.accepted == 3u);
    BOOST_TEST(st.bad_request == 5u);
    BOOST_TEST(st.not_found == 2u);
    BOOST_TEST(st.connections == 1u);
}

BOOST_AUTO_TEST_CASE(a_body_over_the_limit_gets_413_and_the_receiver_goes_on) {
    wh::receiver_options o;
    o.max_body = 4096;
    receiver_thread t(o);
    const auto port = t.on_server([&] { return t.rx.port(); });
    {
        client c(port);
        auto r = c.send(http::verb::post, "/webhook", std::string(64 << 10, 'x'));
        BOOST_TEST(r.status == 413u);
        BOOST_TEST(documented_body(r, false), r.body);
        BOOST_TEST(!r.keep_alive);
        BOOST_TEST(c.closed());
    }
    {
        // Chunked, no Content-Length: refused once the body grows past the limit.
        client c(port);
        std::string chunk(8000, 'y');
        char size[16];
        std::snprintf(size, sizeof size, "%zx", chunk.size());
        auto r = c.send_raw("POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                            std::string(size) + "\r\n" + chunk + "\r\n0\r\n\r\n");
        BOOST_TEST(r.status == 413u);
        BOOST_TEST(c.closed());
    }
    {
        // Headers alone over the limit: 413 too.
        client c(port);
        std::string rq = "POST /webhook HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(32 << 10, 'p') +
                         "\r\nContent-Length: 2\r\n\r\n{}";
        auto r = c.send_raw(rq);
        BOOST_TEST(r.status == 413u);
    }
    {
        // Not HTTP at all: the connection is closed, nothing else happens.
        client c(port);
        auto r = c.send_raw("\x16\x03\x01\x02\x00garbage\r\n\r\n");
        BOOST_TEST(r.ec);
    }
    BOOST_TEST(t.drain().empty());
    client c(port);
    std::string just_under = messaging(7);
    BOOST_TEST(c.send(http::verb::post, "/webhook", just_under).status == 200u);
    BOOST_TEST(t.drain().size() == 1u);
    const auto st = t.stats();
    BOOST_TEST(st.too_large == 3u);
    BOOST_TEST(st.accepted == 1u);
}

BOOST_AUTO_TEST_CASE(a_wrong_secret_looks_like_no_endpoint) {
    wh::receiver_options o;
    o.secret = "s3cr3t-9f2a";
    receiver_thread t(o);
    client c(t.on_server([&] { return t.rx.port(); }));
    for (std::string target : {"/webhook", "/webhook/", "/webhook/s3cr3t-9f2", "/webhook/s3cr3t-9f2ab",
                               "/webhook?secret=wrong", "/webhook?secret=", "/webhook/S3CR3T-9F2A"}) {
        auto r = c.send(http::verb::post, target, messaging(1));
        BOOST_TEST(r.status == 404u, target);
        BOOST_TEST(r.keep_alive);
    }
    BOOST_TEST(c.send(http::verb::post, "/webhook/s3cr3t-9f2a", messaging(1)).status == 200u);
    BOOST_TEST(c.send(http::verb::post, "/webhook?secret=s3cr3t-9f2a", messaging(2)).status == 200u);
    BOOST_TEST(t.on_server([&] { return t.rx.url(); }).ends_with("/webhook/s3cr3t-9f2a"));
    BOOST_TEST(t.drain().size() == 2u);
    // The suspension monitor saw the 404s as failures (as Pancake would count them).
    BOOST_TEST(t.stats().not_found == 7u);
}

BOOST_AUTO_TEST_CASE(a_full_intake_gets_503_with_retry_after_and_nothing_is_lost) {
    receiver_thread t({}, 2);
    client c(t.on_server([&] { return t.rx.port(); }));
    BOOST_TEST(c.send(http::verb::post, "/webhook", messaging(1)).status == 200u);
    BOOST_TEST(c.send(http::verb::post, "/webhook", messaging(2)).status == 200u);
    auto busy = c.send(http::verb::post, "/webhook", messaging(3));
    BOOST_TEST(busy.status == 503u);
    BOOST_TEST(busy.headers[http::field::retry_after] == "1");
    BOOST_TEST(documented_body(busy, false), busy.body);
    BOOST_TEST(t.drain().size() == 2u);
    // The sender's retry gets through once there is room.
    BOOST_TEST(c.send(http::verb::post, "/webhook", messaging(3)).status == 200u);
    auto last = t.drain();
    BOOST_TEST_REQUIRE(last.size() == 1u);
    BOOST_TEST(last[0] == messaging(3));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------

namespace {

// A pancake_webhook_node child process: its pid, and the port it printed.
struct node {
    pid_t pid = -1;
    unsigned short port = 0;

    node(const std::filesystem::path& dir) {
        int out[2];
        BOOST_REQUIRE(::pipe(out) == 0);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_addclose(&fa, out[0]);
        const std::string exe = PANCAKE_WEBHOOK_NODE, j = (dir / "intake.journal").string(),
                          e = (dir / "effects").string(), i = (dir / "invocations").string();
        char* argv[] = {const_cast<char*>(exe.c_str()), const_cast<char*>(j.c_str()), const_cast<char*>(e.c_str()),
                        const_cast<char*>(i.c_str()), nullptr};
        const int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        ::close(out[1]);
        BOOST_REQUIRE_MESSAGE(rc == 0, "cannot start " << exe);
        // The first line is the port; EOF (the child failed) ends the read too, so no hang.
        std::string line;
        char ch;
        while (::read(out[0], &ch, 1) == 1 && ch != '\n')
            line += ch;
        ::close(out[0]);
        BOOST_REQUIRE_MESSAGE(!line.empty(), "the receiver process did not start");
        port = static_cast<unsigned short>(std::stoi(line));
    }
    void kill_hard() {
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        BOOST_TEST((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
        pid = -1;
    }
    int stop_gracefully() {
        ::kill(pid, SIGTERM);
        int status = 0;
        ::waitpid(pid, &status, 0);
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    ~node() {
        if (pid > 0) kill_hard();
    }
};

std::map<std::string, int> count_lines(const std::filesystem::path& p) {
    std::map<std::string, int> n;
    std::ifstream in(p);
    for (std::string k; std::getline(in, k);)
        ++n[k];
    return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_crash)

BOOST_AUTO_TEST_CASE(every_acknowledged_event_takes_effect_once_across_sigkills) {
    const auto dir = std::filesystem::temp_directory_path() / ("pancake_crash_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);

    constexpr std::size_t total = 3000, senders = 8, resend_after_restart = 100;
    const std::set<std::size_t> kill_at = {600, 1300, 2100}; // acknowledgements seen
    std::vector<std::string> bodies, keys;
    for (std::size_t i = 0; i < total; ++i) {
        bodies.push_back(messaging(i));
        keys.push_back(wh::parse_event(bodies.back())->dedupe_key);
    }

    auto child = std::make_unique<node>(dir);
    std::deque<std::size_t> queue;
    for (std::size_t i = 0; i < total; ++i)
        queue.push_back(i);
    std::set<std::size_t> acked;
    std::size_t kills = 0, refused = 0, in_flight_at_kill = 0, in_flight = 0;

    // Senders on one thread, each on its own keep-alive connection, as Pancake's delivery would:
    // a failed send (the process died under it) goes back in the queue.
    asio::io_context ioc;
    for (std::size_t s = 0; s < senders; ++s)
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
                std::optional<beast::tcp_stream> stream;
                unsigned short connected_to = 0;
                beast::flat_buffer buf;
                while (!queue.empty()) {
                    const auto i = queue.front();
                    queue.pop_front();
                    if (!stream || connected_to != child->port) {
                        stream.emplace(co_await asio::this_coro::executor);
                        buf.clear();
                        connected_to = child->port;
                        stream->expires_after(10s);
                        auto [cec] = co_await stream->async_connect(
                            tcp::endpoint(asio::ip::make_address("127.0.0.1"), connected_to), tuple);
                        if (cec) {
                            queue.push_back(i);
                            stream.reset();
                            continue;
                        }
                    }
                    http::request<http::string_body> rq{http::verb::post, "/webhook", 11};
                    rq.set(http::field::host, "127.0.0.1");
                    rq.set(http::field::content_type, "application/json");
                    rq.body() = bodies[i];
                    rq.prepare_payload();
                    http::response<http::string_body> res;
                    ++in_flight;
                    stream->expires_after(10s);
                    auto [wec, wn] = co_await http::async_write(*stream, rq, tuple);
                    boost::system::error_code rec;
                    if (!wec) std::tie(rec, std::ignore) = co_await http::async_read(*stream, buf, res, tuple);
                    --in_flight;
                    if (wec || rec || res.result_int() != 200) {
                        ++refused;
                        queue.push_back(i);
                        stream.reset();
                        continue;
                    }
                    acked.insert(i);
                    if (kill_at.contains(acked.size()) && kills < kill_at.size()) {
                        // Mid-stream: the other senders have requests on the wire right now.
                        in_flight_at_kill += in_flight;
                        ++kills;
                        child->kill_hard();
                        child = std::make_unique<node>(dir);
                        // Pancake delivers at least once: some acknowledged events come again.
                        std::size_t n = 0;
                        for (auto a = acked.rbegin(); a != acked.rend() && n < resend_after_restart; ++a, ++n)
                            queue.push_back(*a);
                    }
                }
            },
            [](std::exception_ptr e) {
                if (e) std::rethrow_exception(e);
            });
    const auto give_up = std::chrono::steady_clock::now() + 120s;
    while (acked.size() < total || !queue.empty()) {
        BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < give_up, "the stream did not finish");
        if (ioc.run_one_for(1s) == 0 && ioc.stopped()) break;
    }
    ioc.run(); // the senders end once the queue is empty
    BOOST_TEST(kills == kill_at.size());
    BOOST_TEST(in_flight_at_kill > 0u); // the kills did land mid-stream
    BOOST_TEST(acked.size() == total);
    BOOST_TEST_REQUIRE(child->stop_gracefully() == 0); // drains and commits

    const auto effects = count_lines(dir / "effects");
    auto invocations = count_lines(dir / "invocations");
    std::size_t missing = 0, twice_in_effect = 0, rerun = 0;
    for (auto i : acked)
        if (!effects.contains(keys[i])) ++missing;
    for (auto& [k, n] : effects)
        if (n > 1) ++twice_in_effect;
    for (auto& [k, n] : invocations)
        if (n > 1) rerun += static_cast<std::size_t>(n - 1);
    BOOST_TEST(missing == 0u);
    BOOST_TEST(twice_in_effect == 0u);
    BOOST_TEST(effects.size() == total);
    // The handler runs again only for events caught between their effect and their commit record
    // when the process died; the re-sent duplicates of committed events are recognised.
    BOOST_TEST_MESSAGE("crash test: kills " << kills << ", refused sends " << refused << ", handler re-runs " << rerun
                                            << ", in flight at the kills " << in_flight_at_kill);
    BOOST_TEST(rerun <= kills * 16);

    // A restart with everything committed does nothing.
    node again(dir);
    BOOST_TEST(again.stop_gracefully() == 0);
    BOOST_TEST(count_lines(dir / "invocations") == invocations);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace webhook_receiver_test

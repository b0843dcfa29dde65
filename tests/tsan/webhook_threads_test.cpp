// The webhook receiver, a memory intake and the processor (4 workers) on ONE strand of an
// io_context run by 4 threads (processor.hpp: "give them one strand as executor"), while several
// plain threads POST deliveries concurrently over loopback, some of them twice. Every distinct
// event must be handled exactly once, every repeat counted, and ThreadSanitizer must stay silent.
#include "threads.hpp"

#include <pancake/webhook.hpp>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <map>
#include <set>
#include <string>
#include <sys/socket.h>
#include <sys/time.h>
#include <vector>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace webhook_threads_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace wh = pancake::webhook;
using tcp = asio::ip::tcp;
using namespace tsan;

namespace {

const std::string page = "100000000000001";

// A customer's message; 16 conversations, so workers contend for the same serial keys.
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

// One blocking HTTP/1.1 keep-alive connection; reads give up after 10 s (a failure, not a hang).
struct sender {
    asio::io_context ioc; // never run: synchronous operations only
    tcp::socket sock{ioc};
    beast::flat_buffer buf;

    explicit sender(unsigned short port) {
        sock.connect({asio::ip::make_address("127.0.0.1"), port});
        timeval tv{10, 0};
        ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    // The status, or 0 when the exchange failed.
    unsigned post(std::string body) {
        http::request<http::string_body> rq{http::verb::post, "/webhook", 11};
        rq.set(http::field::host, "127.0.0.1");
        rq.set(http::field::content_type, "application/json");
        rq.body() = std::move(body);
        rq.prepare_payload();
        boost::system::error_code ec;
        http::write(sock, rq, ec);
        if (ec) return 0;
        http::response<http::string_body> res;
        http::read(sock, buf, res, ec);
        return ec ? 0 : res.result_int();
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(tsan_webhook_threads)

BOOST_AUTO_TEST_CASE(receiver_and_processor_on_one_strand_of_four_threads_handle_each_event_once) {
    constexpr std::size_t events = 500, senders = 4, connections_each = 2;
    const auto repeated = [](std::size_t i) { return i % 5 == 0; }; // sent twice
    std::size_t repeats = 0;
    for (std::size_t i = 0; i < events; ++i)
        repeats += repeated(i);

    thread_pool pool;
    auto strand = asio::make_strand(pool.ioc);
    wh::memory_intake store(strand, 100'000);
    wh::receiver rx(strand, store);
    // Handled events, per dedupe key; touched only on the strand.
    std::map<std::string, int> handled;
    std::set<std::string> message_ids;
    wh::processor_options po;
    po.workers = 4;
    wh::processor proc(strand, store,
                       wh::awaitable_handler(strand,
                                             [&](const wh::received_event& e) -> asio::awaitable<void> {
                                                 // Yield once, so the workers' handlers interleave.
                                                 co_await asio::post(strand, asio::use_awaitable);
                                                 ++handled[e.dedupe_key];
                                                 message_ids.insert(
                                                     std::string(e.raw.at("data").at("message").at("id").as_string()));
                                             }),
                       po);
    // Before the threads run: no concurrency yet.
    rx.start();
    proc.start();
    const auto port = rx.port();
    pool.start(4);

    // Each sender thread owns its connections; its results are read after it is joined.
    std::vector<std::vector<std::string>> errors(senders);
    std::vector<std::thread> threads;
    for (std::size_t s = 0; s < senders; ++s)
        threads.emplace_back([&, s] {
            std::vector<std::unique_ptr<sender>> conns;
            try {
                for (std::size_t c = 0; c < connections_each; ++c)
                    conns.push_back(std::make_unique<sender>(port));
            } catch (const std::exception& e) {
                errors[s].push_back(std::string("connect: ") + e.what());
                return;
            }
            std::size_t n = 0;
            for (std::size_t i = s; i < events; i += senders) {
                const auto body = messaging(i);
                for (int copy = 0; copy < (repeated(i) ? 2 : 1); ++copy) {
                    const auto status = conns[n++ % connections_each]->post(body);
                    if (status != 200)
                        errors[s].push_back("event " + std::to_string(i) + " answered " + std::to_string(status));
                }
            }
        });
    for (auto& t : threads)
        t.join();

    // Every delivery is acknowledged, so stored: a graceful stop completes once all are processed.
    countdown stopped(1);
    asio::post(strand, [&] { proc.async_stop([&] { stopped.done(); }); });
    const bool drained = stopped.wait();
    pool.stop(); // joins the threads: what the handlers wrote is visible here
    for (auto& errs : errors)
        for (auto& e : errs)
            BOOST_ERROR(e);
    BOOST_REQUIRE_MESSAGE(drained, "the processor did not drain in time");

    BOOST_TEST(handled.size() == events);
    for (auto& [key, n] : handled)
        BOOST_TEST(n == 1, key << " handled " << n << " times");
    BOOST_TEST(message_ids.size() == events);
    const auto& ps = proc.stats();
    BOOST_TEST(ps.handled == events);
    BOOST_TEST(ps.duplicates == repeats);
    BOOST_TEST(ps.stale == 0u);
    BOOST_TEST(ps.echoes == 0u);
    BOOST_TEST(ps.retries == 0u);
    BOOST_TEST(ps.dead_letters == 0u);
    BOOST_TEST(ps.unparseable == 0u);
    BOOST_TEST(proc.in_progress() == 0u);
    BOOST_TEST(store.pending() == 0u);
    const auto& rs = rx.stats();
    BOOST_TEST(rs.accepted == events + repeats);
    BOOST_TEST(rs.connections == senders * connections_each);
    BOOST_TEST(rs.bad_request == 0u);
    BOOST_TEST(rs.busy == 0u);
    BOOST_TEST(rs.not_found == 0u);
    BOOST_TEST(rs.too_large == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace webhook_threads_test

// One pancake::client whose executor is a strand of an io_context run by 4 threads ("use it from
// one executor (or strand)"), driven by coroutines on that strand and by plain threads posting to
// it, against the simulator on its own thread over loopback TCP. Every call must succeed, the
// simulator must have seen each exactly once, and ThreadSanitizer must stay silent.
#include "support/harness.hpp"
#include "threads.hpp"

#include <map>
#include <string>
#include <vector>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace client_strand_test {

namespace asio = boost::asio;
using namespace tsan;

namespace {

// What the calls did; touched only on the client's strand (a race here is a finding too).
struct tally {
    std::map<std::string, int> ok; // per simulator route
    std::vector<std::string> failures;

    void record(const std::string& route, const pancake::error_code& ec) {
        if (ec)
            failures.push_back(route + ": " + ec.message());
        else
            ++ok[route];
    }
};

constexpr auto tuple = asio::as_tuple(asio::use_awaitable);

// `calls` workflow calls cycling over the operations and conversations of the shop.
asio::awaitable<void> workflow(pancake::client& api, tally& t, int seed, int calls) {
    const std::vector<pancake::conversation_id> convs{test::conv1, test::conv2};
    const std::vector<pancake::user_id> one{test::an}, two{test::an, test::binh};
    for (int i = 0; i < calls; ++i) {
        const auto& conv = convs[static_cast<std::size_t>(seed + i) % convs.size()];
        const pancake::tag_id tag(1 + (seed + i) % 3);
        switch ((seed + i) % 6) {
        case 0: {
            auto [ec, r] = co_await api.async_add_tag(test::shop, conv, tag, tuple);
            t.record("tags.update", ec);
            break;
        }
        case 1: {
            auto [ec, r] = co_await api.async_remove_tag(test::shop, conv, tag, tuple);
            t.record("tags.update", ec);
            break;
        }
        case 2: {
            const auto& who = i % 2 ? one : two;
            auto [ec, r] = co_await api.async_assign(test::shop, conv, who, tuple);
            t.record("assign", ec);
            break;
        }
        case 3: {
            auto [ec, r] = co_await api.async_mark_read(test::shop, conv, tuple);
            t.record("read", ec);
            break;
        }
        case 4: {
            auto [ec, r] = co_await api.async_mark_unread(test::shop, conv, tuple);
            t.record("unread", ec);
            break;
        }
        default: {
            auto [ec, r] = co_await api.async_list_tags(test::shop, tuple);
            t.record("tags.list", ec);
            break;
        }
        }
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(tsan_client_strand)

BOOST_AUTO_TEST_CASE(a_client_on_a_strand_of_four_threads_serves_coroutines_and_plain_threads) {
    sim_thread server;
    thread_pool pool;
    auto strand = asio::make_strand(pool.ioc);

    pancake::client_config cfg;
    cfg.base_url = server.sim.base_url();
    cfg.jitter_seed = 42;
    cfg.rate_limit.per_second = 1e6; // the simulator's limit is off: no pacing needed
    cfg.rate_limit.burst = 1000;
    std::optional<pancake::client> api(std::in_place, strand, cfg);
    api->add_page(test::shop, test::shop_token);

    tally t;
    constexpr int coroutines = 8, calls_each = 50;    // on the strand from the start
    constexpr int plain_threads = 3, posts_each = 10; // callbacks posted from outside
    constexpr int spawned_calls = 20;                 // one coroutine co_spawned by each plain thread
    countdown finished(coroutines + plain_threads * (posts_each + 1));
    auto on_done = [&](std::exception_ptr e) {
        if (e) t.failures.push_back("a coroutine threw"); // on the strand: co_spawn's executor
        finished.done();
    };

    for (int c = 0; c < coroutines; ++c)
        asio::co_spawn(strand, workflow(*api, t, c, calls_each), on_done);
    pool.start(4);

    // Plain threads reach the client only through its strand.
    std::vector<std::thread> outside;
    for (int p = 0; p < plain_threads; ++p)
        outside.emplace_back([&, p] {
            for (int i = 0; i < posts_each; ++i)
                asio::post(strand, [&, i] {
                    api->async_mark_read(test::shop, i % 2 ? test::conv1 : test::conv2,
                                         [&](pancake::error_code ec, const auto&) {
                                             t.record("read", ec);
                                             finished.done();
                                         });
                });
            asio::co_spawn(strand, workflow(*api, t, 100 + p, spawned_calls), on_done);
        });
    for (auto& th : outside)
        th.join();

    const bool all_done = finished.wait();
    pool.stop(); // joins the threads: what they wrote is visible here
    BOOST_REQUIRE_MESSAGE(all_done, finished.left() << " callers did not finish in time");
    api.reset();

    for (auto& f : t.failures)
        BOOST_ERROR(f);
    int ok_total = 0;
    for (auto& [route, n] : t.ok)
        ok_total += n;
    const int expected = coroutines * calls_each + plain_threads * (posts_each + spawned_calls);
    BOOST_TEST(ok_total == expected);

    // The simulator saw each call once, on the route it was counted under, and answered 200.
    const auto journal = server.on_server([&] { return server.sim.journal(); });
    std::map<std::string, int> seen;
    for (auto& e : journal) {
        BOOST_TEST(e.page == test::shop.value());
        BOOST_TEST(e.status == 200u, e.method << " " << e.path << " answered " << e.status);
        ++seen[e.route];
    }
    BOOST_TEST(journal.size() == static_cast<std::size_t>(expected));
    BOOST_TEST((seen == t.ok));
    for (auto& [route, n] : t.ok)
        BOOST_TEST_MESSAGE(route << ": " << n);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace client_strand_test

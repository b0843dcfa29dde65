// The rate limiter, the retry policy and the virtual clock, on virtual time only.
#include <pancake/detail/deadline_queue.hpp>
#include <pancake/pancake.hpp>

#include <boost/asio.hpp>
#include <boost/test/unit_test.hpp>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace limiter_test {

using namespace pancake;
using namespace std::chrono_literals;
namespace asio = boost::asio;

BOOST_AUTO_TEST_SUITE(limiter)

BOOST_AUTO_TEST_CASE(gcra_spaces_reservations_by_the_interval) {
    virtual_clock clk;
    rate_limiter l(clk, {5.0, 1, 0.0, 100});
    auto t0 = clk.now();
    BOOST_TEST((l.reserve(t0) == t0));
    BOOST_TEST((l.reserve(t0) == t0 + 200ms));
    BOOST_TEST((l.reserve(t0) == t0 + 400ms));
    // An idle gap does not bank credit beyond the burst.
    auto later = t0 + 10s;
    BOOST_TEST((l.reserve(later) == later));
    BOOST_TEST((l.reserve(later) == later + 200ms));
}

BOOST_AUTO_TEST_CASE(burst_allows_back_to_back_requests) {
    virtual_clock clk;
    rate_limiter l(clk, {5.0, 3, 0.0, 100});
    auto t0 = clk.now();
    BOOST_TEST((l.reserve(t0) == t0));
    BOOST_TEST((l.reserve(t0) == t0));
    BOOST_TEST((l.reserve(t0) == t0));
    BOOST_TEST((l.reserve(t0) == t0 + 200ms));
}

// The synchronous fast path takes exactly the slots acquire() would take without waiting, and
// leaves nothing reserved when it says no.
BOOST_AUTO_TEST_CASE(try_acquire_takes_free_slots_and_reserves_nothing_otherwise) {
    virtual_clock clk;
    rate_limiter l(clk, {5.0, 2, 0.0, 100});
    BOOST_TEST(l.try_acquire());
    BOOST_TEST(l.try_acquire());
    BOOST_TEST(!l.try_acquire()); // burst spent: the next slot is 200 ms away
    BOOST_TEST(!l.try_acquire());
    const auto t0 = clk.now();
    BOOST_TEST((l.reserve(t0) == t0 + 200ms)); // the refusals reserved nothing
    clk.advance(400ms);
    BOOST_TEST(l.try_acquire());
    // A reservation given back (a cancelled wait) frees its slot, within the burst too.
    const auto t1 = clk.now();
    const auto a = l.reserve(t1);
    const auto b = l.reserve(t1);
    BOOST_TEST((b > a));
    l.release(b);
    BOOST_TEST((l.reserve(t1) == b));
    rate_limiter full(clk, {5.0, 1, 0.0, 0}); // max_queue 0: never admits
    BOOST_TEST(!full.try_acquire());
}

BOOST_AUTO_TEST_CASE(no_sliding_second_ever_exceeds_the_budget) {
    virtual_clock clk;
    rate_limiter l(clk, {5.0, 1, 0.0, 10000});
    std::vector<clock::time_point> slots;
    for (int i = 0; i < 500; ++i)
        slots.push_back(l.reserve(clk.now() + std::chrono::milliseconds(i * 37 % 300)));
    std::sort(slots.begin(), slots.end());
    for (std::size_t i = 5; i < slots.size(); ++i)
        BOOST_TEST_REQUIRE((slots[i] - slots[i - 5] >= 1s));
}

BOOST_AUTO_TEST_CASE(waiters_are_served_fifo_and_cancellation_frees_the_slot) {
    asio::io_context ioc;
    virtual_clock clk;
    rate_limiter l(clk, {5.0, 1, 0.0, 3});
    std::vector<int> order;
    std::vector<error_code> results(5);
    asio::cancellation_signal cancel_third;
    // A coroutine lambda's captures die with the lambda object: pass state as parameters.
    auto op = [](rate_limiter& l, error_code& result, std::vector<int>& order, int i) -> asio::awaitable<void> {
        result = co_await l.acquire();
        if (!result) order.push_back(i);
    };
    for (int i = 0; i < 5; ++i) {
        if (i == 2)
            asio::co_spawn(ioc, op(l, results[i], order, i),
                           asio::bind_cancellation_slot(cancel_third.slot(), asio::detached));
        else
            asio::co_spawn(ioc, op(l, results[i], order, i), asio::detached);
    }
    ioc.poll();
    // 0 went through at once; 1, 2, 3 wait; 4 exceeded max_queue (3).
    BOOST_TEST(l.waiting() == 3u);
    BOOST_TEST(results[4] == make_error_code(errc::queue_full));
    cancel_third.emit(asio::cancellation_type::terminal); // a coroutine's default filter
    ioc.poll();
    BOOST_TEST(results[2] == asio::error::operation_aborted);
    while (clk.advance_to_next())
        ioc.poll();
    BOOST_TEST((order == std::vector<int>{0, 1, 3}));
}

BOOST_AUTO_TEST_CASE(penalize_pushes_everyone_back) {
    virtual_clock clk;
    rate_limiter l(clk, {5.0, 1, 0.0, 10});
    l.penalize(3s);
    BOOST_TEST((l.reserve(clk.now()) == clk.now() + 3s));
}

BOOST_AUTO_TEST_CASE(safety_margin_shrinks_the_rate) {
    virtual_clock clk;
    rate_limiter l(clk, {5.0, 1, 0.02, 10});
    BOOST_TEST(std::chrono::duration<double>(l.interval()).count() == 1.0 / 4.9, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(retry)

BOOST_AUTO_TEST_CASE(decisions_respect_idempotency) {
    using P = retry_policy;
    BOOST_TEST(P::retryable(errc::server_error, idempotency::safe, true));
    BOOST_TEST(P::retryable(errc::transient_api_error, idempotency::safe, true));
    BOOST_TEST(P::retryable(errc::connection_lost, idempotency::safe, true));
    BOOST_TEST(!P::retryable(errc::invalid_token, idempotency::safe, false));
    BOOST_TEST(!P::retryable(errc::unexpected_response, idempotency::safe, true));
    // A send may only be re-sent when nothing reached the server.
    BOOST_TEST(!P::retryable(errc::server_error, idempotency::at_most_once, true));
    BOOST_TEST(!P::retryable(errc::connection_lost, idempotency::at_most_once, true));
    BOOST_TEST(P::retryable(errc::connection_lost, idempotency::at_most_once, false));
    BOOST_TEST(P::retryable(errc::rate_limited, idempotency::at_most_once, true));
}

BOOST_AUTO_TEST_CASE(backoff_is_capped_full_jitter_and_honours_retry_after) {
    retry_policy p;
    std::mt19937_64 rng(7);
    for (unsigned attempt = 1; attempt < 12; ++attempt) {
        auto cap = std::min<std::chrono::nanoseconds>(p.initial_backoff * (1LL << (attempt - 1)), p.max_backoff);
        for (int i = 0; i < 50; ++i) {
            auto d = p.backoff(attempt, std::nullopt, rng);
            BOOST_TEST_REQUIRE((d >= 0ns && d <= cap));
        }
    }
    BOOST_TEST((p.backoff(1, 7s, rng) == 7s));
    BOOST_TEST((p.backoff(1, 3600s, rng) == p.max_retry_after));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(virtual_time)

BOOST_AUTO_TEST_CASE(waiters_fire_in_deadline_order_and_only_when_advanced) {
    asio::io_context ioc;
    virtual_clock clk;
    std::vector<int> fired;
    for (int i : {3, 1, 2})
        clk.async_wait_for(ioc.get_executor(), std::chrono::seconds(i), [&, i](error_code ec) {
            if (!ec) fired.push_back(i);
        });
    ioc.poll();
    BOOST_TEST(fired.empty());
    clk.advance(1500ms);
    ioc.poll();
    BOOST_TEST((fired == std::vector<int>{1}));
    while (clk.advance_to_next())
        ioc.poll();
    BOOST_TEST((fired == std::vector<int>{1, 2, 3}));
    BOOST_TEST(clk.pending() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(deadline_queue)

namespace {
struct probe final : pancake::detail::deadline_queue::entry {
    std::vector<int>* log = nullptr;
    int id = 0;
    void on_deadline() override { log->push_back(id); }
};

/// A queue on virtual time, and four entries (ids 0-3) that log when they fire.
struct queue_fixture {
    asio::io_context ioc;
    virtual_clock clk;
    std::shared_ptr<pancake::detail::deadline_queue> q =
        std::make_shared<pancake::detail::deadline_queue>(clk, ioc.get_executor());
    std::vector<int> log;
    std::array<probe, 4> p;
    queue_fixture() {
        for (int i = 0; i < 4; ++i)
            p[i].log = &log, p[i].id = i;
    }
};
} // namespace

BOOST_FIXTURE_TEST_CASE(entries_fire_in_deadline_order_behind_one_wait, queue_fixture) {
    q->add(p[0], clk.now() + 10s);
    q->add(p[1], clk.now() + 30s);
    q->add(p[2], clk.now() + 20s);
    BOOST_TEST(clk.pending() == 1u); // one clock wait, whatever the number of entries
    q->add(p[3], clk.now() + 5s);    // earlier than the armed wait: re-armed
    ioc.poll();
    BOOST_TEST(clk.pending() == 1u);
    q->remove(p[2]);
    BOOST_TEST(q->size() == 3u);
    while (clk.advance_to_next())
        ioc.poll();
    BOOST_TEST((log == std::vector<int>{3, 0, 1})); // in deadline order; the removed one never fires
    BOOST_TEST(q->size() == 0u);
    BOOST_TEST(clk.pending() == 0u);
}

// One call after another (a caller's loop resumes inline, before any posted handler): the queue
// empties and refills before the executor runs, and keeps its one wait instead of re-arming.
BOOST_FIXTURE_TEST_CASE(a_queue_refilled_before_the_executor_runs_keeps_its_wait, queue_fixture) {
    q->add(p[0], clk.now() + 30s);
    q->remove(p[0]);
    q->add(p[1], clk.now() + 40s); // later than the armed wait: no re-arm
    ioc.poll();                    // the idle check finds an entry: the wait stays
    BOOST_TEST(clk.pending() == 1u);
    BOOST_TEST(clk.advance_to_next()); // to 30 s: the old wait fires, nothing due, re-armed for 40 s
    ioc.poll();
    BOOST_TEST(log.empty());
    BOOST_TEST(clk.pending() == 1u);
    q->add(p[2], clk.now() + 5s); // earlier than the armed wait: re-armed
    ioc.poll();
    while (clk.advance_to_next())
        ioc.poll();
    BOOST_TEST((log == std::vector<int>{2, 1}));
    BOOST_TEST(clk.pending() == 0u);
    // Emptied and left empty: the check stops the wait, so run() has nothing to wait for.
    q->add(p[0], clk.now() + 30s);
    q->remove(p[0]);
    BOOST_TEST(clk.pending() == 1u);
    ioc.restart();
    ioc.poll(); // the check runs and cancels the wait: no outstanding work is left
    BOOST_TEST(clk.pending() == 0u);
    BOOST_TEST(ioc.poll() == 0u);
    BOOST_TEST(ioc.stopped());
    BOOST_TEST((log == std::vector<int>{2, 1}));
}

// Nothing left: the wait is cancelled, so an idle client keeps no outstanding work and a virtual
// clock has no phantom deadline to jump to.
BOOST_AUTO_TEST_CASE(an_empty_queue_holds_no_wait) {
    asio::io_context ioc;
    virtual_clock clk;
    auto q = std::make_shared<pancake::detail::deadline_queue>(clk, ioc.get_executor());
    std::vector<int> log;
    {
        probe a;
        a.log = &log;
        q->add(a, clk.now() + 30s);
        BOOST_TEST(clk.pending() == 1u);
        q->remove(a);
        BOOST_TEST(clk.pending() == 1u); // stopped once the executor runs, if still empty then
        ioc.poll();
        BOOST_TEST(clk.pending() == 0u);
        q->add(a, clk.now() + 30s);
    } // destroying an entry unlinks it; the wait armed for it then fires and finds nothing
    BOOST_TEST(q->size() == 0u);
    while (clk.advance_to_next())
        ioc.poll();
    BOOST_TEST(clk.pending() == 0u);
    BOOST_TEST(log.empty());
    // Re-adding after a cancelled wait re-arms (the stale handler is ignored).
    probe b;
    b.log = &log;
    b.id = 7;
    q->add(b, clk.now() + 1s);
    ioc.restart();
    ioc.poll();
    while (clk.advance_to_next())
        ioc.poll();
    BOOST_TEST((log == std::vector<int>{7}));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace limiter_test

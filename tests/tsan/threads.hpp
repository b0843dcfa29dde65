// Helpers of the ThreadSanitizer tests: an io_context run by several threads, a simulator on its
// own thread, and a countdown waited on with a deadline. Everything is bounded by a real-time
// deadline: a failure ends the test, it never hangs it.
#pragma once

#include <pancake/pancake.hpp>
#include <sim/server.hpp>

#include <boost/asio.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace tsan {

namespace asio = boost::asio;
using namespace std::chrono_literals;

/// How long any one wait of these tests may take before it counts as a failure.
inline constexpr auto deadline = 120s;

/// An io_context run by `n` threads until stop() (or destruction).
struct thread_pool {
    asio::io_context ioc;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{ioc.get_executor()};
    std::vector<std::thread> threads;

    void start(std::size_t n) {
        for (std::size_t i = 0; i < n; ++i)
            threads.emplace_back([this] { ioc.run(); });
    }
    /// Stops the loop and joins: afterwards the test thread may read what the handlers wrote.
    void stop() {
        work.reset();
        ioc.stop();
        for (auto& t : threads)
            t.join();
        threads.clear();
    }
    ~thread_pool() { stop(); }
};

/// Counts completions; wait() returns false when the deadline passes first.
class countdown {
public:
    explicit countdown(std::size_t n) : left_(n) {}
    void done() {
        std::lock_guard lock(m_);
        if (left_ > 0 && --left_ == 0) cv_.notify_all();
    }
    bool wait() {
        std::unique_lock lock(m_);
        return cv_.wait_for(lock, deadline, [&] { return left_ == 0; });
    }
    std::size_t left() {
        std::lock_guard lock(m_);
        return left_;
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    std::size_t left_;
};

/// The simulator on loopback TCP, on its own io_context run by one thread (it is single-threaded).
struct sim_thread {
    asio::io_context ioc;
    pancake::sim::server sim;
    std::thread th;

    explicit sim_thread(pancake::sim::server_options opts = {})
        : sim(ioc.get_executor(), pancake::real_clock::instance(), std::move(opts)) {
        sim.model().rate_limits().per_second = 0; // no 429: every call must go through once
        sim.start();
        th = std::thread([this] {
            auto guard = asio::make_work_guard(ioc);
            ioc.run();
        });
    }
    ~sim_thread() {
        asio::post(ioc, [this] {
            sim.stop();
            ioc.stop();
        });
        th.join();
    }
    /// Runs f on the simulator's thread and returns its value.
    template <class F>
    auto on_server(F f) {
        auto p = std::make_shared<std::promise<decltype(f())>>(); // outlives a wait that gave up
        auto fut = p->get_future();
        asio::post(ioc, [p, f] { p->set_value(f()); });
        BOOST_REQUIRE_MESSAGE(fut.wait_for(deadline) == std::future_status::ready, "the simulator did not answer");
        return fut.get();
    }
};

} // namespace tsan

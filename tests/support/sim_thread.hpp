// A simulator on its own thread and virtual clock, for tests that talk to it with blocking
// clients: start, stop, run a function on the server thread, wait for a server-side condition.
#pragma once

#include <sim/server.hpp>

#include <boost/asio.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <thread>

namespace test {

struct sim_thread {
    boost::asio::io_context ioc;
    pancake::virtual_clock clk;
    pancake::sim::server srv;
    std::thread th;

    explicit sim_thread(pancake::sim::server_options o = {}) : srv(ioc.get_executor(), clk, std::move(o)) {
        srv.start();
        th = std::thread([this] {
            auto guard = boost::asio::make_work_guard(ioc);
            ioc.run();
        });
    }
    ~sim_thread() {
        boost::asio::post(ioc, [this] {
            srv.stop();
            ioc.stop();
        });
        th.join();
    }
    sim_thread(const sim_thread&) = delete;
    sim_thread& operator=(const sim_thread&) = delete;

    /// Runs f on the server thread and returns its result.
    template <class F>
    auto on_server(F f) {
        std::promise<decltype(f())> p;
        boost::asio::post(ioc, [&] { p.set_value(f()); });
        return p.get_future().get();
    }
    /// Waits until cond() holds on the server thread; the ceiling only bounds a failure.
    void await_server(const std::function<bool()>& cond, const char* what = "server never reached the state",
                      std::chrono::seconds ceiling = std::chrono::seconds(30)) {
        const auto give_up = std::chrono::steady_clock::now() + ceiling;
        while (!on_server(cond)) {
            BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < give_up, what);
            std::this_thread::yield();
        }
    }
};

} // namespace test

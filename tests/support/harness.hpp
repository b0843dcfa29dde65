// Test harness: an embedded simulator and a client on one io_context, in one of two modes.
//  - Virtual (the default): the client reaches the simulator over in-memory streams
//    (server::connect_in_memory) and sim::run_virtual is the only driver: every ready handler
//    runs, then the virtual clock jumps to the next deadline. No sockets, no real waiting; a
//    deadlock (nothing ready, nothing scheduled) fails the test and says so.
//  - Real time (harness h(false)): the simulator listens on loopback TCP, the client connects to
//    it, and the loop waits in real time; for what needs real sockets.
#pragma once

#include <pancake/http/connection.hpp>
#include <pancake/pancake.hpp>
#include <pancake/testing/memory_stream.hpp>
#include <sim/server.hpp>
#include <sim/virtual_time.hpp>

#include <boost/asio.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace test {

namespace asio = boost::asio;
using namespace std::chrono_literals;

inline const pancake::page_id shop{"100000000000001"};
inline const pancake::page_id shop2{"100000000000002"};
inline const std::string shop_token = "pat_hoamai_7f3c2a91e4b84d0c";
inline const std::string shop2_token = "pat_senvang_5d1e8b7a3c6f4e21";
inline const pancake::conversation_id conv1{"100000000000001_200000000000001"};
inline const pancake::conversation_id conv2{"100000000000001_200000000000002"};
inline const pancake::user_id an{"c4bafd84-7b96-4f28-b59a-031f17c32ddf"};
inline const pancake::user_id binh{"fb5ff8ed-434b-4d4b-a213-b595b242b81a"};
inline const pancake::user_id cuong{"79d4e769-ac31-4821-8304-d6e251d532e9"};
inline const pancake::user_id dung{"2b1f0c55-9a6e-4b7d-8f21-6c0d3e9a4b12"};

/// An io_context whose services the harness can shut down before its clock goes (see ~harness).
struct test_context : asio::io_context {
    using asio::io_context::shutdown;
};

inline const char* to_string(pancake::sim::run_status s) {
    switch (s) {
    case pancake::sim::run_status::done:
        return "done";
    case pancake::sim::run_status::deadlock:
        return "deadlock";
    case pancake::sim::run_status::step_limit:
        return "step limit";
    }
    return "?";
}

/// "deadlock after 120 handlers and 3 clock jumps"
inline std::string describe(const pancake::sim::run_report& r) {
    return std::string(to_string(r.status)) + " after " + std::to_string(r.handlers) + " handlers and " +
           std::to_string(r.jumps) + " clock jumps";
}

struct harness {
    test_context ioc;
    pancake::virtual_clock vclock;
    bool virtual_time;
    pancake::sim::server sim;
    std::optional<pancake::client> api;
    /// Handlers one run_until may run in virtual mode before it gives up (a livelock guard).
    std::size_t step_limit = 5'000'000;

    explicit harness(bool virtual_time = true, pancake::sim::server_options opts = {})
        : virtual_time(virtual_time),
          sim(ioc.get_executor(), virtual_time ? static_cast<pancake::clock&>(vclock) : pancake::real_clock::instance(),
              opts) {
        if (!virtual_time) sim.start(); // in virtual mode every connection is in memory
        make_client({});
    }
    harness(const harness&) = delete;
    harness& operator=(const harness&) = delete;

    // Teardown order. The context's shutdown ends the simulator's sessions and destroys the
    // handlers still queued (none runs): the clock must still exist then. The waits left on the
    // clock hold work on the context: they must be destroyed before the context is. So: shut the
    // context down here, then the members go (the clock, declared after the context, first).
    ~harness() {
        api.reset();
        sim.stop();
        ioc.shutdown();
    }

    /// A client configuration for this harness: the simulator over in-memory streams on the
    /// virtual clock, or over loopback TCP in real time.
    pancake::client_config config() {
        pancake::client_config cfg;
        cfg.jitter_seed = 42;
        if (virtual_time) {
            cfg.base_url = "http://sim.invalid"; // never resolved: connections come from the transport
            cfg.clock = &vclock;
            cfg.transport = [this](asio::any_io_executor) -> std::unique_ptr<pancake::http::connection> {
                return std::make_unique<pancake::http::stream_connection<pancake::testing::memory_stream>>(
                    sim.connect_in_memory());
            };
        } else {
            cfg.base_url = sim.base_url();
        }
        return cfg;
    }

    void make_client(std::function<void(pancake::client_config&)> tweak) {
        auto cfg = config();
        if (tweak) tweak(cfg);
        api.emplace(ioc.get_executor(), cfg);
        api->add_page(shop, shop_token);
        api->add_page(shop2, shop2_token);
    }

    /// Runs what is ready now, without moving any clock.
    std::size_t poll() {
        ioc.restart();
        return ioc.poll();
    }

    /// Runs until `done` holds. Virtual time: sim::run_virtual, and a deadlock or the step limit
    /// fails the test. Real time: the loop waits for I/O and timers; `real_limit` bounds it.
    void run_until(const std::function<bool()>& done, std::chrono::seconds real_limit = 20s) {
        if (virtual_time) {
            const auto r = pancake::sim::run_virtual(ioc, vclock, done, step_limit);
            BOOST_REQUIRE_MESSAGE(r.status == pancake::sim::run_status::done,
                                  "virtual run ended in " << describe(r) << ": " << sim.parked()
                                                          << " parked in the simulator, " << vclock.pending()
                                                          << " clock waiters");
            return;
        }
        const auto give_up = std::chrono::steady_clock::now() + real_limit;
        while (!done()) {
            BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < give_up,
                                  "test did not finish in " << real_limit.count() << " s: " << sim.parked()
                                                            << " parked in the simulator");
            if (poll() > 0) continue;
            ioc.run_one_for(20ms);
        }
    }

    /// Runs a coroutine to completion and returns its value.
    template <class T>
    T run(asio::awaitable<T> op) {
        std::optional<T> out;
        std::exception_ptr err;
        asio::co_spawn(ioc, std::move(op), [&](std::exception_ptr e, T v) {
            err = e;
            out = std::move(v);
        });
        run_until([&] { return out.has_value() || err; });
        if (err) std::rethrow_exception(err);
        return std::move(*out);
    }

    /// Runs an async operation given as f(token) with as_tuple, returning (ec, value).
    template <class F>
    auto call(F f) {
        return run(f(asio::as_tuple(asio::use_awaitable)));
    }

    void set_faults(const std::string& plan) {
        std::string err;
        BOOST_REQUIRE_MESSAGE(sim.faults().set_plan(boost::json::parse(plan), err), err);
    }
};

} // namespace test

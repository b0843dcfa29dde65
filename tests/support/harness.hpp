// Test harness: an embedded simulator and a client on one io_context, driven either in real
// time or on a virtual clock (the clock only moves when everything else is idle).
#pragma once

#include <pancake/pancake.hpp>
#include <sim/server.hpp>

#include <boost/asio.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>

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

struct harness {
    asio::io_context ioc;
    pancake::virtual_clock vclock;
    bool virtual_time;
    pancake::sim::server sim;
    std::optional<pancake::client> api;
    std::vector<pancake::client*> extra_clients; ///< other clients the time driver must wait for

    explicit harness(bool virtual_time = true, pancake::sim::server_options opts = {})
        : virtual_time(virtual_time),
          sim(ioc.get_executor(), virtual_time ? static_cast<pancake::clock&>(vclock) : pancake::real_clock::instance(),
              opts) {
        sim.start();
        make_client({});
    }

    pancake::client_config config() {
        pancake::client_config cfg;
        cfg.base_url = sim.base_url();
        cfg.jitter_seed = 42;
        if (virtual_time) cfg.clock = &vclock;
        return cfg;
    }

    void make_client(std::function<void(pancake::client_config&)> tweak) {
        auto cfg = config();
        if (tweak) tweak(cfg);
        api.emplace(ioc.get_executor(), cfg);
        api->add_page(shop, shop_token);
        api->add_page(shop2, shop2_token);
    }

    /// Runs until `done` holds. In virtual time the clock jumps to the next deadline only when
    /// no request is moving on the wire (every in-flight one is parked by the simulator).
    void run_until(const std::function<bool()>& done, std::chrono::seconds real_limit = 20s) {
        const auto give_up = std::chrono::steady_clock::now() + real_limit;
        while (!done()) {
            BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < give_up,
                                  "test did not finish in time: " << api->stats().requests_on_wire << " on the wire, "
                                                                  << sim.parked() << " parked, " << vclock.pending()
                                                                  << " clock waiters");
            if (ioc.poll() > 0) continue;
            std::size_t in_flight = api->stats().requests_on_wire;
            for (auto* c : extra_clients)
                in_flight += c->stats().requests_on_wire;
            if (!virtual_time || in_flight > sim.parked()) {
                ioc.run_one_for(20ms);
                continue;
            }
            if (!vclock.advance_to_next()) ioc.run_one_for(20ms);
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

// A client and the embedded simulator on one thread, one io_context, over in-memory streams, on
// virtual time: no sockets, no real waiting, and a run is a function of its seed. The world the
// in-memory tests share (each adds its pages and helpers).
#pragma once

#include <pancake/http/connection.hpp>
#include <pancake/pancake.hpp>
#include <pancake/testing/memory_stream.hpp>
#include <sim/server.hpp>
#include <sim/virtual_time.hpp>

#include <boost/asio.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>
#include <optional>
#include <string_view>

namespace test {

struct memory_world {
    boost::asio::io_context ioc;
    pancake::virtual_clock vclock;
    pancake::sim::server server;
    pancake::client api;

    explicit memory_world(std::uint64_t seed = 1, const std::function<void(pancake::client_config&)>& tweak = {})
        : server(ioc.get_executor(), vclock, options(seed)), api(ioc.get_executor(), config(tweak)) {}

    static pancake::sim::server_options options(std::uint64_t seed) {
        pancake::sim::server_options o;
        o.seed = seed;
        return o;
    }
    pancake::client_config config(const std::function<void(pancake::client_config&)>& tweak = {}) {
        pancake::client_config cfg;
        cfg.base_url = "http://sim.invalid"; // never resolved: connections come from the transport
        cfg.clock = &vclock;
        cfg.jitter_seed = 42;
        cfg.transport = [this](boost::asio::any_io_executor) -> std::unique_ptr<pancake::http::connection> {
            return std::make_unique<pancake::http::stream_connection<pancake::testing::memory_stream>>(
                server.connect_in_memory());
        };
        if (tweak) tweak(cfg);
        return cfg;
    }
    void faults(std::string_view plan) {
        std::string err;
        BOOST_REQUIRE_MESSAGE(server.faults().set_plan(boost::json::parse(plan), err), err);
    }
    /// Runs until `done`; fails the test on a deadlock (everything blocked, nothing scheduled).
    void run(const std::function<bool()>& done) {
        auto r = pancake::sim::run_virtual(ioc, vclock, done);
        BOOST_REQUIRE_MESSAGE(r.status == pancake::sim::run_status::done, "virtual run did not finish");
    }
    /// Requests the simulator journaled for `route` ("tags.list", …).
    std::size_t count(std::string_view route) const {
        std::size_t n = 0;
        for (auto& e : server.journal())
            n += e.route == route;
        return n;
    }
};

/// What a callback-style operation completed with.
template <class T>
struct outcome {
    std::optional<pancake::error_code> ec;
    T value{};
    auto handler() {
        return [this](pancake::error_code e, T v) {
            ec = e;
            value = std::move(v);
        };
    }
    bool done() const { return ec.has_value(); }
};

} // namespace test

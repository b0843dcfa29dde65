// The one virtual-time driver, for tests and benchmarks that run a client and an embedded
// simulator on one io_context over in-memory streams (server::connect_in_memory): run every
// ready handler; when none is left, everything waits on the clock, so jump it to the next
// deadline. Nothing ready and no deadline is a deadlock, reported as such rather than hung.
#pragma once

#include <pancake/clock.hpp>

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <functional>

namespace pancake::sim {

enum class run_status {
    done,      ///< `until` held
    deadlock,  ///< nothing ready, nothing scheduled, and `until` does not hold
    step_limit ///< `max_steps` handlers ran (a livelock guard)
};

struct run_report {
    run_status status = run_status::done;
    std::size_t handlers = 0; ///< handlers run
    std::size_t jumps = 0;    ///< clock advances
};

inline run_report run_virtual(boost::asio::io_context& ioc, virtual_clock& clk, const std::function<bool()>& until,
                              std::size_t max_steps = 50'000'000) {
    run_report r;
    while (!until()) {
        if (r.handlers >= max_steps) {
            r.status = run_status::step_limit;
            return r;
        }
        ioc.restart(); // poll() on a context without work stops it
        if (auto n = ioc.poll_one()) {
            r.handlers += n;
            continue;
        }
        if (!clk.advance_to_next()) {
            r.status = run_status::deadlock;
            return r;
        }
        ++r.jumps;
    }
    return r;
}

} // namespace pancake::sim

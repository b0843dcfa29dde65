// Client-side per-page rate limiter (GCRA with reservations). Each caller reserves the next
// conforming instant and sleeps until it, so waiters are served strictly FIFO without a queue
// structure, and the whole budget is used. Waits go through the injectable clock.
//
// Defaults fit the strictest reading of "5 calls per page per second": a sliding 1 s window on
// the server. That is why burst defaults to 1 (a burst of 5 then 1 more 200 ms later would put
// 6 calls in one sliding second) and why a 2 % safety margin absorbs network jitter.
#pragma once

#include <pancake/clock.hpp>
#include <pancake/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <memory>

namespace pancake {

struct rate_limit_config {
    double per_second = 5.0;      ///< the server's budget for this page
    unsigned burst = 1;           ///< requests allowed back to back (see above before raising it)
    double safety_margin = 0.02;  ///< fraction of the budget left unused to absorb jitter
    std::size_t max_queue = 1024; ///< waiters beyond this fail fast with errc::queue_full
    /// Longest hold penalize() puts on the page, whatever the server asked: one hostile or buggy
    /// Retry-After must not block every call for a day (the client also caps it by its retry
    /// policy's max_retry_after).
    std::chrono::milliseconds max_penalty{60000};
};

class rate_limiter {
public:
    rate_limiter(clock& clk, rate_limit_config cfg = {}) : clk_(clk), cfg_(cfg) {}

    const rate_limit_config& config() const noexcept { return cfg_; }
    clock::duration interval() const noexcept {
        const double rate = std::max(1e-9, cfg_.per_second * (1.0 - cfg_.safety_margin) * factor_);
        return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(1.0 / rate));
    }
    std::size_t waiting() const noexcept { return waiting_; }

    /// Reserves the next conforming instant (pure; the awaitable below sleeps until it).
    clock::time_point reserve(clock::time_point now) {
        const auto T = interval();
        const auto tau = T * (static_cast<long>(std::max(1u, cfg_.burst)) - 1);
        if (!started_) tat_ = now, started_ = true;
        const auto slot = std::max(now, tat_ - tau);
        tat_ = std::max(tat_, slot) + T;
        return slot;
    }
    /// Gives back a reservation that was not used (cancelled while waiting), if it was the last.
    void release(clock::time_point slot) {
        if (!started_) return;
        // The last reservation moved tat by one interval: from slot + tau (a future slot, within
        // the burst tolerance tau) or from at most slot (an idle limiter).
        const auto T = interval();
        const auto tau = T * (static_cast<long>(std::max(1u, cfg_.burst)) - 1);
        if (tat_ - T - tau == slot || tat_ - T == slot) tat_ -= T;
    }
    /// The server said 429 (its budget is shared with other apps, or lower than configured):
    /// nobody on this limiter sends before now + d (d capped at max_penalty), and the rate
    /// halves (AIMD, floor 10 %).
    void penalize(clock::duration d) {
        const auto now = clk_.now();
        // Clamped, and kept far from time_point::max() so that `now + d` and the reservations
        // stacked after it cannot overflow.
        using std::chrono::milliseconds;
        const auto headroom = std::chrono::duration_cast<milliseconds>((clock::time_point::max() - now) / 2);
        d = std::clamp<clock::duration>(d, clock::duration::zero(),
                                        std::clamp(cfg_.max_penalty, milliseconds::zero(), headroom));
        const auto until = now + d;
        if (!started_ || tat_ < until) tat_ = until, started_ = true;
        factor_ = std::max(0.1, factor_ * 0.5);
    }
    /// A request went through: recover the rate additively.
    void on_success() noexcept { factor_ = std::min(1.0, factor_ + 0.05); }
    double rate_factor() const noexcept { return factor_; }

    /// The fast path of acquire(): true when a slot is free now (taken); false leaves nothing
    /// reserved, and the caller awaits acquire().
    bool try_acquire() {
        if (waiting_ >= cfg_.max_queue) return false;
        const auto now = clk_.now();
        const auto tat = tat_;
        const bool started = started_;
        if (reserve(now) <= now) return true;
        tat_ = tat, started_ = started; // exactly as before
        return false;
    }

    /// Waits for a slot. Completes with queue_full when too many are waiting, timeout when the
    /// slot lies beyond `deadline` (without waiting for it), operation_aborted when cancelled
    /// (any cancellation type: nothing was sent; the slot is given back).
    boost::asio::awaitable<error_code> acquire(clock::time_point deadline = clock::time_point::max()) {
        if (waiting_ >= cfg_.max_queue) co_return make_error_code(errc::queue_full);
        const auto slot = reserve(clk_.now());
        if (slot <= clk_.now()) co_return error_code{};
        if (slot > deadline) {
            release(slot);
            co_return make_error_code(errc::timeout);
        }
        ++waiting_;
        auto ex = co_await boost::asio::this_coro::executor;
        auto [ec] = co_await clk_.async_wait_until(ex, slot, boost::asio::as_tuple(boost::asio::use_awaitable));
        --waiting_;
        if (ec) release(slot);
        co_return ec;
    }

private:
    clock& clk_;
    rate_limit_config cfg_;
    clock::time_point tat_{}; // theoretical arrival time of the next request
    bool started_ = false;
    std::size_t waiting_ = 0;
    double factor_ = 1.0; // AIMD multiplier on the rate after 429s
};

} // namespace pancake

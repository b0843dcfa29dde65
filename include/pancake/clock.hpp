// One clock for the library and the simulator. Everything that waits (rate limiter, backoff,
// timeouts, latency injection) waits through a `clock`, so tests swap in `virtual_clock` and run
// hours of schedule in milliseconds, deterministically.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/consign.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>

namespace pancake {

class clock {
public:
    using duration = std::chrono::steady_clock::duration;
    using time_point = std::chrono::steady_clock::time_point;
    using wait_handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;

    virtual ~clock() = default;
    /// Monotonic time, for deadlines and rate limits.
    virtual time_point now() const = 0;
    /// Wall time (UTC), for timestamps the API shows.
    virtual std::chrono::system_clock::time_point system_now() const = 0;
    /// Completes at or after `tp`, or with operation_aborted when its cancellation slot fires.
    virtual void wait_until(boost::asio::any_io_executor ex, time_point tp, wait_handler h) = 0;

    template <class CompletionToken>
    auto async_wait_until(boost::asio::any_io_executor ex, time_point tp, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
            [this](auto handler, boost::asio::any_io_executor ex, time_point tp) {
                wait_until(std::move(ex), tp, wait_handler(std::move(handler)));
            },
            token, std::move(ex), tp);
    }
    template <class CompletionToken>
    auto async_wait_for(boost::asio::any_io_executor ex, duration d, CompletionToken&& token) {
        return async_wait_until(std::move(ex), now() + d, std::forward<CompletionToken>(token));
    }
};

/// The real clock: steady_clock and Asio timers.
class real_clock final : public clock {
public:
    time_point now() const override { return std::chrono::steady_clock::now(); }
    std::chrono::system_clock::time_point system_now() const override { return std::chrono::system_clock::now(); }
    void wait_until(boost::asio::any_io_executor ex, time_point tp, wait_handler h) override {
        auto timer = std::make_shared<boost::asio::steady_timer>(ex, tp);
        // The timer honours the handler's cancellation slot itself; consign keeps it alive.
        timer->async_wait(boost::asio::consign(std::move(h), timer));
    }
    static real_clock& instance() {
        static real_clock c;
        return c;
    }
};

/// Virtual time. Nothing moves until advance()/advance_to_next() is called; waiters then
/// complete in deadline order (FIFO among equal deadlines).
class virtual_clock final : public clock {
public:
    explicit virtual_clock(std::chrono::system_clock::time_point epoch = std::chrono::system_clock::time_point(
                               std::chrono::seconds(1'767'225'600))) // 2026-01-01T00:00:00Z
        : epoch_(epoch) {}

    time_point now() const override { return now_; }
    std::chrono::system_clock::time_point system_now() const override {
        return epoch_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(now_.time_since_epoch());
    }

    void wait_until(boost::asio::any_io_executor ex, time_point tp, wait_handler h) override {
        auto id = next_id_++;
        auto slot = boost::asio::get_associated_cancellation_slot(h);
        const key k{tp, id};
        // Like an Asio timer, a pending wait keeps its io_context from running out of work.
        auto work = boost::asio::prefer(ex, boost::asio::execution::outstanding_work.tracked);
        waiters_.emplace(k, waiter{std::move(ex), std::move(work), std::move(h)});
        if (slot.is_connected()) {
            slot.assign([this, k](boost::asio::cancellation_type) {
                auto w = waiters_.find(k);
                if (w == waiters_.end()) return;
                auto node = std::move(w->second);
                waiters_.erase(w);
                complete(std::move(node), boost::asio::error::operation_aborted, false);
            });
        }
        if (tp <= now_) fire_due();
    }

    void advance(duration d) {
        now_ += d;
        fire_due();
    }
    void advance_to(time_point tp) {
        if (tp > now_) now_ = tp;
        fire_due();
    }
    /// Jumps to the earliest pending deadline; false when nothing is waiting.
    bool advance_to_next() {
        if (waiters_.empty()) return false;
        advance_to(waiters_.begin()->first.tp);
        return true;
    }
    std::size_t pending() const noexcept { return waiters_.size(); }

private:
    struct key {
        time_point tp;
        std::uint64_t id;
        bool operator<(const key& o) const noexcept { return tp != o.tp ? tp < o.tp : id < o.id; }
    };
    struct waiter {
        boost::asio::any_io_executor ex;
        boost::asio::any_io_executor work;
        wait_handler h;
    };

    void fire_due() {
        while (!waiters_.empty() && waiters_.begin()->first.tp <= now_) {
            auto node = std::move(waiters_.begin()->second);
            waiters_.erase(waiters_.begin());
            complete(std::move(node), {}, true);
        }
    }
    // The slot is cleared on normal completion only: on cancellation we are inside its handler.
    static void complete(waiter w, boost::system::error_code ec, bool clear_slot) {
        auto slot = boost::asio::get_associated_cancellation_slot(w.h);
        if (clear_slot && slot.is_connected()) slot.clear();
        // post() runs the handler on its associated executor (w.ex is the fallback).
        boost::asio::post(w.ex, boost::asio::append(std::move(w.h), ec));
    }

    std::chrono::system_clock::time_point epoch_;
    time_point now_{};
    std::uint64_t next_id_ = 0;
    std::map<key, waiter> waiters_;
};

} // namespace pancake

// Every in-flight attempt's deadline, behind one clock wait. An attempt joins and leaves in O(1)
// (deadlines mostly arrive in order: they are now + the same request timeout), with no
// allocation and no timer syscall; the one wait is re-armed only when it fires or when an
// earlier deadline arrives, and cancelled when nothing is left once the executor gets round to
// it (so an idle client holds no outstanding work and a virtual clock sees no phantom deadline,
// while a caller issuing one call after another keeps the one wait instead of arming a timer
// per call).
#pragma once

#include <pancake/clock.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/intrusive/list.hpp>

#include <cstdint>
#include <memory>

namespace pancake::detail {

class deadline_queue : public std::enable_shared_from_this<deadline_queue> {
public:
    using hook = boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

    /// Something with a deadline. Destroying it removes it.
    struct entry : hook {
        clock::time_point deadline{};
        virtual void on_deadline() = 0; ///< called once, from the clock wait's handler

    protected:
        ~entry() = default;
    };

    deadline_queue(clock& clk, boost::asio::any_io_executor ex) : clk_(clk), ex_(std::move(ex)) {}
    deadline_queue(const deadline_queue&) = delete;
    deadline_queue& operator=(const deadline_queue&) = delete;
    ~deadline_queue() {
        list_.clear();
        stop();
    }

    void add(entry& e, clock::time_point deadline) {
        remove(e);
        e.deadline = deadline;
        auto pos = list_.end(); // usually the tail: scan back from there
        while (pos != list_.begin() && std::prev(pos)->deadline > deadline)
            --pos;
        list_.insert(pos, e);
        if (!armed_ || deadline < armed_until_) arm(list_.front().deadline);
    }

    void remove(entry& e) noexcept {
        if (!e.is_linked()) return;
        e.unlink();
        if (list_.empty()) stop_when_idle();
    }

    std::size_t size() const noexcept { return list_.size(); }

private:
    void arm(clock::time_point tp) {
        stop();
        armed_ = true;
        armed_until_ = tp;
        clk_.async_wait_until(ex_, tp,
                              boost::asio::bind_cancellation_slot(
                                  stop_.slot(), [w = weak_from_this(), gen = gen_](boost::system::error_code ec) {
                                      auto q = w.lock();
                                      if (!q || q->gen_ != gen) return; // cancelled, or re-armed since
                                      q->armed_ = false;
                                      if (!ec) q->fire();
                                  }));
    }

    /// Empty now, but the next call usually joins straight after (a caller's loop resumes
    /// inline): stop the wait only if the queue is still empty when a posted check runs.
    void stop_when_idle() noexcept {
        if (!armed_ || idle_check_) return;
        try {
            boost::asio::post(ex_, [w = weak_from_this()] {
                auto q = w.lock();
                if (!q) return;
                q->idle_check_ = false;
                if (q->list_.empty()) q->stop();
            });
            idle_check_ = true;
        } catch (...) { // no memory for the check: stop now, as before
            stop();
        }
    }

    void stop() noexcept {
        if (!armed_) return;
        armed_ = false;
        ++gen_;
        stop_.emit(boost::asio::cancellation_type::terminal);
    }

    void fire() {
        const auto now = clk_.now();
        while (!list_.empty() && list_.front().deadline <= now) {
            auto& e = list_.front();
            list_.pop_front();
            e.on_deadline();
        }
        if (!list_.empty() && !armed_) arm(list_.front().deadline);
    }

    clock& clk_;
    boost::asio::any_io_executor ex_;
    boost::intrusive::list<entry, boost::intrusive::constant_time_size<false>> list_;
    boost::asio::cancellation_signal stop_;
    clock::time_point armed_until_{};
    std::uint64_t gen_ = 0;
    bool armed_ = false;
    bool idle_check_ = false; ///< a stop_when_idle check is posted
};

} // namespace pancake::detail

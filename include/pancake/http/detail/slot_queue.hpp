// The connection cap's bookkeeping, without I/O: who may open a connection now, who waits, and
// who is served next when a connection closes or is handed over. FIFO: a freed slot goes to
// the oldest waiter, never to a newcomer. connection_pool does the waiting around it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace pancake::http::detail {

class slot_queue {
public:
    using ticket = std::uint64_t;

    explicit slot_queue(std::size_t max = 0) noexcept : max_(max) {} // 0: no cap

    /// True: the caller holds a slot now (counted open). False: enqueue() and wait.
    bool try_take() noexcept {
        if (!waiters_.empty() || (max_ != 0 && open_ >= max_)) return false;
        ++open_;
        return true;
    }
    ticket enqueue() {
        waiters_.push_back(++last_);
        return last_;
    }
    /// The waiter gave up. False if it was no longer waiting (it has been served).
    bool cancel(ticket t) noexcept {
        for (auto it = waiters_.begin(); it != waiters_.end(); ++it)
            if (*it == t) {
                waiters_.erase(it);
                return true;
            }
        return false;
    }
    /// An open connection closed. Its slot goes to the oldest waiter (returned), or is free.
    std::optional<ticket> release() noexcept {
        if (auto t = next()) return t;
        if (open_ > 0) --open_;
        return std::nullopt;
    }
    /// The oldest waiter, out of the queue: a live connection (and its slot) is handed to it.
    std::optional<ticket> next() noexcept {
        if (waiters_.empty()) return std::nullopt;
        auto t = waiters_.front();
        waiters_.pop_front();
        return t;
    }

    std::size_t open() const noexcept { return open_; }
    std::size_t waiting() const noexcept { return waiters_.size(); }
    std::size_t max() const noexcept { return max_; }

private:
    std::size_t max_;
    std::size_t open_ = 0;
    ticket last_ = 0;
    std::deque<ticket> waiters_;
};

} // namespace pancake::http::detail

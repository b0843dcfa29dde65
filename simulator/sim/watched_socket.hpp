// A TCP connection's socket with a deadline kept by a lazy watchdog. beast::tcp_stream starts
// and cancels a timer around every read and write (a timer-queue insert, a removal and a
// cancelled wait to complete, twice a request); here setting a deadline only stores a time. One
// timer per connection waits for the deadline it was armed with; when it wakes it closes the
// socket if the current deadline has passed, re-arms if the deadline moved later, and stops if
// none is set. A deadline moved earlier than the armed one re-arms at once, so it is exact.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>

namespace pancake::sim {

class watched_socket : public std::enable_shared_from_this<watched_socket> {
public:
    using socket_type = boost::asio::ip::tcp::socket;
    using executor_type = socket_type::executor_type;
    using clock_type = std::chrono::steady_clock;

    explicit watched_socket(socket_type s) : sock_(std::move(s)), timer_(sock_.get_executor()) {}

    executor_type get_executor() noexcept { return sock_.get_executor(); }
    socket_type& socket() noexcept { return sock_; }

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& b, Token&& token) {
        return sock_.async_read_some(b, std::forward<Token>(token));
    }
    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& b, Token&& token) {
        return sock_.async_write_some(b, std::forward<Token>(token));
    }

    /// The I/O that follows must finish within `d`, or the socket is closed (the pending
    /// operation then ends with an error).
    void expires_after(clock_type::duration d) {
        deadline_ = clock_type::now() + d;
        if (deadline_ < armed_) arm(deadline_);
    }
    /// No deadline: between requests, while the model or a latency fault takes its time.
    void expires_never() noexcept { deadline_ = clock_type::time_point::max(); }
    /// Closes the socket and lets the watchdog go (a pending wait would keep run() busy).
    void close() noexcept {
        boost::system::error_code ec;
        sock_.close(ec);
        deadline_ = armed_ = clock_type::time_point::max();
        ++generation_;
        timer_.cancel();
    }

private:
    void arm(clock_type::time_point at) {
        armed_ = at;
        timer_.expires_at(at); // cancels a wait armed later; its handler sees a newer generation
        timer_.async_wait([self = weak_from_this(), gen = ++generation_](boost::system::error_code ec) {
            auto me = self.lock();
            if (!me || ec || gen != me->generation_) return;
            me->wake();
        });
    }
    void wake() {
        armed_ = clock_type::time_point::max();
        if (deadline_ == clock_type::time_point::max()) return; // idle: the next deadline arms again
        if (clock_type::now() < deadline_) return arm(deadline_);
        boost::system::error_code ec;
        sock_.close(ec);
    }

    socket_type sock_;
    boost::asio::steady_timer timer_;
    clock_type::time_point deadline_ = clock_type::time_point::max();
    clock_type::time_point armed_ = clock_type::time_point::max(); ///< when the timer wakes; max: not waiting
    std::uint64_t generation_ = 0;
};

} // namespace pancake::sim

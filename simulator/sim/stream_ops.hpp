// What a session does to its stream beyond reading and writing, per stream type: deadlines,
// closing, resetting (the faults that lose the answer on purpose), half-closing.
#pragma once

#include <boost/asio/socket_base.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>

namespace pancake::sim {

// TCP: deadlines in real time (the stream's own timer), reset as RST (linger 0).
inline void set_deadline(boost::beast::tcp_stream& s, std::chrono::steady_clock::duration d) { s.expires_after(d); }
inline void close_stream(boost::beast::tcp_stream& s) {
    boost::system::error_code ec;
    s.socket().close(ec);
}
inline void reset_stream(boost::beast::tcp_stream& s) {
    boost::system::error_code ec;
    s.socket().set_option(boost::asio::socket_base::linger(true, 0), ec);
    s.socket().close(ec);
}
/// Shuts our sending side down, so the peer reads everything sent then EOF; false if it failed.
inline bool shutdown_send(boost::beast::tcp_stream& s) {
    boost::system::error_code ec;
    s.socket().shutdown(boost::asio::socket_base::shutdown_send, ec);
    return !ec;
}

} // namespace pancake::sim

// What a session does to its stream beyond reading and writing, per stream type: deadlines,
// closing, resetting (the faults that lose the answer on purpose), half-closing. A session is a
// template over its stream; these overloads are all it needs to know about the type.
#pragma once

#include <pancake/testing/memory_stream.hpp>

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

// In memory: no real-time deadlines (nothing there is slow but the client, and a test drives the
// client; a hang lasts until the client closes its end), and closing is the only way to end a
// connection. Nothing written is lost by closing (the peer reads it all, then eof), so a reset
// and a graceful close are both a close; there is no half-close to wait behind.
inline void set_deadline(pancake::testing::memory_stream&, std::chrono::steady_clock::duration) {}
inline void close_stream(pancake::testing::memory_stream& s) { s.close(); }
inline void reset_stream(pancake::testing::memory_stream& s) { s.close(); }
inline bool shutdown_send(pancake::testing::memory_stream&) { return false; }

} // namespace pancake::sim

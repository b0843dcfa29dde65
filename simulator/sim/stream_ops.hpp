// What a session does to its stream beyond reading and writing, per stream type: deadlines,
// closing, resetting (the faults that lose the answer on purpose), half-closing. A session is a
// template over its stream; these overloads are all it needs to know about the type.
#pragma once

#include "watched_socket.hpp"

#include <pancake/testing/memory_stream.hpp>

#include <boost/asio/socket_base.hpp>

#include <chrono>

namespace pancake::sim {

// TCP: deadlines in real time (the socket's watchdog), reset as RST (linger 0). A deadline
// covers the I/O after it until clear_deadline, so a latency fault or a slow model answer in
// between is not cut short.
inline void set_deadline(watched_socket& s, std::chrono::steady_clock::duration d) { s.expires_after(d); }
inline void clear_deadline(watched_socket& s) { s.expires_never(); }
inline void close_stream(watched_socket& s) { s.close(); }
inline void reset_stream(watched_socket& s) {
    boost::system::error_code ec;
    s.socket().set_option(boost::asio::socket_base::linger(true, 0), ec);
    s.close();
}
/// Shuts our sending side down, so the peer reads everything sent then EOF; false if it failed.
inline bool shutdown_send(watched_socket& s) {
    boost::system::error_code ec;
    s.socket().shutdown(boost::asio::socket_base::shutdown_send, ec);
    return !ec;
}

// In memory: no real-time deadlines (nothing there is slow but the client, and a test drives the
// client; a hang lasts until the client closes its end), and closing is the only way to end a
// connection. Nothing written is lost by closing (the peer reads it all, then eof), so a reset
// and a graceful close are both a close; there is no half-close to wait behind.
inline void set_deadline(pancake::testing::memory_stream&, std::chrono::steady_clock::duration) {}
inline void clear_deadline(pancake::testing::memory_stream&) {}
inline void close_stream(pancake::testing::memory_stream& s) { s.close(); }
inline void reset_stream(pancake::testing::memory_stream& s) { s.close(); }
inline bool shutdown_send(pancake::testing::memory_stream&) { return false; }

} // namespace pancake::sim

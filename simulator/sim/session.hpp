// Connections: each one is counted, turned away with 503 at the connection cap (unless an idle
// keep-alive connection can make room), else served as HTTP/1.1 until it closes.
#pragma once

#include "server_core.hpp"

#include <pancake/testing/memory_stream.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <memory>

namespace pancake::sim {

/// Takes a newly accepted TCP connection.
void start_connection(const std::shared_ptr<server_core>& core, boost::asio::ip::tcp::socket sock);
/// Takes the server's end of an in-memory pipe (server::connect_in_memory).
void start_connection(const std::shared_ptr<server_core>& core, pancake::testing::memory_stream stream);

} // namespace pancake::sim

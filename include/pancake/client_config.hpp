// How a client talks to the API: where, how long it waits, how it retries, how hard it may
// push the rate limit, and (for tests) what it connects through.
#pragma once

#include <pancake/clock.hpp>
#include <pancake/rate_limiter.hpp>
#include <pancake/retry_policy.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace pancake {

namespace http {
class connection;

struct pool_config {
    std::size_t max_connections = 16;      ///< open at once per host (in use + idle); 0: no cap. Others wait, FIFO
    std::size_t max_idle = 4;              ///< keep-alive connections kept per host
    std::chrono::seconds idle_timeout{30}; ///< older idle connections are closed, not reused
};

/// Makes a not-yet-connected connection (see http/connection.hpp). The default connects over
/// TCP, or TLS for https; a test passes one that returns in-memory connections to a simulator.
using connection_factory = std::function<std::unique_ptr<connection>(boost::asio::any_io_executor)>;
} // namespace http

struct client_config {
    /// "https://pages.fm" (default), or the simulator's "http://127.0.0.1:PORT". A BASE like the
    /// seed article's ".../api/public_api/v1" is accepted too.
    std::string base_url = "https://pages.fm";
    std::chrono::milliseconds request_timeout{30000}; ///< each attempt on the wire
    /// Whole call (queueing, retries, backoff) unless call_options::timeout says otherwise;
    /// none by default: the limiter's queue bound and the retry policy bound it already.
    std::optional<std::chrono::milliseconds> call_timeout;
    rate_limit_config rate_limit;
    pancake::retry_policy retry;
    http::pool_config pool;
    std::size_t max_response_body = 16 << 20;
    /// TLS settings; default (null): http::default_tls_context(), the system CA store, peer
    /// verification and SNI.
    std::shared_ptr<boost::asio::ssl::context> tls;
    /// Time source for the limiter, backoff and timeouts; default real time.
    pancake::clock* clock = nullptr;
    /// Seeds the backoff jitter; unset: a random seed drawn when the client is made. Tests fix it.
    std::optional<std::uint64_t> jitter_seed;
    /// What connections are made of; empty: TCP or TLS to base_url's host.
    http::connection_factory transport;
};

/// What a client is doing, for monitoring and for tests' drivers.
struct client_stats {
    std::size_t connections_opened = 0; ///< since the client was made
    std::size_t requests_on_wire = 0;   ///< connecting or exchanging (not queued for a slot or the limiter)
    std::size_t waiting_for_connection = 0;
    std::uint64_t retries = 0;      ///< attempts after the first, over all calls so far
    std::uint64_t rate_limited = 0; ///< 429 answers (0 unless another client shares the budget)
};

} // namespace pancake

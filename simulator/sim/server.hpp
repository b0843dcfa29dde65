// The simulator's shells around the pure world: the Beast HTTP front (same paths as pages.fm),
// the fault injector, the admin API under /__sim/, and the request journal. Embed it on your
// own io_context in tests, or run it as the pancake-sim binary.
#pragma once

#include "faults.hpp"
#include "journal.hpp"
#include "webhooks.hpp"
#include "world.hpp"

#include <pancake/testing/memory_stream.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <boost/system/error_code.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace pancake::sim {

class server_core;

struct server_options {
    std::string host = "127.0.0.1"; ///< loopback by default: the admin API has no other protection
    unsigned short port = 0;        ///< 0: pick a free port
    std::size_t max_body = 1 << 20; ///< larger request bodies get 413 and the connection closed
    std::size_t max_header = 16 << 10;
    /// Deadline (real time) for reading one request, and for waiting for the next one on a
    /// keep-alive connection: slow or idle clients are dropped after this.
    std::chrono::milliseconds idle_timeout{30000};
    /// Deadline (real time) for writing one answer: a client that does not read is dropped.
    std::chrono::milliseconds write_timeout{30000};
    /// How long (real time) a closing connection waits for the peer to finish sending and close,
    /// after the answer went out and our side was shut down.
    std::chrono::milliseconds linger_timeout{2000};
    /// Longest a `hang` fault holds a connection (real time) when the client never gives up.
    std::chrono::milliseconds hang_timeout{120000};
    /// Open connections at most. At the cap an idle keep-alive connection is closed to make room;
    /// if none is idle the newcomer gets 503 and is closed.
    std::size_t max_connections = 512;
    std::uint64_t seed = 1;
    std::size_t journal_body_cap = 4096;      ///< bytes of each request body kept in the journal
    std::size_t max_journal = 20000;          ///< journal entries kept (oldest dropped first)
    std::size_t max_journal_bytes = 32 << 20; ///< approximate bytes the journal may hold
    std::size_t max_events = 20000;           ///< emitted webhook events kept (oldest dropped first)
    std::size_t max_events_bytes = 32 << 20;  ///< serialized bytes the kept events may hold
    /// When set, every /__sim/ request must carry it in the X-Sim-Admin-Token header (else 401).
    std::string admin_token;
    /// Test seam: called before each accept; an error it returns is handled exactly as if accept
    /// had failed with it (descriptor exhaustion cannot be provoked safely in-process).
    std::function<boost::system::error_code()> accept_fault;
    /// Snapshot file (pancake-sim --state): written by POST /__sim/snapshot and by
    /// write_snapshot(); empty disables the route.
    std::string state_file;
    /// Where events of pages without their own webhook URL are delivered (empty: nowhere).
    std::string webhook_url;
    webhook_options webhooks; ///< retry schedule, timeout, seeded misbehaviour, suspension rule
};

class server {
public:
    server(boost::asio::any_io_executor ex, clock& clk, server_options opts = {});
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Binds and starts accepting. Throws system_error if the address is taken.
    void start();
    /// Stops accepting and closes every connection (in-memory ones too).
    void stop();

    /// A connection without a socket: creates an in-memory pipe on the server's executor, serves
    /// its server end as a TCP connection is served (journal, faults, rate limits, parked count,
    /// the connection cap and counters) and returns the client's end. Needs no start(). The real
    /// time deadlines (idle, write, linger, hang timeouts) do not apply: a hang lasts until the
    /// client closes its end, and the faults that reset a connection close it. After stop(), the
    /// returned end reads eof at once. Drive the executor's io_context with poll(): a session is a
    /// coroutine, which keeps run() from returning while the connection is open.
    pancake::testing::memory_stream connect_in_memory();

    unsigned short port() const;
    std::string base_url() const; ///< "http://127.0.0.1:PORT"

    world& model() noexcept;
    fault_injector& faults() noexcept;
    std::vector<journal_entry> journal() const;
    boost::json::value journal_json() const;
    void clear_journal();
    std::vector<emitted_event> events() const;
    std::size_t connections_accepted() const noexcept;
    std::size_t connections_open() const noexcept;
    std::size_t connections_refused() const noexcept; ///< turned away at max_connections
    std::size_t accept_errors() const noexcept;
    /// The pause before the next accept after an accept error (zero once accepting works again).
    std::chrono::milliseconds accept_backoff() const noexcept;
    /// Bytes held by request bodies being received right now (they grow as bytes arrive).
    std::size_t request_bytes_buffered() const noexcept;
    /// Journal entries / events dropped so far to stay within the bounds.
    std::size_t journal_dropped() const noexcept;
    std::size_t events_dropped() const noexcept;
    /// Requests held on purpose (latency fault waiting on the clock, or a hang): a virtual-time
    /// driver may advance the clock when every in-flight client request is parked here.
    std::size_t parked() const noexcept;

    /// Fixture helpers.
    bool load_fixture(const boost::json::value& fx, std::string& err);
    bool load_fixture_file(const std::string& path, std::string& err);

    /// State snapshot (the model's state and its original fixture; not the journal or events).
    boost::json::value snapshot() const;
    bool restore(const boost::json::value& snap, std::string& err);
    /// Writes snapshot() to server_options::state_file atomically (temp file + rename).
    bool write_snapshot(std::string& err) const;
    /// Loads server_options::state_file if it exists (a missing file is not an error).
    bool read_snapshot(std::string& err);

    /// Called for each emitted webhook event, besides the built-in delivery; optional.
    void on_event(std::function<void(const emitted_event&)> f);
    /// Webhook delivery to each page's URL (off until a URL is set: --webhook-url, the admin API
    /// under /__sim/webhooks, or webhooks().set_url()).
    webhook_dispatcher& webhooks() noexcept;

private:
    std::shared_ptr<server_core> core_;
};

/// The fixture that ships with the repository (a Vietnamese shop), compiled in.
const boost::json::value& sample_fixture();

} // namespace pancake::sim

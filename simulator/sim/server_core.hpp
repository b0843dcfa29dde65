// The state of a running simulator server, shared by its sessions, its listener and its admin
// API: the model, the fault injector, the journal, the event log, webhook delivery, the secrets
// to redact, and the open connections (internal to the simulator).
#pragma once

#include "admin.hpp"
#include "event_log.hpp"
#include "journal.hpp"
#include "redactor.hpp"
#include "server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <memory>

namespace pancake::sim {

class server_core final : public admin_target, public std::enable_shared_from_this<server_core> {
public:
    server_core(boost::asio::any_io_executor ex, clock& clk, server_options o);

    /// An open connection, as the cap and stop() see it.
    struct conn {
        std::function<void()> close; ///< closes the stream under the session (eviction, stop)
        bool idle = false;           ///< waiting for the first byte of a request: may be closed at the cap
        bool refusing = false;       ///< turned away at the cap (answering 503)
        bool served = false;         ///< has answered a request (an idle keep-alive connection)
        std::size_t body_bytes = 0;  ///< request body being received
    };

    boost::asio::any_io_executor ex;
    clock& clk;
    server_options opts;
    steady_time started;
    std::function<void(const emitted_event&)> on_event;
    webhook_dispatcher webhooks;
    secret_redactor redactor;

    boost::asio::ip::tcp::acceptor acceptor;
    boost::asio::steady_timer accept_pause;
    std::size_t accept_errors = 0;
    std::chrono::milliseconds backoff{0};

    std::size_t accepted = 0, refused = 0;
    std::size_t parked = 0; ///< sessions waiting on the clock (latency) or hanging on purpose
    std::map<std::uint64_t, conn> conns;
    std::uint64_t next_conn = 0;
    bool stopped = false;

    /// Open connections being served (not those being turned away).
    std::size_t sessions() const;
    /// At the cap, a connection waiting idle for its next request makes room for a new one.
    bool evict_idle();
    void set_conn(std::uint64_t id, bool idle, std::size_t body_bytes, bool served = false);
    /// Closes every connection and forgets them.
    void close_all();

    /// Journals an API request (stamped on the server's clock, tokens redacted).
    void record(journal_entry e);
    bool restore(const json::value& snap, std::string& err);

    // admin_target: what the admin API acts on.
    world& model() override { return model_; }
    fault_injector& faults() override { return faults_; }
    request_journal& journal() override { return journal_; }
    event_log& events() override { return events_; }
    double since_start() const override { return std::chrono::duration<double>(clk.now() - started).count(); }
    wall_time wall_now() const override { return clk.system_now(); }
    virtual_clock* virtual_time() override { return dynamic_cast<virtual_clock*>(&clk); }
    bool load_fixture(const json::value& fx, std::string& err) override;
    void publish(std::vector<emitted_event>& evs) override;
    std::optional<std::pair<unsigned, json::value>> webhooks_admin(std::string_view method, std::string_view path,
                                                                   std::string_view query,
                                                                   std::string_view body) override {
        return webhooks.admin(method, path, query, body);
    }
    const std::string& state_file() const override { return opts.state_file; }
    bool write_snapshot(std::string& err) override;
    bool start_traffic(const traffic_plan& plan, std::string& err) override;
    json::value traffic_report(bool messages) const override;
    void stop_traffic() override;

private:
    struct traffic_run {
        traffic_plan plan;
        std::vector<traffic_message> messages;
        std::size_t sent = 0, failed = 0;
        bool running = false;
        std::uint64_t generation = 0; // a stopped or replaced run's coroutine sees it change
        double started_s = 0, finished_s = 0;
    };
    traffic_run traffic_;
    world model_;
    fault_injector faults_;
    request_journal journal_;
    event_log events_;
};

} // namespace pancake::sim

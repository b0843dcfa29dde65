// The simulator's shells around the pure world: the Beast HTTP front (same paths as pages.fm),
// the fault injector, the admin API under /__sim/, and the request journal. Embed it on your
// own io_context in tests, or run it as the pancake-sim binary.
#pragma once

#include "faults.hpp"
#include "world.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <memory>

namespace pancake::sim {

struct server_options {
    std::string host = "127.0.0.1";
    unsigned short port = 0;        ///< 0: pick a free port
    std::size_t max_body = 1 << 20; ///< larger request bodies get 413 and the connection closed
    std::size_t max_header = 16 << 10;
    std::chrono::seconds idle_timeout{30}; ///< slow or idle clients are dropped after this (real time)
    std::uint64_t seed = 1;
    std::size_t journal_body_cap = 4096;
    std::size_t max_journal = 100000;
};

struct journal_entry {
    std::uint64_t seq = 0;
    std::string method;
    std::string path; ///< token redacted
    std::string body;
    unsigned status = 0; ///< 0 when no answer was sent (reset, hang, dropped)
    std::string route;
    std::string page;
    std::string fault;
    double t = 0; ///< seconds since the server started (its clock)
    std::string wall;
};

class server {
public:
    server(boost::asio::any_io_executor ex, clock& clk, server_options opts = {});
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Binds and starts accepting. Throws system_error if the address is taken.
    void start();
    /// Stops accepting and closes every connection.
    void stop();

    unsigned short port() const;
    std::string base_url() const; ///< "http://127.0.0.1:PORT"

    world& model() noexcept;
    fault_injector& faults() noexcept;
    std::vector<journal_entry> journal() const;
    boost::json::value journal_json() const;
    void clear_journal();
    std::vector<emitted_event> events() const;
    std::size_t connections_accepted() const noexcept;
    /// Requests held on purpose (latency fault waiting on the clock, or a hang): a virtual-time
    /// driver may advance the clock when every in-flight client request is parked here.
    std::size_t parked() const noexcept;

    /// Fixture helpers.
    bool load_fixture(const boost::json::value& fx, std::string& err);
    bool load_fixture_file(const std::string& path, std::string& err);

    /// Called for each emitted webhook event (for a dispatcher); optional.
    void on_event(std::function<void(const emitted_event&)> f);

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

/// The fixture that ships with the repository (a Vietnamese shop), compiled in.
const boost::json::value& sample_fixture();

} // namespace pancake::sim

// The public face of the simulator server: construction, start/stop, and reading its state.
// The work happens in server_core (state), listener (TCP), session (HTTP over TCP or in memory)
// and admin (/__sim/).
#include "server.hpp"

#include "json_file.hpp"
#include "listener.hpp"
#include "server_core.hpp"
#include "session.hpp"

#include <fstream>

namespace pancake::sim {

server::server(boost::asio::any_io_executor ex, clock& clk, server_options opts)
    : core_(std::make_shared<server_core>(ex, clk, std::move(opts))) {
    std::string err;
    core_->load_fixture(sample_fixture(), err);
}

server::~server() { stop(); }

void server::start() { start_listener(core_); }

pancake::testing::memory_stream server::connect_in_memory() {
    auto [client, served] = pancake::testing::make_memory_pipe(core_->ex);
    start_connection(core_, std::move(served));
    return std::move(client);
}

void server::stop() {
    auto& c = *core_;
    c.stopped = true;
    c.webhooks.stop();
    boost::system::error_code ec;
    c.acceptor.close(ec);
    c.accept_pause.cancel();
    c.close_all();
}

unsigned short server::port() const { return core_->acceptor.local_endpoint().port(); }
std::string server::base_url() const { return "http://" + core_->opts.host + ":" + std::to_string(port()); }
world& server::model() noexcept { return core_->model(); }
fault_injector& server::faults() noexcept { return core_->faults(); }
std::vector<journal_entry> server::journal() const {
    auto& j = core_->journal().entries();
    return {j.begin(), j.end()};
}
boost::json::value server::journal_json() const { return core_->journal().to_json(); }
void server::clear_journal() { core_->journal().clear(); }
std::vector<emitted_event> server::events() const { return core_->events().all(); }
std::size_t server::connections_accepted() const noexcept { return core_->accepted; }
std::size_t server::connections_open() const noexcept { return core_->sessions(); }
std::size_t server::connections_refused() const noexcept { return core_->refused; }
std::size_t server::accept_errors() const noexcept { return core_->accept_errors; }
std::chrono::milliseconds server::accept_backoff() const noexcept { return core_->backoff; }
std::size_t server::request_bytes_buffered() const noexcept {
    std::size_t n = 0;
    for (auto& [id, c] : core_->conns)
        n += c.body_bytes;
    return n;
}
std::size_t server::journal_dropped() const noexcept { return core_->journal().dropped(); }
std::size_t server::events_dropped() const noexcept { return core_->events().dropped(); }
std::size_t server::parked() const noexcept { return core_->parked; }
void server::on_event(std::function<void(const emitted_event&)> f) { core_->on_event = std::move(f); }
webhook_dispatcher& server::webhooks() noexcept { return core_->webhooks; }

bool server::load_fixture(const boost::json::value& fx, std::string& err) { return core_->load_fixture(fx, err); }

bool server::load_fixture_file(const std::string& path, std::string& err) {
    boost::json::value v;
    return read_json_file(path, v, err) && load_fixture(v, err);
}

boost::json::value server::snapshot() const { return core_->model().snapshot(); }
bool server::restore(const boost::json::value& snap, std::string& err) { return core_->restore(snap, err); }
bool server::write_snapshot(std::string& err) const { return core_->write_snapshot(err); }

bool server::read_snapshot(std::string& err) {
    const auto& path = core_->opts.state_file;
    if (path.empty()) return true;
    std::ifstream probe(path);
    if (!probe) return true; // first run: nothing saved yet
    boost::json::value v;
    if (!read_json_file(path, v, err)) return false;
    if (!restore(v, err)) {
        err = path + ": " + err;
        return false;
    }
    return true;
}

} // namespace pancake::sim

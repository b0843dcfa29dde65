// The admin API under /__sim/ (reset, fixture, faults, rate limits, behaviour, journal, events,
// virtual time, customer traffic, snapshot, webhooks) as a pure router: a request in, an answer
// out, acting on the server's state through admin_target. No sockets, so tests drive it directly.
#pragma once

#include "event_log.hpp"
#include "faults.hpp"
#include "journal.hpp"
#include "traffic.hpp"
#include "world.hpp"

#include <pancake/clock.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pancake::sim {

/// What the admin routes act on. The server implements it over its live state; a test can
/// implement it over plain objects.
class admin_target {
public:
    virtual world& model() = 0;
    virtual fault_injector& faults() = 0;
    virtual request_journal& journal() = 0;
    virtual event_log& events() = 0;
    /// Seconds since the server started, on its clock.
    virtual double since_start() const = 0;
    virtual wall_time wall_now() const = 0;
    /// The clock POST /__sim/time/advance moves, or null when the server runs on real time.
    virtual virtual_clock* virtual_time() = 0;
    /// Replaces the model's state with a fixture (and the pages' webhook URLs): all or nothing.
    virtual bool load_fixture(const json::value& fx, std::string& err) = 0;
    /// Hands events the model emitted outside a request (inject) to delivery and the event log.
    virtual void publish(std::vector<emitted_event>& events) = 0;
    /// The webhook dispatcher's routes; `path` is what follows "/__sim/webhooks". Nullopt: no
    /// such route.
    virtual std::optional<std::pair<unsigned, json::value>>
    webhooks_admin(std::string_view method, std::string_view path, std::string_view query, std::string_view body) = 0;
    /// The state file (pancake-sim --state); empty when there is none.
    virtual const std::string& state_file() const = 0;
    /// Writes the model's snapshot to the state file.
    virtual bool write_snapshot(std::string& err) = 0;
    /// Starts sending a generated stream of customer messages (POST /__sim/traffic); false and
    /// a reason when it cannot (one stream at a time). The default: no traffic here.
    virtual bool start_traffic(const traffic_plan&, std::string& err) {
        err = "this server sends no traffic";
        return false;
    }
    /// GET /__sim/traffic: the plan, progress and (with `messages`) every generated message.
    virtual json::value traffic_report(bool /*messages*/) const { return json::object{{"running", false}}; }
    /// DELETE /__sim/traffic: stops sending (what was sent stays).
    virtual void stop_traffic() {}

protected:
    ~admin_target() = default;
};

/// Answers one /__sim/ request. Bad input is a 400 that says what is wrong, and changes nothing.
response admin_router(admin_target& t, const request& r);

/// Whether a request carrying `given` (its X-Sim-Admin-Token header) may use the admin API when
/// the server requires `required` (empty: no token required). Compares in constant time.
bool admin_token_ok(std::string_view required, std::string_view given);

} // namespace pancake::sim

// Fault injection: rules matched per route and page, firing by probability, every Nth match, or
// in a time window. All randomness comes from one seeded generator, so a seed replays exactly.
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace pancake::sim {

enum class fault_kind {
    latency,              ///< delay the answer (fixed, uniform or lognormal)
    server_error,         ///< HTTP 5xx (status configurable, 503 default), state unchanged
    transient_error,      ///< HTTP 200 {"success":false,"message":"An error occurred. Please try again later."}
    html,                 ///< HTTP 200 with the SPA HTML shell
    malformed_json,       ///< HTTP 200 with a body that is not JSON
    truncated_json,       ///< the real answer, cut mid-body and the connection closed (state committed)
    reset_before_headers, ///< connection closed with no answer, state unchanged
    reset_after_headers,  ///< headers sent, then the connection closed (state committed)
    hang,                 ///< never answer; the connection stays open until the client gives up
    commit_then_drop,     ///< the change is applied, the connection is dropped: the answer is lost
    rate_limited,         ///< HTTP 429 regardless of the budget
};

std::optional<fault_kind> fault_kind_from_string(std::string_view s);
std::string_view to_string(fault_kind k);

struct latency_spec {
    enum class distribution { fixed, uniform, lognormal } dist = distribution::fixed;
    double ms = 0, min_ms = 0, max_ms = 0, mu = 0, sigma = 0; // lognormal: exp(N(mu, sigma)) ms
};

struct fault_rule {
    std::string route = "*"; ///< route name ("assign", "tags.update", …) or "*"
    std::string page;        ///< page id, or empty for all
    double probability = 1.0;
    std::uint64_t every_nth = 0;           ///< fire on the Nth, 2Nth… match (0: every match)
    std::uint64_t times = 0;               ///< stop after firing this often (0: no limit)
    std::optional<double> from_s, until_s; ///< window, seconds since the server started
    fault_kind kind = fault_kind::server_error;
    unsigned status = 503;
    latency_spec latency;
    std::uint64_t matched = 0, fired = 0; ///< counters (reported by GET /__sim/faults)
};

/// What to do with one request.
struct fault_decision {
    std::chrono::nanoseconds delay{0};
    std::optional<fault_kind> failure;
    unsigned status = 503;
};

class fault_injector {
public:
    explicit fault_injector(std::uint64_t seed = 1) : rng_(seed) {}

    /// Parses {"rules":[{route, page, probability, every_nth, times, window:{from_s, until_s},
    /// kind, status, latency:{dist, ms, min_ms, max_ms, mu, sigma}}]}.
    bool set_plan(const boost::json::value& plan, std::string& err);
    void add(fault_rule r) { rules_.push_back(std::move(r)); }
    void clear() { rules_.clear(); }
    void reseed(std::uint64_t seed) { rng_.seed(seed); }

    fault_decision decide(std::string_view route, std::string_view page, double since_start_s);
    const std::vector<fault_rule>& rules() const noexcept { return rules_; }
    boost::json::value report() const;

private:
    std::mt19937_64 rng_;
    std::vector<fault_rule> rules_;
};

} // namespace pancake::sim

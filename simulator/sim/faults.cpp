#include "faults.hpp"

#include <boost/json.hpp>

#include <cmath>

namespace pancake::sim {

namespace json = boost::json;

namespace {
constexpr std::pair<fault_kind, std::string_view> names[] = {
    {fault_kind::latency, "latency"},
    {fault_kind::server_error, "server_error"},
    {fault_kind::transient_error, "transient_error"},
    {fault_kind::html, "html"},
    {fault_kind::malformed_json, "malformed_json"},
    {fault_kind::truncated_json, "truncated_json"},
    {fault_kind::reset_before_headers, "reset_before_headers"},
    {fault_kind::reset_after_headers, "reset_after_headers"},
    {fault_kind::hang, "hang"},
    {fault_kind::commit_then_drop, "commit_then_drop"},
    {fault_kind::rate_limited, "rate_limited"},
};

double num(const json::object& o, std::string_view k, double def) {
    auto* v = o.if_contains(k);
    return v && v->is_number() ? v->to_number<double>() : def;
}
} // namespace

std::optional<fault_kind> fault_kind_from_string(std::string_view s) {
    for (auto& [k, n] : names)
        if (n == s) return k;
    return std::nullopt;
}

std::string_view to_string(fault_kind k) {
    for (auto& [x, n] : names)
        if (x == k) return n;
    return "?";
}

bool fault_injector::set_plan(const json::value& plan, std::string& err) {
    std::vector<fault_rule> rules;
    auto* o = plan.if_object();
    auto* arr = o ? o->if_contains("rules") : nullptr;
    if (!arr || !arr->is_array()) {
        err = "fault plan must be {\"rules\":[...]}";
        return false;
    }
    for (auto& jr : arr->as_array()) {
        auto* r = jr.if_object();
        if (!r) {
            err = "each rule must be an object";
            return false;
        }
        fault_rule rule;
        auto str = [&](std::string_view k, std::string& dst) {
            if (auto* v = r->if_contains(k); v && v->is_string()) dst = v->as_string();
        };
        str("route", rule.route);
        str("page", rule.page);
        std::string kind;
        str("kind", kind);
        auto k = fault_kind_from_string(kind);
        if (!k) {
            err = "unknown fault kind '" + kind + "'";
            return false;
        }
        rule.kind = *k;
        rule.probability = num(*r, "probability", 1.0);
        if (rule.probability < 0 || rule.probability > 1) {
            err = "probability must be within [0, 1]";
            return false;
        }
        auto nth = num(*r, "every_nth", 0);
        if (nth < 0) {
            err = "every_nth must be >= 0";
            return false;
        }
        rule.every_nth = static_cast<std::uint64_t>(nth);
        auto times = num(*r, "times", 0);
        if (times < 0) {
            err = "times must be >= 0";
            return false;
        }
        rule.times = static_cast<std::uint64_t>(times);
        rule.status = static_cast<unsigned>(num(*r, "status", 503));
        if (rule.status < 500 || rule.status > 599) rule.status = 503;
        if (auto* w = r->if_contains("window"); w && w->is_object()) {
            if (w->as_object().contains("from_s")) rule.from_s = num(w->as_object(), "from_s", 0);
            if (w->as_object().contains("until_s")) rule.until_s = num(w->as_object(), "until_s", 0);
        }
        if (auto* l = r->if_contains("latency"); l && l->is_object()) {
            auto& lo = l->as_object();
            std::string dist =
                lo.contains("dist") && lo.at("dist").is_string() ? std::string(lo.at("dist").as_string()) : "fixed";
            if (dist == "fixed")
                rule.latency.dist = latency_spec::distribution::fixed;
            else if (dist == "uniform")
                rule.latency.dist = latency_spec::distribution::uniform;
            else if (dist == "lognormal")
                rule.latency.dist = latency_spec::distribution::lognormal;
            else {
                err = "latency dist must be fixed, uniform or lognormal";
                return false;
            }
            rule.latency.ms = num(lo, "ms", 0);
            rule.latency.min_ms = num(lo, "min_ms", 0);
            rule.latency.max_ms = num(lo, "max_ms", rule.latency.min_ms);
            rule.latency.mu = num(lo, "mu", 0);
            rule.latency.sigma = num(lo, "sigma", 0);
            if (rule.latency.ms < 0 || rule.latency.min_ms < 0 || rule.latency.max_ms < rule.latency.min_ms ||
                rule.latency.sigma < 0) {
                err = "invalid latency parameters";
                return false;
            }
        }
        rules.push_back(std::move(rule));
    }
    rules_ = std::move(rules);
    return true;
}

fault_decision fault_injector::decide(std::string_view route, std::string_view page, double t) {
    fault_decision d;
    for (auto& r : rules_) {
        if (r.route != "*" && r.route != route) continue;
        if (!r.page.empty() && r.page != page) continue;
        if (r.from_s && t < *r.from_s) continue;
        if (r.until_s && t >= *r.until_s) continue;
        if (r.times && r.fired >= r.times) continue;
        ++r.matched;
        if (r.every_nth && r.matched % r.every_nth != 0) continue;
        // Always draw, so one rule's outcome doesn't shift the sequence of the next.
        const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
        if (u >= r.probability) continue;
        if (r.kind == fault_kind::latency) {
            double ms = r.latency.ms;
            if (r.latency.dist == latency_spec::distribution::uniform)
                ms = std::uniform_real_distribution<double>(r.latency.min_ms, r.latency.max_ms)(rng_);
            else if (r.latency.dist == latency_spec::distribution::lognormal)
                ms = std::lognormal_distribution<double>(r.latency.mu, r.latency.sigma)(rng_);
            d.delay += std::chrono::nanoseconds(static_cast<std::int64_t>(ms * 1e6));
            ++r.fired;
        } else if (!d.failure) {
            d.failure = r.kind;
            d.status = r.status;
            ++r.fired;
        }
    }
    return d;
}

json::value fault_injector::report() const {
    json::array a;
    for (auto& r : rules_)
        a.push_back({{"route", r.route},
                     {"page", r.page},
                     {"kind", to_string(r.kind)},
                     {"matched", r.matched},
                     {"fired", r.fired}});
    return json::object{{"rules", std::move(a)}};
}

} // namespace pancake::sim

#include "admin.hpp"

#include "paging.hpp"

#include <pancake/json.hpp>

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cmath>

namespace pancake::sim {

namespace {

bool same_secret(std::string_view a, std::string_view b) { // no early exit on the first difference
    if (a.size() != b.size()) return false;
    unsigned char d = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        d |= static_cast<unsigned char>(a[i] ^ b[i]);
    return d == 0;
}

// An integer in [lo, hi]; 2.0 counts, 1.5 and 1e300 do not.
std::optional<std::int64_t> int_in(const json::value& v, std::int64_t lo, std::int64_t hi) {
    std::int64_t x = 0;
    if (v.is_int64())
        x = v.as_int64();
    else if (v.is_uint64()) {
        if (v.as_uint64() > static_cast<std::uint64_t>(hi)) return std::nullopt;
        x = static_cast<std::int64_t>(v.as_uint64());
    } else if (v.is_double()) {
        const double d = v.as_double();
        if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || d != std::floor(d)) return std::nullopt;
        x = static_cast<std::int64_t>(d);
    } else
        return std::nullopt;
    if (x < lo || x > hi) return std::nullopt;
    return x;
}

std::optional<std::uint64_t> uint_param(const std::optional<std::string>& s, std::uint64_t hi) {
    if (!s) return std::nullopt;
    std::int64_t n = 0;
    if (!parse_int(*s, n) || n < 0 || static_cast<std::uint64_t>(n) > hi) return std::nullopt;
    return static_cast<std::uint64_t>(n);
}

response ok(json::object o = {}) {
    o["ok"] = true;
    return json_response(200, o);
}

response bad(std::string_view what) { return error_response(400, what); }

// The first field of `o` not in `known`, if any: a typo must not pass silently.
std::optional<std::string> unknown_field(const json::object& o, std::initializer_list<std::string_view> known) {
    for (auto& [k, v] : o)
        if (std::find(known.begin(), known.end(), std::string_view(k)) == known.end()) return std::string(k);
    return std::nullopt;
}

// f(the body as a JSON object), or 400 when the body is not one.
template <class F>
response with_object(const request& r, F f) {
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    if (ec || !v.is_object()) return bad("expected a JSON object");
    return f(v.as_object());
}

// POST /__sim/rate_limit: validated whole before anything changes.
response set_rate_limit(world& m, const json::object& o) {
    if (auto k = unknown_field(o, {"per_second", "per_page", "retry_after", "fixed_window"}))
        return bad("unknown field " + *k);
    constexpr std::int64_t most = 1000000;
    const std::string range = " must be an integer from 0 (no limit) to " + std::to_string(most);
    auto rl = m.rate_limits(); // validate everything first: all or nothing
    if (auto* x = o.if_contains("per_second")) {
        auto n = int_in(*x, 0, most);
        if (!n) return bad("per_second" + range);
        rl.per_second = static_cast<int>(*n);
    }
    for (auto [key, dst] : {std::pair{"retry_after", &rl.retry_after}, std::pair{"fixed_window", &rl.fixed_window}})
        if (auto* x = o.if_contains(key)) {
            if (!x->is_bool()) return bad(std::string(key) + " must be true or false");
            *dst = x->as_bool();
        }
    if (auto* x = o.if_contains("per_page")) {
        if (!x->is_object()) return bad("per_page must be an object {page id: calls per second}");
        for (auto& [k, val] : x->as_object()) {
            auto n = int_in(val, 0, most);
            if (!n) return bad("per_page." + std::string(k) + range);
            rl.per_page[std::string(k)] = static_cast<int>(*n);
        }
    }
    m.rate_limits() = std::move(rl);
    return ok();
}

// POST /__sim/behaviour: the switches of `struct behaviour`, all or nothing.
response set_behaviour(world& m, const json::object& o) {
    auto b = m.behaviour_config();
    const std::pair<std::string_view, bool*> flags[] = {
        {"reject_duplicate_tag_add", &b.reject_duplicate_tag_add},
        {"reject_absent_tag_remove", &b.reject_absent_tag_remove},
        {"reject_unknown_tag", &b.reject_unknown_tag},
        {"unknown_conversation_html", &b.unknown_conversation_html},
        {"reject_fb_id_assignee", &b.reject_fb_id_assignee},
        {"reject_empty_assign", &b.reject_empty_assign},
        {"round_robin_missing_key_clears", &b.round_robin_missing_key_clears},
        {"accept_access_token_alias", &b.accept_access_token_alias},
        {"errors_as_200", &b.errors_as_200},
        {"multi_type_or", &b.multi_type_or},
        {"cursor_outside_filter_empty", &b.cursor_outside_filter_empty},
        {"rest_conversation_version", &b.rest_conversation_version},
        {"accept_unknown_content_ids", &b.accept_unknown_content_ids},
        {"allow_repeat_private_reply", &b.allow_repeat_private_reply}};
    for (auto& [k, x] : o) {
        if (k == "invalid_token_status") {
            // A final status a client can read: 1xx would not end the exchange.
            auto n = int_in(x, 200, 599);
            if (!n) return bad("invalid_token_status must be an HTTP status from 200 to 599");
            b.invalid_token_status = static_cast<unsigned>(*n);
            continue;
        }
        // The key by value: Clang before 16 cannot capture a structured binding.
        auto f = std::find_if(std::begin(flags), std::end(flags), [&, key = k](auto& p) { return p.first == key; });
        if (f == std::end(flags)) return bad("unknown field " + std::string(k));
        if (!x.is_bool()) return bad(std::string(k) + " must be true or false");
        *f->second = x.as_bool();
    }
    m.behaviour_config() = b;
    return ok();
}

// POST /__sim/pages/{page}/messages: a customer writes to the page.
response inject_message(admin_target& t, const std::string& page, const json::object& o) {
    if (auto k = unknown_field(o, {"psid", "name", "text", "type", "conversation_id", "post_id"}))
        return bad("unknown field " + *k);
    for (auto& [k, x] : o)
        if (!x.is_string()) return bad(std::string(k) + " must be a string");
    customer_message m;
    auto str = [&](std::string_view k) -> std::optional<std::string> {
        auto* x = o.if_contains(k);
        return x ? std::optional<std::string>(x->as_string()) : std::nullopt;
    };
    m.psid = str("psid").value_or("");
    if (m.psid.empty()) return bad("psid is required");
    m.name = str("name").value_or("Khách hàng");
    m.text = str("text").value_or("");
    m.type = str("type").value_or("INBOX");
    if (m.type != "INBOX" && m.type != "COMMENT") return bad("type must be INBOX or COMMENT");
    m.conversation_id = str("conversation_id");
    m.post_id = str("post_id");
    auto out = t.model().inject(page, m, t.wall_now());
    t.publish(out.events);
    return out.resp;
}

// POST /__sim/pages/{page}/users/{user}: a staff member's status or presence.
response set_user(world& m, const std::string& page, const std::string& user, const json::object& o) {
    if (auto k = unknown_field(o, {"status", "is_online"})) return bad("unknown field " + *k);
    std::optional<std::string> status;
    std::optional<bool> online;
    if (auto* x = o.if_contains("status")) {
        if (!x->is_string()) return bad("status must be a string");
        status = std::string(x->as_string());
    }
    if (auto* x = o.if_contains("is_online")) {
        if (!x->is_bool()) return bad("is_online must be true or false");
        online = x->as_bool();
    }
    if (!m.set_user_status(page, user, status, online)) return error_response(404, "unknown page or user");
    return ok();
}

} // namespace

bool admin_token_ok(std::string_view required, std::string_view given) {
    return required.empty() || same_secret(given, required);
}

response admin_router(admin_target& t, const request& r) {
    auto parsed = boost::urls::parse_origin_form(r.target);
    if (!parsed) return error_response(400, "bad target");
    std::vector<std::string> s;
    for (auto seg : parsed->segments())
        s.push_back(seg);
    auto param = [&](std::string_view k) -> std::optional<std::string> {
        auto it = parsed->params().find(k);
        if (it == parsed->params().end()) return std::nullopt;
        return std::string((*it).value);
    };
    auto body = [&]() -> std::optional<json::value> {
        boost::system::error_code ec;
        auto v = json::parse(r.body, ec);
        if (ec) return std::nullopt;
        return v;
    };
    // Paging of the journal and the events: ?after=SEQ (exclusive) &limit=N.
    auto paging = [&](std::uint64_t& after, std::size_t& limit) -> std::optional<response> {
        after = 0;
        limit = default_page_limit;
        if (auto a = param("after")) {
            auto n = uint_param(a, INT64_MAX);
            if (!n) return bad("after must be a non-negative integer (a seq)");
            after = *n;
        }
        if (auto l = param("limit")) {
            auto n = uint_param(l, max_page_limit);
            if (!n || *n == 0) return bad("limit must be an integer from 1 to " + std::to_string(max_page_limit));
            limit = static_cast<std::size_t>(*n);
        }
        return std::nullopt;
    };
    const bool get = r.method == "GET" || r.method == "HEAD", post = r.method == "POST" || r.method == "PUT",
               del = r.method == "DELETE";
    auto is = [&](std::size_t i, std::string_view v) { return i < s.size() && s[i] == v; };
    // s[0] == "__sim"
    if (s.size() == 2 && is(1, "health") && get) return ok({{"seed", t.model().seed()}, {"t", t.since_start()}});
    if (s.size() == 2 && is(1, "reset") && post) {
        t.stop_traffic();
        t.model().reset();
        t.faults().clear();
        t.faults().reseed(t.model().seed()); // the server's seed: the model and the injector share it
        t.journal().clear();
        t.events().clear();
        return ok();
    }
    if (s.size() == 2 && is(1, "fixture") && post) {
        auto v = body();
        std::string err = "invalid JSON";
        if (!v || !t.load_fixture(*v, err)) return bad(err);
        return ok();
    }
    if (s.size() >= 2 && is(1, "webhooks")) {
        std::string rest;
        for (std::size_t k = 2; k < s.size(); ++k)
            rest += "/" + s[k];
        if (auto a = t.webhooks_admin(r.method == "HEAD" ? "GET" : r.method, rest, parsed->encoded_query(), r.body))
            return json_response(a->first, a->second);
        return error_response(404, "no such webhooks route");
    }
    if (s.size() == 2 && is(1, "snapshot") && post) {
        if (t.state_file().empty()) return error_response(409, "no state file: start pancake-sim with --state FILE");
        std::string err;
        if (!t.write_snapshot(err)) return error_response(500, err);
        return ok({{"file", t.state_file()}});
    }
    if (s.size() == 2 && is(1, "faults")) {
        if (get) return json_response(200, t.faults().report());
        if (del) return t.faults().clear(), ok();
        if (post) {
            auto v = body();
            std::string err = "invalid JSON";
            if (!v || !t.faults().set_plan(*v, err)) return bad(err);
            return ok();
        }
    }
    if (s.size() == 2 && is(1, "traffic")) {
        if (get) {
            const auto with = param("messages");
            return json_response(200, t.traffic_report(!with || (*with != "0" && *with != "false")));
        }
        if (del) return t.stop_traffic(), ok();
        if (post) {
            auto v = body();
            traffic_plan plan;
            std::string err = "invalid JSON";
            if (!v || !parse_traffic_plan(*v, plan, err)) return bad(err);
            if (!t.start_traffic(plan, err)) return error_response(409, err);
            // What it will send: the plan and every message (conversation, text, when).
            return ok(t.traffic_report(true).as_object());
        }
    }
    if (s.size() == 2 && is(1, "rate_limit") && post)
        return with_object(r, [&](auto& o) { return set_rate_limit(t.model(), o); });
    if (s.size() == 2 && is(1, "behaviour") && post)
        return with_object(r, [&](auto& o) { return set_behaviour(t.model(), o); });
    if (s.size() >= 2 && is(1, "journal")) {
        if (s.size() == 2 && get) {
            std::uint64_t after;
            std::size_t limit;
            if (auto e = paging(after, limit)) return *e;
            return json_response(200, t.journal().page(after, limit));
        }
        if (s.size() == 2 && del) {
            t.journal().clear();
            return ok();
        }
        if (s.size() == 3 && is(2, "count") && get) {
            journal_filter f{param("route"), param("page"), param("status"), param("method")};
            return ok({{"count", t.journal().count(f)}});
        }
    }
    if (s.size() == 2 && is(1, "events") && get) {
        std::uint64_t after;
        std::size_t limit;
        if (auto e = paging(after, limit)) return *e;
        return json_response(200, t.events().page(after, limit));
    }
    if (s.size() == 3 && is(1, "time") && is(2, "advance") && post) {
        auto* vc = t.virtual_time();
        if (!vc) return error_response(409, "the simulator runs on real time");
        constexpr std::uint64_t most = 100ull * 365 * 24 * 3600 * 1000; // a century: no clock overflow
        auto n = uint_param(param("ms"), most);
        if (!n) return bad("ms must be an integer from 0 to " + std::to_string(most));
        vc->advance(std::chrono::milliseconds(*n));
        return ok({{"t", t.since_start()}});
    }
    if (s.size() >= 3 && is(1, "pages")) {
        const std::string& pid = s[2];
        if (s.size() == 4 && is(3, "messages") && post)
            return with_object(r, [&](auto& o) { return inject_message(t, pid, o); });
        if (s.size() == 5 && is(3, "users") && post)
            return with_object(r, [&](auto& o) { return set_user(t.model(), pid, s[4], o); });
        if (s.size() == 5 && is(3, "conversations") && get) {
            auto* c = t.model().find_conversation(pid, s[4]);
            if (!c) return error_response(404, "unknown conversation");
            auto* p = t.model().find_page(pid);
            json::object o{{"conversation", encode(*c)}};
            o["messages"] = encode(p->conversations.messages(s[4]));
            return json_response(200, o);
        }
    }
    return error_response(404, "unknown admin route");
}

} // namespace pancake::sim

// Routing: names the route of a request (for faults and the journal, without touching state),
// checks the page token and the rate limit, and hands the request to its handler.
#include "handlers.hpp"

#include <algorithm>

namespace pancake::sim {

handle_result world::handle(const request& req, steady_time now, wall_time wall, rate_step rate) {
    request_target target;
    if (!target.parse(req.target)) {
        handle_result r;
        r.resp = error_response(400, "Bad request target");
        r.route = "invalid";
        return r;
    }
    ctx c{req, now, wall, target, target.segments(), nullptr, {}, rate};
    const settle_on_exit guard{*this}; // also when a handler throws (the session answers 500)
    return route(c);
}

void world::settle() {
    for (auto& [id, p] : pages_)
        p.conversations.settle(conversation_cache_limit_);
}

std::optional<response> world::admit(const request& req, steady_time now) {
    auto r = handle(req, now, wall_time{}, rate_step::admit_only);
    if (r.resp.status == 429) return std::move(r.resp);
    return std::nullopt;
}

namespace {
// Names the route of a request from its path segments: {route, page}. Pure and cheap, so the
// server shell can pick faults before the model sees the request.
std::pair<std::string, std::string> name_route(std::span<const std::string_view> s, std::string_view method) {
    auto is = [&](std::size_t i, std::string_view v) { return i < s.size() && s[i] == v; };
    const bool get = method == "GET", post = method == "POST";
    if (is(0, "api") && is(1, "v1") && is(2, "pages")) {
        if (s.size() == 3 && get) return {"pages.list", ""};
        if (s.size() == 5 && post && s[4] == "generate_page_access_token")
            return {"pages.generate_token", std::string(s[3])};
        return {"unknown", ""};
    }
    if (is(0, "api") && is(1, "v1") && is(2, "pke_chat_plugin") && is(3, "messages") && s.size() == 4) {
        if (get) return {"chat_plugin.list", ""};
        if (post) return {"chat_plugin.send", ""};
    }
    const bool v1 = is(0, "api") && is(1, "public_api") && is(2, "v1") && is(3, "pages");
    const bool v2 = is(0, "api") && is(1, "public_api") && is(2, "v2") && is(3, "pages");
    if ((!v1 && !v2) || s.size() < 6) return {"unknown", ""};
    const std::string pid(s[4]);
    if (v2 && s.size() == 6 && s[5] == "conversations" && get) return {"conversations.list", pid};
    if (v1 && s.size() == 6 && s[5] == "tags" && get) return {"tags.list", pid};
    if (v1 && s.size() == 6 && s[5] == "users" && get) return {"users.list", pid};
    if (v1 && s.size() == 6 && s[5] == "round_robin_users" && post) return {"round_robin.set", pid};
    if (v1 && s.size() == 6 && s[5] == "upload_contents" && post) return {"upload", pid};
    if (v1 && s.size() == 6 && s[5] == "page_customers" && get) return {"customers.list", pid};
    if (v1 && s.size() == 7 && s[5] == "page_customers" && method == "PUT") return {"customers.update", pid};
    if (v1 && s.size() == 8 && s[5] == "page_customers" && s[7] == "notes") {
        if (post) return {"notes.add", pid};
        if (method == "PUT") return {"notes.update", pid};
        if (method == "DELETE") return {"notes.delete", pid};
    }
    if (v1 && s.size() == 6 && s[5] == "posts" && get) return {"posts.list", pid};
    if (v1 && s.size() == 6 && s[5] == "sip_call_logs" && get) return {"call_logs.list", pid};
    if (v1 && s.size() == 6 && s[5] == "export_data" && get) return {"export.list", pid};
    if (v1 && s.size() == 7 && s[5] == "statistics" && get)
        for (std::string_view st : {"pages", "tags", "users", "customer_engagements", "pages_campaigns", "ads"})
            if (s[6] == st) return {"statistics." + std::string(s[6]), pid};
    if (v1 && s.size() == 8 && s[5] == "conversations") {
        const auto& a = s[7];
        if (a == "tags" && post) return {"tags.update", pid};
        if (a == "assign" && post) return {"assign", pid};
        if (a == "read" && post) return {"read", pid};
        if (a == "unread" && post) return {"unread", pid};
        if (a == "messages" && get) return {"messages.list", pid};
        if (a == "messages" && post) return {"messages.send", pid};
    }
    return {"unknown", pid};
}

} // namespace

std::pair<std::string, std::string> world::route_name(const request& r) {
    request_target target;
    if (!target.parse(r.target)) return {"invalid", ""};
    return name_route(target.segments(), r.method);
}

handle_result world::route(ctx& c) {
    auto& s = c.segs;
    auto& out = c.out;
    std::tie(out.route, out.page) = name_route(s, c.req.method);
    const std::string route = out.route;
    // Only page routes have a page rate limit: admitting anything else is a no-op.
    if (c.rate == rate_step::admit_only && (route == "pages.list" || route == "pages.generate_token" ||
                                            route.starts_with("chat_plugin.") || route == "unknown"))
        return out;
    if (route == "pages.list") return pages_get(c);
    if (route == "pages.generate_token") return generate_token(c, std::string(s[3]));
    // The chat plugin is the web visitor's API: no token, no page rate limit.
    if (route == "chat_plugin.list") return chat_plugin_get(c);
    if (route == "chat_plugin.send") return chat_plugin_post(c);
    if (route == "unknown") {
        out.resp = html_response();
        return out;
    }
    const std::string_view pid = s[4];

    auto token = c.target.param("page_access_token");
    if (!token && behaviour_.accept_access_token_alias) token = c.target.param("access_token");
    auto pit = pages_.find(pid);
    auto tit = token ? token_to_page_.find(*token) : token_to_page_.end();
    if (!token || tit == token_to_page_.end() || pit == pages_.end() || tit->second != pid) {
        out.resp = error_response(behaviour_.invalid_token_status, "Invalid access_token", 102);
        return out;
    }
    c.page = &pit->second;
    if (c.rate != rate_step::skip) {
        if (auto limited = rate_check(*c.page, c.now); limited.status == 429 || c.rate == rate_step::admit_only) {
            out.resp = std::move(limited);
            return out;
        }
    }

    if (route == "conversations.list") return conversations_get(c);
    if (route == "tags.list") return tags_get(c);
    if (route == "users.list") return users_get(c);
    if (route == "round_robin.set") return round_robin_post(c);
    if (route == "upload") return upload_post(c);
    if (route == "customers.list") return customers_get(c);
    if (route == "customers.update") return customer_put(c, std::string(s[6]));
    if (route.starts_with("notes.")) return notes_call(c, std::string(s[6]));
    if (route == "posts.list") return posts_get(c);
    if (route == "call_logs.list") return call_logs_get(c);
    if (route == "export.list") return export_get(c);
    if (route.starts_with("statistics.")) return statistics_get(c);

    if (!c.page->conversations.contains(s[6])) {
        out.resp = behaviour_.unknown_conversation_html ? html_response() : invented(404, "Conversation not found");
        return out;
    }
    if (route == "messages.list") return messages_get(c, *c.page->conversations.peek(s[6])); // a read: not marked
    auto& conv = *c.page->conversations.find(s[6]);
    if (route == "tags.update") return tag_post(c, conv);
    if (route == "assign") return assign_post(c, conv);
    if (route == "read") return read_post(c, conv, true);
    if (route == "unread") return read_post(c, conv, false);
    return messages_post(c, conv);
}

} // namespace pancake::sim

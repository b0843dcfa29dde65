#include "world.hpp"

#include <pancake/json.hpp>

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

namespace pancake::sim {

namespace {

constexpr std::size_t conversations_per_call = 60;
constexpr std::size_t messages_per_call = 30;
constexpr auto private_reply_window = std::chrono::hours(24 * 7);

constexpr std::string_view spa_shell =
    "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Pancake</title></head>"
    "<body><div id=\"root\"></div><script src=\"/static/js/app.js\"></script></body></html>";

utc_time to_utc(wall_time w) { return utc_time(std::chrono::time_point_cast<std::chrono::microseconds>(w)); }

std::int64_t unix_seconds(wall_time w) {
    return std::chrono::duration_cast<std::chrono::seconds>(w.time_since_epoch()).count();
}

std::string ascii_lower(std::string s) {
    for (auto& ch : s)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return s;
}

json::value ok_with(json::object o) {
    o["success"] = true;
    return o;
}

} // namespace

response json_response(unsigned status, const json::value& v) {
    response r;
    r.status = status;
    r.body = json::serialize(v);
    return r;
}

response error_response(unsigned status, std::string_view message, std::optional<int> error_code) {
    json::object o{{"success", false}, {"message", message}};
    if (error_code) o["error_code"] = *error_code;
    return json_response(status, o);
}

response html_response(unsigned status) {
    response r;
    r.status = status;
    r.content_type = "text/html; charset=utf-8";
    r.body = spa_shell;
    return r;
}

std::string lenient_target(std::string_view target) {
    static constexpr std::string_view unsafe = "[]{}|^`\"<>\\ ";
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(target.size());
    for (char ch : target) {
        if (unsafe.find(ch) == std::string_view::npos) {
            out += ch;
            continue;
        }
        auto u = static_cast<unsigned char>(ch);
        out += '%';
        out += hex[u >> 4];
        out += hex[u & 15];
    }
    return out;
}

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        switch (ch) {
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += ch;
        }
    }
    return out;
}

struct world::ctx {
    const request& req;
    steady_time now;
    wall_time wall;
    boost::urls::url_view url;
    std::vector<std::string> segs;
    std::multimap<std::string, std::string> query;
    page_state* page = nullptr;
    handle_result out;

    std::optional<std::string> param(const std::string& k) const {
        auto it = query.find(k);
        if (it == query.end()) return std::nullopt;
        return it->second;
    }
};

world::world(std::uint64_t seed, behaviour b, rate_limit_config rl)
    : seed_(seed), rng_(seed), behaviour_(b), rate_(std::move(rl)) {}

std::string world::new_uuid() {
    std::uniform_int_distribution<std::uint32_t> d;
    std::uint32_t a = d(rng_), b = d(rng_), c = d(rng_), e = d(rng_);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%04x%08x", a, b >> 16, b & 0xfff, (c & 0x3fff) | 0x8000,
                  c >> 16, e);
    return buf;
}

std::string world::new_message_id() { return "m_sim_" + std::to_string(++message_counter_); }

bool world::load_fixture(const json::value& fx, std::string& err) {
    std::map<std::string, page_state> pages;
    std::map<std::string, std::string> tokens;
    std::vector<user_token> user_tokens;
    auto* root = fx.if_object();
    if (!root) {
        err = "fixture must be a JSON object";
        return false;
    }
    auto fail = [&](std::string what, const diagnostics& d) {
        err = what + (d.field_path().empty() ? "" : ": " + d.field_path());
        return false;
    };
    auto* pv = root->if_contains("pages");
    if (!pv || !pv->is_array()) {
        err = "a fixture needs a \"pages\" array";
        return false;
    }
    {
        for (auto& jp : pv->as_array()) {
            diagnostics d;
            auto info = decode<page>(jp, &d);
            if (!info) return fail("bad page", d);
            auto& o = jp.as_object();
            page_state ps;
            ps.info = *info;
            if (ps.info.platform.empty()) ps.info.platform = "facebook";
            if (auto* t = o.if_contains("page_access_token"); t && t->is_string()) ps.token = t->as_string();
            if (ps.token.empty()) {
                err = "page " + info->id.value() + " has no page_access_token";
                return false;
            }
            if (auto* up =
                    o.if_contains("uploads")) { // content ids already uploaded: ["id"] or [{id, attachment_type}]
                if (!up->is_array()) {
                    err = "page " + info->id.value() + ": uploads must be an array";
                    return false;
                }
                for (auto& u : up->as_array()) {
                    if (u.is_string()) {
                        ps.uploads[std::string(u.as_string())] = "PHOTO";
                        continue;
                    }
                    auto* uo = u.if_object();
                    auto* id = uo ? uo->if_contains("id") : nullptr;
                    auto* ty = uo ? uo->if_contains("attachment_type") : nullptr;
                    if (!id || !id->is_string() || (ty && !ty->is_string())) {
                        err = "page " + info->id.value() + ": an upload is \"id\" or {\"id\",\"attachment_type\"}";
                        return false;
                    }
                    ps.uploads[std::string(id->as_string())] = ty ? std::string(ty->as_string()) : "PHOTO";
                }
            }
            if (auto* t = o.if_contains("tags")) {
                auto r = decode<std::vector<tag>>(*t, &d);
                if (!r) return fail("bad tags", d);
                ps.tags = *r;
            }
            auto users = decode<users_snapshot>(
                json::object{{"users", o.contains("users") ? o.at("users") : json::array{}},
                             {"disabled_users", o.contains("disabled_users") ? o.at("disabled_users") : json::array{}},
                             {"round_robin_users",
                              o.contains("round_robin_users") ? o.at("round_robin_users") : json::object{}}},
                &d);
            if (!users) return fail("bad users", d);
            ps.users = users->users;
            ps.disabled_users = users->disabled_users;
            ps.round_robin = users->round_robin_users;
            if (auto* cs = o.if_contains("conversations"); cs && cs->is_array()) {
                for (auto& jc : cs->as_array()) {
                    auto c = decode<conversation>(jc, &d);
                    if (!c) return fail("bad conversation", d);
                    if (!c->page_id) c->page_id = ps.info.id;
                    if (!c->version) c->version = 1;
                    if (c->type.empty()) c->type = "INBOX";
                    auto key = c->id.value();
                    if (auto* ms = jc.as_object().if_contains("messages")) {
                        auto m = decode<std::vector<message>>(*ms, &d);
                        if (!m) return fail("bad messages", d);
                        ps.messages[key] = *m;
                    }
                    ps.conversations.emplace(key, std::move(*c));
                }
            }
            tokens[ps.token] = ps.info.id.value();
            pages.emplace(ps.info.id.value(), std::move(ps));
        }
    }
    if (auto* ut = root->if_contains("user_tokens"); ut && ut->is_array()) {
        for (auto& j : ut->as_array()) {
            auto* o = j.if_object();
            if (!o || !o->contains("access_token") || !o->at("access_token").is_string()) {
                err = "user_tokens entries need an access_token";
                return false;
            }
            user_token t;
            t.token = o->at("access_token").as_string();
            if (auto* ps = o->if_contains("pages"); ps && ps->is_array())
                for (auto& p : ps->as_array())
                    if (p.is_string()) t.pages.emplace_back(p.as_string());
            if (auto* e = o->if_contains("expires_at"); e && e->is_int64()) t.expires_at = e->as_int64();
            user_tokens.push_back(std::move(t));
        }
    }
    pages_ = std::move(pages);
    token_to_page_ = std::move(tokens);
    user_tokens_ = std::move(user_tokens);
    fixture_ = fx;
    rng_.seed(seed_);
    message_counter_ = 0;
    return true;
}

void world::reset() {
    std::string err;
    auto fx = fixture_;
    load_fixture(fx, err);
}

const page_state* world::find_page(const std::string& id) const {
    auto it = pages_.find(id);
    return it == pages_.end() ? nullptr : &it->second;
}

const conversation* world::find_conversation(const std::string& page, const std::string& conv) const {
    auto* p = find_page(page);
    if (!p) return nullptr;
    auto it = p->conversations.find(conv);
    return it == p->conversations.end() ? nullptr : &it->second;
}

std::vector<std::string> world::page_ids() const {
    std::vector<std::string> out;
    for (auto& [k, v] : pages_)
        out.push_back(k);
    return out;
}

bool world::set_user_status(const std::string& page, const std::string& user, std::optional<std::string> status,
                            std::optional<bool> online) {
    auto it = pages_.find(page);
    if (it == pages_.end()) return false;
    for (auto& u : it->second.users) {
        if (u.id.value() != user) continue;
        if (status) u.status = *status;
        if (online) u.is_online = *online;
        return true;
    }
    return false;
}

// ---- rate limiting ---------------------------------------------------------------------------

response world::rate_check(page_state& p, steady_time now) {
    int limit = rate_.per_second;
    if (auto it = rate_.per_page.find(p.info.id.value()); it != rate_.per_page.end()) limit = it->second;
    if (limit <= 0) return {};
    const auto second = std::chrono::seconds(1);
    auto& w = p.window;
    if (rate_.fixed_window) {
        auto bucket = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch());
        while (!w.empty() && std::chrono::floor<std::chrono::seconds>(w.front().time_since_epoch()) != bucket)
            w.pop_front();
    } else {
        while (!w.empty() && w.front() <= now - second)
            w.pop_front(); // window is (now-1s, now]
    }
    if (static_cast<int>(w.size()) >= limit) {
        auto r = error_response(429, "Too Many Requests: rate limit is " + std::to_string(limit) +
                                         " calls per page per second");
        if (rate_.retry_after) r.headers.emplace_back("Retry-After", "1");
        return r;
    }
    w.push_back(now);
    return {};
}

void world::count_call(const std::string& page, steady_time now) {
    if (auto it = pages_.find(page); it != pages_.end()) rate_check(it->second, now); // counted if under the limit
}

// ---- answers ---------------------------------------------------------------------------------

// An error the documents do not describe (status and wording are ours): 4xx by default, or
// HTTP 200 + success:false with the errors_as_200 switch ("some endpoints return HTTP 200 with
// success=false", OBS S10).
response world::invented(unsigned status, std::string_view message) const {
    return error_response(behaviour_.errors_as_200 ? 200 : status, message);
}

// A conversation as the REST API shows it: nullable fields present as null (the spec's examples
// carry them), `version` only with rest_conversation_version (it is documented on webhooks only).
json::value world::conversation_json(const conversation& c) const {
    auto o = encode(c).as_object();
    for (auto key : {"post_id", "snippet", "assignee_group_id"})
        if (!o.contains(key)) o[key] = nullptr;
    if (!behaviour_.rest_conversation_version) o.erase("version");
    return o;
}

namespace {
json::value message_json(const message& m) {
    auto o = encode(m).as_object();
    if (!o.contains("private_reply_conversation")) o["private_reply_conversation"] = nullptr;
    return o;
}
json::value messages_json(const std::vector<message>& ms) {
    json::array a;
    for (auto& m : ms)
        a.push_back(message_json(m));
    return a;
}
} // namespace

// The `post` of a messaging event: the post object for a COMMENT, null for INBOX. The simulator
// keeps no posts, so it is the post's id, page and author (the page).
json::value world::post_json(const page_state& p, const std::optional<std::string>& post_id) const {
    if (!post_id) return nullptr;
    return json::object{{"id", *post_id},
                        {"page_id", p.info.id.value()},
                        {"from", json::object{{"id", p.info.id.value()}, {"name", p.info.name}}},
                        {"message", nullptr},
                        {"type", "status"},
                        {"attachments", nullptr}};
}

json::value world::messaging_event(const page_state& p, const conversation& c, const message& m) const {
    return json::object{
        {"page_id", p.info.id.value()},
        {"event_type", "messaging"},
        {"data", json::object{{"conversation", webhook_conversation_json(p, c)},
                              {"message", message_json(m)},
                              {"post", c.type == "COMMENT" ? post_json(p, c.post_id) : json::value(nullptr)}}}};
}

// ---- routing ---------------------------------------------------------------------------------

handle_result world::handle(const request& req, steady_time now, wall_time wall) {
    const std::string target = lenient_target(req.target); // `type[]=INBOX` as the docs' cURL sends it
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) {
        handle_result r;
        r.resp = error_response(400, "Bad request target");
        r.route = "invalid";
        return r;
    }
    ctx c{req, now, wall, *parsed, {}, {}, nullptr, {}};
    for (auto s : parsed->segments())
        c.segs.push_back(s);
    for (auto p : parsed->params())
        c.query.emplace(p.key, p.has_value ? p.value : std::string());
    return route(c);
}

namespace {
// Names the route of a request from its path segments: {route, page}. Pure and cheap, so the
// server shell can pick faults before the model sees the request.
std::pair<std::string, std::string> name_route(const std::vector<std::string>& s, std::string_view method) {
    auto is = [&](std::size_t i, std::string_view v) { return i < s.size() && s[i] == v; };
    const bool get = method == "GET", post = method == "POST";
    if (is(0, "api") && is(1, "v1") && is(2, "pages")) {
        if (s.size() == 3 && get) return {"pages.list", ""};
        if (s.size() == 5 && post && s[4] == "generate_page_access_token") return {"pages.generate_token", s[3]};
        return {"unknown", ""};
    }
    const bool v1 = is(0, "api") && is(1, "public_api") && is(2, "v1") && is(3, "pages");
    const bool v2 = is(0, "api") && is(1, "public_api") && is(2, "v2") && is(3, "pages");
    if ((!v1 && !v2) || s.size() < 6) return {"unknown", ""};
    const std::string& pid = s[4];
    if (v2 && s.size() == 6 && s[5] == "conversations" && get) return {"conversations.list", pid};
    if (v1 && s.size() == 6 && s[5] == "tags" && get) return {"tags.list", pid};
    if (v1 && s.size() == 6 && s[5] == "users" && get) return {"users.list", pid};
    if (v1 && s.size() == 6 && s[5] == "round_robin_users" && post) return {"round_robin.set", pid};
    if (v1 && s.size() == 6 && s[5] == "upload_contents" && post) return {"upload", pid};
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
    const std::string target = lenient_target(r.target);
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) return {"invalid", ""};
    std::vector<std::string> segs;
    for (auto seg : parsed->segments())
        segs.push_back(seg);
    return name_route(segs, r.method);
}

handle_result world::route(ctx& c) {
    auto& s = c.segs;
    auto& out = c.out;
    std::tie(out.route, out.page) = name_route(s, c.req.method);
    const std::string route = out.route;
    if (route == "pages.list") return pages_get(c);
    if (route == "pages.generate_token") return generate_token(c, s[3]);
    if (route == "unknown") {
        out.resp = html_response();
        return out;
    }
    const std::string& pid = s[4];

    auto token = c.param("page_access_token");
    if (!token && behaviour_.accept_access_token_alias) token = c.param("access_token");
    auto pit = pages_.find(pid);
    auto tit = token ? token_to_page_.find(*token) : token_to_page_.end();
    if (!token || tit == token_to_page_.end() || pit == pages_.end() || tit->second != pid) {
        out.resp = error_response(behaviour_.invalid_token_status, "Invalid access_token", 102);
        return out;
    }
    c.page = &pit->second;
    if (auto limited = rate_check(*c.page, c.now); limited.status == 429) {
        out.resp = std::move(limited);
        return out;
    }

    if (route == "conversations.list") return conversations_get(c);
    if (route == "tags.list") return tags_get(c);
    if (route == "users.list") return users_get(c);
    if (route == "round_robin.set") return round_robin_post(c);
    if (route == "upload") return upload_post(c);

    auto cit = c.page->conversations.find(s[6]);
    if (cit == c.page->conversations.end()) {
        out.resp = behaviour_.unknown_conversation_html ? html_response() : invented(404, "Conversation not found");
        return out;
    }
    auto& conv = cit->second;
    if (route == "tags.update") return tag_post(c, conv);
    if (route == "assign") return assign_post(c, conv);
    if (route == "read") return read_post(c, conv, true);
    if (route == "unread") return read_post(c, conv, false);
    if (route == "messages.list") return messages_get(c, conv);
    return messages_post(c, conv);
}

// ---- lookups ---------------------------------------------------------------------------------

handle_result world::tags_get(ctx& c) {
    c.out.resp = json_response(200, json::object{{"tags", encode(c.page->tags)}});
    return std::move(c.out);
}

handle_result world::users_get(ctx& c) {
    auto& p = *c.page;
    json::array users;
    for (auto& u : p.users) {
        auto ju = encode(u).as_object();
        if (!ju.contains("page_permissions")) ju["page_permissions"] = nullptr; // nullable, sent as null
        users.push_back(std::move(ju));
    }
    json::object o{{"success", true},
                   {"users", std::move(users)},
                   {"disabled_users", encode(p.disabled_users)},
                   {"round_robin_users", encode(p.round_robin)}};
    c.out.resp = json_response(200, o);
    return std::move(c.out);
}

namespace {
std::optional<json::value> parse_body(const std::string& body) {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec) return std::nullopt;
    return v;
}
} // namespace

handle_result world::round_robin_post(ctx& c) {
    auto v = parse_body(c.req.body);
    diagnostics d;
    auto upd =
        v ? decode<round_robin_update>(*v, &d) : result<round_robin_update>(make_error_code(errc::unexpected_response));
    if (!upd) {
        c.out.resp = invented(400, v ? "Invalid field " + d.field_path() : "Invalid JSON body");
        return std::move(c.out);
    }
    auto valid = [&](const std::vector<user_id>& ids) {
        for (auto& id : ids)
            if (std::none_of(c.page->users.begin(), c.page->users.end(), [&](auto& u) { return u.id == id; }))
                return false;
        return true;
    };
    if ((upd->inbox && !valid(*upd->inbox)) || (upd->comment && !valid(*upd->comment))) {
        c.out.resp = invented(400, "Invalid user id");
        return std::move(c.out);
    }
    auto& rr = c.page->round_robin;
    if (upd->inbox)
        rr.inbox = *upd->inbox, c.page->rr_cursor_inbox = 0;
    else if (behaviour_.round_robin_missing_key_clears)
        rr.inbox.clear();
    if (upd->comment)
        rr.comment = *upd->comment, c.page->rr_cursor_comment = 0;
    else if (behaviour_.round_robin_missing_key_clears)
        rr.comment.clear();
    c.out.committed = true;
    c.out.resp =
        json_response(200, json::object{{"message", "Cài đặt đã được cập nhật thành công"}, {"success", true}});
    return std::move(c.out);
}

// ---- conversation mutations ------------------------------------------------------------------

json::value world::webhook_conversation_json(const page_state&, const conversation& c) const {
    webhook_conversation w;
    w.id = c.id;
    w.type = c.type == "COMMENT" ? "COMMENT" : "INBOX";
    w.assignee_ids = c.assignee_ids;
    w.customer_id = c.customer_id;
    w.from = c.from;
    w.seen = c.seen;
    w.snippet = c.snippet;
    w.tags = c.tag_ids();
    w.version = c.version;
    w.read_watermarks = std::vector<read_watermark>{};
    return encode(w);
}

void world::touch(page_state& p, conversation& c, wall_time wall, std::vector<emitted_event>& events) {
    c.updated_at = to_utc(wall);
    c.version = c.version.value_or(0) + 1;
    json::object ev{{"event_type", "conversation"},
                    {"page_id", p.info.id.value()},
                    {"request_id", new_uuid()},
                    {"timestamp", unix_seconds(wall)},
                    {"data", json::object{{"conversation", webhook_conversation_json(p, c)}}}};
    events.push_back({p.info.id, std::move(ev)});
}

handle_result world::tag_post(ctx& c, conversation& conv) {
    auto v = parse_body(c.req.body);
    if (!v) {
        c.out.resp = invented(400, "Invalid JSON body");
        return std::move(c.out);
    }
    diagnostics d;
    auto r = decode<tag_request>(*v, &d); // tag_id as "1" or 1
    if (!r || (r->action != "add" && r->action != "remove")) {
        c.out.resp = invented(400, !r ? "Invalid field " + d.field_path() : "action must be add or remove");
        return std::move(c.out);
    }
    auto& tags = c.page->tags;
    auto known = std::find_if(tags.begin(), tags.end(), [&](auto& t) { return t.id == r->tag_id; });
    if (known == tags.end() && behaviour_.reject_unknown_tag) {
        c.out.resp = invented(400, "Tag not found");
        return std::move(c.out);
    }
    const bool present = conv.has_tag(r->tag_id);
    bool changed = false;
    if (r->action == "add") {
        if (present && behaviour_.reject_duplicate_tag_add) {
            c.out.resp = invented(400, "Tag already added");
            return std::move(c.out);
        }
        if (!present) {
            conversation_tag t;
            t.id = r->tag_id;
            if (known != tags.end()) t.text = known->text, t.color = known->color;
            conv.tags.emplace_back(std::move(t));
            changed = true;
        }
    } else {
        if (!present && behaviour_.reject_absent_tag_remove) {
            c.out.resp = invented(400, "Tag not in conversation");
            return std::move(c.out);
        }
        auto before = conv.tags.size();
        std::erase_if(conv.tags, [&](auto& t) { return t && t->id == r->tag_id; });
        changed = conv.tags.size() != before;
    }
    if (changed) {
        tag_history_entry h;
        h.inserted_at = to_utc(c.wall);
        h.conversation_id = conv.id.value();
        h.payload.action = r->action;
        h.payload.editor_id = "public_api";
        h.payload.editor_name = "Public API";
        h.payload.tag.id = r->tag_id;
        if (known != tags.end()) h.payload.tag.text = known->text;
        conv.tag_histories.push_back(std::move(h));
        touch(*c.page, conv, c.wall, c.out.events);
        c.out.committed = true;
    }
    tag_update_result res{conv.tag_ids(), true, unix_seconds(c.wall)};
    c.out.resp = json_response(200, encode(res));
    return std::move(c.out);
}

handle_result world::assign_post(ctx& c, conversation& conv) {
    auto v = parse_body(c.req.body);
    diagnostics d;
    auto r = v ? decode<assign_request>(*v, &d) : result<assign_request>(make_error_code(errc::unexpected_response));
    if (!r) {
        c.out.resp = invented(400, v ? "Invalid field " + d.field_path() : "Invalid JSON body");
        return std::move(c.out);
    }
    if (r->assignee_ids.empty() && behaviour_.reject_empty_assign) {
        c.out.resp = invented(400, "assignee_ids must not be empty");
        return std::move(c.out);
    }
    std::vector<assign_user> resolved;
    std::set<std::string> seen_ids;
    for (auto& id : r->assignee_ids) {
        if (!seen_ids.insert(id.value()).second) continue; // duplicates collapse
        auto u = std::find_if(c.page->users.begin(), c.page->users.end(), [&](auto& x) { return x.id == id; });
        if (u == c.page->users.end()) {
            bool is_fb = std::any_of(c.page->users.begin(), c.page->users.end(),
                                     [&](auto& x) { return x.fb_id && *x.fb_id == id.value(); });
            c.out.resp = invented(400, is_fb && behaviour_.reject_fb_id_assignee
                                           ? "Invalid assignee: use the user id (UUID), not fb_id"
                                           : "Invalid assignee_ids");
            return std::move(c.out);
        }
        resolved.push_back(assign_user{u->id, u->name, std::nullopt, u->fb_id});
    }
    assignee_history_payload delta;
    for (auto& old : conv.current_assign_users)
        if (!seen_ids.count(old.id.value())) delta.deleted_users.push_back(old);
    for (auto& n : resolved)
        if (std::none_of(conv.assignee_ids.begin(), conv.assignee_ids.end(), [&](auto& x) { return x == n.id; }))
            delta.added_users.push_back(n);
    if (!delta.added_users.empty() || !delta.deleted_users.empty()) {
        conv.assignee_ids.clear();
        for (auto& u : resolved)
            conv.assignee_ids.push_back(u.id);
        conv.current_assign_users = resolved;
        conv.assignee_histories.push_back({to_utc(c.wall), conv.id.value(), std::move(delta)});
        touch(*c.page, conv, c.wall, c.out.events);
        c.out.committed = true;
    }
    assign_result res;
    res.success = true;
    res.assignee_group_id = conv.assignee_group_id;
    res.assignee_ids = conv.assignee_ids;
    res.customers = conv.customers;
    res.from = conv.from;
    res.seen = conv.seen;
    res.updated_at = conv.updated_at;
    auto jr = encode(res).as_object();
    if (!jr.contains("assignee_group_id")) jr["assignee_group_id"] = nullptr;
    c.out.resp = json_response(200, jr);
    return std::move(c.out);
}

handle_result world::read_post(ctx& c, conversation& conv, bool seen) {
    if (conv.seen != seen) {
        conv.seen = seen;
        touch(*c.page, conv, c.wall, c.out.events);
        c.out.committed = true;
    }
    c.out.resp = json_response(200, json::object{{"success", true}});
    return std::move(c.out);
}

// ---- messages --------------------------------------------------------------------------------

handle_result world::messages_get(ctx& c, conversation& conv) {
    std::size_t skip = 0;
    if (auto cc = c.param("current_count")) {
        std::int64_t n;
        if (!detail::parse_int(*cc, n) || n < 0) {
            c.out.resp = invented(400, "current_count must be a non-negative integer");
            return std::move(c.out);
        }
        skip = static_cast<std::size_t>(n);
    }
    auto& all = c.page->messages[conv.id.value()];
    std::vector<message> page;
    for (std::size_t i = skip; i < all.size() && page.size() < messages_per_call; ++i)
        page.push_back(all[all.size() - 1 - i]); // newest first
    c.out.resp = json_response(200, ok_with({{"conversation_id", conv.id.value()}, {"messages", messages_json(page)}}));
    return std::move(c.out);
}

handle_result world::messages_post(ctx& c, conversation& conv) {
    auto v = parse_body(c.req.body);
    diagnostics d;
    auto r = v ? decode<send_message_request>(*v, &d)
               : result<send_message_request>(make_error_code(errc::unexpected_response));
    if (!r) {
        c.out.resp = invented(400, v ? "Invalid field " + d.field_path() : "Invalid JSON body");
        return std::move(c.out);
    }
    if (r->message && r->content_ids && !r->content_ids->empty()) {
        c.out.resp = error_response(500, "Internal server error"); // documented: both -> 500
        return std::move(c.out);
    }
    if (auto why = r->validate(c.page->info.platform)) {
        c.out.resp = invented(400, why->message);
        return std::move(c.out);
    }
    auto fail = [&](std::string_view why) {
        c.out.resp = invented(400, why);
        return std::move(c.out);
    };
    if (r->content_ids && !behaviour_.accept_unknown_content_ids)
        for (auto& id : *r->content_ids)
            if (!c.page->uploads.count(id)) return fail("Unknown content id " + id + " (upload it first)");
    // reply_comment and private_replies name a comment of this conversation.
    message* comment = nullptr;
    if (r->action == "reply_comment" || r->action == "private_replies") {
        for (auto& m : c.page->messages[conv.id.value()])
            if (m.id.value() == *r->message_id) comment = &m;
        if (!comment || conv.type != "COMMENT") return fail("Comment not found");
    }
    if (r->action == "private_replies") {
        if (conv.post_id && *r->post_id != *conv.post_id) return fail("post_id is not the comment's post");
        if (!comment->from || comment->from->id != *r->from_id) return fail("from_id is not the comment's author");
        if (comment->from->id == c.page->info.id.value())
            return fail("Cannot reply privately to the page's own comment");
        if (comment->inserted_at && comment->inserted_at->time() + private_reply_window < to_utc(c.wall).time())
            return fail("The private reply window (7 days) has passed");
        if (comment->private_reply_conversation && !behaviour_.allow_repeat_private_reply)
            return fail("This comment already has a private reply");
        if (r->content_ids && !r->content_ids->empty() && c.page->info.platform != "facebook")
            return fail("private replies take content_ids on Facebook only");
    }
    // A private reply opens (or continues) the customer's INBOX thread, {page}_{psid}; the comment
    // records it in private_reply_conversation (pancake-api.md §7: "private replies spawn a new
    // INBOX conversation").
    conversation* target = &conv;
    if (r->action == "private_replies") {
        const std::string inbox_id = c.page->info.id.value() + "_" + *r->from_id;
        auto [it, created] = c.page->conversations.try_emplace(inbox_id);
        target = &it->second;
        if (created) {
            target->id = conversation_id(inbox_id);
            target->type = "INBOX";
            target->page_id = c.page->info.id;
            target->inserted_at = to_utc(c.wall);
            target->from = conv.from ? conv.from : std::optional<party>(party{*r->from_id, {}, {}, {}});
            target->customer_id = conv.customer_id;
            target->customers = conv.customers;
            target->seen = true;
            target->version = 0;
        }
        comment->private_reply_conversation = inbox_id;
    }
    auto& to = *target;
    message m;
    m.id = message_id(new_message_id());
    m.conversation_id = to.id.value();
    m.page_id = c.page->info.id.value();
    m.type = to.type;
    if (r->message) m.message = "<div>" + html_escape(*r->message) + "</div>", m.original_message = *r->message;
    if (r->action == "reply_comment") m.parent_id = *r->message_id;
    sender from;
    from.id = c.page->info.id.value();
    from.name = c.page->info.name;
    from.admin_id = r->sender_id;
    m.from = from;
    m.inserted_at = to_utc(c.wall);
    m.seen = true;
    c.page->messages[to.id.value()].push_back(m);
    to.snippet = r->message;
    to.message_count += 1;
    to.last_sent_by = from;
    touch(*c.page, to, c.wall, c.out.events);
    // The page's own message echoes back as a messaging event.
    c.out.events.push_back({c.page->info.id, messaging_event(*c.page, to, m)});
    c.out.committed = true;
    c.out.resp = json_response(200, json::object{{"success", true}, {"id", m.id.value()}, {"message", "ok"}});
    return std::move(c.out);
}

// ---- listing ---------------------------------------------------------------------------------

handle_result world::conversations_get(ctx& c) {
    // `type` takes one value. A repeated `type` silently matches nothing (observed); `type[]=X`
    // (the docs' cURL, a Plug-style array) is the same as `type=X`; several `type[]` values match
    // nothing too unless multi_type_or.
    std::vector<std::string> types;
    for (auto key : {"type", "type[]"})
        for (auto [b, e] = c.query.equal_range(key); b != e; ++b)
            types.push_back(b->second);
    const bool array_types = c.query.count("type") == 0 && c.query.count("type[]") > 1;
    const bool or_types = array_types && behaviour_.multi_type_or;
    std::optional<std::string> type;
    if (!types.empty()) type = types.front();
    auto bad = [&](std::string_view why) {
        c.out.resp = invented(400, why);
        return std::move(c.out);
    };
    std::optional<std::int64_t> since, until;
    for (auto [key, dst] : {std::pair{"since", &since}, std::pair{"until", &until}}) {
        if (auto v = c.param(key)) {
            std::int64_t n;
            if (!detail::parse_int(*v, n)) return bad(std::string(key) + " must be unix seconds");
            *dst = n;
        }
    }
    const bool by_inserted = c.param("order_by") == std::optional<std::string>("inserted_at");
    if (auto ob = c.param("order_by"); ob && *ob != "inserted_at" && *ob != "updated_at")
        return bad("order_by must be inserted_at or updated_at");
    std::vector<tag_id> want_tags;
    if (auto t = c.param("tags"); t && !t->empty()) {
        std::string_view rest = *t;
        while (!rest.empty()) {
            auto comma = rest.find(',');
            auto part = rest.substr(0, comma);
            std::int64_t n;
            if (!detail::parse_int(part, n)) return bad("tags must be comma-separated tag ids");
            want_tags.emplace_back(n);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
    }
    std::set<std::string> post_ids;
    for (auto key : {"post_ids", "post_ids[]"})
        for (auto [b, e] = c.query.equal_range(key); b != e; ++b)
            post_ids.insert(b->second);
    const bool wants_post = std::find(types.begin(), types.end(), "POST") != types.end();
    if (wants_post && post_ids.empty()) return bad("post_ids is required for type POST");
    // A boolean query parameter: `true` or `1` (as Phoenix-style servers read them).
    auto flag = [&](const char* key) {
        auto v = c.param(key);
        return v && (*v == "true" || *v == "1" || *v == "True" || *v == "TRUE");
    };
    const bool unread_first = flag("unread_first");

    auto stamp = [&](const conversation& x) {
        auto& t = by_inserted ? x.inserted_at : x.updated_at;
        auto& alt = by_inserted ? x.updated_at : x.inserted_at;
        return t ? t->time() : alt ? alt->time() : utc_time::time_point{};
    };
    auto type_ok = [&](const conversation& x, const std::string& t) {
        if (t.empty()) return true;
        if (t == "POST") return x.post_id && post_ids.count(*x.post_id) > 0;
        return x.type == t;
    };
    std::vector<const conversation*> list;
    if (types.size() <= 1 || or_types) {
        for (auto& [id, x] : c.page->conversations) {
            if (!types.empty() && std::none_of(types.begin(), types.end(), [&](auto& t) { return type_ok(x, t); }))
                continue;
            if (!std::all_of(want_tags.begin(), want_tags.end(), [&](auto t) { return x.has_tag(t); })) continue;
            auto secs = std::chrono::floor<std::chrono::seconds>(stamp(x)).time_since_epoch().count();
            if (since && secs < *since) continue;
            if (until && secs > *until) continue;
            list.push_back(&x);
        }
    }
    auto before = [&](const conversation* a, const conversation* b) {
        if (unread_first && a->seen != b->seen) return !a->seen;
        auto ta = stamp(*a), tb = stamp(*b);
        return ta != tb ? ta > tb : a->id.value() > b->id.value();
    };
    std::stable_sort(list.begin(), list.end(), before);
    std::size_t start = 0;
    if (auto last = c.param("last_conversation_id"); last && !last->empty()) {
        // The cursor is a position in the page's order: "the next 60 older" than that conversation.
        // The real service most plausibly looks the conversation up and continues after its
        // timestamp, whatever the filter; an unknown id is an error rather than an empty page (a
        // paginator would take an empty page for the end). cursor_outside_filter_empty: the old
        // answer (a cursor outside the filtered list gives an empty page).
        auto it = std::find_if(list.begin(), list.end(), [&](auto* x) { return x->id.value() == *last; });
        if (it != list.end()) {
            start = static_cast<std::size_t>(it - list.begin()) + 1;
        } else if (behaviour_.cursor_outside_filter_empty) {
            start = list.size();
        } else {
            auto cur = c.page->conversations.find(*last);
            if (cur == c.page->conversations.end()) return bad("last_conversation_id: conversation not found");
            start = static_cast<std::size_t>(std::upper_bound(list.begin(), list.end(), &cur->second, before) -
                                             list.begin());
        }
    }
    json::array arr;
    for (std::size_t i = start; i < list.size() && arr.size() < conversations_per_call; ++i)
        arr.push_back(conversation_json(*list[i]));
    c.out.resp = json_response(200, ok_with({{"conversations", std::move(arr)}}));
    return std::move(c.out);
}

// ---- user-token API --------------------------------------------------------------------------

// The one user-token check of /api/v1 (list pages, generate_page_access_token): unknown -> the
// 102 body, expired -> 401 (documented). Null when the answer is already set.
const user_token* world::user_token_check(ctx& c) {
    auto tok = c.param("access_token");
    auto it = std::find_if(user_tokens_.begin(), user_tokens_.end(), [&](auto& t) { return tok && t.token == *tok; });
    if (it == user_tokens_.end()) {
        c.out.resp = error_response(behaviour_.invalid_token_status, "Invalid access_token", 102);
        return nullptr;
    }
    if (it->expires_at && *it->expires_at <= unix_seconds(c.wall)) {
        c.out.resp = error_response(401, "Unauthorized");
        return nullptr;
    }
    return &*it;
}

handle_result world::pages_get(ctx& c) {
    c.out.route = "pages.list";
    auto* t = user_token_check(c);
    if (!t) return std::move(c.out);
    json::array pages;
    for (auto& id : t->pages)
        if (auto* p = find_page(id)) pages.push_back(encode(p->info));
    c.out.resp = json_response(200, json::object{{"pages", std::move(pages)}});
    return std::move(c.out);
}

handle_result world::generate_token(ctx& c, const std::string& page) {
    c.out.route = "pages.generate_token";
    c.out.page = page;
    auto* t = user_token_check(c);
    if (!t) return std::move(c.out);
    auto pit = pages_.find(page);
    if (pit == pages_.end() || std::find(t->pages.begin(), t->pages.end(), page) == t->pages.end()) {
        c.out.resp = error_response(behaviour_.invalid_token_status, "Invalid access_token", 102);
        return std::move(c.out);
    }
    // A new token invalidates the previous one immediately.
    token_to_page_.erase(pit->second.token);
    pit->second.token = "pat_" + new_uuid();
    token_to_page_[pit->second.token] = page;
    c.out.committed = true;
    c.out.resp = json_response(200, ok_with({{"page_access_token", pit->second.token}}));
    return std::move(c.out);
}

// POST upload_contents (multipart, field `file`): {id, attachment_type, success}. The simulator
// keeps only the id and type, so sends can check their content_ids.
handle_result world::upload_post(ctx& c) {
    const auto& body = c.req.body;
    auto at = body.find("name=\"file\"");
    if (at == std::string::npos) {
        c.out.resp = invented(400, "Missing required field: 'file'");
        return std::move(c.out);
    }
    auto end = body.find("\r\n\r\n", at);
    auto head = ascii_lower(body.substr(at, end == std::string::npos ? std::string::npos : end - at));
    std::string type = "DOCUMENT";
    if (head.find("content-type: image/") != std::string::npos) type = "PHOTO";
    if (head.find("content-type: video/") != std::string::npos) type = "VIDEO";
    if (head.find("content-type: audio/") != std::string::npos) type = "AUDIO_ATTACHMENT_ID";
    auto id = new_uuid();
    c.page->uploads[id] = type;
    c.out.committed = true;
    c.out.resp = json_response(200, json::object{{"id", id}, {"attachment_type", type}, {"success", true}});
    return std::move(c.out);
}

// ---- customer traffic (admin) ----------------------------------------------------------------

void world::auto_assign(page_state& p, conversation& c, wall_time wall) {
    auto& list = c.type == "COMMENT" ? p.round_robin.comment : p.round_robin.inbox;
    auto& cursor = c.type == "COMMENT" ? p.rr_cursor_comment : p.rr_cursor_inbox;
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto idx = (cursor + i) % list.size();
        auto u = std::find_if(p.users.begin(), p.users.end(), [&](auto& x) { return x.id == list[idx]; });
        // Skips users who are disabled (not in users), offline, or not working in the page.
        if (u == p.users.end() || !u->is_online || u->status == "offline" ||
            (!u->status_in_page.empty() && u->status_in_page != "active"))
            continue;
        cursor = idx + 1;
        assign_user au{u->id, u->name, std::nullopt, u->fb_id};
        c.assignee_ids = {u->id};
        c.current_assign_users = {au};
        c.assignee_histories.push_back({to_utc(wall), c.id.value(), {{au}, {}}});
        return;
    }
}

handle_result world::inject(const std::string& page, const customer_message& m, wall_time wall) {
    handle_result out;
    out.route = "admin.inject";
    out.page = page;
    auto pit = pages_.find(page);
    if (pit == pages_.end() || m.psid.empty()) {
        out.resp = error_response(404, pit == pages_.end() ? "Unknown page" : "psid is required");
        return out;
    }
    auto& p = pit->second;
    std::string cid;
    if (m.conversation_id) {
        cid = *m.conversation_id;
    } else if (m.type == "COMMENT") {
        // Comment threads are {post_fbid}_{comment_fbid} (spec): the customer's thread on this post
        // if there is one, else a new one named after this comment.
        const std::string post = m.post_id.value_or(page + "_post");
        for (auto& [id, x] : p.conversations)
            if (x.type == "COMMENT" && x.post_id == post && x.from && x.from->id == m.psid) cid = id;
        if (cid.empty()) {
            auto us = post.rfind('_');
            std::uniform_int_distribution<std::uint64_t> d(100'000'000'000'000, 999'999'999'999'999);
            cid = (us == std::string::npos ? post : post.substr(us + 1)) + "_" + std::to_string(d(rng_));
        }
    } else {
        cid = page + "_" + m.psid;
    }
    auto [it, created] = p.conversations.try_emplace(cid);
    auto& c = it->second;
    if (created) {
        c.id = conversation_id(cid);
        c.type = m.type;
        c.page_id = p.info.id;
        c.post_id = m.type == "COMMENT" ? std::optional(m.post_id.value_or(page + "_post")) : m.post_id;
        c.inserted_at = to_utc(wall);
        c.from = party{m.psid, m.name, std::nullopt, std::nullopt};
        c.customer_id = customer_id(new_uuid());
        c.customers = {customer_ref{new_uuid(), m.psid, m.name}};
        c.version = 0;
        auto_assign(p, c, wall);
    }
    message msg;
    msg.id = message_id(new_message_id());
    msg.conversation_id = cid;
    msg.page_id = page;
    msg.type = m.type;
    msg.message = "<div>" + html_escape(m.text) + "</div>";
    msg.original_message = m.text;
    msg.from = sender{m.psid, m.name, {}, {},
                      {},     {},     {}, c.customers.empty() ? std::nullopt : std::optional(c.customers[0].id),
                      false,  false};
    msg.inserted_at = to_utc(wall);
    p.messages[cid].push_back(msg);
    c.snippet = m.text;
    c.message_count += 1;
    c.seen = false;
    c.last_sent_by = msg.from;
    touch(p, c, wall, out.events);
    out.events.insert(out.events.begin(), emitted_event{p.info.id, messaging_event(p, c, msg)});
    out.committed = true;
    out.resp = json_response(200, ok_with({{"conversation", encode(c)}, {"message_id", msg.id.value()}}));
    return out;
}

// ---- snapshot (pancake-sim --state) ----------------------------------------------------------

json::value world::snapshot() const {
    json::array pages;
    for (auto& [id, p] : pages_) {
        auto o = encode(p.info).as_object();
        o["page_access_token"] = p.token;
        o["tags"] = encode(p.tags);
        o["users"] = encode(p.users);
        o["disabled_users"] = encode(p.disabled_users);
        o["round_robin_users"] = encode(p.round_robin);
        o["rr_cursor_inbox"] = p.rr_cursor_inbox;
        o["rr_cursor_comment"] = p.rr_cursor_comment;
        json::array uploads;
        for (auto& [id, type] : p.uploads)
            uploads.push_back(json::object{{"id", id}, {"attachment_type", type}});
        o["uploads"] = std::move(uploads);
        json::array convs;
        for (auto& [cid, c] : p.conversations) {
            auto jc = encode(c).as_object();
            if (auto m = p.messages.find(cid); m != p.messages.end()) jc["messages"] = encode(m->second);
            convs.push_back(std::move(jc));
        }
        o["conversations"] = std::move(convs);
        pages.push_back(std::move(o));
    }
    json::array tokens;
    for (auto& t : user_tokens_) {
        json::array ps;
        for (auto& p : t.pages)
            ps.push_back(json::value(p));
        json::object o{{"access_token", t.token}, {"pages", std::move(ps)}};
        if (t.expires_at) o["expires_at"] = *t.expires_at;
        tokens.push_back(std::move(o));
    }
    std::ostringstream rng;
    rng << rng_;
    return json::object{{"pancake_sim_snapshot", 1},
                        {"fixture", fixture_},
                        {"state", json::object{{"pages", std::move(pages)}, {"user_tokens", std::move(tokens)}}},
                        {"message_counter", message_counter_},
                        {"rng", rng.str()}};
}

bool world::restore(const json::value& snap, std::string& err) {
    auto* o = snap.if_object();
    if (!o || !o->contains("pancake_sim_snapshot") || !o->contains("state") || !o->contains("fixture")) {
        err = "not a pancake-sim snapshot";
        return false;
    }
    world probe(seed_); // the fixture must load too, or reset() would fail later
    if (!probe.load_fixture(o->at("fixture"), err)) {
        err = "snapshot fixture: " + err;
        return false;
    }
    auto* counter = o->if_contains("message_counter");
    auto* rng = o->if_contains("rng");
    std::mt19937_64 gen;
    if (rng && rng->is_string()) {
        std::istringstream in{std::string(rng->as_string())};
        in >> gen;
        if (!in) {
            err = "snapshot: bad rng state";
            return false;
        }
    }
    if (!counter || !(counter->is_uint64() || (counter->is_int64() && counter->as_int64() >= 0)) || !rng ||
        !rng->is_string()) {
        err = "snapshot: message_counter and rng are required";
        return false;
    }
    const auto saved_fixture = o->at("fixture");
    if (!probe.load_fixture(o->at("state"), err)) {
        err = "snapshot state: " + err;
        return false;
    }
    for (auto& jp : o->at("state").at("pages").as_array()) {
        auto& po = jp.as_object();
        auto* id = po.if_contains("id");
        auto it = id && id->is_string() ? probe.pages_.find(std::string(id->as_string())) : probe.pages_.end();
        if (it == probe.pages_.end()) continue;
        auto& ps = it->second;
        if (auto* c = po.if_contains("rr_cursor_inbox"); c && c->is_uint64()) ps.rr_cursor_inbox = c->as_uint64();
        if (auto* c = po.if_contains("rr_cursor_inbox"); c && c->is_int64()) ps.rr_cursor_inbox = c->as_int64();
        if (auto* c = po.if_contains("rr_cursor_comment"); c && c->is_uint64()) ps.rr_cursor_comment = c->as_uint64();
        if (auto* c = po.if_contains("rr_cursor_comment"); c && c->is_int64()) ps.rr_cursor_comment = c->as_int64();
    }
    pages_ = std::move(probe.pages_);
    token_to_page_ = std::move(probe.token_to_page_);
    user_tokens_ = std::move(probe.user_tokens_);
    fixture_ = saved_fixture;
    message_counter_ = counter->is_uint64() ? counter->as_uint64() : static_cast<std::uint64_t>(counter->as_int64());
    rng_ = gen;
    return true;
}

} // namespace pancake::sim

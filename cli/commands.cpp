#include "commands.hpp"

#include "exit_codes.hpp"

#include <pancake/json.hpp>
#include <pancake/text/fold.hpp>
#include <pancake/types/time.hpp>
#include <pancake/workflow/assignees.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

namespace pancake::cli {

namespace json = boost::json;
using asio::as_tuple;
using asio::use_awaitable;

call_options session::call() const {
    call_options o;
    if (inv.global.timeout) o.timeout = std::chrono::milliseconds(static_cast<long long>(*inv.global.timeout * 1000.0));
    return o;
}

void fail(const error_code& ec, const diagnostics* diag, const std::string& doing) { throw failure(ec, diag, doing); }

// ---- arguments ----

namespace {

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string upper(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

conversation_type parse_type(const std::string& text) {
    const auto t = upper(text);
    if (t == "INBOX") return conversation_type::inbox;
    if (t == "COMMENT") return conversation_type::comment;
    if (t == "COMMENT_LIVESTREAM" || t == "LIVESTREAM") return conversation_type::comment_livestream;
    if (t == "POST") return conversation_type::post;
    throw usage_error("--type " + text + ": expected INBOX, COMMENT, COMMENT_LIVESTREAM or POST");
}

std::vector<std::string> strings(const session& s, const char* name) {
    if (!s.vm().count(name)) return {};
    return s.vm()[name].as<std::vector<std::string>>();
}

std::string cut(const std::string& text, std::size_t max) {
    std::string out;
    std::size_t n = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c & 0xC0) != 0x80 && n++ == max) return out + "…";
        out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : text[i];
    }
    return out;
}

std::string join(const std::vector<std::string>& parts, const char* sep = ", ") {
    std::string out;
    for (auto& p : parts) {
        if (!out.empty()) out += sep;
        out += p;
    }
    return out;
}

template <class Id>
json::array id_array(const std::vector<Id>& ids) {
    json::array a;
    for (auto& i : ids)
        a.emplace_back(i.value());
    return a;
}

/// Names for tag ids, from the tag directory's cached listing (no request when it is fresh).
asio::awaitable<std::vector<std::string>> tag_names(session& s, const std::vector<tag_id>& ids) {
    auto [ec, all] = co_await s.tags.async_tags(as_tuple(use_awaitable));
    std::vector<std::string> out;
    for (auto& id : ids) {
        std::string name = std::to_string(id.value());
        if (!ec)
            for (auto& t : all)
                if (t.id == id) name = t.text;
        out.push_back(std::move(name));
    }
    co_return out;
}

/// Names for staff ids, from the staff directory (former staff included).
asio::awaitable<std::vector<std::string>> user_names(session& s, const std::vector<user_id>& ids) {
    std::vector<std::string> out;
    for (auto& id : ids) {
        auto [ec, m] = co_await s.staff.async_get(id, as_tuple(use_awaitable));
        out.push_back(ec ? id.value() : m.name);
    }
    co_return out;
}

} // namespace

std::int64_t parse_time(const std::string& text, bool end_of_day) {
    if (all_digits(text)) {
        std::int64_t v = 0;
        auto [p, e] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (e == std::errc() && p == text.data() + text.size()) return v;
    }
    if (text.size() == 10)
        if (auto t = utc_time::parse(text + "T00:00:00")) return t->unix_seconds() + (end_of_day ? 86399 : 0);
    if (auto t = utc_time::parse(text)) return t->unix_seconds();
    throw usage_error("'" + text + "' is not a time: give unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC)");
}

asio::awaitable<tag> resolve_tag(session& s, const std::string& id_or_name) {
    if (all_digits(id_or_name)) {
        std::int64_t n = 0;
        std::from_chars(id_or_name.data(), id_or_name.data() + id_or_name.size(), n);
        auto [ec, t] = co_await s.tags.async_get(tag_id(n), as_tuple(use_awaitable));
        if (!ec) co_return t;
        if (ec != workflow::state_error::unknown_tag) fail(ec, nullptr, "listing the page's tags");
    }
    auto [ec, t] = co_await s.tags.async_find(id_or_name, as_tuple(use_awaitable));
    if (ec == workflow::state_error::unknown_tag)
        throw failure(exit_not_found, "no tag with the id or name '" + id_or_name + "' on page " + s.page.value());
    if (ec == workflow::state_error::ambiguous_name)
        throw failure(exit_not_found, "'" + id_or_name + "' fits more than one tag: give the tag's id");
    if (ec == errc::invalid_argument) throw usage_error("'" + id_or_name + "' is not UTF-8");
    if (ec) fail(ec, nullptr, "listing the page's tags");
    co_return t;
}

asio::awaitable<user_id> resolve_user(session& s, const std::string& id_or_name) {
    {
        auto [ec, m] = co_await s.staff.async_get(user_id(id_or_name), as_tuple(use_awaitable));
        if (!ec) co_return m.id;
        if (ec != workflow::state_error::unknown_staff) fail(ec, nullptr, "listing the page's staff");
    }
    auto [ec, m] = co_await s.staff.async_find(id_or_name, as_tuple(use_awaitable));
    if (ec == workflow::state_error::unknown_staff) {
        // Not a full name: the last words of one ("Bình" for "Trần Thị Bình"), if only one fits.
        auto [sec, snap] = co_await s.staff.async_snapshot(as_tuple(use_awaitable));
        if (sec) fail(sec, nullptr, "listing the page's staff");
        std::vector<user_id> fits;
        if (const auto q = text::accent_fold(id_or_name); q && !q->empty()) {
            auto fits_name = [&](const std::string& name) {
                const auto n = text::accent_fold(name);
                return n && n->size() > q->size() && n->ends_with(*q) && (*n)[n->size() - q->size() - 1] == ' ';
            };
            for (auto& u : snap.users)
                if (fits_name(u.name)) fits.push_back(u.id);
        }
        if (fits.size() == 1) co_return fits.front();
        if (fits.size() > 1)
            throw failure(exit_not_found,
                          "'" + id_or_name + "' fits more than one staff member: give the full name or id");
        throw failure(exit_not_found,
                      "no staff member with the id or name '" + id_or_name + "' on page " + s.page.value());
    }
    if (ec == workflow::state_error::ambiguous_name)
        throw failure(exit_not_found, "'" + id_or_name + "' fits more than one staff member: give the id");
    if (ec == errc::invalid_argument) throw usage_error("'" + id_or_name + "' is not UTF-8");
    if (ec) fail(ec, nullptr, "listing the page's staff");
    co_return m.id;
}

bool has_filter(const session& s) {
    return s.vm().count("type") || s.vm().count("tag") || s.vm().count("since") || s.vm().count("until");
}

asio::awaitable<workflow::walk_filter> read_filter(session& s) {
    workflow::walk_filter f;
    for (auto& t : strings(s, "type"))
        f.types.push_back(parse_type(t));
    if (s.vm().count("since")) f.since = parse_time(s.arg("since"), false);
    if (s.vm().count("until")) f.until = parse_time(s.arg("until"), true);
    if (f.since && f.until && *f.since > *f.until) throw usage_error("--since is after --until");
    f.order_by_inserted_at = s.flag("inserted");
    for (auto& name : strings(s, "tag")) {
        auto t = co_await resolve_tag(s, name);
        f.tags.push_back(t.id);
    }
    co_return f;
}

// ---- the commands ----

namespace {

asio::awaitable<int> cmd_tags(session& s) {
    diagnostics d;
    auto o = s.call();
    o.diag = &d;
    auto [ec, tags] = co_await s.api.async_list_tags(s.page, o, as_tuple(use_awaitable));
    if (ec) fail(ec, &d, "listing the page's tags");
    if (s.out.json()) {
        json::array a;
        for (auto& t : tags)
            a.push_back(encode(t));
        s.out.document(json::object{{"page", s.page.value()}, {"tags", std::move(a)}});
        co_return exit_ok;
    }
    std::vector<std::vector<std::string>> rows;
    for (auto& t : tags)
        rows.push_back({std::to_string(t.id.value()), t.text, t.color});
    s.out.table({"ID", "NAME", "COLOR"}, rows);
    co_return exit_ok;
}

asio::awaitable<int> cmd_users(session& s) {
    diagnostics d;
    auto o = s.call();
    o.diag = &d;
    auto [ec, snap] = co_await s.api.async_list_users(s.page, o, as_tuple(use_awaitable));
    if (ec) fail(ec, &d, "listing the page's staff");
    if (s.out.json()) {
        auto doc = encode(snap);
        doc.as_object()["page"] = s.page.value();
        s.out.document(doc);
        co_return exit_ok;
    }
    auto in = [](const std::vector<user_id>& list, const user_id& id) {
        return std::find(list.begin(), list.end(), id) != list.end();
    };
    std::vector<std::vector<std::string>> rows;
    for (auto& u : snap.users) {
        std::vector<std::string> rr;
        if (in(snap.round_robin_users.inbox, u.id)) rr.push_back("inbox");
        if (in(snap.round_robin_users.comment, u.id)) rr.push_back("comment");
        rows.push_back({u.id.value(), u.name, u.status, u.is_online ? "yes" : "no", u.status_in_page, join(rr, ",")});
    }
    for (auto& u : snap.disabled_users)
        rows.push_back({u.id.value(), u.name, "former", "-", "-", ""});
    s.out.table({"ID", "NAME", "STATUS", "ONLINE", "IN PAGE", "ROUND-ROBIN"}, rows);
    co_return exit_ok;
}

asio::awaitable<int> cmd_conversations(session& s) {
    auto filter = co_await read_filter(s);
    std::vector<conversation> found;
    diagnostics d;
    auto o = s.call();
    o.diag = &d;
    std::size_t requests = 1;
    if (s.flag("all")) {
        if (s.flag("unread-first")) throw usage_error("--unread-first lists one page: it does not go with --all");
        workflow::walk_options wo;
        wo.call = o;
        workflow::conversation_walk walk(s.api, s.page, filter, wo);
        for (;;) {
            auto [ec, batch] = co_await walk.async_next(as_tuple(use_awaitable));
            if (ec) fail(ec, &d, "listing conversations");
            if (batch.empty()) break;
            for (auto& c : batch)
                found.push_back(std::move(c));
        }
        requests = walk.progress().requests;
        // Newest first, as one listing call answers.
        std::stable_sort(found.begin(), found.end(), [](const conversation& a, const conversation& b) {
            auto ta = a.updated_at ? a.updated_at->unix_seconds() : 0;
            auto tb = b.updated_at ? b.updated_at->unix_seconds() : 0;
            return ta > tb;
        });
    } else {
        if (filter.types.size() > 1) throw usage_error("one listing call takes one --type: add --all for several");
        conversation_query q;
        if (!filter.types.empty()) q.type = filter.types.front();
        q.tags = filter.tags;
        q.since = filter.since;
        q.until = filter.until;
        q.order_by_inserted_at = filter.order_by_inserted_at;
        q.unread_first = s.flag("unread-first");
        auto [ec, list] = co_await s.api.async_list_conversations(s.page, q, o, as_tuple(use_awaitable));
        if (ec) fail(ec, &d, "listing conversations");
        found = std::move(list.conversations);
    }
    if (s.out.json()) {
        json::array a;
        for (auto& c : found)
            a.push_back(encode(c));
        s.out.document(json::object{{"page", s.page.value()},
                                    {"count", found.size()},
                                    {"complete", s.flag("all")},
                                    {"requests", requests},
                                    {"conversations", std::move(a)}});
        co_return exit_ok;
    }
    std::vector<std::vector<std::string>> rows;
    for (auto& c : found) {
        std::vector<std::string> tags, who;
        for (auto& t : c.tags)
            if (t) tags.push_back(t->text.empty() && t->id ? std::to_string(t->id->value()) : t->text);
        for (auto& u : c.current_assign_users)
            who.push_back(u.name);
        if (who.empty())
            for (auto& id : c.assignee_ids)
                who.push_back(id.value().substr(0, 8));
        rows.push_back({c.id.value(), c.type, c.updated_at ? c.updated_at->to_string().substr(0, 19) : "",
                        c.seen ? "read" : "unread", join(tags), join(who), cut(c.snippet.value_or(""), 40)});
    }
    s.out.table({"ID", "TYPE", "UPDATED (UTC)", "SEEN", "TAGS", "ASSIGNEES", "SNIPPET"}, rows);
    if (!s.flag("all") && found.size() >= 60)
        s.out.note("(60 shown: the listing's cap; --all lists every matching conversation)");
    co_return exit_ok;
}

asio::awaitable<int> cmd_tag(session& s, bool add) {
    const conversation_id conv(s.arg("conversation"));
    const auto t = co_await resolve_tag(s, s.arg("tag-name"));
    diagnostics d;
    auto o = s.call();
    o.diag = &d;
    error_code ec;
    tag_update_result r;
    if (add)
        std::tie(ec, r) = co_await s.api.async_add_tag(s.page, conv, t.id, o, as_tuple(use_awaitable));
    else
        std::tie(ec, r) = co_await s.api.async_remove_tag(s.page, conv, t.id, o, as_tuple(use_awaitable));
    if (ec) fail(ec, &d, std::string(add ? "tagging" : "untagging") + " conversation " + conv.value());
    if (s.out.json()) {
        s.out.document(json::object{{"conversation", conv.value()},
                                    {"action", add ? "add" : "remove"},
                                    {"tag", json::object{{"id", t.id.value()}, {"text", t.text}}},
                                    {"tags", id_array(r.data)}});
        co_return exit_ok;
    }
    auto names = co_await tag_names(s, r.data);
    s.out.line(std::string(add ? "tagged " : "untagged ") + conv.value() + " \"" + t.text +
               "\"; tags now: " + (names.empty() ? "(none)" : join(names)));
    co_return exit_ok;
}

asio::awaitable<int> cmd_assign(session& s) {
    const conversation_id conv(s.arg("conversation"));
    const auto given = strings(s, "users");
    if (given.empty() && !s.flag("none"))
        throw usage_error("assign replaces the assignees: name them, or give --none to unassign everyone");
    if (!given.empty() && s.flag("none")) throw usage_error("--none takes no users");
    std::vector<user_id> users;
    for (auto& g : given) {
        auto id = co_await resolve_user(s, g);
        if (std::find(users.begin(), users.end(), id) == users.end()) users.push_back(std::move(id));
    }
    diagnostics d;
    auto o = s.call();
    o.diag = &d;
    auto [ec, r] = co_await s.api.async_assign(s.page, conv, users, o, as_tuple(use_awaitable));
    if (ec) fail(ec, &d, "assigning conversation " + conv.value());
    if (s.out.json()) {
        s.out.document(json::object{{"conversation", conv.value()}, {"assignee_ids", id_array(r.assignee_ids)}});
        co_return exit_ok;
    }
    auto names = co_await user_names(s, r.assignee_ids);
    s.out.line("assigned " + conv.value() +
               " (replacing its assignees); assignees now: " + (names.empty() ? "(none)" : join(names)));
    co_return exit_ok;
}

asio::awaitable<int> cmd_change_assignee(session& s, bool add) {
    const conversation_id conv(s.arg("conversation"));
    const auto who = co_await resolve_user(s, s.arg("user"));
    workflow::conversation_editor editor(s.api);
    error_code ec;
    std::vector<user_id> now;
    if (add)
        std::tie(ec, now) = co_await editor.async_add_assignee(s.page, conv, who, as_tuple(use_awaitable));
    else
        std::tie(ec, now) = co_await editor.async_remove_assignee(s.page, conv, who, as_tuple(use_awaitable));
    if (ec == workflow::state_error::conversation_not_found)
        throw failure(exit_not_found, "conversation " + conv.value() + " is not in the page's recent listing");
    if (ec)
        fail(ec, nullptr, std::string(add ? "adding an assignee to " : "removing an assignee from ") + conv.value());
    if (s.out.json()) {
        s.out.document(json::object{{"conversation", conv.value()},
                                    {"action", add ? "add" : "remove"},
                                    {"user", who.value()},
                                    {"assignee_ids", id_array(now)}});
        co_return exit_ok;
    }
    auto names = co_await user_names(s, now);
    s.out.line(conv.value() + " assignees now: " + (names.empty() ? "(none)" : join(names)));
    co_return exit_ok;
}

asio::awaitable<int> cmd_read(session& s, bool read) {
    const conversation_id conv(s.arg("conversation"));
    diagnostics d;
    auto o = s.call();
    o.diag = &d;
    error_code ec;
    status_result r;
    if (read)
        std::tie(ec, r) = co_await s.api.async_mark_read(s.page, conv, o, as_tuple(use_awaitable));
    else
        std::tie(ec, r) = co_await s.api.async_mark_unread(s.page, conv, o, as_tuple(use_awaitable));
    if (ec) fail(ec, &d, "marking conversation " + conv.value() + (read ? " read" : " unread"));
    if (s.out.json()) {
        s.out.document(json::object{{"conversation", conv.value()}, {"seen", read}});
        co_return exit_ok;
    }
    s.out.line("marked " + conv.value() + (read ? " read" : " unread"));
    co_return exit_ok;
}

constexpr const char* rr_lists[] = {"inbox", "comment"};

asio::awaitable<int> cmd_round_robin(session& s) {
    const auto action = s.arg("action");
    if (action == "show") {
        if (s.vm().count("inbox") || s.vm().count("comment")) throw usage_error("round-robin show takes no lists");
        diagnostics d;
        auto o = s.call();
        o.diag = &d;
        auto [ec, snap] = co_await s.api.async_list_users(s.page, o, as_tuple(use_awaitable));
        if (ec) fail(ec, &d, "reading the round-robin lists");
        const auto& rr = snap.round_robin_users;
        if (s.out.json()) {
            s.out.document(json::object{{"inbox", id_array(rr.inbox)}, {"comment", id_array(rr.comment)}});
            co_return exit_ok;
        }
        std::map<std::string, std::string> names;
        for (auto& u : snap.users)
            names[u.id.value()] = u.name;
        std::vector<std::vector<std::string>> rows;
        for (auto [list, ids] : {std::pair{"inbox", &rr.inbox}, std::pair{"comment", &rr.comment}})
            for (auto& id : *ids)
                rows.push_back({list, id.value(), names.count(id.value()) ? names[id.value()] : "?"});
        s.out.table({"LIST", "ID", "NAME"}, rows);
        co_return exit_ok;
    }
    if (action != "set") throw usage_error("round-robin: expected 'show' or 'set', not '" + action + "'");
    if (!s.vm().count("inbox") && !s.vm().count("comment"))
        throw usage_error("round-robin set: give --inbox and/or --comment (a list not given is kept)");
    round_robin_update u;
    json::object doc;
    for (const char* which : rr_lists) {
        if (!s.vm().count(which)) continue;
        std::vector<user_id> ids;
        for (auto& g : strings(s, which)) {
            auto id = co_await resolve_user(s, g);
            if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(std::move(id));
        }
        doc[which] = id_array(ids);
        (std::string(which) == "inbox" ? u.inbox : u.comment) = std::move(ids);
    }
    diagnostics d;
    auto o = s.call();
    o.diag = &d;
    auto [ec, r] = co_await s.api.async_set_round_robin_users(s.page, u, o, as_tuple(use_awaitable));
    if (ec) fail(ec, &d, "setting the round-robin lists");
    if (!r.success) throw failure(exit_api, "setting the round-robin lists: the API answered success:false");
    if (s.out.json()) {
        doc["success"] = true;
        s.out.document(doc);
        co_return exit_ok;
    }
    for (const char* which : rr_lists) {
        if (!u.inbox && std::string(which) == "inbox") continue;
        if (!u.comment && std::string(which) == "comment") continue;
        auto names = co_await user_names(s, std::string(which) == "inbox" ? *u.inbox : *u.comment);
        s.out.line(std::string("round-robin ") + which + ": " + (names.empty() ? "(empty)" : join(names)));
    }
    co_return exit_ok;
}

} // namespace

asio::awaitable<int> run_command(session& s) {
    const auto& c = s.inv.command;
    if (c == "tags") co_return co_await cmd_tags(s);
    if (c == "users") co_return co_await cmd_users(s);
    if (c == "conversations") co_return co_await cmd_conversations(s);
    if (c == "tag") co_return co_await cmd_tag(s, true);
    if (c == "untag") co_return co_await cmd_tag(s, false);
    if (c == "assign") co_return co_await cmd_assign(s);
    if (c == "add-assignee") co_return co_await cmd_change_assignee(s, true);
    if (c == "remove-assignee") co_return co_await cmd_change_assignee(s, false);
    if (c == "read") co_return co_await cmd_read(s, true);
    if (c == "unread") co_return co_await cmd_read(s, false);
    if (c == "round-robin") co_return co_await cmd_round_robin(s);
    if (c == "clear-tags") co_return co_await run_clear_tags(s);
    if (c == "bulk-reassign") co_return co_await run_bulk_reassign(s);
    if (c == "follow-up") co_return co_await run_follow_up(s);
    throw usage_error("unknown command '" + c + "'");
}

} // namespace pancake::cli

// Webhook envelopes (conversation and messaging events) and the customer traffic that causes
// them outside the API: inject (admin) and the round-robin auto-assignment of a new conversation.
#include "handlers.hpp"

#include <algorithm>

namespace pancake::sim {

// The `post` of a messaging event: the post object for a COMMENT, null for INBOX. A post the page
// does not hold (not in the fixture's "posts") is its id, page and author (the page).
json::value world::post_json(const page_state& p, const std::optional<std::string>& post_id) const {
    if (!post_id) return nullptr;
    auto known = p.posts.find(*post_id);
    if (known != p.posts.end()) {
        auto& post = known->second;
        return json::object{{"id", post.id},
                            {"page_id", p.info.id.value()},
                            {"from", json::object{{"id", post.from.id}, {"name", post.from.name}}},
                            {"message", post.message},
                            {"type", post.type},
                            {"attachments", nullptr}};
    }
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
    p.listing.before_change(p.conversations, p.conversations.index_of(c.id.value()));
    c.updated_at = to_utc(wall);
    p.listing.after_change(p.conversations, p.conversations.refresh(c));
    c.version = c.version.value_or(0) + 1;
    json::object ev{{"event_type", "conversation"},
                    {"page_id", p.info.id.value()},
                    {"request_id", new_uuid()},
                    {"timestamp", unix_seconds(wall)},
                    {"data", json::object{{"conversation", webhook_conversation_json(p, c)}}}};
    events.push_back({p.info.id, std::move(ev)});
}

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
    const settle_on_exit guard{*this};
    auto msg = receive_customer_message(pit->second, m, {}, false, wall, out);
    auto& c = *pit->second.conversations.peek(msg.conversation_id->value());
    out.resp = json_response(200, ok_with({{"conversation", encode(c)}, {"message_id", msg.id.value()}}));
    return out;
}

message world::receive_customer_message(page_state& p, const customer_message& m, std::vector<attachment> attachments,
                                        bool chat_plugin, wall_time wall, handle_result& out) {
    const std::string& page = p.info.id.value();
    std::string cid;
    if (m.conversation_id) {
        cid = *m.conversation_id;
    } else if (m.type == "COMMENT") {
        // Comment threads are {post_fbid}_{comment_fbid} (spec): the customer's thread on this post
        // if there is one, else a new one named after this comment.
        const std::string post = m.post_id.value_or(page + "_post");
        auto& convs = p.conversations;
        convs.for_each_summary([&](std::string_view id, const conversation_store::summary& s) {
            if (!convs.comment_on(s, post)) return;
            const auto x = convs.get(id); // a copy: a scan must not fill the cache
            if (x.from && x.from->id == m.psid) cid = id;
        });
        if (cid.empty()) {
            auto us = post.rfind('_');
            std::uniform_int_distribution<std::uint64_t> d(100'000'000'000'000, 999'999'999'999'999);
            cid = (us == std::string::npos ? post : post.substr(us + 1)) + "_" + std::to_string(d(rng_));
        }
    } else {
        cid = page + "_" + m.psid;
    }
    auto [conv, created] = p.conversations.try_emplace(cid);
    auto& c = *conv;
    const bool comment = m.type == "COMMENT";
    if (created) {
        c.id = conversation_id(cid);
        c.type = m.type;
        c.page_id = p.info.id;
        c.post_id = comment ? std::optional(m.post_id.value_or(page + "_post")) : m.post_id;
        c.inserted_at = to_utc(wall);
        c.from = party{m.psid, m.name, std::nullopt, std::nullopt};
        c.customer_id = customer_id(new_uuid());
        // A new psid becomes a page customer; one the page knows keeps its page-customer id.
        const auto fresh = new_uuid();
        c.customers = {customer_ref{customer_for(p, m.psid, m.name, fresh, wall), m.psid, m.name}};
        c.version = 0;
        auto_assign(p, c, wall);
        record(p, activity::created(cid, m.psid, comment, chat_plugin), wall);
    }
    message msg;
    msg.id = message_id(new_message_id());
    msg.conversation_id = conversation_id(cid);
    msg.page_id = page_id(page);
    msg.type = m.type;
    msg.message = "<div>" + html_escape(m.text) + "</div>";
    msg.original_message = m.text;
    msg.from = sender{m.psid, m.name, {}, {},
                      {},     {},     {}, c.customers.empty() ? std::nullopt : std::optional(c.customers[0].id),
                      false,  false};
    msg.inserted_at = to_utc(wall);
    msg.attachments = std::move(attachments);
    p.conversations.append_message(cid, msg);
    c.snippet = m.text;
    c.message_count += 1;
    c.seen = false;
    c.last_sent_by = msg.from;
    record(p, activity::customer(cid, m.psid, comment, find_phone(m.text), chat_plugin), wall);
    touch(p, c, wall, out.events);
    out.events.insert(out.events.begin(), emitted_event{p.info.id, messaging_event(p, c, msg)});
    out.committed = true;
    return msg;
}

} // namespace pancake::sim

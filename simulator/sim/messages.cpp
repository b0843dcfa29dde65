// Messages: the history (30 per call, newest first), sending (text, attachments, comment
// replies, private replies) and upload_contents, whose ids sends refer to.
#include "handlers.hpp"

namespace pancake::sim {

namespace {
constexpr auto private_reply_window = std::chrono::hours(24 * 7);

json::value messages_json(const std::vector<message>& ms) {
    json::array a;
    for (auto& m : ms)
        a.push_back(message_json(m));
    return a;
}
} // namespace

json::value message_json(const message& m) {
    auto o = encode(m).as_object();
    if (!o.contains("private_reply_conversation")) o["private_reply_conversation"] = nullptr;
    return o;
}

handle_result world::messages_get(ctx& c, const conversation& conv) {
    std::size_t skip = 0;
    if (auto cc = c.param("current_count")) {
        std::int64_t n;
        if (!parse_int(*cc, n) || n < 0) {
            c.out.resp = invented(400, "current_count must be a non-negative integer");
            return std::move(c.out);
        }
        skip = static_cast<std::size_t>(n);
    }
    const auto all = c.page->conversations.messages(conv.id.value());
    std::vector<message> page;
    for (std::size_t i = skip; i < all.size() && page.size() < messages_per_call; ++i)
        page.push_back(all[all.size() - 1 - i]); // newest first
    c.out.resp = json_response(200, ok_with({{"conversation_id", conv.id.value()}, {"messages", messages_json(page)}}));
    return std::move(c.out);
}

handle_result world::messages_post(ctx& c, conversation& conv) {
    auto r = body_as<send_message_request>(c);
    if (!r) return std::move(c.out);
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
    std::vector<message> thread; // the comment's thread, a copy: written back if the comment changes
    if (r->action == "reply_comment" || r->action == "private_replies") {
        thread = c.page->conversations.messages(conv.id.value());
        for (auto& m : thread)
            if (m.id == *r->message_id) comment = &m;
        if (!comment || conv.type != "COMMENT") return fail("Comment not found");
    }
    if (r->action == "private_replies") {
        if (conv.post_id && r->post_id->value() != *conv.post_id) return fail("post_id is not the comment's post");
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
        auto [inbox, created] = c.page->conversations.try_emplace(inbox_id);
        target = inbox;
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
        c.page->conversations.put_messages(conv.id.value(), thread);
    }
    auto& to = *target;
    message m;
    m.id = message_id(new_message_id());
    m.conversation_id = to.id;
    m.page_id = c.page->info.id;
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
    c.page->conversations.append_message(to.id.value(), m);
    record(
        *c.page,
        activity::staff(to.id.value(), r->sender_id.value_or(""), to.type == "COMMENT", r->action == "private_replies"),
        c.wall);
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

} // namespace pancake::sim

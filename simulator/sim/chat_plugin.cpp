// The web chat plugin (/api/v1/pke_chat_plugin/messages, no token): a site visitor writes to the
// page and reads the thread back. A page has a plugin when its fixture names one
// ("chat_plugin_id": "web_…"); the plugin's page_id is that id (the page's own id is accepted too).
// The visitor's thread is the INBOX conversation {chat_plugin_id}_{from_id}; a message arrives like
// any customer message (listing, round-robin, webhooks).
#include "handlers.hpp"

#include <algorithm>

namespace pancake::sim {

namespace {

page_state* plugin_page(std::map<std::string, page_state, std::less<>>& pages, const std::optional<std::string>& id) {
    if (!id) return nullptr;
    for (auto& [pid, p] : pages)
        if (!p.chat_plugin_id.empty() && (p.chat_plugin_id == *id || pid == *id)) return &p;
    return nullptr;
}

bool is_plugin_conversation(const page_state& p, const std::string& cid) {
    return cid.starts_with(p.chat_plugin_id + "_") && p.conversations.contains(cid);
}

json::value or_null(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

// A message as the plugin shows it (the spec's ChatPlugin message: its own, smaller shape). The
// page's replies come from the plugin id, with the staff member as admin_id/admin_name.
json::value plugin_message_json(const page_state& p, const message& m) {
    const bool from_page = m.from && m.from->id == p.info.id.value();
    json::object from{{"id", from_page ? p.chat_plugin_id
                             : m.from  ? m.from->id
                                       : std::string()},
                      {"name", m.from ? m.from->name : std::string()},
                      {"admin_id", from_page ? or_null(m.from->admin_id) : json::value(nullptr)},
                      {"admin_name", from_page ? or_null(m.from->admin_name) : json::value(nullptr)}};
    json::array attachments;
    for (auto& a : m.attachments) {
        json::object o{{"type", a.type}, {"title", a.title.value_or("")}};
        if (a.url) {
            if (a.type == "photo" || a.type == "image")
                o["image"] = json::object{{"url", *a.url}};
            else
                o["link"] = *a.url;
        }
        attachments.push_back(std::move(o));
    }
    return json::object{{"id", m.id.value()},
                        {"message", m.message.value_or("")},
                        {"original_message", m.original_message.value_or("")},
                        {"type", m.type},
                        {"seen", m.seen},
                        {"show_info", true},
                        {"from", std::move(from)},
                        {"inserted_at", m.inserted_at ? m.inserted_at->to_string() : std::string()},
                        {"page_id", p.chat_plugin_id},
                        {"conversation_id", m.conversation_id ? m.conversation_id->value() : std::string()},
                        {"attachments", std::move(attachments)},
                        {"has_phone", m.has_phone},
                        {"is_removed", m.is_removed},
                        {"is_hidden", m.is_hidden},
                        {"message_tags", json::array{}},
                        {"user_likes", false}};
}
} // namespace

// GET ?page_id=&conversation_id=&offset=: 30 messages, the `offset` newest skipped, oldest first
// (a chat window's order).
handle_result world::chat_plugin_get(ctx& c) {
    auto fail = [&](unsigned status, std::string_view why) {
        c.out.resp = invented(status, why);
        return std::move(c.out);
    };
    if (!c.param("page_id")) return fail(400, "Missing required field: 'page_id'");
    auto* p = plugin_page(pages_, c.param("page_id"));
    if (!p) return fail(404, "Page not found");
    c.out.page = p->info.id.value();
    auto cid = c.param("conversation_id");
    if (!cid) return fail(400, "Missing required field: 'conversation_id'");
    if (!is_plugin_conversation(*p, *cid)) return fail(404, "Conversation not found");
    std::size_t skip = 0;
    if (auto v = c.param("offset")) {
        std::int64_t n;
        if (!parse_int(*v, n) || n < 0) return fail(400, "offset must be a non-negative integer");
        skip = static_cast<std::size_t>(n);
    }
    const auto all = p->conversations.messages(*cid);
    const std::size_t end = all.size() > skip ? all.size() - skip : 0;
    const std::size_t begin = end > messages_per_call ? end - messages_per_call : 0;
    json::array out;
    bool replied = false;
    for (std::size_t i = begin; i < end; ++i)
        out.push_back(plugin_message_json(*p, all[i]));
    for (auto& m : all)
        replied = replied || (m.from && m.from->id == p->info.id.value());
    // Feedback is asked for a conversation the page has answered.
    c.out.resp = json_response(200, json::object{{"messages", std::move(out)}, {"can_request_feedback", replied}});
    return std::move(c.out);
}

// POST ?page_id= {from_id, dummy_id, inserted_at, message?, name?, conversation_id?, attachments?, …}
// -> {id, success, conversation_id, from_id, dummy_id}. The client's inserted_at is checked, not
// used: the message is stamped with the server's time, as every other message.
handle_result world::chat_plugin_post(ctx& c) {
    auto fail = [&](unsigned status, std::string_view why) {
        c.out.resp = invented(status, why);
        return std::move(c.out);
    };
    if (!c.param("page_id")) return fail(400, "Missing required field: 'page_id'");
    auto* p = plugin_page(pages_, c.param("page_id"));
    if (!p) return fail(404, "Page not found");
    c.out.page = p->info.id.value();
    boost::system::error_code ec;
    auto body = json::parse(c.req.body, ec);
    if (ec || !body.is_object()) return fail(400, "Invalid JSON body");
    const auto& o = body.as_object();
    for (auto k : {"from_id", "dummy_id", "inserted_at"})
        if (!o.contains(k) || o.at(k).is_null()) return fail(400, std::string("Missing required field: '") + k + "'");
    if (!o.at("from_id").is_string() || o.at("from_id").as_string().empty()) return fail(400, "Invalid field from_id");
    for (auto k : {"dummy_id", "inserted_at"})
        if (!o.at(k).is_number()) return fail(400, std::string("Invalid field ") + k);
    auto opt_string = [&](const char* k, std::optional<std::string>& out) {
        auto* v = o.if_contains(k);
        if (!v || v->is_null()) return true;
        if (!v->is_string()) return false;
        out = std::string(v->as_string());
        return true;
    };
    std::optional<std::string> text, name, conv_id, replied;
    for (auto [k, dst] : {std::pair{"message", &text}, std::pair{"name", &name}, std::pair{"conversation_id", &conv_id},
                          std::pair{"replied_message_id", &replied}})
        if (!opt_string(k, *dst)) return fail(400, std::string("Invalid field ") + k);
    if (auto* x = o.if_contains("extra_info"); x && !x->is_null() && !x->is_object())
        return fail(400, "Invalid field extra_info");
    std::vector<attachment> attachments;
    if (auto* a = o.if_contains("attachments"); a && !a->is_null()) {
        if (!a->is_array()) return fail(400, "Invalid field attachments");
        for (auto& x : a->as_array()) {
            auto* xo = x.if_object();
            for (auto k : {"id", "name", "url", "type", "mime_type"})
                if (!xo || !xo->contains(k) || !xo->at(k).is_string())
                    return fail(400, std::string("Invalid field attachments: each needs string ") + k);
            attachment at;
            at.type = xo->at("type").as_string();
            at.url = std::string(xo->at("url").as_string());
            at.id = std::string(xo->at("id").as_string());
            at.title = std::string(xo->at("name").as_string());
            at.mime_type = std::string(xo->at("mime_type").as_string());
            attachments.push_back(std::move(at));
        }
    }
    if ((!text || text->empty()) && attachments.empty()) return fail(400, "message or attachments is required");
    const std::string from_id(o.at("from_id").as_string());
    const std::string own = p->chat_plugin_id + "_" + from_id;
    // An existing thread may be named, but only the visitor's own.
    if (conv_id) {
        if (!is_plugin_conversation(*p, *conv_id)) return fail(404, "Conversation not found");
        auto* it = p->conversations.peek(*conv_id);
        if (!it->from || it->from->id != from_id) return fail(404, "Conversation not found");
    }
    const std::string cid = conv_id.value_or(own);
    if (replied) {
        const auto ms = p->conversations.messages(cid);
        if (std::none_of(ms.begin(), ms.end(), [&](auto& m) { return m.id.value() == *replied; }))
            return fail(400, "replied_message_id: message not found");
    }
    customer_message m;
    m.psid = from_id;
    auto* existing = p->conversations.peek(cid);
    m.name = name ? *name : existing && existing->from ? existing->from->name : from_id;
    m.text = text.value_or("");
    m.type = "INBOX";
    m.conversation_id = cid;
    auto msg = receive_customer_message(*p, m, std::move(attachments), true, c.wall, c.out);
    c.out.resp = json_response(200, json::object{{"id", msg.id.value()},
                                                 {"success", true},
                                                 {"conversation_id", cid},
                                                 {"from_id", from_id},
                                                 {"dummy_id", o.at("dummy_id")}});
    return std::move(c.out);
}

} // namespace pancake::sim

// The website chat plugin: api/v1/pke_chat_plugin/messages, as a visitor's browser calls it (no
// token; the page is the plugin's "web_…" id). Not limited per page by the client.
#pragma once

#include <pancake/endpoints/checks.hpp>
#include <pancake/endpoints/context.hpp>
#include <pancake/json.hpp>
#include <pancake/types/chat_plugin.hpp>

#include <string>

namespace pancake::endpoints {

namespace detail_plugin {
inline detail::request plugin_call(const context& c, verb method, std::vector<http::query_param> query,
                                   std::string body = {}, idempotency kind = idempotency::safe) {
    detail::request r;
    r.method = method;
    r.kind = kind;
    r.body = std::move(body);
    if (!c.has_origin(r)) return r;
    r.target = http::make_target(*c.origin, {"v1", "pke_chat_plugin", "messages"}, query);
    return r;
}
} // namespace detail_plugin

/// GET pke_chat_plugin/messages?page_id&conversation_id&offset: a page of the conversation.
struct list_chat_plugin_messages {
    using response_type = chat_plugin_messages;
    using result_type = chat_plugin_messages;
    std::string plugin_page; ///< the chat plugin's page id ("web_…")
    conversation_id conversation;
    std::int64_t offset = 0;

    detail::request to_request(const context& c) const {
        auto r = detail_plugin::plugin_call(
            c, verb::get,
            {{"conversation_id", conversation.value()}, {"page_id", plugin_page}, {"offset", std::to_string(offset)}});
        checks::id(r, plugin_page, "chat plugin page id");
        checks::id(r, conversation.value(), "conversation id");
        if (!r.invalid && offset < 0) r.invalid = validation_error{errc::invalid_argument, "negative offset"};
        return r;
    }
};

/// POST pke_chat_plugin/messages?page_id: a visitor's message (opens a conversation when it
/// names none). At most once: a repeat would be a second message.
struct send_chat_plugin_message {
    using response_type = chat_plugin_send_result;
    using result_type = chat_plugin_send_result;
    std::string plugin_page;
    chat_plugin_send message;

    detail::request to_request(const context& c) const {
        auto r = detail_plugin::plugin_call(c, verb::post, {{"page_id", plugin_page}}, encode_string(message),
                                            idempotency::at_most_once);
        checks::id(r, plugin_page, "chat plugin page id");
        checks::id(r, message.from_id, "from_id");
        if (!r.invalid && message.message.empty() && message.attachments.empty())
            r.invalid = validation_error{errc::invalid_argument, "a message needs text or an attachment"};
        return r;
    }
};

} // namespace pancake::endpoints

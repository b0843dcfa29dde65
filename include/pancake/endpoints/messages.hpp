// Messages: a conversation's history, and sending (never blindly re-sent).
#pragma once

#include <pancake/endpoints/context.hpp>
#include <pancake/json.hpp>
#include <pancake/types/message.hpp>

#include <string>

namespace pancake::endpoints {

/// GET pages/{page}/conversations/{conversation}/messages?current_count=N: up to 30, newest
/// first, before index N (0: the latest).
struct list_messages {
    using response_type = message_list;
    using result_type = message_list;
    page_id page;
    conversation_id conversation;
    std::size_t current_count = 0;

    detail::request to_request(const context& c) const {
        return c.page_call(verb::get, "v1", page, {"conversations", conversation.value(), "messages"},
                           {{"current_count", std::to_string(current_count)}});
    }
};

/// POST pages/{page}/conversations/{conversation}/messages. Checked against the page's
/// platform before sending; at most once: a failure after the request may have arrived is
/// errc::outcome_unknown, never a second send.
struct send_message {
    using response_type = send_message_result;
    using result_type = send_message_result;
    page_id page;
    conversation_id conversation;
    send_message_request message;

    detail::request to_request(const context& c) const {
        auto r = c.page_call(verb::post, "v1", page, {"conversations", conversation.value(), "messages"}, {},
                             encode_string(message), idempotency::at_most_once);
        if (!r.invalid) r.invalid = message.validate(c.platform);
        return r;
    }
};

} // namespace pancake::endpoints

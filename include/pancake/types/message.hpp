// Messages (GET …/messages) and the send request (POST …/messages) with its client-side rules.
#pragma once

#include <pancake/error.hpp>
#include <pancake/types/common.hpp>

namespace pancake {

struct attachment {
    std::string type; ///< photo | video | sticker | template | system_message | …
    std::optional<std::string> url;
    std::optional<std::string> id;
    std::optional<std::string> title;
    std::optional<std::string> mime_type;
};
BOOST_DESCRIBE_STRUCT(attachment, (), (type, url, id, title, mime_type))

struct message {
    message_id id;
    std::optional<pancake::conversation_id> conversation_id;
    std::optional<pancake::page_id> page_id;
    std::string type;
    std::optional<std::string> message;          ///< rendered HTML
    std::optional<std::string> original_message; ///< raw text
    std::optional<sender> from;
    std::optional<utc_time> inserted_at;
    bool seen = false;
    bool has_phone = false;
    bool is_hidden = false;
    bool is_removed = false;
    bool is_parent = false;
    std::optional<message_id> parent_id; ///< the comment this one replies to
    std::optional<std::string> private_reply_conversation;
    std::vector<attachment> attachments;
};
BOOST_DESCRIBE_STRUCT(message, (),
                      (id, conversation_id, page_id, type, message, original_message, from, inserted_at, seen,
                       has_phone, is_hidden, is_removed, is_parent, parent_id, private_reply_conversation, attachments))

/// GET …/messages: up to 30 messages, newest first, before index `current_count`.
struct message_list {
    std::optional<pancake::conversation_id> conversation_id;
    std::vector<message> messages;
};
BOOST_DESCRIBE_STRUCT(message_list, (), (conversation_id, messages))
PANCAKE_REQUIRED_FIELDS(message_list, "messages")

struct mention {
    std::string psid;
    std::string name;
    std::int64_t offset = 0;
    std::int64_t length = 0;
};
BOOST_DESCRIBE_STRUCT(mention, (), (psid, name, offset, length))

/// The body of POST …/messages. Build it with the named constructors; `validate()` applies the
/// documented rules before anything is sent.
struct send_message_request {
    std::string action; ///< reply_inbox | reply_comment | private_replies
    std::optional<std::string> message;
    std::optional<std::vector<std::string>> content_ids;
    std::optional<pancake::message_id> message_id; ///< the comment replied to
    std::optional<pancake::post_id> post_id;
    std::optional<std::string> from_id;   ///< the customer's platform id (PSID)
    std::optional<std::string> sender_id; ///< the page's platform id, where the platform needs it
    std::optional<pancake::message_id> reply_message_id;
    std::optional<std::string> filename;
    std::optional<std::vector<mention>> mentions;

    static send_message_request inbox_reply(std::string text) {
        send_message_request r;
        r.action = "reply_inbox";
        r.message = std::move(text);
        return r;
    }
    static send_message_request comment_reply(pancake::message_id comment, std::string text) {
        send_message_request r;
        r.action = "reply_comment";
        r.message_id = std::move(comment);
        r.message = std::move(text);
        return r;
    }
    static send_message_request private_reply(pancake::post_id post, pancake::message_id comment, std::string from_psid,
                                              std::string text) {
        send_message_request r;
        r.action = "private_replies";
        r.post_id = std::move(post);
        r.message_id = std::move(comment);
        r.from_id = std::move(from_psid);
        r.message = std::move(text);
        return r;
    }

    /// Maximum content_ids per call for a platform ("facebook", "instagram", …); 1 for the rest.
    static std::size_t max_content_ids(std::string_view platform) noexcept {
        if (platform == "facebook" || platform == "personal_zalo") return 30;
        if (platform == "instagram" || platform == "telegram" || platform == "chat_plugin" || platform == "booking" ||
            platform == "mercado_libre")
            return 10;
        return 1;
    }

    /// Nothing when valid; otherwise errc::invalid_argument and why (the server's wording where
    /// it has one). The client checks this before sending, against the page's platform.
    std::optional<validation_error> validate(std::string_view platform = "facebook") const {
        auto why = problem(platform);
        if (why.empty()) return std::nullopt;
        return validation_error{make_error_code(errc::invalid_argument), std::string(why)};
    }

private:
    std::string_view problem(std::string_view platform) const {
        const bool has_text = message.has_value();
        const bool has_content = content_ids && !content_ids->empty();
        if (action != "reply_inbox" && action != "reply_comment" && action != "private_replies")
            return "action must be reply_inbox, reply_comment or private_replies";
        if (has_text && has_content) return "message and content_ids are mutually exclusive";
        if (!has_text && !has_content) return "Missing required field: 'message'";
        if (has_content && content_ids->size() > max_content_ids(platform)) return "too many content_ids";
        if (action == "reply_comment" && !message_id) return "Missing required field: 'message_id'";
        if (action == "private_replies") {
            if (!message_id) return "Missing required field: 'message_id'";
            if (!post_id) return "Missing required field: 'post_id'";
            if (!from_id) return "Missing required field: 'from_id'";
            if (has_content && content_ids->size() > 1) return "private replies take a single content id";
        }
        return {};
    }
};
BOOST_DESCRIBE_STRUCT(send_message_request, (),
                      (action, message, content_ids, message_id, post_id, from_id, sender_id, reply_message_id,
                       filename, mentions))
PANCAKE_REQUIRED_FIELDS(send_message_request, "action")

/// The 200 answer to a send: `{success, id, message}`. success and id are required so that an
/// answer of another shape (a tag list, `{}`) is never taken for a delivered message.
struct send_message_result {
    bool success = false;
    message_id id;
    std::optional<std::string> message;
};
BOOST_DESCRIBE_STRUCT(send_message_result, (), (success, id, message))
PANCAKE_REQUIRED_FIELDS(send_message_result, "success", "id")

} // namespace pancake

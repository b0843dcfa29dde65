// The five webhook envelopes, exactly as Pancake posts them. Webhook tags are plain integers
// (REST tags are objects); only conversation and connect_status carry request_id and timestamp.
#pragma once

#include <pancake/types/common.hpp>

#include <variant>

namespace pancake {

struct read_watermark {
    std::optional<std::string> psid;
    std::optional<std::string> message_id;
    std::optional<std::int64_t> watermark;
    std::optional<bool> is_group_conv;
};
BOOST_DESCRIBE_STRUCT(read_watermark, (), (psid, message_id, watermark, is_group_conv))

struct webhook_conversation {
    conversation_id id;
    std::string type; ///< INBOX | COMMENT
    std::vector<user_id> assignee_ids;
    std::optional<pancake::customer_id> customer_id;
    std::optional<party> from;
    bool is_combined = false;
    bool is_removed = false;
    bool is_replied = false;
    std::optional<std::vector<read_watermark>> read_watermarks;
    bool seen = false;
    std::optional<std::string> snippet;
    std::vector<tag_id> tags;
    std::optional<std::int64_t> version; ///< apply only if greater than the last one applied
};
BOOST_DESCRIBE_STRUCT(webhook_conversation, (),
                      (id, type, assignee_ids, customer_id, from, is_combined, is_removed, is_replied, read_watermarks,
                       seen, snippet, tags, version))
PANCAKE_REQUIRED_FIELDS(webhook_conversation, "id")

struct webhook_message {
    message_id id;
    std::optional<pancake::conversation_id> conversation_id;
    std::optional<pancake::page_id> page_id;
    std::optional<std::string> message;
    std::optional<std::string> original_message;
    std::string type;
    std::optional<utc_time> inserted_at;
    std::optional<sender> from;
    std::vector<boost::json::value> attachments;
    bool has_phone = false;
    bool is_hidden = false;
    bool is_parent = false;
    bool is_parent_hidden = false;
    bool is_removed = false;
    std::optional<message_id> parent_id;
    std::optional<std::string> private_reply_conversation;
};
BOOST_DESCRIBE_STRUCT(webhook_message, (),
                      (id, conversation_id, page_id, message, original_message, type, inserted_at, from, attachments,
                       has_phone, is_hidden, is_parent, is_parent_hidden, is_removed, parent_id,
                       private_reply_conversation))
PANCAKE_REQUIRED_FIELDS(webhook_message, "id")

struct messaging_data {
    webhook_conversation conversation;
    webhook_message message;
    std::optional<boost::json::value> post; ///< the post, for COMMENT only
};
BOOST_DESCRIBE_STRUCT(messaging_data, (), (conversation, message, post))
PANCAKE_REQUIRED_FIELDS(messaging_data, "conversation", "message")

/// A new or edited message. Re-sent with the same message id when edited; dedupe on message.id.
struct messaging_event {
    std::string event_type = "messaging";
    pancake::page_id page_id;
    messaging_data data;
};
BOOST_DESCRIBE_STRUCT(messaging_event, (), (event_type, page_id, data))
PANCAKE_REQUIRED_FIELDS(messaging_event, "page_id", "data")

struct conversation_data {
    webhook_conversation conversation;
};
BOOST_DESCRIBE_STRUCT(conversation_data, (), (conversation))
PANCAKE_REQUIRED_FIELDS(conversation_data, "conversation")

/// Assignment, tags, seen or snippet changed.
struct conversation_event {
    std::string event_type = "conversation";
    pancake::page_id page_id;
    std::string request_id; ///< unique per delivery: the idempotency key
    std::int64_t timestamp = 0;
    conversation_data data;
};
BOOST_DESCRIBE_STRUCT(conversation_event, (), (event_type, page_id, request_id, timestamp, data))
PANCAKE_REQUIRED_FIELDS(conversation_event, "page_id", "data")

struct connect_status_data {
    std::string connect_status; ///< "connected" | "disconnected"
    std::optional<std::string> page_id;
};
BOOST_DESCRIBE_STRUCT(connect_status_data, (), (connect_status, page_id))
PANCAKE_REQUIRED_FIELDS(connect_status_data, "connect_status")

struct connect_status_event {
    std::string event_type = "connect_status";
    pancake::page_id page_id;
    std::string request_id;
    std::int64_t timestamp = 0;
    connect_status_data data;
};
BOOST_DESCRIBE_STRUCT(connect_status_event, (), (event_type, page_id, request_id, timestamp, data))
PANCAKE_REQUIRED_FIELDS(connect_status_event, "page_id", "data")

struct post_info {
    std::string id;
    std::optional<party> from;
    std::optional<std::string> message;
    std::optional<std::string> type;
    std::optional<utc_time> inserted_at;
    std::optional<boost::json::value> attachments;
};
BOOST_DESCRIBE_STRUCT(post_info, (), (id, from, message, type, inserted_at, attachments))
PANCAKE_REQUIRED_FIELDS(post_info, "id")

struct post_data {
    post_info post;
};
BOOST_DESCRIBE_STRUCT(post_data, (), (post))

struct post_event {
    std::string event_type = "post";
    pancake::page_id page_id;
    post_data data;
};
BOOST_DESCRIBE_STRUCT(post_event, (), (event_type, page_id, data))
PANCAKE_REQUIRED_FIELDS(post_event, "page_id", "data")

struct subscription_info {
    std::string id;
    bool is_activated = false;
    bool is_paid = false;
    std::optional<utc_time> activated_at;
    std::optional<utc_time> expired_at;
    std::optional<std::int64_t> duration;
    std::optional<std::string> currency;
    std::optional<std::int64_t> page_count;
    std::vector<std::string> page_ids;
    std::optional<std::int64_t> user_count;
    std::optional<std::string> owner_id;
    std::optional<std::string> type;
};
BOOST_DESCRIBE_STRUCT(subscription_info, (),
                      (id, is_activated, is_paid, activated_at, expired_at, duration, currency, page_count, page_ids,
                       user_count, owner_id, type))

struct subscription_data {
    subscription_info subscription;
};
BOOST_DESCRIBE_STRUCT(subscription_data, (), (subscription))

/// The plan changed. This one carries no page_id.
struct subscription_event {
    std::string event_type = "subscription";
    subscription_data data;
};
BOOST_DESCRIBE_STRUCT(subscription_event, (), (event_type, data))
PANCAKE_REQUIRED_FIELDS(subscription_event, "data")

using webhook_event =
    std::variant<messaging_event, conversation_event, subscription_event, post_event, connect_status_event>;

} // namespace pancake

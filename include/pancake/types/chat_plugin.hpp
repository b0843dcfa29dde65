// The website chat plugin (api/v1/pke_chat_plugin/messages, no token): a visitor's side of a
// web conversation.
#pragma once

#include <pancake/types/common.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pancake {

/// A file the visitor attaches (already hosted: the plugin sends its URL).
struct chat_plugin_attachment {
    std::string id;
    std::string name;
    std::string url;
    std::string type; ///< "photo", …
    std::string mime_type;
    std::optional<double> size; ///< bytes
    std::optional<double> width;
    std::optional<double> height;
};
BOOST_DESCRIBE_STRUCT(chat_plugin_attachment, (), (id, name, url, type, mime_type, size, width, height))

/// POST pke_chat_plugin/messages body. No conversation_id: a new conversation is created (sent
/// as null, which is how the API tells the two apart).
struct chat_plugin_send {
    std::string from_id;          ///< the visitor ("web_…")
    std::int64_t dummy_id = 0;    ///< the client's id for this message, echoed back
    std::int64_t inserted_at = 0; ///< client time, unix milliseconds
    std::string message;
    std::optional<std::string> name; ///< the visitor's display name
    std::optional<conversation_id> conversation;
    std::optional<message_id> replied_message_id;
    std::vector<chat_plugin_attachment> attachments;
    boost::json::object extra_info;
};

struct chat_plugin_send_result {
    message_id id;
    bool success = false;
    pancake::conversation_id conversation_id;
    std::string from_id;
    std::int64_t dummy_id = 0;
};
BOOST_DESCRIBE_STRUCT(chat_plugin_send_result, (), (id, success, conversation_id, from_id, dummy_id))
PANCAKE_REQUIRED_FIELDS(chat_plugin_send_result, "id", "conversation_id")

struct chat_plugin_sender {
    std::string id;
    std::string name;
    std::optional<std::string> admin_id;
    std::optional<std::string> admin_name;
};
BOOST_DESCRIBE_STRUCT(chat_plugin_sender, (), (id, name, admin_id, admin_name))

/// A message as the chat plugin shows it.
struct chat_plugin_message {
    message_id id;
    std::string message;          ///< HTML
    std::string original_message; ///< plain text
    std::string type;
    bool seen = false;
    bool show_info = false;
    std::optional<chat_plugin_sender> from;
    std::optional<utc_time> inserted_at;
    std::string page_id;
    pancake::conversation_id conversation_id;
    std::vector<boost::json::value> attachments; ///< link previews, files: kept as sent
    bool has_phone = false;
    bool is_removed = false;
    bool is_hidden = false;
    std::vector<std::string> message_tags;
    bool user_likes = false;
};
BOOST_DESCRIBE_STRUCT(chat_plugin_message, (),
                      (id, message, original_message, type, seen, show_info, from, inserted_at, page_id,
                       conversation_id, attachments, has_phone, is_removed, is_hidden, message_tags, user_likes))
PANCAKE_REQUIRED_FIELDS(chat_plugin_message, "id")

struct chat_plugin_messages {
    std::vector<chat_plugin_message> messages;
    bool can_request_feedback = false;
};
BOOST_DESCRIBE_STRUCT(chat_plugin_messages, (), (messages, can_request_feedback))
PANCAKE_REQUIRED_FIELDS(chat_plugin_messages, "messages")

/// Custom encoder (found by ADL): conversation_id is sent as null to open a conversation.
inline void write(boost::json::value& out, const chat_plugin_send& m) {
    boost::json::object o;
    o["from_id"] = m.from_id;
    o["dummy_id"] = m.dummy_id;
    o["inserted_at"] = m.inserted_at;
    o["message"] = m.message;
    if (m.name) o["name"] = *m.name;
    if (m.conversation)
        o["conversation_id"] = m.conversation->value();
    else
        o["conversation_id"] = nullptr;
    if (m.replied_message_id)
        o["replied_message_id"] = m.replied_message_id->value();
    else
        o["replied_message_id"] = nullptr;
    boost::json::value a;
    detail::write(a, m.attachments);
    o["attachments"] = std::move(a);
    o["extra_info"] = m.extra_info;
    out = std::move(o);
}

} // namespace pancake

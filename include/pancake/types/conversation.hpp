// The conversation (the rich v2 schema) and its histories.
#pragma once

#include <pancake/types/tag.hpp>

namespace pancake {

struct tag_ref {
    std::optional<tag_id> id;
    std::string text;
};
BOOST_DESCRIBE_STRUCT(tag_ref, (), (id, text))

struct tag_history_payload {
    std::string action; ///< "add" | "remove" | "clone"
    std::optional<std::string> editor_id;
    std::optional<std::string> editor_name;
    tag_ref tag;
};
BOOST_DESCRIBE_STRUCT(tag_history_payload, (), (action, editor_id, editor_name, tag))

/// One tag change. Not guaranteed sorted on the real API.
struct tag_history_entry {
    utc_time inserted_at;
    std::string conversation_id;
    tag_history_payload payload;
};
BOOST_DESCRIBE_STRUCT(tag_history_entry, (), (inserted_at, conversation_id, payload))

struct assignee_history_payload {
    std::vector<assign_user> added_users;
    std::vector<assign_user> deleted_users;
};
BOOST_DESCRIBE_STRUCT(assignee_history_payload, (), (added_users, deleted_users))

/// One assignment change (what an assign call added and removed).
struct assignee_history_entry {
    utc_time inserted_at;
    std::string conversation_id;
    assignee_history_payload payload;
};
BOOST_DESCRIBE_STRUCT(assignee_history_entry, (), (inserted_at, conversation_id, payload))

struct recent_phone_number {
    std::string phone_number;
    std::optional<std::string> order_id;
};
BOOST_DESCRIBE_STRUCT(recent_phone_number, (), (phone_number, order_id))

/// A conversation as GET /v2/pages/{id}/conversations returns it.
struct conversation {
    conversation_id id;
    std::string type; ///< INBOX | COMMENT | LIVESTREAM | … (text: the set differs by platform)
    std::optional<pancake::page_id> page_id;
    std::optional<std::string> post_id;
    std::optional<std::string> snippet; ///< null when the last message has no text
    bool seen = false;
    std::int64_t message_count = 0;
    bool has_phone = false;
    std::optional<utc_time> inserted_at;
    std::optional<utc_time> updated_at;
    std::optional<party> from;
    std::optional<sender> last_sent_by;
    std::vector<std::optional<conversation_tag>> tags; ///< may hold null for deleted tags
    std::vector<tag_history_entry> tag_histories;
    std::vector<user_id> assignee_ids;
    std::optional<std::string> assignee_group_id;
    std::vector<assign_user> current_assign_users;
    std::vector<assignee_history_entry> assignee_histories;
    std::optional<pancake::customer_id> customer_id;
    std::vector<customer_ref> customers;
    std::vector<recent_phone_number> recent_phone_numbers;
    std::optional<std::int64_t> version;

    /// The live tag ids (null entries skipped).
    std::vector<tag_id> tag_ids() const {
        std::vector<tag_id> out;
        for (auto& t : tags)
            if (t && t->id) out.push_back(*t->id);
        return out;
    }
    bool has_tag(tag_id t) const {
        for (auto& x : tags)
            if (x && x->id == t) return true;
        return false;
    }
};
BOOST_DESCRIBE_STRUCT(conversation, (),
                      (id, type, page_id, post_id, snippet, seen, message_count, has_phone, inserted_at, updated_at,
                       from, last_sent_by, tags, tag_histories, assignee_ids, assignee_group_id, current_assign_users,
                       assignee_histories, customer_id, customers, recent_phone_numbers, version))
PANCAKE_REQUIRED_FIELDS(conversation, "id")

/// One page of the v2 listing (at most 60; no total, no cursor: the caller uses the last id).
struct conversation_list {
    std::vector<conversation> conversations;
};
BOOST_DESCRIBE_STRUCT(conversation_list, (), (conversations))
PANCAKE_REQUIRED_FIELDS(conversation_list, "conversations")

} // namespace pancake

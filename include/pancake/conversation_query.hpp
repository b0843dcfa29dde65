// The v2 conversation listing's filters (one call: at most 60 conversations, newest first).
#pragma once

#include <pancake/ids.hpp>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace pancake {

/// The listing's `type` filter: one per call.
enum class conversation_type { inbox, comment, comment_livestream, post };

/// The wire name ("INBOX", …).
constexpr std::string_view to_string(conversation_type t) noexcept {
    switch (t) {
    case conversation_type::inbox:
        return "INBOX";
    case conversation_type::comment:
        return "COMMENT";
    case conversation_type::comment_livestream:
        return "COMMENT_LIVESTREAM";
    case conversation_type::post:
        return "POST";
    }
    return "INBOX";
}

struct conversation_query {
    std::optional<conversation_id> last_conversation_id; ///< cursor: the last id of the previous page
    std::vector<tag_id> tags;                            ///< AND filter
    std::optional<conversation_type> type;
    std::vector<post_id> post_ids;            ///< required with type post
    std::optional<std::int64_t> since, until; ///< unix seconds
    bool order_by_inserted_at = false;        ///< filter/sort on inserted_at, not updated_at
    bool unread_first = false;
};

} // namespace pancake

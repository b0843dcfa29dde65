// The page's content: posts, SIP call logs, conversations from ads (export), uploads.
#pragma once

#include <pancake/types/common.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pancake {

struct post_reactions {
    std::int64_t angry_count = 0;
    std::int64_t care_count = 0;
    std::int64_t haha_count = 0;
    std::int64_t like_count = 0;
    std::int64_t love_count = 0;
    std::int64_t sad_count = 0;
    std::int64_t wow_count = 0;
};
BOOST_DESCRIBE_STRUCT(post_reactions, (),
                      (angry_count, care_count, haha_count, like_count, love_count, sad_count, wow_count))

/// An entry of GET posts.
struct post {
    post_id id;
    pancake::page_id page_id;
    std::optional<party> from;
    std::string message;
    std::string type; ///< "video", "photo", "text", "livestream", "rating", …
    std::optional<utc_time> inserted_at;
    std::int64_t comment_count = 0;
    post_reactions reactions;
    std::int64_t phone_number_count = 0;
};
BOOST_DESCRIBE_STRUCT(post, (),
                      (id, page_id, from, message, type, inserted_at, comment_count, reactions, phone_number_count))
PANCAKE_REQUIRED_FIELDS(post, "id")

struct post_list {
    std::int64_t total = 0;
    std::vector<post> posts;
};
BOOST_DESCRIBE_STRUCT(post_list, (), (total, posts))
PANCAKE_REQUIRED_FIELDS(post_list, "posts")

/// GET posts' `type` filter.
enum class post_type { video, photo, text, livestream };

constexpr std::string_view to_string(post_type t) noexcept {
    switch (t) {
    case post_type::video:
        return "video";
    case post_type::photo:
        return "photo";
    case post_type::text:
        return "text";
    case post_type::livestream:
        return "livestream";
    }
    return "text";
}

/// GET posts: posts created in [since, until] (unix seconds), a page of at most 30.
struct post_query {
    std::int64_t since = 0;
    std::int64_t until = 0;
    std::int64_t page_number = 1;
    std::int64_t page_size = 30;
    std::optional<post_type> type;
};

/// An entry of GET sip_call_logs.
struct call_log {
    std::string call_id;
    std::string caller;
    std::string callee;
    std::optional<utc_time> start_time;
    std::int64_t duration = 0; ///< seconds
    std::string status;        ///< "completed", "missed", …
};
BOOST_DESCRIBE_STRUCT(call_log, (), (call_id, caller, callee, start_time, duration, status))

struct call_log_list {
    std::vector<call_log> data;
};
BOOST_DESCRIBE_STRUCT(call_log_list, (), (data))
PANCAKE_REQUIRED_FIELDS(call_log_list, "data")

/// GET sip_call_logs: one SIP package's calls, a page of at most 30.
struct call_log_query {
    std::string package_id; ///< the SIP package (`id` on the wire)
    std::int64_t page_number = 1;
    std::int64_t page_size = 30;
    std::optional<std::int64_t> since, until; ///< unix seconds
};

struct seen_user {
    std::string fb_id;
    std::string fb_name;
    std::optional<utc_time> seen_at;
};
BOOST_DESCRIBE_STRUCT(seen_user, (), (fb_id, fb_name, seen_at))

struct named_user {
    std::string id;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(named_user, (), (id, name))

/// An entry of GET export_data?action=conversations_from_ads.
struct ad_conversation {
    conversation_id id;
    std::vector<std::string> tags;
    std::optional<party> from;
    std::optional<utc_time> inserted_at;
    std::optional<utc_time> updated_at;
    std::vector<customer_ref> customers;
    std::vector<std::string> recent_phone_numbers;
    std::vector<seen_user> recent_seen_users;
    std::optional<std::string> thread_key;
    std::optional<std::string> psid;
    std::vector<std::string> ad_clicks;
    bool is_banned = false;
    std::vector<named_user> assignees;
};
BOOST_DESCRIBE_STRUCT(ad_conversation, (),
                      (id, tags, from, inserted_at, updated_at, customers, recent_phone_numbers, recent_seen_users,
                       thread_key, psid, ad_clicks, is_banned, assignees))
PANCAKE_REQUIRED_FIELDS(ad_conversation, "id")

struct ad_conversation_list {
    std::vector<ad_conversation> data;
};
BOOST_DESCRIBE_STRUCT(ad_conversation_list, (), (data))
PANCAKE_REQUIRED_FIELDS(ad_conversation_list, "data")

/// GET export_data?action=conversations_from_ads: 60 per call from `offset`.
struct ad_conversation_query {
    std::int64_t since = 0; ///< unix seconds
    std::int64_t until = 0;
    std::int64_t offset = 0;
};

/// POST upload_contents answer: the id a send's `content_ids` refers to.
struct upload_result {
    std::string id;
    std::string attachment_type; ///< "PHOTO", "VIDEO", "DOCUMENT", "AUDIO_ATTACHMENT_ID"
    bool success = false;
};
BOOST_DESCRIBE_STRUCT(upload_result, (), (id, attachment_type, success))
PANCAKE_REQUIRED_FIELDS(upload_result, "id")

} // namespace pancake

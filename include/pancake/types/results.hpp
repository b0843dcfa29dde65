// Responses of the workflow mutations, the page list, and the request bodies they take.
#pragma once

#include <pancake/types/common.hpp>

namespace pancake {

/// POST …/tags response. `data` is the conversation's full tag set after the update.
struct tag_update_result {
    std::vector<tag_id> data;
    bool success = false;
    std::int64_t timestamp = 0; ///< unix seconds
};
BOOST_DESCRIBE_STRUCT(tag_update_result, (), (data, success, timestamp))
PANCAKE_REQUIRED_FIELDS(tag_update_result, "data")

/// POST …/assign response: an echo of the updated conversation.
struct assign_result {
    bool success = false;
    std::optional<std::string> assignee_group_id;
    std::vector<user_id> assignee_ids;
    std::vector<customer_ref> customers;
    std::optional<party> from;
    bool seen = false;
    std::optional<utc_time> updated_at;
};
BOOST_DESCRIBE_STRUCT(assign_result, (), (success, assignee_group_id, assignee_ids, customers, from, seen, updated_at))
PANCAKE_REQUIRED_FIELDS(assign_result, "assignee_ids")

/// POST …/read and …/unread response.
struct status_result {
    bool success = false;
};
BOOST_DESCRIBE_STRUCT(status_result, (), (success))
PANCAKE_REQUIRED_FIELDS(status_result, "success")

/// POST …/round_robin_users response ("Cài đặt đã được cập nhật thành công").
struct round_robin_result {
    bool success = false;
    std::string message;
};
BOOST_DESCRIBE_STRUCT(round_robin_result, (), (success, message))
PANCAKE_REQUIRED_FIELDS(round_robin_result, "success")

/// GET /api/v1/pages (user token).
struct page {
    pancake::page_id id;
    std::string platform;
    std::string name;
    std::optional<std::string> avatar_url;
};
BOOST_DESCRIBE_STRUCT(page, (), (id, platform, name, avatar_url))
PANCAKE_REQUIRED_FIELDS(page, "id")

struct page_list {
    std::vector<page> pages;
};
BOOST_DESCRIBE_STRUCT(page_list, (), (pages))
PANCAKE_REQUIRED_FIELDS(page_list, "pages")

/// POST /api/v1/pages/{id}/generate_page_access_token answer (the document gives no schema).
struct page_token_result {
    std::string page_access_token;
    bool success = false;
};
BOOST_DESCRIBE_STRUCT(page_token_result, (), (page_access_token, success))
PANCAKE_REQUIRED_FIELDS(page_token_result, "page_access_token")

/// POST …/tags body. The documented wire form sends the id as a string.
struct tag_request {
    std::string action; ///< "add" | "remove"
    pancake::tag_id tag_id;
};
BOOST_DESCRIBE_STRUCT(tag_request, (), (action, tag_id))
PANCAKE_REQUIRED_FIELDS(tag_request, "action", "tag_id")

/// POST …/assign body: the complete new assignee set (replace semantics; [] unassigns all).
struct assign_request {
    std::vector<user_id> assignee_ids;
};
BOOST_DESCRIBE_STRUCT(assign_request, (), (assignee_ids))
PANCAKE_REQUIRED_FIELDS(assign_request, "assignee_ids")

/// Custom encoder (found by ADL): the documented wire form sends the id as a string.
inline void write(boost::json::value& out, const tag_request& r) {
    auto& o = out.emplace_object(); // in out's storage
    o.reserve(2);
    o.emplace("action", r.action);
    o.emplace("tag_id", std::to_string(r.tag_id.value()));
}

} // namespace pancake

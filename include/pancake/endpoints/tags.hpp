// Tags: the page's list, and adding or removing one on a conversation.
#pragma once

#include <pancake/endpoints/context.hpp>
#include <pancake/json.hpp>
#include <pancake/types/results.hpp>
#include <pancake/types/tag.hpp>

#include <vector>

namespace pancake::endpoints {

/// GET pages/{page}/tags
struct list_tags {
    using response_type = tag_list;
    using result_type = std::vector<tag>;
    page_id page;

    detail::request to_request(const context& c) const { return c.page_call(verb::get, "v1", page, {"tags"}); }
    static result_type to_result(response_type r) { return std::move(r.tags); }
};

/// POST pages/{page}/conversations/{conversation}/tags {"action": "add"|"remove", "tag_id"}.
/// Set semantics on the server (adding a present tag changes nothing): safe to retry.
struct toggle_tag {
    using response_type = tag_update_result;
    using result_type = tag_update_result;
    page_id page;
    conversation_id conversation;
    tag_id tag;
    bool add = true;

    detail::request to_request(const context& c) const {
        return c.page_call(verb::post, "v1", page, {"conversations", conversation.value(), "tags"}, {},
                           encode_string(tag_request{add ? "add" : "remove", tag}));
    }
};

} // namespace pancake::endpoints

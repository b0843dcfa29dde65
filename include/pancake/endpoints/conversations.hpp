// Conversations: assign (replace semantics), read state, and the v2 listing.
#pragma once

#include <pancake/conversation_query.hpp>
#include <pancake/endpoints/context.hpp>
#include <pancake/json.hpp>
#include <pancake/types/conversation.hpp>
#include <pancake/types/results.hpp>

#include <string>
#include <vector>

namespace pancake::endpoints {

/// POST pages/{page}/conversations/{conversation}/assign {"assignee_ids": [...]}: the list
/// becomes the complete set ({} unassigns everyone), so a retry lands in the same state.
struct assign {
    using response_type = assign_result;
    using result_type = assign_result;
    page_id page;
    conversation_id conversation;
    std::vector<user_id> assignees;

    detail::request to_request(const context& c) const {
        return c.page_call(verb::post, "v1", page, {"conversations", conversation.value(), "assign"}, {},
                           encode_string(assign_request{assignees}));
    }
};

/// POST pages/{page}/conversations/{conversation}/read (or unread): no body.
struct mark_read {
    using response_type = status_result;
    using result_type = status_result;
    page_id page;
    conversation_id conversation;
    bool read = true;

    detail::request to_request(const context& c) const {
        return c.page_call(verb::post, "v1", page, {"conversations", conversation.value(), read ? "read" : "unread"});
    }
};

/// GET public_api/v2/pages/{page}/conversations: one call, at most 60, newest first.
struct list_conversations {
    using response_type = conversation_list;
    using result_type = conversation_list;
    page_id page;
    conversation_query query;

    detail::request to_request(const context& c) const {
        std::vector<http::query_param> p;
        const auto& q = query;
        if (q.last_conversation_id) p.emplace_back("last_conversation_id", q.last_conversation_id->value());
        if (!q.tags.empty()) {
            std::string t;
            for (auto& id : q.tags)
                t += (t.empty() ? "" : ",") + std::to_string(id.value());
            p.emplace_back("tags", t);
        }
        if (q.type) p.emplace_back("type", std::string(to_string(*q.type)));
        for (auto& id : q.post_ids)
            p.emplace_back("post_ids", id.value());
        if (q.since) p.emplace_back("since", std::to_string(*q.since));
        if (q.until) p.emplace_back("until", std::to_string(*q.until));
        if (q.order_by_inserted_at) p.emplace_back("order_by", "inserted_at");
        if (q.unread_first) p.emplace_back("unread_first", "true");
        auto r = c.page_call(verb::get, "v2", page, {"conversations"}, p);
        if (!r.invalid && q.type == conversation_type::post && q.post_ids.empty())
            r.invalid = validation_error{errc::invalid_argument, "post_ids is required for type POST"};
        if (!r.invalid && q.since && q.until && *q.since > *q.until)
            r.invalid = validation_error{errc::invalid_argument, "since is after until"};
        return r;
    }
};

} // namespace pancake::endpoints

// Staff: the page's users, and the round-robin rotation.
#pragma once

#include <pancake/endpoints/context.hpp>
#include <pancake/json.hpp>
#include <pancake/types/results.hpp>
#include <pancake/types/user.hpp>

namespace pancake::endpoints {

/// GET pages/{page}/users
struct list_users {
    using response_type = users_snapshot;
    using result_type = users_snapshot;
    page_id page;

    detail::request to_request(const context& c) const { return c.page_call(verb::get, "v1", page, {"users"}); }
};

/// POST pages/{page}/round_robin_users: replaces the rotation (set semantics: safe to retry).
struct set_round_robin_users {
    using response_type = round_robin_result;
    using result_type = round_robin_result;
    page_id page;
    round_robin_update update;

    detail::request to_request(const context& c) const {
        return c.page_call(verb::post, "v1", page, {"round_robin_users"}, {}, encode_string(update));
    }
};

} // namespace pancake::endpoints

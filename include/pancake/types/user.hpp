// Staff users as GET /users returns them, and the round-robin lists.
#pragma once

#include <pancake/types/common.hpp>

namespace pancake {

struct user_permissions {
    std::vector<int> permissions;
};
BOOST_DESCRIBE_STRUCT(user_permissions, (), (permissions))

/// An active staff member. Assign with `id` (the UUID), never `fb_id`.
struct user {
    user_id id;
    std::string name;
    std::string status; ///< "available" | "busy" | "offline" (kept as text: the set may grow)
    std::optional<std::string> fb_id;
    std::optional<user_permissions> page_permissions; ///< nullable on the wire
    std::string status_in_page;                       ///< "active" for working staff
    bool is_online = false;

    /// The filter the seed article recommends before assigning.
    bool assignable() const noexcept { return status == "available" && status_in_page == "active"; }
};
BOOST_DESCRIBE_STRUCT(user, (), (id, name, status, fb_id, page_permissions, status_in_page, is_online))
PANCAKE_REQUIRED_FIELDS(user, "id")

/// A former staff member: not assignable, still needed to render history.
struct disabled_user {
    user_id id;
    std::string name;
    std::optional<std::string> fb_id;
};
BOOST_DESCRIBE_STRUCT(disabled_user, (), (id, name, fb_id))
PANCAKE_REQUIRED_FIELDS(disabled_user, "id")

/// Pancake's built-in auto-assignment lists, by conversation kind.
struct round_robin_users {
    std::vector<user_id> inbox;
    std::vector<user_id> comment;
};
BOOST_DESCRIBE_STRUCT(round_robin_users, (), (inbox, comment))

/// The GET /users response.
struct users_snapshot {
    std::vector<user> users;
    std::vector<disabled_user> disabled_users;
    pancake::round_robin_users round_robin_users;
};
BOOST_DESCRIBE_STRUCT(users_snapshot, (), (users, disabled_users, round_robin_users))
PANCAKE_REQUIRED_FIELDS(users_snapshot, "users")

/// The POST /round_robin_users body. An absent list is omitted (the server keeps it).
struct round_robin_update {
    std::optional<std::vector<user_id>> inbox;
    std::optional<std::vector<user_id>> comment;
};
BOOST_DESCRIBE_STRUCT(round_robin_update, (), (inbox, comment))

} // namespace pancake

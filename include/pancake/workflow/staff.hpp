// Who may be given new conversations, decided from a GET /users snapshot alone (no I/O).
//
// The seed article's pitfall table: assigning to someone offline or disabled means nobody gets
// notified. So a user is eligible when they declared themselves "available", are "active" in the
// page, and (if the caller asks) are connected right now. `is_online` is opt-in because it tracks
// a live connection and flickers (a phone in a pocket), while `status` is the staff member's own
// choice. Former staff (`disabled_users`) stay in the snapshot to name who handled old
// conversations, and are never eligible, even if a stale listing still shows them as users.
#pragma once

#include <pancake/ids.hpp>
#include <pancake/types/user.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace pancake::workflow {

/// What eligibility asks beyond "available and active in the page".
struct eligibility {
    bool require_online = false; ///< also require `is_online` (Pancake's built-in round robin skips offline staff)
};

/// True when `u` may be given a new conversation under `policy`. A user without an id can't be
/// assigned (the assign endpoint takes ids), so is never eligible.
inline bool eligible_for_assignment(const user& u, const eligibility& policy = {}) noexcept {
    return !u.id.value().empty() && u.status == "available" && u.status_in_page == "active" &&
           (!policy.require_online || u.is_online);
}

/// Former staff: kept for history, never eligible.
inline bool eligible_for_assignment(const disabled_user&, const eligibility& = {}) noexcept { return false; }

/// The ids of the eligible users in `staff`, in the assigners' stable order (ascending id), each
/// once. Anyone also listed in `disabled_users` is left out.
inline std::vector<user_id> eligible_staff(const users_snapshot& staff, const eligibility& policy = {}) {
    std::vector<user_id> out;
    for (const auto& u : staff.users) {
        if (!eligible_for_assignment(u, policy)) continue;
        const bool disabled = std::any_of(staff.disabled_users.begin(), staff.disabled_users.end(),
                                          [&](const disabled_user& d) { return d.id == u.id; });
        if (!disabled) out.push_back(u.id);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

/// A staff member found by id, current or former: what a history view needs to show a name.
struct staff_member {
    user_id id;
    std::string name;
    bool disabled = false;
};

/// Looks `id` up among current and former staff; someone in both lists counts as former.
inline std::optional<staff_member> find_staff(const users_snapshot& staff, const user_id& id) {
    for (const auto& d : staff.disabled_users)
        if (d.id == id) return staff_member{d.id, d.name, true};
    for (const auto& u : staff.users)
        if (u.id == id) return staff_member{u.id, u.name, false};
    return std::nullopt;
}

} // namespace pancake::workflow

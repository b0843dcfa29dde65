// The page-level routes: the tag list, the user list, and the round-robin assignment lists.
#include "handlers.hpp"

#include <algorithm>

namespace pancake::sim {

handle_result world::tags_get(ctx& c) {
    auto& p = *c.page;
    auto& cache = p.tags_answer;
    if (!cache.answer || !same_fields(cache.tags, p.tags)) {
        cache.answer = json_response(200, json::object{{"tags", encode(p.tags)}});
        cache.tags = p.tags;
    }
    c.out.resp = *cache.answer;
    return std::move(c.out);
}

handle_result world::users_get(ctx& c) {
    auto& p = *c.page;
    json::array users;
    for (auto& u : p.users) {
        auto ju = encode(u).as_object();
        if (!ju.contains("page_permissions")) ju["page_permissions"] = nullptr; // nullable, sent as null
        users.push_back(std::move(ju));
    }
    json::object o{{"success", true},
                   {"users", std::move(users)},
                   {"disabled_users", encode(p.disabled_users)},
                   {"round_robin_users", encode(p.round_robin)}};
    c.out.resp = json_response(200, o);
    return std::move(c.out);
}

handle_result world::round_robin_post(ctx& c) {
    auto upd = body_as<round_robin_update>(c);
    if (!upd) return std::move(c.out);
    auto valid = [&](const std::vector<user_id>& ids) {
        for (auto& id : ids)
            if (std::none_of(c.page->users.begin(), c.page->users.end(), [&](auto& u) { return u.id == id; }))
                return false;
        return true;
    };
    if ((upd->inbox && !valid(*upd->inbox)) || (upd->comment && !valid(*upd->comment))) {
        c.out.resp = invented(400, "Invalid user id");
        return std::move(c.out);
    }
    auto& rr = c.page->round_robin;
    if (upd->inbox)
        rr.inbox = *upd->inbox, c.page->rr_cursor_inbox = 0;
    else if (behaviour_.round_robin_missing_key_clears)
        rr.inbox.clear();
    if (upd->comment)
        rr.comment = *upd->comment, c.page->rr_cursor_comment = 0;
    else if (behaviour_.round_robin_missing_key_clears)
        rr.comment.clear();
    c.out.committed = true;
    c.out.resp =
        json_response(200, json::object{{"message", "Cài đặt đã được cập nhật thành công"}, {"success", true}});
    return std::move(c.out);
}

} // namespace pancake::sim

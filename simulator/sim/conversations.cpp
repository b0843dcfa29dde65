// The conversation mutations: tags (add/remove), assignees (replace), read/unread. Each change
// bumps the version and emits a conversation webhook; a request that changes nothing emits nothing.
#include "handlers.hpp"

#include <algorithm>
#include <set>

namespace pancake::sim {

handle_result world::tag_post(ctx& c, conversation& conv) {
    auto r = body_as<tag_request>(c); // tag_id as "1" or 1
    if (!r) return std::move(c.out);
    if (r->action != "add" && r->action != "remove") {
        c.out.resp = invented(400, "action must be add or remove");
        return std::move(c.out);
    }
    auto& tags = c.page->tags;
    auto known = std::find_if(tags.begin(), tags.end(), [&](auto& t) { return t.id == r->tag_id; });
    if (known == tags.end() && behaviour_.reject_unknown_tag) {
        c.out.resp = invented(400, "Tag not found");
        return std::move(c.out);
    }
    const bool present = conv.has_tag(r->tag_id);
    bool changed = false;
    if (r->action == "add") {
        if (present && behaviour_.reject_duplicate_tag_add) {
            c.out.resp = invented(400, "Tag already added");
            return std::move(c.out);
        }
        if (!present) {
            conversation_tag t;
            t.id = r->tag_id;
            if (known != tags.end()) t.text = known->text, t.color = known->color;
            conv.tags.emplace_back(std::move(t));
            changed = true;
        }
    } else {
        if (!present && behaviour_.reject_absent_tag_remove) {
            c.out.resp = invented(400, "Tag not in conversation");
            return std::move(c.out);
        }
        auto before = conv.tags.size();
        std::erase_if(conv.tags, [&](auto& t) { return t && t->id == r->tag_id; });
        changed = conv.tags.size() != before;
    }
    if (changed) {
        tag_history_entry h;
        h.inserted_at = to_utc(c.wall);
        h.conversation_id = conv.id.value();
        h.payload.action = r->action;
        h.payload.editor_id = "public_api";
        h.payload.editor_name = "Public API";
        h.payload.tag.id = r->tag_id;
        if (known != tags.end()) h.payload.tag.text = known->text;
        conv.tag_histories.push_back(std::move(h));
        record(*c.page,
               activity::tagged(r->action == "add", conv.id.value(), "public_api", conv.type == "COMMENT",
                                r->tag_id.value()),
               c.wall);
        touch(*c.page, conv, c.wall, c.out.events);
        c.out.committed = true;
    }
    tag_update_result res{conv.tag_ids(), true, unix_seconds(c.wall)};
    c.out.resp = json_response(200, encode(res));
    return std::move(c.out);
}

handle_result world::assign_post(ctx& c, conversation& conv) {
    auto r = body_as<assign_request>(c);
    if (!r) return std::move(c.out);
    if (r->assignee_ids.empty() && behaviour_.reject_empty_assign) {
        c.out.resp = invented(400, "assignee_ids must not be empty");
        return std::move(c.out);
    }
    std::vector<assign_user> resolved;
    std::set<std::string> seen_ids;
    for (auto& id : r->assignee_ids) {
        if (!seen_ids.insert(id.value()).second) continue; // duplicates collapse
        auto u = std::find_if(c.page->users.begin(), c.page->users.end(), [&](auto& x) { return x.id == id; });
        if (u == c.page->users.end()) {
            bool is_fb = std::any_of(c.page->users.begin(), c.page->users.end(),
                                     [&](auto& x) { return x.fb_id && *x.fb_id == id.value(); });
            c.out.resp = invented(400, is_fb && behaviour_.reject_fb_id_assignee
                                           ? "Invalid assignee: use the user id (UUID), not fb_id"
                                           : "Invalid assignee_ids");
            return std::move(c.out);
        }
        resolved.push_back(assign_user{u->id, u->name, std::nullopt, u->fb_id});
    }
    assignee_history_payload delta;
    // assignee_ids is the set; current_assign_users only describes it (a fixture may leave it out).
    for (auto& old_id : conv.assignee_ids) {
        if (seen_ids.count(old_id.value())) continue;
        auto known = std::find_if(conv.current_assign_users.begin(), conv.current_assign_users.end(),
                                  [&](auto& x) { return x.id == old_id; });
        if (known != conv.current_assign_users.end()) {
            delta.deleted_users.push_back(*known);
            continue;
        }
        auto u = std::find_if(c.page->users.begin(), c.page->users.end(), [&](auto& x) { return x.id == old_id; });
        delta.deleted_users.push_back(u != c.page->users.end() ? assign_user{u->id, u->name, std::nullopt, u->fb_id}
                                                               : assign_user{old_id, {}, std::nullopt, std::nullopt});
    }
    for (auto& n : resolved)
        if (std::none_of(conv.assignee_ids.begin(), conv.assignee_ids.end(), [&](auto& x) { return x == n.id; }))
            delta.added_users.push_back(n);
    if (!delta.added_users.empty() || !delta.deleted_users.empty()) {
        conv.assignee_ids.clear();
        for (auto& u : resolved)
            conv.assignee_ids.push_back(u.id);
        conv.current_assign_users = resolved;
        conv.assignee_histories.push_back({to_utc(c.wall), conv.id.value(), std::move(delta)});
        touch(*c.page, conv, c.wall, c.out.events);
        c.out.committed = true;
    }
    assign_result res;
    res.success = true;
    res.assignee_group_id = conv.assignee_group_id;
    res.assignee_ids = conv.assignee_ids;
    res.customers = conv.customers;
    res.from = conv.from;
    res.seen = conv.seen;
    res.updated_at = conv.updated_at;
    auto jr = encode(res).as_object();
    if (!jr.contains("assignee_group_id")) jr["assignee_group_id"] = nullptr;
    c.out.resp = json_response(200, jr);
    return std::move(c.out);
}

handle_result world::read_post(ctx& c, conversation& conv, bool seen) {
    if (conv.seen != seen) {
        conv.seen = seen;
        touch(*c.page, conv, c.wall, c.out.events);
        c.out.committed = true;
    }
    c.out.resp = json_response(200, json::object{{"success", true}});
    return std::move(c.out);
}

} // namespace pancake::sim

// The user-token API under /api/v1: the pages a user token reaches, and rotating a page's token.
#include "handlers.hpp"

#include <algorithm>

namespace pancake::sim {

// The one user-token check of /api/v1 (list pages, generate_page_access_token): unknown -> the
// 102 body, expired -> 401 (documented). Null when the answer is already set.
const user_token* world::user_token_check(ctx& c) {
    auto tok = c.param("access_token");
    auto it = std::find_if(user_tokens_.begin(), user_tokens_.end(), [&](auto& t) { return tok && t.token == *tok; });
    if (it == user_tokens_.end()) {
        c.out.resp = error_response(behaviour_.invalid_token_status, "Invalid access_token", 102);
        return nullptr;
    }
    if (it->expires_at && *it->expires_at <= unix_seconds(c.wall)) {
        c.out.resp = error_response(401, "Unauthorized");
        return nullptr;
    }
    return &*it;
}

handle_result world::pages_get(ctx& c) {
    c.out.route = "pages.list";
    auto* t = user_token_check(c);
    if (!t) return std::move(c.out);
    json::array pages;
    for (auto& id : t->pages)
        if (auto* p = find_page(id)) pages.push_back(encode(p->info));
    c.out.resp = json_response(200, json::object{{"pages", std::move(pages)}});
    return std::move(c.out);
}

handle_result world::generate_token(ctx& c, const std::string& page) {
    c.out.route = "pages.generate_token";
    c.out.page = page;
    auto* t = user_token_check(c);
    if (!t) return std::move(c.out);
    auto pit = pages_.find(page);
    if (pit == pages_.end() || std::find(t->pages.begin(), t->pages.end(), page) == t->pages.end()) {
        c.out.resp = error_response(behaviour_.invalid_token_status, "Invalid access_token", 102);
        return std::move(c.out);
    }
    // A new token invalidates the previous one immediately.
    token_to_page_.erase(pit->second.token);
    pit->second.token = "pat_" + new_uuid();
    token_to_page_[pit->second.token] = page;
    tokens_changed();
    c.out.committed = true;
    c.out.resp = json_response(200, ok_with({{"page_access_token", pit->second.token}}));
    return std::move(c.out);
}

} // namespace pancake::sim

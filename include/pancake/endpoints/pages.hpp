// Pages, with a user access token (api/v1, not the page-token public API).
#pragma once

#include <pancake/endpoints/context.hpp>
#include <pancake/types/results.hpp>

#include <string>
#include <vector>

namespace pancake::endpoints {

/// GET /api/v1/pages?access_token=…: the pages the user administers. Not limited per page.
struct list_pages {
    using response_type = page_list;
    using result_type = std::vector<page>;
    std::string user_access_token;

    detail::request to_request(const context& c) const {
        detail::request r;
        if (!c.has_origin(r)) return r;
        if (user_access_token.empty()) {
            r.invalid = validation_error{errc::invalid_argument, "empty user access token"};
            return r;
        }
        r.target = http::make_target(*c.origin, {"v1", "pages"}, {{"access_token", user_access_token}});
        r.secret = user_access_token;
        return r;
    }
    static result_type to_result(response_type r) { return std::move(r.pages); }
};

} // namespace pancake::endpoints

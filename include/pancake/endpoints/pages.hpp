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

/// POST /api/v1/pages/{page}/generate_page_access_token?page_id&access_token: a new page token;
/// the previous one stops working at once. Retried like a read: a repeat only rotates again and
/// its answer carries the token that is valid, while giving up would leave none known.
struct generate_page_access_token {
    using response_type = page_token_result;
    using result_type = std::string;
    pancake::page_id for_page; ///< not `page`: this call is not made with the page's token
    std::string user_access_token;

    detail::request to_request(const context& c) const {
        detail::request r;
        r.method = verb::post;
        if (!c.has_origin(r)) return r;
        if (user_access_token.empty() || for_page.value().empty()) {
            r.invalid = validation_error{errc::invalid_argument, "empty page id or user access token"};
            return r;
        }
        r.target = http::make_target(*c.origin, {"v1", "pages", for_page.value(), "generate_page_access_token"},
                                     {{"page_id", for_page.value()}, {"access_token", user_access_token}});
        r.secret = user_access_token;
        return r;
    }
    static result_type to_result(response_type r) { return std::move(r.page_access_token); }
};

} // namespace pancake::endpoints

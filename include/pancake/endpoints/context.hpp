// What an endpoint descriptor needs to build its request: the origin, the page's token and
// platform. Descriptors are pure: `to_request(context)` is unit-tested for URL and body.
//
// A descriptor is a struct of the call's arguments with
//   using response_type = …;   // what the answer's body decodes to
//   using result_type = …;     // what the caller gets (to_result maps, when they differ)
//   detail::request to_request(const context&) const;
// and, for page calls, a `page` member (the client looks its token up).
#pragma once

#include <pancake/detail/request.hpp>
#include <pancake/http/endpoint.hpp>

#include <initializer_list>
#include <string_view>
#include <vector>

namespace pancake::endpoints {

using verb = boost::beast::http::verb;

struct context {
    const http::origin* origin = nullptr; ///< null: base_url is not an http(s) URL
    std::string_view token;               ///< the page's access token; empty: unknown page
    std::string_view platform = "facebook";

    /// A call under /api/public_api/{version}/pages/{page}/…, authenticated by the page token.
    detail::request page_call(verb method, std::string_view version, const page_id& page,
                              std::initializer_list<std::string_view> segments,
                              const std::vector<http::query_param>& query = {}, std::string body = {},
                              idempotency kind = idempotency::safe) const {
        detail::request r;
        r.method = method;
        r.page = page;
        r.kind = kind;
        r.body = std::move(body);
        if (!has_origin(r)) return r;
        if (token.empty()) {
            r.invalid =
                validation_error{errc::invalid_argument, "unknown page: register it with add_page(page, token) first"};
            return r;
        }
        r.secret = token;
        r.target = build(version, page, segments, query);
        return r;
    }

    /// False (and `r` refused) when base_url did not parse: nothing can be sent.
    bool has_origin(detail::request& r) const {
        if (!origin) r.invalid = validation_error{errc::invalid_argument, "base_url is not an http(s) URL"};
        return origin != nullptr;
    }

private:
    std::string build(std::string_view version, const page_id& page, std::initializer_list<std::string_view> segments,
                      const std::vector<http::query_param>& query) const {
        std::size_t size = 64 + page.value().size() + token.size();
        for (auto s : segments)
            size += s.size() + 1;
        for (auto& [k, v] : query)
            size += k.size() + v.size() + 2;
        http::target_builder b(origin->api_root, size);
        b.literal_segment("public_api").literal_segment(version).literal_segment("pages").segment(page.value());
        for (auto s : segments)
            b.segment(s);
        b.param("page_access_token", token);
        for (auto& [k, v] : query)
            b.param(k, v);
        return std::move(b).take();
    }
};

} // namespace pancake::endpoints

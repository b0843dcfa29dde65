// Where requests go: the parsed base URL, and request targets built with Boost.URL (segments
// and query parameters are encoded by the library, never by hand).
#pragma once

#include <pancake/error.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pancake::http {

struct origin {
    bool tls = true;
    std::string host;
    std::string port;
    std::string api_root = "/api"; ///< path prefix before "public_api/v1", "v1/pages", …

    /// Accepts "https://pages.fm", "https://pages.fm/api", or the seed article's BASE
    /// "https://pages.fm/api/public_api/v1"; "http://" for the simulator.
    static std::optional<origin> parse(std::string_view base) {
        auto u = boost::urls::parse_absolute_uri(base);
        if (!u || !u->has_authority() || u->host().empty()) return std::nullopt;
        origin o;
        if (u->scheme() == "https")
            o.tls = true;
        else if (u->scheme() == "http")
            o.tls = false;
        else
            return std::nullopt;
        o.host = u->host();
        o.port = u->has_port() ? std::string(u->port()) : (o.tls ? "443" : "80");
        std::string path = u->path();
        while (!path.empty() && path.back() == '/')
            path.pop_back();
        for (std::string_view suffix : {"/public_api/v1", "/public_api/v2", "/v1"})
            if (path.ends_with(suffix)) path.erase(path.size() - suffix.size());
        if (!path.ends_with("/api")) path += "/api";
        o.api_root = path;
        return o;
    }

    std::string url(std::string_view target) const {
        std::string s = tls ? "https://" : "http://";
        s += host;
        if (port != (tls ? "443" : "80")) s += ":" + port;
        s += target;
        return s;
    }
};

using query_param = std::pair<std::string, std::string>;

/// Builds an origin-form target: api_root + segments, then the query parameters.
inline std::string make_target(const origin& o, std::initializer_list<std::string_view> segments,
                               const std::vector<query_param>& params) {
    boost::urls::url u;
    u.set_path(o.api_root);
    u.set_path_absolute(true);
    auto segs = u.segments();
    for (auto s : segments)
        segs.push_back(s);
    auto ps = u.params();
    for (auto& [k, v] : params)
        ps.append({k, v});
    return std::string(u.buffer());
}

} // namespace pancake::http

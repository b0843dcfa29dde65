// Where requests go: the parsed base URL, and request targets built with Boost.URL (segments
// and query parameters are encoded by the library, never by hand).
#pragma once

#include <pancake/error.hpp>

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/pchars.hpp>
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

    /// The Host field's value: the port only when it is not the scheme's default (RFC 9110 §7.2).
    std::string host_field() const {
        if (port == (tls ? "443" : "80")) return host;
        return host + ":" + port;
    }

    std::string url(std::string_view target) const {
        std::string s = tls ? "https://" : "http://";
        s += host_field();
        s += target;
        return s;
    }
};

using query_param = std::pair<std::string, std::string>;

/// Builds an origin-form target in one buffer: the path, then segments and query parameters,
/// each percent-encoded by Boost.URL with the character sets its `segments().push_back` and
/// `params().append` use (so the result is the same, without re-parsing the URL per edit:
/// building targets is on every request's path).
class target_builder {
public:
    explicit target_builder(std::string_view path, std::size_t size_hint = 0) {
        out_.reserve(path.size() + size_hint + size_hint / 4 + 16);
        if (!path.starts_with('/')) out_ += '/';
        append(path, path_chars);
    }
    target_builder& segment(std::string_view s) {
        out_ += '/';
        append(s, boost::urls::pchars);
        return *this;
    }
    /// A segment known to need no escape (a name the library spells, such as "pages").
    target_builder& literal_segment(std::string_view s) {
        out_ += '/';
        out_ += s;
        return *this;
    }
    target_builder& param(std::string_view key, std::string_view value) {
        out_ += first_param_ ? '?' : '&';
        first_param_ = false;
        append(key, key_chars);
        out_ += '=';
        append(value, value_chars);
        return *this;
    }
    std::string take() && { return std::move(out_); }

private:
    static constexpr auto path_chars = boost::urls::pchars + '/';
    static constexpr auto key_chars = boost::urls::pchars + '/' + '?' + '[' + ']' - '&' - '=';
    static constexpr auto value_chars = boost::urls::pchars + '/' + '?' - '&';

    template <class CharSet>
    void append(std::string_view s, const CharSet& cs) {
        // The usual text needs no escape: copy the clean prefix in one go, encode from the first
        // character that needs it.
        std::size_t clean = 0;
        while (clean < s.size() && cs(s[clean]))
            ++clean;
        out_.append(s.data(), clean);
        if (clean == s.size()) return;
        s.remove_prefix(clean);
        boost::urls::encoding_opts opt;
        opt.space_as_plus = false;
        const auto n = boost::urls::encoded_size(s, cs, opt);
        const auto at = out_.size();
        out_.resize(at + n);
        boost::urls::encode(out_.data() + at, n, s, cs, opt);
    }

    std::string out_;
    bool first_param_ = true;
};

/// Builds an origin-form target: api_root + segments, then the query parameters.
inline std::string make_target(const origin& o, std::initializer_list<std::string_view> segments,
                               const std::vector<query_param>& params) {
    target_builder b(o.api_root, 64);
    for (auto s : segments)
        b.segment(s);
    for (auto& [k, v] : params)
        b.param(k, v);
    return std::move(b).take();
}

} // namespace pancake::http

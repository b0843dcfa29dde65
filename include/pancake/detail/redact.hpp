// Token redaction. Pancake tokens travel in the query string, so any URL we log, store in
// diagnostics or put in an exception goes through here first.
#pragma once

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <array>
#include <string>
#include <string_view>

namespace pancake::detail {

inline constexpr std::string_view redacted_value = "REDACTED";
inline constexpr std::array<std::string_view, 2> secret_params{"page_access_token", "access_token"};

inline bool is_secret_param(std::string_view key) noexcept {
    for (auto s : secret_params)
        if (key == s) return true;
    return false;
}

/// Returns `target` (absolute URL or origin-form "/path?query") with every token value replaced.
/// Unparseable input is dropped entirely rather than risk echoing a secret.
inline std::string redact_url(std::string_view target) {
    auto parsed = boost::urls::parse_uri_reference(target);
    if (!parsed) return "<unparseable url>";
    boost::urls::url u(*parsed);
    auto params = u.params();
    for (auto it = params.begin(); it != params.end(); ++it) {
        if (is_secret_param((*it).key)) it = params.replace(it, {(*it).key, redacted_value});
    }
    return std::string(u.buffer());
}

/// Replaces every occurrence of `secret` in `text` (for server-echoed bodies).
inline std::string redact_secret(std::string text, std::string_view secret) {
    if (secret.size() < 4) return text; // too short to be a token; avoid shredding ordinary text
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
        text.replace(pos, secret.size(), redacted_value);
        pos += redacted_value.size();
    }
    return text;
}

} // namespace pancake::detail

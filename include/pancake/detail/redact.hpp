// Token redaction. Pancake tokens travel in the query string, so any URL we log, store in
// diagnostics or put in an exception goes through here first.
#pragma once

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

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

// Servers echo a token in other spellings than the raw one: percent-encoded (`pat%5F…`, either
// hex case), JSON-escaped (`pat\u005f…`), or a mix. Matching works on decoded units so every
// spelling is caught, and a spelling cut short (a body truncated mid-token) counts as a leak too.

inline int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// The escape (%XX, \uXXXX for ASCII, \" \\ \/) starting at t[i]: its length, 0 if none;
/// `out` gets the character it stands for. `cut` is set when t ends inside what could be one.
inline std::size_t decode_escape(std::string_view t, std::size_t i, char& out, bool& cut) noexcept {
    cut = false;
    const std::size_t left = t.size() - i;
    auto hex_run = [&](std::size_t from, std::size_t n) {
        for (std::size_t k = from; k < from + n && k < t.size(); ++k)
            if (hex_value(t[k]) < 0) return false;
        return true;
    };
    if (t[i] == '%') {
        if (left < 3) {
            cut = hex_run(i + 1, left - 1);
            return 0;
        }
        if (!hex_run(i + 1, 2)) return 0;
        out = static_cast<char>(hex_value(t[i + 1]) * 16 + hex_value(t[i + 2]));
        return 3;
    }
    if (t[i] != '\\' || left < 2) {
        cut = t[i] == '\\';
        return 0;
    }
    const char e = t[i + 1];
    if (e == '"' || e == '\\' || e == '/') {
        out = e;
        return 2;
    }
    if (e != 'u') return 0;
    if (left < 6) {
        cut = hex_run(i + 2, left - 2);
        return 0;
    }
    if (!hex_run(i + 2, 4)) return 0;
    int v = 0;
    for (std::size_t k = i + 2; k < i + 6; ++k)
        v = v * 16 + hex_value(t[k]);
    if (v >= 0x80) return 0; // tokens are ASCII; other code points are not one byte of them
    out = static_cast<char>(v);
    return 6;
}

/// How much of `secret` is spelled out at t[i], in any mix of raw bytes and escapes.
struct secret_match {
    std::size_t full_end = std::string_view::npos; ///< end of a complete occurrence, if any
    std::size_t longest = 0;                       ///< most characters of the secret matched
    std::size_t longest_end = 0;                   ///< where that longest match ends
    std::size_t to_end = 0; ///< most characters matched by a spelling that runs into the end of t
};

inline secret_match match_secret_at(std::string_view t, std::size_t i, std::string_view secret) {
    secret_match m;
    std::vector<std::size_t> here{i}, next; // a tiny NFA: every spelling alternative in step
    for (std::size_t k = 0;; ++k) {
        next.clear();
        for (auto p : here) {
            if (k > m.longest || (k == m.longest && p > m.longest_end)) m.longest = k, m.longest_end = p;
            char c = 0;
            bool cut = false;
            const auto n = p < t.size() ? decode_escape(t, p, c, cut) : 0;
            if (p == t.size() || cut) m.to_end = std::max(m.to_end, k);
            if (k == secret.size()) {
                m.full_end = std::min(m.full_end, p);
                continue;
            }
            if (p < t.size() && t[p] == secret[k]) next.push_back(p + 1);
            if (n && c == secret[k]) next.push_back(p + n);
        }
        if (k == secret.size() || next.empty()) break;
        std::sort(next.begin(), next.end());
        next.erase(std::unique(next.begin(), next.end()), next.end());
        std::swap(here, next);
    }
    return m;
}

inline constexpr std::size_t min_secret_size = 4;  ///< shorter "secrets" are not redacted
inline constexpr std::size_t min_partial_echo = 8; ///< a prefix this long inside text is redacted too

/// Redacts `secret` in `text` while copying it out, until `stop_after` bytes are written (for
/// excerpts: the rest is never scanned). `consumed` receives how much of `text` was used.
inline std::string redact_secret_prefix(std::string_view text, std::string_view secret, std::size_t stop_after,
                                        std::size_t* consumed = nullptr) {
    std::string out;
    std::size_t i = 0;
    if (secret.size() < min_secret_size) {
        i = std::min(text.size(), stop_after);
        out.assign(text.substr(0, i));
    }
    while (i < text.size() && out.size() < stop_after) {
        const char c = text[i];
        if (c != secret[0] && c != '%' && c != '\\') {
            out += c;
            ++i;
            continue;
        }
        const auto m = match_secret_at(text, i, secret);
        std::size_t end = 0;
        if (m.full_end != std::string_view::npos)
            end = m.full_end;
        else if (m.to_end >= min_secret_size) // echo cut short by the server: its start still leaks
            end = text.size();
        else if (m.longest >= std::min(min_partial_echo, secret.size()))
            end = m.longest_end;
        if (end == 0) {
            out += c;
            ++i;
            continue;
        }
        out += redacted_value;
        i = end;
    }
    if (consumed) *consumed = i;
    return out;
}

/// Replaces every occurrence of `secret` in `text` (for server-echoed bodies and messages), in
/// raw, percent-encoded and JSON-escaped spellings, and a prefix of it left by a truncation.
inline std::string redact_secret(std::string text, std::string_view secret) {
    if (secret.size() < min_secret_size) return text; // too short to be a token; avoid shredding ordinary text
    return redact_secret_prefix(text, secret, std::string::npos);
}

/// At most `max` bytes of `text`, secret redacted first (so the cut cannot split an occurrence)
/// and no trailing prefix of the secret left at the cut; "..." marks a cut.
inline std::string redacted_excerpt(std::string_view text, std::string_view secret, std::size_t max) {
    std::size_t used = 0;
    // One extra byte tells whether anything follows the cut.
    auto e = redact_secret_prefix(text, secret, max + 1, &used);
    const bool cut = e.size() > max || used < text.size();
    if (!cut) return e;
    e.resize(std::min(e.size(), max));
    // Never end inside a UTF-8 sequence.
    auto lead = e.size();
    while (lead > 0 && e.size() - lead < 4 && (static_cast<unsigned char>(e[lead - 1]) & 0xC0) == 0x80)
        --lead;
    if (lead > 0 && e.size() - lead < 4 && static_cast<unsigned char>(e[lead - 1]) >= 0xC0) {
        const auto c = static_cast<unsigned char>(e[lead - 1]);
        const std::size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (e.size() - (lead - 1) < need) e.resize(lead - 1);
    }
    // The cut may leave the first characters of a secret whose rest lay beyond it.
    if (secret.size() >= min_secret_size) {
        const std::size_t span = 6 * secret.size() + 6;
        for (std::size_t j = e.size() > span ? e.size() - span : 0; j < e.size(); ++j) {
            if (e[j] != secret[0] && e[j] != '%' && e[j] != '\\') continue;
            if (match_secret_at(e, j, secret).to_end >= min_secret_size) {
                e.resize(j);
                e += redacted_value.substr(0, max - j); // the marker may be cut too, the secret not
                break;
            }
        }
    }
    return e + "...";
}

} // namespace pancake::detail

#include "text.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace pancake::sim {

namespace {
constexpr char hex[] = "0123456789ABCDEF";

// A table, not a search of the set per character: every request's target goes through it.
constexpr auto unsafe_in_target = [] {
    std::array<bool, 256> t{};
    for (unsigned char ch : std::string_view("[]{}|^`\"<>\\ "))
        t[ch] = true;
    return t;
}();
bool unsafe_char(char ch) noexcept { return unsafe_in_target[static_cast<unsigned char>(ch)]; }
bool lenient_target_is_identity(std::string_view target) noexcept {
    return std::none_of(target.begin(), target.end(), [](char ch) { return unsafe_char(ch); });
}

// Characters an origin-form target may hold unescaped (RFC 3986 pchar, '/' and '?'), '%' aside.
constexpr auto plain_in_target = [] {
    std::array<bool, 256> t{};
    for (unsigned char ch : std::string_view("-._~!$&'()*+,;=:@/?"))
        t[ch] = true;
    for (int ch = 0; ch < 256; ++ch)
        t[ch] = t[ch] || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    return t;
}();

// The length of the valid UTF-8 character starting at in[i], or 0 when the byte there does not
// start one.
std::size_t utf8_char_at(std::string_view in, std::size_t i) noexcept {
    auto u = [&](std::size_t k) { return static_cast<unsigned char>(in[k]); };
    const unsigned c = u(i);
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF; // allowed range of the second byte
    if (c < 0x80)
        return 1;
    else if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0; // overlong
        if (c == 0xED) hi = 0x9F; // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90; // overlong
        if (c == 0xF4) hi = 0x8F; // above U+10FFFF
    }
    if (len == 0 || i + len > in.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const unsigned b = u(i + k);
        if (!(k == 1 ? b >= lo && b <= hi : b >= 0x80 && b <= 0xBF)) return 0;
    }
    return len;
}
} // namespace

std::string_view lenient_view(std::string_view target, std::string& storage) {
    if (lenient_target_is_identity(target)) return target;
    storage = lenient_target(target);
    return storage;
}

bool plain_target(std::string_view target) noexcept {
    return !target.empty() && target.front() == '/' && std::all_of(target.begin(), target.end(), [](char ch) {
        return plain_in_target[static_cast<unsigned char>(ch)];
    });
}

std::string lenient_target(std::string_view target) {
    std::string out;
    out.reserve(target.size());
    for (char ch : target) {
        if (!unsafe_char(ch)) {
            out += ch;
            continue;
        }
        auto u = static_cast<unsigned char>(ch);
        out += '%';
        out += hex[u >> 4];
        out += hex[u & 15];
    }
    return out;
}

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        switch (ch) {
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += ch;
        }
    }
    return out;
}

bool parse_int(std::string_view s, std::int64_t& out) {
    auto res = std::from_chars(s.data(), s.data() + s.size(), out);
    return res.ec == std::errc{} && res.ptr == s.data() + s.size() && !s.empty();
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (auto& ch : out)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return out;
}

std::string clean_utf8(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size();) {
        if (const auto len = utf8_char_at(in, i)) {
            out.append(in.substr(i, len));
            i += len;
        } else {
            const auto c = static_cast<unsigned char>(in[i]);
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
            ++i;
        }
    }
    return out;
}

void clean_utf8_in_place(std::string& s) {
    for (std::size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x80) { // ASCII, nearly all of a journal's text
            ++i;
            continue;
        }
        const auto len = utf8_char_at(s, i);
        if (len == 0) {
            s = clean_utf8(s);
            return;
        }
        i += len;
    }
}

void cut_utf8(std::string& s, std::size_t cap) {
    if (s.size() <= cap) return;
    std::size_t n = cap;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    s.resize(n);
}

} // namespace pancake::sim

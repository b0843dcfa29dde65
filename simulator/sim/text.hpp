// Small text helpers of the simulator (its own copies: the simulator uses only the library's
// public API, so internals of pancake may change without breaking it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pancake::sim {

/// The origin-form target with the characters clients send unencoded but RFC 3986 forbids in a
/// query (`[`, `]`, `{`, `}`, `|`, `^`, backtick, `"`, `<`, `>`, `\`, space) percent-encoded, so
/// `type[]=INBOX` (the docs' cURL example) parses as `type%5B%5D=INBOX` does.
std::string lenient_target(std::string_view target);
/// The target as lenient_target rewrites it: the target itself when that is the identity (nearly
/// always, no copy), else the rewrite, kept in `storage`.
std::string_view lenient_view(std::string_view target, std::string& storage);
/// An origin-form target of plain characters only: a leading '/', then RFC 3986 pchar, '/' and
/// '?' (no escapes, nothing lenient_target rewrites). Such a target always parses, and its path
/// segments and query names are their own decoding: the fast paths need no URL parse.
bool plain_target(std::string_view target) noexcept;
/// `<`, `>`, `&`, `"`, `'` as HTML entities (a message's rendered `message` field).
std::string html_escape(std::string_view text);
/// A whole decimal integer, optional '-' sign, nothing else (no spaces, no '+').
bool parse_int(std::string_view s, std::int64_t& out);
/// A-Z lowered; other bytes (UTF-8 included) untouched.
std::string ascii_lower(std::string_view s);
/// Valid UTF-8 is copied; any other byte becomes the four characters \xNN, so the result always
/// serializes as valid JSON (Boost.JSON copies invalid bytes through).
std::string clean_utf8(std::string_view in);
/// clean_utf8 in place: valid text (the common case) is left as it is, without a copy.
void clean_utf8_in_place(std::string& s);
/// Cuts valid UTF-8 to at most `cap` bytes without splitting a character.
void cut_utf8(std::string& s, std::size_t cap);

} // namespace pancake::sim

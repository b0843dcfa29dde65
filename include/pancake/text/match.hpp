// Keyword matching on folded text: whole words (the default) or plain substrings.
//
// A word boundary is decided on Unicode categories, not bytes: `isalnum` sees the bytes of "ư"
// as punctuation, so "mua" would match inside "thưmua". Here a word character is what Unicode
// regular expressions call \w (UTS #18): letters, marks, numbers, connector punctuation and the
// join controls. Everything else (spaces, punctuation, symbols, emoji) separates words.
//
// Both sides must be in the same form before matching: match_form() gives it (a fold, plus
// uniform spaces and punctuation), and the keyword is best folded once, ahead of time.
#pragma once

#include <pancake/text/detail/utf8.hpp>
#include <pancake/text/fold.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pancake::text {

/// Whole words ("mua" in "mua 2 cái", not in "muaxyz"), or anywhere ("ship" in "shipping").
enum class match_mode { word, substring };

/// True for the code points that continue a word: \w of UTS #18.
inline bool is_word_char(std::int32_t cp) noexcept {
    if (cp < 0) return false; // undecodable bytes separate rather than join
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN: // a combining accent left over after NFC belongs to its letter
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
    case UTF8PROC_CATEGORY_PC:
        return true;
    default:
        return cp == 0x200C || cp == 0x200D; // ZWNJ, ZWJ
    }
}

/// The form text and keywords take before matching: fold(s, accents), then look-alike
/// punctuation made one (UTF8PROC_LUMP: ’ -> ', – -> -, so a keyword typed on a desktop matches
/// a message typed on a phone), control characters dropped, and every run of white space
/// (tabs, newlines, no-break spaces) made one ASCII space, trimmed at both ends: "đặt\n  hàng"
/// matches the keyword "đặt hàng". Invalid UTF-8 yields nullopt.
inline std::optional<std::string> match_form(std::string_view s, accent_mode accents) {
    // STRIPCC turns line breaks, tabs and form feeds into spaces and drops other controls;
    // LUMP turns every Zs space into U+0020. What is left to do is U+2028/U+2029 and the runs.
    auto folded = detail::fold_with(s, accents, UTF8PROC_LUMP | UTF8PROC_STRIPCC);
    if (!folded) return folded;
    std::string out;
    out.reserve(folded->size());
    bool pending_space = false;
    for (std::size_t i = 0; i < folded->size();) {
        if ((*folded)[i] == ' ') {
            pending_space = true;
            ++i;
            continue;
        }
        if (folded->compare(i, 3, "\xE2\x80\xA8") == 0 || folded->compare(i, 3, "\xE2\x80\xA9") == 0) {
            pending_space = true; // LINE / PARAGRAPH SEPARATOR
            i += 3;
            continue;
        }
        if (pending_space && !out.empty()) out += ' ';
        pending_space = false;
        out += (*folded)[i++];
    }
    return out;
}

/// True when `word` occurs in `text` with no word character touching it. Both are expected in
/// the same match_form. A keyword edge that is not itself a word character ("#sale", "??")
/// needs no boundary on that side. An empty keyword matches nothing.
inline bool contains_word(std::string_view text, std::string_view word) noexcept {
    if (word.empty()) return false;
    const bool starts_with_word_char = is_word_char(detail::code_point_at(word, 0));
    const bool ends_with_word_char = is_word_char(detail::code_point_before(word, word.size()));
    for (auto pos = text.find(word); pos != std::string_view::npos; pos = text.find(word, pos + 1)) {
        const auto end = pos + word.size();
        const bool left_free = !starts_with_word_char || !is_word_char(detail::code_point_before(text, pos));
        const bool right_free = !ends_with_word_char || !is_word_char(detail::code_point_at(text, end));
        if (left_free && right_free) return true;
    }
    return false;
}

/// contains_word, or a plain substring search, as `mode` says. An empty keyword matches nothing.
inline bool contains(std::string_view text, std::string_view keyword, match_mode mode) noexcept {
    if (keyword.empty()) return false;
    if (mode == match_mode::word) return contains_word(text, keyword);
    return text.find(keyword) != std::string_view::npos;
}

/// The index of the first of `keywords` (already in match_form) that `text` (in match_form too)
/// contains, or nullopt.
inline std::optional<std::size_t> find_keyword(std::string_view text, std::span<const std::string> keywords,
                                               match_mode mode) noexcept {
    for (std::size_t i = 0; i < keywords.size(); ++i)
        if (contains(text, keywords[i], mode)) return i;
    return std::nullopt;
}

/// One-off convenience: brings both sides to match_form and matches. For many messages against
/// the same keywords, fold the keywords once (workflow::keyword_rules does).
inline bool matches(std::string_view text, std::string_view keyword, accent_mode accents = accent_mode::insensitive,
                    match_mode mode = match_mode::word) {
    auto t = match_form(text, accents);
    auto k = match_form(keyword, accents);
    return t && k && contains(*t, *k, mode);
}

} // namespace pancake::text

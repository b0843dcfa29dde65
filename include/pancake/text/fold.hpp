// Unicode-aware text folding for matching Vietnamese tag names and keywords (utf8proc):
// NFC + case fold ("Đặt Hàng" -> "đặt hàng"), and optionally accents stripped ("đặt hàng" ->
// "dat hang", with đ -> d, which Unicode decomposition alone does not do).
//
// Vietnamese arrives both precomposed (NFC: "ặ" is one code point) and decomposed (NFD: "a" +
// dot below + breve, which some phone keyboards and macOS produce), so every fold normalises
// first: the same word folds to the same bytes whichever way it was typed.
#pragma once

#include <utf8proc.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pancake::text {

/// Whether folding keeps accents: "sensitive" tells "giá" (price) from "gia" (family),
/// "insensitive" lets "dat hang" match "Đặt hàng" typed with or without a Vietnamese keyboard.
enum class accent_mode { sensitive, insensitive };

namespace detail {

// Letters that read as d with an accent to Vietnamese speakers but have no canonical
// decomposition, so STRIPMARK leaves them alone: đ/Đ (U+0111/U+0110, d with stroke), and ð/Ð
// (U+00F0/U+00D0, eth), which looks like Đ and is what Latin-1 fallbacks of legacy
// Vietnamese encodings (Windows-1258, VNI) produce for it.
inline utf8proc_int32_t strip_stroke(utf8proc_int32_t cp, void*) {
    switch (cp) {
    case 0x0110:
    case 0x0111:
    case 0x00D0:
    case 0x00F0:
        return 'd';
    default:
        return cp;
    }
}

inline std::optional<std::string> map(std::string_view in, int options, utf8proc_custom_func custom = nullptr) {
    utf8proc_uint8_t* out = nullptr;
    auto n = utf8proc_map_custom(reinterpret_cast<const utf8proc_uint8_t*>(in.data()),
                                 static_cast<utf8proc_ssize_t>(in.size()), &out,
                                 static_cast<utf8proc_option_t>(options), custom, nullptr);
    if (n < 0) return std::nullopt; // invalid UTF-8
    std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> guard(out, &std::free);
    return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

// NFC (COMPOSE) with case folding; STABLE keeps the result stable across Unicode versions.
inline constexpr int case_fold_options = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD;
// Marks are stripped between decomposition and recomposition, so what remains is composed
// again (Hangul syllables, for one, come back whole rather than as jamo).
inline constexpr int accent_fold_options = case_fold_options | UTF8PROC_STRIPMARK;

inline std::optional<std::string> fold_with(std::string_view s, accent_mode accents, int extra_options) {
    if (accents == accent_mode::sensitive) return map(s, case_fold_options | extra_options);
    return map(s, accent_fold_options | extra_options, &strip_stroke);
}

} // namespace detail

/// Canonical composition (NFC) alone: "a" + U+0323 + U+0306 becomes "ặ". Invalid UTF-8 yields
/// nullopt rather than a guess.
inline std::optional<std::string> nfc(std::string_view s) { return detail::map(s, UTF8PROC_STABLE | UTF8PROC_COMPOSE); }

/// NFC + case fold: "ĐẶT Hàng" -> "đặt hàng". Invalid UTF-8 yields nullopt rather than a guess.
inline std::optional<std::string> case_fold(std::string_view s) {
    return detail::fold_with(s, accent_mode::sensitive, 0);
}

/// Case fold and strip accents: "Khiếu Nại" -> "khieu nai", "Đặt" -> "dat".
inline std::optional<std::string> accent_fold(std::string_view s) {
    return detail::fold_with(s, accent_mode::insensitive, 0);
}

/// case_fold or accent_fold, as `accents` says.
inline std::optional<std::string> fold(std::string_view s, accent_mode accents) {
    return detail::fold_with(s, accents, 0);
}

} // namespace pancake::text

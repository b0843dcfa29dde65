// Unicode-aware text folding for matching Vietnamese tag names and keywords (utf8proc):
// NFC + case fold ("Đặt Hàng" -> "đặt hàng"), and optionally accents stripped ("đặt hàng" ->
// "dat hang", with đ -> d, which Unicode decomposition alone does not do).
#pragma once

#include <utf8proc.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pancake::text {

namespace detail {
inline std::optional<std::string> map(std::string_view in, int options) {
    utf8proc_uint8_t* out = nullptr;
    auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(in.data()),
                          static_cast<utf8proc_ssize_t>(in.size()), &out, static_cast<utf8proc_option_t>(options));
    if (n < 0) return std::nullopt; // invalid UTF-8
    std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> guard(out, &std::free);
    return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}
} // namespace detail

/// NFC + case fold. Invalid UTF-8 yields nullopt rather than a guess.
inline std::optional<std::string> case_fold(std::string_view s) {
    return detail::map(s, UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STABLE);
}

/// Case fold and strip accents: "Khiếu Nại" -> "khieu nai", "Đặt" -> "dat".
inline std::optional<std::string> accent_fold(std::string_view s) {
    auto folded = detail::map(s, UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_STABLE);
    if (!folded) return folded;
    std::string out;
    out.reserve(folded->size());
    for (std::size_t i = 0; i < folded->size(); ++i) {
        // đ (U+0111, C4 91) has no decomposition: map it by hand after folding.
        if ((*folded)[i] == '\xC4' && i + 1 < folded->size() && (*folded)[i + 1] == '\x91') {
            out += 'd';
            ++i;
        } else {
            out += (*folded)[i];
        }
    }
    return out;
}

} // namespace pancake::text

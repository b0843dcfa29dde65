// Decoding single code points around a byte position, for the boundary checks of the matcher.
// Matching itself runs on bytes: in valid UTF-8 a keyword can only be found at a code point
// boundary (a lead byte never equals a continuation byte), so only the neighbours need decoding.
#pragma once

#include <utf8proc.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pancake::text::detail {

/// A code point that decodes to nothing: invalid or truncated UTF-8.
inline constexpr std::int32_t invalid_code_point = -1;

/// The code point that starts at byte `pos` of `s`.
inline std::int32_t code_point_at(std::string_view s, std::size_t pos) noexcept {
    if (pos >= s.size()) return invalid_code_point;
    utf8proc_int32_t cp = invalid_code_point;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + pos),
                              static_cast<utf8proc_ssize_t>(s.size() - pos), &cp);
    return n > 0 ? cp : invalid_code_point;
}

/// The code point that ends just before byte `pos` of `s`.
inline std::int32_t code_point_before(std::string_view s, std::size_t pos) noexcept {
    if (pos == 0 || pos > s.size()) return invalid_code_point;
    // Step back over continuation bytes (10xxxxxx) to the lead byte: at most three of them.
    std::size_t start = pos - 1;
    while (start > 0 && pos - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
        --start;
    utf8proc_int32_t cp = invalid_code_point;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + start),
                              static_cast<utf8proc_ssize_t>(pos - start), &cp);
    return n == static_cast<utf8proc_ssize_t>(pos - start) ? cp : invalid_code_point;
}

} // namespace pancake::text::detail

// FNV-1a, 64 bits (offset basis 0xcbf29ce484222325): a cheap, stable fingerprint (event dedupe
// keys, multipart boundaries).
#pragma once

#include <cstdint>
#include <string_view>

namespace pancake::detail {

inline std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 14695981039346656037ull) noexcept {
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

} // namespace pancake::detail

// Argument checks the listing descriptors share, refused before anything is sent.
#pragma once

#include <pancake/detail/request.hpp>

#include <cstdint>
#include <string>

namespace pancake::endpoints::checks {

/// page_number ≥ 1 and 1 ≤ page_size ≤ max (the API's own limits).
inline void page(detail::request& r, std::int64_t number, std::int64_t size, std::int64_t max) {
    if (r.invalid) return;
    if (number < 1)
        r.invalid = validation_error{errc::invalid_argument, "page_number must be at least 1"};
    else if (size < 1 || size > max)
        r.invalid = validation_error{errc::invalid_argument, "page_size must be between 1 and " + std::to_string(max)};
}

inline void range(detail::request& r, std::int64_t since, std::int64_t until) {
    if (!r.invalid && since > until) r.invalid = validation_error{errc::invalid_argument, "since is after until"};
}

/// An id that goes into the path must not be empty (the route would change).
inline void id(detail::request& r, const std::string& v, const char* what) {
    if (!r.invalid && v.empty()) r.invalid = validation_error{errc::invalid_argument, std::string("empty ") + what};
}

} // namespace pancake::endpoints::checks

// Integer query parameters of the paged page routes (page_customers, posts, sip_call_logs,
// export_data): required or defaulted, range-checked, with the message a 400 answer carries.
#pragma once

#include "request_target.hpp"
#include "text.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace pancake::sim {

struct int_rule {
    std::optional<std::int64_t> fallback; ///< when absent; none: the parameter is required
    std::int64_t min = INT64_MIN, max = INT64_MAX;
    const char* meaning = "an integer"; ///< for the message ("unix seconds")
};

/// `key` read into `out`; nullopt when fine, else why not ("page_size must be an integer from 1
/// to 100"). An absent optional parameter without a fallback leaves `out` empty.
inline std::optional<std::string> int_param(const request_target& q, const std::string& key, const int_rule& r,
                                            std::optional<std::int64_t>& out, bool required) {
    auto v = q.param(key);
    if (!v) {
        out = r.fallback;
        if (required && !r.fallback) return key + " is required";
        return std::nullopt;
    }
    std::int64_t n;
    if (!parse_int(*v, n)) return key + " must be " + r.meaning;
    if (n < r.min || n > r.max) {
        std::string range = r.max == INT64_MAX ? " of at least " + std::to_string(r.min)
                                               : " from " + std::to_string(r.min) + " to " + std::to_string(r.max);
        return key + " must be an integer" + range;
    }
    out = n;
    return std::nullopt;
}

/// page_number (required, >= 1) and page_size (1..max, `fallback` when absent if any).
struct paging {
    std::int64_t number = 1, size = 0;
};
inline std::optional<std::string> paging_params(const request_target& q, std::int64_t max_size,
                                                std::optional<std::int64_t> size_fallback, paging& out) {
    std::optional<std::int64_t> number, size;
    if (auto e = int_param(q, "page_number", {std::nullopt, 1, INT64_MAX}, number, true)) return e;
    if (auto e = int_param(q, "page_size", {size_fallback, 1, max_size}, size, true)) return e;
    out = {*number, *size};
    return std::nullopt;
}

/// since/until in unix seconds (UTC); `required` says whether both must be there.
inline std::optional<std::string> time_window(const request_target& q, bool required,
                                              std::optional<std::int64_t>& since, std::optional<std::int64_t>& until) {
    int_rule secs{std::nullopt, INT64_MIN, INT64_MAX, "unix seconds"};
    if (auto e = int_param(q, "since", secs, since, required)) return e;
    if (auto e = int_param(q, "until", secs, until, required)) return e;
    if (since && until && *since > *until) return std::string("since must not be after until");
    return std::nullopt;
}

/// Items [first, last) of page `pg` of a list of n.
inline std::pair<std::size_t, std::size_t> page_slice(std::size_t n, const paging& pg) {
    const auto size = static_cast<std::size_t>(pg.size);
    const auto pages_before = static_cast<std::uint64_t>(pg.number - 1);
    if (pages_before >= n / size + 1) return {n, n}; // (also guards the multiplication)
    const auto first = std::min<std::size_t>(n, pages_before * size);
    return {first, std::min(n, first + size)};
}

} // namespace pancake::sim

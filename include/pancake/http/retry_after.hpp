// Parsing a server's Retry-After header (RFC 9110 §10.2.3): delay-seconds or an IMF-fixdate.
// The value is untrusted: it saturates instead of overflowing, and garbage counts as absent.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pancake::http {

/// The largest delay a Retry-After can mean here (about 31 years). Far above any cap a caller
/// applies, and small enough that converting it to nanoseconds and adding it to a clock reading
/// cannot overflow.
inline constexpr std::chrono::seconds retry_after_ceiling{1'000'000'000};

namespace detail {

inline bool digits(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

inline int number(std::string_view s) noexcept {
    int v = 0;
    for (char c : s)
        v = v * 10 + (c - '0');
    return v;
}

/// "Sun, 06 Nov 1994 08:49:37 GMT", the only form a sender may generate.
inline std::optional<std::chrono::sys_seconds> parse_imf_fixdate(std::string_view v) noexcept {
    using namespace std::chrono;
    if (v.size() != 29 || v.substr(3, 2) != ", " || v[7] != ' ' || v[11] != ' ' || v[16] != ' ' || v[19] != ':' ||
        v[22] != ':' || v.substr(25) != " GMT")
        return std::nullopt;
    constexpr std::string_view days = "MonTueWedThuFriSatSun";
    constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const auto wd = days.find(v.substr(0, 3));
    const auto mo = months.find(v.substr(8, 3));
    if (wd == std::string_view::npos || wd % 3 || mo == std::string_view::npos || mo % 3) return std::nullopt;
    for (auto part : {v.substr(5, 2), v.substr(12, 4), v.substr(17, 2), v.substr(20, 2), v.substr(23, 2)})
        if (!digits(part)) return std::nullopt;
    const year_month_day ymd{year{number(v.substr(12, 4))}, month{static_cast<unsigned>(mo / 3 + 1)},
                             day{static_cast<unsigned>(number(v.substr(5, 2)))}};
    const int h = number(v.substr(17, 2)), m = number(v.substr(20, 2)), s = number(v.substr(23, 2));
    if (!ymd.ok() || h > 23 || m > 59 || s > 60) return std::nullopt; // 60: a leap second
    return sys_days(ymd) + hours(h) + minutes(m) + seconds(s);
}

} // namespace detail

/// The delay a Retry-After value asks for, in [0, retry_after_ceiling]; nullopt when it is
/// neither delay-seconds nor an IMF-fixdate (negative numbers, fractions, trailing junk…).
/// A date is taken relative to `now` (the wall clock); a past date means no delay.
inline std::optional<std::chrono::seconds> parse_retry_after(std::string_view v,
                                                             std::chrono::system_clock::time_point now) noexcept {
    using namespace std::chrono;
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
        v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
        v.remove_suffix(1);
    if (detail::digits(v)) {
        std::int64_t s = 0;
        for (char c : v) {
            s = s * 10 + (c - '0');
            if (s >= retry_after_ceiling.count()) return retry_after_ceiling; // saturate, never overflow
        }
        return seconds(s);
    }
    const auto date = detail::parse_imf_fixdate(v);
    if (!date) return std::nullopt;
    // In seconds: a year-9999 date does not fit system_clock's nanoseconds.
    const auto wait = *date - floor<seconds>(now);
    if (wait <= seconds::zero()) return seconds::zero();
    return std::min(wait, retry_after_ceiling);
}

} // namespace pancake::http

// Pancake timestamps: naive ISO-8601 strings in UTC ("2021-08-26T06:29:56" or with ".000000").
#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace pancake {

class utc_time {
public:
    using time_point = std::chrono::sys_time<std::chrono::microseconds>;
    utc_time() = default;
    explicit utc_time(time_point tp, bool fraction = false) : tp_(tp), fraction_(fraction) {}

    time_point time() const noexcept { return tp_; }
    std::int64_t unix_seconds() const noexcept {
        return std::chrono::floor<std::chrono::seconds>(tp_).time_since_epoch().count();
    }
    static utc_time from_unix(std::int64_t s) { return utc_time(time_point(std::chrono::seconds(s))); }

    /// Accepts "YYYY-MM-DDTHH:MM:SS", an optional ".f…" fraction (up to 6 digits kept) and a trailing 'Z'.
    static std::optional<utc_time> parse(std::string_view s) {
        auto digits = [&](std::size_t pos, std::size_t n, int& out) {
            if (pos + n > s.size()) return false;
            out = 0;
            for (std::size_t i = 0; i < n; ++i) {
                char c = s[pos + i];
                if (c < '0' || c > '9') return false;
                out = out * 10 + (c - '0');
            }
            return true;
        };
        int y, mo, d, h, mi, se;
        if (s.size() < 19 || !digits(0, 4, y) || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-' || !digits(8, 2, d) ||
            (s[10] != 'T' && s[10] != ' ') || !digits(11, 2, h) || s[13] != ':' || !digits(14, 2, mi) || s[16] != ':' ||
            !digits(17, 2, se))
            return std::nullopt;
        std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(unsigned(mo)),
                                        std::chrono::day(unsigned(d))};
        if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return std::nullopt;
        std::size_t pos = 19;
        long long micros = 0;
        bool fraction = false;
        if (pos < s.size() && s[pos] == '.') {
            fraction = true;
            ++pos;
            int n = 0;
            while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
                if (n < 6) micros = micros * 10 + (s[pos] - '0');
                ++n;
                ++pos;
            }
            if (n == 0) return std::nullopt;
            for (; n < 6; ++n)
                micros *= 10;
        }
        if (pos < s.size() && s[pos] == 'Z') ++pos;
        if (pos != s.size()) return std::nullopt;
        auto tp = std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
                  std::chrono::seconds(se) + std::chrono::microseconds(micros);
        return utc_time(tp, fraction);
    }

    /// The naive form Pancake sends; microseconds are written when the input had them.
    std::string to_string() const {
        auto days = std::chrono::floor<std::chrono::days>(tp_);
        std::chrono::year_month_day ymd(days);
        std::chrono::hh_mm_ss<std::chrono::microseconds> t(tp_ - days);
        char buf[48];
        int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()), unsigned(ymd.month()),
                              unsigned(ymd.day()), int(t.hours().count()), int(t.minutes().count()),
                              int(t.seconds().count()));
        if (fraction_ || t.subseconds().count() != 0)
            std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(t.subseconds().count()));
        return buf;
    }

    friend bool operator==(const utc_time& a, const utc_time& b) noexcept { return a.tp_ == b.tp_; }
    friend auto operator<=>(const utc_time& a, const utc_time& b) noexcept { return a.tp_ <=> b.tp_; }

private:
    time_point tp_{};
    bool fraction_ = false;
};

} // namespace pancake

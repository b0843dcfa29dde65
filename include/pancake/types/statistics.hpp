// GET statistics/*: ads, campaigns, engagement, page, tag and staff statistics.
//
// Two ways to say "when": `since`/`until` in UTC unix seconds (ads, campaigns, pages, tags), or
// a `date_range` in the PAGE's local time (customer_engagements, users): local_range below.
#pragma once

#include <pancake/types/common.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pancake {

/// A period in the page's local time zone, both ends included ("27/07/2021 00:00:00 -
/// 26/08/2021 23:59:59" on the wire).
struct local_range {
    std::chrono::local_seconds from;
    std::chrono::local_seconds to;

    /// Whole local days: [first 00:00:00, last 23:59:59].
    static local_range whole_days(std::chrono::year_month_day first, std::chrono::year_month_day last) {
        using namespace std::chrono;
        return {local_days(first), local_days(last) + days(1) - seconds(1)};
    }

    bool valid() const noexcept { return from <= to; }

    std::string to_string() const { return format(from) + " - " + format(to); }

private:
    static std::string format(std::chrono::local_seconds t) {
        using namespace std::chrono;
        const auto day = floor<days>(t);
        const year_month_day ymd(day);
        const hh_mm_ss hms(t - day);
        char buf[32];
        std::snprintf(buf, sizeof buf, "%02u/%02u/%04d %02d:%02d:%02d", static_cast<unsigned>(ymd.day()),
                      static_cast<unsigned>(ymd.month()), static_cast<int>(ymd.year()),
                      static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                      static_cast<int>(hms.seconds().count()));
        return buf;
    }
};

/// An entry of statistics/pages_campaigns (amounts as the API sends them: strings).
struct campaign_statistics {
    std::string account_id;
    std::string ad_id;
    std::string adset_id;
    std::string budget_remaining;
    std::string currency;
    std::string daily_budget;
    std::string status;
};
BOOST_DESCRIBE_STRUCT(campaign_statistics, (),
                      (account_id, ad_id, adset_id, budget_remaining, currency, daily_budget, status))

/// statistics/ads' `type`: one entry per ad, or per time bucket.
enum class ads_grouping { by_id, by_time };

/// An entry of statistics/ads (numbers as strings, as the API sends them).
struct ad_statistics {
    std::string name;
    std::string status;
    std::string currency;
    std::string reach;
    std::string impressions;
    std::string spend;
};
BOOST_DESCRIBE_STRUCT(ad_statistics, (), (name, status, currency, reach, impressions, spend))

/// A chart: labels ("26/8", local days) and one named series of counts per metric.
struct named_series {
    std::string name;
    std::vector<std::int64_t> data;
};
BOOST_DESCRIBE_STRUCT(named_series, (), (name, data))

struct engagement_chart {
    std::vector<std::string> categories;
    std::vector<named_series> series;
};
BOOST_DESCRIBE_STRUCT(engagement_chart, (), (categories, series))

struct engagement_bucket {
    std::optional<utc_time> hour; ///< the bucket's start (page-local, naive)
    std::int64_t inbox = 0;
    std::int64_t comment = 0;
    std::int64_t total = 0;
    std::int64_t new_customer = 0;
    std::int64_t new_customer_from_inbox = 0;
};
BOOST_DESCRIBE_STRUCT(engagement_bucket, (), (hour, inbox, comment, total, new_customer, new_customer_from_inbox))

/// statistics/customer_engagements: distinct customers engaging, per local day (or hour).
struct engagement_statistics {
    bool success = false;
    engagement_chart data;
    std::vector<engagement_bucket> statistics;
};
BOOST_DESCRIBE_STRUCT(engagement_statistics, (), (success, data, statistics))
PANCAKE_REQUIRED_FIELDS(engagement_statistics, "data")

/// GET statistics/customer_engagements' arguments.
struct engagement_query {
    local_range range;
    bool by_hour = false;
    std::vector<user_id> user_ids; ///< staff filter (empty: everyone)
};

/// An entry of statistics/pages: the page's traffic in one hour.
struct page_statistics_bucket {
    std::optional<utc_time> hour;
    std::int64_t customer_comment_count = 0;
    std::int64_t customer_inbox_count = 0;
    std::int64_t inbox_interactive_count = 0;
    std::int64_t new_customer_count = 0;
    std::int64_t new_inbox_count = 0;
    std::int64_t page_comment_count = 0;
    std::int64_t page_inbox_count = 0;
    std::int64_t phone_number_count = 0;
    std::int64_t today_uniq_website_referral = 0;
    std::int64_t today_website_guest_referral = 0;
    std::int64_t uniq_phone_number_count = 0;
};
BOOST_DESCRIBE_STRUCT(page_statistics_bucket, (),
                      (hour, customer_comment_count, customer_inbox_count, inbox_interactive_count, new_customer_count,
                       new_inbox_count, page_comment_count, page_inbox_count, phone_number_count,
                       today_uniq_website_referral, today_website_guest_referral, uniq_phone_number_count))

struct page_statistics {
    bool success = false;
    std::vector<page_statistics_bucket> data;
};
BOOST_DESCRIBE_STRUCT(page_statistics, (), (success, data))
PANCAKE_REQUIRED_FIELDS(page_statistics, "data")

/// Tag counts per local day: series[tag] has one count per category.
struct tag_chart {
    std::vector<std::string> categories;
    std::map<std::string, std::vector<std::int64_t>, std::less<>> series;
};
BOOST_DESCRIBE_STRUCT(tag_chart, (), (categories, series))

/// A tag as statistics/tags lists it: the id is a string here, and there is a description.
struct statistics_tag {
    std::string id;
    std::string text;
    std::string color;
    std::string lighten_color;
    std::optional<std::string> description;
};
BOOST_DESCRIBE_STRUCT(statistics_tag, (), (id, text, color, lighten_color, description))

struct tag_statistics {
    bool success = false;
    tag_chart data;
    tag_chart data_today;
    std::vector<statistics_tag> tags;
};
BOOST_DESCRIBE_STRUCT(tag_statistics, (), (success, data, data_today, tags))
PANCAKE_REQUIRED_FIELDS(tag_statistics, "data")

/// A staff member's work in one hour (statistics/users `statistics[user_id][]`).
struct staff_activity {
    std::optional<utc_time> hour;
    std::int64_t average_response_time = 0; ///< milliseconds
    std::int64_t comment_count = 0;
    std::int64_t inbox_count = 0;
    std::int64_t phone_number_count = 0;
    std::int64_t private_reply_count = 0;
    std::int64_t unique_comment_count = 0;
    std::int64_t unique_inbox_count = 0;
};
BOOST_DESCRIBE_STRUCT(staff_activity, (),
                      (hour, average_response_time, comment_count, inbox_count, phone_number_count, private_reply_count,
                       unique_comment_count, unique_inbox_count))

/// A staff member's totals over the range (statistics/users `users[user_id]`).
struct staff_summary {
    std::string user_name;
    std::string user_fb_id;
    std::optional<utc_time> hour;
    std::int64_t average_response_time = 0;
    std::int64_t comment_count = 0;
    std::int64_t inbox_count = 0;
    std::int64_t phone_number_count = 0;
    std::int64_t private_reply_count = 0;
    std::int64_t unique_comment_count = 0;
    std::int64_t unique_inbox_count = 0;
};
BOOST_DESCRIBE_STRUCT(staff_summary, (),
                      (user_name, user_fb_id, hour, average_response_time, comment_count, inbox_count,
                       phone_number_count, private_reply_count, unique_comment_count, unique_inbox_count))

struct user_statistics_data {
    std::map<std::string, std::vector<staff_activity>, std::less<>> statistics; ///< by user id
    std::map<std::string, staff_summary, std::less<>> users;                    ///< by user id
};
BOOST_DESCRIBE_STRUCT(user_statistics_data, (), (statistics, users))

struct user_statistics {
    bool success = false;
    user_statistics_data data;
};
BOOST_DESCRIBE_STRUCT(user_statistics, (), (success, data))
PANCAKE_REQUIRED_FIELDS(user_statistics, "data")

} // namespace pancake

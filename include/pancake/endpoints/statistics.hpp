// GET pages/{page}/statistics/*. Ranges are UTC unix seconds, except customer_engagements and
// users, which take a date_range in the page's local time (local_range).
#pragma once

#include <pancake/endpoints/checks.hpp>
#include <pancake/endpoints/context.hpp>
#include <pancake/types/statistics.hpp>

#include <string>
#include <vector>

namespace pancake::endpoints {

namespace checks {
inline void local(detail::request& r, const local_range& range) {
    if (!r.invalid && !range.valid())
        r.invalid = validation_error{errc::invalid_argument, "the date range ends before it starts"};
}
} // namespace checks

/// A statistics call over [since, until] in UTC unix seconds.
inline detail::request utc_statistics(const context& c, const page_id& page, std::string_view which, std::int64_t since,
                                      std::int64_t until, std::vector<http::query_param> extra = {}) {
    std::vector<http::query_param> p{{"since", std::to_string(since)}, {"until", std::to_string(until)}};
    for (auto& e : extra)
        p.push_back(std::move(e));
    auto r = c.page_call(verb::get, "v1", page, {"statistics", which}, p);
    checks::range(r, since, until);
    return r;
}

/// statistics/pages_campaigns: the page's ad campaigns active in the range.
struct get_campaign_statistics {
    using response_type = std::vector<campaign_statistics>;
    using result_type = std::vector<campaign_statistics>;
    page_id page;
    std::int64_t since = 0, until = 0;

    detail::request to_request(const context& c) const {
        return utc_statistics(c, page, "pages_campaigns", since, until);
    }
};

/// statistics/ads: per ad (by_id) or per time bucket (by_time).
struct get_ad_statistics {
    using response_type = std::vector<ad_statistics>;
    using result_type = std::vector<ad_statistics>;
    page_id page;
    std::int64_t since = 0, until = 0;
    ads_grouping grouping = ads_grouping::by_id;

    detail::request to_request(const context& c) const {
        return utc_statistics(c, page, "ads", since, until,
                              {{"type", grouping == ads_grouping::by_id ? "by_id" : "by_time"}});
    }
};

/// statistics/customer_engagements over a local date range.
struct get_engagement_statistics {
    using response_type = engagement_statistics;
    using result_type = engagement_statistics;
    page_id page;
    engagement_query query;

    detail::request to_request(const context& c) const {
        std::vector<http::query_param> p{{"date_range", query.range.to_string()}};
        if (query.by_hour) p.emplace_back("by_hour", "true");
        if (!query.user_ids.empty()) {
            std::string ids;
            for (auto& u : query.user_ids)
                ids += (ids.empty() ? "" : ",") + u.value();
            p.emplace_back("user_ids", ids);
        }
        auto r = c.page_call(verb::get, "v1", page, {"statistics", "customer_engagements"}, p);
        checks::local(r, query.range);
        return r;
    }
};

/// statistics/pages: the page's traffic per hour.
struct get_page_statistics {
    using response_type = page_statistics;
    using result_type = page_statistics;
    page_id page;
    std::int64_t since = 0, until = 0;

    detail::request to_request(const context& c) const { return utc_statistics(c, page, "pages", since, until); }
};

/// statistics/tags: tags applied per local day, and today.
struct get_tag_statistics {
    using response_type = tag_statistics;
    using result_type = tag_statistics;
    page_id page;
    std::int64_t since = 0, until = 0;

    detail::request to_request(const context& c) const { return utc_statistics(c, page, "tags", since, until); }
};

/// statistics/users: each staff member's work over a local date range.
struct get_user_statistics {
    using response_type = user_statistics;
    using result_type = user_statistics;
    page_id page;
    local_range range;

    detail::request to_request(const context& c) const {
        auto r = c.page_call(verb::get, "v1", page, {"statistics", "users"}, {{"date_range", range.to_string()}});
        checks::local(r, range);
        return r;
    }
};

} // namespace pancake::endpoints

// What statistics are computed from: a per-page log of what happened (tags applied, messages of
// staff and customers, conversations created), the page's ads with their daily numbers (the
// simulator has no ad engine), and the page's local calendar (statistics bucket days in the
// page's time zone; `date_range` strings are local time).
#pragma once

#include "response.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pancake::sim {

/// One thing that happened on a page. Appended by the handlers, seeded from a fixture's
/// conversations, messages and tag histories at load.
struct activity {
    enum class kind : std::uint8_t { conversation_created, customer_message, staff_message, tag_added, tag_removed };
    kind what{};
    std::int64_t at_ms = 0; ///< unix milliseconds, UTC
    std::string conversation;
    std::string who;      ///< customer psid; staff user id ("" when sent as the page); tag editor
    bool comment = false; ///< a COMMENT thread (else INBOX)
    std::int64_t tag = 0;
    std::string phone;          ///< a phone number the customer's message carried
    bool chat_plugin = false;   ///< came through the web chat plugin
    bool private_reply = false; ///< a staff private reply to a comment

    // The records, by kind (at_ms is set when recorded).
    static activity created(std::string conv, std::string psid, bool comment, bool chat_plugin) {
        return {kind::conversation_created, 0, std::move(conv), std::move(psid), comment, 0, {}, chat_plugin, false};
    }
    static activity customer(std::string conv, std::string psid, bool comment, std::string phone, bool chat_plugin) {
        return {kind::customer_message, 0,           std::move(conv),
                std::move(psid),        comment,     0,
                std::move(phone),       chat_plugin, false};
    }
    static activity staff(std::string conv, std::string user, bool comment, bool private_reply) {
        return {kind::staff_message, 0, std::move(conv), std::move(user), comment, 0, {}, false, private_reply};
    }
    static activity tagged(bool added, std::string conv, std::string editor, bool comment, std::int64_t tag) {
        return {added ? kind::tag_added : kind::tag_removed,
                0,
                std::move(conv),
                std::move(editor),
                comment,
                tag,
                {},
                false,
                false};
    }
    activity& at(std::int64_t ms) {
        at_ms = ms;
        return *this;
    }
};

/// One local day of an ad's delivery.
struct ad_day {
    std::int64_t day = 0; ///< local date, days since 1970-01-01
    std::int64_t reach = 0, impressions = 0;
    double spend = 0;
};

/// An ad of the page, as the fixture gives it (the budgets are strings, as the API sends them).
struct page_ad {
    std::string ad_id, adset_id, campaign_id, account_id, name, status, currency, daily_budget, budget_remaining;
    std::vector<ad_day> days;
};

/// Vietnam (UTC+07:00): the default of a page without "utc_offset_minutes".
inline constexpr int default_utc_offset_minutes = 420;

/// a / b rounded towards minus infinity (times before 1970 fall in the hour or day they are in).
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

/// The local date (days since 1970-01-01) of a UTC instant, for a page `offset_min` east of UTC.
std::int64_t local_day(std::int64_t unix_ms, int offset_min);
/// "26/8": day/month of a local date, the statistics' category label.
std::string day_label(std::int64_t day);
/// "2026-01-02" <-> local date.
std::string iso_date(std::int64_t day);
std::optional<std::int64_t> parse_iso_date(std::string_view s);
/// "DD/MM/YYYY HH:MM:SS - DD/MM/YYYY HH:MM:SS" in the page's local time: [start, end] as UTC unix
/// seconds (end inclusive). nullopt when malformed (wrong shape, impossible date or time).
std::optional<std::pair<std::int64_t, std::int64_t>> parse_date_range(std::string_view s, int offset_min);
/// The first Vietnamese-style phone number in a text (10-11 digits starting with 0, or +84…,
/// spaces and dots inside allowed), normalised to 0…; "" when there is none.
std::string find_phone(std::string_view text);

json::value activity_json(const activity& a);
std::optional<activity> activity_from_json(const json::value& v, std::string& err);
json::value ad_json(const page_ad& a);
std::optional<page_ad> ad_from_json(const json::value& v, std::string& err);

} // namespace pancake::sim

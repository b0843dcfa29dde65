// GET …/statistics/{pages, tags, users, customer_engagements, pages_campaigns, ads}: computed from
// the page's activity log and its ads. Days are the page's local days (utc_offset_minutes),
// `date_range` is local time, `since`/`until` are UTC unix seconds, `hour` fields are UTC hours
// written naive like every other timestamp of the API.
#include "handlers.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>

namespace pancake::sim {

namespace {
constexpr std::int64_t ms_per_hour = 3'600'000;
constexpr std::int64_t max_range_days = 366; ///< invented bound: a year of daily categories
constexpr std::int64_t max_hourly_days = 31; ///< by_hour: at most 744 categories

/// A closed interval of unix milliseconds.
struct span {
    std::int64_t from_ms, to_ms;
    bool contains(std::int64_t t) const { return t >= from_ms && t <= to_ms; }
};

std::string hour_string(std::int64_t utc_hour) { return utc_time::from_unix(utc_hour * 3600).to_string(); }

std::optional<span> unix_range(const std::optional<std::string>& since, const std::optional<std::string>& until,
                               std::string& err) {
    std::int64_t s, u;
    if (!since || !until) {
        err = !since ? "since is required" : "until is required";
        return std::nullopt;
    }
    if (!parse_int(*since, s) || !parse_int(*until, u)) {
        err = !parse_int(*since, s) ? "since must be unix seconds" : "until must be unix seconds";
        return std::nullopt;
    }
    if (u < s) {
        err = "until must not be before since";
        return std::nullopt;
    }
    if (s < 0 || u > 253'402'300'799) { // 9999-12-31T23:59:59
        err = "since and until must be unix seconds between 1970 and 9999";
        return std::nullopt;
    }
    return span{s * 1000, u * 1000 + 999};
}

std::optional<span> local_range(const std::optional<std::string>& text, int offset_min, std::string& err) {
    if (!text) {
        err = "date_range is required";
        return std::nullopt;
    }
    auto r = parse_date_range(*text, offset_min);
    if (!r) {
        err = "date_range must be DD/MM/YYYY HH:MM:SS - DD/MM/YYYY HH:MM:SS";
        return std::nullopt;
    }
    if (r->second < r->first) {
        err = "date_range ends before it starts";
        return std::nullopt;
    }
    return span{r->first * 1000, r->second * 1000 + 999};
}

bool too_long(span r, int offset_min, std::int64_t max_days, std::string& err) {
    if (local_day(r.to_ms, offset_min) - local_day(r.from_ms, offset_min) + 1 <= max_days) return false;
    err = "the range must not exceed " + std::to_string(max_days) + " days";
    return true;
}

json::array day_labels(std::int64_t d0, std::int64_t d1) {
    json::array a;
    for (auto d = d0; d <= d1; ++d)
        a.push_back(json::value(day_label(d)));
    return a;
}

json::array zeros(std::size_t n) { return json::array(n, json::value(0)); }

void bump(json::array& a, std::int64_t i) {
    a[static_cast<std::size_t>(i)] = a[static_cast<std::size_t>(i)].as_int64() + 1;
}

/// The time of each customer's first message on the page (who is "new" when).
std::map<std::string, std::int64_t> first_messages(const page_state& p) {
    std::map<std::string, std::int64_t> first;
    for (const auto& a : p.activity_records())
        if (a.what == activity::kind::customer_message) first.try_emplace(std::string(a.who), a.at_ms);
    return first;
}

// statistics/pages: one entry per UTC hour with activity, in time order.
json::value page_statistics(const page_state& p, span r) {
    struct hour {
        std::int64_t customer_comment = 0, customer_inbox = 0, new_customer = 0, new_inbox = 0, page_comment = 0,
                     page_inbox = 0, phone = 0, web_guests = 0;
        std::set<std::string> interactive, phones, web_visitors;
    };
    const auto first = first_messages(p);
    std::map<std::int64_t, hour> hours;
    std::set<std::string> counted_new;
    for (const auto& a : p.activity_records()) {
        if (!r.contains(a.at_ms) || a.what == activity::kind::tag_added || a.what == activity::kind::tag_removed)
            continue;
        auto& h = hours[floor_div(a.at_ms, ms_per_hour)];
        switch (a.what) {
        case activity::kind::customer_message:
            ++(a.comment ? h.customer_comment : h.customer_inbox);
            if (!a.comment) h.interactive.insert(std::string(a.conversation));
            if (!a.phone.empty()) ++h.phone, h.phones.insert(std::string(a.phone));
            if (a.chat_plugin) h.web_visitors.insert(std::string(a.who));
            if (first.at(std::string(a.who)) == a.at_ms && counted_new.insert(std::string(a.who)).second)
                ++h.new_customer;
            break;
        case activity::kind::staff_message:
            ++(a.comment ? h.page_comment : h.page_inbox);
            if (!a.comment) h.interactive.insert(std::string(a.conversation));
            break;
        case activity::kind::conversation_created:
            if (!a.comment) ++h.new_inbox;
            if (a.chat_plugin) ++h.web_guests;
            break;
        default:
            break;
        }
    }
    json::array data;
    for (auto& [t, h] : hours)
        data.push_back(json::object{{"hour", hour_string(t)},
                                    {"customer_comment_count", h.customer_comment},
                                    {"customer_inbox_count", h.customer_inbox},
                                    {"inbox_interactive_count", h.interactive.size()},
                                    {"new_customer_count", h.new_customer},
                                    {"new_inbox_count", h.new_inbox},
                                    {"page_comment_count", h.page_comment},
                                    {"page_inbox_count", h.page_inbox},
                                    {"phone_number_count", h.phone},
                                    {"uniq_phone_number_count", h.phones.size()},
                                    {"today_uniq_website_referral", h.web_visitors.size()},
                                    {"today_website_guest_referral", h.web_guests}});
    return json::object{{"success", true}, {"data", std::move(data)}};
}

// statistics/tags: tags applied per local day of the range, and today; series keyed by tag text
// (by id for a tag the page no longer has, or a second tag of the same text).
json::value tag_statistics(const page_state& p, span r, std::int64_t now_ms) {
    const int off = p.utc_offset_minutes;
    const auto d0 = local_day(r.from_ms, off), d1 = local_day(r.to_ms, off), today = local_day(now_ms, off);
    const auto n = static_cast<std::size_t>(d1 - d0 + 1);
    std::map<std::int64_t, std::string> key_of;
    std::set<std::string> keys;
    json::object series, series_today;
    json::array tags;
    auto add_key = [&](std::int64_t id, const std::string& text) {
        std::string key = !text.empty() && !keys.count(text) ? text : std::to_string(id);
        keys.insert(key);
        key_of[id] = key;
        series[key] = zeros(n);
        series_today[key] = zeros(1);
    };
    for (auto& t : p.tags) {
        add_key(t.id.value(), t.text);
        tags.push_back(json::object{{"id", std::to_string(t.id.value())},
                                    {"text", t.text},
                                    {"color", t.color},
                                    {"lighten_color", t.lighten_color},
                                    {"description", nullptr}});
    }
    for (const auto& a : p.activity_records()) {
        if (a.what != activity::kind::tag_added) continue;
        const auto day = local_day(a.at_ms, off);
        if (!r.contains(a.at_ms) && day != today) continue;
        if (!key_of.count(a.tag)) add_key(a.tag, {});
        const auto& key = key_of.at(a.tag);
        if (r.contains(a.at_ms)) bump(series[key].as_array(), day - d0);
        if (day == today) bump(series_today[key].as_array(), 0);
    }
    return json::object{
        {"success", true},
        {"data", json::object{{"categories", day_labels(d0, d1)}, {"series", std::move(series)}}},
        {"data_today", json::object{{"categories", day_labels(today, today)}, {"series", std::move(series_today)}}},
        {"tags", std::move(tags)}};
}

// statistics/users: what each staff member sent, per UTC hour and in total. A response time runs
// from the first customer message the page had not answered yet to the staff message answering it.
json::value user_statistics(const page_state& p, span r) {
    struct counts {
        std::int64_t inbox = 0, comment = 0, phone = 0, private_reply = 0, responses = 0, response_ms = 0;
        std::set<std::string> inbox_convs, comment_convs;
        json::object to_json(const std::string& hour) const {
            return json::object{{"inbox_count", inbox},
                                {"comment_count", comment},
                                {"unique_inbox_count", inbox_convs.size()},
                                {"unique_comment_count", comment_convs.size()},
                                {"phone_number_count", phone},
                                {"private_reply_count", private_reply},
                                {"average_response_time", responses ? response_ms / responses : 0},
                                {"hour", hour}};
        }
    };
    struct waiting {
        std::int64_t since_ms = -1;
        std::int64_t phones = 0;
    };
    std::map<std::string, waiting> pending; // per conversation
    std::map<std::string, std::map<std::int64_t, counts>> per_hour;
    std::map<std::string, counts> total;
    for (const auto& a : p.activity_records()) {
        if (a.what == activity::kind::customer_message) {
            auto& w = pending[std::string(a.conversation)];
            if (w.since_ms < 0) w.since_ms = a.at_ms;
            if (!a.phone.empty()) ++w.phones;
            continue;
        }
        if (a.what != activity::kind::staff_message) continue;
        auto w = pending[std::string(a.conversation)];
        pending.erase(std::string(a.conversation)); // answered, whoever sent it
        if (a.who.empty() || !r.contains(a.at_ms)) continue;
        for (auto* c : {&per_hour[std::string(a.who)][floor_div(a.at_ms, ms_per_hour)], &total[std::string(a.who)]}) {
            ++(a.comment ? c->comment : c->inbox);
            (a.comment ? c->comment_convs : c->inbox_convs).insert(std::string(a.conversation));
            if (a.private_reply) ++c->private_reply;
            c->phone += w.phones;
            if (w.since_ms >= 0) ++c->responses, c->response_ms += a.at_ms - w.since_ms;
        }
    }
    json::object statistics, users;
    for (auto& [uid, hours] : per_hour) {
        json::array entries;
        for (auto& [h, c] : hours)
            entries.push_back(c.to_json(hour_string(h)));
        std::string name, fb_id;
        for (auto& u : p.users)
            if (u.id.value() == uid) name = u.name, fb_id = u.fb_id.value_or("");
        for (auto& u : p.disabled_users)
            if (u.id.value() == uid) name = u.name, fb_id = u.fb_id.value_or("");
        auto o = total.at(uid).to_json(hour_string(hours.rbegin()->first)); // the last hour with activity
        o["user_name"] = name;
        o["user_fb_id"] = fb_id;
        statistics[uid] = std::move(entries);
        users[uid] = std::move(o);
    }
    return json::object{{"success", true},
                        {"data", json::object{{"statistics", std::move(statistics)}, {"users", std::move(users)}}}};
}

// statistics/customer_engagements: distinct customers writing in, per local day (or local hour
// with by_hour), each counted once per bucket; `statistics` per UTC hour, each customer counted in
// the first hour they engaged that local day. user_ids: conversations assigned to those users.
json::value engagement_statistics(const page_state& p, span r, bool by_hour, const std::set<std::string>& user_ids) {
    const int off = p.utc_offset_minutes;
    const std::int64_t shift = std::int64_t(off) * 60'000;
    auto bucket = [&](std::int64_t ms) { return by_hour ? floor_div(ms + shift, ms_per_hour) : local_day(ms, off); };
    const auto b0 = bucket(r.from_ms), b1 = bucket(r.to_ms);
    const auto n = static_cast<std::size_t>(b1 - b0 + 1);
    const char* names[] = {"inbox", "comment", "total", "new_customer", "new_customer_from_inbox"};
    std::vector<std::vector<std::set<std::string>>> seen(5, std::vector<std::set<std::string>>(n));
    struct hour {
        std::int64_t m[5] = {};
    };
    std::map<std::int64_t, hour> hours;
    std::set<std::tuple<int, std::int64_t, std::string>> counted_today; // metric, local day, customer
    const auto first = first_messages(p);
    // Assigned to one of user_ids? Decided once per conversation the range mentions (a copy each:
    // a statistics call must not materialise the page).
    std::map<std::string_view, bool> assigned;
    auto wanted = [&](std::string_view conv) {
        if (user_ids.empty()) return true;
        auto [it, fresh] = assigned.try_emplace(conv, false);
        if (fresh && p.conversations.contains(conv)) {
            const auto c = p.conversations.get(conv);
            it->second = std::any_of(c.assignee_ids.begin(), c.assignee_ids.end(),
                                     [&](auto& u) { return user_ids.count(u.value()) > 0; });
        }
        return it->second;
    };
    for (const auto& a : p.activity_records()) {
        if (!r.contains(a.at_ms) || !wanted(a.conversation)) continue;
        std::vector<int> metrics;
        if (a.what == activity::kind::customer_message) {
            metrics = {a.comment ? 1 : 0, 2};
            if (first.at(std::string(a.who)) == a.at_ms) metrics.push_back(3);
        } else if (a.what == activity::kind::conversation_created && !a.comment) {
            metrics = {4};
        }
        const auto b = static_cast<std::size_t>(bucket(a.at_ms) - b0);
        for (int m : metrics) {
            seen[m][b].insert(std::string(a.who));
            if (counted_today.insert({m, local_day(a.at_ms, off), std::string(a.who)}).second)
                ++hours[floor_div(a.at_ms, ms_per_hour)].m[m];
        }
    }
    json::array categories, series, statistics;
    for (auto b = b0; b <= b1; ++b) {
        if (!by_hour) {
            categories.push_back(json::value(day_label(b)));
            continue;
        }
        char hh[8];
        std::snprintf(hh, sizeof hh, " %02d:00", int(b - floor_div(b, 24) * 24));
        categories.push_back(json::value(day_label(floor_div(b, 24)) + hh));
    }
    for (int m = 0; m < 5; ++m) {
        json::array data;
        for (auto& s : seen[m])
            data.push_back(json::value(static_cast<std::int64_t>(s.size())));
        series.push_back(json::object{{"name", names[m]}, {"data", std::move(data)}});
    }
    for (auto& [t, h] : hours) {
        json::object o{{"hour", hour_string(t)}};
        for (int m = 0; m < 5; ++m)
            o[names[m]] = h.m[m];
        statistics.push_back(std::move(o));
    }
    return json::object{{"success", true},
                        {"data", json::object{{"categories", std::move(categories)}, {"series", std::move(series)}}},
                        {"statistics", std::move(statistics)}};
}

std::string money(double v) {
    char buf[64];
    if (v == static_cast<double>(static_cast<std::int64_t>(v)))
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    else
        std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

// statistics/pages_campaigns: the ads that delivered on a local day of the range.
json::value campaign_statistics(const page_state& p, span r) {
    const auto d0 = local_day(r.from_ms, p.utc_offset_minutes), d1 = local_day(r.to_ms, p.utc_offset_minutes);
    json::array out;
    for (auto& ad : p.ads)
        if (std::any_of(ad.days.begin(), ad.days.end(), [&](auto& d) { return d.day >= d0 && d.day <= d1; }))
            out.push_back(json::object{{"account_id", ad.account_id},
                                       {"ad_id", ad.ad_id},
                                       {"adset_id", ad.adset_id},
                                       {"budget_remaining", ad.budget_remaining},
                                       {"currency", ad.currency},
                                       {"daily_budget", ad.daily_budget},
                                       {"status", ad.status}});
    return out;
}

// statistics/ads: by_id sums each ad's days in the range (reach summed per day: the simulator
// knows no viewers); by_time gives one entry per local day and ad, in day order.
json::value ad_statistics(const page_state& p, span r, bool by_time) {
    const auto d0 = local_day(r.from_ms, p.utc_offset_minutes), d1 = local_day(r.to_ms, p.utc_offset_minutes);
    auto entry = [](const page_ad& ad, std::int64_t reach, std::int64_t impressions, double spend) {
        return json::object{{"ad_id", ad.ad_id},
                            {"name", ad.name},
                            {"status", ad.status},
                            {"currency", ad.currency},
                            {"reach", std::to_string(reach)},
                            {"impressions", std::to_string(impressions)},
                            {"spend", money(spend)}};
    };
    json::array out;
    if (!by_time) {
        for (auto& ad : p.ads) {
            std::int64_t reach = 0, impressions = 0, days = 0;
            double spend = 0;
            for (auto& d : ad.days)
                if (d.day >= d0 && d.day <= d1)
                    reach += d.reach, impressions += d.impressions, spend += d.spend, ++days;
            if (days) out.push_back(entry(ad, reach, impressions, spend));
        }
        return out;
    }
    std::vector<std::pair<std::int64_t, json::object>> rows;
    for (auto& ad : p.ads)
        for (auto& d : ad.days) {
            if (d.day < d0 || d.day > d1) continue;
            auto o = entry(ad, d.reach, d.impressions, d.spend);
            o["date_start"] = iso_date(d.day);
            o["date_stop"] = iso_date(d.day);
            rows.emplace_back(d.day, std::move(o));
        }
    std::stable_sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.first < b.first; });
    for (auto& [day, o] : rows)
        out.push_back(std::move(o));
    return out;
}
} // namespace

handle_result world::statistics_get(ctx& c) {
    const page_state& p = *c.page;
    const std::string which = c.out.route.substr(std::string_view("statistics.").size());
    const std::int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(c.wall.time_since_epoch()).count();
    std::string err;
    json::value body;
    if (which == "users" || which == "customer_engagements") {
        auto r = local_range(c.param("date_range"), p.utc_offset_minutes, err);
        bool by_hour = false;
        std::set<std::string> user_ids;
        if (auto v = c.param("by_hour"); r && v) {
            if (*v == "true" || *v == "1")
                by_hour = true;
            else if (*v != "false" && *v != "0")
                err = "by_hour must be true or false";
        }
        if (auto v = c.param("user_ids"); r && v && which == "customer_engagements") {
            std::string_view rest = *v;
            while (err.empty() && !rest.empty()) {
                auto comma = rest.find(',');
                std::string id(rest.substr(0, comma));
                rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
                if (std::none_of(p.users.begin(), p.users.end(), [&](auto& u) { return u.id.value() == id; }))
                    err = "user_ids: unknown user " + id;
                user_ids.insert(id);
            }
        }
        if (r && err.empty() && !too_long(*r, p.utc_offset_minutes, by_hour ? max_hourly_days : max_range_days, err))
            body = which == "users" ? user_statistics(p, *r) : engagement_statistics(p, *r, by_hour, user_ids);
    } else {
        auto r = unix_range(c.param("since"), c.param("until"), err);
        auto type = c.param("type");
        if (r && which == "ads" && (!type || (*type != "by_id" && *type != "by_time")))
            err = type ? "type must be by_id or by_time" : "type is required";
        if (r && err.empty() && !too_long(*r, p.utc_offset_minutes, max_range_days, err)) {
            if (which == "pages") body = page_statistics(p, *r);
            if (which == "tags") body = tag_statistics(p, *r, now_ms);
            if (which == "pages_campaigns") body = campaign_statistics(p, *r);
            if (which == "ads") body = ad_statistics(p, *r, *type == "by_time");
        }
    }
    c.out.resp = err.empty() ? json_response(200, body) : invented(400, err);
    return std::move(c.out);
}

} // namespace pancake::sim

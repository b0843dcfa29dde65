// The activity log's records and ads as JSON (fixtures and snapshots), the page's local calendar,
// and the phone numbers customers' messages carry.
#include "activity.hpp"
#include "activity_history.hpp"

#include "text.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <tuple>

namespace pancake::sim {

namespace {
constexpr std::int64_t ms_per_day = 86'400'000;

// Digits at s[pos, pos+n) as a number; false unless all are digits.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        out = out * 10 + (c - '0');
    }
    return true;
}

// "DD/MM/YYYY HH:MM:SS" (19 characters) as local seconds since 1970-01-01 00:00 local.
std::optional<std::int64_t> parse_local(std::string_view s) {
    int d, mo, y, h, mi, se;
    if (s.size() != 19 || !digits(s, 0, 2, d) || s[2] != '/' || !digits(s, 3, 2, mo) || s[5] != '/' ||
        !digits(s, 6, 4, y) || s[10] != ' ' || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) ||
        s[16] != ':' || !digits(s, 17, 2, se))
        return std::nullopt;
    std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(unsigned(mo)),
                                    std::chrono::day(unsigned(d))};
    if (!ymd.ok() || h > 23 || mi > 59 || se > 59) return std::nullopt;
    const std::int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
    return days * 86'400 + h * 3600 + mi * 60 + se;
}

std::optional<std::string> str_field(const json::object& o, std::string_view k, std::string& err, bool required) {
    auto* v = o.if_contains(k);
    if (!v) {
        if (required) err = std::string(k) + " is required";
        return std::nullopt;
    }
    if (!v->is_string()) {
        err = std::string(k) + " must be a string";
        return std::nullopt;
    }
    return std::string(v->as_string());
}

std::optional<std::int64_t> int_field(const json::object& o, std::string_view k) {
    auto* v = o.if_contains(k);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64() && v->as_uint64() <= std::uint64_t(INT64_MAX)) return static_cast<std::int64_t>(v->as_uint64());
    return std::nullopt;
}

constexpr std::pair<activity::kind, std::string_view> kind_names[] = {
    {activity::kind::conversation_created, "conversation_created"},
    {activity::kind::customer_message, "customer_message"},
    {activity::kind::staff_message, "staff_message"},
    {activity::kind::tag_added, "tag_added"},
    {activity::kind::tag_removed, "tag_removed"},
};
} // namespace

std::int64_t local_day(std::int64_t unix_ms, int offset_min) {
    return floor_div(unix_ms + std::int64_t(offset_min) * 60'000, ms_per_day);
}

std::string day_label(std::int64_t day) {
    std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(day))};
    return std::to_string(unsigned(ymd.day())) + "/" + std::to_string(unsigned(ymd.month()));
}

std::string iso_date(std::int64_t day) {
    std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(day))};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()));
    return buf;
}

std::optional<std::int64_t> parse_iso_date(std::string_view s) {
    int y, mo, d;
    if (s.size() != 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
        !digits(s, 8, 2, d))
        return std::nullopt;
    std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(unsigned(mo)),
                                    std::chrono::day(unsigned(d))};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days(ymd).time_since_epoch().count();
}

std::optional<std::pair<std::int64_t, std::int64_t>> parse_date_range(std::string_view s, int offset_min) {
    // A '+' is a space a form encoder wrote (the string itself never holds one).
    std::string t(s);
    for (auto& c : t)
        if (c == '+') c = ' ';
    if (t.size() != 41 || t.compare(19, 3, " - ") != 0) return std::nullopt;
    auto a = parse_local(std::string_view(t).substr(0, 19)), b = parse_local(std::string_view(t).substr(22));
    if (!a || !b) return std::nullopt;
    const std::int64_t shift = std::int64_t(offset_min) * 60;
    return std::pair{*a - shift, *b - shift};
}

std::string find_phone(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool plus84 = text.substr(i, 3) == "+84";
        if (!plus84 && (text[i] != '0' || (i > 0 && text[i - 1] >= '0' && text[i - 1] <= '9'))) continue;
        std::string num = plus84 ? "0" : "";
        std::size_t j = plus84 ? i + 3 : i;
        for (; j < text.size(); ++j) {
            const char c = text[j];
            if (c >= '0' && c <= '9')
                num += c;
            else if ((c != ' ' && c != '.') || j + 1 >= text.size() || text[j + 1] < '0' || text[j + 1] > '9')
                break;
        }
        if (num.size() >= 10 && num.size() <= 11) return num;
        i = j > i ? j - 1 : i;
    }
    return {};
}

json::value activity_json(const activity& a) {
    json::object o{{"at", a.at_ms}, {"conversation", a.conversation}, {"who", a.who}};
    for (auto& [k, name] : kind_names)
        if (k == a.what) o["kind"] = name;
    o["type"] = a.comment ? "COMMENT" : "INBOX";
    if (a.what == activity::kind::tag_added || a.what == activity::kind::tag_removed) o["tag"] = a.tag;
    if (!a.phone.empty()) o["phone"] = a.phone;
    if (a.chat_plugin) o["chat_plugin"] = true;
    if (a.private_reply) o["private_reply"] = true;
    return o;
}

std::optional<activity> activity_from_json(const json::value& v, std::string& err) {
    auto* o = v.if_object();
    if (!o) {
        err = "an activity record must be an object";
        return std::nullopt;
    }
    activity a;
    auto kind = str_field(*o, "kind", err, true);
    if (!kind) return std::nullopt;
    bool known = false;
    for (auto& [k, name] : kind_names)
        if (name == *kind) a.what = k, known = true;
    if (!known) {
        err = "unknown activity kind " + *kind;
        return std::nullopt;
    }
    auto at = int_field(*o, "at");
    if (!at) {
        err = "activity: at must be unix milliseconds";
        return std::nullopt;
    }
    if (*at > activity_history::max_abs_ms || *at < -activity_history::max_abs_ms) {
        err = "activity: at is out of range (unix milliseconds within a million years of 1970)";
        return std::nullopt;
    }
    a.at_ms = *at;
    auto conv = str_field(*o, "conversation", err, true);
    auto who = str_field(*o, "who", err, false);
    auto type = str_field(*o, "type", err, false);
    auto phone = str_field(*o, "phone", err, false);
    if (!err.empty()) return std::nullopt;
    a.conversation = *conv;
    a.who = who.value_or("");
    if (type && *type != "INBOX" && *type != "COMMENT") {
        err = "activity: type must be INBOX or COMMENT";
        return std::nullopt;
    }
    a.comment = type == std::optional<std::string>("COMMENT");
    a.phone = phone.value_or("");
    if (a.what == activity::kind::tag_added || a.what == activity::kind::tag_removed) {
        auto tag = int_field(*o, "tag");
        if (!tag) {
            err = "activity: a tag record needs an integer tag";
            return std::nullopt;
        }
        a.tag = *tag;
        if (!a.phone.empty() && a.tag != 0) { // a phone comes with a customer's message, not a tag change
            err = "activity: a tag record carries no phone";
            return std::nullopt;
        }
    }
    for (auto [k, dst] : {std::pair{"chat_plugin", &a.chat_plugin}, std::pair{"private_reply", &a.private_reply}}) {
        if (auto* f = o->if_contains(k)) {
            if (!f->is_bool()) {
                err = std::string("activity: ") + k + " must be a boolean";
                return std::nullopt;
            }
            *dst = f->as_bool();
        }
    }
    return a;
}

json::value ad_json(const page_ad& a) {
    json::array days;
    for (auto& d : a.days)
        days.push_back(json::object{
            {"date", iso_date(d.day)}, {"reach", d.reach}, {"impressions", d.impressions}, {"spend", d.spend}});
    return json::object{{"ad_id", a.ad_id},
                        {"adset_id", a.adset_id},
                        {"campaign_id", a.campaign_id},
                        {"account_id", a.account_id},
                        {"name", a.name},
                        {"status", a.status},
                        {"currency", a.currency},
                        {"daily_budget", a.daily_budget},
                        {"budget_remaining", a.budget_remaining},
                        {"daily", std::move(days)}};
}

std::optional<page_ad> ad_from_json(const json::value& v, std::string& err) {
    auto* o = v.if_object();
    if (!o) {
        err = "an ad must be an object";
        return std::nullopt;
    }
    page_ad a;
    for (auto [k, dst, required] :
         {std::tuple{"ad_id", &a.ad_id, true}, std::tuple{"adset_id", &a.adset_id, true},
          std::tuple{"campaign_id", &a.campaign_id, false}, std::tuple{"account_id", &a.account_id, true},
          std::tuple{"name", &a.name, true}, std::tuple{"status", &a.status, true},
          std::tuple{"currency", &a.currency, true}, std::tuple{"daily_budget", &a.daily_budget, true},
          std::tuple{"budget_remaining", &a.budget_remaining, true}}) {
        auto s = str_field(*o, k, err, required);
        if (!err.empty()) {
            err = "ad " + a.ad_id + ": " + err;
            return std::nullopt;
        }
        *dst = s.value_or("");
    }
    if (a.ad_id.empty()) {
        err = "ad: ad_id must not be empty";
        return std::nullopt;
    }
    auto* daily = o->if_contains("daily");
    if (daily && !daily->is_array()) {
        err = "ad " + a.ad_id + ": daily must be an array";
        return std::nullopt;
    }
    if (daily) {
        for (auto& jd : daily->as_array()) {
            auto* d = jd.if_object();
            auto* date = d ? d->if_contains("date") : nullptr;
            auto day = date && date->is_string() ? parse_iso_date(date->as_string()) : std::nullopt;
            auto reach = d ? int_field(*d, "reach") : std::nullopt;
            auto imp = d ? int_field(*d, "impressions") : std::nullopt;
            auto* spend = d ? d->if_contains("spend") : nullptr;
            if (!day || !reach || !imp || *reach < 0 || *imp < 0 || !spend || !spend->is_number() ||
                spend->to_number<double>() < 0 || !std::isfinite(spend->to_number<double>())) {
                err = "ad " + a.ad_id +
                      ": a daily entry is {\"date\":\"YYYY-MM-DD\",\"reach\":n,\"impressions\":n,\"spend\":n} "
                      "(non-negative numbers)";
                return std::nullopt;
            }
            a.days.push_back({*day, *reach, *imp, spend->to_number<double>()});
        }
    }
    return a;
}

} // namespace pancake::sim

// ---- a page's statistics fields in fixtures and snapshots --------------------------------------

#include "handlers.hpp"

#include <algorithm>

namespace pancake::sim {

namespace {
std::int64_t ms_of(const utc_time& t) {
    return std::chrono::floor<std::chrono::milliseconds>(t.time()).time_since_epoch().count();
}

// The log a fixture implies: its conversations' creation, messages and tag histories, in time order.
void seed_activity(page_state& p) {
    const std::string web_prefix = p.chat_plugin_id.empty() ? std::string() : p.chat_plugin_id + "_";
    p.conversations.for_each([&](std::string_view cid_view, const conversation& c) {
        const std::string cid(cid_view);
        const bool comment = c.type == "COMMENT";
        const bool web = !web_prefix.empty() && cid.starts_with(web_prefix);
        const std::string psid = c.from ? c.from->id : std::string();
        if (c.inserted_at) p.load_activity(activity::created(cid, psid, comment, web).at(ms_of(*c.inserted_at)));
        for (auto& h : c.tag_histories) {
            if ((h.payload.action != "add" && h.payload.action != "remove") || !h.payload.tag.id) continue;
            p.load_activity(activity::tagged(h.payload.action == "add", cid, h.payload.editor_id.value_or(""), comment,
                                             h.payload.tag.id->value())
                                .at(ms_of(h.inserted_at)));
        }
        for (auto& m : p.conversations.messages(cid)) {
            if (!m.inserted_at || !m.from) continue;
            const auto t = ms_of(*m.inserted_at);
            if (m.from->id == p.info.id.value())
                p.load_activity(activity::staff(cid, m.from->admin_id.value_or(""), comment, false).at(t));
            else
                p.load_activity(
                    activity::customer(cid, m.from->id, comment, find_phone(m.original_message.value_or("")), web)
                        .at(t));
        }
    });
    p.activity_log.sort_by_time();
}
} // namespace

bool load_page_extras(page_state& p, const json::object& o, std::string& err) {
    const std::string where = "page " + p.info.id.value() + ": ";
    if (auto* v = o.if_contains("utc_offset_minutes")) {
        // Whole minutes east of UTC, from -12:00 to +14:00 (the zones that exist).
        if (!v->is_int64() || v->as_int64() < -720 || v->as_int64() > 840) {
            err = where + "utc_offset_minutes must be an integer from -720 to 840 (Vietnam: 420)";
            return false;
        }
        p.utc_offset_minutes = static_cast<int>(v->as_int64());
    }
    if (auto* v = o.if_contains("chat_plugin_id")) {
        if (!v->is_string() || !v->as_string().starts_with("web_") || v->as_string().size() < 5 ||
            v->as_string().find_first_of("/?&#% ") != json::string::npos) {
            err = where + "chat_plugin_id must be a string \"web_…\" (no '/', '?', '&', '#', '%' or spaces)";
            return false;
        }
        p.chat_plugin_id = v->as_string();
    }
    if (auto* v = o.if_contains("ads")) {
        if (!v->is_array()) {
            err = where + "ads must be an array";
            return false;
        }
        for (auto& ja : v->as_array()) {
            std::string why;
            auto ad = ad_from_json(ja, why);
            if (!ad) {
                err = where + why;
                return false;
            }
            if (std::any_of(p.ads.begin(), p.ads.end(), [&](auto& x) { return x.ad_id == ad->ad_id; })) {
                err = where + "two ads have the id " + ad->ad_id;
                return false;
            }
            p.ads.push_back(std::move(*ad));
        }
    }
    if (auto* v = o.if_contains("activity")) {
        if (!v->is_array()) {
            err = where + "activity must be an array";
            return false;
        }
        for (auto& ja : v->as_array()) {
            std::string why;
            auto a = activity_from_json(ja, why);
            if (!a) {
                err = where + why;
                return false;
            }
            p.load_activity(*a);
        }
        p.activity_log.sort_by_time();
    } else {
        seed_activity(p);
    }
    return true;
}

void page_extras_json(const page_state& p, json::object& o) {
    o["utc_offset_minutes"] = p.utc_offset_minutes;
    if (!p.chat_plugin_id.empty()) o["chat_plugin_id"] = p.chat_plugin_id;
    json::array ads, log;
    for (auto& a : p.ads)
        ads.push_back(ad_json(a));
    for (const auto& a : p.activity_records())
        log.push_back(activity_json(a.record()));
    o["ads"] = std::move(ads);
    o["activity"] = std::move(log);
}

} // namespace pancake::sim

namespace pancake::sim {

// Kept in time order (a test's or an admin's wall clock may step back), later records of the same
// millisecond after earlier ones.
void world::record(page_state& p, activity a, wall_time wall) {
    a.at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count();
    p.add_activity(a);
}

} // namespace pancake::sim

// The page's content beyond conversations: posts (comment_count computed from the COMMENT
// conversations on each post), SIP call logs, and the export of conversations that came from ads.
// Also their part of a fixture and of a snapshot.
#include "fixture_fields.hpp"
#include "handlers.hpp"
#include "query_params.hpp"

#include <algorithm>
#include <array>

namespace pancake::sim {

namespace {

constexpr std::int64_t posts_max_page_size = 30, call_logs_max_page_size = 30;
constexpr std::size_t exported_per_call = 60;
constexpr std::array<const char*, 7> reaction_keys = {"angry_count", "care_count", "haha_count", "like_count",
                                                      "love_count",  "sad_count",  "wow_count"};

std::int64_t seconds_of(const utc_time& t) { return t.unix_seconds(); }

bool in_window(std::int64_t secs, std::optional<std::int64_t> since, std::optional<std::int64_t> until) {
    return (!since || secs >= *since) && (!until || secs <= *until);
}

// Comments on a post: the messages of the page's COMMENT conversations on it (replies included, as
// Facebook counts them); a conversation whose messages the simulator does not hold counts its
// message_count.
std::int64_t comment_count(const page_state& p, const std::string& post) {
    std::int64_t n = 0;
    p.conversations.for_each_summary([&](std::string_view cid, const conversation_store::summary& s) {
        auto& convs = p.conversations;
        if (!convs.comment_on(s, post)) return;
        const auto held = p.conversations.message_count(cid);
        n += held ? static_cast<std::int64_t>(held) : convs.get(cid).message_count; // a copy: no cache
    });
    return n;
}

json::value post_item(const page_state& p, const page_post& post) {
    json::object reactions;
    for (auto key : reaction_keys) {
        auto r = post.reactions.find(key);
        reactions[key] = r == post.reactions.end() ? 0 : r->second;
    }
    return json::object{{"id", post.id},
                        {"page_id", p.info.id.value()},
                        {"from", json::object{{"id", post.from.id}, {"name", post.from.name}}},
                        {"message", post.message},
                        {"type", post.type},
                        {"inserted_at", post.inserted_at.to_string()},
                        {"comment_count", comment_count(p, post.id)},
                        {"reactions", std::move(reactions)},
                        {"phone_number_count", post.phone_number_count}};
}

json::value call_log_item(const sip_call_log& l) {
    return json::object{{"call_id", l.call_id},   {"caller", l.caller},
                        {"callee", l.callee},     {"start_time", l.start_time.to_string()},
                        {"duration", l.duration}, {"status", l.status}};
}

json::value ad_json(const conversation_ad& a) {
    return json::object{
        {"ad_id", a.ad_id},
        {"post_id", a.post_id ? json::value(*a.post_id) : json::value(nullptr)},
        {"inserted_at", a.inserted_at ? json::value(a.inserted_at->to_string()) : json::value(nullptr)}};
}

std::optional<utc_time> conversation_time(const conversation& c) {
    return c.inserted_at ? c.inserted_at : c.updated_at;
}

// A conversation as export_data lists it (spec: its own flat shape). Tags are the tag ids as
// strings; recent_seen_users is empty (the simulator keeps no seen-by); thread_key is "t_" + the
// customer's psid (our choice: the spec does not say what it holds).
json::value exported(const page_state& p, const conversation& c) {
    json::array tags, customers, phones, clicks, assignees;
    for (auto t : c.tag_ids())
        tags.emplace_back(std::to_string(t.value()));
    for (auto& cu : c.customers) {
        json::object o{{"id", cu.id}, {"name", cu.name}};
        if (cu.fb_id) o["fb_id"] = *cu.fb_id;
        customers.push_back(std::move(o));
    }
    for (auto& ph : c.recent_phone_numbers)
        phones.emplace_back(ph.phone_number);
    for (auto& a : p.conversation_ads.at(c.id.value()))
        clicks.emplace_back(a.ad_id);
    for (auto& u : c.current_assign_users)
        assignees.push_back(json::object{{"id", u.id.value()}, {"name", u.name}});
    const std::string psid = c.from ? c.from->id : std::string();
    json::object from{{"id", psid}, {"name", c.from ? c.from->name : std::string()}};
    if (c.from && c.from->email) from["email"] = *c.from->email;
    json::object o{{"id", c.id.value()},
                   {"tags", std::move(tags)},
                   {"from", std::move(from)},
                   {"customers", std::move(customers)},
                   {"recent_phone_numbers", std::move(phones)},
                   {"recent_seen_users", json::array{}},
                   {"thread_key", "t_" + psid},
                   {"psid", psid},
                   {"ad_clicks", std::move(clicks)},
                   {"is_banned", false},
                   {"assignees", std::move(assignees)}};
    if (auto t = conversation_time(c)) o["inserted_at"] = t->to_string();
    if (auto t = c.updated_at ? c.updated_at : c.inserted_at) o["updated_at"] = t->to_string();
    return o;
}

} // namespace

bool world::read_content(page_state& p, const json::object& page, std::string& err_out) {
    std::string err; // the first problem; fixture_fields report into it (err_out may hold an older one)
    const std::string at = "page " + p.info.id.value() + ": ";
    fixture_fields pf(page, at, err);
    std::map<std::string, page_post> posts;
    if (auto* list = pf.array("posts")) {
        for (std::size_t i = 0; i < list->size() && pf.ok(); ++i) {
            fixture_fields f((*list)[i], at + "posts[" + std::to_string(i) + "]: ", err);
            page_post post;
            post.id = f.str("id");
            post.type = f.str("type");
            post.message = f.opt_str("message").value_or("");
            post.from = party{p.info.id.value(), p.info.name, std::nullopt, std::nullopt};
            if (auto* from = f.get("from")) {
                fixture_fields ff(*from, at + "posts[" + std::to_string(i) + "]: from: ", err);
                post.from.id = ff.str("id");
                post.from.name = ff.str("name");
            }
            post.inserted_at = f.time("inserted_at");
            if (auto* r = f.get("reactions")) {
                fixture_fields rf(*r, at + "posts[" + std::to_string(i) + "]: reactions: ", err);
                for (auto key : reaction_keys)
                    if (auto n = rf.opt_int(key)) post.reactions[key] = *n;
            }
            post.phone_number_count = f.opt_int("phone_number_count").value_or(0);
            if (f.ok() && post.id.empty()) f.fail("id must not be empty");
            if (f.ok() && posts.count(post.id)) f.fail("duplicate post id " + post.id);
            if (f.ok()) posts.emplace(post.id, std::move(post));
        }
    }
    std::vector<sip_call_log> logs;
    if (auto* list = pf.array("sip_call_logs")) {
        for (std::size_t i = 0; i < list->size() && pf.ok(); ++i) {
            fixture_fields f((*list)[i], at + "sip_call_logs[" + std::to_string(i) + "]: ", err);
            sip_call_log l;
            l.package_id = f.str("package_id");
            l.call_id = f.str("call_id");
            l.caller = f.str("caller");
            l.callee = f.str("callee");
            l.status = f.str("status");
            l.start_time = f.time("start_time");
            l.duration = f.int64("duration");
            if (f.ok() && l.duration < 0) f.fail("duration must not be negative");
            logs.push_back(std::move(l));
        }
    }
    // A conversation's ads: "ads": [{ad_id, post_id?, inserted_at?}] (as the real data has them) or
    // just "ad_ids": ["…"].
    std::map<std::string, std::vector<conversation_ad>> ads;
    if (auto* convs = pf.array("conversations")) {
        for (std::size_t i = 0; i < convs->size() && pf.ok(); ++i) {
            const std::string where = at + "conversations[" + std::to_string(i) + "]: ";
            fixture_fields f((*convs)[i], where, err);
            const auto id = f.str("id");
            std::vector<conversation_ad> list;
            if (auto* a = f.array("ads"))
                for (std::size_t k = 0; k < a->size() && f.ok(); ++k) {
                    fixture_fields af((*a)[k], where + "ads[" + std::to_string(k) + "]: ", err);
                    list.push_back({af.str("ad_id"), af.opt_str("post_id"), af.opt_time("inserted_at")});
                }
            for (auto& ad : f.strings("ad_ids"))
                if (std::none_of(list.begin(), list.end(), [&](auto& x) { return x.ad_id == ad; }))
                    list.push_back({ad, std::nullopt, std::nullopt});
            if (f.ok() && !list.empty()) ads[id] = std::move(list);
        }
    }
    if (!pf.ok()) return report(err_out, err);
    p.posts = std::move(posts);
    p.call_logs = std::move(logs);
    p.conversation_ads = std::move(ads);
    return true;
}

void world::write_content(const page_state& p, json::object& page) {
    json::array posts, logs;
    for (auto& [id, post] : p.posts)
        posts.push_back(post_item(p, post));
    for (auto& l : p.call_logs) {
        auto o = call_log_item(l).as_object();
        o["package_id"] = l.package_id;
        logs.push_back(std::move(o));
    }
    page["posts"] = std::move(posts);
    page["sip_call_logs"] = std::move(logs);
    if (auto* convs = page.if_contains("conversations"); convs && convs->is_array())
        for (auto& jc : convs->as_array()) {
            auto& o = jc.as_object();
            auto it = p.conversation_ads.find(std::string(o.at("id").as_string()));
            if (it == p.conversation_ads.end()) continue;
            json::array a;
            for (auto& ad : it->second)
                a.push_back(ad_json(ad));
            o["ads"] = std::move(a);
        }
}

// GET posts: since/until, page_number and page_size (<= 30) required; optional type. Newest first
// by inserted_at, which since/until filter on.
handle_result world::posts_get(ctx& c) {
    auto bad = [&](const std::string& why) {
        c.out.resp = invented(400, why);
        return std::move(c.out);
    };
    std::optional<std::int64_t> since, until;
    paging pg;
    if (auto e = time_window(c.target, true, since, until)) return bad(*e);
    if (auto e = paging_params(c.target, posts_max_page_size, std::nullopt, pg)) return bad(*e);
    auto type = c.param("type");
    if (type && *type != "video" && *type != "photo" && *type != "text" && *type != "livestream")
        return bad("type must be video, photo, text or livestream");
    std::vector<const page_post*> list;
    for (auto& [id, post] : c.page->posts)
        if (in_window(seconds_of(post.inserted_at), since, until) && (!type || post.type == *type))
            list.push_back(&post);
    std::sort(list.begin(), list.end(), [](auto* a, auto* b) {
        return a->inserted_at.time() != b->inserted_at.time() ? a->inserted_at.time() > b->inserted_at.time()
                                                              : a->id > b->id;
    });
    auto [first, last] = page_slice(list.size(), pg);
    json::array arr;
    for (auto i = first; i < last; ++i)
        arr.push_back(post_item(*c.page, *list[i]));
    c.out.resp = json_response(200, json::object{{"success", true}, {"total", list.size()}, {"posts", std::move(arr)}});
    return std::move(c.out);
}

// GET sip_call_logs: id (the SIP package), page_number, page_size (<= 30) required; optional
// since/until on start_time. Newest first. An id with no calls is refused rather than answered
// with an empty list (a typo would pass unseen).
handle_result world::call_logs_get(ctx& c) {
    auto bad = [&](const std::string& why) {
        c.out.resp = invented(400, why);
        return std::move(c.out);
    };
    auto package = c.param("id");
    if (!package || package->empty()) return bad("id is required");
    paging pg;
    std::optional<std::int64_t> since, until;
    if (auto e = paging_params(c.target, call_logs_max_page_size, std::nullopt, pg)) return bad(*e);
    if (auto e = time_window(c.target, false, since, until)) return bad(*e);
    auto& logs = c.page->call_logs;
    if (std::none_of(logs.begin(), logs.end(), [&](auto& l) { return l.package_id == *package; }))
        return bad("id " + *package + ": SIP package not found");
    std::vector<const sip_call_log*> list;
    for (auto& l : logs)
        if (l.package_id == *package && in_window(seconds_of(l.start_time), since, until)) list.push_back(&l);
    std::sort(list.begin(), list.end(), [](auto* a, auto* b) {
        return a->start_time.time() != b->start_time.time() ? a->start_time.time() > b->start_time.time()
                                                            : a->call_id > b->call_id;
    });
    auto [first, last] = page_slice(list.size(), pg);
    json::array arr;
    for (auto i = first; i < last; ++i)
        arr.push_back(call_log_item(*list[i]));
    c.out.resp = json_response(200, json::object{{"data", std::move(arr)}, {"success", true}});
    return std::move(c.out);
}

// GET export_data?action=conversations_from_ads: since/until (required) on the conversation's
// inserted_at, 60 per call from `offset`, oldest first (so an offset stays put while new
// conversations arrive).
handle_result world::export_get(ctx& c) {
    auto bad = [&](const std::string& why) {
        c.out.resp = invented(400, why);
        return std::move(c.out);
    };
    auto action = c.param("action");
    if (!action) return bad("action is required");
    if (*action != "conversations_from_ads") return bad("action must be conversations_from_ads");
    std::optional<std::int64_t> since, until, offset;
    if (auto e = time_window(c.target, true, since, until)) return bad(*e);
    if (auto e = int_param(c.target, "offset", {0, 0, INT64_MAX}, offset, false)) return bad(*e);
    std::vector<conversation> list; // the ones that came from ads: few, decoded
    for (auto& [id, ads] : c.page->conversation_ads) {
        if (!c.page->conversations.contains(id)) continue;
        auto conv = c.page->conversations.get(id);
        auto t = conversation_time(conv);
        if (t && in_window(seconds_of(*t), since, until)) list.push_back(std::move(conv));
    }
    std::sort(list.begin(), list.end(), [](auto& a, auto& b) {
        auto ta = conversation_time(a)->time(), tb = conversation_time(b)->time();
        return ta != tb ? ta < tb : a.id.value() < b.id.value();
    });
    json::array arr;
    for (auto i = static_cast<std::size_t>(std::min<std::int64_t>(*offset, std::int64_t(list.size())));
         i < list.size() && arr.size() < exported_per_call; ++i)
        arr.push_back(exported(*c.page, list[i]));
    c.out.resp = json_response(200, json::object{{"data", std::move(arr)}, {"success", true}});
    return std::move(c.out);
}

} // namespace pancake::sim

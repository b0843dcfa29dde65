// The v2 conversation listing: filters (type, tags, since/until, post_ids), order (updated_at or
// inserted_at, unread first), and pages of 60 with the last_conversation_id cursor.
#include "handlers.hpp"

#include <algorithm>
#include <set>
#include <vector>

namespace pancake::sim {

namespace {
constexpr std::size_t conversations_per_call = 60;
constexpr std::int64_t max_unix_seconds = 9'000'000'000'000; // beyond: no µs overflow, no bound
} // namespace

// A conversation as the REST API shows it: nullable fields present as null (the spec's examples
// carry them), `version` only with rest_conversation_version (it is documented on webhooks only).
json::value world::conversation_json(const conversation& c) const {
    auto v = encode(c); // (edited in place: a copy of the object would double the allocations)
    auto& o = v.as_object();
    for (auto key : {"post_id", "snippet", "assignee_group_id"})
        if (!o.contains(key)) o[key] = nullptr;
    if (!behaviour_.rest_conversation_version) o.erase("version");
    return v;
}

handle_result world::conversations_get(ctx& c) {
    // `type` takes one value. A repeated `type` silently matches nothing (observed); `type[]=X`
    // (the docs' cURL, a Plug-style array) is the same as `type=X`; several `type[]` values match
    // nothing too unless multi_type_or.
    std::vector<std::string> types;
    for (auto key : {"type", "type[]"})
        for (auto v : c.target.all(key))
            types.emplace_back(v);
    const bool array_types = c.target.count("type") == 0 && c.target.count("type[]") > 1;
    const bool or_types = array_types && behaviour_.multi_type_or;
    std::optional<std::string> type;
    if (!types.empty()) type = types.front();
    auto bad = [&](std::string_view why) {
        c.out.resp = invented(400, why);
        return std::move(c.out);
    };
    std::optional<std::int64_t> since, until;
    for (auto [key, dst] : {std::pair{"since", &since}, std::pair{"until", &until}}) {
        if (auto v = c.param(key)) {
            std::int64_t n;
            if (!parse_int(*v, n)) return bad(std::string(key) + " must be unix seconds");
            *dst = n;
        }
    }
    const bool by_inserted = c.param("order_by") == std::optional<std::string>("inserted_at");
    if (auto ob = c.param("order_by"); ob && *ob != "inserted_at" && *ob != "updated_at")
        return bad("order_by must be inserted_at or updated_at");
    std::vector<tag_id> want_tags;
    if (auto t = c.param("tags"); t && !t->empty()) {
        std::string_view rest = *t;
        while (!rest.empty()) {
            auto comma = rest.find(',');
            auto part = rest.substr(0, comma);
            std::int64_t n;
            if (!parse_int(part, n)) return bad("tags must be comma-separated tag ids");
            want_tags.emplace_back(n);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
    }
    std::set<std::string> post_ids;
    for (auto key : {"post_ids", "post_ids[]"})
        for (auto v : c.target.all(key))
            post_ids.emplace(v);
    const bool wants_post = std::find(types.begin(), types.end(), "POST") != types.end();
    if (wants_post && post_ids.empty()) return bad("post_ids is required for type POST");
    // A boolean query parameter: `true` or `1` (as Phoenix-style servers read them).
    auto flag = [&](const char* key) {
        auto v = c.param(key);
        return v && (*v == "true" || *v == "1" || *v == "True" || *v == "TRUE");
    };
    const bool unread_first = flag("unread_first");

    // The filters read the conversations' summaries (conversation_store.hpp): no decoding.
    using summary = conversation_store::summary;
    const auto& convs = c.page->conversations;
    auto seconds = [&](const summary& x) { return floor_div(x.stamp(by_inserted), 1'000'000); };
    auto type_ok = [&](const summary& x, const std::string& t) {
        if (t.empty()) return true;
        if (t == "POST") return x.post != 0 && post_ids.count(convs.text(x.post - 1)) > 0;
        return convs.text(x.type) == t;
    };
    auto matches = [&](const summary& x) {
        if (types.size() > 1 && !or_types) return false; // several `type` values: nothing (observed)
        if (!types.empty() && std::none_of(types.begin(), types.end(), [&](auto& t) { return type_ok(x, t); }))
            return false;
        if (!std::all_of(want_tags.begin(), want_tags.end(), [&](auto t) { return x.has_tag(t.value()); }))
            return false;
        auto secs = seconds(x);
        return !(since && secs < *since) && !(until && secs > *until);
    };
    auto answer = [&](std::string_view id) { return conversation_json(convs.get(id)); };
    // The cursor is a position in the page's order: "the next 60 older" than that conversation.
    // The real service most plausibly looks the conversation up and continues after its
    // timestamp, whatever the filter; an unknown id is an error rather than an empty page (a
    // paginator would take an empty page for the end). cursor_outside_filter_empty: the old
    // answer (a cursor outside the filtered list gives an empty page).
    const summary* cursor = nullptr;
    std::string cursor_id;
    auto cursor_at = conversation_store::npos;
    if (auto last = c.param("last_conversation_id"); last && !last->empty()) {
        cursor_at = convs.index_of(*last);
        cursor = cursor_at == conversation_store::npos ? nullptr : &convs.summary_at(cursor_at);
        cursor_id = *last;
        if (!cursor) {
            if (behaviour_.cursor_outside_filter_empty) {
                c.out.resp = json_response(200, ok_with({{"conversations", json::array{}}}));
                return std::move(c.out);
            }
            return bad("last_conversation_id: conversation not found");
        }
        if (behaviour_.cursor_outside_filter_empty && !matches(*cursor)) {
            c.out.resp = json_response(200, ok_with({{"conversations", json::array{}}}));
            return std::move(c.out);
        }
    }
    json::array arr;
    if (!by_inserted) {
        // The index walk: from the cursor (or `until`) down, unread first when asked, stopping at
        // 60 matches or past `since`.
        auto& index = c.page->listing;
        for (int attempt = 0; attempt < 2; ++attempt) {
            arr.clear();
            bool stale = false;
            auto walk = [&](const listing_index::set& s, bool unread_pass, bool from_cursor) {
                if (types.size() > 1 && !or_types) return; // matches nothing
                auto it = s.begin();
                if (until && *until <= -max_unix_seconds) return; // before any representable time
                if (until && *until < max_unix_seconds)           // the first entry within second `until`
                    it = s.lower_bound({(*until + 1) * 1'000'000, conversation_store::npos});
                if (from_cursor) { // or after the cursor, whichever comes later
                    auto after = s.upper_bound(listing_index::key(convs, cursor_at));
                    if (after == s.end() || (it != s.end() && s.key_comp()(*it, *after))) it = after;
                }
                for (; it != s.end() && arr.size() < conversations_per_call; ++it) {
                    const auto e = *it;
                    if (listing_index::stale(convs, e, unread_pass)) return stale = true, void();
                    auto& x = convs.summary_at(e.conversation);
                    if (since && seconds(x) < *since) return;
                    if (unread_first && !unread_pass && !x.seen) continue; // listed in the unread pass
                    if (matches(x)) arr.push_back(answer(convs.id_at(e.conversation)));
                }
            };
            if (unread_first) {
                if (!cursor || !cursor->seen) walk(index.unread(convs), true, cursor != nullptr);
                if (!stale) walk(index.all(convs), false, cursor && cursor->seen);
            } else {
                walk(index.all(convs), false, cursor != nullptr);
            }
            if (!stale) break;
            index.rebuild(convs);
        }
    } else {
        // By inserted_at (rarer; inserted_at never changes): a filtered copy, sorted.
        using item = std::pair<std::string_view, const summary*>;
        std::vector<item> list;
        convs.for_each_summary([&](std::string_view id, const summary& x) {
            if (matches(x)) list.emplace_back(id, &x);
        });
        auto before = [&](const item& a, const item& b) {
            if (unread_first && a.second->seen != b.second->seen) return !a.second->seen;
            auto ta = a.second->stamp(true), tb = b.second->stamp(true);
            return ta != tb ? ta > tb : a.first > b.first;
        };
        if (cursor) { // only what comes after the cursor
            const item at{cursor_id, cursor};
            list.erase(std::remove_if(list.begin(), list.end(), [&](auto& x) { return !before(at, x); }), list.end());
        }
        auto n = std::min(list.size(), conversations_per_call);
        std::partial_sort(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(n), list.end(), before);
        for (std::size_t i = 0; i < n; ++i)
            arr.push_back(answer(list[i].first));
    }
    c.out.resp = json_response(200, ok_with({{"conversations", std::move(arr)}}));
    return std::move(c.out);
}

} // namespace pancake::sim

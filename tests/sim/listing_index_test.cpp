// The v2 listing walks an index kept by the model's writes (simulator/sim/listing_index.hpp).
// Property: after any mix of writes (new conversations at any time, messages, tags, read and
// unread), every filter and order, paged through by cursor, gives exactly what sorting the whole
// page gives (the reference below is the listing's rule written the slow way).
#include <pancake/pancake.hpp>
#include <sim/server.hpp>

#include <boost/json.hpp>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>
#include <set>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace listing_index_test {

namespace json = boost::json;
using namespace pancake;
using namespace std::chrono_literals;

namespace {

const std::string P = "100000000000001";
const std::string T = "pat_hoamai_7f3c2a91e4b84d0c";

struct query {
    std::string text; // the query string tail
    std::vector<std::int64_t> tags;
    std::string type;
    std::optional<std::int64_t> since, until;
    bool unread_first = false;
    bool by_inserted = false;
};

// The ids of the conversations a listing answered, in order.
std::vector<std::string> listed_ids(const sim::handle_result& r) {
    std::vector<std::string> out;
    const auto body = json::parse(r.resp.body);
    for (auto& c : body.at("conversations").as_array())
        out.emplace_back(c.at("id").as_string());
    return out;
}

struct harness {
    sim::world w{7, {}, {0, {}, false, false}};
    sim::steady_time now{};
    sim::wall_time wall = sim::wall_time(std::chrono::seconds(1'767'225'600));
    std::mt19937_64 rng{2026};

    explicit harness(std::size_t cache = sim::conversation_store::default_cache_limit) {
        std::string err;
        BOOST_REQUIRE_MESSAGE(w.load_fixture(sim::sample_fixture(), err), err);
        w.conversation_cache_limit(cache);
    }
    sim::handle_result call(const std::string& method, const std::string& target, std::string body = {}) {
        now += 1ms;
        wall += 1s;
        return w.handle({method, target, std::move(body)}, now, wall);
    }
    std::vector<std::string> ids() const {
        std::vector<std::string> out;
        w.find_page(P)->conversations.for_each_summary([&](auto id, auto&) { out.emplace_back(id); });
        return out;
    }
    std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }

    // One random write: a customer writing in (a new or a known thread, at a time that may lie
    // before others), a tag added or removed, a conversation read or unread.
    void write() {
        auto all = ids();
        auto v1 = [&](const std::string& conv, const std::string& tail) {
            return "/api/public_api/v1/pages/" + P + "/conversations/" + conv + "/" + tail + "?page_access_token=" + T;
        };
        switch (pick(5)) {
        case 0: {
            sim::customer_message m;
            m.psid = std::to_string(900000 + pick(200));
            m.name = "Khách";
            m.text = "còn hàng không";
            if (pick(4) == 0) m.type = "COMMENT", m.post_id = P + "_77";
            // Times jump around: the index must place each at its stamp, not at the front.
            const auto at = wall - std::chrono::seconds(static_cast<int>(pick(5000)));
            w.inject(P, m, at);
            break;
        }
        case 1:
        case 2: {
            const auto tag = 1 + pick(4);
            call("POST", v1(all[pick(all.size())], "tags"),
                 R"({"action":")" + std::string(pick(2) ? "add" : "remove") + R"(","tag_id":)" + std::to_string(tag) +
                     "}");
            break;
        }
        default:
            call("POST", v1(all[pick(all.size())], pick(2) ? "read" : "unread"));
        }
    }

    query random_query() {
        query q;
        if (pick(3) == 0) {
            q.tags.push_back(static_cast<std::int64_t>(1 + pick(4)));
            if (pick(2)) q.tags.push_back(static_cast<std::int64_t>(1 + pick(4)));
        }
        if (pick(4) == 0) q.type = pick(2) ? "INBOX" : "COMMENT";
        const auto base = std::chrono::duration_cast<std::chrono::seconds>(wall.time_since_epoch()).count();
        // Half the bounds fall exactly on a conversation's second: the edges are where a walk errs.
        auto bound = [&] {
            if (pick(2)) return base - static_cast<std::int64_t>(pick(6000));
            auto all = ids();
            auto& x = *w.find_page(P)->conversations.peek(all[pick(all.size())]);
            auto& t = x.updated_at ? x.updated_at : x.inserted_at;
            return t ? t->unix_seconds() : base;
        };
        if (pick(3) == 0) q.since = bound();
        if (pick(3) == 0) q.until = bound();
        q.unread_first = pick(3) == 0;
        q.by_inserted = pick(5) == 0;
        if (!q.tags.empty()) {
            q.text += "&tags=" + std::to_string(q.tags[0]);
            for (std::size_t i = 1; i < q.tags.size(); ++i)
                q.text += "," + std::to_string(q.tags[i]);
        }
        if (!q.type.empty()) q.text += "&type=" + q.type;
        if (q.since) q.text += "&since=" + std::to_string(*q.since);
        if (q.until) q.text += "&until=" + std::to_string(*q.until);
        if (q.unread_first) q.text += "&unread_first=true";
        if (q.by_inserted) q.text += "&order_by=inserted_at";
        return q;
    }

    // The listing's rule, the slow way: filter, sort everything, then take pages.
    std::vector<std::string> expected(const query& q) const {
        std::vector<conversation> list;
        auto stamp = [&](const conversation& x) {
            auto& t = q.by_inserted ? x.inserted_at : x.updated_at;
            auto& alt = q.by_inserted ? x.updated_at : x.inserted_at;
            return t ? t->time() : alt ? alt->time() : utc_time::time_point{};
        };
        w.find_page(P)->conversations.for_each([&](std::string_view, const conversation& x) {
            if (!q.type.empty() && x.type != q.type) return;
            if (!std::all_of(q.tags.begin(), q.tags.end(), [&](auto t) { return x.has_tag(tag_id(t)); })) return;
            auto secs = std::chrono::floor<std::chrono::seconds>(stamp(x)).time_since_epoch().count();
            if ((q.since && secs < *q.since) || (q.until && secs > *q.until)) return;
            list.push_back(x);
        });
        std::sort(list.begin(), list.end(), [&](auto& a, auto& b) {
            if (q.unread_first && a.seen != b.seen) return !a.seen;
            auto ta = stamp(a), tb = stamp(b);
            return ta != tb ? ta > tb : a.id.value() > b.id.value();
        });
        std::vector<std::string> out;
        for (auto& x : list)
            out.push_back(x.id.value());
        return out;
    }

    // Every page through the cursor, concatenated.
    std::vector<std::string> listed(const query& q) {
        std::vector<std::string> out;
        std::string cursor;
        for (int guard = 0; guard < 100; ++guard) {
            auto r = call("GET", "/api/public_api/v2/pages/" + P + "/conversations?page_access_token=" + T + q.text +
                                     (cursor.empty() ? "" : "&last_conversation_id=" + cursor));
            BOOST_REQUIRE_EQUAL(r.resp.status, 200u);
            const auto page = listed_ids(r);
            out.insert(out.end(), page.begin(), page.end());
            if (page.size() < 60) break;
            cursor = out.back();
        }
        return out;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(listing_index)

// Twice: with the working set materialised between calls (the default), and with every
// conversation packed away after each call (each write then goes through the packed form).
BOOST_DATA_TEST_CASE(index_walk_equals_full_sort_under_random_writes,
                     boost::unit_test::data::make({sim::conversation_store::default_cache_limit, std::size_t(0)}),
                     cache) {
    harness h(cache);
    for (int round = 0; round < 40; ++round) {
        for (int i = 0; i < 25; ++i)
            h.write();
        for (int k = 0; k < 6; ++k) {
            auto q = h.random_query();
            auto want = h.expected(q); // before listing: the listing's own calls move the clock only
            auto got = h.listed(q);
            BOOST_TEST(got == want, "round " << round << " query " << q.text);
        }
    }
    BOOST_TEST(h.ids().size() > 150u); // the writes made a page bigger than two listing pages
}

BOOST_AUTO_TEST_CASE(cursor_outside_the_filter_continues_after_its_place) {
    harness h;
    for (int i = 0; i < 800; ++i)
        h.write();
    // A cursor taken from the unfiltered order, then used with a tag filter: the page continues
    // after the cursor's place in the order, as the reference does.
    auto all = h.expected(query{});
    BOOST_REQUIRE(all.size() > 100u);
    const auto cursor = all[all.size() / 2];
    query q;
    q.tags = {2};
    q.text = "&tags=2&last_conversation_id=" + cursor;
    auto r = h.call("GET", "/api/public_api/v2/pages/" + P + "/conversations?page_access_token=" + T + q.text);
    const auto got = listed_ids(r);
    std::vector<std::string> want;
    auto tagged = h.expected(q);
    BOOST_REQUIRE(tagged.size() > 2u);
    auto pos = std::find(all.begin(), all.end(), cursor) - all.begin();
    for (auto& id : tagged) // tagged ones that come after the cursor in the full order
        if (std::find(all.begin(), all.end(), id) - all.begin() > pos && want.size() < 60) want.push_back(id);
    BOOST_TEST(got == want);
}

BOOST_AUTO_TEST_CASE(bounds_at_the_ends_of_int64) {
    harness h;
    for (int i = 0; i < 50; ++i)
        h.write();
    const auto all = h.expected(query{});
    auto listed = [&](const std::string& q) {
        auto r = h.call("GET", "/api/public_api/v2/pages/" + P + "/conversations?page_access_token=" + T + q);
        BOOST_TEST_REQUIRE(r.resp.status == 200u, q);
        return listed_ids(r);
    };
    // No arithmetic on a bound may overflow (the index walk turns `until` into microseconds).
    BOOST_TEST(listed("&until=-9223372036854775808").empty());
    BOOST_TEST(listed("&until=-9000000000000").empty());
    BOOST_TEST(listed("&since=-9223372036854775808&until=9223372036854775807") ==
               std::vector<std::string>(
                   all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(60, all.size()))));
    BOOST_TEST(listed("&since=9223372036854775807").empty());
}

BOOST_AUTO_TEST_CASE(a_copied_world_lists_from_its_own_conversations) {
    harness h;
    for (int i = 0; i < 400; ++i)
        h.write();
    auto before = h.listed(query{});
    BOOST_REQUIRE(before.size() > 60u);
    sim::world copy = h.w; // the copy's index must not point into h.w's map
    h.w = sim::world{};    // the original's conversations are gone
    auto r = copy.handle({"GET", "/api/public_api/v2/pages/" + P + "/conversations?page_access_token=" + T, {}}, h.now,
                         h.wall);
    const auto got = listed_ids(r);
    BOOST_TEST(got == std::vector<std::string>(before.begin(), before.begin() + 60));
    BOOST_TEST(h.w.find_page(P) == nullptr); // the original holds nothing now: the copy answered alone
}

// The compact ordered set under many changes (merges included) against a std::set: same
// entries, same order, same bounds.
BOOST_AUTO_TEST_CASE(the_compact_set_matches_a_tree_through_merges) {
    using sim::conversation_store;
    using sim::listing_index;
    std::mt19937 rng(7);
    conversation_store store; // the entries' ids are read through it
    std::vector<conversation_store::index> at_index;
    for (int i = 0; i < 3000; ++i) {
        pancake::conversation c;
        c.id = pancake::conversation_id("c_" + std::to_string((i * 7919) % 3000)); // not in id order
        store.insert(c);
        at_index.push_back(store.index_of(c.id.value()));
    }
    std::vector<std::int64_t> at(at_index.size());
    auto entry = [&](std::size_t i) { return listing_index::entry{at[i], at_index[i]}; };
    std::vector<listing_index::entry> first;
    std::set<listing_index::entry, listing_index::newer_first> oracle(listing_index::newer_first{&store});
    for (std::size_t i = 0; i < at.size(); i += 2) { // half present at the start
        at[i] = static_cast<std::int64_t>(rng() % 500);
        first.push_back(entry(i));
        oracle.insert(entry(i));
    }
    std::vector<bool> present(at.size());
    for (std::size_t i = 0; i < at.size(); i += 2)
        present[i] = true;
    listing_index::set s;
    s.assign(first, store);
    auto id = [&](const listing_index::entry& e) {
        return e.conversation == conversation_store::npos ? std::string() : std::string(store.id_at(e.conversation));
    };
    auto same = [&] {
        std::vector<std::string> a, b;
        for (auto it = s.begin(); it != s.end(); ++it)
            a.push_back(id(*it));
        for (auto& e : oracle)
            b.push_back(id(e));
        return a == b && s.size() == oracle.size();
    };
    BOOST_TEST(same());
    for (int step = 0; step < 6000; ++step) { // several merges (each past 1024 changes)
        const auto i = rng() % at.size();
        if (present[i]) {
            s.erase(entry(i));
            oracle.erase(entry(i));
        }
        at[i] = static_cast<std::int64_t>(rng() % 500);
        if (rng() % 4 != 0) {
            s.insert(entry(i));
            s.insert(entry(i)); // twice: held once
            oracle.insert(entry(i));
            present[i] = true;
        } else {
            present[i] = false;
        }
        if (step % 1500 == 0) BOOST_TEST(same());
        if (step % 97 == 0) { // bounds from a random key, sometimes the id-less bound of a time
            const listing_index::entry k{static_cast<std::int64_t>(rng() % 500),
                                         rng() % 5 == 0 ? conversation_store::npos : at_index[rng() % at.size()]};
            auto lo = s.lower_bound(k);
            auto olo = oracle.lower_bound(k);
            BOOST_TEST((lo == s.end()) == (olo == oracle.end()));
            if (lo != s.end() && olo != oracle.end()) BOOST_TEST(id(*lo) == id(*olo));
            auto up = s.upper_bound(k);
            auto oup = oracle.upper_bound(k);
            BOOST_TEST((up == s.end()) == (oup == oracle.end()));
            if (up != s.end() && oup != oracle.end()) BOOST_TEST(id(*up) == id(*oup));
        }
    }
    BOOST_TEST(same());
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace listing_index_test

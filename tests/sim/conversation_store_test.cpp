// The packed conversation store (simulator/sim/conversation_store.hpp): what goes in comes out
// field for field, a change made through find() survives being packed away, summaries follow the
// conversations, and a copy is independent of its source.
#include <pancake/pancake.hpp>
#include <sim/conversation_store.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace conversation_store_test {

namespace json = boost::json;
using namespace pancake;
using sim::conversation_store;

namespace {

// Every field set, nulls and a deleted tag included.
const char* const rich = R"({
  "id": "100000000000001_7000000001",
  "type": "COMMENT",
  "page_id": "100000000000001",
  "post_id": "100000000000001_555",
  "snippet": "Cho mình đặt 2 áo size M",
  "seen": true,
  "message_count": 7,
  "has_phone": true,
  "inserted_at": "2026-01-02T03:04:05",
  "updated_at": "2026-01-02T03:04:06.250000",
  "from": {"id": "7000000001", "name": "Nguyễn Lan", "email": "lan@example.com"},
  "last_sent_by": {"id": "100000000000001", "name": "Hoa Mai", "admin_id": "u-1", "admin_name": "An",
                   "platform": "web", "ai_generated": true},
  "tags": [{"id": 3, "text": "Chốt đơn", "color": "#ff0000"}, null, {"id": 9, "text": "VIP", "is_lead_event": true}],
  "tag_histories": [{"inserted_at": "2026-01-02T03:04:05", "conversation_id": "100000000000001_7000000001",
                     "payload": {"action": "add", "editor_id": "u-1", "editor_name": "An",
                                 "tag": {"id": 3, "text": "Chốt đơn"}}}],
  "assignee_ids": ["u-1", "u-2"],
  "assignee_group_id": "g-7",
  "current_assign_users": [{"id": "u-1", "name": "An", "email": "an@example.com", "fb_id": "116256249766099"}],
  "assignee_histories": [{"inserted_at": "2026-01-02T03:04:05", "conversation_id": "100000000000001_7000000001",
                          "payload": {"added_users": [{"id": "u-1", "name": "An"}], "deleted_users": []}}],
  "customer_id": "c-42",
  "customers": [{"id": "pc-1", "fb_id": "7000000001", "name": "Nguyễn Lan"}],
  "recent_phone_numbers": [{"phone_number": "0912345678", "order_id": "o-1"}],
  "version": 12
})";

conversation decoded(const char* text) {
    auto c = decode<conversation>(json::parse(text));
    BOOST_TEST_REQUIRE(c.has_value());
    return *c;
}

conversation plain(const std::string& id, std::int64_t minute, bool seen) {
    conversation c;
    c.id = conversation_id(id);
    c.type = "INBOX";
    c.seen = seen;
    c.updated_at = utc_time(utc_time::time_point(std::chrono::minutes(minute)));
    return c;
}

// The i-th of a big page: the rich conversation with its own id, customer, times and snippet,
// and two messages.
conversation numbered(std::size_t i) {
    auto c = decoded(rich);
    const auto psid = std::to_string(7000000000 + i);
    c.id = conversation_id("100000000000001_" + psid);
    c.from->id = psid;
    c.from->name = "Khách " + std::to_string(i);
    c.updated_at = utc_time(utc_time::time_point(std::chrono::seconds(1767225600 + 30 * i)));
    c.snippet = "Đơn số " + std::to_string(i * 7919 % 100000);
    c.seen = i % 2 == 0;
    return c;
}
std::vector<message> two_messages(const conversation& c, std::size_t i) {
    std::vector<message> out(2);
    for (std::size_t m = 0; m < 2; ++m) {
        out[m].id = message_id("m_" + c.from->id + "_" + std::to_string(m));
        out[m].conversation_id = c.id;
        out[m].type = "INBOX";
        out[m].original_message = "Cho mình hỏi đơn " + std::to_string(i + m);
        out[m].from.emplace();
        out[m].from->id = c.from->id;
        out[m].from->name = c.from->name;
        out[m].inserted_at = c.updated_at;
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(conversation_store_suite)

BOOST_AUTO_TEST_CASE(every_field_comes_back_from_the_packed_form) {
    const auto c = decoded(rich);
    conversation_store s;
    s.insert(c);
    BOOST_TEST(s.packed_bytes() > 0u);
    BOOST_TEST(s.packed_bytes() < 700u); // the struct alone is about 1 KB before its strings
    BOOST_TEST(encode(s.get(c.id.value())) == encode(c));
    BOOST_TEST(encode(*s.peek(c.id.value())) == encode(c));
    // Evicted, re-read: still the same (the packed bytes were never the stale side).
    s.settle(0);
    BOOST_TEST(s.materialised_count() == 0u);
    BOOST_TEST(encode(s.get(c.id.value())) == encode(c));
}

BOOST_AUTO_TEST_CASE(a_change_through_find_survives_eviction) {
    conversation_store s;
    s.insert(decoded(rich));
    const std::string id = "100000000000001_7000000001";
    auto* c = s.find(id);
    BOOST_TEST_REQUIRE(c != nullptr);
    c->seen = false;
    c->tags.clear();
    c->snippet = "Ship về Đà Nẵng mất mấy ngày?";
    c->assignee_ids = {user_id("u-9")};
    s.settle(1); // one materialised: kept, summary refreshed
    BOOST_TEST(s.materialised_count() == 1u);
    BOOST_TEST(!s.find_summary(id)->seen);
    BOOST_TEST(s.find_summary(id)->tags().empty());
    s.settle(0); // packed away now
    BOOST_TEST(s.materialised_count() == 0u);
    const auto back = s.get(id);
    BOOST_TEST(!back.seen);
    BOOST_TEST(back.tags.empty());
    BOOST_TEST(*back.snippet == "Ship về Đà Nẵng mất mấy ngày?");
    BOOST_TEST((back.assignee_ids == std::vector<user_id>{user_id("u-9")}));
    BOOST_TEST(back.tag_histories.size() == 1u); // untouched fields kept
}

BOOST_AUTO_TEST_CASE(summaries_follow_their_conversations) {
    conversation_store s;
    auto c = decoded(rich);
    s.insert(c);
    const auto& id = c.id.value();
    auto* sum = s.find_summary(id);
    BOOST_TEST_REQUIRE(sum != nullptr);
    BOOST_TEST(s.text(sum->type) == "COMMENT");
    BOOST_TEST_REQUIRE(sum->post != 0u);
    BOOST_TEST(s.text(sum->post - 1) == "100000000000001_555");
    BOOST_TEST((std::vector<std::int64_t>(sum->tags().begin(), sum->tags().end()) ==
                std::vector<std::int64_t>{3, 9})); // the deleted (null) tag skipped
    BOOST_TEST(sum->stamp() == c.updated_at->time().time_since_epoch().count());
    BOOST_TEST(sum->stamp(true) == c.inserted_at->time().time_since_epoch().count());
    // Neither time: 0, as the listing sorts such a conversation.
    auto bare = plain("p_1", 0, false);
    bare.updated_at.reset();
    s.insert(bare);
    BOOST_TEST(s.find_summary("p_1")->stamp() == 0);
    BOOST_TEST(s.find_summary("p_1")->post == 0u);
}

BOOST_AUTO_TEST_CASE(try_emplace_creates_once_and_iteration_is_in_id_order) {
    conversation_store s;
    s.insert(plain("p_2", 2, true));
    auto [c, created] = s.try_emplace("p_1");
    BOOST_TEST(created);
    BOOST_TEST(c->id.value() == "p_1");
    c->type = "INBOX";
    auto again = s.try_emplace("p_2");
    BOOST_TEST(!again.second);
    BOOST_TEST(again.first->seen); // the packed one, materialised
    s.settle(0);
    std::vector<std::string> ids;
    s.for_each([&](std::string_view id, const conversation& x) {
        BOOST_TEST(x.id.value() == id);
        ids.emplace_back(id);
    });
    BOOST_TEST((ids == std::vector<std::string>{"p_1", "p_2"}));
    s.insert(plain("p_1", 9, true)); // a repeated id keeps the first (as a fixture's load does)
    BOOST_TEST(!s.get("p_1").seen);
    BOOST_TEST(s.size() == 2u);
    BOOST_TEST(!s.contains("p_3"));
    BOOST_TEST(!s.contains("")); // "" is an id like any other (as it was for a map)
    s.try_emplace("").first->type = "INBOX";
    BOOST_TEST(s.contains(""));
    BOOST_TEST(s.size() == 3u);
    BOOST_TEST(s.find("p_3") == nullptr);
    BOOST_TEST(s.peek("p_3") == nullptr);
}

BOOST_AUTO_TEST_CASE(a_copy_is_independent_materialised_or_not) {
    conversation_store s;
    s.insert(plain("p_1", 1, false));
    s.insert(plain("p_2", 2, false));
    s.find("p_1")->seen = true; // materialised and changed, not yet settled
    conversation_store copy = s;
    s.find("p_1")->seen = false;
    s.find("p_2")->seen = true;
    s.settle(0);
    copy.settle(0);
    BOOST_TEST(copy.get("p_1").seen);
    BOOST_TEST(!copy.get("p_2").seen);
    BOOST_TEST(copy.find_summary("p_1")->seen);
    BOOST_TEST(!s.get("p_1").seen);
    BOOST_TEST(s.get("p_2").seen);
}

BOOST_AUTO_TEST_CASE(a_big_store_compresses_and_every_conversation_comes_back) {
    constexpr std::size_t n = 3000;
    conversation_store s;
    std::vector<std::string> want, want_messages;
    for (std::size_t i = 0; i < n; ++i) {
        auto c = numbered(i);
        const auto ms = two_messages(c, i);
        want.push_back(serialize(encode(c)));
        want_messages.push_back(serialize(encode(ms)));
        const auto id = c.id.value();
        s.insert(std::move(c));
        s.put_messages(id, ms);
    }
    s.compact(n + 1); // too small a page for that threshold: left as it is
    BOOST_TEST(!s.compressed());
    const auto plain_bytes = s.packed_bytes();
    s.compact(n);
    BOOST_TEST_REQUIRE(s.compressed());
    const auto small_bytes = s.packed_bytes();
    BOOST_TEST_MESSAGE("packed " << plain_bytes / n << " B/conversation, compressed " << small_bytes / n);
    BOOST_TEST(small_bytes * 2 < plain_bytes); // the point of it
    auto id_of = [](std::size_t i) { return "100000000000001_" + std::to_string(7000000000 + i); };
    for (std::size_t i = 0; i < n; ++i) {
        BOOST_TEST(serialize(encode(s.get(id_of(i)))) == want[i]);
        BOOST_TEST(serialize(encode(s.messages(id_of(i)))) == want_messages[i]);
        BOOST_TEST(s.message_count(id_of(i)) == 2u);
    }
    // Writes after compaction: a change evicted, a message appended, a list replaced; each comes
    // back, and its neighbours are untouched.
    s.find(id_of(5))->snippet = "đã đổi";
    s.settle(0);
    BOOST_TEST(*s.get(id_of(5)).snippet == "đã đổi");
    BOOST_TEST(serialize(encode(s.messages(id_of(5)))) == want_messages[5]);
    auto extra = two_messages(numbered(6), 99);
    s.append_message(id_of(6), extra[0]);
    const auto six = s.messages(id_of(6));
    BOOST_TEST_REQUIRE(six.size() == 3u);
    BOOST_TEST(*six[2].original_message == *extra[0].original_message);
    BOOST_TEST(six[2].conversation_id->value() == id_of(6));
    BOOST_TEST(serialize(encode(s.get(id_of(6)))) == want[6]);
    s.put_messages(id_of(7), {});
    BOOST_TEST(s.messages(id_of(7)).empty());
    BOOST_TEST(s.holds_messages(id_of(7)));
    BOOST_TEST(serialize(encode(s.get(id_of(8)))) == want[8]);
    // A long conversation leaves compression (it would be recompressed whole per message) and
    // comes back to it when it is short again; its messages survive both crossings.
    BOOST_TEST(s.compressed(id_of(9)));
    std::vector<message> long_list = s.messages(id_of(9));
    for (std::size_t k = 0; s.compressed(id_of(9)); ++k) {
        BOOST_TEST_REQUIRE(k < 2000u); // (past 16 KB it must stop compressing)
        auto m = two_messages(numbered(9), k)[k % 2];
        m.original_message = "tin nhắn dài số " + std::to_string(k) + std::string(100, 'x');
        s.append_message(id_of(9), m);
        long_list.push_back(m);
    }
    BOOST_TEST(long_list.size() > 50u);
    BOOST_TEST(serialize(encode(s.messages(id_of(9)))) == serialize(encode(long_list)));
    BOOST_TEST(s.message_count(id_of(9)) == long_list.size());
    s.put_messages(id_of(9), two_messages(numbered(9), 9));
    BOOST_TEST(s.compressed(id_of(9)));
    BOOST_TEST(serialize(encode(s.messages(id_of(9)))) == want_messages[9]);
    BOOST_TEST(serialize(encode(s.get(id_of(9)))) == want[9]);
    // A new conversation in a compressed store, and a copy of the store.
    auto fresh = s.try_emplace("new_1").first;
    fresh->type = "INBOX";
    s.settle(0);
    s.append_message("new_1", extra[1]);
    const conversation_store copy = s;
    BOOST_TEST(copy.get("new_1").type == "INBOX");
    BOOST_TEST(copy.messages("new_1").size() == 1u);
    BOOST_TEST(serialize(encode(copy.get(id_of(n - 1)))) == want[n - 1]);
}

// The id table is sorted by arena handle and a new id's handle is nearly always the newest; an id
// the page's arena already held (the activity log interned it first, or another string) takes
// its place in the middle. Every id must still find its own conversation.
BOOST_AUTO_TEST_CASE(ids_interned_before_their_conversation_find_it) {
    conversation_store s;
    std::vector<std::string> early; // interned first, in an order unlike their conversations'
    for (int i = 0; i < 200; ++i)
        early.push_back("early_" + std::to_string((i * 37) % 200));
    for (auto& id : early)
        s.strings().intern(id);
    s.strings().intern(std::string(70'000, 'h'));                    // a huge string: a handle with the top bit
    s.try_emplace(std::string(70'000, 'h')).first->type = "COMMENT"; // early: later ids go before it
    for (int i = 0; i < 300; ++i) {
        if (i % 3 == 0)
            s.insert(plain("late_" + std::to_string(i), i, i % 2 == 0));
        else
            s.try_emplace("late_" + std::to_string(i)).first->seen = i % 2 == 0;
        if (i < 200) s.try_emplace(early[static_cast<std::size_t>(299 - i) % 200]).first->type = "INBOX";
    }
    s.settle(0);
    BOOST_TEST(s.size() == 501u);
    for (int i = 0; i < 300; ++i) {
        const auto id = "late_" + std::to_string(i);
        const auto at = s.index_of(id);
        BOOST_TEST_REQUIRE(at != conversation_store::npos);
        BOOST_TEST(s.id_at(at) == id);
        BOOST_TEST(bool(s.summary_at(at).seen) == (i % 2 == 0));
    }
    for (auto& id : early) {
        const auto at = s.index_of(id);
        BOOST_TEST_REQUIRE(at != conversation_store::npos);
        BOOST_TEST(s.id_at(at) == id);
        BOOST_TEST(s.get(id).type == "INBOX");
    }
    BOOST_TEST(s.get(std::string(70'000, 'h')).type == "COMMENT");
    s.strings().intern("only_a_string"); // in the arena, not a conversation
    BOOST_TEST(!s.contains("only_a_string"));
    BOOST_TEST(s.index_of("never_seen") == conversation_store::npos);
    std::vector<std::string> order;
    s.for_each_summary([&](std::string_view id, const conversation_store::summary&) { order.emplace_back(id); });
    BOOST_TEST(std::is_sorted(order.begin(), order.end()));
    BOOST_TEST(order.size() == 501u);
}

// Many materialised at once (a side table, not a pointer per slot): each stays at its address
// until the settle that evicts, and a change to each survives the eviction.
BOOST_AUTO_TEST_CASE(materialised_conversations_keep_their_address_until_evicted) {
    conversation_store s;
    for (int i = 0; i < 3000; ++i)
        s.insert(plain("p_" + std::to_string(i), i, false));
    std::vector<conversation*> seen;
    for (int i = 0; i < 3000; ++i) {
        auto* c = s.find("p_" + std::to_string(i));
        c->seen = true;
        seen.push_back(c);
    }
    BOOST_TEST(s.materialised_count() == 3000u);
    for (int i = 0; i < 3000; ++i) // the table grew many times; the conversations did not move
        BOOST_TEST_REQUIRE(s.find("p_" + std::to_string(i)) == seen[static_cast<std::size_t>(i)]);
    s.settle(100);
    BOOST_TEST(s.materialised_count() == 0u);
    for (int i = 0; i < 3000; i += 7) {
        BOOST_TEST(s.get("p_" + std::to_string(i)).seen);
        BOOST_TEST(s.find_summary("p_" + std::to_string(i))->seen);
    }
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace conversation_store_test

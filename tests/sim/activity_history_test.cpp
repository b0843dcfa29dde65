// The compact activity log (simulator/sim/activity_history.hpp): records come back as they went
// in, in time order (same millisecond: in the order added), strings stored once, and a copy
// does not lean on its source's storage.
#include <sim/activity_history.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <iterator>
#include <memory>
#include <vector>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace activity_history_test {

using namespace pancake::sim;

BOOST_AUTO_TEST_SUITE(activity_history_suite)

BOOST_AUTO_TEST_CASE(records_come_back_in_time_order) {
    string_arena strings;
    activity_history history;
    history.add(activity::customer("p_1", "psid-1", false, "0912345678", true).at(2000), strings);
    history.add(activity::staff("p_1", "user-1", true, true).at(1000), strings);
    history.add(activity::tagged(true, "p_2", "user-1", false, 7).at(2000), strings); // same ms: after the first
    history.add(activity::created("p_3", "psid-3", true, false).at(1500), strings);
    BOOST_TEST_REQUIRE(history.size() == 4u);
    const auto log = history.read(strings);
    BOOST_TEST(log[0].at_ms == 1000);
    BOOST_TEST(log[0].who == "user-1");
    BOOST_TEST(log[0].comment);
    BOOST_TEST(log[0].private_reply);
    BOOST_TEST(log[1].conversation == "p_3");
    BOOST_TEST((log[1].what == activity::kind::conversation_created));
    BOOST_TEST(log[2].phone == "0912345678");
    BOOST_TEST(log[2].chat_plugin);
    BOOST_TEST(log[3].tag == 7);
    BOOST_TEST((log[3].what == activity::kind::tag_added));
    BOOST_TEST(log[3].phone.empty());
    const auto back = log[2].record();
    BOOST_TEST(back.conversation == "p_1");
    BOOST_TEST(back.who == "psid-1");
    BOOST_TEST(back.at_ms == 2000);
    std::size_t n = 0;
    for (const auto& a : log)
        n += a.at_ms > 0;
    BOOST_TEST(n == 4u);
}

BOOST_AUTO_TEST_CASE(loading_sorts_once_and_keeps_equal_times_in_order) {
    string_arena strings;
    activity_history log;
    for (int i = 0; i < 5; ++i)
        log.push_back(activity::created("p_" + std::to_string(i), "x", false, false).at(i % 2 ? 10 : 5), strings);
    log.sort_by_time();
    std::string order;
    for (const auto& a : log.read(strings))
        order += a.conversation.substr(2);
    BOOST_TEST(order == "02413");
}

// A row keeps the time in 56 bits: both signs, the 32-bit boundary and the limits come back.
BOOST_AUTO_TEST_CASE(times_come_back_across_the_packed_range) {
    string_arena strings;
    activity_history log;
    const std::int64_t times[] = {-activity_history::max_abs_ms,
                                  -(std::int64_t{1} << 32) - 1,
                                  -(std::int64_t{1} << 32),
                                  -1,
                                  0,
                                  1,
                                  0xffff'ffff,
                                  std::int64_t{1} << 32,
                                  1'767'225'600'123,   // 2026
                                  253'402'300'799'999, // the end of year 9999
                                  activity_history::max_abs_ms};
    for (auto t : times)
        log.add(activity::created("c", "x", false, false).at(t), strings);
    std::vector<std::int64_t> back;
    for (const auto& a : log.read(strings))
        back.push_back(a.at_ms);
    BOOST_TEST(back == std::vector<std::int64_t>(std::begin(times), std::end(times)), boost::test_tools::per_element());
    BOOST_CHECK_THROW(log.add(activity::created("c", "x", false, false).at(activity_history::max_abs_ms + 1), strings),
                      std::out_of_range);
    auto both = activity::customer("c2", "x2", false, "0912345678", false).at(1);
    both.tag = 5; // a phone and a tag: one field holds either, so it is refused
    BOOST_CHECK_THROW(log.add(both, strings), std::invalid_argument);
    BOOST_TEST(log.size() == std::size(times));
    BOOST_TEST(strings.find("c2") == 0u); // refused before anything was interned
}

BOOST_AUTO_TEST_CASE(strings_are_stored_once_and_a_copy_stands_alone) {
    string_arena arena;
    const auto a = arena.intern("100000000000001_200000000001000");
    BOOST_TEST(arena.intern("100000000000001_200000000001000") == a);
    BOOST_TEST(arena.intern("") == 0u);
    BOOST_TEST(arena.at(0).empty());
    const std::string big(100'000, 'x'); // longer than a block
    const auto b = arena.intern(big);
    BOOST_TEST(arena.at(b) == big);
    for (int i = 0; i < 20'000; ++i) // several blocks
        arena.intern("conversation-" + std::to_string(i));
    BOOST_TEST(arena.at(a) == "100000000000001_200000000001000"); // earlier views did not move

    string_arena moved = std::move(arena); // the moved-from one is empty and usable again
    BOOST_TEST(moved.at(a) == "100000000000001_200000000001000");
    const auto again = arena.intern("again");
    BOOST_TEST(again != 0u);
    BOOST_TEST(arena.at(again) == "again");
    BOOST_TEST(arena.find("again") == again);
    BOOST_TEST(arena.find("100000000000001_200000000001000") == 0u); // not this arena's any more
    BOOST_TEST(arena.size() == 1u);
    // A copy: the same handles, its own bytes.
    const string_arena arena_copy = moved;
    BOOST_TEST(arena_copy.at(a) == "100000000000001_200000000001000");
    BOOST_TEST(arena_copy.at(b) == big);
    BOOST_TEST(arena_copy.find("conversation-19999") == moved.find("conversation-19999"));
    BOOST_TEST((arena_copy.at(a).data() != moved.at(a).data())); // (a bool: the views are not printed)
    // Lengths across the 1-, 2- and 3-byte length prefixes come back whole.
    for (std::size_t n : {127u, 128u, 16383u, 16384u, 65000u}) {
        const std::string s(n, 'y');
        BOOST_TEST(arena.at(arena.intern(s)) == s);
    }
    BOOST_TEST(arena.intern("") == 0u);

    // The log's strings are the arena's: a copy of both reads alone once the source is gone.
    auto strings = std::make_unique<string_arena>();
    auto log = std::make_unique<activity_history>();
    log->add(activity::created("p_1", "psid-1", false, false).at(1), *strings);
    const activity_history copy = *log;
    const string_arena strings_copy = *strings;
    log.reset(); // the source's storage is gone
    strings.reset();
    BOOST_TEST(copy.read(strings_copy)[0].conversation == "p_1");
    BOOST_TEST(copy.read(strings_copy)[0].who == "psid-1");
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace activity_history_test

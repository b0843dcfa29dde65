// Bugs pancake-dst found, each pinned by a test that does not depend on the harness's seeds.
// (The seeds that found them stay in tests/dst/seeds.txt.)
#include "support/memory_world.hpp"

#include <boost/test/unit_test.hpp>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace regressions_test {

using namespace pancake;

namespace {

const page_id shop{"100000000000001"};
const std::string shop_token = "pat_hoamai_7f3c2a91e4b84d0c";
const conversation_id conv1{"100000000000001_200000000000001"};

std::vector<double> arrivals(const test::memory_world& w, std::string_view route) {
    std::vector<double> t;
    for (auto& e : w.server.journal())
        if (e.route == route) t.push_back(e.arrived);
    return t;
}

} // namespace

BOOST_AUTO_TEST_SUITE(dst_regressions)

// Seeds 1 and 5: a keep-alive connection reused for a safe call was cut after the server counted
// the request (commit-then-drop); the client replayed it at once, without a rate-limit slot, and
// the server answered the replay 429. The replay must wait for a slot like any request.
BOOST_AUTO_TEST_CASE(stale_connection_replay_takes_a_rate_limit_slot) {
    test::memory_world w;
    w.api.add_page(shop, shop_token);
    w.faults(R"({"rules":[{"route":"tags.update","every_nth":2,"times":1,"kind":"commit_then_drop"}]})");
    test::outcome<tag_update_result> first, second;
    w.api.async_add_tag(shop, conv1, tag_id(1), first.handler());
    w.run([&] { return first.done(); });
    w.api.async_add_tag(shop, conv1, tag_id(2), second.handler()); // on the kept-alive connection
    w.run([&] { return second.done(); });
    BOOST_TEST(!*first.ec);
    BOOST_TEST(!*second.ec);
    const auto t = arrivals(w, "tags.update");
    BOOST_TEST_REQUIRE(t.size() == 3u); // the first call, the cut one, its replay
    // 5 per second, burst 1: one slot every 200 ms (less the safety margin's few ms).
    BOOST_TEST(t[2] - t[1] >= 0.19, "the replay came " << (t[2] - t[1]) << " s after the cut request");
    std::size_t limited = 0;
    for (auto& e : w.server.journal())
        limited += e.status == 429;
    BOOST_TEST(limited == 0u);
}

// Seed 23: attempt 1 of a safe call applied and lost its answer, later attempts were refused
// (injected 429s) until the retries ran out; the client reported the last 429, so the caller
// believed nothing had changed. It must report outcome_unknown.
BOOST_AUTO_TEST_CASE(a_refusal_after_a_lost_attempt_is_outcome_unknown) {
    test::memory_world w;
    w.api.add_page(shop, shop_token);
    w.faults(R"({"rules":[{"route":"tags.update","times":1,"kind":"commit_then_drop"},
                          {"route":"tags.update","kind":"rate_limited"}]})");
    test::outcome<tag_update_result> added;
    w.api.async_add_tag(shop, conv1, tag_id(4), added.handler());
    w.run([&] { return added.done(); });
    BOOST_TEST(*added.ec == errc::outcome_unknown);
    const auto* c = w.server.model().find_conversation(shop.value(), conv1.value());
    bool has = false;
    for (auto& t : c->tags)
        has = has || (t && t->id && t->id->value() == 4);
    BOOST_TEST(has); // it did apply: "unknown" was the truthful answer
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace regressions_test

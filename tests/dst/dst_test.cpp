// The deterministic harness itself: a run is a function of its seed, and its invariants can fail.
#include "dst.hpp"

#include <boost/test/unit_test.hpp>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace dst_test {

BOOST_AUTO_TEST_SUITE(dst)

BOOST_AUTO_TEST_CASE(same_seed_same_journal_bytes) {
    ::dst::options o;
    o.seed = 7;
    o.sim_seconds = 120;
    o.trace = true;
    const auto a = ::dst::run(o);
    const auto b = ::dst::run(o);
    BOOST_TEST(a.violations.empty(), "seed 7: " << (a.violations.empty() ? "" : a.violations.front()));
    BOOST_TEST(a.requests > 100u);
    BOOST_TEST(a.events > 10u);
    BOOST_TEST(a.journal == b.journal); // byte for byte: requests, bodies, times, deliveries
    BOOST_TEST(a.trace == b.trace, "the traces differ");
    BOOST_TEST(a.swarm == b.swarm);
    BOOST_TEST((a.coverage == b.coverage));

    o.seed = 8;
    const auto c = ::dst::run(o);
    BOOST_TEST(c.journal != a.journal);
    BOOST_TEST(c.swarm != a.swarm);
}

BOOST_AUTO_TEST_CASE(the_invariants_can_fail) {
    // Without dedupe, a seed whose swarm sends duplicate webhooks must be caught applying one twice.
    bool caught = false;
    for (std::uint64_t seed = 1; seed <= 12 && !caught; ++seed) {
        ::dst::options o;
        o.seed = seed;
        o.sim_seconds = 120;
        o.sabotage_dedupe = true;
        for (auto& v : ::dst::run(o).violations)
            caught = caught || v.starts_with("webhook event applied twice");
    }
    BOOST_TEST(caught);
}

BOOST_AUTO_TEST_CASE(digest_is_stable) {
    BOOST_TEST(::dst::digest("") == "fnv1a:cbf29ce484222325");
    BOOST_TEST(::dst::digest("a") != ::dst::digest("b"));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace dst_test

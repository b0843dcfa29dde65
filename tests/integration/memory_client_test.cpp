// The client and the simulator on one thread, one io_context, over in-memory streams, on
// virtual time: no sockets, no real waiting, and the run is a function of its seed.
#include "support/memory_world.hpp"

#include <boost/asio.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace memory_client_test {

namespace asio = boost::asio;
using namespace pancake;
using namespace std::chrono_literals;

namespace {

const page_id shop{"100000000000001"};
const std::string shop_token = "pat_hoamai_7f3c2a91e4b84d0c";
const conversation_id conv1{"100000000000001_200000000000001"};

struct world : test::memory_world {
    explicit world(std::uint64_t seed = 1, const std::function<void(client_config&)>& tweak = {})
        : memory_world(seed, tweak) {
        api.add_page(shop, shop_token);
    }
};

using test::outcome;

} // namespace

BOOST_AUTO_TEST_SUITE(client_in_memory)

BOOST_AUTO_TEST_CASE(calls_run_over_memory_streams_on_virtual_time) {
    world w;
    outcome<std::vector<tag>> tags;
    outcome<tag_update_result> added;
    w.api.async_list_tags(shop, tags.handler());
    w.run([&] { return tags.done(); });
    BOOST_TEST(!*tags.ec);
    BOOST_TEST(!tags.value.empty());
    w.api.async_add_tag(shop, conv1, tags.value.front().id, added.handler());
    w.run([&] { return added.done(); });
    BOOST_TEST(!*added.ec);
    BOOST_TEST(w.count("tags.update") == 1u);
    BOOST_TEST(w.api.stats().connections_opened == 1u); // kept alive between the two
}

BOOST_AUTO_TEST_CASE(server_errors_are_retried_after_a_virtual_backoff) {
    world w;
    w.faults(R"({"rules":[{"route":"read","kind":"server_error","status":502,"times":2}]})");
    diagnostics d;
    outcome<status_result> read;
    const auto start = w.vclock.now();
    w.api.async_mark_read(shop, conv1, d, read.handler());
    w.run([&] { return read.done(); });
    BOOST_TEST(!*read.ec);
    BOOST_TEST(d.attempts() == 3u);
    BOOST_TEST(w.count("read") == 3u);
    BOOST_TEST((w.vclock.now() > start)); // the backoff passed on the virtual clock
}

BOOST_AUTO_TEST_CASE(a_429_holds_the_page_then_the_call_goes_through) {
    world w;
    w.faults(R"({"rules":[{"route":"users.list","kind":"rate_limited","times":1}]})");
    diagnostics d;
    outcome<users_snapshot> users;
    const auto start = w.vclock.now();
    w.api.async_list_users(shop, d, users.handler());
    w.run([&] { return users.done(); });
    BOOST_TEST(!*users.ec);
    BOOST_TEST(d.attempts() == 2u);
    BOOST_TEST(w.count("users.list") == 2u);
    // No Retry-After on this 429: the page is held a second before the retry may leave.
    BOOST_TEST((w.vclock.now() - start >= 1s));
}

BOOST_AUTO_TEST_CASE(a_hung_attempt_times_out_and_a_cancelled_one_ends_at_once) {
    world w(1, [](client_config& c) { c.request_timeout = 5s; });
    w.faults(R"({"rules":[{"route":"users.list","kind":"hang"}]})");
    outcome<users_snapshot> hung;
    const auto start = w.vclock.now();
    w.api.async_list_users(shop, hung.handler());
    w.run([&] { return hung.done(); });
    BOOST_TEST(*hung.ec == errc::timeout);
    BOOST_TEST((w.vclock.now() - start == 5s)); // exactly the attempt's deadline, virtually

    // Cancelled on the wire (terminal): the call ends, the connection is discarded, and the
    // client goes on working.
    asio::cancellation_signal sig;
    outcome<users_snapshot> cancelled;
    w.api.async_list_users(shop, asio::bind_cancellation_slot(sig.slot(), cancelled.handler()));
    w.run([&] { return w.server.parked() == 1u; });
    BOOST_TEST(!cancelled.done());
    sig.emit(asio::cancellation_type::terminal);
    // Done once the server has let the discarded connection go too: the next step waits for the
    // next request to be parked, and must not mistake this one for it.
    w.run([&] { return cancelled.done() && w.server.parked() == 0u; });
    BOOST_TEST(*cancelled.ec == asio::error::operation_aborted);

    // A send cancelled on the wire may have arrived: outcome_unknown, never a blind re-send.
    w.faults(R"({"rules":[{"route":"messages.send","kind":"hang"}]})");
    asio::cancellation_signal sig2;
    outcome<send_message_result> send;
    w.api.async_send_message(shop, conv1, send_message_request::inbox_reply("Dạ em chào chị"),
                             asio::bind_cancellation_slot(sig2.slot(), send.handler()));
    w.run([&] { return w.server.parked() == 1u; });
    sig2.emit(asio::cancellation_type::terminal);
    w.run([&] { return send.done(); });
    BOOST_TEST(*send.ec == errc::outcome_unknown);
    BOOST_TEST(w.count("messages.send") == 1u);

    w.server.faults().clear();
    outcome<users_snapshot> after;
    w.api.async_list_users(shop, after.handler());
    w.run([&] { return after.done(); });
    BOOST_TEST(!*after.ec);
}

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_journal) {
    auto run_once = [](std::uint64_t seed) {
        world w(seed);
        w.faults(R"({"rules":[{"route":"*","kind":"server_error","probability":0.3},)"
                 R"({"route":"*","kind":"latency","latency":{"dist":"uniform","min_ms":5,"max_ms":400}}]})");
        std::size_t done = 0;
        for (int i = 0; i < 20; ++i) {
            w.api.async_mark_read(shop, conv1, [&](error_code, status_result) { ++done; });
            w.api.async_add_tag(shop, conv1, tag_id(i % 3 + 1), [&](error_code, tag_update_result) { ++done; });
        }
        w.run([&] { return done == 40; });
        return boost::json::serialize(w.server.journal_json());
    };
    const auto a = run_once(7);
    BOOST_TEST(a == run_once(7));
    BOOST_TEST(a != run_once(8));
    BOOST_TEST(a.find(shop_token) == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace memory_client_test

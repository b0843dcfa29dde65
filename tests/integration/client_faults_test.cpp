// The client against an in-process simulator over in-memory streams, on virtual time: every
// error shape and fault kind, retries, cancellation, timeouts, connection reuse, and the
// limiter's promise (the whole budget, zero 429s).
#include "support/harness.hpp"

#include <boost/json.hpp>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace client_faults_test {

using namespace test;
using namespace pancake;
namespace json = boost::json;

namespace {

std::size_t count(harness& h, std::string_view route, std::optional<unsigned> status = std::nullopt) {
    std::size_t n = 0;
    for (auto& e : h.sim.journal())
        if (e.route == route && (!status || e.status == *status)) ++n;
    return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(client_errors)

BOOST_AUTO_TEST_CASE(error_shapes_map_to_typed_errors) {
    harness h;
    auto& api = *h.api;
    diagnostics d;
    api.add_page(shop2, "wrong-token-for-this-page-1234");
    auto [e1, r1] = h.call([&](auto t) { return api.async_list_tags(shop2, d, t); });
    BOOST_TEST(e1 == errc::invalid_token);
    BOOST_TEST(d.api_error_code().value_or(0) == 102);
    BOOST_TEST(d.api_message() == "Invalid access_token");
    BOOST_TEST(d.to_string().find("wrong-token") == std::string::npos);
    BOOST_TEST(d.url().find("page_access_token=REDACTED") != std::string::npos);

    auto [e2, r2] = h.call([&](auto t) { return api.async_list_tags(page_id("unregistered"), d, t); });
    BOOST_TEST(e2 == errc::invalid_argument);

    auto [e3, r3] = h.call([&](auto t) { return api.async_assign(shop, conv1, {user_id("116256249766099")}, d, t); });
    BOOST_TEST(e3 == errc::api_error);
    BOOST_TEST(d.http_status() == 400u);

    pancake::send_message_request bad;
    bad.action = "private_reply";
    bad.message = "x";
    auto [e4, r4] = h.call([&](auto t) { return api.async_send_message(shop, conv1, bad, d, t); });
    BOOST_TEST(e4 == errc::invalid_argument);
    BOOST_TEST(count(h, "messages.send") == 0u); // rejected before sending

    h.set_faults(R"({"rules":[{"route":"tags.list","kind":"html"}]})");
    auto [e5, r5] = h.call([&](auto t) { return api.async_list_tags(shop, d, t); });
    BOOST_TEST(e5 == errc::unexpected_response);
    BOOST_TEST(d.body_excerpt().starts_with("<!DOCTYPE html>"));
    h.set_faults(R"({"rules":[{"route":"tags.list","kind":"malformed_json"}]})");
    auto [e6, r6] = h.call([&](auto t) { return api.async_list_tags(shop, d, t); });
    BOOST_TEST(e6 == errc::unexpected_response);

    pancake::client bad_url(h.ioc.get_executor(), [] {
        client_config c;
        c.base_url = "ftp://x";
        return c;
    }());
    bad_url.add_page(shop, shop_token);
    auto [e7, r7] = h.call([&](auto t) { return bad_url.async_list_tags(shop, t); });
    BOOST_TEST(e7 == errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(transient_failures_are_retried_with_backoff) {
    harness h;
    std::vector<retry_event> retries;
    h.make_client([&](client_config& c) { c.retry.on_retry = [&](const retry_event& e) { retries.push_back(e); }; });
    auto& api = *h.api;
    diagnostics d;
    for (auto kind : {"server_error", "transient_error", "rate_limited", "truncated_json", "reset_after_headers"}) {
        retries.clear();
        h.set_faults(std::string(R"({"rules":[{"route":"read","kind":")") + kind + R"(","every_nth":2}]})");
        // Matches 1 and 3 pass, 2 fails: run two calls, the second needs one retry.
        auto [a, ra] = h.call([&](auto t) { return api.async_mark_read(shop, conv1, d, t); });
        auto [b, rb] = h.call([&](auto t) { return api.async_mark_read(shop, conv1, d, t); });
        BOOST_TEST(!a, kind);
        BOOST_TEST(!b, kind << ": " << b.message());
        BOOST_TEST(d.attempts() == 2u, kind);
        BOOST_TEST(retries.size() == 1u, kind);
    }
    // Every attempt failing: the error after max_attempts.
    h.set_faults(R"({"rules":[{"route":"read","kind":"server_error"}]})");
    auto [e, r] = h.call([&](auto t) { return api.async_mark_read(shop, conv1, d, t); });
    BOOST_TEST(e == errc::server_error);
    BOOST_TEST(d.attempts() == 4u);
}

BOOST_AUTO_TEST_CASE(sends_are_never_retried_blindly) {
    harness h;
    auto& api = *h.api;
    diagnostics d;
    auto messages_in_sim = [&] {
        return h.sim.model().find_page(shop.value())->conversations.message_count(conv1.value());
    };
    const auto before = messages_in_sim();
    h.set_faults(R"({"rules":[{"route":"messages.send","kind":"commit_then_drop"}]})");
    auto [e1, r1] = h.call([&](auto t) {
        return api.async_send_message(shop, conv1, send_message_request::inbox_reply("một lần"), d, t);
    });
    BOOST_TEST(e1 == errc::outcome_unknown);
    BOOST_TEST(messages_in_sim() == before + 1); // delivered exactly once
    BOOST_TEST(count(h, "messages.send") == 1u);
    h.set_faults(R"({"rules":[{"route":"messages.send","kind":"server_error"}]})");
    auto [e2, r2] = h.call(
        [&](auto t) { return api.async_send_message(shop, conv1, send_message_request::inbox_reply("x"), d, t); });
    BOOST_TEST(e2 == errc::outcome_unknown);
    BOOST_TEST(count(h, "messages.send") == 2u);
    // A 429 means the server refused it: that one is safe to send again.
    h.set_faults(R"({"rules":[{"route":"messages.send","kind":"rate_limited","times":1}]})");
    auto [e3, r3] = h.call(
        [&](auto t) { return api.async_send_message(shop, conv1, send_message_request::inbox_reply("y"), d, t); });
    BOOST_TEST(!e3);
    BOOST_TEST(d.attempts() >= 2u);
    // Idempotent writes are retried after a lost answer and end in the intended state.
    h.set_faults(R"({"rules":[{"route":"assign","kind":"commit_then_drop","every_nth":2}]})");
    h.call([&](auto t) { return api.async_assign(shop, conv1, {an}, t); });
    auto [e4, r4] = h.call([&](auto t) { return api.async_assign(shop, conv1, {binh}, d, t); });
    BOOST_TEST(!e4);
    BOOST_TEST(
        (h.sim.model().find_conversation(shop.value(), conv1.value())->assignee_ids == std::vector<user_id>{binh}));
}

BOOST_AUTO_TEST_CASE(timeouts_and_latency_on_virtual_time) {
    harness h;
    auto& api = *h.api;
    diagnostics d;
    h.set_faults(R"({"rules":[{"route":"tags.list","kind":"latency","latency":{"dist":"fixed","ms":2000}}]})");
    call_options o(d);
    o.timeout = std::chrono::milliseconds(5000);
    auto t0 = h.vclock.now();
    auto [e1, r1] = h.call([&](auto t) { return api.async_list_tags(shop, o, t); });
    BOOST_TEST(!e1);
    BOOST_TEST((h.vclock.now() - t0 >= std::chrono::seconds(2)));
    o.timeout = std::chrono::milliseconds(1000);
    auto [e2, r2] = h.call([&](auto t) { return api.async_list_tags(shop, o, t); });
    BOOST_TEST(e2 == errc::timeout);
    h.set_faults(R"({"rules":[{"route":"users.list","kind":"hang"}]})");
    auto [e3, r3] = h.call([&](auto t) { return api.async_list_users(shop, o, t); });
    BOOST_TEST(e3 == errc::timeout, d.to_string());
    h.set_faults(R"({"rules":[{"route":"messages.send","kind":"hang"}]})");
    auto [e4, r4] = h.call(
        [&](auto t) { return api.async_send_message(shop, conv1, send_message_request::inbox_reply("z"), o, t); });
    BOOST_TEST(e4 == errc::outcome_unknown);
    h.sim.faults().clear();
    auto [e5, r5] = h.call([&](auto t) { return api.async_list_users(shop, t); }); // still usable
    BOOST_TEST(!e5);
}

BOOST_AUTO_TEST_CASE(cancellation_queued_and_in_flight) {
    harness h;
    auto& api = *h.api;
    // Fill the limiter, then cancel a queued request with each cancellation type.
    for (auto type :
         {asio::cancellation_type::total, asio::cancellation_type::partial, asio::cancellation_type::terminal}) {
        h.sim.clear_journal();
        asio::cancellation_signal sig;
        std::optional<error_code> first, queued;
        api.async_list_tags(shop, [&](error_code e, auto) { first = e; });
        api.async_list_tags(shop, asio::bind_cancellation_slot(sig.slot(), [&](error_code e, auto) { queued = e; }));
        h.poll();
        sig.emit(type);
        h.run_until([&] { return first && queued; });
        BOOST_TEST(!*first);
        BOOST_TEST(*queued == asio::error::operation_aborted);
        BOOST_TEST(count(h, "tags.list") == 1u); // the cancelled one never left
    }
    // In flight: only terminal cancellation acts; the client stays usable.
    h.set_faults(R"({"rules":[{"route":"users.list","kind":"hang"}]})");
    asio::cancellation_signal sig;
    std::optional<error_code> res;
    api.async_list_users(shop, asio::bind_cancellation_slot(sig.slot(), [&](error_code e, auto) { res = e; }));
    h.run_until([&] { return h.sim.parked() == 1; });
    sig.emit(asio::cancellation_type::partial); // ignored: the request is on the wire
    h.poll();
    BOOST_TEST(!res.has_value());
    sig.emit(asio::cancellation_type::terminal);
    // The call ends, and its connection is closed: the server lets go of the hung request.
    h.run_until([&] { return res.has_value() && h.sim.parked() == 0; });
    BOOST_TEST(*res == asio::error::operation_aborted);
    // A cancelled send whose bytes left: outcome unknown.
    h.set_faults(R"({"rules":[{"route":"messages.send","kind":"hang"}]})");
    std::optional<error_code> sres;
    api.async_send_message(shop, conv1, send_message_request::inbox_reply("?"),
                           asio::bind_cancellation_slot(sig.slot(), [&](error_code e, auto) { sres = e; }));
    h.run_until([&] { return h.sim.parked() == 1; });
    sig.emit(asio::cancellation_type::terminal);
    h.run_until([&] { return sres.has_value(); });
    BOOST_TEST(*sres == errc::outcome_unknown);
    h.sim.faults().clear();
    auto [e, r] = h.call([&](auto t) { return api.async_list_users(shop, t); });
    BOOST_TEST(!e);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(client_transport)

BOOST_AUTO_TEST_CASE(keep_alive_connections_are_reused) {
    harness h;
    auto& api = *h.api;
    for (int i = 0; i < 10; ++i) {
        auto [e, r] = h.call([&](auto t) { return api.async_list_tags(shop, t); });
        BOOST_TEST_REQUIRE(!e);
    }
    BOOST_TEST(api.stats().connections_opened == 1u);
    BOOST_TEST(h.sim.connections_accepted() == 1u);
    // Past the idle timeout the pooled connection is closed, not reused.
    h.vclock.advance(h.config().pool.idle_timeout + std::chrono::seconds(1));
    auto [e, r] = h.call([&](auto t) { return api.async_list_tags(shop, t); });
    BOOST_TEST(!e);
    BOOST_TEST(api.stats().connections_opened == 2u);
}

BOOST_AUTO_TEST_CASE(a_dead_keep_alive_connection_is_replaced_once) {
    harness h;
    auto& api = *h.api;
    h.call([&](auto t) { return api.async_list_tags(shop, t); });
    // The idle connection dies before any answer byte (as when the server closed it while idle):
    // a safe request goes again on a fresh connection, without counting as a retry.
    h.set_faults(R"({"rules":[{"route":"tags.list","kind":"reset_before_headers","times":1}]})");
    diagnostics d;
    auto [e, r] = h.call([&](auto t) { return api.async_list_tags(shop, d, t); });
    BOOST_TEST(!e);
    BOOST_TEST(d.attempts() == 1u);
    BOOST_TEST(api.stats().connections_opened == 2u);
    BOOST_TEST(count(h, "tags.list") == 3u);
}

// The same two over real sockets (the simulator on loopback TCP, real time): a TCP connection is
// kept alive, and one the server resets before answering is replaced once.
BOOST_AUTO_TEST_CASE(loopback_tcp_keep_alive_and_reset_in_real_time) {
    harness h(false);
    auto& api = *h.api;
    for (int i = 0; i < 3; ++i) {
        auto [e, r] = h.call([&](auto t) { return api.async_list_tags(shop, t); });
        BOOST_TEST_REQUIRE(!e, e.message());
    }
    BOOST_TEST(api.stats().connections_opened == 1u);
    BOOST_TEST(h.sim.connections_accepted() == 1u);
    h.set_faults(R"({"rules":[{"route":"tags.list","kind":"reset_before_headers","times":1}]})");
    diagnostics d;
    auto [e, r] = h.call([&](auto t) { return api.async_list_tags(shop, d, t); });
    BOOST_TEST(!e, e.message());
    BOOST_TEST(d.attempts() == 1u);
    BOOST_TEST(api.stats().connections_opened == 2u);
    BOOST_TEST(h.sim.connections_accepted() == 2u);
    BOOST_TEST(count(h, "tags.list") == 5u);
}

BOOST_AUTO_TEST_CASE(the_connection_cap_queues_requests_fifo) {
    harness h;
    h.make_client([](client_config& c) { c.pool.max_connections = 2; });
    auto& api = *h.api;
    // Slow answers keep connections busy; two pages so two limiters let requests overlap.
    h.set_faults(R"({"rules":[{"route":"tags.list","kind":"latency","latency":{"dist":"fixed","ms":3000}}]})");
    std::vector<int> order;
    std::size_t failed = 0;
    for (int i = 0; i < 6; ++i)
        api.async_list_tags(i % 2 ? shop2 : shop, [&, i](error_code e, auto) {
            order.push_back(i);
            failed += e ? 1 : 0;
            if (e) BOOST_TEST_MESSAGE("request " << i << ": " << e.message());
        });
    std::size_t most_open = 0;
    h.run_until([&] {
        BOOST_TEST(h.sim.parked() <= 2u);
        most_open = std::max(most_open, h.sim.parked());
        return order.size() == 6;
    });
    BOOST_TEST(failed == 0u);
    BOOST_TEST(most_open == 2u);
    for (std::size_t k = 0; k < order.size(); ++k) // served in arrival order, two at a time
        BOOST_TEST(order[k] / 2 == static_cast<int>(k / 2));
    BOOST_TEST(api.stats().connections_opened == 2u); // the two were reused, never a third
    BOOST_TEST(h.sim.connections_accepted() == 2u);

    // A request waiting for a slot honours its deadline, and gives way to the next waiter.
    h.set_faults(R"({"rules":[{"route":"tags.list","kind":"hang"}]})");
    std::optional<error_code> a, b, c;
    call_options quick;
    quick.timeout = std::chrono::seconds(2);
    api.async_list_tags(shop, [&](error_code e, auto) { a = e; });
    api.async_list_tags(shop2, [&](error_code e, auto) { b = e; });
    api.async_list_users(shop, quick, [&](error_code e, auto) { c = e; }); // no slot: times out waiting
    h.run_until([&] { return c.has_value(); });
    BOOST_TEST(*c == errc::timeout);
    BOOST_TEST(!a.has_value());
    h.sim.faults().clear();
    h.run_until([&] { return a && b; }); // the hung ones end at the request timeout
    auto [e, r] = h.call([&](auto t) { return api.async_list_users(shop, t); });
    BOOST_TEST(!e);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(client_limiter)

BOOST_AUTO_TEST_CASE(two_hundred_operations_use_the_budget_with_zero_429) {
    harness h;
    auto& api = *h.api;
    std::size_t done = 0, failed = 0;
    const auto t0 = h.vclock.now();
    for (int i = 0; i < 200; ++i) {
        auto cb = [&](error_code e, auto) {
            ++done;
            if (e) ++failed;
        };
        if (i % 2)
            api.async_add_tag(shop, conv1, tag_id(i % 6), cb);
        else
            api.async_list_tags(shop, cb);
    }
    h.run_until([&] { return done == 200; }, std::chrono::seconds(60));
    const double elapsed = std::chrono::duration<double>(h.vclock.now() - t0).count();
    const double rate = 199.0 / elapsed; // 200 requests span 199 intervals
    BOOST_TEST_MESSAGE("limiter: 200 ops in " << elapsed << " s virtual, " << rate << " req/s of 5");
    BOOST_TEST(failed == 0u);
    BOOST_TEST(h.sim.journal().size() == 200u);
    std::size_t limited = 0;
    for (auto& e : h.sim.journal())
        limited += e.status == 429;
    BOOST_TEST(limited == 0u);
    BOOST_TEST(rate >= 0.95 * 5.0);
    BOOST_TEST(rate <= 5.0);
}

BOOST_AUTO_TEST_CASE(a_shared_limiter_keeps_two_clients_under_the_limit) {
    harness h;
    pancake::client other(h.ioc.get_executor(), h.config());
    other.add_page(shop, shop_token);
    auto shared = h.api->limiter(shop);
    other.set_limiter(shop, shared);
    std::size_t done = 0;
    for (int i = 0; i < 40; ++i) {
        h.api->async_list_tags(shop, [&](error_code, auto) { ++done; });
        other.async_list_tags(shop, [&](error_code, auto) { ++done; });
    }
    h.run_until([&] { return done == 80; }, std::chrono::seconds(60));
    BOOST_TEST(count(h, "tags.list", 429) == 0u);
    BOOST_TEST(count(h, "tags.list", 200) == 80u);
}

BOOST_AUTO_TEST_CASE(a_full_queue_fails_fast) {
    harness h;
    h.make_client([](client_config& c) { c.rate_limit.max_queue = 5; });
    std::size_t done = 0, full = 0;
    for (int i = 0; i < 20; ++i)
        h.api->async_list_tags(shop, [&](error_code e, auto) {
            ++done;
            full += e == errc::queue_full;
        });
    h.run_until([&] { return done == 20; });
    BOOST_TEST(full == 14u); // 1 immediately, 5 queued, the rest refused
}

BOOST_AUTO_TEST_CASE(a_lower_shared_budget_is_absorbed_by_retries) {
    harness h;
    h.sim.model().rate_limits().per_page[shop.value()] = 2; // other apps use the rest
    h.make_client([](client_config& c) { c.retry.max_attempts = 8; });
    std::size_t done = 0, failed = 0;
    for (int i = 0; i < 20; ++i)
        h.api->async_list_tags(shop, [&](error_code e, auto) {
            ++done;
            failed += bool(e);
        });
    h.run_until([&] { return done == 20; }, std::chrono::seconds(60));
    BOOST_TEST(failed == 0u);
    BOOST_TEST(count(h, "tags.list", 429) > 0u); // it did hit the lower limit, and recovered
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace client_faults_test

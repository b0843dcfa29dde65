// Webhooks end to end, on virtual time: the simulator's model emits events, its dispatcher
// delivers them over loopback HTTP (duplicates, reordering, edit re-sends, latency), our
// receiver acknowledges into an intake, the processor hands each to a handler. Failures and
// timeouts of the receiver are injected through the intake it writes to. The client and the
// admin API calls reach the simulator over in-memory streams; only deliveries use sockets.
#include "support/flaky_intake.hpp"
#include "support/harness.hpp"

#include <pancake/webhook.hpp>
#include <sim/webhooks.hpp>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <map>
#include <set>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace webhook_e2e_test {

using namespace test;
namespace wh = pancake::webhook;
namespace json = boost::json;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Simulator + dispatcher + receiver + processor on the harness's io_context and virtual clock.
struct rig {
    harness h;
    pancake::sim::webhook_dispatcher& dispatcher; // the simulator's own delivery
    wh::memory_intake store{h.ioc.get_executor(), 100'000};
    flaky_intake front{h.ioc.get_executor(), h.vclock, store};
    wh::suspension_monitor monitor{h.vclock};
    wh::receiver receiver;
    std::optional<wh::processor> proc;
    std::vector<wh::received_event> handled;
    std::chrono::milliseconds handling_time{10};

    explicit rig(pancake::sim::webhook_options o = {}, wh::receiver_options ro = {}, std::size_t workers = 4)
        : dispatcher(h.sim.webhooks()), receiver(h.ioc.get_executor(), front, ro, &monitor) {
        dispatcher.set_options(o);
        receiver.start();
        wh::processor_options po;
        po.clk = &h.vclock;
        po.workers = workers;
        proc.emplace(h.ioc.get_executor(), front,
                     wh::awaitable_handler(h.ioc.get_executor(),
                                           [this](const wh::received_event& e) -> asio::awaitable<void> {
                                               co_await h.vclock.async_wait_for(h.ioc.get_executor(), handling_time,
                                                                                asio::use_awaitable);
                                               handled.push_back(e);
                                           }),
                     po);
        proc->start();
        std::string err;
        BOOST_REQUIRE_MESSAGE(dispatcher.set_url(shop.value(), receiver.url(), err), err);
    }
    ~rig() {
        dispatcher.stop();
        receiver.stop();
    }

    // Runs until `done` with sim::run_virtual. A delivery travels over a real loopback socket:
    // while one is on the wire (and not held by the receiver on the clock), the clock must not
    // move, so the run stops and waits for that I/O in real time. The real-time ceiling only
    // bounds a failure.
    void run_until(const std::function<bool()>& done) {
        const auto give_up = std::chrono::steady_clock::now() + 60s;
        auto delivering = [&] { return dispatcher.on_wire() > front.holding; };
        for (;;) {
            const auto rep = pancake::sim::run_virtual(h.ioc, h.vclock, [&] { return done() || delivering(); });
            BOOST_REQUIRE_MESSAGE(rep.status == pancake::sim::run_status::done,
                                  "virtual run ended in " << describe(rep) << ": " << dispatcher.outstanding()
                                                          << " events outstanding, " << h.vclock.pending()
                                                          << " clock waiters");
            if (done()) return;
            BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < give_up,
                                  "did not finish: " << dispatcher.on_wire() << " deliveries on the wire");
            h.ioc.restart();
            h.ioc.run_one_for(5ms);
        }
    }
    // Nothing left anywhere. (The client is idle by then: every test awaits its calls first.)
    bool quiet() { return dispatcher.outstanding() == 0 && front.pending() == 0 && proc->in_progress() == 0; }
    void settle() {
        run_until([&] { return quiet(); });
    }

    // A customer writes in (the admin API, over HTTP like any other caller; in memory).
    void customer_says(const std::string& psid, const std::string& text) {
        bool done = false;
        asio::co_spawn(
            h.ioc,
            [&]() -> asio::awaitable<void> {
                auto s = h.sim.connect_in_memory();
                http::request<http::string_body> rq{http::verb::post, "/__sim/pages/" + shop.value() + "/messages", 11};
                rq.set(http::field::host, "sim");
                rq.set(http::field::content_type, "application/json");
                rq.body() = json::serialize(json::object{{"psid", psid}, {"name", "Khách " + psid}, {"text", text}});
                rq.prepare_payload();
                co_await http::async_write(s, rq, asio::use_awaitable);
                beast::flat_buffer b;
                http::response<http::string_body> res;
                co_await http::async_read(s, b, res, asio::use_awaitable);
                BOOST_TEST(res.result_int() == 200u, res.body());
                done = true;
            },
            asio::detached);
        run_until([&] { return done; });
    }
};

std::string request_id(const json::value& ev) {
    auto* r = ev.as_object().if_contains("request_id");
    return r && r->is_string() ? std::string(r->as_string()) : "";
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_e2e)

BOOST_AUTO_TEST_CASE(every_event_takes_effect_once_despite_duplicates_reordering_and_failures) {
    pancake::sim::webhook_options o;
    o.seed = 7;
    o.duplicate_rate = 0.3;
    o.reorder_rate = 0.25;
    o.edit_resend_rate = 0.5;
    o.max_extra_latency = 300ms;
    o.max_attempts = 10; // the injected failures are dense; the sender must not give up here
    rig r(o);
    r.front.fail_every = 6;  // 503
    r.front.slow_every = 11; // stored, but answered after the sender's 5 s timeout
    auto& api = *r.h.api;
    const std::vector<pancake::user_id> a{an}, b{binh}, ab{an, binh};
    // A burst of workflow on two conversations (each change bumps the conversation's version),
    // and customers writing in.
    int ops = 0;
    asio::co_spawn(
        r.h.ioc,
        [&]() -> asio::awaitable<void> {
            for (int round = 0; round < 4; ++round) {
                for (const auto& c : {conv1, conv2}) {
                    co_await api.async_add_tag(shop, c, pancake::tag_id(2), asio::use_awaitable);
                    co_await api.async_assign(shop, c, round % 2 ? a : ab, asio::use_awaitable);
                    co_await api.async_mark_read(shop, c, asio::use_awaitable);
                    co_await api.async_remove_tag(shop, c, pancake::tag_id(2), asio::use_awaitable);
                    co_await api.async_mark_unread(shop, c, asio::use_awaitable);
                    ops += 5;
                }
            }
        },
        asio::detached);
    for (int i = 0; i < 6; ++i)
        r.customer_says("30000000000000" + std::to_string(i % 3), "Shop ơi, đơn " + std::to_string(i));
    r.run_until([&] { return ops == 40; });
    r.settle();

    const auto emitted = r.h.sim.events();
    const auto st = r.dispatcher.stats(shop.value());
    BOOST_TEST_MESSAGE(r.dispatcher.summary());
    // The misbehaviour really happened.
    BOOST_TEST(st.duplicates > 0u);
    BOOST_TEST(st.reordered > 0u);
    BOOST_TEST(st.edit_resends > 0u);
    BOOST_TEST(r.front.refused > 0u);
    BOOST_TEST(r.front.slowed > 0u);
    BOOST_TEST(st.failures >= r.front.refused + r.front.slowed);
    BOOST_TEST(st.gave_up == 0u);
    if (st.gave_up) {
        const auto journal = r.dispatcher.journal_json(0, 100000);
        for (auto& a : journal.at("attempts").as_array())
            if (a.at("outcome") != "ok") BOOST_TEST_MESSAGE(json::serialize(a));
    }
    BOOST_TEST(!st.suspended);
    BOOST_TEST(r.proc->stats().duplicates > 0u);
    BOOST_TEST(r.proc->stats().stale > 0u);

    // Conversation updates: each request_id at most once, versions strictly rising per
    // conversation, and the newest version of each conversation applied.
    std::set<std::string> rids;
    std::map<std::string, std::int64_t> applied, newest;
    for (auto& e : emitted) {
        if (e.body.at("event_type") != "conversation") continue;
        const auto& c = e.body.at("data").at("conversation");
        auto& n = newest[std::string(c.at("id").as_string())];
        n = std::max(n, c.at("version").to_number<std::int64_t>());
    }
    for (auto& e : r.handled) {
        if (e.kind == wh::event_kind::conversation) {
            BOOST_TEST(rids.insert(request_id(e.raw)).second, "request_id handled twice");
            auto& last = applied[std::string(e.raw.at("data").at("conversation").at("id").as_string())];
            BOOST_TEST(*e.version > last, "version went backwards on " << e.serial_key);
            last = *e.version;
        }
    }
    BOOST_TEST(newest.size() >= 2u);
    for (auto& [conv, v] : newest)
        BOOST_TEST(applied[conv] == v, conv << " ended at version " << applied[conv] << " not " << v);

    // Messages: every (id, content) the simulator sent is handled exactly once, edits included.
    std::map<std::string, int> seen;
    for (auto& e : r.handled)
        if (e.kind == wh::event_kind::messaging) ++seen[e.dedupe_key];
    std::size_t customer_messages = 0;
    for (auto& e : emitted)
        if (e.body.at("event_type") == "messaging") ++customer_messages;
    BOOST_TEST(customer_messages >= 6u);
    BOOST_TEST(seen.size() == customer_messages + st.edit_resends);
    for (auto& [k, n] : seen)
        BOOST_TEST(n == 1, k << " handled " << n << " times");
}

BOOST_AUTO_TEST_CASE(a_failing_receiver_gets_the_page_suspended_and_nothing_is_replayed) {
    rig r; // the documented rule: within 30 minutes, > 80 % failed and at least 300 failures
    r.front.fail_all = true;
    const auto page = shop.value();
    int sent = 0;
    // One customer message a second until the page is suspended.
    asio::co_spawn(
        r.h.ioc,
        [&]() -> asio::awaitable<void> {
            while (!r.dispatcher.suspended(page) && sent < 400) {
                ++sent;
                pancake::sim::emitted_event ev{shop, json::object{{"event_type", "connect_status"},
                                                                  {"page_id", page},
                                                                  {"request_id", "rq-" + std::to_string(sent)},
                                                                  {"timestamp", 1784255157},
                                                                  {"data", {{"connect_status", "connected"}}}}};
                r.dispatcher.deliver(ev);
                co_await r.h.vclock.async_wait_for(r.h.ioc.get_executor(), 1s, asio::use_awaitable);
            }
        },
        asio::detached);
    r.run_until([&] { return r.dispatcher.suspended(page); });
    auto st = r.dispatcher.stats(page);
    BOOST_TEST(st.failures >= 300u);
    r.settle();
    // Suspended: the receiver hears nothing more, whatever happens.
    const auto requests_before = r.receiver.stats().busy + r.receiver.stats().accepted;
    r.front.fail_all = false;
    r.customer_says("300000000000009", "Còn hàng không ạ?");
    r.settle();
    BOOST_TEST(r.receiver.stats().busy + r.receiver.stats().accepted == requests_before);
    BOOST_TEST(r.dispatcher.stats(page).dropped_suspended > st.dropped_suspended);
    BOOST_TEST(r.handled.empty());
    // Re-enabled by hand: new events flow, the missed ones are not replayed.
    std::string err;
    auto answer = r.dispatcher.admin("POST", "/pages/" + page + "/enable", "", "");
    BOOST_REQUIRE(answer.has_value());
    BOOST_TEST(answer->first == 200u);
    BOOST_TEST(!r.dispatcher.suspended(page));
    r.customer_says("300000000000009", "Alo shop");
    r.settle();

    BOOST_TEST_REQUIRE(!r.handled.empty());
    std::size_t messages = 0;
    for (auto& e : r.handled) {
        BOOST_TEST((e.kind != wh::event_kind::connect_status)); // the ones missed while suspended
        if (e.kind != wh::event_kind::messaging) continue;
        ++messages;
        BOOST_TEST(e.raw.at("data").at("message").at("message").as_string().find("Còn hàng") == std::string::npos);
    }
    BOOST_TEST(messages == 1u);
}

BOOST_AUTO_TEST_CASE(a_10x_burst_stays_far_from_the_suspension_rule) {
    rig r({}, {}, 1);
    r.handling_time = 100ms; // one worker: 10 events/s
    const std::size_t total = 1000;
    std::size_t sent = 0;
    // 100 events/s for 10 s: ten times what the handler keeps up with.
    asio::co_spawn(
        r.h.ioc,
        [&]() -> asio::awaitable<void> {
            while (sent < total) {
                ++sent;
                pancake::sim::emitted_event ev{shop,
                                               json::object{{"event_type", "conversation"},
                                                            {"page_id", shop.value()},
                                                            {"request_id", "burst-" + std::to_string(sent)},
                                                            {"timestamp", 1784255208},
                                                            {"data",
                                                             {{"conversation",
                                                               {{"id", "c" + std::to_string(sent % 50)},
                                                                {"type", "INBOX"},
                                                                {"version", static_cast<std::int64_t>(sent)}}}}}}};
                r.dispatcher.deliver(ev);
                co_await r.h.vclock.async_wait_for(r.h.ioc.get_executor(), 10ms, asio::use_awaitable);
            }
        },
        asio::detached);
    r.run_until([&] { return sent == total; });
    r.settle();
    const auto st = r.dispatcher.stats(shop.value());
    BOOST_TEST(st.delivered == total);
    BOOST_TEST(st.failures == 0u); // acknowledged on storing, not on handling
    BOOST_TEST(r.receiver.stats().busy == 0u);
    BOOST_TEST(!r.monitor.at_risk());
    BOOST_TEST(r.handled.size() == total);
}

BOOST_AUTO_TEST_CASE(a_fixture_gives_a_page_its_own_webhook_url) {
    harness h;
    auto fx = pancake::sim::sample_fixture();
    auto& page = fx.at("pages").as_array().at(1).as_object();
    const std::string other(page.at("id").as_string());
    page["webhook_url"] = "http://127.0.0.1:9/hooks/pancake";
    std::string err;
    BOOST_REQUIRE_MESSAGE(h.sim.load_fixture(fx, err), err);
    BOOST_TEST(h.sim.webhooks().url(other) == "http://127.0.0.1:9/hooks/pancake");
    BOOST_TEST(h.sim.webhooks().url(shop.value()).empty()); // no URL of its own, no default

    // A URL the dispatcher cannot use refuses the whole fixture and changes nothing.
    page["webhook_url"] = "https://example.com/hooks";
    page["name"] = "changed";
    BOOST_TEST(!h.sim.load_fixture(fx, err));
    BOOST_TEST(err.find("webhook_url") != std::string::npos, err);
    BOOST_TEST(h.sim.webhooks().url(other) == "http://127.0.0.1:9/hooks/pancake");
    page["webhook_url"] = 42;
    BOOST_TEST(!h.sim.load_fixture(fx, err));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace webhook_e2e_test

// workflow::conversation_walk against the simulator's v2 listing (60 per call, the cursor, one
// type per call): client and simulator on one thread over in-memory streams, on virtual time (the
// pattern of directories_test.cpp). The page holds 500 generated conversations, 70 of them
// updated in the same second (a window no split can bring under the cap).
#include "support/memory_world.hpp"
#include <pancake/workflow/conversation_walk.hpp>

#include <boost/asio.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace walk_test {

namespace asio = boost::asio;
using namespace pancake;

namespace {

const page_id shop{"100000000000001"};
const std::string shop_token = "pat_hoamai_7f3c2a91e4b84d0c";
constexpr std::int64_t t0 = 1767225600; // 2026-01-01T00:00:00
constexpr int total = 500;
constexpr int same_second = 70; // conversations 0..69: updated at t0 + burst
constexpr std::int64_t burst = 20000;

std::string iso(std::int64_t unix_s) {
    auto tp = std::chrono::sys_seconds(std::chrono::seconds(unix_s));
    auto day = std::chrono::floor<std::chrono::days>(tp);
    std::chrono::year_month_day ymd(day);
    std::chrono::hh_mm_ss hms(tp - day);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()),
                  int(hms.seconds().count()));
    return buf;
}

// Conversation i: every 5th a COMMENT; updated_at 37 s apart (a few hours in all), except the
// burst; inserted_at in another order (i * 7919 mod 500 minutes before t0).
std::int64_t updated(int i) { return i < same_second ? t0 + burst : t0 + i * 37; }
std::int64_t inserted(int i) { return t0 - std::int64_t(i) * 7919 % total * 60; }
bool is_comment(int i) { return i % 5 == 0; }
std::string conv_id(int i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, is_comment(i) ? "300000000000001_%015d" : "100000000000001_%015d", 400000 + i);
    return buf;
}

struct world : test::memory_world {
    world() {
        api.add_page(shop, shop_token);
        auto fx = sim::sample_fixture();
        auto& page = fx.as_object().at("pages").as_array().at(0).as_object();
        boost::json::array convs;
        for (int i = 0; i < total; ++i)
            convs.push_back(boost::json::object{{"id", conv_id(i)},
                                                {"type", is_comment(i) ? "COMMENT" : "INBOX"},
                                                {"seen", i % 3 == 0},
                                                {"inserted_at", iso(inserted(i))},
                                                {"updated_at", iso(updated(i))},
                                                {"from", boost::json::object{{"id", "2" + std::to_string(i)},
                                                                             {"name", "Khách " + std::to_string(i)}}}});
        page["conversations"] = std::move(convs);
        std::string err;
        BOOST_REQUIRE_MESSAGE(server.load_fixture(fx, err), err);
    }
    std::vector<std::string> listing_paths() const {
        std::vector<std::string> out;
        for (auto& e : server.journal())
            if (e.route == "conversations.list") out.push_back(e.path);
        return out;
    }
};

using test::outcome;

/// Drains a walk with async_next, batch by batch, into `got` (stops at the first error).
error_code drain(world& w, workflow::conversation_walk& walk, std::vector<conversation>& got) {
    for (;;) {
        outcome<std::vector<conversation>> o;
        walk.async_next(o.handler());
        w.run([&] { return o.done(); });
        if (*o.ec) return *o.ec;
        if (o.value.empty()) return {};
        for (auto& c : o.value)
            got.push_back(std::move(c));
    }
}

std::multiset<std::string> ids_of(const std::vector<conversation>& v) {
    std::multiset<std::string> out;
    for (auto& c : v)
        out.insert(c.id.value());
    return out;
}

std::multiset<std::string> expected(const std::function<bool(int)>& keep) {
    std::multiset<std::string> out;
    for (int i = 0; i < total; ++i)
        if (keep(i)) out.insert(conv_id(i));
    return out;
}

const std::int64_t first = t0, last = t0 + burst; // every updated_at lies in [first, last]

workflow::walk_filter whole_window() {
    workflow::walk_filter f;
    f.since = first;
    f.until = last;
    return f;
}

asio::awaitable<std::size_t> walk_with_awaitable(workflow::conversation_walk& walk) {
    std::size_t n = 0;
    for (;;) {
        auto batch = co_await walk.async_next(asio::use_awaitable);
        if (batch.empty()) break;
        n += batch.size();
        auto [ec, more] = co_await walk.async_next(asio::as_tuple(asio::deferred));
        if (ec) throw boost::system::system_error(ec);
        if (more.empty()) break;
        n += more.size();
    }
    co_return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(conversation_walk)

BOOST_AUTO_TEST_CASE(one_window_call_is_silently_capped_at_60) {
    world w;
    conversation_query q;
    q.since = first;
    q.until = last;
    outcome<conversation_list> o;
    w.api.async_list_conversations(shop, q, o.handler());
    w.run([&] { return o.done(); });
    BOOST_TEST(!*o.ec);
    BOOST_TEST(o.value.conversations.size() == 60u); // of 500 in the window, with no error
}

BOOST_AUTO_TEST_CASE(the_walk_returns_all_500_exactly_once) {
    world w;
    workflow::conversation_walk walk(w.api, shop, whole_window());
    std::vector<conversation> got;
    BOOST_TEST(!drain(w, walk, got));
    BOOST_TEST(got.size() == std::size_t(total));
    BOOST_TEST((ids_of(got) == expected([](int) { return true; })));
    BOOST_TEST(walk.done());
    BOOST_TEST(walk.progress().delivered == std::size_t(total));
    BOOST_TEST(walk.progress().splits > 0u);
    BOOST_TEST_MESSAGE("500 conversations: " << walk.progress().requests << " calls, " << walk.progress().splits
                                             << " splits");
    // Every call came back under the cap, except the splits and the pages of the burst second.
    BOOST_TEST(walk.progress().requests == w.listing_paths().size());
    // Newest first: the burst second comes first.
    BOOST_TEST(updated(0) == got.front().updated_at->unix_seconds());

    outcome<std::vector<conversation>> after; // a finished walk stays finished
    walk.async_next(after.handler());
    w.run([&] { return after.done(); });
    BOOST_TEST(!*after.ec);
    BOOST_TEST(after.value.empty());
}

BOOST_AUTO_TEST_CASE(open_bounds_walk_everything) {
    world w;
    workflow::conversation_walk walk(w.api, shop);
    std::vector<conversation> got;
    BOOST_TEST(!drain(w, walk, got));
    BOOST_TEST((ids_of(got) == expected([](int) { return true; })));
}

BOOST_AUTO_TEST_CASE(a_partial_window_on_inserted_at) {
    world w;
    workflow::walk_filter f;
    f.order_by_inserted_at = true;
    f.since = t0 - 400 * 60; // inserted_at: t0 - k * 60, k in 0..499 (each k once)
    f.until = t0 - 10 * 60;
    workflow::conversation_walk walk(w.api, shop, f);
    std::vector<conversation> got;
    BOOST_TEST(!drain(w, walk, got));
    BOOST_TEST((ids_of(got) == expected([&](int i) { return inserted(i) >= *f.since && inserted(i) <= *f.until; })));
    BOOST_TEST(got.size() == 391u);
}

BOOST_AUTO_TEST_CASE(several_types_one_walk_each) {
    world w;
    auto f = whole_window();
    f.types = {conversation_type::comment, conversation_type::inbox};
    workflow::conversation_walk walk(w.api, shop, f);
    std::vector<conversation> got;
    BOOST_TEST(!drain(w, walk, got));
    BOOST_TEST((ids_of(got) == expected([](int) { return true; })));
    // The comments first (100), then the inbox threads (400).
    auto comments_end = std::find_if(got.begin(), got.end(), [](auto& c) { return c.type != "COMMENT"; });
    BOOST_TEST(std::distance(got.begin(), comments_end) == 100);
    BOOST_TEST(std::all_of(comments_end, got.end(), [](auto& c) { return c.type == "INBOX"; }));
    // One type per call, never none.
    for (auto& p : w.listing_paths()) {
        auto n = 0;
        for (auto at = p.find("type="); at != std::string::npos; at = p.find("type=", at + 1))
            ++n;
        BOOST_TEST(n == 1, p);
    }
    BOOST_TEST(walk.progress().types_done == 2u);
}

BOOST_AUTO_TEST_CASE(a_fault_mid_walk_is_reported_then_the_walk_resumes) {
    world w;
    // The 5th listing call gets the HTML shell (not retried: errc::unexpected_response).
    w.faults(R"({"rules":[{"route":"conversations.list","kind":"html","every_nth":5,"times":1}]})");
    workflow::conversation_walk walk(w.api, shop, whole_window());
    std::vector<conversation> got;
    BOOST_TEST(drain(w, walk, got) == errc::unexpected_response);
    BOOST_TEST(!walk.done());
    BOOST_TEST(walk.progress().delivered == got.size());
    BOOST_TEST(got.size() < std::size_t(total));
    BOOST_TEST(walk.progress().requests == 4u);
    BOOST_TEST(!drain(w, walk, got)); // the failed window is asked again
    BOOST_TEST((ids_of(got) == expected([](int) { return true; })));
}

BOOST_AUTO_TEST_CASE(cancellation_completes_aborted_and_the_walk_resumes) {
    world w;
    workflow::conversation_walk walk(w.api, shop, whole_window());
    asio::cancellation_signal sig;
    std::vector<conversation> got;
    outcome<std::size_t> first_run;
    walk.async_for_each(
        [&](const conversation& c) {
            got.push_back(c);
            if (got.size() == 100) sig.emit(asio::cancellation_type::terminal);
        },
        asio::bind_cancellation_slot(sig.slot(), first_run.handler()));
    w.run([&] { return first_run.done(); });
    BOOST_TEST(*first_run.ec == asio::error::operation_aborted);
    BOOST_TEST(first_run.value == got.size()); // the rest of the batch that hit 100 was delivered too
    BOOST_TEST(got.size() >= 100u);
    BOOST_TEST(got.size() < std::size_t(total));

    // Cancelled while a call waits for the rate limiter: drain the budget first.
    outcome<std::vector<conversation>> queued;
    asio::cancellation_signal sig2;
    for (int i = 0; i < 5; ++i)
        w.api.async_list_tags(shop, [](error_code, std::vector<tag>) {});
    walk.async_next(asio::bind_cancellation_slot(sig2.slot(), queued.handler()));
    w.ioc.poll(); // the walk's call is issued and waits behind the limiter
    const auto calls = w.listing_paths().size();
    sig2.emit(asio::cancellation_type::total);
    w.run([&] { return queued.done(); });
    BOOST_TEST(*queued.ec == asio::error::operation_aborted);
    BOOST_TEST(queued.value.empty());
    BOOST_TEST(w.listing_paths().size() == calls);

    outcome<std::size_t> rest;
    walk.async_for_each([&](const conversation& c) { got.push_back(c); }, rest.handler());
    w.run([&] { return rest.done(); });
    BOOST_TEST(!*rest.ec);
    BOOST_TEST(rest.value + first_run.value == std::size_t(total));
    BOOST_TEST((ids_of(got) == expected([](int) { return true; })));
}

BOOST_AUTO_TEST_CASE(completion_tokens_and_one_operation_at_a_time) {
    world w;
    workflow::conversation_walk walk(w.api, shop, whole_window());
    outcome<std::vector<conversation>> a, b;
    walk.async_next(a.handler());
    walk.async_next(b.handler());
    w.run([&] { return a.done() && b.done(); });
    BOOST_TEST(!*a.ec);
    BOOST_TEST(!a.value.empty());
    BOOST_TEST(*b.ec == asio::error::in_progress);

    std::optional<std::size_t> n;
    asio::co_spawn(w.ioc, walk_with_awaitable(walk), [&](std::exception_ptr e, std::size_t v) {
        BOOST_TEST(!e);
        n = v;
    });
    w.run([&] { return n.has_value(); });
    BOOST_TEST(*n + a.value.size() == std::size_t(total));

    // deferred (the default), launched later.
    workflow::conversation_walk again(w.api, shop, whole_window());
    auto op = again.async_for_each([](const conversation&) {});
    outcome<std::size_t> counted;
    std::move(op)(counted.handler());
    w.run([&] { return counted.done(); });
    BOOST_TEST(!*counted.ec);
    BOOST_TEST(counted.value == std::size_t(total));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace walk_test

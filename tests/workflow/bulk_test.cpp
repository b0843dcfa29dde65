// Bulk jobs against the simulator in memory, on virtual time (the pattern of walk_test.cpp):
// re-assigning 1,000 conversations of a staff member on leave, interrupted and resumed from the
// saved plan; the plan's choices (round robin, least loaded) and its file format; the follow-up
// job's selection (read long ago, not answered).
#include "support/memory_world.hpp"
#include <pancake/workflow/bulk_reassign.hpp>
#include <pancake/workflow/follow_up.hpp>

#include <boost/asio.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace bulk_test {

namespace asio = boost::asio;
namespace wf = pancake::workflow;
using namespace pancake;

namespace {

const page_id shop{"100000000000001"};
const std::string shop_token = "pat_hoamai_7f3c2a91e4b84d0c";
const user_id an{"c4bafd84-7b96-4f28-b59a-031f17c32ddf"};
const user_id binh{"fb5ff8ed-434b-4d4b-a213-b595b242b81a"};
const user_id cuong{"79d4e769-ac31-4821-8304-d6e251d532e9"}; // on leave
const user_id dung{"2b1f0c55-9a6e-4b7d-8f21-6c0d3e9a4b12"};
constexpr std::int64_t t0 = 1767225600; // 2026-01-01T00:00:00, the virtual clock's epoch

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

std::string conv_id(int i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "100000000000001_%015d", 500000 + i);
    return buf;
}

boost::json::array ids(const std::vector<user_id>& v) {
    boost::json::array a;
    for (auto& u : v)
        a.emplace_back(u.value());
    return a;
}

/// A page whose conversations are made by `make(i)` (a JSON object with at least an id).
struct world : test::memory_world {
    template <class Make>
    world(int n, Make make) {
        api.add_page(shop, shop_token);
        auto fx = sim::sample_fixture();
        auto& page = fx.as_object().at("pages").as_array().at(0).as_object();
        boost::json::array convs;
        for (int i = 0; i < n; ++i)
            convs.push_back(make(i));
        page["conversations"] = std::move(convs);
        std::string err;
        BOOST_REQUIRE_MESSAGE(server.load_fixture(fx, err), err);
    }
    std::set<user_id> assignees(const std::string& id) {
        const auto* c = server.model().find_conversation(shop.value(), id);
        BOOST_REQUIRE(c);
        return {c->assignee_ids.begin(), c->assignee_ids.end()};
    }
    std::size_t status_count(unsigned status) const {
        std::size_t n = 0;
        for (auto& e : server.journal())
            n += e.status == status;
        return n;
    }
    wf::reassign_plan plan(const user_id& from, std::vector<user_id> to, wf::reassign_options o = {}) {
        test::outcome<wf::reassign_plan> out;
        wf::async_plan_reassign(api, shop, from, std::move(to), std::move(o), out.handler());
        run([&] { return out.done(); });
        BOOST_REQUIRE(!*out.ec);
        return std::move(out.value);
    }
};

// Conversation i of the 1,000: Cường alone on most; with An on every 7th; with Dung on every
// 11th (already covered by the pool: Cường only leaves); every 13th is someone else's.
boost::json::object thousand(int i) {
    std::vector<user_id> who{cuong};
    if (i % 7 == 0) who.push_back(an);
    if (i % 11 == 0) who = {dung, cuong};
    if (i % 13 == 0) who = {binh};
    return {{"id", conv_id(i)},
            {"type", "INBOX"},
            {"seen", true},
            {"inserted_at", iso(t0 - 86400 + i * 60)},
            {"updated_at", iso(t0 - 86400 + i * 60)},
            {"assignee_ids", ids(who)},
            {"from", boost::json::object{{"id", "2" + std::to_string(i)}, {"name", "Khách " + std::to_string(i)}}}};
}

std::string temp_path(const char* name) {
    return (std::filesystem::temp_directory_path() /
            (std::string("pancake-bulk-") + name + "-" + std::to_string(::getpid()) + ".json"))
        .string();
}

} // namespace

BOOST_AUTO_TEST_SUITE(bulk)

BOOST_AUTO_TEST_CASE(reassign_of_1000_resumes_after_an_interruption) {
    world w(1000, thousand);
    const auto plan0 = w.plan(cuong, {an, binh, dung});

    // The plan: every conversation Cường holds (not every 13th), Cường out, the others kept,
    // and one of the pool added in turn where nobody of the pool is there yet.
    BOOST_TEST_REQUIRE(plan0.items.size() == 1000u - 77u); // 77 multiples of 13 below 1000
    std::map<user_id, std::size_t> added;
    for (std::size_t k = 0; k < plan0.items.size(); ++k) {
        const auto& before = plan0.before[k];
        const auto& after = plan0.after[k];
        BOOST_TEST((std::find(after.begin(), after.end(), cuong) == after.end()));
        for (auto& u : before)
            if (u != cuong) BOOST_TEST((std::find(after.begin(), after.end(), u) != after.end()));
        for (auto& u : after)
            if (std::find(before.begin(), before.end(), u) == before.end()) ++added[u];
        BOOST_TEST(after.size() >= 1u);
    }
    std::size_t total_added = 0, lo = 1000, hi = 0;
    for (auto& [u, n] : added)
        total_added += n, lo = std::min(lo, n), hi = std::max(hi, n);
    BOOST_TEST(added.size() == 3u);
    BOOST_TEST(hi - lo <= 1u); // the round robin hands out evenly

    // Run 1: interrupted (terminal cancellation) after 400 items; the plan is saved on every
    // checkpoint, as a crash-safe file.
    const auto path = temp_path("reassign");
    std::filesystem::remove(path);
    auto plan = plan0;
    std::size_t saves = 0;
    asio::cancellation_signal stop;
    const auto journal_before = w.server.journal().size();
    wf::bulk_options o;
    o.concurrency = 8;
    o.on_checkpoint = [&] {
        BOOST_TEST(!wf::save_reassign_plan(path, plan));
        ++saves;
    };
    o.on_progress = [&](const wf::bulk_progress& p) {
        if (p.done_this_run == 400) asio::post(w.ioc, [&] { stop.emit(asio::cancellation_type::terminal); });
    };
    test::outcome<wf::bulk_progress> first;
    wf::async_run_reassign(w.api, plan, o, asio::bind_cancellation_slot(stop.slot(), first.handler()));
    w.run([&] { return first.done(); });
    BOOST_TEST(*first.ec == asio::error::operation_aborted);
    BOOST_TEST(first.value.done >= 400u);
    BOOST_TEST(first.value.done < plan.items.size());
    BOOST_TEST(first.value.failed == 0u);
    BOOST_TEST(saves >= 400u / o.checkpoint_every);

    // Run 2: a fresh process would load the file: the same plan, with what was done marked.
    auto loaded = wf::load_reassign_plan(path);
    BOOST_TEST_REQUIRE(loaded.has_value());
    BOOST_TEST_REQUIRE(loaded->has_value());
    auto resumed = std::move(**loaded);
    BOOST_TEST(resumed.items.size() == plan0.items.size());
    BOOST_TEST(resumed.count(wf::item_state::done) == first.value.done);
    const auto left = resumed.count(wf::item_state::pending);
    test::outcome<wf::bulk_progress> second;
    const auto t_start = w.vclock.now();
    o.on_progress = {};
    o.on_checkpoint = [&] { BOOST_TEST(!wf::save_reassign_plan(path, resumed)); };
    wf::async_run_reassign(w.api, resumed, o, second.handler());
    w.run([&] { return second.done(); });
    BOOST_TEST(!*second.ec);
    BOOST_TEST(second.value.done == plan0.items.size());
    BOOST_TEST(second.value.done_this_run == left);
    BOOST_TEST(second.value.failed == 0u);

    // Every conversation holds exactly what the plan said; the others are untouched.
    for (std::size_t k = 0; k < plan0.items.size(); ++k) {
        const auto want = std::set<user_id>(plan0.after[k].begin(), plan0.after[k].end());
        BOOST_TEST((w.assignees(plan0.items[k].conversation.value()) == want));
    }
    for (int i = 0; i < 1000; i += 13)
        BOOST_TEST((w.assignees(conv_id(i)) == std::set<user_id>{binh}));

    // No 429, ever; at most the cut-short calls repeated; and the budget used in full: the
    // second run took about (its calls) / 5 s of virtual time (the limiter keeps 2 % spare).
    BOOST_TEST(w.status_count(429) == 0u);
    BOOST_TEST(w.api.stats().rate_limited == 0u);
    std::size_t assigns = 0;
    for (std::size_t k = journal_before; k < w.server.journal().size(); ++k)
        assigns += w.server.journal()[k].route == "assign";
    BOOST_TEST(assigns >= plan0.items.size());
    BOOST_TEST(assigns <= plan0.items.size() + o.concurrency);
    const double took = std::chrono::duration<double>(w.vclock.now() - t_start).count();
    const double ideal = static_cast<double>(second.value.done_this_run) / 5.0;
    BOOST_TEST(took <= ideal * 1.05 + 1.0, "the second run took " << took << " s for an ideal " << ideal << " s");
    std::filesystem::remove(path);
}

BOOST_AUTO_TEST_CASE(least_loaded_fills_the_lightest_first) {
    // Six conversations of Cường; An already holds four others, Bình one, Dung none.
    world w(11, [](int i) {
        std::vector<user_id> who{cuong};
        if (i >= 6) who = {i < 10 ? an : binh};
        return boost::json::object{{"id", conv_id(i)},
                                   {"type", "INBOX"},
                                   {"updated_at", iso(t0 - 3600 + i)},
                                   {"inserted_at", iso(t0 - 3600 + i)},
                                   {"assignee_ids", ids(who)},
                                   {"from", boost::json::object{{"id", "2" + std::to_string(i)}, {"name", "K"}}}};
    });
    wf::reassign_options o;
    o.strategy = wf::reassign_strategy::least_loaded;
    auto plan = w.plan(cuong, {an, binh, dung}, o);
    BOOST_TEST_REQUIRE(plan.items.size() == 6u);
    std::map<user_id, int> load{{an, 4}, {binh, 1}, {dung, 0}};
    for (auto& after : plan.after) {
        BOOST_TEST_REQUIRE(after.size() == 1u);
        ++load[after[0]];
    }
    // 4 + 1 + 0 + 6 = 11 spread as evenly as the existing load allows: Dung and Bình catch up.
    BOOST_TEST(load[an] == 4);
    BOOST_TEST(load[binh] + load[dung] == 7);
    BOOST_TEST(std::abs(load[binh] - load[dung]) <= 1);
}

BOOST_AUTO_TEST_CASE(plan_file_round_trip_and_errors) {
    wf::reassign_plan p;
    p.page = shop;
    p.from = cuong;
    p.to = {an, binh};
    p.items = {{conversation_id("c1"), wf::item_state::done, {}},
               {conversation_id("c2"), wf::item_state::failed, "conversation not found"}};
    p.before = {{cuong}, {cuong, an}};
    p.after = {{an}, {an}};
    auto back = wf::reassign_plan::from_json(p.to_json());
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST(boost::json::serialize(back->to_json()) == boost::json::serialize(p.to_json()));
    BOOST_TEST(back->items[1].error == "conversation not found");

    auto err = [&](auto edit) {
        auto j = p.to_json();
        edit(j);
        auto r = wf::reassign_plan::from_json(j);
        BOOST_REQUIRE(!r.has_value());
        return r.error().message;
    };
    BOOST_TEST(err([](boost::json::object& j) { j["job"] = "x"; }) ==
               "job: must be \"reassign\" (not a re-assign plan)");
    BOOST_TEST(err([](boost::json::object& j) { j.erase("from"); }) == "from: missing");
    BOOST_TEST(err([](boost::json::object& j) { j["items"].as_array()[1].as_object()["state"] = "maybe"; }) ==
               "items[1].state: must be pending, done or failed");
    BOOST_TEST(err([](boost::json::object& j) { j["items"].as_array()[0].as_object()["after"] = {1}; }) ==
               "items[0].after[0]: must be a user id (a non-empty string)");

    const auto path = temp_path("corrupt");
    {
        std::FILE* f = std::fopen(path.c_str(), "w");
        std::fputs("{\"job\":", f);
        std::fclose(f);
    }
    auto bad = wf::load_reassign_plan(path);
    BOOST_TEST_REQUIRE(!bad.has_value());
    BOOST_TEST(bad.error().message.find("not valid JSON") != std::string::npos);
    std::filesystem::remove(path);
    auto none = wf::load_reassign_plan(path);
    BOOST_TEST_REQUIRE(none.has_value());
    BOOST_TEST(!none->has_value()); // no file: a first run
}

BOOST_AUTO_TEST_CASE(follow_up_marks_unread_the_old_unanswered_only) {
    // At t0 + 48 h: conversation i was last updated (i * 6) h after t0.
    //   i % 4 == 0: seen, customer wrote last  -> candidate if older than 24 h
    //   i % 4 == 1: seen, the page answered    -> never
    //   i % 4 == 2: unseen                      -> never
    //   i % 4 == 3: seen, no last_sent_by       -> candidate if older than 24 h
    world w(8, [](int i) {
        boost::json::object c{{"id", conv_id(i)},
                              {"type", "INBOX"},
                              {"seen", i % 4 != 2},
                              {"inserted_at", iso(t0 + i * 6 * 3600)},
                              {"updated_at", iso(t0 + i * 6 * 3600)},
                              {"from", boost::json::object{{"id", "2" + std::to_string(i)}, {"name", "K"}}}};
        if (i % 4 == 0) c["last_sent_by"] = {{"id", "2" + std::to_string(i)}, {"name", "K"}};
        if (i % 4 == 1) c["last_sent_by"] = {{"id", shop.value()}, {"name", "Shop"}, {"admin_id", an.value()}};
        return c;
    });
    w.vclock.advance(std::chrono::hours(48));
    wf::follow_up_options fo;
    fo.older_than = std::chrono::hours(24);
    test::outcome<wf::follow_up_plan> plan;
    wf::async_plan_follow_up(w.api, shop, fo, plan.handler());
    w.run([&] { return plan.done(); });
    BOOST_TEST_REQUIRE(!*plan.ec);
    std::set<std::string> chosen;
    for (auto& it : plan.value.items)
        chosen.insert(it.conversation.value());
    // Updated at 0, 6, 12, 18, 24 h: at 48 h, 24 h ago or more; 0, 3 and 4 qualify (1 was
    // answered, 2 is unread); 5..7 are too recent.
    BOOST_TEST((chosen == std::set<std::string>{conv_id(0), conv_id(3), conv_id(4)}));

    test::outcome<wf::bulk_progress> ran;
    wf::async_run_follow_up(w.api, plan.value, {}, ran.handler());
    w.run([&] { return ran.done(); });
    BOOST_TEST(!*ran.ec);
    BOOST_TEST(ran.value.done == 3u);
    for (int i = 0; i < 8; ++i) {
        const bool seen = w.server.model().find_conversation(shop.value(), conv_id(i))->seen;
        const bool want = (i == 0 || i == 3 || i == 4) ? false : i % 4 != 2;
        BOOST_TEST(seen == want, "conversation " << i);
    }
}

BOOST_AUTO_TEST_CASE(failed_items_keep_their_error_and_are_retried) {
    world w(30, thousand);
    auto plan = w.plan(cuong, {an, binh});
    BOOST_TEST_REQUIRE(plan.items.size() == 27u); // 0, 13, 26 are Bình's
    // Every assign fails (after the client's own retries): items end failed, with their error.
    w.faults(R"({"rules":[{"route":"assign","kind":"server_error"}]})");
    test::outcome<wf::bulk_progress> bad;
    wf::bulk_options o;
    o.concurrency = 4;
    wf::async_run_reassign(w.api, plan, o, bad.handler());
    w.run([&] { return bad.done(); });
    BOOST_TEST(!*bad.ec); // every item was tried
    BOOST_TEST(bad.value.failed == 27u);
    BOOST_TEST(bad.value.retries > 0u);
    BOOST_TEST(plan.count(wf::item_state::failed) == 27u);
    BOOST_TEST(!plan.items[0].error.empty());
    // The server recovers: the next run retries the failures and finishes.
    w.faults(R"({"rules":[]})");
    test::outcome<wf::bulk_progress> good;
    wf::async_run_reassign(w.api, plan, o, good.handler());
    w.run([&] { return good.done(); });
    BOOST_TEST(!*good.ec);
    BOOST_TEST(good.value.done == 27u);
    BOOST_TEST(good.value.failed == 0u);
    BOOST_TEST(plan.count(wf::item_state::done) == 27u);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace bulk_test

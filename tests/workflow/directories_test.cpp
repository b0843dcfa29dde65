// The workflow's tag and staff directories and its conversation editor, against the simulator:
// client and simulator on one thread over in-memory streams, on virtual time (the pattern of
// integration/memory_client_test.cpp). Requests are counted in the simulator's journal.
#include "support/memory_world.hpp"
#include <pancake/workflow/assignees.hpp>
#include <pancake/workflow/staff_directory.hpp>
#include <pancake/workflow/tag_directory.hpp>

#include <boost/asio.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace directories_test {

namespace asio = boost::asio;
using namespace pancake;
using namespace std::chrono_literals;
using workflow::state_error;

namespace {

const page_id shop{"100000000000001"};
const std::string shop_token = "pat_hoamai_7f3c2a91e4b84d0c";
const conversation_id conv1{"100000000000001_200000000000001"}; // tagged "Hỏi giá" (3), nobody assigned
const conversation_id conv2{"100000000000001_200000000000002"}; // tagged "Đặt hàng" (1), An assigned
const user_id an{"c4bafd84-7b96-4f28-b59a-031f17c32ddf"};       // available, active, online
const user_id binh{"fb5ff8ed-434b-4d4b-a213-b595b242b81a"};     // available, active, online
const user_id cuong{"79d4e769-ac31-4821-8304-d6e251d532e9"};    // busy
const user_id dung{"2b1f0c55-9a6e-4b7d-8f21-6c0d3e9a4b12"};     // available, active, online
const user_id khanh{"69586d78-2f4e-4c1a-9b3d-7e8f0a1b2c3d"};    // former staff

struct world : test::memory_world {
    world() { api.add_page(shop, shop_token); }
    /// Lets virtual time run on for `d`, running all that falls due: a request that should not
    /// have been sent (queued behind the rate limiter, say) is in the journal by then.
    void settle(std::chrono::seconds d = 5s) {
        bool over = false;
        vclock.async_wait_for(ioc.get_executor(), d, [&](error_code) { over = true; });
        run([&] { return over; });
    }
    /// Adds tags to the shop's page on the server (a change made in the dashboard).
    void add_tags(std::initializer_list<std::pair<std::int64_t, const char*>> tags) {
        auto fx = sim::sample_fixture();
        auto& list = fx.as_object().at("pages").as_array().at(0).as_object().at("tags").as_array();
        for (auto& [id, text] : tags)
            list.push_back(boost::json::object{{"id", id}, {"text", text}, {"color", "#000000"}});
        std::string err;
        BOOST_REQUIRE_MESSAGE(server.load_fixture(fx, err), err);
    }
    const conversation& on_server(const conversation_id& id) {
        auto* c = server.model().find_conversation(shop.value(), id.value());
        BOOST_REQUIRE(c);
        return *c;
    }
};

using test::outcome;

template <class T>
bool all_done(const std::vector<outcome<T>>& v) {
    return std::all_of(v.begin(), v.end(), [](auto& o) { return o.done(); });
}

template <class Id>
std::set<Id> as_set(const std::vector<Id>& v) {
    return {v.begin(), v.end()};
}

// "Đặt hàng" typed decomposed (NFD: a + U+0323 dot below + U+0306 breve; A + U+0300 grave) and
// in mixed case. Đ has no decomposition: it is the same code point either way.
const std::string dat_hang_decomposed = "\xC4\x91"
                                        "a\xCC\xA3\xCC\x86t HA\xCC\x80NG";

// Every completion token style on one directory, in a coroutine.
asio::awaitable<void> use_every_token(workflow::tag_directory& tags, std::vector<std::string>& seen) {
    tag a = co_await tags.async_find("spam", asio::use_awaitable);
    seen.push_back(a.text);
    tag b = co_await tags.async_get(tag_id{5}); // the default: deferred
    seen.push_back(b.text);
    auto [ec, c] = co_await tags.async_find("khách vip", asio::as_tuple(asio::deferred));
    if (!ec) seen.push_back(c.text);
    try {
        co_await tags.async_find("Không có", asio::use_awaitable);
    } catch (const boost::system::system_error& e) {
        if (e.code() == state_error::unknown_tag) seen.push_back("threw unknown_tag");
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(tag_directory)

BOOST_AUTO_TEST_CASE(names_are_found_folded_and_ids_directly) {
    world w;
    workflow::tag_directory tags(w.api, shop);
    outcome<tag> lower, decomposed, by_id;
    tags.async_find("đặt HÀNG", lower.handler());
    w.run([&] { return lower.done(); });
    BOOST_TEST(!*lower.ec);
    BOOST_TEST(lower.value.id == tag_id{1});
    BOOST_TEST(lower.value.text == "Đặt hàng");

    tags.async_find(dat_hang_decomposed, decomposed.handler());
    tags.async_get(tag_id{0}, by_id.handler()); // 0 is a valid id
    w.run([&] { return decomposed.done() && by_id.done(); });
    BOOST_TEST(!*decomposed.ec);
    BOOST_TEST(decomposed.value.id == tag_id{1});
    BOOST_TEST(by_id.value.text == "Kiểm hàng");
    BOOST_TEST(w.count("tags.list") == 1u); // the later lookups came from the cache
}

BOOST_AUTO_TEST_CASE(accents_count_unless_the_options_say_otherwise) {
    world w;
    w.add_tags({{7, "Hoi gia"}}); // beside "Hỏi giá" (3)
    workflow::tag_directory strict(w.api, shop);
    workflow::tag_directory loose(w.api, shop, {.accents = text::accent_mode::insensitive});
    outcome<tag> s_plain, l_plain, l_exact_accented, l_exact_plain, l_ambiguous;
    strict.async_find("dat hang", s_plain.handler());
    loose.async_find("dat hang", l_plain.handler());
    loose.async_find("HỎI GIÁ", l_exact_accented.handler()); // exact (case-folded) match wins
    loose.async_find("hoi GIA", l_exact_plain.handler());
    loose.async_find("hỏi gia", l_ambiguous.handler()); // neither exactly; both without accents
    w.run([&] {
        return s_plain.done() && l_plain.done() && l_exact_accented.done() && l_exact_plain.done() &&
               l_ambiguous.done();
    });
    BOOST_TEST(*s_plain.ec == state_error::unknown_tag);
    BOOST_TEST(!*l_plain.ec);
    BOOST_TEST(l_plain.value.id == tag_id{1});
    BOOST_TEST(l_exact_accented.value.id == tag_id{3});
    BOOST_TEST(l_exact_plain.value.id == tag_id{7});
    BOOST_TEST(*l_ambiguous.ec == state_error::ambiguous_name);
}

BOOST_AUTO_TEST_CASE(unknown_names_and_ids_are_typed_errors) {
    world w;
    workflow::tag_directory tags(w.api, shop);
    outcome<tag> name, id, not_utf8, blank;
    tags.async_find("Giao hàng", name.handler());
    tags.async_get(tag_id{99}, id.handler());
    tags.async_find("\xFF\xFE", not_utf8.handler());
    tags.async_find("  ", blank.handler());
    w.run([&] { return name.done() && id.done() && not_utf8.done() && blank.done(); });
    BOOST_TEST(*name.ec == state_error::unknown_tag);
    BOOST_TEST(*id.ec == state_error::unknown_tag);
    BOOST_TEST(*not_utf8.ec == errc::invalid_argument);
    BOOST_TEST(*blank.ec == state_error::unknown_tag);
    BOOST_TEST(w.count("tags.list") == 1u);
}

BOOST_AUTO_TEST_CASE(many_concurrent_lookups_share_one_request) {
    world w;
    workflow::tag_directory tags(w.api, shop);
    outcome<std::vector<tag>> all;
    tags.async_refresh(all.handler()); // starts the request the lookups below join
    std::vector<outcome<tag>> found(8);
    for (std::size_t i = 0; i < found.size(); ++i)
        if (i % 2)
            tags.async_find("Spam", found[i].handler());
        else
            tags.async_get(tag_id{static_cast<std::int64_t>(i / 2)}, found[i].handler());
    w.run([&] { return all_done(found) && all.done(); });
    w.settle();
    BOOST_TEST(w.count("tags.list") == 1u);
    for (std::size_t i = 0; i < found.size(); ++i) {
        BOOST_TEST(!*found[i].ec);
        BOOST_TEST(found[i].value.id == (i % 2 ? tag_id{4} : tag_id{static_cast<std::int64_t>(i / 2)}));
    }
    BOOST_TEST(all.value.size() == 6u);

    // Refreshes asked for while a request is in flight want data newer than their call: they
    // share ONE more request, sent when the current one ends (never two at once).
    std::vector<outcome<std::vector<tag>>> refreshes(3);
    outcome<tag> lookup;
    tags.async_refresh(refreshes[0].handler());
    tags.async_refresh(refreshes[1].handler());
    tags.async_find("spam", lookup.handler());
    tags.async_refresh(refreshes[2].handler());
    w.run([&] { return all_done(refreshes) && lookup.done(); });
    w.settle();
    BOOST_TEST(w.count("tags.list") == 3u);
    BOOST_TEST(lookup.value.id == tag_id{4});
}

BOOST_AUTO_TEST_CASE(ttl_expiry_causes_exactly_one_new_request) {
    world w;
    workflow::tag_directory tags(w.api, shop); // one hour
    outcome<tag> first;
    tags.async_find("Spam", first.handler());
    w.run([&] { return first.done(); });
    BOOST_TEST(w.count("tags.list") == 1u);

    w.add_tags({{7, "Giao hàng"}}); // created in the dashboard: not seen until the listing expires
    w.vclock.advance(59min);
    outcome<tag> cached;
    tags.async_find("Giao hàng", cached.handler());
    w.run([&] { return cached.done(); });
    BOOST_TEST(*cached.ec == state_error::unknown_tag);
    BOOST_TEST(w.count("tags.list") == 1u);

    w.vclock.advance(1min + 1s);
    std::vector<outcome<tag>> after(5);
    for (auto& o : after)
        tags.async_find("giao HÀNG", o.handler());
    w.run([&] { return all_done(after); });
    w.settle();
    BOOST_TEST(w.count("tags.list") == 2u);
    for (auto& o : after)
        BOOST_TEST(o.value.id == tag_id{7});

    outcome<tag> fresh_again;
    tags.async_get(tag_id{7}, fresh_again.handler());
    w.run([&] { return fresh_again.done(); });
    BOOST_TEST(w.count("tags.list") == 2u);
}

BOOST_AUTO_TEST_CASE(invalidate_forces_one_refresh_even_mid_flight) {
    world w;
    workflow::tag_directory tags(w.api, shop);
    outcome<tag> warm;
    tags.async_get(tag_id{1}, warm.handler());
    w.run([&] { return warm.done(); });

    w.add_tags({{7, "Giao hàng"}});
    tags.invalidate();
    w.faults(R"({"rules":[{"route":"tags.list","kind":"latency","latency":{"dist":"fixed","ms":3000},"times":1}]})");
    std::vector<outcome<tag>> a(3);
    for (auto& o : a)
        tags.async_find("Giao hàng", o.handler());
    w.run([&] { return w.server.parked() == 1u; }); // the refresh is held by the server
    BOOST_TEST(!a.front().done());
    // The caller learns of another change while that request is in flight: lookups from now on
    // must not take its answer, but wait for one more request (never two at once).
    w.add_tags({{7, "Giao hàng"}, {8, "Hoàn hàng"}});
    tags.invalidate();
    std::vector<outcome<tag>> b(3);
    for (auto& o : b)
        tags.async_find("Hoàn hàng", o.handler());
    w.run([&] { return all_done(a) && all_done(b); });
    w.settle();
    BOOST_TEST(w.count("tags.list") == 3u);
    for (auto& o : a)
        BOOST_TEST(o.value.id == tag_id{7});
    for (auto& o : b)
        BOOST_TEST(o.value.id == tag_id{8});
}

BOOST_AUTO_TEST_CASE(a_cancelled_waiter_completes_alone) {
    world w;
    w.faults(R"({"rules":[{"route":"tags.list","kind":"latency","latency":{"dist":"fixed","ms":3000},"times":1}]})");
    workflow::tag_directory tags(w.api, shop);
    asio::cancellation_signal sig;
    outcome<tag> before, cancelled, after;
    tags.async_find("Spam", before.handler());
    tags.async_find("Spam", asio::bind_cancellation_slot(sig.slot(), cancelled.handler()));
    tags.async_get(tag_id{2}, after.handler());
    w.run([&] { return w.server.parked() == 1u; }); // the one request is held by the server
    sig.emit(asio::cancellation_type::terminal);
    w.run([&] { return cancelled.done(); });
    BOOST_TEST(*cancelled.ec == asio::error::operation_aborted);
    BOOST_TEST(!before.done());
    BOOST_TEST(!after.done());
    w.run([&] { return before.done() && after.done(); });
    BOOST_TEST(!*before.ec);
    BOOST_TEST(before.value.id == tag_id{4});
    BOOST_TEST(after.value.text == "Khiếu nại");
    BOOST_TEST(w.count("tags.list") == 1u);
    sig.emit(asio::cancellation_type::terminal); // late: completes nothing twice
    w.ioc.restart();
    w.ioc.poll();
}

BOOST_AUTO_TEST_CASE(an_error_reaches_every_waiter_and_is_not_kept) {
    world w;
    w.api.add_page(shop, "pat_not_the_token");
    workflow::tag_directory tags(w.api, shop);
    std::vector<outcome<tag>> waiters(4);
    for (auto& o : waiters)
        tags.async_find("Spam", o.handler());
    w.run([&] { return all_done(waiters); });
    w.settle();
    BOOST_TEST(w.count("tags.list") == 1u);
    for (auto& o : waiters)
        BOOST_TEST(*o.ec == errc::invalid_token);

    w.api.add_page(shop, shop_token);
    outcome<tag> retry;
    tags.async_find("Spam", retry.handler());
    w.run([&] { return retry.done(); });
    BOOST_TEST(!*retry.ec);
    BOOST_TEST(w.count("tags.list") == 2u);
}

BOOST_AUTO_TEST_CASE(every_completion_token_works) {
    world w;
    workflow::tag_directory tags(w.api, shop);
    std::vector<std::string> seen;
    bool finished = false;
    asio::co_spawn(w.ioc, use_every_token(tags, seen), [&](std::exception_ptr e) {
        BOOST_TEST(!e);
        finished = true;
    });
    w.run([&] { return finished; });
    BOOST_TEST(seen == (std::vector<std::string>{"Spam", "Khách VIP", "Khách VIP", "threw unknown_tag"}),
               boost::test_tools::per_element());
    BOOST_TEST(w.count("tags.list") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(staff_directory)

BOOST_AUTO_TEST_CASE(eligibility_is_staff_hpp_s_view) {
    world w;
    workflow::staff_directory staff(w.api, shop);
    outcome<std::vector<user_id>> eligible, online;
    staff.async_eligible(eligible.handler());
    staff.async_eligible(workflow::eligibility{.require_online = true}, online.handler());
    w.run([&] { return eligible.done() && online.done(); });
    // Cường is busy, Khánh has left; ids ascending, as the assigners expect.
    BOOST_TEST(eligible.value == (std::vector<user_id>{dung, an, binh}), boost::test_tools::per_element());
    BOOST_TEST(online.value == eligible.value, boost::test_tools::per_element());
    BOOST_TEST(w.count("users.list") == 1u);
}

BOOST_AUTO_TEST_CASE(former_staff_are_kept_for_history) {
    world w;
    workflow::staff_directory staff(w.api, shop);
    outcome<workflow::staff_member> former, current, by_name, former_by_name, unknown, unknown_name;
    staff.async_get(khanh, former.handler());
    staff.async_get(cuong, current.handler());
    staff.async_find("nguyễn VĂN an", by_name.handler());
    staff.async_find("khánh khánh", former_by_name.handler());
    staff.async_get(user_id{"00000000-0000-0000-0000-000000000000"}, unknown.handler());
    staff.async_find("Nguyen Van An", unknown_name.handler()); // accents count by default
    w.run([&] {
        return former.done() && current.done() && by_name.done() && former_by_name.done() && unknown.done() &&
               unknown_name.done();
    });
    BOOST_TEST(former.value.disabled);
    BOOST_TEST(former.value.name == "Khánh Khánh");
    BOOST_TEST(!current.value.disabled);
    BOOST_TEST(current.value.name == "Lê Hoàng Cường");
    BOOST_TEST(by_name.value.id == an);
    BOOST_TEST(former_by_name.value.id == khanh);
    BOOST_TEST(former_by_name.value.disabled);
    BOOST_TEST(*unknown.ec == state_error::unknown_staff);
    BOOST_TEST(*unknown_name.ec == state_error::unknown_staff);
    BOOST_TEST(w.count("users.list") == 1u);
}

BOOST_AUTO_TEST_CASE(single_flight_and_ttl) {
    world w;
    workflow::staff_directory staff(w.api, shop, {.ttl = 10min});
    std::vector<outcome<workflow::staff_member>> many(6);
    for (auto& o : many)
        staff.async_get(binh, o.handler());
    outcome<users_snapshot> snap;
    staff.async_snapshot(snap.handler());
    w.run([&] { return all_done(many) && snap.done(); });
    w.settle();
    BOOST_TEST(w.count("users.list") == 1u);
    BOOST_TEST(snap.value.users.size() == 4u);
    BOOST_TEST(snap.value.disabled_users.size() == 1u);

    w.vclock.advance(10min);
    std::vector<outcome<std::vector<user_id>>> later(4);
    for (auto& o : later)
        staff.async_eligible(o.handler());
    w.run([&] { return all_done(later); });
    w.settle();
    BOOST_TEST(w.count("users.list") == 2u);
}

BOOST_AUTO_TEST_CASE(an_error_reaches_every_waiter_and_a_cancelled_one_leaves_alone) {
    world w;
    w.faults(R"({"rules":[{"route":"users.list","kind":"latency","latency":{"dist":"fixed","ms":2000},"times":1}]})");
    w.api.add_page(shop, "pat_not_the_token");
    workflow::staff_directory staff(w.api, shop);
    asio::cancellation_signal sig;
    std::vector<outcome<workflow::staff_member>> waiters(3);
    outcome<workflow::staff_member> cancelled;
    for (auto& o : waiters)
        staff.async_get(an, o.handler());
    staff.async_get(an, asio::bind_cancellation_slot(sig.slot(), cancelled.handler()));
    w.run([&] { return w.server.parked() == 1u; });
    sig.emit(asio::cancellation_type::total);
    w.run([&] { return all_done(waiters) && cancelled.done(); });
    w.settle();
    BOOST_TEST(*cancelled.ec == asio::error::operation_aborted);
    for (auto& o : waiters)
        BOOST_TEST(*o.ec == errc::invalid_token);
    BOOST_TEST(w.count("users.list") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(assignees)

namespace {
// What the editor prevents: two read-merge-writes that overlap, done by hand with the client.
asio::awaitable<void> naive_add(client& api, conversation_id conv, user_id who, int& done) {
    auto list = co_await api.async_list_conversations(shop, conversation_query{}, asio::use_awaitable);
    std::vector<user_id> ids;
    for (auto& c : list.conversations)
        if (c.id == conv) ids = c.assignee_ids;
    ids.push_back(who);
    co_await api.async_assign(shop, conv, ids, asio::use_awaitable);
    ++done;
}
} // namespace

BOOST_AUTO_TEST_CASE(concurrent_adds_on_one_conversation_keep_both) {
    world w;
    // The race is real: by hand, both reads happen before either write, and one add is lost.
    int naive_done = 0;
    asio::co_spawn(w.ioc, naive_add(w.api, conv1, binh, naive_done), asio::detached);
    asio::co_spawn(w.ioc, naive_add(w.api, conv1, dung, naive_done), asio::detached);
    w.run([&] { return naive_done == 2; });
    BOOST_TEST(w.on_server(conv1).assignee_ids.size() == 1u);

    // Through the editor, on conv2 (An assigned): both adds land, An stays.
    workflow::conversation_editor edit(w.api);
    const auto lists = w.count("conversations.list");
    outcome<std::vector<user_id>> first, second;
    edit.async_add_assignee(shop, conv2, binh, first.handler());
    edit.async_add_assignee(shop, conv2, dung, second.handler());
    w.run([&] { return first.done() && second.done(); });
    BOOST_TEST(!*first.ec);
    BOOST_TEST(!*second.ec);
    BOOST_TEST((as_set(first.value) == std::set<user_id>{an, binh}));
    BOOST_TEST((as_set(second.value) == std::set<user_id>{an, binh, dung}));
    BOOST_TEST((as_set(w.on_server(conv2).assignee_ids) == std::set<user_id>{an, binh, dung}));
    BOOST_TEST(w.count("conversations.list") - lists == 2u); // each read after the other's write
    BOOST_TEST(edit.busy() == 0u);
}

BOOST_AUTO_TEST_CASE(remove_keeps_the_others_and_no_change_sends_nothing) {
    world w;
    workflow::conversation_editor edit(w.api);
    outcome<std::vector<user_id>> added, removed, again, absent;
    edit.async_add_assignee(shop, conv2, binh, added.handler());
    edit.async_remove_assignee(shop, conv2, an, removed.handler());
    w.run([&] { return added.done() && removed.done(); });
    BOOST_TEST(!*removed.ec);
    BOOST_TEST(removed.value == std::vector<user_id>{binh}, boost::test_tools::per_element());
    BOOST_TEST(w.on_server(conv2).assignee_ids == std::vector<user_id>{binh}, boost::test_tools::per_element());
    BOOST_TEST(w.count("assign") == 2u);

    edit.async_add_assignee(shop, conv2, binh, again.handler());      // already there
    edit.async_remove_assignee(shop, conv2, cuong, absent.handler()); // never was
    w.run([&] { return again.done() && absent.done(); });
    BOOST_TEST(!*again.ec);
    BOOST_TEST(!*absent.ec);
    BOOST_TEST(absent.value == std::vector<user_id>{binh}, boost::test_tools::per_element());
    BOOST_TEST(w.count("assign") == 2u);
}

BOOST_AUTO_TEST_CASE(set_tags_sends_only_the_difference) {
    world w;
    workflow::conversation_editor edit(w.api);
    auto set_tags = [&](std::vector<tag_id> desired) {
        outcome<std::vector<tag_id>> o;
        edit.async_set_tags(shop, conv1, std::move(desired), o.handler());
        w.run([&] { return o.done(); });
        BOOST_TEST(!*o.ec);
        return o.value;
    };
    std::size_t updates = w.count("tags.update");
    auto delta = [&] {
        const auto now = w.count("tags.update");
        return now - std::exchange(updates, now);
    };

    BOOST_TEST((as_set(set_tags({tag_id{3}, tag_id{1}})) == std::set<tag_id>{tag_id{1}, tag_id{3}}));
    BOOST_TEST(delta() == 1u); // 3 was there: add 1
    BOOST_TEST((as_set(set_tags({tag_id{1}, tag_id{5}, tag_id{5}})) == std::set<tag_id>{tag_id{1}, tag_id{5}}));
    BOOST_TEST(delta() == 2u); // add 5, remove 3
    set_tags({tag_id{5}, tag_id{1}});
    BOOST_TEST(delta() == 0u); // the same set
    BOOST_TEST((as_set(w.on_server(conv1).tag_ids()) == std::set<tag_id>{tag_id{1}, tag_id{5}}));

    outcome<std::vector<tag_id>> cleared;
    edit.async_clear_tags(shop, conv1, cleared.handler());
    w.run([&] { return cleared.done(); });
    BOOST_TEST(!*cleared.ec);
    BOOST_TEST(cleared.value.empty());
    BOOST_TEST(delta() == 2u);
    BOOST_TEST(w.on_server(conv1).tag_ids().empty());
}

BOOST_AUTO_TEST_CASE(an_unknown_conversation_is_a_typed_error) {
    world w;
    workflow::conversation_editor edit(w.api);
    outcome<std::vector<user_id>> assign;
    outcome<std::vector<tag_id>> tags;
    const conversation_id nowhere{"100000000000001_999999999999999"};
    edit.async_add_assignee(shop, nowhere, binh, assign.handler());
    edit.async_set_tags(shop, nowhere, {tag_id{1}}, tags.handler());
    w.run([&] { return assign.done() && tags.done(); });
    BOOST_TEST(*assign.ec == state_error::conversation_not_found);
    BOOST_TEST(*tags.ec == state_error::conversation_not_found);
    BOOST_TEST(w.count("assign") == 0u);
    BOOST_TEST(w.count("tags.update") == 0u);
}

BOOST_AUTO_TEST_CASE(a_queued_edit_can_be_cancelled_and_errors_free_the_turn) {
    world w;
    workflow::conversation_editor edit(w.api);
    asio::cancellation_signal sig;
    outcome<std::vector<user_id>> first, cancelled;
    edit.async_add_assignee(shop, conv2, binh, first.handler());
    edit.async_add_assignee(shop, conv2, dung, asio::bind_cancellation_slot(sig.slot(), cancelled.handler()));
    w.run([&] { return w.count("conversations.list") == 1u; }); // the first holds the turn
    BOOST_TEST(!cancelled.done());
    sig.emit(asio::cancellation_type::terminal);
    w.run([&] { return first.done() && cancelled.done(); });
    BOOST_TEST(*cancelled.ec == asio::error::operation_aborted);
    BOOST_TEST(!*first.ec);
    BOOST_TEST((as_set(w.on_server(conv2).assignee_ids) == std::set<user_id>{an, binh}));
    BOOST_TEST(w.count("assign") == 1u);

    // An edit that fails (bad token) hands the turn on: the next one runs.
    w.api.add_page(shop, "pat_not_the_token");
    outcome<std::vector<user_id>> failed, next;
    edit.async_add_assignee(shop, conv2, dung, failed.handler());
    w.run([&] { return failed.done(); });
    BOOST_TEST(*failed.ec == errc::invalid_token);
    BOOST_TEST(edit.busy() == 0u);
    w.api.add_page(shop, shop_token);
    edit.async_add_assignee(shop, conv2, dung, next.handler());
    w.run([&] { return next.done(); });
    BOOST_TEST(!*next.ec);
    BOOST_TEST((as_set(next.value) == std::set<user_id>{an, binh, dung}));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace directories_test

// The client against an in-process simulator over loopback HTTP, on virtual time: every
// operation, under every completion-token style. (Split from client_faults_test.cpp so the
// two heavy translation units build in parallel.)
#include "support/harness.hpp"

#include <boost/json.hpp>

using namespace test;
using namespace pancake;
namespace json = boost::json;

BOOST_AUTO_TEST_SUITE(client_ops)

BOOST_AUTO_TEST_CASE(every_operation_against_the_simulator) {
    harness h;
    auto& api = *h.api;
    // Each call completes with (error_code, value) under as_tuple; token styles have their own test.
    auto ok = [&](auto f) {
        auto [ec, v] = h.call(f);
        BOOST_TEST_REQUIRE(!ec, ec.message());
        return v;
    };
    auto tags = ok([&](auto t) { return api.async_list_tags(shop, t); });
    BOOST_TEST(tags.size() == 6u);
    BOOST_TEST(tags[1].text == "Đặt hàng");

    auto users = ok([&](auto t) { return api.async_list_users(shop, t); });
    BOOST_TEST(users.users.size() == 4u);
    BOOST_TEST(users.disabled_users.size() == 1u);
    BOOST_TEST(users.round_robin_users.comment.at(0) == dung);

    round_robin_update rr;
    rr.inbox = std::vector<user_id>{an, binh};
    BOOST_TEST(ok([&](auto t) { return api.async_set_round_robin_users(shop, rr, t); }).success);
    BOOST_TEST(ok([&](auto t) { return api.async_list_users(shop, t); }).round_robin_users.inbox.size() == 2u);

    auto added = ok([&](auto t) { return api.async_add_tag(shop, conv1, tag_id(1), t); });
    const std::vector<tag_id> after_add{tag_id(3), tag_id(1)};
    BOOST_TEST((added.data == after_add));
    auto removed = ok([&](auto t) { return api.async_remove_tag(shop, conv1, tag_id(3), t); });
    const std::vector<tag_id> after_remove{tag_id(1)};
    BOOST_TEST((removed.data == after_remove));

    const std::vector<user_id> both{an, binh}, only_binh{binh};
    BOOST_TEST((ok([&](auto t) { return api.async_assign(shop, conv1, both, t); }).assignee_ids == both));
    BOOST_TEST((ok([&](auto t) { return api.async_assign(shop, conv1, only_binh, t); }).assignee_ids == only_binh));

    BOOST_TEST(ok([&](auto t) { return api.async_mark_read(shop, conv1, t); }).success);
    BOOST_TEST(h.sim.model().find_conversation(shop.value(), conv1.value())->seen);
    BOOST_TEST(ok([&](auto t) { return api.async_mark_unread(shop, conv1, t); }).success);
    BOOST_TEST(!h.sim.model().find_conversation(shop.value(), conv1.value())->seen);

    conversation_query q;
    auto all = ok([&](auto t) { return api.async_list_conversations(shop, q, t); });
    BOOST_TEST(all.conversations.size() == 3u);
    BOOST_TEST(all.conversations[0].id == conv1); // just updated: newest
    q.tags = {tag_id(1)};
    q.type = "INBOX";
    BOOST_TEST(ok([&](auto t) { return api.async_list_conversations(shop, q, t); }).conversations.size() == 2u);
    conversation_query next;
    next.last_conversation_id = conv1;
    BOOST_TEST(ok([&](auto t) { return api.async_list_conversations(shop, next, t); }).conversations.size() == 2u);

    auto msgs = ok([&](auto t) { return api.async_list_messages(shop, conv1, 0, t); });
    BOOST_TEST(msgs.messages.size() == 3u);
    BOOST_TEST(*msgs.messages[0].original_message == "Shop ơi áo này còn size M không ạ?"); // newest first

    auto reply = send_message_request::inbox_reply("Dạ còn size M ạ");
    auto sent = ok([&](auto t) { return api.async_send_message(shop, conv1, reply, t); });
    BOOST_TEST(sent.success);
    BOOST_TEST(!sent.id.empty());

    auto pages = ok([&](auto t) { return api.async_list_pages("uat_hoamai_owner_2026", t); });
    BOOST_TEST(pages.size() == 2u);
    BOOST_TEST(h.sim.journal().size() == 16u);
}

BOOST_AUTO_TEST_CASE(every_token_style) {
    harness h;
    auto& api = *h.api;
    // co_await with the default token (deferred) and with use_awaitable.
    auto v = h.run([&]() -> asio::awaitable<std::size_t> {
        auto a = co_await api.async_list_tags(shop);
        auto b = co_await api.async_list_tags(shop, asio::use_awaitable);
        co_return a.size() + b.size();
    }());
    BOOST_TEST(v == 12u);
    // as_tuple: no exceptions, even on error.
    auto [ec, r] =
        h.call([&](auto tok) { return api.async_add_tag(shop, conversation_id("missing"), tag_id(1), tok); });
    BOOST_TEST(ec == errc::not_found);
    auto [ec2, r2] = h.run([&]() -> asio::awaitable<std::tuple<error_code, tag_update_result>> {
        co_return co_await api.async_add_tag(shop, conv1, tag_id(2), asio::as_tuple(asio::deferred));
    }());
    BOOST_TEST(!ec2);
    BOOST_TEST(r2.data.size() == 2u);
    // Plain callback, with diagnostics.
    diagnostics d;
    std::optional<error_code> cb;
    api.async_mark_read(shop, conv1, d, [&](error_code e, status_result s) {
        cb = e;
        BOOST_TEST(s.success);
    });
    h.run_until([&] { return cb.has_value(); });
    BOOST_TEST(!*cb);
    BOOST_TEST(d.attempts() == 1u);
    // use_future.
    auto fut = api.async_list_users(shop, asio::use_future);
    h.run_until([&] { return fut.wait_for(std::chrono::seconds(0)) == std::future_status::ready; });
    BOOST_TEST(fut.get().users.size() == 4u);
    // Errors throw under the default token, with the call's diagnostics (and no token).
    std::optional<error_with_diagnostics> thrown;
    h.run([&]() -> asio::awaitable<int> {
        try {
            co_await api.async_mark_read(shop, conversation_id("missing"));
        } catch (const error_with_diagnostics& e) {
            thrown = e;
        }
        co_return 0;
    }());
    BOOST_TEST_REQUIRE(thrown.has_value());
    BOOST_TEST(thrown->code() == errc::not_found);
    BOOST_TEST(thrown->get_diagnostics().attempts() == 1u);
    BOOST_TEST(thrown->get_diagnostics().url().find("/conversations/missing/read") != std::string::npos);
    BOOST_TEST(std::string(thrown->what()).find(shop_token) == std::string::npos);
    BOOST_TEST(thrown->get_diagnostics().to_string().find(shop_token) == std::string::npos);
    // The adapter wraps other tokens too; a caller's own diagnostics still fill in.
    diagnostics mine;
    auto fut2 = api.async_assign(shop, conversation_id("missing"), std::vector<user_id>{an}, mine,
                                 with_diagnostics(asio::use_future));
    h.run_until([&] { return fut2.wait_for(std::chrono::seconds(0)) == std::future_status::ready; });
    BOOST_CHECK_THROW(fut2.get(), error_with_diagnostics);
    BOOST_TEST(mine.attempts() == 1u);
    BOOST_TEST(!mine.url().empty());
}

namespace {

// Runs one operation, given as op(token), under every completion-token style and checks each
// completes without error: co_await with deferred and with use_awaitable, as_tuple, a plain
// callback, and use_future.
template <class Op>
void under_every_token_style(harness& h, const char* name, Op op) {
    auto awaited = h.run([](Op op) -> asio::awaitable<int> {
        co_await op(asio::deferred);
        co_await op(asio::use_awaitable);
        co_return 2;
    }(op));
    BOOST_TEST(awaited == 2, name);
    auto [ec, v] = h.call(op);
    BOOST_TEST(!ec, name << " as_tuple: " << ec.message());
    std::optional<error_code> cb;
    op([&](error_code e, auto&&) { cb = e; });
    h.run_until([&] { return cb.has_value(); });
    BOOST_TEST(!*cb, name << " callback: " << cb->message());
    auto fut = op(asio::use_future);
    h.run_until([&] { return fut.wait_for(std::chrono::seconds(0)) == std::future_status::ready; });
    BOOST_CHECK_NO_THROW(fut.get());
}

} // namespace

BOOST_AUTO_TEST_CASE(each_operation_under_each_token_style) {
    harness h;
    auto& api = *h.api;
    const std::vector<user_id> assignees{an};
    round_robin_update rr;
    rr.comment = std::vector<user_id>{dung};
    const conversation_query q;
    const auto reply = send_message_request::inbox_reply("Dạ vâng");
    under_every_token_style(h, "list_tags", [&](auto t) { return api.async_list_tags(shop, t); });
    under_every_token_style(h, "list_users", [&](auto t) { return api.async_list_users(shop, t); });
    under_every_token_style(h, "set_round_robin_users",
                            [&](auto t) { return api.async_set_round_robin_users(shop, rr, t); });
    under_every_token_style(h, "add_tag", [&](auto t) { return api.async_add_tag(shop, conv1, tag_id(2), t); });
    under_every_token_style(h, "remove_tag", [&](auto t) { return api.async_remove_tag(shop, conv1, tag_id(2), t); });
    under_every_token_style(h, "assign", [&](auto t) { return api.async_assign(shop, conv1, assignees, t); });
    under_every_token_style(h, "mark_read", [&](auto t) { return api.async_mark_read(shop, conv1, t); });
    under_every_token_style(h, "mark_unread", [&](auto t) { return api.async_mark_unread(shop, conv1, t); });
    under_every_token_style(h, "list_conversations", [&](auto t) { return api.async_list_conversations(shop, q, t); });
    under_every_token_style(h, "list_messages", [&](auto t) { return api.async_list_messages(shop, conv1, 0, t); });
    under_every_token_style(h, "send_message", [&](auto t) { return api.async_send_message(shop, conv1, reply, t); });
    under_every_token_style(h, "list_pages", [&](auto t) { return api.async_list_pages("uat_hoamai_owner_2026", t); });
    BOOST_TEST(h.sim.journal().size() == 12u * 5u);
}

BOOST_AUTO_TEST_SUITE_END()

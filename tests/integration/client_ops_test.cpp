// The client against an in-process simulator over in-memory streams, on virtual time: every
// operation, under every completion-token style. (Split from client_faults_test.cpp so the
// two heavy translation units build in parallel.)
#include "support/harness.hpp"

#include <boost/json.hpp>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace client_ops_test {

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
    q.type = pancake::conversation_type::inbox;
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
    BOOST_TEST(!sent.id.value().empty());

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

// The token matrix, in the manner of Boost.MySQL's network-function maker: each operation runs
// under every completion-token style, on success and on an API error, and each style's outcome
// (error code and the result, encoded) must equal what as_tuple gives. Every handler must run on
// its associated executor (a strand here).
struct outcome {
    error_code ec;
    std::string value;       // the result encoded as JSON, volatile fields dropped
    bool on_executor = true; // the completion ran on the strand it was bound to
};

// Timestamps and a fresh message id differ between two otherwise equal calls.
void drop_volatile(json::value& v, bool top = true) {
    if (auto* o = v.if_object()) {
        for (const char* k : {"timestamp", "updated_at", "inserted_at"})
            o->erase(k);
        if (top) o->erase("id");
        for (auto& [k, x] : *o)
            drop_volatile(x, false);
    } else if (auto* a = v.if_array()) {
        for (auto& x : *a)
            drop_volatile(x, false);
    }
}

template <class T>
std::string encoded(const T& v) {
    auto j = pancake::encode(v);
    drop_volatile(j);
    return json::serialize(j);
}

template <class Op>
std::vector<std::pair<std::string, outcome>> under_every_token_style(harness& h, Op op) {
    using value_type = std::tuple_element_t<1, decltype(h.call(op))>;
    auto strand = asio::make_strand(h.ioc);
    std::vector<std::pair<std::string, outcome>> out;
    // Runs a coroutine on the strand and returns what it recorded.
    auto on_strand = [&](auto body) {
        outcome o;
        bool done = false;
        asio::co_spawn(strand, body(o, strand), [&](std::exception_ptr e) {
            BOOST_TEST(!e);
            done = true;
        });
        h.run_until([&] { return done; });
        return o;
    };
    out.emplace_back("default", on_strand([&](outcome& o, auto s) -> asio::awaitable<void> {
                         try {
                             o.value = encoded(co_await op());
                         } catch (const error_with_diagnostics& e) {
                             o.ec = e.code();
                             o.value = encoded(value_type{});
                         }
                         o.on_executor = s.running_in_this_thread();
                     }));
    out.emplace_back("as_tuple(deferred)", on_strand([&](outcome& o, auto s) -> asio::awaitable<void> {
                         auto [ec, v] = co_await op(asio::as_tuple(asio::deferred));
                         o.ec = ec;
                         o.value = encoded(v);
                         o.on_executor = s.running_in_this_thread();
                     }));
    out.emplace_back("use_awaitable", on_strand([&](outcome& o, auto s) -> asio::awaitable<void> {
                         try {
                             o.value = encoded(co_await op(asio::use_awaitable));
                         } catch (const boost::system::system_error& e) {
                             o.ec = e.code();
                             o.value = encoded(value_type{});
                         }
                         o.on_executor = s.running_in_this_thread();
                     }));
    {
        std::optional<outcome> cb;
        op(asio::bind_executor(strand, [&](error_code ec, value_type v) {
            cb = outcome{ec, encoded(v), strand.running_in_this_thread()};
        }));
        h.run_until([&] { return cb.has_value(); });
        out.emplace_back("callback", *cb);
    }
    auto from_future = [&](auto fut) {
        h.run_until([&] { return fut.wait_for(std::chrono::seconds(0)) == std::future_status::ready; });
        outcome o;
        try {
            o.value = encoded(fut.get());
        } catch (const boost::system::system_error& e) { // error_with_diagnostics is one too
            o.ec = e.code();
            o.value = encoded(value_type{});
        }
        return o;
    };
    out.emplace_back("use_future", from_future(op(asio::use_future)));
    out.emplace_back("with_diagnostics(use_future)", from_future(op(with_diagnostics(asio::use_future))));
    return out;
}

template <class Op>
void check_matrix(harness& h, const char* name, Op op, std::optional<errc> expected) {
    auto rows = under_every_token_style(h, op);
    const auto& ref = rows[1].second; // as_tuple
    BOOST_TEST_REQUIRE(rows[1].first == "as_tuple(deferred)");
    if (expected)
        BOOST_TEST(ref.ec == *expected, name << ": " << ref.ec.message());
    else
        BOOST_TEST(!ref.ec, name << ": " << ref.ec.message());
    for (const auto& [style, o] : rows) {
        BOOST_TEST(o.ec == ref.ec, name << " under " << style << ": " << o.ec.message());
        BOOST_TEST(o.value == ref.value, name << " under " << style);
        BOOST_TEST(o.on_executor, name << " under " << style << " completed off its executor");
    }
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
    const page_id locked{"100000000000003"}; // a page the client holds a wrong token for
    api.add_page(locked, "pat_not_a_real_token");
    for (bool fail : {false, true}) {
        const page_id& p = fail ? locked : shop;
        const auto want = fail ? std::optional<errc>(errc::invalid_token) : std::nullopt;
        // Each operation is op(token...): no token means the default one.
        check_matrix(
            h, "list_tags", [&](auto&&... t) { return api.async_list_tags(p, t...); }, want);
        check_matrix(
            h, "list_users", [&](auto&&... t) { return api.async_list_users(p, t...); }, want);
        check_matrix(
            h, "set_round_robin_users", [&](auto&&... t) { return api.async_set_round_robin_users(p, rr, t...); },
            want);
        check_matrix(
            h, "add_tag", [&](auto&&... t) { return api.async_add_tag(p, conv1, tag_id(2), t...); }, want);
        check_matrix(
            h, "remove_tag", [&](auto&&... t) { return api.async_remove_tag(p, conv1, tag_id(2), t...); }, want);
        check_matrix(
            h, "assign", [&](auto&&... t) { return api.async_assign(p, conv1, assignees, t...); }, want);
        check_matrix(
            h, "mark_read", [&](auto&&... t) { return api.async_mark_read(p, conv1, t...); }, want);
        check_matrix(
            h, "mark_unread", [&](auto&&... t) { return api.async_mark_unread(p, conv1, t...); }, want);
        check_matrix(
            h, "list_conversations", [&](auto&&... t) { return api.async_list_conversations(p, q, t...); }, want);
        check_matrix(
            h, "list_messages", [&](auto&&... t) { return api.async_list_messages(p, conv1, 0, t...); }, want);
        check_matrix(
            h, "send_message", [&](auto&&... t) { return api.async_send_message(p, conv1, reply, t...); }, want);
        const std::string user_token = fail ? "uat_expired_or_wrong" : "uat_hoamai_owner_2026";
        check_matrix(
            h, "list_pages", [&](auto&&... t) { return api.async_list_pages(user_token, t...); }, want);
    }
    // Every style reached the server exactly once per case: 12 operations x 6 styles x 2 cases.
    BOOST_TEST(h.sim.journal().size() == 12u * 6u * 2u);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace client_ops_test

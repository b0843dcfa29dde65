// Endpoint descriptors and the connection cap's queue: pure, no io_context, no sockets.
#include <pancake/endpoints.hpp>
#include <pancake/http/detail/slot_queue.hpp>

#include <boost/test/unit_test.hpp>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace endpoints_test {

using namespace pancake;
namespace ep = pancake::endpoints;
using boost::beast::http::verb;

namespace {

const page_id shop{"100000000000001"};
const conversation_id conv{"100000000000001_200000000000001"};
const std::string token = "pat_secret";

struct fixture {
    http::origin origin = *http::origin::parse("http://127.0.0.1:8080");
    ep::context ctx{&origin, token, "facebook"};
};

} // namespace

BOOST_AUTO_TEST_SUITE(endpoints)

BOOST_FIXTURE_TEST_CASE(page_calls_put_the_token_first_and_encode_the_path, fixture) {
    auto r = ep::list_tags{shop}.to_request(ctx);
    BOOST_TEST(!r.invalid);
    BOOST_TEST((r.method == verb::get));
    BOOST_TEST(r.target == "/api/public_api/v1/pages/100000000000001/tags?page_access_token=pat_secret");
    BOOST_TEST(r.secret == token);
    BOOST_TEST(r.page == shop);
    BOOST_TEST(r.body.empty());
    BOOST_TEST((r.kind == idempotency::safe));

    // A path segment is encoded by Boost.URL, never spliced in raw.
    auto odd = ep::mark_read{shop, conversation_id("a/b?c"), true}.to_request(ctx);
    BOOST_TEST(odd.target == "/api/public_api/v1/pages/100000000000001/conversations/a%2Fb%3Fc/read"
                             "?page_access_token=pat_secret");
}

BOOST_FIXTURE_TEST_CASE(each_write_has_its_verb_path_and_body, fixture) {
    auto add = ep::toggle_tag{shop, conv, tag_id(7), true}.to_request(ctx);
    BOOST_TEST((add.method == verb::post));
    BOOST_TEST(
        add.target.starts_with("/api/public_api/v1/pages/100000000000001/conversations/" + conv.value() + "/tags?"));
    BOOST_TEST((add.body == R"({"action":"add","tag_id":"7"})"));
    auto remove = ep::toggle_tag{shop, conv, tag_id(7), false}.to_request(ctx);
    BOOST_TEST((remove.body == R"({"action":"remove","tag_id":"7"})"));

    auto as = ep::assign{shop, conv, {user_id("u1"), user_id("u2")}}.to_request(ctx);
    BOOST_TEST(as.target.find("/conversations/" + conv.value() + "/assign?") != std::string::npos);
    BOOST_TEST((as.body == R"({"assignee_ids":["u1","u2"]})"));
    BOOST_TEST((ep::assign{shop, conv, {}}.to_request(ctx).body == R"({"assignee_ids":[]})"));

    auto unread = ep::mark_read{shop, conv, false}.to_request(ctx);
    BOOST_TEST(unread.target.find("/unread?") != std::string::npos);
    BOOST_TEST(unread.body.empty());

    auto msgs = ep::list_messages{shop, conv, 30}.to_request(ctx);
    BOOST_TEST(msgs.target.ends_with("/messages?page_access_token=pat_secret&current_count=30"));
}

BOOST_FIXTURE_TEST_CASE(a_send_is_at_most_once_and_checked_against_the_page_platform, fixture) {
    auto ok = ep::send_message{shop, conv, send_message_request::inbox_reply("Chào bạn")}.to_request(ctx);
    BOOST_TEST(!ok.invalid);
    BOOST_TEST((ok.kind == idempotency::at_most_once));
    BOOST_TEST(ok.body.find(R"("action":"reply_inbox")") != std::string::npos);

    auto many = send_message_request::inbox_reply("");
    many.message.reset();
    many.content_ids = std::vector<std::string>(11, "c");
    BOOST_TEST((!ep::send_message{shop, conv, many}.to_request(ctx).invalid)); // facebook: 30
    ep::context insta = ctx;
    insta.platform = "instagram";
    auto refused = ep::send_message{shop, conv, many}.to_request(insta);
    BOOST_REQUIRE(refused.invalid);
    BOOST_TEST(refused.invalid->code == errc::invalid_argument);
    BOOST_TEST(refused.invalid->message == "too many content_ids");
}

BOOST_FIXTURE_TEST_CASE(the_listing_query_is_built_in_order_and_validated, fixture) {
    conversation_query q;
    q.last_conversation_id = conv;
    q.tags = {tag_id(1), tag_id(4)};
    q.type = conversation_type::post;
    q.post_ids = {post_id("100000000000001_300")};
    q.since = 1767225600;
    q.until = 1767312000;
    q.order_by_inserted_at = true;
    q.unread_first = true;
    auto r = ep::list_conversations{shop, q}.to_request(ctx);
    BOOST_TEST(!r.invalid);
    BOOST_TEST(r.target == "/api/public_api/v2/pages/100000000000001/conversations?page_access_token=pat_secret"
                           "&last_conversation_id=" +
                               conv.value() +
                               "&tags=1,4&type=POST&post_ids=100000000000001_300&since=1767225600&until=1767312000"
                               "&order_by=inserted_at&unread_first=true");

    q.post_ids.clear();
    auto no_posts = ep::list_conversations{shop, q}.to_request(ctx);
    BOOST_REQUIRE(no_posts.invalid);
    BOOST_TEST(no_posts.invalid->message == "post_ids is required for type POST");
    conversation_query backwards;
    backwards.since = 10;
    backwards.until = 5;
    BOOST_TEST((ep::list_conversations{shop, backwards}.to_request(ctx).invalid.has_value()));
}

BOOST_FIXTURE_TEST_CASE(unknown_pages_and_bad_origins_are_refused_before_sending, fixture) {
    ep::context no_token{&origin, "", "facebook"};
    auto r = ep::list_users{shop}.to_request(no_token);
    BOOST_REQUIRE(r.invalid);
    BOOST_TEST(r.invalid->code == errc::invalid_argument);
    BOOST_TEST(r.target.empty()); // nothing to send, nothing to log
    ep::context no_origin{nullptr, token, "facebook"};
    BOOST_TEST(ep::list_users{shop}.to_request(no_origin).invalid.has_value());
    BOOST_TEST(ep::list_pages{"user-token"}.to_request(no_origin).invalid.has_value());
    BOOST_TEST(ep::list_pages{""}.to_request(ctx).invalid.has_value());
}

BOOST_FIXTURE_TEST_CASE(the_user_token_api_is_not_per_page, fixture) {
    auto r = ep::list_pages{"user tok"}.to_request(ctx);
    BOOST_TEST(r.target == "/api/v1/pages?access_token=user%20tok");
    BOOST_TEST(r.secret == "user tok");
    BOOST_TEST(r.page.value().empty()); // no per-page limiter
    // A base URL with a path prefix keeps it.
    auto prefixed = *http::origin::parse("https://example.com/proxy/api/public_api/v1");
    ep::context pctx{&prefixed, token, "facebook"};
    BOOST_TEST(ep::list_users{shop}.to_request(pctx).target.starts_with("/proxy/api/public_api/v1/pages/"));
}

BOOST_FIXTURE_TEST_CASE(results_map_from_the_wire_shape, fixture) {
    tag_list l;
    l.tags.push_back(tag{});
    l.tags.push_back(tag{});
    BOOST_TEST(ep::list_tags::to_result(std::move(l)).size() == 2u);
    page_list p;
    p.pages.resize(3);
    BOOST_TEST(ep::list_pages::to_result(std::move(p)).size() == 3u);
    auto rr = ep::set_round_robin_users{shop, round_robin_update{}}.to_request(ctx);
    BOOST_TEST(rr.target.find("/round_robin_users?") != std::string::npos);
    BOOST_TEST(!rr.body.empty());
}

// The one-buffer builder encodes exactly as Boost.URL's segment and parameter editing does (the
// reference below), over every byte value and the characters that differ between the sets.
BOOST_AUTO_TEST_CASE(target_builder_matches_boost_url_editing) {
    std::vector<std::string> samples = {
        "",    "plain",     "a b",        "a+b", "a&b=c",    "x/y?z#w", "[v6]",
        "%41", ":colon@at", "Tiếng Việt", "đ",   "!$'()*,;", "~-._",    std::string("nul\0byte", 8)};
    std::string all;
    for (int c = 1; c < 256; ++c)
        all += static_cast<char>(c);
    samples.push_back(all);
    for (const std::string& root : {std::string("/api"), std::string("/proxy path/api"), std::string("/a:b/api")})
        for (const auto& seg : samples)
            for (const auto& val : {samples[3], samples[4], samples.back(), seg}) {
                boost::urls::url u;
                u.set_path(root);
                u.set_path_absolute(true);
                u.segments().push_back("public_api");
                u.segments().push_back(seg);
                u.params().append({"page_access_token", val});
                u.params().append({seg, "v"});
                pancake::http::target_builder b(root);
                b.segment("public_api").segment(seg).param("page_access_token", val).param(seg, "v");
                BOOST_TEST(std::move(b).take() == std::string(u.buffer()));
            }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(slot_queue)

using pancake::http::detail::slot_queue;

BOOST_AUTO_TEST_CASE(takes_up_to_the_cap_then_queues_fifo) {
    slot_queue q(2);
    BOOST_TEST(q.try_take());
    BOOST_TEST(q.try_take());
    BOOST_TEST(!q.try_take());
    auto a = q.enqueue();
    auto b = q.enqueue();
    BOOST_TEST(q.waiting() == 2u);
    // A closed connection's slot goes to the oldest waiter; the count stays at the cap.
    BOOST_TEST((q.release() == a));
    BOOST_TEST(q.open() == 2u);
    // A live connection handed over goes to the next one.
    BOOST_TEST((q.next() == b));
    BOOST_TEST(!q.next());
    BOOST_TEST((q.release() == std::nullopt));
    BOOST_TEST(q.open() == 1u);
}

BOOST_AUTO_TEST_CASE(a_newcomer_never_jumps_the_queue_and_a_cancelled_waiter_is_skipped) {
    slot_queue q(1);
    BOOST_TEST(q.try_take());
    auto a = q.enqueue();
    auto b = q.enqueue();
    BOOST_TEST(q.cancel(a));
    BOOST_TEST(!q.cancel(a));  // already gone
    BOOST_TEST(!q.try_take()); // b waits: a newcomer does not get ahead of it
    BOOST_TEST((q.release() == b));
    BOOST_TEST(!q.cancel(b)); // served: too late to cancel
    BOOST_TEST((q.release() == std::nullopt));
    BOOST_TEST(q.open() == 0u);
    BOOST_TEST(q.try_take());
}

BOOST_AUTO_TEST_CASE(no_cap_means_never_waiting) {
    slot_queue q(0);
    for (int i = 0; i < 1000; ++i)
        BOOST_TEST_REQUIRE(q.try_take());
    BOOST_TEST(q.open() == 1000u);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace endpoints_test

// The operations beyond the workflow calls (page tokens, uploads, customers and notes, content,
// statistics, the chat plugin) through the client against the embedded simulator: in memory, on
// virtual time.
#include "support/memory_world.hpp"

#include <boost/test/unit_test.hpp>

#include <set>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace resources_test {

using namespace pancake;
using test::outcome;

namespace {

const page_id shop{"100000000000001"};
const std::string shop_token = "pat_hoamai_7f3c2a91e4b84d0c";
const std::string owner_token = "uat_hoamai_owner_2026";
const page_id senvang{"100000000000002"};
const std::string senvang_token = "pat_senvang_5d1e8b7a3c6f4e21";
const customer_id huong{"d1e2f3a4-0000-4000-8000-000000000001"};
constexpr std::int64_t all_time = 4102444800; // 2100-01-01

struct world : test::memory_world {
    world() {
        api.add_page(shop, shop_token);
        api.add_page(senvang, senvang_token);
    }

    /// Every customer of the shop, by for_each_page in pages of `size`.
    std::pair<std::vector<page_customer>, std::size_t> all_customers(std::int64_t size) {
        std::vector<page_customer> all;
        std::int64_t total = -1;
        auto pages = call<std::size_t>([&](auto h) {
            async_for_each_page(
                api, endpoints::list_customers{shop, {0, all_time, 1, size, false}},
                [&](const customer_page& p) {
                    total = p.total;
                    all.insert(all.end(), p.customers.begin(), p.customers.end());
                },
                h);
        });
        BOOST_TEST_REQUIRE(!*pages.ec);
        BOOST_TEST(static_cast<std::int64_t>(all.size()) == total);
        return {std::move(all), pages.value};
    }

    template <class T, class F>
    outcome<T> call(F start) {
        outcome<T> o;
        start(o.handler());
        run([&] { return o.done(); });
        return o;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(resources)

BOOST_AUTO_TEST_CASE(a_generated_page_token_replaces_the_registered_one_and_the_old_one_dies) {
    world w;
    auto gen = w.call<std::string>([&](auto h) { w.api.async_generate_page_access_token(shop, owner_token, h); });
    BOOST_TEST_REQUIRE(!*gen.ec);
    BOOST_TEST(gen.value != shop_token);
    BOOST_TEST(gen.value.starts_with("pat_"));
    // The client now calls with the new token: the call succeeds although the old token is dead.
    auto tags = w.call<std::vector<tag>>([&](auto h) { w.api.async_list_tags(shop, h); });
    BOOST_TEST(!*tags.ec);
    BOOST_TEST(!tags.value.empty());

    // A second client still holding the old token is refused.
    client stale(w.ioc.get_executor(), w.config());
    stale.add_page(shop, shop_token);
    outcome<std::vector<tag>> refused;
    stale.async_list_tags(shop, refused.handler());
    w.run([&] { return refused.done(); });
    BOOST_TEST((*refused.ec == errc::invalid_token));

    // A bad user token: typed error, and the registered token is kept.
    diagnostics d;
    auto bad = w.call<std::string>([&](auto h) { w.api.async_generate_page_access_token(shop, "uat_wrong", d, h); });
    BOOST_TEST((*bad.ec == errc::invalid_token));
    BOOST_TEST(d.url().find("uat_wrong") == std::string::npos);
    auto again = w.call<std::vector<tag>>([&](auto h) { w.api.async_list_tags(shop, h); });
    BOOST_TEST(!*again.ec);
}

BOOST_AUTO_TEST_CASE(an_upload_gives_a_content_id_a_send_can_use_and_is_sent_once) {
    world w;
    auto up = w.call<upload_result>([&](auto h) {
        w.api.async_upload_content(shop, endpoints::upload_source::bytes("ao-do.jpg", std::string(5000, 'j')), h);
    });
    BOOST_TEST_REQUIRE(!*up.ec);
    BOOST_TEST(up.value.attachment_type == "PHOTO"); // from the part's Content-Type, image/jpeg
    BOOST_TEST(!up.value.id.empty());
    BOOST_TEST(w.count("upload") == 1u);

    const conversation_id conv{"100000000000001_200000000000001"};
    send_message_request m;
    m.action = "reply_inbox";
    m.content_ids = std::vector<std::string>{up.value.id};
    diagnostics d;
    auto sent = w.call<send_message_result>([&](auto h) { w.api.async_send_message(shop, conv, m, d, h); });
    BOOST_TEST(!*sent.ec, d.api_message() << " " << d.client_message());

    // A lost answer: the upload may have happened, so it is not repeated.
    w.faults(R"({"rules":[{"route":"upload","kind":"commit_then_drop","times":1}]})");
    auto lost = w.call<upload_result>(
        [&](auto h) { w.api.async_upload_content(shop, endpoints::upload_source::bytes("a.pdf", "%PDF-1.4"), h); });
    BOOST_TEST((*lost.ec == errc::outcome_unknown));
    BOOST_TEST(w.count("upload") == 2u);
}

BOOST_AUTO_TEST_CASE(for_each_page_walks_every_customer_and_stops_at_the_total) {
    world w;
    auto [all, pages] = w.all_customers(2);
    BOOST_TEST_REQUIRE(all.size() >= 3u);
    BOOST_TEST(pages == (all.size() + 1) / 2);
    BOOST_TEST(w.count("customers.list") == pages);
    std::set<std::string> ids;
    for (auto& c : all)
        ids.insert(c.id.value());
    BOOST_TEST(ids.size() == all.size()); // no customer twice across pages
    BOOST_TEST(ids.count(huong.value()) == 1u);
    // Newest first by inserted_at.
    for (std::size_t i = 1; i < all.size(); ++i)
        BOOST_TEST((all[i - 1].inserted_at->time() >= all[i].inserted_at->time()));
    // Stopping early: the callback says when.
    std::size_t seen = 0;
    auto stopped = w.call<std::size_t>([&](auto h) {
        async_for_each_page(
            w.api, endpoints::list_customers{shop, {0, all_time, 1, 1, false}},
            [&](const customer_page&) { return ++seen < 2; }, h);
    });
    BOOST_TEST(!*stopped.ec);
    BOOST_TEST(stopped.value == 2u);
}

BOOST_AUTO_TEST_CASE(for_each_page_is_awaitable_with_its_default_token) {
    world w;
    std::size_t customers = 0, pages = 0;
    std::exception_ptr error;
    bool done = false;
    boost::asio::co_spawn(
        w.ioc,
        [&]() -> boost::asio::awaitable<void> {
            // Named: GCC 12 destroys a temporary with a destructor in a co_await expression twice.
            const endpoints::list_customers first{shop, {0, all_time, 1, 2, false}};
            pages = co_await async_for_each_page(w.api, first,
                                                 [&](const customer_page& p) { customers += p.customers.size(); });
        },
        [&](std::exception_ptr e) {
            error = e;
            done = true;
        });
    w.run([&] { return done; });
    BOOST_TEST(!error);
    BOOST_TEST(customers >= 3u);
    BOOST_TEST(pages == (customers + 1) / 2);
}

BOOST_AUTO_TEST_CASE(a_customer_edit_and_a_note_round_trip_show_in_the_listing) {
    world w;
    customer_changes ch;
    ch.gender = gender::female;
    ch.birthday = std::chrono::year(1996) / 3 / 9;
    ch.phone_numbers = std::vector<std::string>{"0901234567", "0938000111"};
    auto upd = w.call<status_result>([&](auto h) { w.api.async_update_customer(shop, huong, ch, h); });
    BOOST_TEST_REQUIRE(!*upd.ec);

    auto added = w.call<note_result>(
        [&](auto h) { w.api.async_add_customer_note(shop, huong, "Khách hẹn lấy hàng thứ Bảy", h); });
    BOOST_TEST_REQUIRE(!*added.ec);
    BOOST_TEST_REQUIRE(added.value.note_id.has_value());
    const auto note = *added.value.note_id;
    BOOST_TEST_REQUIRE(added.value.data.has_value());
    BOOST_TEST(added.value.data->size() == 3u); // the two fixture notes and this one

    auto edited = w.call<note_result>(
        [&](auto h) { w.api.async_update_customer_note(shop, huong, note, "Khách hẹn lấy hàng Chủ nhật", h); });
    BOOST_TEST(!*edited.ec);

    auto find = [&](const std::vector<page_customer>& all) -> const page_customer* {
        for (auto& c : all)
            if (c.id == huong) return &c;
        return nullptr;
    };
    auto [all, pages] = w.all_customers(100);
    const auto* c = find(all);
    BOOST_TEST_REQUIRE(c != nullptr);
    BOOST_TEST(c->gender.value_or("") == "female");
    BOOST_TEST(c->birthday.value_or("") == "1996-03-09");
    BOOST_TEST(c->phone_numbers.size() == 2u);
    const customer_note* n = nullptr;
    for (auto& x : c->notes)
        if (x.id == note) n = &x;
    BOOST_TEST_REQUIRE(n != nullptr);
    BOOST_TEST(n->message == "Khách hẹn lấy hàng Chủ nhật");
    BOOST_TEST(n->edit_history.size() == 1u);
    BOOST_TEST(n->updated_at.has_value());

    auto del = w.call<note_result>([&](auto h) { w.api.async_delete_customer_note(shop, huong, note, h); });
    BOOST_TEST(!*del.ec);
    auto after = w.all_customers(100).first;
    for (auto& x : find(after)->notes)
        if (x.id == note) BOOST_TEST(x.removed_at.has_value());

    // Unknown customer and unknown note: typed errors with the API's message.
    diagnostics d;
    auto unknown = w.call<status_result>(
        [&](auto h) { w.api.async_update_customer(shop, customer_id("no-such-customer"), ch, d, h); });
    BOOST_TEST((*unknown.ec == errc::not_found));
    auto bad_note =
        w.call<note_result>([&](auto h) { w.api.async_update_customer_note(shop, huong, "no-such-note", "x", d, h); });
    BOOST_TEST((*bad_note.ec == errc::api_error));
    BOOST_TEST(!d.api_message().empty());
}

BOOST_AUTO_TEST_CASE(a_lost_note_answer_is_outcome_unknown_and_not_a_second_note) {
    world w;
    w.faults(R"({"rules":[{"route":"notes.add","kind":"commit_then_drop","times":1}]})");
    auto lost = w.call<note_result>([&](auto h) { w.api.async_add_customer_note(shop, huong, "Gọi lại sau", h); });
    BOOST_TEST((*lost.ec == errc::outcome_unknown));
    BOOST_TEST(w.count("notes.add") == 1u);
    auto c = w.all_customers(100).first;
    std::size_t notes = 0;
    for (auto& x : c)
        if (x.id == huong) notes = x.notes.size();
    BOOST_TEST(notes == 3u); // applied once
}

BOOST_AUTO_TEST_CASE(posts_call_logs_and_ad_conversations_page_to_the_end) {
    world w;
    auto posts = w.call<post_list>([&](auto h) {
        w.api.async_list_posts(shop, post_query{0, all_time, 1, 30, {}}, h);
    });
    BOOST_TEST_REQUIRE(!*posts.ec);
    BOOST_TEST(posts.value.total == 3);
    BOOST_TEST_REQUIRE(posts.value.posts.size() == 3u);
    BOOST_TEST(posts.value.posts[0].id.value() == "100000000000001_300000000000001"); // newest first
    auto videos = w.call<post_list>([&](auto h) {
        w.api.async_list_posts(shop, post_query{0, all_time, 1, 30, post_type::video}, h);
    });
    BOOST_TEST(videos.value.posts.size() == 1u);

    std::vector<call_log> calls;
    auto pages = w.call<std::size_t>([&](auto h) {
        async_for_each_page(
            w.api, endpoints::list_call_logs{shop, {"sip_hoamai_01", 1, 2, {}, {}}},
            [&](const call_log_list& l) { calls.insert(calls.end(), l.data.begin(), l.data.end()); }, h);
    });
    BOOST_TEST(!*pages.ec);
    BOOST_TEST(calls.size() == 5u);
    BOOST_TEST(pages.value == 3u);
    diagnostics d;
    auto unknown = w.call<call_log_list>([&](auto h) {
        w.api.async_list_call_logs(shop, call_log_query{"sip_nope", 1, 30, {}, {}}, d, h);
    });
    BOOST_TEST((*unknown.ec == errc::api_error));

    auto ads = w.call<ad_conversation_list>([&](auto h) {
        w.api.async_export_ad_conversations(senvang, ad_conversation_query{0, all_time, 0}, h);
    });
    BOOST_TEST_REQUIRE(!*ads.ec);
    BOOST_TEST(ads.value.data.size() == 3u);
    BOOST_TEST(ads.value.data[0].id.value() == "100000000000002_520000000000001"); // oldest first
}

BOOST_AUTO_TEST_CASE(a_bad_token_is_a_typed_error_on_every_new_page_call) {
    world w;
    w.api.add_page(shop, "pat_wrong");
    auto customers = w.call<customer_page>([&](auto h) {
        w.api.async_list_customers(shop, customer_query{0, all_time, 1, 10, false}, h);
    });
    BOOST_TEST((*customers.ec == errc::invalid_token));
    auto posts = w.call<post_list>([&](auto h) {
        w.api.async_list_posts(shop, post_query{0, all_time, 1, 30, {}}, h);
    });
    BOOST_TEST((*posts.ec == errc::invalid_token));
    auto note = w.call<note_result>([&](auto h) { w.api.async_add_customer_note(shop, huong, "x", h); });
    BOOST_TEST((*note.ec == errc::invalid_token));
    BOOST_TEST(w.count("notes.add") == 1u); // refused by the server, not sent twice
}

BOOST_AUTO_TEST_CASE(statistics_count_the_work_the_client_just_did) {
    world w;
    using namespace std::chrono;
    const auto now = w.vclock.system_now();
    const std::int64_t since = duration_cast<seconds>(now.time_since_epoch()).count() - 86400;
    const std::int64_t until = since + 2 * 86400;
    const conversation_id conv{"100000000000001_200000000000001"};
    const user_id an{"c4bafd84-7b96-4f28-b59a-031f17c32ddf"};

    auto tagged = [&] {
        auto st = w.call<tag_statistics>([&](auto h) { w.api.async_tag_statistics(shop, since, until, h); });
        BOOST_TEST_REQUIRE(!*st.ec);
        std::int64_t n = 0;
        for (auto c : st.value.data.series["Khiếu nại"])
            n += c;
        return n;
    };
    // The page's local day (UTC+07:00) around now: statistics/users takes a local range.
    const auto local_now = local_seconds(duration_cast<seconds>(now.time_since_epoch()) + minutes(420));
    const local_range today{floor<days>(local_now) - days(1), floor<days>(local_now) + days(2) - seconds(1)};
    auto sent_by_an = [&] {
        auto st = w.call<user_statistics>([&](auto h) { w.api.async_user_statistics(shop, today, h); });
        BOOST_TEST_REQUIRE(!*st.ec);
        auto it = st.value.data.users.find(an.value());
        return it == st.value.data.users.end() ? std::int64_t(0) : it->second.inbox_count;
    };
    const auto tags_before = tagged();
    const auto sends_before = sent_by_an();

    auto add = w.call<tag_update_result>([&](auto h) { w.api.async_add_tag(shop, conv, tag_id(2), h); });
    BOOST_TEST_REQUIRE(!*add.ec);
    auto m = send_message_request::inbox_reply("Dạ em kiểm tra đơn cho chị ngay ạ");
    m.sender_id = an.value();
    auto sent = w.call<send_message_result>([&](auto h) { w.api.async_send_message(shop, conv, m, h); });
    BOOST_TEST_REQUIRE(!*sent.ec);

    BOOST_TEST(tagged() == tags_before + 1);
    BOOST_TEST(sent_by_an() == sends_before + 1);

    auto pages = w.call<page_statistics>([&](auto h) { w.api.async_page_statistics(shop, since, until, h); });
    BOOST_TEST_REQUIRE(!*pages.ec);
    std::int64_t page_inbox = 0;
    for (auto& b : pages.value.data)
        page_inbox += b.page_inbox_count;
    BOOST_TEST(page_inbox >= 1);

    // The server's own refusals: a range over its limit, and an unknown staff filter.
    diagnostics d;
    auto too_long = w.call<tag_statistics>([&](auto h) { w.api.async_tag_statistics(shop, 0, until, d, h); });
    BOOST_TEST((*too_long.ec == errc::api_error));
    auto unknown = w.call<engagement_statistics>([&](auto h) {
        w.api.async_engagement_statistics(shop, engagement_query{today, false, {user_id("nobody")}}, d, h);
    });
    BOOST_TEST((*unknown.ec == errc::api_error));
}

BOOST_AUTO_TEST_CASE(ads_statistics_come_from_the_pages_ad_data) {
    world w;
    // 28/12/2025 – 2/1/2026 (UTC+07:00): the fixture's ad days.
    const std::int64_t since = 1766854800 - 7 * 3600, until = 1767373199;
    auto by_id = w.call<std::vector<ad_statistics>>(
        [&](auto h) { w.api.async_ad_statistics(shop, since, until, ads_grouping::by_id, h); });
    BOOST_TEST_REQUIRE(!*by_id.ec, by_id.ec->message());
    BOOST_TEST(by_id.value.size() == 3u);
    auto by_time = w.call<std::vector<ad_statistics>>(
        [&](auto h) { w.api.async_ad_statistics(shop, since, until, ads_grouping::by_time, h); });
    BOOST_TEST(by_time.value.size() > by_id.value.size());
    auto campaigns = w.call<std::vector<campaign_statistics>>(
        [&](auto h) { w.api.async_campaign_statistics(shop, since, until, h); });
    BOOST_TEST(campaigns.value.size() == 3u);
    auto none = w.call<std::vector<ad_statistics>>(
        [&](auto h) { w.api.async_ad_statistics(shop, 0, 86400, ads_grouping::by_id, h); });
    BOOST_TEST(!*none.ec);
    BOOST_TEST(none.value.empty());
}

BOOST_AUTO_TEST_CASE(a_chat_plugin_visitor_opens_a_conversation_the_page_sees) {
    world w;
    const std::string plugin = "web_100000000000001";
    chat_plugin_send m;
    m.from_id = "web_khach_01";
    m.dummy_id = 1001;
    m.inserted_at = 1765875902892;
    m.name = "Khách web";
    m.message = "Shop ơi váy hoa còn size S không ạ?";
    auto first = w.call<chat_plugin_send_result>([&](auto h) { w.api.async_send_chat_plugin_message(plugin, m, h); });
    BOOST_TEST_REQUIRE(!*first.ec);
    BOOST_TEST(first.value.dummy_id == 1001);
    const auto conv = first.value.conversation_id;
    BOOST_TEST(conv.value() == plugin + "_web_khach_01");

    m.conversation = conv;
    m.dummy_id = 1002;
    m.message = "Giá bao nhiêu vậy shop?";
    auto second = w.call<chat_plugin_send_result>([&](auto h) { w.api.async_send_chat_plugin_message(plugin, m, h); });
    BOOST_TEST_REQUIRE(!*second.ec);
    BOOST_TEST(second.value.conversation_id == conv);

    std::vector<chat_plugin_message> all;
    auto pages = w.call<std::size_t>([&](auto h) {
        async_for_each_page(
            w.api, endpoints::list_chat_plugin_messages{plugin, conv, 0},
            [&](const chat_plugin_messages& p) { all.insert(all.end(), p.messages.begin(), p.messages.end()); }, h);
    });
    BOOST_TEST_REQUIRE(!*pages.ec);
    BOOST_TEST_REQUIRE(all.size() == 2u);
    BOOST_TEST(all[0].original_message == "Shop ơi váy hoa còn size S không ạ?"); // oldest first

    // The page sees it in the v2 listing, with the page token.
    auto list =
        w.call<conversation_list>([&](auto h) { w.api.async_list_conversations(shop, conversation_query{}, h); });
    BOOST_TEST_REQUIRE(!*list.ec);
    bool listed = false;
    for (auto& c : list.value.conversations)
        listed = listed || c.id == conv;
    BOOST_TEST(listed);

    // A visitor's message needs a sender; an unknown plugin page is the server's 404.
    diagnostics d;
    auto nobody =
        w.call<chat_plugin_messages>([&](auto h) { w.api.async_list_chat_plugin_messages("web_999", conv, 0, d, h); });
    BOOST_TEST((*nobody.ec == errc::not_found));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace resources_test

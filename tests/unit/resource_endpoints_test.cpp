// The descriptors of customers, notes, statistics, content, uploads, the chat plugin and page
// tokens: their URL, body and refusals, the multipart body, and local date ranges. Pure.
#include <pancake/endpoints.hpp>
#include <pancake/paging.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace resource_endpoints_test {

using namespace pancake;
namespace ep = pancake::endpoints;
using boost::beast::http::verb;

namespace {

const page_id shop{"100000000000001"};
const customer_id cust{"a1b2c3d4-0000-4000-8000-000000000001"};
const std::string token = "pat_secret";
const std::string base = "/api/public_api/v1/pages/100000000000001/";

struct fixture {
    http::origin origin = *http::origin::parse("http://127.0.0.1:8080");
    ep::context ctx{&origin, token, "facebook"};
};

boost::json::value body_of(const detail::request& r) { return boost::json::parse(r.body); }

std::string refusal(const detail::request& r) { return r.invalid ? r.invalid->message : std::string(); }

} // namespace

BOOST_AUTO_TEST_SUITE(resource_endpoints)

BOOST_FIXTURE_TEST_CASE(customers_listing_sends_every_paging_parameter_and_checks_the_limits, fixture) {
    customer_query q{1700000000, 1700086400, 2, 50, true};
    auto r = ep::list_customers{shop, q}.to_request(ctx);
    BOOST_TEST(!r.invalid);
    BOOST_TEST((r.method == verb::get));
    BOOST_TEST(r.target == base + "page_customers?page_access_token=pat_secret&since=1700000000&until=1700086400"
                                  "&page_number=2&page_size=50&order_by=updated_at");
    q.page_number = 0;
    BOOST_TEST((refusal(ep::list_customers{shop, q}.to_request(ctx)) == "page_number must be at least 1"));
    q.page_number = 1;
    q.page_size = 101;
    BOOST_TEST((refusal(ep::list_customers{shop, q}.to_request(ctx)) == "page_size must be between 1 and 100"));
    q.page_size = 100;
    q.since = q.until + 1;
    BOOST_TEST((refusal(ep::list_customers{shop, q}.to_request(ctx)) == "since is after until"));
}

BOOST_FIXTURE_TEST_CASE(customer_changes_send_only_the_given_fields, fixture) {
    customer_changes ch;
    ch.gender = gender::female;
    ch.birthday = std::chrono::year(1995) / 3 / 7;
    auto r = ep::update_customer{shop, cust, ch}.to_request(ctx);
    BOOST_TEST(!r.invalid);
    BOOST_TEST((r.method == verb::put));
    BOOST_TEST(r.target == base + "page_customers/" + cust.value() + "?page_access_token=pat_secret");
    BOOST_TEST((body_of(r) == boost::json::parse(R"({"changes":{"gender":"female","birthday":"1995-03-07"}})")));
    BOOST_TEST((r.kind == idempotency::safe));

    ch = {};
    ch.name = "Nguyễn Thị Hoa";
    ch.phone_numbers = std::vector<std::string>{"0901234567"};
    BOOST_TEST((body_of(ep::update_customer{shop, cust, ch}.to_request(ctx)) ==
                boost::json::parse(R"({"changes":{"name":"Nguyễn Thị Hoa","phone_numbers":["0901234567"]}})")));

    BOOST_TEST((refusal(ep::update_customer{shop, cust, {}}.to_request(ctx)) == "no change given"));
    BOOST_TEST((refusal(ep::update_customer{shop, customer_id(""), ch}.to_request(ctx)) == "empty customer id"));
    ch.birthday = std::chrono::year(2023) / 2 / 30;
    BOOST_TEST((refusal(ep::update_customer{shop, cust, ch}.to_request(ctx)) == "birthday is not a valid date"));
}

BOOST_FIXTURE_TEST_CASE(notes_add_edit_and_delete_with_their_bodies_and_retry_kinds, fixture) {
    auto add = ep::add_customer_note{shop, cust, "Khách thích gọi buổi chiều"}.to_request(ctx);
    BOOST_TEST((add.method == verb::post));
    BOOST_TEST(add.target == base + "page_customers/" + cust.value() + "/notes?page_access_token=pat_secret");
    BOOST_TEST((body_of(add) == boost::json::parse(R"({"message":"Khách thích gọi buổi chiều"})")));
    BOOST_TEST((add.kind == idempotency::at_most_once)); // a repeat would add a second note

    auto edit = ep::update_customer_note{shop, cust, "n1", "mới"}.to_request(ctx);
    BOOST_TEST((edit.method == verb::put));
    BOOST_TEST((body_of(edit) == boost::json::parse(R"({"note_id":"n1","message":"mới"})")));
    BOOST_TEST((edit.kind == idempotency::safe));

    auto del = ep::delete_customer_note{shop, cust, "n1"}.to_request(ctx);
    BOOST_TEST((del.method == verb::delete_));
    BOOST_TEST((body_of(del) == boost::json::parse(R"({"note_id":"n1"})")));

    BOOST_TEST((refusal(ep::add_customer_note{shop, cust, ""}.to_request(ctx)) == "empty note"));
    BOOST_TEST((refusal(ep::update_customer_note{shop, cust, "", "x"}.to_request(ctx)) == "empty note id"));
    BOOST_TEST((refusal(ep::delete_customer_note{shop, customer_id(""), "n1"}.to_request(ctx)) == "empty customer id"));
}

BOOST_FIXTURE_TEST_CASE(statistics_take_utc_seconds_or_a_local_date_range, fixture) {
    auto tags = ep::get_tag_statistics{shop, 1627344000, 1629935999}.to_request(ctx);
    BOOST_TEST(tags.target == base + "statistics/tags?page_access_token=pat_secret&since=1627344000&until=1629935999");
    auto ads = ep::get_ad_statistics{shop, 1, 2, ads_grouping::by_time}.to_request(ctx);
    BOOST_TEST(ads.target.ends_with("statistics/ads?page_access_token=pat_secret&since=1&until=2&type=by_time"));
    BOOST_TEST((ep::get_campaign_statistics{shop, 1, 2}.to_request(ctx).target.find("statistics/pages_campaigns?") !=
                std::string::npos));
    BOOST_TEST(
        (ep::get_page_statistics{shop, 1, 2}.to_request(ctx).target.find("statistics/pages?") != std::string::npos));
    BOOST_TEST((refusal(ep::get_page_statistics{shop, 3, 2}.to_request(ctx)) == "since is after until"));

    using namespace std::chrono;
    const auto range = local_range::whole_days(year(2021) / 7 / 27, year(2021) / 8 / 26);
    BOOST_TEST(range.to_string() == "27/07/2021 00:00:00 - 26/08/2021 23:59:59");
    auto users = ep::get_user_statistics{shop, range}.to_request(ctx);
    // Boost.URL encodes the spaces and slashes of the query value.
    BOOST_TEST(users.target == base + "statistics/users?page_access_token=pat_secret"
                                      "&date_range=27/07/2021%2000:00:00%20-%2026/08/2021%2023:59:59");
    engagement_query eq{range, true, {user_id("u1"), user_id("u2")}};
    auto eng = ep::get_engagement_statistics{shop, eq}.to_request(ctx);
    BOOST_TEST(eng.target.ends_with("&by_hour=true&user_ids=u1,u2"));
    eq.range = {range.to, range.from};
    BOOST_TEST(
        (refusal(ep::get_engagement_statistics{shop, eq}.to_request(ctx)) == "the date range ends before it starts"));
}

BOOST_FIXTURE_TEST_CASE(content_listings_check_their_own_page_sizes, fixture) {
    post_query pq{10, 20, 1, 30, post_type::livestream};
    auto posts = ep::list_posts{shop, pq}.to_request(ctx);
    BOOST_TEST(posts.target ==
               base +
                   "posts?page_access_token=pat_secret&since=10&until=20&page_number=1&page_size=30&type=livestream");
    pq.page_size = 31;
    BOOST_TEST((refusal(ep::list_posts{shop, pq}.to_request(ctx)) == "page_size must be between 1 and 30"));

    call_log_query cq{"sip-1", 3, 30, 100, std::nullopt};
    auto logs = ep::list_call_logs{shop, cq}.to_request(ctx);
    BOOST_TEST(logs.target ==
               base + "sip_call_logs?page_access_token=pat_secret&id=sip-1&page_number=3&page_size=30&since=100");
    cq.package_id.clear();
    BOOST_TEST((refusal(ep::list_call_logs{shop, cq}.to_request(ctx)) == "empty SIP package id"));

    auto ex = ep::export_ad_conversations{shop, {10, 20, 120}}.to_request(ctx);
    BOOST_TEST(ex.target == base + "export_data?page_access_token=pat_secret&action=conversations_from_ads&since=10"
                                   "&until=20&offset=120");
    BOOST_TEST((refusal(ep::export_ad_conversations{shop, {10, 20, -1}}.to_request(ctx)) == "negative offset"));
}

BOOST_FIXTURE_TEST_CASE(an_upload_is_one_multipart_file_part_never_blindly_resent, fixture) {
    auto r = ep::upload_content{shop, ep::upload_source::bytes("áo \"đỏ\".png", "\x89PNG-bytes")}.to_request(ctx);
    BOOST_TEST(!r.invalid);
    BOOST_TEST((r.method == verb::post));
    BOOST_TEST(r.target == base + "upload_contents?page_access_token=pat_secret");
    BOOST_TEST((r.kind == idempotency::at_most_once));
    BOOST_TEST_REQUIRE(r.content_type.starts_with("multipart/form-data; boundary="));
    const auto boundary = r.content_type.substr(r.content_type.find('=') + 1);
    BOOST_TEST(boundary.size() == 32u);
    const std::string expected = "--" + boundary +
                                 "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"áo \\\"đỏ\\\".png\"\r\n"
                                 "Content-Type: image/png\r\n\r\n\x89PNG-bytes\r\n--" +
                                 boundary + "--\r\n";
    BOOST_TEST(r.body == expected);
    // Same bytes, same body: deterministic runs journal the same request.
    BOOST_TEST(
        (ep::upload_content{shop, ep::upload_source::bytes("áo \"đỏ\".png", "\x89PNG-bytes")}.to_request(ctx).body ==
         r.body));

    BOOST_TEST((refusal(ep::upload_content{shop, ep::upload_source::bytes("", "x")}.to_request(ctx))
                    .starts_with("cannot build the upload")));
    BOOST_TEST((refusal(ep::upload_content{shop, ep::upload_source::bytes("a\r\nb.png", "x")}.to_request(ctx))
                    .starts_with("cannot build the upload")));
    auto missing = ep::upload_content{shop, ep::upload_source::file("/nonexistent/x.jpg")}.to_request(ctx);
    BOOST_TEST_REQUIRE(missing.invalid.has_value());
    BOOST_TEST((missing.invalid->code == boost::system::errc::no_such_file_or_directory));
}

BOOST_FIXTURE_TEST_CASE(a_file_upload_reads_the_file_into_the_body_and_avoids_a_boundary_in_it, fixture) {
    const auto path = std::filesystem::temp_directory_path() / "pancake-upload-test.MP4";
    std::string data(100000, 'v');
    // Bytes that contain what the first boundary candidate would be: the builder must pick another.
    auto first = ep::upload_content{shop, ep::upload_source::bytes("x.mp4", data)}.to_request(ctx);
    const auto taken = first.content_type.substr(first.content_type.find('=') + 1);
    data.replace(500, taken.size(), taken);
    {
        std::ofstream f(path, std::ios::binary);
        f << data;
    }
    auto r = ep::upload_content{shop, ep::upload_source::file(path)}.to_request(ctx);
    std::filesystem::remove(path);
    BOOST_TEST_REQUIRE(!r.invalid);
    const auto boundary = r.content_type.substr(r.content_type.find('=') + 1);
    BOOST_TEST(data.find(boundary) == std::string::npos);
    BOOST_TEST(r.body.find("filename=\"pancake-upload-test.MP4\"\r\nContent-Type: video/mp4\r\n\r\n" + data + "\r\n--" +
                           boundary + "--\r\n") != std::string::npos);
    BOOST_TEST(r.body.starts_with("--" + boundary + "\r\n"));
}

BOOST_FIXTURE_TEST_CASE(chat_plugin_calls_carry_no_token_and_open_a_conversation_with_null, fixture) {
    chat_plugin_send m;
    m.from_id = "web_visitor1";
    m.dummy_id = 1765875902892;
    m.inserted_at = 1765875902892;
    m.message = "Shop còn áo size M không?";
    auto r = ep::send_chat_plugin_message{"web_1664524051101747", m}.to_request(ctx);
    BOOST_TEST(!r.invalid);
    BOOST_TEST(r.target == "/api/v1/pke_chat_plugin/messages?page_id=web_1664524051101747");
    BOOST_TEST(r.secret.empty());
    BOOST_TEST(r.page.value().empty()); // not limited as a page-token call
    BOOST_TEST((r.kind == idempotency::at_most_once));
    auto b = body_of(r).as_object();
    BOOST_TEST(b.at("conversation_id").is_null());
    BOOST_TEST(b.at("from_id") == "web_visitor1");
    BOOST_TEST(b.at("dummy_id").as_int64() == 1765875902892);

    auto get = ep::list_chat_plugin_messages{"web_1", conversation_id("web_1_web_visitor1"), 30}.to_request(ctx);
    BOOST_TEST(get.target == "/api/v1/pke_chat_plugin/messages?conversation_id=web_1_web_visitor1&page_id=web_1"
                             "&offset=30");
    m.from_id.clear();
    BOOST_TEST((refusal(ep::send_chat_plugin_message{"web_1", m}.to_request(ctx)) == "empty from_id"));
}

BOOST_FIXTURE_TEST_CASE(generating_a_page_token_uses_the_user_token_as_the_secret, fixture) {
    auto r = ep::generate_page_access_token{shop, "user_tok"}.to_request(ctx);
    BOOST_TEST((r.method == verb::post));
    BOOST_TEST(r.target == "/api/v1/pages/100000000000001/generate_page_access_token?page_id=100000000000001"
                           "&access_token=user_tok");
    BOOST_TEST(r.secret == "user_tok");
    BOOST_TEST(
        (refusal(ep::generate_page_access_token{shop, ""}.to_request(ctx)) == "empty page id or user access token"));
}

BOOST_AUTO_TEST_CASE(paging_stops_on_a_short_page_or_the_total) {
    ep::list_customers e{shop, {0, 1, 1, 2, false}};
    customer_page p;
    p.total = 5;
    p.customers.resize(2);
    BOOST_TEST(!paging<ep::list_customers>::last(e, p));
    paging<ep::list_customers>::advance(e, p);
    BOOST_TEST(e.query.page_number == 2);
    e.query.page_number = 3;
    BOOST_TEST(paging<ep::list_customers>::last(e, p)); // 3 × 2 ≥ 5
    p.customers.resize(1);
    e.query.page_number = 1;
    BOOST_TEST(paging<ep::list_customers>::last(e, p)); // short page

    ep::export_ad_conversations x{shop, {0, 1, 0}};
    ad_conversation_list l;
    l.data.resize(60);
    BOOST_TEST(!paging<ep::export_ad_conversations>::last(x, l));
    paging<ep::export_ad_conversations>::advance(x, l);
    BOOST_TEST(x.query.offset == 60);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace resource_endpoints_test

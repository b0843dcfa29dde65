// The simulator's statistics (computed from what happened on the page, bucketed in the page's
// time zone) and its web chat plugin, through the pure model: no sockets, explicit time.
#include <pancake/pancake.hpp>
#include <sim/server.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <numeric>
#include <sstream>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace statistics_test {

namespace json = boost::json;
using namespace pancake;
using namespace std::chrono_literals;

namespace {

const std::string P = "100000000000001";
const std::string T = "pat_hoamai_7f3c2a91e4b84d0c";
const std::string WEB = "web_100000000000001";
const std::string C1 = "100000000000001_200000000000001";
const std::string AN = "c4bafd84-7b96-4f28-b59a-031f17c32ddf";
const std::string BINH = "fb5ff8ed-434b-4d4b-a213-b595b242b81a";

// 2026-01-02T00:00:00Z, which is 07:00 on 2 January in the shop's time zone (UTC+07:00).
constexpr std::int64_t jan2_utc = 1'767'312'000;
// 00:00 local on 1 January and 23:59:59 local on 2 January, as UTC unix seconds.
constexpr std::int64_t jan1_local = jan2_utc - 86'400 - 7 * 3600;
constexpr std::int64_t jan2_local_end = jan2_utc + 17 * 3600 - 1;

sim::wall_time at(std::int64_t unix_s) { return sim::wall_time(std::chrono::seconds(unix_s)); }

struct model {
    sim::world w;
    sim::steady_time now{};
    sim::wall_time wall = at(jan2_utc);
    explicit model(const json::value& fixture = sim::sample_fixture()) : w(1, {}, {0, {}, false, false}) {
        std::string err;
        BOOST_REQUIRE_MESSAGE(w.load_fixture(fixture, err), err);
    }
    sim::handle_result call(std::string method, std::string target, std::string body = {}) {
        now += 1ms;
        return w.handle({std::move(method), std::move(target), std::move(body)}, now, wall);
    }
    std::string stats(const std::string& which, const std::string& query) {
        return "/api/public_api/v1/pages/" + P + "/statistics/" + which + "?page_access_token=" + T + query;
    }
    std::string since_until(std::int64_t s, std::int64_t u) {
        return "&since=" + std::to_string(s) + "&until=" + std::to_string(u);
    }
    json::value get(const std::string& which, const std::string& query) {
        auto r = call("GET", stats(which, query));
        BOOST_REQUIRE_MESSAGE(r.resp.status == 200u, r.resp.body);
        return json::parse(r.resp.body);
    }
    sim::handle_result tag(const std::string& conv, int tag_id, const std::string& action = "add") {
        return call("POST", "/api/public_api/v1/pages/" + P + "/conversations/" + conv + "/tags?page_access_token=" + T,
                    R"({"action":")" + action + R"(","tag_id":")" + std::to_string(tag_id) + "\"}");
    }
    sim::handle_result reply(const std::string& conv, const std::string& user, const std::string& text = "Dạ có ạ") {
        return call("POST",
                    "/api/public_api/v1/pages/" + P + "/conversations/" + conv + "/messages?page_access_token=" + T,
                    json::serialize(json::object{{"action", "reply_inbox"}, {"message", text}, {"sender_id", user}}));
    }
    void customer(const std::string& psid, const std::string& text) {
        sim::customer_message m;
        m.psid = psid;
        m.name = "Khách " + psid;
        m.text = text;
        BOOST_REQUIRE(m.psid.size() > 0);
        BOOST_REQUIRE(w.inject(P, m, wall).resp.status == 200u);
    }
    sim::handle_result plugin(const std::string& method, const std::string& query, const std::string& body = {}) {
        return call(method, "/api/v1/pke_chat_plugin/messages?" + query, body);
    }
    sim::handle_result plugin_send(const std::string& from, const std::string& text,
                                   const std::string& conversation = "null") {
        return plugin("POST", "page_id=" + WEB,
                      R"({"from_id":")" + from + R"(","dummy_id":1765875902892,"inserted_at":1765875902892,)" +
                          R"("message":")" + text + R"(","name":"Web_1619912441","conversation_id":)" + conversation +
                          R"(,"replied_message_id":null,"attachments":[],"extra_info":{}})");
    }
};

json::value body(const sim::handle_result& r) { return json::parse(r.resp.body); }

std::vector<std::int64_t> ints(const json::value& v) {
    std::vector<std::int64_t> out;
    for (auto& x : v.as_array())
        out.push_back(x.as_int64());
    return out;
}

using counts = std::vector<std::int64_t>;

// The entry of statistics/pages for one hour ("2026-01-02T03:00:00"), or null.
json::value hour_entry(const json::value& stats, const std::string& hour) {
    for (auto& e : stats.at("data").as_array())
        if (e.at("hour") == hour.c_str()) return e;
    return nullptr;
}

// A series of customer_engagements by name.
counts series(const json::value& stats, const std::string& name) {
    for (auto& s : stats.at("data").at("series").as_array())
        if (s.at("name") == name.c_str()) return ints(s.at("data"));
    return {};
}

// Where `v` breaks the OpenAPI schema `s` (type, nullable, properties, items,
// additionalProperties; the spec's inline schemas need no more), or "" when it fits.
std::string schema_problem(const json::value& v, const json::value& s, const std::string& at = "$") {
    const auto& so = s.as_object();
    if (v.is_null()) return so.contains("nullable") && so.at("nullable") == true ? "" : at + ": null";
    const auto* type = so.if_contains("type");
    if (type) {
        const auto t = std::string(type->as_string());
        const bool ok = (t == "object" && v.is_object()) || (t == "array" && v.is_array()) ||
                        (t == "string" && v.is_string()) || (t == "boolean" && v.is_bool()) ||
                        (t == "integer" && (v.is_int64() || v.is_uint64())) || (t == "number" && v.is_number());
        if (!ok) return at + ": not " + t + " but " + json::serialize(v);
    }
    if (v.is_object()) {
        const auto* props = so.if_contains("properties");
        const auto* extra = so.if_contains("additionalProperties");
        for (auto& [k, x] : v.as_object()) {
            std::string sub = at + "." + std::string(k);
            std::string why;
            if (props && props->as_object().contains(k))
                why = schema_problem(x, props->as_object().at(k), sub);
            else if (extra && extra->is_object())
                why = schema_problem(x, *extra, sub);
            if (!why.empty()) return why;
        }
    }
    if (v.is_array())
        if (const auto* items = so.if_contains("items"))
            for (std::size_t i = 0; i < v.as_array().size(); ++i)
                if (auto why = schema_problem(v.as_array()[i], *items, at + "[" + std::to_string(i) + "]");
                    !why.empty())
                    return why;
    return "";
}

const json::value& spec() {
    static const json::value doc = [] {
        std::ifstream in(PANCAKE_TEST_DATA "/openapi-pancake-2026-03.json", std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return json::parse(ss.str());
    }();
    return doc;
}

const json::value& response_schema(const std::string& path, const std::string& method) {
    return spec()
        .at("paths")
        .at(path)
        .at(method)
        .at("responses")
        .at("200")
        .at("content")
        .at("application/json")
        .at("schema");
}

} // namespace

BOOST_AUTO_TEST_SUITE(sim_statistics)

BOOST_AUTO_TEST_CASE(answers_fit_the_spec_schemas) {
    model m;
    // Activity of every kind first, so no list is empty.
    m.wall = at(jan2_utc + 3600);
    m.customer("33001", "0912345678");
    m.tag(P + "_33001", 1);
    m.reply(P + "_33001", AN);
    m.plugin_send("web_schema", "hi");
    const auto q = m.since_until(jan1_local - 5 * 86'400, jan2_local_end);
    const std::string range = "&date_range=01/01/2026 00:00:00 - 02/01/2026 23:59:59";
    const std::pair<std::string, std::string> cases[] = {
        {"pages", q},
        {"tags", q},
        {"users", range},
        {"customer_engagements", range},
        {"customer_engagements", range + "&by_hour=true"},
        {"pages_campaigns", q},
        {"ads", q + "&type=by_id"},
        {"ads", q + "&type=by_time"},
    };
    for (auto& [which, query] : cases) {
        auto answer = m.get(which, query);
        BOOST_TEST((answer.is_array() ? !answer.as_array().empty() : answer.at("success") == true), which);
        BOOST_TEST(schema_problem(answer, response_schema("/pages/{page_id}/statistics/" + which, "get")) == "",
                   which + query);
    }
    auto users = m.get("users", range);
    BOOST_TEST(!users.at("data").at("users").as_object().empty());
    auto sent = m.plugin_send("web_schema", "again");
    BOOST_TEST(schema_problem(body(sent), response_schema("/pke_chat_plugin/messages", "post")) == "");
    m.reply(WEB + "_web_schema", AN);
    auto listed = m.plugin("GET", "page_id=" + WEB + "&conversation_id=" + WEB + "_web_schema");
    BOOST_TEST(body(listed).at("messages").as_array().size() == 3u);
    BOOST_TEST(schema_problem(body(listed), response_schema("/pke_chat_plugin/messages", "get")) == "");
    // The checker does catch a wrong type.
    BOOST_TEST(schema_problem(json::parse(R"({"tags":[{"id":1}]})"),
                              response_schema("/pages/{page_id}/statistics/tags", "get")) != "");
}

BOOST_AUTO_TEST_CASE(tags_applied_count_in_their_local_day) {
    model m;
    auto q = m.since_until(jan1_local, jan2_local_end);
    auto before = m.get("tags", q);
    BOOST_TEST(before.at("data").at("categories") == json::parse(R"(["1/1","2/1"])"));
    BOOST_TEST((ints(before.at("data").at("series").at("Đặt hàng")) == counts{0, 0}));
    BOOST_TEST(before.at("data_today").at("categories") == json::parse(R"(["2/1"])"));
    // The tags of statistics/tags: string ids, a description (null).
    BOOST_TEST(before.at("tags").at(1) ==
               json::parse(R"({"id":"1","text":"Đặt hàng","color":"#2ecc71","lighten_color":"#a3e4be",
                               "description":null})"));
    BOOST_TEST(before.at("data").at("series").as_object().size() == 6u); // every tag of the page, zeros too

    BOOST_TEST(m.tag(C1, 1).resp.status == 200u);
    auto after = m.get("tags", q);
    BOOST_TEST((ints(after.at("data").at("series").at("Đặt hàng")) == counts{0, 1}));
    BOOST_TEST((ints(after.at("data_today").at("series").at("Đặt hàng")) == counts{1}));
    BOOST_TEST((ints(after.at("data").at("series").at("Khiếu nại")) == counts{0, 0}));
    // Removing is not applying; adding what is present (C1 has "Hỏi giá") changes nothing; adding
    // again after a removal applies again.
    m.tag(C1, 1, "remove");
    after = m.get("tags", q);
    BOOST_TEST((ints(after.at("data").at("series").at("Đặt hàng")) == counts{0, 1}));
    m.tag(C1, 3);
    m.tag(C1, 1);
    after = m.get("tags", q);
    BOOST_TEST((ints(after.at("data").at("series").at("Đặt hàng")) == counts{0, 2}));
    BOOST_TEST((ints(after.at("data").at("series").at("Hỏi giá")) == counts{0, 0}));
}

BOOST_AUTO_TEST_CASE(near_midnight_the_page_day_is_not_the_utc_day) {
    model m;
    // 16:30 UTC on 1 January is 23:30 local on 1 January; 17:30 UTC is 00:30 local on 2 January
    // (still 1 January in UTC).
    m.wall = at(jan2_utc - 7 * 3600 - 1800);
    m.tag(C1, 2);
    m.wall = at(jan2_utc - 7 * 3600 + 1800);
    m.tag(C1, 4);
    auto s = m.get("tags", m.since_until(jan1_local, jan2_local_end));
    BOOST_TEST((ints(s.at("data").at("series").at("Khiếu nại")) == counts{1, 0}));
    BOOST_TEST((ints(s.at("data").at("series").at("Spam")) == counts{0, 1}));
    // Today is 2 January locally: only the 00:30 tag.
    BOOST_TEST((ints(s.at("data_today").at("series").at("Spam")) == counts{1}));
    BOOST_TEST((ints(s.at("data_today").at("series").at("Khiếu nại")) == counts{0}));
    // The same page on UTC puts both on 1 January.
    auto fx = sim::sample_fixture();
    fx.at("pages").at(0).as_object()["utc_offset_minutes"] = 0;
    model utc(fx);
    utc.wall = m.wall - 1h;
    utc.tag(C1, 2);
    utc.wall = m.wall;
    utc.tag(C1, 4);
    s = utc.get("tags", utc.since_until(jan2_utc - 86'400, jan2_utc + 86'399));
    BOOST_TEST(s.at("data").at("categories") == json::parse(R"(["1/1","2/1"])"));
    BOOST_TEST((ints(s.at("data").at("series").at("Khiếu nại")) == counts{1, 0}));
    BOOST_TEST((ints(s.at("data").at("series").at("Spam")) == counts{1, 0}));
}

BOOST_AUTO_TEST_CASE(page_statistics_count_each_hour) {
    model m;
    auto q = m.since_until(jan1_local, jan2_local_end);
    // The fixture's own traffic: C1's customer wrote three times in the 00:00 UTC hour of 1 January.
    auto s = m.get("pages", q);
    BOOST_TEST(s.at("success") == true);
    BOOST_TEST(hour_entry(s, "2026-01-01T00:00:00") ==
               json::parse(R"({"hour":"2026-01-01T00:00:00","customer_comment_count":0,"customer_inbox_count":3,
                   "inbox_interactive_count":1,"new_customer_count":1,"new_inbox_count":1,"page_comment_count":0,
                   "page_inbox_count":0,"phone_number_count":0,"uniq_phone_number_count":0,
                   "today_uniq_website_referral":0,"today_website_guest_referral":0})"));
    BOOST_TEST(hour_entry(s, "2026-01-02T03:00:00").is_null());

    m.wall = at(jan2_utc + 3 * 3600 + 600); // 03:10 UTC
    m.customer("200000000000001", "Số mình là 0912 345 678 nhé");
    m.customer("200000000000001", "Gọi 0912345678 hoặc +84 987 654 321");
    m.wall += 10min;
    BOOST_TEST(m.reply(C1, AN).resp.status == 200u);
    m.customer("88001", "Chào shop"); // a new customer, a new INBOX conversation
    s = m.get("pages", q);
    auto h = hour_entry(s, "2026-01-02T03:00:00");
    BOOST_REQUIRE(!h.is_null());
    BOOST_TEST(h.at("customer_inbox_count") == 3);
    BOOST_TEST(h.at("page_inbox_count") == 1);
    BOOST_TEST(h.at("inbox_interactive_count") == 2);
    BOOST_TEST(h.at("new_customer_count") == 1);
    BOOST_TEST(h.at("new_inbox_count") == 1);
    BOOST_TEST(h.at("phone_number_count") == 2);      // messages carrying a number
    BOOST_TEST(h.at("uniq_phone_number_count") == 1); // the first number of each message
    // Outside the range, nothing.
    auto none = m.get("pages", m.since_until(jan2_utc + 4 * 3600, jan2_utc + 5 * 3600));
    BOOST_TEST(none.at("data").as_array().empty());
}

BOOST_AUTO_TEST_CASE(user_statistics_count_sends_and_response_times) {
    model m;
    const std::string range = "&date_range=02%2F01%2F2026%2000%3A00%3A00%20-%2002%2F01%2F2026%2023%3A59%3A59";
    auto s = m.get("users", range);
    BOOST_TEST(s.at("data").at("users").as_object().empty());

    const std::string conv = P + "_77001";
    m.wall = at(jan2_utc + 3 * 3600); // 03:00 UTC
    m.customer("77001", "Shop ơi");
    m.wall += 30s;
    m.customer("77001", "Còn hàng không?"); // still waiting since 03:00:00
    m.wall = at(jan2_utc + 3 * 3600 + 120);
    m.reply(conv, AN); // answered after 120 s
    m.wall += 3min;
    m.reply(conv, BINH); // nothing was waiting: no response time
    m.wall = at(jan2_utc + 4 * 3600);
    m.customer("77001", "Ship về Đà Nẵng được không? 0905123456");
    m.wall += 10min;
    m.reply(conv, AN); // answered after 600 s
    m.reply(conv, ""); // sent as the page: no staff member to count

    s = m.get("users", range);
    auto& users = s.at("data").at("users");
    BOOST_TEST(users.as_object().size() == 2u);
    BOOST_TEST(users.at(AN).at("user_name") == "Nguyễn Văn An");
    BOOST_TEST(users.at(AN).at("user_fb_id") == "116256249766099");
    BOOST_TEST(users.at(AN).at("inbox_count") == 2);
    BOOST_TEST(users.at(AN).at("unique_inbox_count") == 1);
    BOOST_TEST(users.at(AN).at("comment_count") == 0);
    BOOST_TEST(users.at(AN).at("phone_number_count") == 1);
    BOOST_TEST(users.at(AN).at("average_response_time") == (120'000 + 600'000) / 2);
    BOOST_TEST(users.at(AN).at("hour") == "2026-01-02T04:00:00");
    BOOST_TEST(users.at(BINH).at("average_response_time") == 0);
    auto& per_hour = s.at("data").at("statistics").at(AN).as_array();
    BOOST_REQUIRE(per_hour.size() == 2u);
    BOOST_TEST(per_hour[0].at("hour") == "2026-01-02T03:00:00");
    BOOST_TEST(per_hour[0].at("average_response_time") == 120'000);
    BOOST_TEST(per_hour[1].at("average_response_time") == 600'000);
    BOOST_TEST(per_hour[1].at("private_reply_count") == 0);
    // A range that ends before the sends: nothing. The date_range is local time: 09:59:59 local
    // is 02:59:59 UTC.
    auto early = m.get("users", "&date_range=02/01/2026+00:00:00+-+02/01/2026+09:59:59");
    BOOST_TEST(early.at("data").at("users").as_object().empty());
    auto later = m.get("users", "&date_range=02/01/2026 10:00:00 - 02/01/2026 10:59:59");
    BOOST_TEST(later.at("data").at("users").at(AN).at("inbox_count") == 1);
}

BOOST_AUTO_TEST_CASE(customer_engagements_count_distinct_customers_per_day) {
    model m;
    const std::string range = "&date_range=01/01/2026 00:00:00 - 02/01/2026 23:59:59";
    auto s = m.get("customer_engagements", range);
    BOOST_TEST(s.at("data").at("categories") == json::parse(R"(["1/1","2/1"])"));
    BOOST_TEST((series(s, "inbox") == counts{1, 0}));
    BOOST_TEST((series(s, "new_customer") == counts{1, 0}));

    m.wall = at(jan2_utc + 3600);
    m.customer("66001", "Chào shop"); // new, auto-assigned to An (round robin)
    m.customer("66001", "Có ai không?");
    m.customer("200000000000001", "Mình quay lại rồi");
    s = m.get("customer_engagements", range);
    BOOST_TEST((series(s, "inbox") == counts{1, 2}));
    BOOST_TEST((series(s, "comment") == counts{0, 0}));
    BOOST_TEST((series(s, "total") == counts{1, 2}));
    BOOST_TEST((series(s, "new_customer") == counts{1, 1}));
    BOOST_TEST((series(s, "new_customer_from_inbox") == counts{1, 1}));
    // Hourly (UTC) entries count each customer once per local day.
    std::int64_t hourly_total = 0;
    for (auto& e : s.at("statistics").as_array())
        hourly_total += e.at("total").as_int64();
    BOOST_TEST(hourly_total == 3);

    // user_ids: the conversations assigned to those staff members.
    auto an = m.get("customer_engagements", range + "&user_ids=" + AN);
    BOOST_TEST((series(an, "inbox") == counts{0, 1}));
    auto both = m.get("customer_engagements", range + "&user_ids=" + BINH + "," + AN);
    BOOST_TEST((series(both, "inbox") == counts{0, 1}));
    BOOST_TEST(m.call("GET", m.stats("customer_engagements", range + "&user_ids=nobody")).resp.status == 400u);

    // by_hour: the local hours of the range.
    auto h = m.get("customer_engagements", "&by_hour=true&date_range=02/01/2026 00:00:00 - 02/01/2026 23:59:59");
    BOOST_TEST(h.at("data").at("categories").as_array().size() == 24u);
    BOOST_TEST(h.at("data").at("categories").at(8) == "2/1 08:00");
    auto inbox = series(h, "inbox");
    BOOST_REQUIRE(inbox.size() == 24u);
    BOOST_TEST(inbox[8] == 2); // 01:00 UTC is 08:00 local
    BOOST_TEST(std::accumulate(inbox.begin(), inbox.end(), std::int64_t{0}) == 2);
}

BOOST_AUTO_TEST_CASE(bad_parameters_answer_errors) {
    model m;
    auto status = [&](const std::string& which, const std::string& q) { return m.call("GET", m.stats(which, q)); };
    auto message = [&](const sim::handle_result& r) { return std::string(body(r).at("message").as_string()); };
    auto r = status("users", "");
    BOOST_TEST(r.resp.status == 400u);
    BOOST_TEST(message(r) == "date_range is required");
    for (std::string bad : {"2026-01-01 - 2026-01-02", "01/01/2026 00:00:00-02/01/2026 23:59:59",
                            "31/02/2026 00:00:00 - 01/03/2026 00:00:00", "01/01/2026 24:00:00 - 02/01/2026 00:00:00",
                            "1/1/2026 00:00:00 - 02/01/2026 00:00:00"}) {
        r = status("customer_engagements", "&date_range=" + bad);
        BOOST_TEST(r.resp.status == 400u, bad);
        BOOST_TEST(message(r) == "date_range must be DD/MM/YYYY HH:MM:SS - DD/MM/YYYY HH:MM:SS", bad);
    }
    r = status("users", "&date_range=02/01/2026 00:00:00 - 01/01/2026 23:59:59");
    BOOST_TEST(message(r) == "date_range ends before it starts");
    r = status("customer_engagements", "&by_hour=maybe&date_range=01/01/2026 00:00:00 - 02/01/2026 23:59:59");
    BOOST_TEST(message(r) == "by_hour must be true or false");
    r = status("customer_engagements", "&by_hour=true&date_range=01/01/2026 00:00:00 - 01/03/2026 23:59:59");
    BOOST_TEST(message(r) == "the range must not exceed 31 days");
    BOOST_TEST(message(status("pages", "&until=5")) == "since is required");
    BOOST_TEST(message(status("tags", "&since=abc&until=5")) == "since must be unix seconds");
    BOOST_TEST(message(status("tags", "&since=10&until=5")) == "until must not be before since");
    BOOST_TEST(message(status("pages", m.since_until(0, 400 * 86'400))) == "the range must not exceed 366 days");
    BOOST_TEST(message(status("ads", m.since_until(jan1_local, jan2_local_end))) == "type is required");
    BOOST_TEST(message(status("ads", m.since_until(jan1_local, jan2_local_end) + "&type=by_week")) ==
               "type must be by_id or by_time");
    // errors_as_200: the same body with HTTP 200.
    m.w.behaviour_config().errors_as_200 = true;
    r = status("users", "&date_range=yesterday");
    BOOST_TEST(r.resp.status == 200u);
    BOOST_TEST(body(r).at("success") == false);
    // The page token and the rate limit apply as on every page route.
    auto no_token = m.call("GET", "/api/public_api/v1/pages/" + P + "/statistics/tags?since=1&until=2");
    BOOST_TEST(no_token.resp.body == R"({"success":false,"message":"Invalid access_token","error_code":102})");
    sim::world limited(1, {}, {1, {}, false, false});
    std::string err;
    BOOST_REQUIRE(limited.load_fixture(sim::sample_fixture(), err));
    sim::steady_time t{};
    BOOST_TEST(limited.handle({"GET", m.stats("tags", m.since_until(1, 2)), ""}, t, m.wall).resp.status == 200u);
    BOOST_TEST(limited.handle({"GET", m.stats("tags", m.since_until(1, 2)), ""}, t, m.wall).resp.status == 429u);
    for (auto which : {"pages", "tags", "users", "customer_engagements", "pages_campaigns", "ads"}) {
        auto [route, page] = sim::world::route_name({"GET", m.stats(which, ""), ""});
        BOOST_TEST(route == std::string("statistics.") + which);
        BOOST_TEST(page == P);
    }
}

BOOST_AUTO_TEST_CASE(ads_and_campaigns_filter_by_local_day) {
    model m;
    // 31 December local only (17:00 UTC on 30 Dec to 16:59:59 UTC on 31 Dec).
    const auto dec31 = m.since_until(jan1_local - 86'400, jan1_local - 1);
    auto campaigns = m.get("pages_campaigns", dec31);
    BOOST_REQUIRE(campaigns.is_array());
    BOOST_TEST(campaigns == json::parse(R"([{"account_id":"act_900000000000001","ad_id":"120200000000000101",
        "adset_id":"120200000000000201","budget_remaining":"125000","currency":"VND","daily_budget":"500000",
        "status":"ACTIVE"}])"));
    auto by_id = m.get("ads", dec31 + "&type=by_id");
    BOOST_REQUIRE(by_id.as_array().size() == 1u);
    BOOST_TEST(by_id.at(0).at("reach") == "3900");
    BOOST_TEST(by_id.at(0).at("impressions") == "5600");
    BOOST_TEST(by_id.at(0).at("spend") == "455000");
    BOOST_TEST(by_id.at(0).at("name") == "Váy hoa Tết 2026");
    // One second later (00:00 local on 1 January) is the next day.
    BOOST_TEST(m.get("pages_campaigns", m.since_until(jan1_local, jan1_local)).as_array().size() == 2u);
    // The whole fixture period: all three; by_id sums each ad's days.
    auto all = m.get("ads", m.since_until(jan1_local - 5 * 86'400, jan2_local_end) + "&type=by_id");
    BOOST_REQUIRE(all.as_array().size() == 3u);
    BOOST_TEST(all.at(0).at("reach") == "13200");
    BOOST_TEST(all.at(0).at("spend") == "1435000");
    BOOST_TEST(all.at(1).at("status") == "PAUSED");
    // by_time: a row per ad and local day, in day order.
    auto by_time = m.get("ads", m.since_until(jan1_local, jan2_local_end) + "&type=by_time");
    BOOST_REQUIRE(by_time.as_array().size() == 3u);
    BOOST_TEST(by_time.at(0).at("date_start") == "2026-01-01");
    BOOST_TEST(by_time.at(0).at("ad_id") == "120200000000000101");
    BOOST_TEST(by_time.at(1).at("ad_id") == "120200000000000103");
    BOOST_TEST(by_time.at(2).at("date_start") == "2026-01-02");
    BOOST_TEST(by_time.at(2).at("spend") == "175000");
    BOOST_TEST(m.get("ads", m.since_until(1, 2) + "&type=by_id").as_array().empty());
}

BOOST_AUTO_TEST_CASE(the_fixture_history_counts) {
    // A fixture conversation with a tag history and a staff reply: both count, at their own times.
    auto fx = sim::sample_fixture();
    auto& c2 = fx.at("pages").at(0).at("conversations").at(1).as_object();
    c2["tag_histories"] = json::parse(R"([{"inserted_at":"2025-12-31T09:05:00","conversation_id":"x",
        "payload":{"action":"add","editor_id":"e","editor_name":"E","tag":{"id":1,"text":"Đặt hàng"}}}])");
    c2["messages"] = json::parse(R"([
        {"id":"m_c2_1","type":"INBOX","original_message":"Mình muốn đặt 2 cái váy hoa, sđt 0987654321",
         "inserted_at":"2025-12-31T09:00:00","from":{"id":"200000000000002","name":"Đỗ Minh Tuấn"}},
        {"id":"m_c2_2","type":"INBOX","original_message":"Dạ vâng","inserted_at":"2025-12-31T09:10:00",
         "from":{"id":"100000000000001","name":"Shop","admin_id":"c4bafd84-7b96-4f28-b59a-031f17c32ddf"}}])");
    model m(fx);
    // 31 December local.
    auto tags = m.get("tags", m.since_until(jan1_local - 86'400, jan1_local - 1));
    BOOST_TEST((ints(tags.at("data").at("series").at("Đặt hàng")) == counts{1}));
    auto users = m.get("users", "&date_range=31/12/2025 00:00:00 - 31/12/2025 23:59:59");
    BOOST_TEST(users.at("data").at("users").at(AN).at("inbox_count") == 1);
    BOOST_TEST(users.at("data").at("users").at(AN).at("average_response_time") == 600'000);
    BOOST_TEST(users.at("data").at("users").at(AN).at("phone_number_count") == 1);
    auto pages = m.get("pages", m.since_until(jan1_local - 86'400, jan1_local - 1));
    BOOST_TEST(hour_entry(pages, "2025-12-31T09:00:00").at("uniq_phone_number_count") == 1);
    BOOST_TEST(hour_entry(pages, "2025-12-31T09:00:00").at("page_inbox_count") == 1);
    BOOST_TEST(hour_entry(pages, "2025-12-31T09:00:00").at("new_inbox_count") == 1);
}

BOOST_AUTO_TEST_CASE(fixture_fields_are_checked) {
    auto refused = [](auto edit) {
        auto fx = sim::sample_fixture();
        edit(fx.at("pages").at(0).as_object());
        sim::world w;
        std::string err;
        BOOST_TEST(!w.load_fixture(fx, err));
        return err;
    };
    BOOST_TEST(refused([](json::object& p) { p["utc_offset_minutes"] = 900; }).find("utc_offset_minutes") !=
               std::string::npos);
    BOOST_TEST(refused([](json::object& p) { p["utc_offset_minutes"] = "+07:00"; }).find("utc_offset_minutes") !=
               std::string::npos);
    BOOST_TEST(refused([](json::object& p) { p["chat_plugin_id"] = "100000000000001"; }).find("chat_plugin_id") !=
               std::string::npos);
    BOOST_TEST(refused([](json::object& p) {
                   p["ads"].as_array()[0].as_object().erase("ad_id");
               }).find("ad_id is required") != std::string::npos);
    BOOST_TEST(refused([](json::object& p) {
                   p["ads"].as_array()[0].at("daily").as_array()[0].as_object()["date"] = "31/12/2025";
               }).find("daily entry") != std::string::npos);
    BOOST_TEST(refused([](json::object& p) {
                   p["ads"].as_array()[1].as_object()["ad_id"] = "120200000000000101";
               }).find("two ads") != std::string::npos);
    // An activity record's time must fit the log's 56 bits; a tag record carries no phone.
    auto one_activity = [](std::int64_t at, bool phone_and_tag) {
        json::object a{{"kind", "tag_added"}, {"at", at}, {"conversation", "c"}, {"tag", 1}};
        if (phone_and_tag) a["phone"] = "0912345678";
        return json::array{a};
    };
    BOOST_TEST(refused([&](json::object& p) {
                   p["activity"] = one_activity(std::int64_t{1} << 60, false);
               }).find("at is out of range") != std::string::npos);
    BOOST_TEST(refused([&](json::object& p) {
                   p["activity"] = one_activity(-(std::int64_t{1} << 56), false);
               }).find("at is out of range") != std::string::npos);
    BOOST_TEST(refused([&](json::object& p) {
                   p["activity"] = one_activity(1'767'225'600'000, true);
               }).find("activity") != std::string::npos);
    {
        auto fx = sim::sample_fixture(); // the same record in range loads
        fx.at("pages").at(0).as_object()["activity"] = one_activity(1'767'225'600'000, false);
        sim::world w;
        std::string err;
        BOOST_TEST(w.load_fixture(fx, err), err);
    }
    // Two pages cannot share a chat plugin.
    auto fx = sim::sample_fixture();
    fx.at("pages").at(1).as_object()["chat_plugin_id"] = WEB;
    sim::world w;
    std::string err;
    BOOST_TEST(!w.load_fixture(fx, err));
    BOOST_TEST(err.find("is taken") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(snapshot_restore_and_reset_keep_the_right_activity) {
    model m;
    m.wall = at(jan2_utc + 3600);
    m.tag(C1, 5);
    m.customer("55001", "0912345678");
    m.reply(P + "_55001", BINH);
    BOOST_TEST(m.plugin_send("web_v1", "Xin chào").resp.status == 200u);
    const std::string range = "&date_range=02/01/2026 00:00:00 - 02/01/2026 23:59:59";
    const auto q = m.since_until(jan1_local, jan2_local_end);
    auto answers = [&](model& x) {
        return json::array{x.get("tags", q), x.get("pages", q), x.get("users", range),
                           x.get("customer_engagements", range), x.get("ads", q + "&type=by_time")};
    };
    const auto before = answers(m);
    BOOST_TEST(before.at(0).at("data").at("series").at("Khách VIP").at(1) == 1);

    model restored;
    std::string err;
    BOOST_REQUIRE_MESSAGE(restored.w.restore(m.w.snapshot(), err), err);
    restored.wall = m.wall;
    BOOST_TEST(answers(restored) == before);
    BOOST_TEST(restored.w.find_page(P)->chat_plugin_id == WEB);
    BOOST_TEST(restored.w.find_page(P)->activity_log.size() == m.w.find_page(P)->activity_log.size());
    // The chat plugin thread survives too.
    auto g = restored.plugin("GET", "page_id=" + WEB + "&conversation_id=" + WEB + "_web_v1");
    BOOST_TEST(body(g).at("messages").as_array().size() == 1u);

    // reset: the fixture's activity only; its ads stay.
    m.w.reset();
    auto after = answers(m);
    BOOST_TEST(after.at(0).at("data").at("series").at("Khách VIP").at(1) == 0);
    BOOST_TEST(after.at(2).at("data").at("users").as_object().empty());
    BOOST_TEST(after.at(4) == before.at(4));
    BOOST_TEST(m.w.find_page(P)->activity_log.size() == model().w.find_page(P)->activity_log.size());
}

BOOST_AUTO_TEST_CASE(same_requests_same_answers) {
    auto run = [] {
        model m;
        std::string all;
        m.wall = at(jan2_utc + 7200);
        m.customer("44001", "Chào");
        m.tag(P + "_44001", 0);
        m.reply(P + "_44001", AN);
        m.plugin_send("web_z", "hi");
        for (auto which : {"pages", "tags"})
            all += m.call("GET", m.stats(which, m.since_until(jan1_local, jan2_local_end))).resp.body;
        all += m.call("GET", m.stats("users", "&date_range=02/01/2026 00:00:00 - 02/01/2026 23:59:59")).resp.body;
        all += json::serialize(m.w.snapshot());
        return all;
    };
    BOOST_TEST(run() == run());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sim_chat_plugin)

BOOST_AUTO_TEST_CASE(a_visitor_message_opens_an_inbox_conversation_with_webhooks) {
    model m;
    auto r = m.plugin_send("web_abc123", "Chào shop, váy còn không?");
    BOOST_REQUIRE_MESSAGE(r.resp.status == 200u, r.resp.body);
    auto b = body(r);
    const std::string conv = WEB + "_web_abc123";
    BOOST_TEST(b.at("success") == true);
    BOOST_TEST(b.at("conversation_id") == conv.c_str());
    BOOST_TEST(b.at("from_id") == "web_abc123");
    BOOST_TEST(b.at("dummy_id") == 1765875902892);
    BOOST_TEST(!b.at("id").as_string().empty());
    BOOST_TEST(r.route == "chat_plugin.send");
    BOOST_TEST(r.page == P);
    // Webhooks as for any customer message: messaging, then the conversation update.
    BOOST_REQUIRE(r.events.size() == 2u);
    BOOST_TEST(r.events[0].body.at("event_type") == "messaging");
    BOOST_TEST(r.events[0].body.at("data").at("message").at("original_message") == "Chào shop, váy còn không?");
    BOOST_TEST(r.events[0].body.at("data").at("message").at("id") == b.at("id"));
    BOOST_TEST(r.events[1].body.at("event_type") == "conversation");
    // In the v2 listing, newest first, INBOX, auto-assigned by round robin.
    auto list =
        body(m.call("GET", "/api/public_api/v2/pages/" + P + "/conversations?page_access_token=" + T + "&type=INBOX"));
    auto& first = list.at("conversations").at(0);
    BOOST_TEST(first.at("id") == conv.c_str());
    BOOST_TEST(first.at("type") == "INBOX");
    BOOST_TEST(first.at("assignee_ids") == json::parse("[\"" + AN + "\"]"));
    BOOST_TEST(first.at("from").at("name") == "Web_1619912441");
    // The next message names the conversation and continues it.
    r = m.plugin_send("web_abc123", "Size M nhé", "\"" + conv + "\"");
    BOOST_TEST(body(r).at("conversation_id") == conv.c_str());
    BOOST_TEST(m.w.find_conversation(P, conv)->message_count == 2);
    BOOST_TEST(r.events.size() == 2u);
    // It counts as website traffic in statistics/pages.
    auto s = m.get("pages", m.since_until(jan2_utc, jan2_utc + 3599));
    BOOST_TEST(hour_entry(s, "2026-01-02T00:00:00").at("today_uniq_website_referral") == 1);
    BOOST_TEST(hour_entry(s, "2026-01-02T00:00:00").at("today_website_guest_referral") == 1);
    BOOST_TEST(hour_entry(s, "2026-01-02T00:00:00").at("customer_inbox_count") == 2);
}

BOOST_AUTO_TEST_CASE(history_pages_by_offset) {
    model m;
    const std::string conv = WEB + "_web_pager";
    for (int i = 0; i < 35; ++i) {
        m.wall += 1s;
        BOOST_REQUIRE(m.plugin_send("web_pager", "tin " + std::to_string(i)).resp.status == 200u);
    }
    auto page = [&](const std::string& offset) {
        auto r = m.plugin("GET", "conversation_id=" + conv + "&page_id=" + WEB + offset);
        BOOST_REQUIRE_MESSAGE(r.resp.status == 200u, r.resp.body);
        return body(r);
    };
    auto p0 = page("&offset=0");
    auto& ms = p0.at("messages").as_array();
    BOOST_REQUIRE(ms.size() == 30u);
    BOOST_TEST(ms.front().at("original_message") == "tin 5"); // the newest 30, oldest first
    BOOST_TEST(ms.back().at("original_message") == "tin 34");
    BOOST_TEST(ms.back().at("message") == "<div>tin 34</div>");
    BOOST_TEST(ms.back().at("page_id") == WEB.c_str());
    BOOST_TEST(ms.back().at("from") ==
               json::parse(R"({"id":"web_pager","name":"Web_1619912441","admin_id":null,"admin_name":null})"));
    BOOST_TEST(p0.at("can_request_feedback") == false);
    BOOST_TEST(page("").at("messages") == p0.at("messages"));
    auto p30 = page("&offset=30");
    BOOST_REQUIRE(p30.at("messages").as_array().size() == 5u);
    BOOST_TEST(p30.at("messages").at(0).at("original_message") == "tin 0");
    BOOST_TEST(page("&offset=40").at("messages").as_array().empty());
    // A staff reply shows as the plugin's, with the staff member.
    BOOST_TEST(m.reply(conv, AN, "Dạ shop đây ạ").resp.status == 200u);
    auto latest = page("&offset=0");
    BOOST_TEST(latest.at("messages").at(29).at("from").at("id") == WEB.c_str());
    BOOST_TEST(latest.at("messages").at(29).at("from").at("admin_id") == AN.c_str());
    BOOST_TEST(latest.at("can_request_feedback") == true);
}

BOOST_AUTO_TEST_CASE(attachments_and_the_page_id_form) {
    model m;
    auto r = m.plugin("POST", "page_id=" + P,
                      R"({"from_id":"web_img","dummy_id":1,"inserted_at":1765875902892,"attachments":[
                          {"id":"1231231312_acac","name":"anh.png","url":"https://cdn.example/anh.png",
                           "type":"photo","mime_type":"image/png","size":33254,"width":512,"height":512}]})");
    BOOST_REQUIRE_MESSAGE(r.resp.status == 200u, r.resp.body);
    BOOST_TEST(body(r).at("conversation_id") == (WEB + "_web_img").c_str());
    auto g = body(m.plugin("GET", "page_id=" + P + "&conversation_id=" + WEB + "_web_img"));
    auto& a = g.at("messages").at(0).at("attachments").at(0);
    BOOST_TEST(a == json::parse(R"({"type":"photo","title":"anh.png","image":{"url":"https://cdn.example/anh.png"}})"));
    BOOST_TEST(g.at("messages").at(0).at("original_message") == "");
    auto [route, page] = sim::world::route_name({"GET", "/api/v1/pke_chat_plugin/messages?page_id=x", ""});
    BOOST_TEST(route == "chat_plugin.list");
}

BOOST_AUTO_TEST_CASE(bad_requests_change_nothing) {
    model m;
    const auto conversations = m.w.find_page(P)->conversations.size();
    const auto log = m.w.find_page(P)->activity_log.size();
    auto send = [&](const std::string& page, const std::string& json) {
        return m.plugin("POST", "page_id=" + page, json);
    };
    auto message = [&](const sim::handle_result& r) { return std::string(body(r).at("message").as_string()); };
    auto r = send(WEB, R"({"dummy_id":1,"inserted_at":2,"message":"hi"})");
    BOOST_TEST(r.resp.status == 400u);
    BOOST_TEST(message(r) == "Missing required field: 'from_id'");
    BOOST_TEST(message(send(WEB, R"({"from_id":"web_a","inserted_at":2,"message":"hi"})")) ==
               "Missing required field: 'dummy_id'");
    BOOST_TEST(message(send(WEB, R"({"from_id":"web_a","dummy_id":1,"message":"hi"})")) ==
               "Missing required field: 'inserted_at'");
    BOOST_TEST(message(send(WEB, R"({"from_id":"web_a","dummy_id":"x","inserted_at":2,"message":"hi"})")) ==
               "Invalid field dummy_id");
    BOOST_TEST(message(send(WEB, R"({"from_id":"web_a","dummy_id":1,"inserted_at":2})")) ==
               "message or attachments is required");
    BOOST_TEST(message(send(WEB, R"({"from_id":"web_a","dummy_id":1,"inserted_at":2,"message":"hi",
                                     "attachments":[{"id":"1","url":"u"}]})"))
                   .starts_with("Invalid field attachments"));
    BOOST_TEST(message(send(WEB, "{not json")) == "Invalid JSON body");
    r = send("web_999", R"({"from_id":"web_a","dummy_id":1,"inserted_at":2,"message":"hi"})");
    BOOST_TEST(r.resp.status == 404u);
    BOOST_TEST(message(r) == "Page not found");
    // Page 2 has no chat plugin.
    BOOST_TEST(
        send("100000000000002", R"({"from_id":"web_a","dummy_id":1,"inserted_at":2,"message":"hi"})").resp.status ==
        404u);
    BOOST_TEST(m.plugin("POST", "", R"({"from_id":"web_a","dummy_id":1,"inserted_at":2,"message":"hi"})").resp.status ==
               400u);
    // Another visitor's thread, a Facebook thread, an unknown one.
    BOOST_REQUIRE(m.plugin_send("web_owner", "hi").resp.status == 200u);
    for (auto conv : {WEB + "_web_owner", C1, WEB + "_web_nobody"})
        BOOST_TEST(m.plugin_send("web_intruder", "hi", "\"" + conv + "\"").resp.status == 404u);
    BOOST_TEST(m.plugin("GET", "page_id=" + WEB + "&conversation_id=" + C1).resp.status == 404u);
    BOOST_TEST(m.plugin("GET", "page_id=" + WEB).resp.status == 400u);
    BOOST_TEST(m.plugin("GET", "page_id=" + WEB + "&conversation_id=" + WEB + "_web_owner&offset=-1").resp.status ==
               400u);
    BOOST_TEST(m.plugin_send("web_owner", "hi", "null").resp.status == 200u);
    r = m.plugin("POST", "page_id=" + WEB,
                 R"({"from_id":"web_owner","dummy_id":1,"inserted_at":2,"message":"hi","replied_message_id":"nope"})");
    BOOST_TEST(message(r) == "replied_message_id: message not found");
    // Only the two good sends changed anything: one conversation, four records (created + 2 messages).
    BOOST_TEST(m.w.find_page(P)->conversations.size() == conversations + 1);
    BOOST_TEST(m.w.find_page(P)->activity_log.size() == log + 3);
    // No token is needed, and the page's token rate limit does not apply.
    m.w.rate_limits().per_second = 1;
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(m.plugin_send("web_owner", "again").resp.status == 200u);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace statistics_test

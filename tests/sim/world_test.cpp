// The simulator's pure model, called directly: no sockets, no clock, explicit time.
#include <pancake/pancake.hpp>
#include <sim/handlers.hpp>
#include <sim/server.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace world_test {

namespace json = boost::json;
using namespace pancake;
using namespace std::chrono_literals;

namespace {

const std::string P = "100000000000001";
const std::string T = "pat_hoamai_7f3c2a91e4b84d0c";
const std::string C1 = "100000000000001_200000000000001";
const std::string AN = "c4bafd84-7b96-4f28-b59a-031f17c32ddf";
const std::string BINH = "fb5ff8ed-434b-4d4b-a213-b595b242b81a";

struct model {
    sim::world w;
    sim::steady_time now{};
    sim::wall_time wall = sim::wall_time(std::chrono::seconds(1'767'225'600)) + 24h; // 2026-01-02
    explicit model(sim::rate_limit_config rl = {0, {}, false, false}) : w(1, {}, rl) {
        std::string err;
        BOOST_REQUIRE_MESSAGE(w.load_fixture(sim::sample_fixture(), err), err);
    }
    sim::handle_result call(std::string method, std::string target, std::string body = {}) {
        now += 1ms;
        wall += 1ms;
        return w.handle({std::move(method), std::move(target), std::move(body)}, now, wall);
    }
    std::string v1(const std::string& tail, const std::string& token = T) {
        return "/api/public_api/v1/pages/" + P + "/" + tail + "?page_access_token=" + token;
    }
    std::string list(const std::string& query = {}) {
        return "/api/public_api/v2/pages/" + P + "/conversations?page_access_token=" + T + query;
    }
    json::value body(const sim::handle_result& r) { return json::parse(r.resp.body); }
    std::vector<std::string> ids(const sim::handle_result& r) {
        std::vector<std::string> out;
        const auto b = body(r); // (a temporary in the range-init would die before the loop)
        for (auto& c : b.at("conversations").as_array())
            out.emplace_back(c.at("id").as_string());
        return out;
    }
    void add_conversations(int n, std::int64_t base_unix) {
        for (int i = 0; i < n; ++i) {
            sim::customer_message m;
            m.psid = "9" + std::to_string(1000 + i);
            m.name = "Khách " + std::to_string(i);
            m.text = "xin chào";
            w.inject(P, m, sim::wall_time(std::chrono::seconds(base_unix + i * 60)));
        }
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(world)

BOOST_AUTO_TEST_CASE(tokens_are_bound_to_one_page) {
    model m;
    BOOST_TEST(m.call("GET", m.v1("tags")).resp.status == 200u);
    for (auto target : {m.v1("tags", "pat_senvang_5d1e8b7a3c6f4e21"), m.v1("tags", "nope"),
                        "/api/public_api/v1/pages/" + P + "/tags"}) {
        auto r = m.call("GET", target);
        BOOST_TEST(r.resp.body == R"({"success":false,"message":"Invalid access_token","error_code":102})");
    }
    // ?access_token= is not an alias unless switched on.
    auto alias = "/api/public_api/v1/pages/" + P + "/tags?access_token=" + T;
    BOOST_TEST(m.body(m.call("GET", alias)).at("success") == false);
    m.w.behaviour_config().accept_access_token_alias = true;
    BOOST_TEST(m.call("GET", alias).resp.status == 200u);
}

// GET tags reuses its last answer while the tags compare equal field for field.
BOOST_AUTO_TEST_CASE(tags_answer_follows_the_tags) {
    model m;
    const auto first = m.call("GET", m.v1("tags")).resp.body;
    BOOST_TEST(m.call("GET", m.v1("tags")).resp.body == first);
    auto fx = sim::sample_fixture();
    auto& tags = fx.at("pages").at(0).at("tags").as_array();
    tags.at(0).as_object()["lighten_color"] = "#abcdef";
    std::string err;
    BOOST_REQUIRE_MESSAGE(m.w.load_fixture(fx, err), err);
    const auto second = m.call("GET", m.v1("tags")).resp.body;
    BOOST_TEST(second != first);
    BOOST_TEST(second.find("#abcdef") != std::string::npos);
    // The comparison sees every field.
    tag a{tag_id(1), "Chốt đơn", "#f00", "#fcc"};
    auto b = a;
    BOOST_TEST(sim::same_fields(std::vector<tag>{a}, std::vector<tag>{b}));
    b.lighten_color = "#fcd";
    BOOST_TEST(!sim::same_fields(std::vector<tag>{a}, std::vector<tag>{b}));
    BOOST_TEST(!sim::same_fields(std::vector<tag>{a}, std::vector<tag>{a, a}));
}

BOOST_AUTO_TEST_CASE(unknown_routes_answer_html) {
    model m;
    for (std::string t : std::vector<std::string>{"/", "/api/public_api/v1/pages/" + P + "/conversations/" + C1,
                                                  "/api/public_api/v2/pages/" + P + "/tags"}) {
        auto r = m.call("GET", t + std::string("?page_access_token=") + T);
        BOOST_TEST(r.resp.content_type.starts_with("text/html"));
    }
}

// route_name (the server's, for every request: faults and the journal) slices plain targets
// itself; it must name each route as handle() does after its URL parse, escapes or not.
BOOST_AUTO_TEST_CASE(route_name_agrees_with_handle_on_plain_and_escaped_targets) {
    model m;
    const std::string v1 = "/api/public_api/v1/pages/", q = "?page_access_token=" + T;
    const std::vector<std::pair<std::string, std::string>> cases{
        {"GET", v1 + P + "/tags" + q},
        {"GET", v1 + "%31" + P.substr(1) + "/tags" + q}, // an escaped page id: the same page
        {"POST", v1 + P + "/conversations/" + C1 + "/tags" + q},
        {"POST", v1 + P + "/conversations/" + C1 + "/assign?page_access_token=" + T + "&x=[1]"},
        {"GET", v1 + P + "/statistics/users" + q},
        {"GET", v1 + P + "/statistics/nope" + q},
        {"GET", v1 + P + "/tags/" + q}, // a trailing slash is a seventh, empty segment
        {"GET", "/api/public_api/v2/pages/" + P + "/conversations" + q},
        {"POST", "/api/v1/pages/" + P + "/generate_page_access_token?access_token=x"},
        {"GET", "/api/v1/pages"},
        {"GET", "/api/v1/pke_chat_plugin/messages?page_id=x"},
        {"GET", "/"},
        {"GET", "//api"},
        {"GET", v1 + P + "/conversations/" + C1 + "/messages/a/b/c" + q}, // more than nine segments
        {"GET", v1 + P + "/conversations/" + C1 + "/messages" + q},
    };
    for (auto& [method, target] : cases) {
        auto [route, page] = sim::world::route_name({method, target, ""});
        auto r = m.call(method, target);
        BOOST_TEST_CONTEXT(method << " " << target) {
            BOOST_TEST(route == r.route);
            BOOST_TEST(page == r.page);
        }
    }
    BOOST_TEST(sim::world::route_name({"GET", v1 + P + "/tags" + q, ""}).first == "tags.list");
    BOOST_TEST(sim::world::route_name({"GET", v1 + "%31" + P.substr(1) + "/tags" + q, ""}).second == P);
}

BOOST_AUTO_TEST_CASE(tag_add_remove_semantics) {
    model m;
    auto add = [&](std::string id) {
        return m.call("POST", m.v1("conversations/" + C1 + "/tags"), R"({"action":"add","tag_id":)" + id + "}");
    };
    auto r = add("\"1\"");
    BOOST_TEST(m.body(r).at("data") == json::parse("[3,1]"));
    BOOST_TEST(r.events.size() == 1u); // a conversation webhook
    auto v1 = *m.w.find_conversation(P, C1)->version;
    r = add("1"); // int form accepted; duplicate: success, no change, no event
    BOOST_TEST(m.body(r).at("data") == json::parse("[3,1]"));
    BOOST_TEST(r.events.empty());
    BOOST_TEST(*m.w.find_conversation(P, C1)->version == v1);
    m.w.behaviour_config().reject_duplicate_tag_add = true;
    BOOST_TEST(add("1").resp.status == 400u);
    BOOST_TEST(add("\"99\"").resp.status == 400u); // unknown tag
    r = m.call("POST", m.v1("conversations/" + C1 + "/tags"), R"({"action":"remove","tag_id":"3"})");
    BOOST_TEST(m.body(r).at("data") == json::parse("[1]"));
    auto& hist = m.w.find_conversation(P, C1)->tag_histories;
    BOOST_TEST(hist.size() == 2u);
    BOOST_TEST(hist.back().payload.action == "remove");
    r = m.call("POST", m.v1("conversations/" + C1 + "/tags"), R"({"action":"remove","tag_id":"4"})");
    BOOST_TEST(r.resp.status == 200u); // absent: success by default
    BOOST_TEST(
        m.call("POST", m.v1("conversations/" + C1 + "/tags"), R"({"action":"toggle","tag_id":"4"})").resp.status ==
        400u);
    BOOST_TEST(m.call("POST", m.v1("conversations/" + C1 + "/tags"), R"({"action":"add"})").resp.status == 400u);
    BOOST_TEST(m.call("POST", m.v1("conversations/" + C1 + "/tags"), R"({not json)").resp.status == 400u);
    BOOST_TEST(m.call("POST", m.v1("conversations/nope/tags"), R"({"action":"add","tag_id":"1"})").resp.status == 404u);
}

BOOST_AUTO_TEST_CASE(assign_replaces_and_records_history) {
    model m;
    auto assign = [&](std::string ids) {
        return m.call("POST", m.v1("conversations/" + C1 + "/assign"), R"({"assignee_ids":)" + ids + "}");
    };
    auto r = assign("[\"" + AN + "\",\"" + BINH + "\"]");
    BOOST_TEST(m.body(r).at("assignee_ids") == json::parse("[\"" + AN + "\",\"" + BINH + "\"]"));
    r = assign("[\"" + BINH + "\"]"); // replace: An is dropped
    BOOST_TEST(m.body(r).at("assignee_ids") == json::parse("[\"" + BINH + "\"]"));
    auto* c = m.w.find_conversation(P, C1);
    BOOST_TEST(c->assignee_histories.size() == 2u);
    BOOST_TEST(c->assignee_histories.back().payload.deleted_users.at(0).id == user_id(AN));
    BOOST_TEST(c->current_assign_users.size() == 1u);
    BOOST_TEST(assign("[\"116256249766099\"]").resp.status == 400u); // fb_id, not the UUID
    BOOST_TEST(assign("[\"no-such-user\"]").resp.status == 400u);
    BOOST_TEST(assign("\"x\"").resp.status == 400u);
    r = assign("[]"); // unassigns everyone
    BOOST_TEST(m.body(r).at("assignee_ids").as_array().empty());
    m.w.behaviour_config().reject_empty_assign = true;
    BOOST_TEST(assign("[]").resp.status == 400u);
}

BOOST_AUTO_TEST_CASE(read_unread_flip_seen_and_bump_version) {
    model m;
    auto v = *m.w.find_conversation(P, C1)->version;
    BOOST_TEST(m.call("POST", m.v1("conversations/" + C1 + "/read")).resp.body == R"({"success":true})");
    BOOST_TEST(m.w.find_conversation(P, C1)->seen);
    BOOST_TEST(*m.w.find_conversation(P, C1)->version == v + 1);
    m.call("POST", m.v1("conversations/" + C1 + "/unread"));
    BOOST_TEST(!m.w.find_conversation(P, C1)->seen);
    BOOST_TEST(*m.w.find_conversation(P, C1)->version == v + 2);
}

BOOST_AUTO_TEST_CASE(listing_semantics) {
    model m;
    m.add_conversations(130, 1'767'300'000);
    auto first = m.ids(m.call("GET", m.list()));
    BOOST_TEST(first.size() == 60u); // hard cap, silently
    auto second = m.ids(m.call("GET", m.list("&last_conversation_id=" + first.back())));
    BOOST_TEST(second.size() == 60u);
    BOOST_TEST(first.back() != second.front());
    auto third = m.ids(m.call("GET", m.list("&last_conversation_id=" + second.back())));
    BOOST_TEST(third.size() == 13u); // 130 injected + 3 fixture
    // Newest first by updated_at.
    BOOST_TEST(first.front() == P + "_91129");
    // Single type; a repeated type silently matches nothing.
    BOOST_TEST(m.ids(m.call("GET", m.list("&type=COMMENT"))).size() == 1u);
    BOOST_TEST(m.ids(m.call("GET", m.list("&type=COMMENT&type=INBOX"))).empty());
    BOOST_TEST(m.call("GET", m.list("&type=POST")).resp.status == 400u);
    // tags is AND.
    m.call("POST", m.v1("conversations/" + C1 + "/tags"), R"({"action":"add","tag_id":"1"})");
    BOOST_TEST(m.ids(m.call("GET", m.list("&tags=1,3"))) == std::vector<std::string>{C1});
    BOOST_TEST(m.ids(m.call("GET", m.list("&tags=1"))).size() == 2u);
    // since/until filter updated_at by default, inserted_at with order_by=inserted_at.
    auto window = "&since=1767225000&until=1767225700";       // around 2026-01-01T00:00
    BOOST_TEST(m.ids(m.call("GET", m.list(window))).empty()); // C1 was updated just now
    BOOST_TEST(m.ids(m.call("GET", m.list(std::string(window) + "&order_by=inserted_at"))) ==
               std::vector<std::string>{C1});
    BOOST_TEST(m.call("GET", m.list("&since=yesterday")).resp.status == 400u);
    // unread_first.
    auto unread = m.body(m.call("GET", m.list("&unread_first=true")));
    BOOST_TEST(unread.at("conversations").as_array().at(0).at("seen") == false);
}

BOOST_AUTO_TEST_CASE(messages_page_by_30_and_send_is_validated) {
    model m;
    sim::customer_message cm{"200000000000001", "Hương", "tin", "INBOX", {}, {}};
    for (int i = 0; i < 40; ++i)
        m.w.inject(P, cm, m.wall);
    auto r = m.body(m.call("GET", m.v1("conversations/" + C1 + "/messages")));
    BOOST_TEST(r.at("messages").as_array().size() == 30u);
    r = m.body(m.call("GET", m.v1("conversations/" + C1 + "/messages") + "&current_count=30"));
    BOOST_TEST(r.at("messages").as_array().size() == 13u);
    BOOST_TEST(m.call("GET", m.v1("conversations/" + C1 + "/messages") + "&current_count=-1").resp.status == 400u);

    auto send = [&](std::string body) { return m.call("POST", m.v1("conversations/" + C1 + "/messages"), body); };
    auto ok = send(R"({"action":"reply_inbox","message":"Dạ còn ạ"})");
    BOOST_TEST(m.body(ok).at("success") == true);
    BOOST_TEST(ok.events.size() == 2u); // conversation + messaging echo
    BOOST_TEST(send(R"({"action":"private_reply","message":"x"})").resp.status == 400u);
    auto missing = send(R"({"action":"reply_comment","message":"x"})");
    BOOST_TEST(m.body(missing).at("message") == "Missing required field: 'message_id'");
    BOOST_TEST(send(R"({"action":"reply_inbox","message":"x","content_ids":["c1"]})").resp.status == 500u);
    auto comment_conv = "300000000000001_400000000000001";
    auto pr = m.call(
        "POST", m.v1(std::string("conversations/") + comment_conv + "/messages"),
        R"({"action":"private_replies","post_id":"100000000000001_300000000000001","message_id":"c_400000000000001","from_id":"400000000000001","message":"Shop inbox bạn nhé"})");
    BOOST_TEST(pr.resp.status == 200u); // comment from 2025-12-30, now 2026-01-02: inside 7 days
    m.wall += 24h * 7;
    pr = m.call(
        "POST", m.v1(std::string("conversations/") + comment_conv + "/messages"),
        R"({"action":"private_replies","post_id":"100000000000001_300000000000001","message_id":"c_400000000000001","from_id":"400000000000001","message":"muộn"})");
    BOOST_TEST(pr.resp.status == 400u);
}

BOOST_AUTO_TEST_CASE(built_in_round_robin_skips_offline_and_disabled) {
    model m;
    // Inbox list: An, Bình, Cường (offline). New conversations go An, Bình, An, …
    std::vector<std::string> got;
    for (int i = 0; i < 4; ++i) {
        sim::customer_message cm{"7" + std::to_string(i), "K", "hi", "INBOX", {}, {}};
        auto r = m.w.inject(P, cm, m.wall);
        got.emplace_back(m.body(r).at("conversation").at("assignee_ids").as_array().at(0).as_string());
    }
    BOOST_TEST((got == std::vector<std::string>{AN, BINH, AN, BINH}));
    BOOST_TEST(m.w.set_user_status(P, AN, std::string("offline"), false));
    sim::customer_message cm{"800", "K", "hi", "INBOX", {}, {}};
    BOOST_TEST(m.body(m.w.inject(P, cm, m.wall)).at("conversation").at("assignee_ids").as_array().at(0).as_string() ==
               BINH);
    // Updating the list over the API; a missing key keeps that list.
    auto r = m.call("POST", m.v1("round_robin_users"), R"({"inbox":[")" + AN + R"("]})");
    BOOST_TEST(m.body(r).at("message") == "Cài đặt đã được cập nhật thành công");
    BOOST_TEST(m.w.find_page(P)->round_robin.comment.size() == 1u);
    BOOST_TEST(m.call("POST", m.v1("round_robin_users"), R"({"inbox":["nobody"]})").resp.status == 400u);
}

BOOST_AUTO_TEST_CASE(rate_limit_is_per_page_sliding_second) {
    model m({5, {}, false, false});
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(m.call("GET", m.v1("tags")).resp.status == 200u);
    auto r = m.call("GET", m.v1("tags"));
    BOOST_TEST(r.resp.status == 429u);
    BOOST_TEST(r.resp.headers.empty()); // no Retry-After by default
    auto other = "/api/public_api/v1/pages/100000000000002/tags?page_access_token=pat_senvang_5d1e8b7a3c6f4e21";
    BOOST_TEST(m.call("GET", other).resp.status == 200u);
    m.now += 1s;
    BOOST_TEST(m.call("GET", m.v1("tags")).resp.status == 200u);
    m.w.rate_limits().per_page[P] = 2; // "shared with other apps"
    m.w.rate_limits().retry_after = true;
    m.now += 2s;
    m.call("GET", m.v1("tags"));
    m.call("GET", m.v1("tags"));
    r = m.call("GET", m.v1("tags"));
    BOOST_TEST(r.resp.status == 429u);
    BOOST_TEST(r.resp.headers.at(0).first == "Retry-After");
}

BOOST_AUTO_TEST_CASE(user_token_api_and_token_regeneration) {
    model m;
    auto pages = m.body(m.call("GET", "/api/v1/pages?access_token=uat_hoamai_owner_2026"));
    BOOST_TEST(pages.at("pages").as_array().size() == 2u);
    BOOST_TEST(m.call("GET", "/api/v1/pages?access_token=uat_expired_token").resp.status == 401u);
    auto gen =
        m.body(m.call("POST", "/api/v1/pages/" + P + "/generate_page_access_token?access_token=uat_hoamai_owner_2026"));
    std::string fresh(gen.at("page_access_token").as_string());
    BOOST_TEST(m.body(m.call("GET", m.v1("tags"))).at("error_code") == 102); // old token is dead
    BOOST_TEST(m.call("GET", m.v1("tags", fresh)).resp.status == 200u);
}

BOOST_AUTO_TEST_CASE(fixture_errors_leave_state_unchanged) {
    model m;
    std::string err;
    BOOST_TEST(
        !m.w.load_fixture(json::parse(R"({"pages":[{"id":"1","page_access_token":"t","tags":[{"text":"x"}]}]})"), err));
    BOOST_TEST(err.find("tags") != std::string::npos);
    BOOST_TEST(m.w.find_page(P) != nullptr);
    BOOST_TEST(!m.w.load_fixture(json::parse(R"({"pages":[{"id":"1"}]})"), err));
}

BOOST_AUTO_TEST_CASE(same_seed_same_answers) {
    auto run = [] {
        model m;
        std::string all;
        sim::customer_message cm{"55", "K", "hi", "INBOX", {}, {}};
        for (int i = 0; i < 3; ++i)
            all += json::serialize(m.body(m.w.inject(P, cm, m.wall)));
        all += m.call("POST", m.v1("conversations/" + C1 + "/read")).events.at(0).body.at("request_id").as_string();
        return all;
    };
    BOOST_TEST(run() == run());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(latency_distributions_are_bounded_and_seeded) {
    auto draw = [](const char* latency, std::uint64_t seed) {
        sim::fault_injector f(seed);
        std::string err;
        BOOST_REQUIRE(
            f.set_plan(json::parse(std::string(R"({"rules":[{"kind":"latency","latency":)") + latency + "}]}"), err));
        std::vector<std::int64_t> ms;
        for (int i = 0; i < 200; ++i)
            ms.push_back(
                std::chrono::duration_cast<std::chrono::milliseconds>(f.decide("tags.list", "1", 0).delay).count());
        return ms;
    };
    for (auto v : draw(R"({"dist":"uniform","min_ms":100,"max_ms":300})", 3))
        BOOST_TEST_REQUIRE((v >= 100 && v <= 300));
    auto logn = draw(R"({"dist":"lognormal","mu":4.0,"sigma":0.5})", 3);
    for (auto v : logn)
        BOOST_TEST_REQUIRE(v >= 0);
    BOOST_TEST(*std::max_element(logn.begin(), logn.end()) > *std::min_element(logn.begin(), logn.end()));
    BOOST_TEST(logn == draw(R"({"dist":"lognormal","mu":4.0,"sigma":0.5})", 3)); // same seed, same draws
    BOOST_TEST(logn != draw(R"({"dist":"lognormal","mu":4.0,"sigma":0.5})", 4));
    for (auto v : draw(R"({"dist":"fixed","ms":250})", 1))
        BOOST_TEST_REQUIRE(v == 250);
}

BOOST_AUTO_TEST_CASE(rules_match_route_page_and_probability) {
    sim::fault_injector f(9);
    std::string err;
    BOOST_REQUIRE(f.set_plan(
        json::parse(R"({"rules":[{"route":"assign","page":"1","kind":"server_error","probability":0.5}]})"), err));
    int fired = 0;
    for (int i = 0; i < 1000; ++i)
        fired += f.decide("assign", "1", 0).failure.has_value();
    BOOST_TEST((fired > 400 && fired < 600));
    BOOST_TEST(!f.decide("assign", "2", 0).failure);
    BOOST_TEST(!f.decide("read", "1", 0).failure);
    BOOST_TEST(!f.set_plan(json::parse(R"({"rules":[{"kind":"server_error","probability":2}]})"), err));
    BOOST_TEST(!f.set_plan(json::parse(R"({"rules":{}})"), err));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace world_test

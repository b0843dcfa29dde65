// Simulator fidelity (issue 15): what an audit of pancake-sim against the documents found. One
// test case per item; where the real behaviour is unknown the test pins the documented default
// and shows the behaviour switch that changes it.
#include "support/harness.hpp"
#include "support/sim_thread.hpp"
#include <pancake/pancake.hpp>
#include <sim/request_target.hpp>
#include <sim/server.hpp>
#include <sim/text.hpp>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/url/parse.hpp>

#include <regex>
#include <set>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace fidelity_test {

namespace json = boost::json;
using namespace pancake;
using namespace std::chrono_literals;

namespace {

const std::string P = "100000000000001";
const std::string T = "pat_hoamai_7f3c2a91e4b84d0c";
const std::string C1 = "100000000000001_200000000000001";
const std::string C2 = "100000000000001_200000000000002";
const std::string CC = "300000000000001_400000000000001"; // the fixture's COMMENT conversation
const std::string COMMENT = "c_400000000000001";
const std::string POST = "100000000000001_300000000000001";
const std::string LAN = "400000000000001"; // the commenter's psid

struct model {
    sim::world w;
    sim::steady_time now{};
    sim::wall_time wall = sim::wall_time(std::chrono::seconds(1'767'225'600)) + 24h; // 2026-01-02
    explicit model(const json::value& fixture = sim::sample_fixture()) : w(1, {}, {0, {}, false, false}) {
        std::string err;
        BOOST_REQUIRE_MESSAGE(w.load_fixture(fixture, err), err);
    }
    sim::handle_result call(std::string method, std::string target, std::string body = {}) {
        now += 1ms;
        wall += 1ms;
        return w.handle({std::move(method), std::move(target), std::move(body)}, now, wall);
    }
    std::string v1(const std::string& tail) {
        return "/api/public_api/v1/pages/" + P + "/" + tail + "?page_access_token=" + T;
    }
    std::string list(const std::string& query = {}) {
        return "/api/public_api/v2/pages/" + P + "/conversations?page_access_token=" + T + query;
    }
    sim::handle_result send(const std::string& conv, const std::string& body) {
        return call("POST", v1("conversations/" + conv + "/messages"), body);
    }
    static json::value body(const sim::handle_result& r) { return json::parse(r.resp.body); }
    static std::vector<std::string> ids(const sim::handle_result& r) {
        std::vector<std::string> out;
        const auto b = body(r);
        for (auto& c : b.at("conversations").as_array())
            out.emplace_back(c.at("id").as_string());
        return out;
    }
    json::object conversation_in_list(const std::string& id, const std::string& query = {}) {
        const auto b = body(call("GET", list(query)));
        for (auto& c : b.at("conversations").as_array())
            if (c.at("id").as_string() == id) return c.as_object();
        BOOST_FAIL("conversation " + id + " not listed");
        return {};
    }
    std::optional<message> find_message(const std::string& conv, const std::string& id) {
        for (auto& m : w.find_page(P)->conversations.messages(conv))
            if (m.id.value() == id) return m;
        return std::nullopt;
    }
    sim::handle_result inject(std::string psid, std::string text, std::string type = "INBOX",
                              std::optional<std::string> post = {}, std::optional<sim::wall_time> at = {}) {
        sim::customer_message m;
        m.psid = std::move(psid);
        m.name = "Khách " + m.psid;
        m.text = std::move(text);
        m.type = std::move(type);
        m.post_id = std::move(post);
        wall += 1ms;
        return w.inject(P, m, at.value_or(wall));
    }
    std::string upload(const std::string& mime = "image/jpeg") {
        auto r = call("POST", v1("upload_contents"),
                      "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\nContent-Type: " + mime +
                          "\r\n\r\nbytes\r\n--x--\r\n");
        BOOST_REQUIRE_EQUAL(r.resp.status, 200u);
        return std::string(body(r).at("id").as_string());
    }
};

std::string private_reply(const std::string& post, const std::string& comment, const std::string& from,
                          const std::string& text = "Shop inbox bạn nhé") {
    return json::serialize(json::object{{"action", "private_replies"},
                                        {"post_id", post},
                                        {"message_id", comment},
                                        {"from_id", from},
                                        {"message", text}});
}

} // namespace

BOOST_AUTO_TEST_SUITE(fidelity)

// 1. `type[]=INBOX` (unencoded, as in the docs' cURL) is a request like `type%5B%5D=INBOX`.
BOOST_AUTO_TEST_CASE(bracketed_query_keys_are_parsed) {
    model m;
    auto raw = m.call("GET", m.list("&type[]=INBOX"));
    BOOST_TEST(raw.resp.status == 200u);
    BOOST_TEST(raw.route == "conversations.list");
    auto encoded = m.call("GET", m.list("&type%5B%5D=INBOX"));
    BOOST_TEST(m.ids(raw) == m.ids(encoded));
    BOOST_TEST(m.ids(raw) == (std::vector<std::string>{C1, C2}));
    BOOST_TEST((sim::world::route_name({"GET", m.list("&type[]=INBOX"), {}}).first == "conversations.list"));
    auto posts = m.call("GET", m.list("&type=POST&post_ids[]=" + POST));
    BOOST_TEST(posts.resp.status == 200u);
    BOOST_TEST(m.ids(posts) == std::vector<std::string>{CC});
    // Several type[] values: nothing (as a repeated `type`), unless multi_type_or.
    BOOST_TEST(m.ids(m.call("GET", m.list("&type[]=INBOX&type[]=COMMENT"))).empty());
    m.w.behaviour_config().multi_type_or = true;
    BOOST_TEST(m.ids(m.call("GET", m.list("&type[]=INBOX&type[]=COMMENT"))).size() == 3u);
    BOOST_TEST(m.ids(m.call("GET", m.list("&type=INBOX&type=COMMENT"))).empty()); // still observed
    BOOST_TEST(sim::lenient_target("/a?x[]=1&y={2}") == "/a?x%5B%5D=1&y=%7B2%7D");
}

// 1b. The model's target split (slices of the target when there is nothing to decode) gives what
// Boost.URL's decoding gives, on plain targets and on those that take the decoding path.
BOOST_AUTO_TEST_CASE(target_split_agrees_with_boost_url) {
    const std::vector<std::string> targets{"/",
                                           "/api/",
                                           "/api/public_api/v1/pages/1/tags?page_access_token=abc",
                                           "/a/b?x=1&x=2&y",
                                           "/a?",
                                           "/a?=v&&k=",
                                           "/a?x=a+b&y=%41%2b",
                                           "/a%2Fb/c?k%20=v%C3%A1",
                                           "/a?x[]=1&x[]=2&y={2}",
                                           "/a//b/?q=a=b",
                                           "/a?type[]=INBOX&type=COMMENT",
                                           "/p/x~y.z?u=!$'()*,;:@/?"};
    for (auto& t : targets) {
        BOOST_TEST_CONTEXT(t) {
            sim::request_target mine;
            BOOST_TEST_REQUIRE(mine.parse(t));
            const std::string lenient = sim::lenient_target(t); // the view below points into it
            auto ref = boost::urls::parse_origin_form(lenient);
            BOOST_TEST_REQUIRE(ref.has_value());
            std::vector<std::string> want_segs(ref->segments().begin(), ref->segments().end());
            std::vector<std::string> got_segs(mine.segments().begin(), mine.segments().end());
            BOOST_TEST(got_segs == want_segs, boost::test_tools::per_element());
            std::vector<std::pair<std::string, std::string>> want;
            for (auto p : ref->params())
                want.emplace_back(p.key, p.has_value ? p.value : std::string());
            for (auto& [k, v] : want) {
                std::vector<std::string> values; // k's, in order
                for (auto& w : want)
                    if (w.first == k) values.push_back(w.second);
                BOOST_TEST((mine.param(k) == std::optional<std::string_view>(values.front())));
                BOOST_TEST(mine.count(k) == values.size());
                auto all = mine.all(k);
                BOOST_TEST((std::vector<std::string>(all.begin(), all.end()) == values));
            }
            BOOST_TEST(!mine.param("absent"));
        }
    }
    sim::request_target bad;
    BOOST_TEST(!bad.parse("api/x"));   // not origin-form
    BOOST_TEST(!bad.parse("/a%zz"));   // a broken escape
    BOOST_TEST(!bad.parse("/a#frag")); // a fragment is not part of a request target
}

// 2. A private reply checks its references and opens the customer's INBOX thread.
BOOST_AUTO_TEST_CASE(private_reply_opens_an_inbox_thread_and_checks_references) {
    model m;
    auto comment_count = m.w.find_conversation(P, CC)->message_count;
    BOOST_TEST(m.send(CC, private_reply(POST + "9", COMMENT, LAN)).resp.status == 400u); // wrong post
    BOOST_TEST(m.send(CC, private_reply(POST, COMMENT, "999")).resp.status == 400u);     // wrong author
    BOOST_TEST(m.send(CC, private_reply(POST, "m_sim_5", LAN)).resp.status == 400u);     // no such comment
    BOOST_TEST(m.send(C1, private_reply(POST, COMMENT, LAN)).resp.status == 400u);       // not this thread
    BOOST_TEST(!m.w.find_conversation(P, P + "_" + LAN));

    auto ok = m.send(CC, private_reply(POST, COMMENT, LAN));
    BOOST_TEST_REQUIRE(ok.resp.status == 200u);
    const std::string inbox = P + "_" + LAN;
    auto* conv = m.w.find_conversation(P, inbox);
    BOOST_TEST_REQUIRE(conv);
    BOOST_TEST(conv->type == "INBOX");
    BOOST_TEST(conv->message_count == 1);
    BOOST_TEST((conv->from && conv->from->id == LAN));
    auto sent = m.find_message(inbox, std::string(m.body(ok).at("id").as_string()));
    BOOST_TEST_REQUIRE(sent.has_value());
    BOOST_TEST(sent->type == "INBOX");
    BOOST_TEST(m.w.find_conversation(P, CC)->message_count == comment_count); // nothing on the comment thread
    BOOST_TEST((m.find_message(CC, COMMENT)->private_reply_conversation == std::optional<std::string>(inbox)));
    BOOST_TEST_REQUIRE(ok.events.size() == 2u);
    BOOST_TEST(ok.events[1].body.at("data").at("conversation").at("id").as_string() == inbox);
    BOOST_TEST(ok.events[1].body.at("data").at("conversation").at("type") == "INBOX");
    BOOST_TEST(m.ids(m.call("GET", m.list("&type=INBOX"))).front() == inbox);

    // One private reply per comment (Facebook's rule), unless allow_repeat_private_reply.
    BOOST_TEST(m.send(CC, private_reply(POST, COMMENT, LAN)).resp.status == 400u);
    m.w.behaviour_config().allow_repeat_private_reply = true;
    BOOST_TEST(m.send(CC, private_reply(POST, COMMENT, LAN)).resp.status == 200u);
    BOOST_TEST(m.w.find_conversation(P, inbox)->message_count == 2);

    // reply_comment names a comment of this thread.
    auto bad = m.send(CC, R"({"action":"reply_comment","message_id":"m_sim_5","message":"x"})");
    BOOST_TEST(bad.resp.status == 400u);
    BOOST_TEST(m.body(bad).at("message") == "Comment not found");
    BOOST_TEST(m.send(CC, R"({"action":"reply_comment","message_id":")" + COMMENT + R"(","message":"Dạ 150k ạ"})")
                   .resp.status == 200u);

    // content_ids must come from upload_contents.
    auto unknown = m.send(C1, R"({"action":"reply_inbox","content_ids":["not-uploaded"]})");
    BOOST_TEST(unknown.resp.status == 400u);
    auto id = m.upload();
    BOOST_TEST(m.send(C1, R"({"action":"reply_inbox","content_ids":[")" + id + R"("]})").resp.status == 200u);
    m.w.behaviour_config().accept_unknown_content_ids = true;
    BOOST_TEST(m.send(C1, R"({"action":"reply_inbox","content_ids":["not-uploaded"]})").resp.status == 200u);
}

// 3. One user-token check: an expired token cannot rotate page tokens.
BOOST_AUTO_TEST_CASE(expired_user_token_cannot_rotate_page_tokens) {
    model m;
    const std::string rotate = "/api/v1/pages/" + P + "/generate_page_access_token?access_token=";
    BOOST_TEST(m.call("GET", "/api/v1/pages?access_token=uat_expired_token").resp.status == 401u);
    BOOST_TEST(m.call("POST", rotate + "uat_expired_token").resp.status == 401u);
    BOOST_TEST(m.call("GET", m.v1("tags")).resp.status == 200u); // the page token still works
    BOOST_TEST(m.body(m.call("POST", rotate + "nope")).at("error_code") == 102);
    auto fresh = m.call("POST", rotate + "uat_hoamai_owner_2026");
    BOOST_TEST(fresh.resp.status == 200u);
    BOOST_TEST(m.body(m.call("GET", m.v1("tags"))).at("error_code") == 102); // rotated away
}

// 4. Comment threads are {post_fbid}_{comment_fbid}; their messaging events carry the post.
BOOST_AUTO_TEST_CASE(comment_ids_and_messaging_events_carry_the_post) {
    model m;
    const std::string post = P + "_300000000000009";
    auto first = m.inject("700000000000001", "Còn hàng không?", "COMMENT", post);
    BOOST_TEST_REQUIRE(first.resp.status == 200u);
    const std::string id(m.body(first).at("conversation").at("id").as_string());
    BOOST_TEST(std::regex_match(id, std::regex("300000000000009_[0-9]{15}")), id);
    auto& ev = first.events.front().body;
    BOOST_TEST(ev.at("event_type") == "messaging");
    BOOST_TEST_REQUIRE(ev.at("data").at("post").is_object());
    BOOST_TEST(ev.at("data").at("post").at("id").as_string() == post);
    // The same customer on the same post: the same thread.
    auto again = m.inject("700000000000001", "Alo shop", "COMMENT", post);
    BOOST_TEST(m.body(again).at("conversation").at("id").as_string() == id);
    // The page's reply on the comment thread echoes with the post too; INBOX events carry null.
    auto reply = m.send(id, R"({"action":"reply_comment","message_id":"m_sim_1","message":"Còn ạ"})");
    BOOST_TEST_REQUIRE(reply.resp.status == 200u);
    BOOST_TEST(reply.events.back().body.at("data").at("post").at("id").as_string() == post);
    BOOST_TEST(m.inject("700000000000002", "chào").events.front().body.at("data").at("post").is_null());
}

// 5. Nullable fields are sent as null, not left out.
BOOST_AUTO_TEST_CASE(null_fields_are_sent_as_null) {
    auto fx = sim::sample_fixture();
    fx.at("pages").at(0).at("users").at(0).as_object().erase("page_permissions");
    model m(fx);
    auto c2 = m.conversation_in_list(C2);
    BOOST_TEST(c2.contains("post_id"));
    BOOST_TEST(c2.at("post_id").is_null());
    BOOST_TEST(c2.at("assignee_group_id").is_null());
    auto id = m.upload();
    BOOST_TEST(m.send(C2, R"({"action":"reply_inbox","content_ids":[")" + id + R"("]})").resp.status == 200u);
    c2 = m.conversation_in_list(C2);
    BOOST_TEST(c2.contains("snippet"));
    BOOST_TEST(c2.at("snippet").is_null()); // the last message has no text
    auto users = m.body(m.call("GET", m.v1("users")));
    BOOST_TEST(users.at("users").at(0).as_object().contains("page_permissions"));
    BOOST_TEST(users.at("users").at(0).at("page_permissions").is_null());
    auto msgs = m.body(m.call("GET", m.v1("conversations/" + C1 + "/messages")));
    BOOST_TEST(msgs.at("messages").at(0).at("private_reply_conversation").is_null());
    auto assigned = m.body(m.call("POST", m.v1("conversations/" + C1 + "/assign"), R"({"assignee_ids":[]})"));
    BOOST_TEST(assigned.at("assignee_group_id").is_null());
}

// 6. A cursor the filter excludes continues after its position; an unknown one is an error; a
// paginator whose cursor moved out of the filter does not stop early.
BOOST_AUTO_TEST_CASE(cursor_outside_the_filter_or_unknown) {
    model m;
    const std::int64_t base = 1'767'000'000; // before every fixture conversation
    for (int i = 0; i < 70; ++i)
        m.inject("9" + std::to_string(1000 + i), "xin chào", i % 10 == 0 ? "COMMENT" : "INBOX",
                 std::optional<std::string>(P + "_3000000000001" + std::to_string(10 + i)),
                 sim::wall_time(std::chrono::seconds(base + i * 60)));
    auto all = m.ids(m.call("GET", m.list()));
    BOOST_TEST_REQUIRE(all.size() == 60u);
    const std::string cursor = all.back(); // an INBOX conversation
    BOOST_TEST(m.w.find_conversation(P, cursor)->type == "INBOX");
    auto comments = m.ids(m.call("GET", m.list("&type=COMMENT&last_conversation_id=" + cursor)));
    // Page 1 ends at i = 13 (after the 3 fixture conversations); older COMMENTs: i = 10 and 0.
    BOOST_TEST(comments.size() == 2u);
    auto unknown = m.call("GET", m.list("&last_conversation_id=nope"));
    BOOST_TEST(unknown.resp.status == 400u);
    m.w.behaviour_config().cursor_outside_filter_empty = true; // the old answer
    BOOST_TEST(m.ids(m.call("GET", m.list("&type=COMMENT&last_conversation_id=" + cursor))).empty());
    BOOST_TEST(m.ids(m.call("GET", m.list("&last_conversation_id=nope"))).empty());
    m.w.behaviour_config().cursor_outside_filter_empty = false;

    // A paginator over a window: the last conversation of page 1 gets a new message and leaves
    // the window before page 2 is asked for. It must still reach every other conversation.
    const std::string window = "&type=INBOX&until=" + std::to_string(base + 70 * 60);
    auto paginate = [&](auto between_pages) {
        std::set<std::string> seen;
        std::string cur;
        for (int calls = 0; calls < 10; ++calls) {
            auto r = m.call("GET", m.list(window + (cur.empty() ? "" : "&last_conversation_id=" + cur)));
            BOOST_REQUIRE_EQUAL(r.resp.status, 200u);
            auto page = m.ids(r);
            if (page.empty()) break;
            seen.insert(page.begin(), page.end());
            cur = page.back();
            if (calls == 0) between_pages(cur);
        }
        return seen;
    };
    auto moved = paginate([&](const std::string& last) { m.inject(last.substr(P.size() + 1), "còn đó không?"); });
    BOOST_TEST(moved.size() == 63u); // 63 INBOX conversations in the window
}

// 7a. unread_first=1 works like unread_first=true.
BOOST_AUTO_TEST_CASE(unread_first_accepts_1) {
    model m;
    auto fresh = m.inject("800000000000001", "hi"); // newest, then read
    const std::string id(m.body(fresh).at("conversation").at("id").as_string());
    BOOST_TEST(m.call("POST", m.v1("conversations/" + id + "/read")).resp.status == 200u);
    BOOST_TEST(m.ids(m.call("GET", m.list())).front() == id);
    for (auto v : {"true", "1"}) {
        auto l = m.ids(m.call("GET", m.list(std::string("&unread_first=") + v)));
        BOOST_TEST(l.front() != id, v);
        BOOST_TEST(m.w.find_conversation(P, l.front())->seen == false, v);
    }
}

// 7b. The rendered `message` escapes HTML; `original_message` is the raw text.
BOOST_AUTO_TEST_CASE(message_html_is_escaped) {
    model m;
    auto r = m.inject("800000000000002", "<b>Áo & quần</b>");
    auto& msg = r.events.front().body.at("data").at("message");
    BOOST_TEST(msg.at("message") == "<div>&lt;b&gt;Áo &amp; quần&lt;/b&gt;</div>");
    BOOST_TEST(msg.at("original_message") == "<b>Áo & quần</b>");
    auto sent = m.send(C1, R"({"action":"reply_inbox","message":"<script>x</script>"})");
    BOOST_TEST(sent.events.back().body.at("data").at("message").at("message") ==
               "<div>&lt;script&gt;x&lt;/script&gt;</div>");
}

// 7c. `version` is on webhook conversations; on REST only with rest_conversation_version.
BOOST_AUTO_TEST_CASE(rest_conversation_version_is_switchable) {
    model m;
    BOOST_TEST(!m.conversation_in_list(C1).contains("version"));
    auto ev = m.call("POST", m.v1("conversations/" + C1 + "/read"));
    BOOST_TEST(ev.events.at(0).body.at("data").at("conversation").as_object().contains("version"));
    m.w.behaviour_config().rest_conversation_version = true;
    BOOST_TEST(m.conversation_in_list(C1).contains("version"));
}

// 8. The invented 4xx answers, and the errors_as_200 mode.
BOOST_AUTO_TEST_CASE(invented_errors_and_errors_as_200) {
    model m;
    struct probe {
        std::string method, target, body;
        unsigned status;
    };
    const std::vector<probe> probes{
        {"POST", m.v1("conversations/" + C1 + "/tags"), R"({"action":"add","tag_id":"abc"})", 400},
        {"POST", m.v1("conversations/" + C1 + "/tags"), R"({"action":"add","tag_id":999})", 400},
        {"POST", m.v1("conversations/nope/read"), "", 404},
        {"GET", m.list("&since=abc"), "", 400},
        {"GET", m.list("&tags=abc"), "", 400},
        {"GET", m.list("&order_by=foo"), "", 400},
        {"GET", m.list("&type=POST"), "", 400},
        {"GET", m.list("&last_conversation_id=nope"), "", 400},
        {"POST", m.v1("conversations/" + CC + "/messages"), private_reply(POST, COMMENT, "999"), 400},
    };
    for (bool as_200 : {false, true}) {
        m.w.behaviour_config().errors_as_200 = as_200;
        for (auto& p : probes) {
            auto r = m.call(p.method, p.target, p.body);
            BOOST_TEST(r.resp.status == (as_200 ? 200u : p.status), p.target << " " << p.body);
            BOOST_TEST(m.body(r).at("success") == false, p.target);
        }
    }
    // Documented statuses do not change: both message and content_ids is a 500.
    auto both = m.send(C1, R"({"action":"reply_inbox","message":"x","content_ids":["c"]})");
    BOOST_TEST(both.resp.status == 500u);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

struct running : test::sim_thread {
    using sim_thread::sim_thread;
    std::pair<unsigned, std::string> call(bhttp::verb v, const std::string& target, const std::string& body = {}) {
        asio::io_context c;
        beast::tcp_stream s(c);
        s.connect({asio::ip::make_address("127.0.0.1"), srv.port()});
        bhttp::request<bhttp::string_body> rq{v, target, 11};
        rq.set(bhttp::field::host, "127.0.0.1");
        rq.body() = body;
        rq.prepare_payload();
        bhttp::write(s, rq);
        beast::flat_buffer b;
        bhttp::response<bhttp::string_body> res;
        bhttp::read(s, b, res);
        return {res.result_int(), res.body()};
    }
};
} // namespace

BOOST_AUTO_TEST_SUITE(fidelity_http)

// 1 (server): the raw bracketed target gets an answer and an ordinary journal entry.
BOOST_AUTO_TEST_CASE(bracketed_target_over_http_is_journaled) {
    running s;
    auto [status, body] = s.call(bhttp::verb::get, "/api/public_api/v2/pages/" + P +
                                                       "/conversations?page_access_token=" + T + "&type[]=INBOX");
    BOOST_TEST(status == 200u);
    BOOST_TEST(json::parse(body).at("conversations").as_array().size() == 2u);
    auto journal = s.on_server([&] { return s.srv.journal(); });
    BOOST_TEST_REQUIRE(journal.size() == 1u);
    BOOST_TEST(journal[0].route == "conversations.list");
    BOOST_TEST(journal[0].path.find("unparseable") == std::string::npos, journal[0].path);
    BOOST_TEST(journal[0].path.find("REDACTED") != std::string::npos, journal[0].path);
}

// The new switches are set over the admin API like the old ones (and checked the same way).
BOOST_AUTO_TEST_CASE(new_switches_over_the_admin_api) {
    running s;
    const std::string tags = "/api/public_api/v1/pages/" + P + "/conversations/" + C1 + "/tags?page_access_token=" + T;
    const std::string abc = R"({"action":"add","tag_id":"abc"})";
    BOOST_TEST(s.call(bhttp::verb::post, tags, abc).first == 400u);
    for (auto sw : {"errors_as_200", "multi_type_or", "cursor_outside_filter_empty", "rest_conversation_version",
                    "accept_unknown_content_ids", "allow_repeat_private_reply"}) {
        BOOST_TEST(s.call(bhttp::verb::post, "/__sim/behaviour", json::serialize(json::object{{sw, false}})).first ==
                       200u,
                   sw);
        BOOST_TEST(s.call(bhttp::verb::post, "/__sim/behaviour", json::serialize(json::object{{sw, "yes"}})).first ==
                       400u,
                   sw);
    }
    BOOST_TEST(s.call(bhttp::verb::post, "/__sim/behaviour", R"({"errors_as_200":true})").first == 200u);
    auto [status, body] = s.call(bhttp::verb::post, tags, abc);
    BOOST_TEST(status == 200u);
    BOOST_TEST(json::parse(body).at("success") == false);
}

// 7d. Calls answered by an injected fault count toward the rate limit (but a connection reset
// before the request got through does not).
BOOST_AUTO_TEST_CASE(faulted_calls_count_toward_the_rate_limit) {
    running s;
    s.on_server([&] {
        s.srv.model().rate_limits().per_second = 2;
        std::string err;
        return s.srv.faults().set_plan(
            json::parse(R"({"rules":[{"route":"tags.list","kind":"server_error","times":2}]})"), err);
    });
    const std::string tags = "/api/public_api/v1/pages/" + P + "/tags?page_access_token=" + T;
    BOOST_TEST(s.call(bhttp::verb::get, tags).first == 503u);
    BOOST_TEST(s.call(bhttp::verb::get, tags).first == 503u);
    BOOST_TEST(s.call(bhttp::verb::get, tags).first == 429u); // the same (virtual) second
}

// 7e. The client checks the content_ids cap of the page's platform.
BOOST_AUTO_TEST_CASE(client_content_ids_cap_follows_the_platform) {
    test::harness h;
    auto eleven = send_message_request::inbox_reply("x");
    eleven.message.reset();
    eleven.content_ids = std::vector<std::string>(11, "c");
    auto sends = [&] { return h.sim.journal().size(); };
    h.api->add_page(test::shop, test::shop_token, "instagram");
    auto [ec, v] = h.call([&](auto t) { return h.api->async_send_message(test::shop, test::conv1, eleven, t); });
    BOOST_TEST(ec == make_error_code(errc::invalid_argument), ec.message());
    BOOST_TEST(sends() == 0u); // refused before the wire: Instagram takes 10
    h.api->add_page(test::shop, test::shop_token, "facebook");
    auto [ec2, v2] = h.call([&](auto t) { return h.api->async_send_message(test::shop, test::conv1, eleven, t); });
    BOOST_TEST(sends() == 1u); // Facebook takes 30: the server answers (unknown content ids)
    BOOST_TEST(ec2 != make_error_code(errc::invalid_argument));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace fidelity_test

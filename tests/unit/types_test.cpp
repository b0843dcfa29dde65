// The data model: every spec example decodes, malformed input fails with a field path, what we
// encode round-trips, and no token survives into diagnostics or exception text.
#include <pancake/detail/classify.hpp>
#include <pancake/pancake.hpp>
#include <pancake/webhook/parse.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace types_test {

namespace json = boost::json;
using namespace pancake;

namespace {

json::value load(const std::string& path) {
    std::ifstream in(path);
    BOOST_REQUIRE_MESSAGE(in, "cannot open " << path);
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
}

// Builds an example document from an OpenAPI schema, as Prism does: property examples when the
// spec gives them, otherwise a placeholder of the declared type/format.
struct example_builder {
    const json::object& root;
    json::value build(const json::value& schema, std::string_view name = {}) const {
        auto& s = schema.as_object();
        if (auto* ref = s.if_contains("$ref")) {
            std::string_view r = ref->as_string();
            auto pos = r.rfind('/');
            return build(root.at("components").at("schemas").at(r.substr(pos + 1)), name);
        }
        if (auto* ex = s.if_contains("example")) return *ex;
        if (auto* one = s.if_contains("oneOf")) return build(one->as_array().at(0), name);
        // No type: OpenAPI's "any"; a string is the most common concrete choice.
        std::string type = s.contains("type")         ? std::string(s.at("type").as_string())
                           : s.contains("properties") ? "object"
                                                      : "string";
        if (auto* e = s.if_contains("enum")) return e->as_array().at(0);
        if (type == "object") {
            json::object o;
            if (auto* props = s.if_contains("properties"))
                for (auto& [k, v] : props->as_object())
                    o[k] = build(v, k);
            return o;
        }
        if (type == "array") return s.contains("items") ? json::array{build(s.at("items"), name)} : json::array{};
        if (type == "integer") return 0;
        if (type == "number") return 1.5;
        if (type == "boolean" || type == "bool") return true;
        const bool date = (s.contains("format") && s.at("format") == "date-time") || name.ends_with("_at");
        return date ? json::value("2026-01-01T00:00:00") : json::value("string");
    }
};

json::value response_example(const json::value& spec, const std::string& path, const std::string& method) {
    auto& op = spec.at("paths").at(path).at(method);
    auto& schema = op.at("responses").at("200").at("content").at("application/json").at("schema");
    return example_builder{spec.as_object()}.build(schema);
}

template <class T>
T must_decode(const json::value& v) {
    diagnostics d;
    auto r = decode<T>(v, &d);
    BOOST_REQUIRE_MESSAGE(r.has_value(), "decode failed at " << d.field_path() << ": " << json::serialize(v));
    return *r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(types)

BOOST_AUTO_TEST_CASE(every_spec_response_example_decodes) {
    auto spec = load(PANCAKE_TEST_DATA "/openapi-pancake-2026-03.json");
    auto tags = must_decode<tag_list>(response_example(spec, "/pages/{page_id}/tags", "get"));
    BOOST_TEST(tags.tags.size() == 1u);
    BOOST_TEST(tags.tags[0].id == tag_id(0)); // the spec's example id is 0, a valid id
    BOOST_TEST(tags.tags[0].text == "Kiểm hàng");

    auto users = must_decode<users_snapshot>(response_example(spec, "/pages/{page_id}/users", "get"));
    BOOST_TEST(users.users.at(0).id == user_id("c4bafd84-7b96-4f28-b59a-031f17c32ddf"));
    BOOST_TEST(!users.round_robin_users.inbox.empty());

    auto rr = must_decode<round_robin_result>(response_example(spec, "/pages/{page_id}/round_robin_users", "post"));
    BOOST_TEST(rr.message == "Cài đặt đã được cập nhật thành công");

    must_decode<tag_update_result>(
        response_example(spec, "/pages/{page_id}/conversations/{conversation_id}/tags", "post"));
    must_decode<assign_result>(
        response_example(spec, "/pages/{page_id}/conversations/{conversation_id}/assign", "post"));
    must_decode<status_result>(response_example(spec, "/pages/{page_id}/conversations/{conversation_id}/read", "post"));
    must_decode<status_result>(
        response_example(spec, "/pages/{page_id}/conversations/{conversation_id}/unread", "post"));
    auto convs = must_decode<conversation_list>(response_example(spec, "/pages/{page_id}/conversations", "get"));
    BOOST_TEST(convs.conversations.size() == 1u);
    // The older generic schema's string tags decode as text-only tags.
    BOOST_TEST(convs.conversations[0].tags.at(0)->text == "string");
    must_decode<message_list>(
        response_example(spec, "/pages/{page_id}/conversations/{conversation_id}/messages", "get"));
    must_decode<send_message_result>(
        response_example(spec, "/pages/{page_id}/conversations/{conversation_id}/messages", "post"));
    must_decode<page_list>(response_example(spec, "/pages", "get"));
}

BOOST_AUTO_TEST_CASE(every_spec_request_example_round_trips) {
    auto spec = load(PANCAKE_TEST_DATA "/openapi-pancake-2026-03.json");
    example_builder b{spec.as_object()};
    for (auto name : {"InboxMessage", "ReplyComment", "PrivateReply"}) {
        auto ex = b.build(spec.at("components").at("schemas").at(name));
        auto m = must_decode<send_message_request>(ex);
        auto again = must_decode<send_message_request>(encode(m));
        BOOST_TEST(encode(again) == encode(m));
    }
    auto tag_req = spec.at("paths")
                       .at("/pages/{page_id}/conversations/{conversation_id}/tags")
                       .at("post")
                       .at("requestBody")
                       .at("content")
                       .at("application/json")
                       .at("schema");
    json::value tr = b.build(tag_req);
    tr.as_object()["tag_id"] = "5";
    auto t = must_decode<tag_request>(tr);
    BOOST_TEST(t.tag_id == tag_id(5));
    BOOST_TEST(encode_string(t) == R"({"action":"add","tag_id":"5"})"); // string on the wire
}

BOOST_AUTO_TEST_CASE(api_reference_examples_decode) {
    auto ex = load(PANCAKE_TEST_DATA "/api_examples.json");
    auto tu = must_decode<tag_update_result>(ex.at("tag_add"));
    BOOST_TEST((tu.data == std::vector<tag_id>{tag_id(1), tag_id(3), tag_id(5)}));
    BOOST_TEST(tu.timestamp == 1710680000);
    auto users = must_decode<users_snapshot>(ex.at("users"));
    BOOST_TEST(!users.users[0].page_permissions.has_value()); // null tolerated
    BOOST_TEST(users.disabled_users.at(0).name == "Khanh khanh");
    auto conv = must_decode<conversation>(ex.at("conversation"));
    BOOST_TEST(conv.tags.size() == 3u);
    BOOST_TEST(!conv.tags[1].has_value()); // null entry for a deleted tag
    BOOST_TEST((conv.tag_ids() == std::vector<tag_id>{tag_id(61), tag_id(65)}));
    BOOST_TEST(conv.updated_at->to_string() == "2021-08-26T06:29:56.000000");
    BOOST_TEST(conv.assignee_histories.at(0).payload.added_users.at(0).name == "Anh Ngoc Nguyen");

    for (auto name : {"webhook_messaging", "webhook_conversation", "webhook_connect_status", "webhook_post",
                      "webhook_subscription"}) {
        diagnostics d;
        auto ev = parse_webhook(json::serialize(ex.at(name)), &d);
        BOOST_TEST_REQUIRE(ev.has_value(), name << " failed at " << d.field_path());
    }
    auto conv_ev = std::get<conversation_event>(*parse_webhook(json::serialize(ex.at("webhook_conversation"))));
    BOOST_TEST((conv_ev.data.conversation.tags == std::vector<tag_id>{tag_id(2), tag_id(3), tag_id(4)}));
    BOOST_TEST(*conv_ev.data.conversation.version == 306);
    BOOST_TEST(conv_ev.request_id == "6d536a7a-0000-4000-8000-000000000000");
    auto msg_ev = std::get<messaging_event>(*parse_webhook(json::serialize(ex.at("webhook_messaging"))));
    BOOST_TEST(msg_ev.data.message.id == message_id("tt_7452304119832249857"));
    BOOST_TEST(
        std::holds_alternative<subscription_event>(*parse_webhook(json::serialize(ex.at("webhook_subscription")))));
}

BOOST_AUTO_TEST_CASE(malformed_input_fails_with_a_field_path) {
    struct bad_case {
        const char* body;
        errc code;
        const char* path;
    };
    const bad_case cases[] = {
        {R"({"tags":[{"id":1,"text":"a"},{"text":"b"}]})", errc::missing_field, "tags[1].id"},
        {R"({"tags":[{"id":"x1","text":"a"}]})", errc::wrong_field_type, "tags[0].id"},
        {R"({"tags":{"id":1}})", errc::wrong_field_type, "tags"},
        {R"({"tagz":[]})", errc::missing_field, "tags"},
        {R"([1,2])", errc::wrong_field_type, "<root>"},
        {R"({"tags":[{"id":1.5,"text":"a"}]})", errc::wrong_field_type, "tags[0].id"},
    };
    for (auto& c : cases) {
        diagnostics d;
        auto r = decode<tag_list>(std::string_view(c.body), &d);
        BOOST_TEST_REQUIRE(r.has_error(), c.body);
        BOOST_TEST(r.error() == make_error_code(c.code), c.body);
        BOOST_TEST(d.field_path() == c.path, c.body);
    }
    diagnostics d;
    auto r =
        decode<conversation_list>(std::string_view(R"({"conversations":[{"id":"a","updated_at":"yesterday"}]})"), &d);
    BOOST_TEST(r.error() == make_error_code(errc::wrong_field_type));
    BOOST_TEST(d.field_path() == "conversations[0].updated_at");
    auto bad_json = decode<tag_list>(std::string_view(R"({"tags":[)"), &d);
    BOOST_TEST(bad_json.error() == make_error_code(errc::unexpected_response));
    BOOST_TEST(parse_webhook(R"({"page_id":"1"})").error() == make_error_code(errc::missing_field));
    BOOST_TEST(parse_webhook(R"({"event_type":"messaging","page_id":"1","data":{"conversation":{}}})").has_error());
}

BOOST_AUTO_TEST_CASE(lenient_where_the_api_is_loose) {
    auto u = must_decode<users_snapshot>(json::parse(
        R"({"users":[{"id":"u1","name":null,"unknown":{"deep":[1]},"is_online":null}],"disabled_users":null,"success":true})"));
    BOOST_TEST(u.users[0].name.empty());
    BOOST_TEST(u.disabled_users.empty());
    auto t = must_decode<tag>(json::parse(R"({"id":"7","text":"x"})")); // id as string
    BOOST_TEST(t.id == tag_id(7));
    auto c = must_decode<conversation>(json::parse(R"({"id":123456,"tags":[5,"6",null,{"id":7,"text":"VIP"}]})"));
    BOOST_TEST(c.id == conversation_id("123456"));
    BOOST_TEST((c.tag_ids() == std::vector<tag_id>{tag_id(5), tag_id(6), tag_id(7)}));
}

BOOST_AUTO_TEST_CASE(requests_omit_absent_optionals) {
    round_robin_update u;
    u.inbox = std::vector<user_id>{user_id("a")};
    BOOST_TEST(encode_string(u) == R"({"inbox":["a"]})");
    auto m = send_message_request::inbox_reply("Dạ shop chào bạn");
    BOOST_TEST(encode_string(m) == R"({"action":"reply_inbox","message":"Dạ shop chào bạn"})");
}

BOOST_AUTO_TEST_CASE(model_round_trips_through_json) {
    auto ex = load(PANCAKE_TEST_DATA "/api_examples.json");
    auto conv = must_decode<conversation>(ex.at("conversation"));
    auto again = must_decode<conversation>(encode(conv));
    BOOST_TEST(json::serialize(encode(again)) == json::serialize(encode(conv)));
    auto ev = must_decode<conversation_event>(ex.at("webhook_conversation"));
    BOOST_TEST(json::serialize(encode(must_decode<conversation_event>(encode(ev)))) == json::serialize(encode(ev)));
}

BOOST_AUTO_TEST_CASE(strong_ids_do_not_convert) {
    static_assert(!std::is_convertible_v<page_id, conversation_id>);
    static_assert(!std::is_convertible_v<std::string, user_id>);
    static_assert(!std::is_convertible_v<std::int64_t, tag_id>);
    static_assert(!std::is_constructible_v<page_id, conversation_id>);
    BOOST_TEST(tag_id(0) < tag_id(1));
}

BOOST_AUTO_TEST_CASE(send_validation_follows_the_documented_rules) {
    BOOST_TEST(!send_message_request::inbox_reply("hi").validate());
    auto both = send_message_request::inbox_reply("hi");
    both.content_ids = std::vector<std::string>{"c1"};
    BOOST_TEST(both.validate().has_value());
    send_message_request bad;
    bad.action = "private_reply"; // the documented trap
    bad.message = "x";
    BOOST_TEST(bad.validate().has_value());
    BOOST_TEST(bad.validate()->code == pancake::errc::invalid_argument);
    send_message_request comment;
    comment.action = "reply_comment";
    comment.message = "x";
    BOOST_TEST(comment.validate()->message == "Missing required field: 'message_id'");
    auto many = send_message_request::inbox_reply("");
    many.message.reset();
    many.content_ids = std::vector<std::string>(11, "c");
    BOOST_TEST(!many.validate("facebook"));
    BOOST_TEST(many.validate("instagram").has_value());
    BOOST_TEST(many.validate("tiktok").has_value());
}

BOOST_AUTO_TEST_CASE(timestamps_parse_the_naive_utc_forms) {
    BOOST_TEST(utc_time::parse("2021-08-26T06:29:56")->unix_seconds() == 1629959396);
    BOOST_TEST(utc_time::parse("2024-12-25T11:06:07.000000")->to_string() == "2024-12-25T11:06:07.000000");
    BOOST_TEST(utc_time::parse("2024-12-25T11:06:07.5Z")->to_string() == "2024-12-25T11:06:07.500000");
    BOOST_TEST(!utc_time::parse("2024-13-25T11:06:07"));
    BOOST_TEST(!utc_time::parse("2024-12-25"));
    BOOST_TEST(!utc_time::parse("2024-12-25T11:06:07x"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(category_and_classification) {
    error_code ec = errc::rate_limited;
    BOOST_TEST(ec.category().name() == std::string("pancake"));
    BOOST_TEST(is_transient(ec));
    BOOST_TEST(!is_transient(errc::invalid_token));
    diagnostics d;
    json::value v;
    using detail::classify_response;
    BOOST_TEST(classify_response(200, R"({"success":false,"message":"Invalid access_token","error_code":102})", v, d) ==
               errc::invalid_token);
    BOOST_TEST(d.api_error_code().value_or(0) == 102);
    BOOST_TEST(classify_response(200, R"({"success":false,"message":"An error occurred. Please try again later."})", v,
                                 d) == errc::transient_api_error);
    BOOST_TEST(classify_response(200, R"({"success":false,"message":"nope"})", v, d) == errc::api_error);
    BOOST_TEST(classify_response(429, R"({"success":false,"message":"slow down"})", v, d) == errc::rate_limited);
    BOOST_TEST(classify_response(503, "<html>down</html>", v, d) == errc::server_error);
    BOOST_TEST(classify_response(200, "<!DOCTYPE html><html></html>", v, d) == errc::unexpected_response);
    BOOST_TEST(classify_response(200, R"({"success": tru)", v, d) == errc::unexpected_response);
    BOOST_TEST(classify_response(401, "", v, d) == errc::unauthorized);
    BOOST_TEST(classify_response(404, R"({"success":false})", v, d) == errc::not_found);
    BOOST_TEST(classify_response(400, R"({"success":false,"message":"ad_ids is required"})", v, d) == errc::api_error);
    BOOST_TEST(!classify_response(200, R"({"tags":[]})", v, d));
}

BOOST_AUTO_TEST_CASE(no_token_survives_into_diagnostics_or_exceptions) {
    const std::string token = "pat_SECRET_1234567890";
    diagnostics d;
    d.set_url("https://pages.fm/api/public_api/v1/pages/1/tags?page_access_token=" + token + "&x=1");
    d.set_body_excerpt("echo: " + token, token);
    json::value v;
    detail::classify_response(200, R"({"success":false,"message":"bad token )" + token + R"("})", v, d, token);
    d.set_client_message("failed");
    error_with_diagnostics e(make_error_code(errc::api_error), d);
    for (const std::string& text : {d.url(), d.body_excerpt(), d.to_string(), d.api_message(), std::string(e.what())}) {
        BOOST_TEST(text.find(token) == std::string::npos, text);
    }
    BOOST_TEST(d.url().find("page_access_token=REDACTED") != std::string::npos);
    BOOST_TEST(detail::redact_url("/x?access_token=abc&page_access_token=def") ==
               "/x?access_token=REDACTED&page_access_token=REDACTED");
    BOOST_TEST(detail::redact_url("%%%bad url") == "<unparseable url>");
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace types_test

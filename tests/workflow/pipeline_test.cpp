// workflow::pipeline: its configuration (errors name the field) and its actions against the
// simulator in memory: tags from the keyword rules, round-robin assignment of an unassigned
// conversation, mark read, the page's own messages left alone, and a failed action retried.
#include "support/memory_world.hpp"
#include <pancake/webhook/event.hpp>
#include <pancake/workflow/pipeline.hpp>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <set>
#include <string>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace pipeline_test {

namespace asio = boost::asio;
namespace wf = pancake::workflow;
using namespace pancake;

namespace {

const page_id shop{"100000000000001"};
const std::string shop_token = "pat_hoamai_7f3c2a91e4b84d0c";
const std::string an = "c4bafd84-7b96-4f28-b59a-031f17c32ddf";
const std::string binh = "fb5ff8ed-434b-4d4b-a213-b595b242b81a";

const char* const bot_config = R"({"rules":[
  {"tag":"Đặt hàng","keywords":["đặt hàng","mua"]},
  {"tag":"Hỏi giá","keywords":["giá"],"accent_sensitive":true},
  {"tag":"Không có","keywords":["ma"]}],
  "staff":["c4bafd84-7b96-4f28-b59a-031f17c32ddf","fb5ff8ed-434b-4d4b-a213-b595b242b81a"],
  "mark_read":true})";

// A messaging envelope as the simulator sends it (the fields the pipeline reads).
webhook::received_event message_event(const std::string& conv, const std::string& text, const std::string& from,
                                      bool assigned, const std::string& id) {
    boost::json::object env{{"page_id", shop.value()},
                            {"event_type", "messaging"},
                            {"data",
                             {{"conversation",
                               {{"id", conv},
                                {"type", "INBOX"},
                                {"assignee_ids", assigned ? boost::json::array{an} : boost::json::array{}}}},
                              {"message", {{"id", id}, {"original_message", text}, {"from", {{"id", from}}}}}}}};
    auto e = webhook::parse_event(boost::json::serialize(env));
    BOOST_REQUIRE(e);
    return std::move(*e);
}

std::string fresh_conversation(test::memory_world& w, const std::string& psid) {
    // A customer nobody has talked to yet: the round robin is off on this page for the test.
    sim::customer_message m;
    m.psid = psid;
    m.name = "Khách";
    m.text = "xin chào";
    auto out = w.server.model().inject(shop.value(), m, w.vclock.system_now());
    BOOST_REQUIRE(out.resp.status == 200u);
    return shop.value() + "_" + psid;
}

struct rig : test::memory_world {
    wf::memory_cursor_store cursors;
    std::vector<wf::pipeline_action> journal;
    std::optional<wf::pipeline> pipe;
    rig() {
        api.add_page(shop, shop_token);
        auto cfg = wf::pipeline_config::parse(bot_config);
        BOOST_REQUIRE(cfg);
        pipe.emplace(api, std::move(*cfg), cursors, [this](const wf::pipeline_action& a) { journal.push_back(a); });
    }
    std::exception_ptr handle(webhook::received_event e) {
        bool done = false;
        std::exception_ptr err;
        asio::co_spawn(ioc, pipe->handle(std::move(e)), [&](std::exception_ptr x) {
            err = x;
            done = true;
        });
        run([&] { return done; });
        return err;
    }
    const conversation& conv(const std::string& id) { return *server.model().find_conversation(shop.value(), id); }
    std::set<std::int64_t> tags(const std::string& id) {
        std::set<std::int64_t> out;
        for (auto& t : conv(id).tags)
            if (t && t->id) out.insert(t->id->value());
        return out;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(pipeline)

BOOST_AUTO_TEST_CASE(config_errors_name_the_field) {
    auto ok = wf::pipeline_config::parse(bot_config);
    BOOST_REQUIRE(ok);
    BOOST_TEST(ok->staff.size() == 2u);
    BOOST_TEST(ok->mark_read);
    BOOST_TEST(ok->assign_unassigned);
    BOOST_TEST(ok->rules.rules().size() == 3u);

    auto per_page = wf::pipeline_config::parse(R"({"rules":[],"staff":{"100000000000001":["x"],"2":[]}})");
    BOOST_REQUIRE(per_page);
    BOOST_TEST(per_page->staff_of(shop).size() == 1u);
    BOOST_TEST(per_page->staff_of(page_id("3")).empty());

    auto err = [](const char* text) { return wf::pipeline_config::parse(text).error().message; };
    BOOST_TEST(err(R"({"rules":[],"stafff":[]})") ==
               "stafff: unknown field (rules, assign_unassigned, staff, mark_read)");
    BOOST_TEST(err(R"({"rules":[],"staff":"an"})") == "staff: must be an array of user ids, not a string");
    BOOST_TEST(err(R"({"rules":[],"staff":{"1":[7]}})") == "staff.1[0]: must be a user id (a string)");
    BOOST_TEST(err(R"({"rules":[],"mark_read":"yes"})") == "mark_read: must be true or false, not a string");
    BOOST_TEST(err(R"({"staff":[]})") == "rules: missing (an array of rules)");
    BOOST_TEST(err(R"({"rules":[],"staff":["a","b","a"]})") == "staff[2]: repeats a user id");
    BOOST_TEST(err(R"({"rules":[],"staff":{"":["a"]}})") == "staff: has an empty page id");
    BOOST_TEST(err(R"({"rules":[{"tag":"A","keywords":[]}]})").starts_with("rules[0].keywords"));
    BOOST_TEST(err("[1]") == "must be a JSON object, not an array");
    BOOST_TEST(err("{").starts_with("not valid JSON"));
}

BOOST_AUTO_TEST_CASE(tags_assigns_and_marks_read) {
    rig r;
    const auto c1 = fresh_conversation(r, "200000000000101");
    const auto c2 = fresh_conversation(r, "200000000000102");
    // Whatever the simulator's own round robin did, the events say "nobody assigned".
    BOOST_TEST(
        !r.handle(message_event(c1, "Cho mình ĐẶT HÀNG 2 cái ma, gia bao nhiêu?", "200000000000101", false, "m1")));
    // "Đặt hàng" (id 1) by its keyword, case-folded; "gia" is not "giá" (accent-sensitive rule);
    // "Không có" names no tag of the page: reported, not retried.
    BOOST_TEST(r.tags(c1).count(1) == 1u);
    BOOST_TEST(r.tags(c1).count(3) == 0u);
    BOOST_TEST_REQUIRE(r.conv(c1).assignee_ids.size() == 1u);
    BOOST_TEST(r.conv(c1).assignee_ids[0].value() == an);
    BOOST_TEST(r.conv(c1).seen);

    BOOST_TEST(!r.handle(message_event(c2, "mua 1 cái", "200000000000102", false, "m2")));
    BOOST_TEST_REQUIRE(r.conv(c2).assignee_ids.size() == 1u);
    BOOST_TEST(r.conv(c2).assignee_ids[0].value() == binh); // the round robin moved on

    std::vector<std::string> kinds;
    for (auto& a : r.journal)
        kinds.push_back(a.what + ":" + a.detail);
    const std::vector<std::string> want{
        "tag:Đặt hàng", "unknown_tag:Không có", "assign:" + an, "read:", "tag:Đặt hàng", "assign:" + binh, "read:"};
    BOOST_TEST(kinds == want, boost::test_tools::per_element());
    BOOST_TEST(r.pipe->stats().messages == 2u);
    BOOST_TEST(r.pipe->stats().assigned == 2u);
}

BOOST_AUTO_TEST_CASE(leaves_echoes_assigned_and_unmatched_alone) {
    rig r;
    const auto c = fresh_conversation(r, "200000000000103");
    const auto before = r.server.journal().size();
    // The page's own message, and one that matches nothing in an assigned conversation.
    BOOST_TEST(!r.handle(message_event(c, "mua", shop.value(), false, "m3")));
    BOOST_TEST(r.server.journal().size() == before); // an echo: no call at all
    auto e = message_event(c, "cảm ơn", "200000000000103", true, "m4");
    BOOST_TEST(!r.handle(e));
    for (auto& a : r.journal)
        BOOST_TEST(a.what == "read"); // mark_read only: no tag, no assignment
}

BOOST_AUTO_TEST_CASE(a_failed_action_throws_for_the_processor_to_retry) {
    rig r;
    const auto c = fresh_conversation(r, "200000000000104");
    r.faults(R"({"rules":[{"route":"tags.update","kind":"server_error"}]})");
    auto err = r.handle(message_event(c, "mua", "200000000000104", false, "m5"));
    BOOST_REQUIRE(err);
    BOOST_CHECK_THROW(std::rethrow_exception(err), boost::system::system_error);
    BOOST_TEST(r.pipe->stats().failures == 1u);
    BOOST_TEST_REQUIRE(!r.journal.empty());
    BOOST_TEST(r.journal.back().what == "tag");
    BOOST_TEST(r.journal.back().ec.failed());
    for (auto& a : r.journal)
        BOOST_TEST(a.what != "assign"); // the event stopped at the failed tag; the retry does the rest
}

BOOST_AUTO_TEST_CASE(a_retried_event_assigns_the_same_person) {
    rig r;
    const auto c = fresh_conversation(r, "200000000000105");
    // Tag and assign succeed, marking read fails: the processor retries the whole event.
    r.faults(R"({"rules":[{"route":"read","kind":"server_error"}]})");
    const auto e = message_event(c, "mua", "200000000000105", false, "m6");
    BOOST_TEST(static_cast<bool>(r.handle(e)));
    BOOST_TEST_REQUIRE(r.conv(c).assignee_ids.size() == 1u);
    BOOST_TEST(r.conv(c).assignee_ids[0].value() == an);
    r.faults(R"({"rules":[]})");
    BOOST_TEST(!r.handle(e));
    BOOST_TEST_REQUIRE(r.conv(c).assignee_ids.size() == 1u);
    BOOST_TEST(r.conv(c).assignee_ids[0].value() == an); // not the next in the rotation
    BOOST_TEST(r.conv(c).seen);
    // A new event goes on with the rotation.
    const auto c2 = fresh_conversation(r, "200000000000106");
    BOOST_TEST(!r.handle(message_event(c2, "mua", "200000000000106", false, "m7")));
    BOOST_TEST(r.conv(c2).assignee_ids.at(0).value() == binh);
}

BOOST_AUTO_TEST_CASE(an_unassigned_snapshot_older_than_its_own_assignment_is_left_alone) {
    rig r;
    const auto c = fresh_conversation(r, "200000000000107");
    auto sent_at = [&](const std::string& id, const std::string& when) {
        auto e = message_event(c, "mua", "200000000000107", false, id);
        e.raw.at("data").at("message").as_object()["inserted_at"] = when;
        return e;
    };
    BOOST_TEST(!r.handle(sent_at("m8", "2000-01-01T00:00:00")));
    BOOST_TEST_REQUIRE(r.conv(c).assignee_ids.size() == 1u);
    BOOST_TEST(r.conv(c).assignee_ids[0].value() == an);
    // A backlog: a message sent before that assignment, its snapshot still "nobody assigned".
    BOOST_TEST(!r.handle(sent_at("m9", "2000-01-01T00:00:01.5")));
    BOOST_TEST(r.conv(c).assignee_ids.at(0).value() == an); // not handed on to Bình
    BOOST_TEST(r.pipe->stats().assigned == 1u);
    BOOST_TEST(r.pipe->stats().stale_unassigned == 1u);
    // Sent after it and still unassigned: someone unassigned it since; the rotation goes on.
    BOOST_TEST(!r.handle(sent_at("m10", "2100-01-01T00:00:00")));
    BOOST_TEST(r.conv(c).assignee_ids.at(0).value() == binh);
    BOOST_TEST(r.pipe->stats().assigned == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace pipeline_test

// The simulator's page customers, notes, posts, SIP call logs and ads export, through the pure
// model (world::handle): shapes, paging, every bad parameter, state changes, snapshots.
#include <pancake/pancake.hpp>
#include <sim/server.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <set>
#include <tuple>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace customers_test {

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

const std::string P1 = "100000000000001", T1 = "pat_hoamai_7f3c2a91e4b84d0c";
const std::string P2 = "100000000000002", T2 = "pat_senvang_5d1e8b7a3c6f4e21";
const std::string HUONG = "d1e2f3a4-0000-4000-8000-000000000001", TUAN = "d1e2f3a4-0000-4000-8000-000000000002",
                  LAN = "d1e2f3a4-0000-4000-8000-000000000003";
const std::string ALL = "&since=0&until=2000000000";

struct model {
    pancake::sim::world w;
    pancake::sim::steady_time now{};
    pancake::sim::wall_time wall = pancake::sim::wall_time(std::chrono::seconds(1'767'312'000)); // 2026-01-02
    explicit model(std::uint64_t seed = 1, pancake::sim::rate_limit_config rl = {0, {}, false, false})
        : w(seed, {}, rl) {
        std::string err;
        BOOST_REQUIRE_MESSAGE(w.load_fixture(pancake::sim::sample_fixture(), err), err);
    }
    pancake::sim::handle_result call(std::string method, std::string target, std::string body = {}) {
        now += 1ms;
        wall += 1ms;
        return w.handle({std::move(method), std::move(target), std::move(body)}, now, wall);
    }
    static std::string url(const std::string& page, const std::string& tail, const std::string& query = {}) {
        const auto& token = page == P1 ? T1 : T2;
        return "/api/public_api/v1/pages/" + page + "/" + tail + "?page_access_token=" + token + query;
    }
    json::value get(const std::string& page, const std::string& tail, const std::string& query) {
        auto r = call("GET", url(page, tail, query));
        BOOST_TEST(r.resp.status == 200u, r.resp.body);
        return json::parse(r.resp.body);
    }
    json::value customers(const std::string& page, const std::string& query = "&page_number=1" + ALL) {
        return get(page, "page_customers", query);
    }
    /// The customer with this id on the first page of everything.
    json::object customer(const std::string& page, const std::string& id) {
        auto all = customers(page, "&page_number=1&page_size=100" + ALL);
        for (auto& c : all.at("customers").as_array())
            if (c.at("id").as_string() == id) return c.as_object();
        BOOST_FAIL("no customer " + id);
        return {};
    }
    std::string now_text() const {
        return pancake::utc_time(std::chrono::time_point_cast<std::chrono::microseconds>(wall)).to_string();
    }
    std::int64_t now_ms() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count();
    }
};

std::vector<std::string> ids_of(const json::value& list, const char* key, const char* id = "id") {
    std::vector<std::string> out;
    for (auto& x : list.at(key).as_array())
        out.emplace_back(x.at(id).as_string());
    return out;
}

/// A 400 with {success:false, message} exactly.
void expect_400(const pancake::sim::handle_result& r, const std::string& message) {
    BOOST_TEST(r.resp.status == 400u, message);
    auto b = json::parse(r.resp.body);
    BOOST_TEST(b.at("success") == false);
    BOOST_TEST(b.at("message").as_string() == message);
}

} // namespace

BOOST_AUTO_TEST_SUITE(sim_customers)

BOOST_AUTO_TEST_CASE(listing_shapes_from_fixture_and_conversations) {
    model m;
    auto b = m.customers(P1);
    BOOST_TEST(b.at("success") == true);
    BOOST_TEST(b.at("total") == 3);
    // Newest first by inserted_at.
    BOOST_TEST(ids_of(b, "customers") == (std::vector<std::string>{TUAN, LAN, HUONG}));
    auto huong = m.customer(P1, HUONG);
    BOOST_TEST(huong.at("psid") == "200000000000001");
    BOOST_TEST(huong.at("name") == "Ngô Thị Hương");
    BOOST_TEST(huong.at("gender") == "female");
    BOOST_TEST(huong.at("birthday") == "1996-03-08");
    BOOST_TEST(huong.at("lives_in") == "Quận 3, TP. Hồ Chí Minh");
    BOOST_TEST(huong.at("phone_numbers") == json::parse(R"(["0901234567"])"));
    BOOST_TEST(huong.at("inserted_at") == "2025-11-15T08:00:00");
    BOOST_TEST(huong.at("updated_at") == "2026-01-01T00:05:00");
    auto& notes = huong.at("notes").as_array();
    BOOST_TEST_REQUIRE(notes.size() == 2u);
    BOOST_TEST(notes[0].at("id") == "6f1c2d3e-0000-4000-8000-00000000a001");
    BOOST_TEST(notes[0].at("created_at") == 1763193600000);
    BOOST_TEST(notes[0].at("created_by") == json::parse(R"({"fb_id":"116256249766099","fb_name":"Nguyễn Văn An",
                              "uid":"c4bafd84-7b96-4f28-b59a-031f17c32ddf"})"));
    BOOST_TEST(notes[0].at("removed_at").is_null());
    BOOST_TEST(notes[0].at("updated_at").is_null());
    BOOST_TEST(notes[0].at("edit_history").as_array().empty());
    BOOST_TEST(!notes[0].as_object().contains("order_id")); // not nullable in the spec: left out
    BOOST_TEST(notes[1].at("order_id") == "HM-2025-1187");
    // Nullable fields are null, not missing.
    auto lan = m.customer(P1, LAN);
    for (auto key : {"gender", "birthday", "lives_in"})
        BOOST_TEST(lan.at(key).is_null(), key);
    BOOST_TEST(lan.at("updated_at") == "2025-12-30T12:00:00"); // defaults to inserted_at
    BOOST_TEST(lan.at("notes").as_array().empty());

    // Page 2: one listed customer, six implied by its conversations' customers[].
    auto two = m.customers(P2, "&page_number=1&page_size=100" + ALL);
    BOOST_TEST(two.at("total") == 7);
    auto ha = m.customer(P2, "e1f2a3b4-0000-4000-8000-000000000011");
    BOOST_TEST(ha.at("psid") == "510000000000001");
    BOOST_TEST(ha.at("name") == "Trịnh Thu Hà");
    BOOST_TEST(ha.at("inserted_at") == "2025-12-18T05:00:00");
    BOOST_TEST(ha.at("updated_at") == "2025-12-18T05:20:00");
    BOOST_TEST(ha.at("phone_numbers").as_array().empty());
}

BOOST_AUTO_TEST_CASE(paging_order_and_window) {
    model m;
    std::vector<std::string> seen;
    for (int n = 1; n <= 3; ++n) {
        auto b = m.customers(P2, "&page_size=3&page_number=" + std::to_string(n) + ALL);
        BOOST_TEST(b.at("total") == 7); // the whole match, on every page
        auto ids = ids_of(b, "customers");
        BOOST_TEST(ids.size() == (n < 3 ? 3u : 1u));
        seen.insert(seen.end(), ids.begin(), ids.end());
    }
    BOOST_TEST(std::set<std::string>(seen.begin(), seen.end()).size() == 7u); // no repeats, none lost
    auto past = m.customers(P2, "&page_size=3&page_number=4" + ALL);
    BOOST_TEST(past.at("customers").as_array().empty());
    BOOST_TEST(past.at("total") == 7);
    // Newest first; order_by=updated_at orders (and filters) on updated_at.
    BOOST_TEST(ids_of(m.customers(P1, "&page_number=1&order_by=updated_at" + ALL), "customers") ==
               (std::vector<std::string>{HUONG, TUAN, LAN}));
    // since/until: from 2025-12-30T00:00 on inserted_at, then on updated_at.
    auto window = "&page_number=1&since=1767052800&until=1767312000";
    BOOST_TEST(ids_of(m.customers(P1, window), "customers") == (std::vector<std::string>{TUAN, LAN}));
    BOOST_TEST(ids_of(m.customers(P1, std::string(window) + "&order_by=updated_at"), "customers") ==
               (std::vector<std::string>{HUONG, TUAN, LAN}));
    // page_size defaults to 20.
    model big;
    for (int i = 0; i < 25; ++i)
        big.w.inject(P1, {"88" + std::to_string(100 + i), "Khách", "alo", "INBOX", {}, {}}, big.wall);
    auto first = big.customers(P1);
    BOOST_TEST(first.at("total") == 28);
    BOOST_TEST(first.at("customers").as_array().size() == 20u);
}

BOOST_AUTO_TEST_CASE(bad_parameters_and_tokens) {
    model m;
    auto list = [&](const std::string& q) { return m.call("GET", model::url(P1, "page_customers", q)); };
    expect_400(list("&page_number=1&until=2000000000"), "since is required");
    expect_400(list("&page_number=1&since=0"), "until is required");
    expect_400(list("&page_number=1&since=yesterday&until=2000000000"), "since must be unix seconds");
    expect_400(list("&page_number=1&since=0&until=1.5"), "until must be unix seconds");
    expect_400(list("&page_number=1&since=20&until=10"), "since must not be after until");
    expect_400(list(ALL), "page_number is required");
    expect_400(list("&page_number=0" + ALL), "page_number must be an integer of at least 1");
    expect_400(list("&page_number=x" + ALL), "page_number must be an integer");
    expect_400(list("&page_number=1&page_size=101" + ALL), "page_size must be an integer from 1 to 100");
    expect_400(list("&page_number=1&page_size=0" + ALL), "page_size must be an integer from 1 to 100");
    expect_400(list("&page_number=1&order_by=name" + ALL), "order_by must be inserted_at or updated_at");
    BOOST_TEST(list("&page_number=1&page_size=100" + ALL).resp.status == 200u);
    // errors_as_200: the same body with HTTP 200.
    m.w.behaviour_config().errors_as_200 = true;
    auto as200 = list("&page_number=0" + ALL);
    BOOST_TEST(as200.resp.status == 200u);
    BOOST_TEST(json::parse(as200.resp.body).at("success") == false);
    m.w.behaviour_config().errors_as_200 = false;
    // Tokens: another page's token, none, a wrong one: the 102 body, on every new route.
    const std::string base = "/api/public_api/v1/pages/" + P1 + "/";
    for (auto [method, tail] :
         std::vector<std::pair<std::string, std::string>>{{"GET", "page_customers"},
                                                          {"PUT", "page_customers/" + HUONG},
                                                          {"POST", "page_customers/" + HUONG + "/notes"},
                                                          {"PUT", "page_customers/" + HUONG + "/notes"},
                                                          {"DELETE", "page_customers/" + HUONG + "/notes"},
                                                          {"GET", "posts"},
                                                          {"GET", "sip_call_logs"},
                                                          {"GET", "export_data"}}) {
        for (auto token : {"?page_access_token=" + T2, std::string("?page_access_token=nope"), std::string()}) {
            auto r = m.call(method, base + tail + token, R"({"message":"x"})");
            BOOST_TEST(r.resp.body == R"({"success":false,"message":"Invalid access_token","error_code":102})",
                       method << " " << tail);
        }
    }
    BOOST_TEST(m.customer(P1, HUONG).at("notes").as_array().size() == 2u); // nothing was added
}

BOOST_AUTO_TEST_CASE(rate_limit_applies) {
    model m(1, {5, {}, false, false});
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(m.call("GET", model::url(P1, "page_customers", "&page_number=1" + ALL)).resp.status == 200u);
    BOOST_TEST(m.call("GET", model::url(P1, "posts", "&page_number=1&page_size=5" + ALL)).resp.status == 429u);
}

BOOST_AUTO_TEST_CASE(route_names) {
    auto name = [](std::string method, std::string tail) {
        return pancake::sim::world::route_name({std::move(method), "/api/public_api/v1/pages/1/" + tail, {}});
    };
    using rn = std::pair<std::string, std::string>;
    BOOST_TEST((name("GET", "page_customers?since=1") == rn{"customers.list", "1"}));
    BOOST_TEST((name("PUT", "page_customers/abc") == rn{"customers.update", "1"}));
    BOOST_TEST((name("POST", "page_customers/abc/notes") == rn{"notes.add", "1"}));
    BOOST_TEST((name("PUT", "page_customers/abc/notes") == rn{"notes.update", "1"}));
    BOOST_TEST((name("DELETE", "page_customers/abc/notes") == rn{"notes.delete", "1"}));
    BOOST_TEST((name("GET", "posts") == rn{"posts.list", "1"}));
    BOOST_TEST((name("GET", "sip_call_logs") == rn{"call_logs.list", "1"}));
    BOOST_TEST((name("GET", "export_data") == rn{"export.list", "1"}));
    BOOST_TEST((name("POST", "page_customers") == rn{"unknown", "1"}));
    BOOST_TEST((name("GET", "page_customers/abc/notes") == rn{"unknown", "1"}));
}

BOOST_AUTO_TEST_CASE(update_sets_fields_and_validates_each) {
    model m;
    const auto target = model::url(P1, "page_customers/" + LAN);
    auto ok = m.call("PUT", target,
                     R"({"changes":{"name":"Vũ Thị Lan Anh","gender":"female","birthday":"2000-02-29",
                                    "phone_numbers":["0911222333","0911222444"]}})");
    BOOST_TEST(ok.resp.body == R"({"success":true})");
    BOOST_TEST(ok.committed);
    const auto stamp = m.now_text();
    auto lan = m.customer(P1, LAN);
    BOOST_TEST(lan.at("name") == "Vũ Thị Lan Anh");
    BOOST_TEST(lan.at("gender") == "female");
    BOOST_TEST(lan.at("birthday") == "2000-02-29");
    BOOST_TEST(lan.at("phone_numbers") == json::parse(R"(["0911222333","0911222444"])"));
    BOOST_TEST(lan.at("updated_at").as_string() == stamp);
    BOOST_TEST(lan.at("inserted_at") == "2025-12-30T12:00:00");
    // Set semantics: phone_numbers replaced, other fields kept.
    BOOST_TEST(m.call("PUT", target, R"({"changes":{"phone_numbers":[]}})").resp.status == 200u);
    lan = m.customer(P1, LAN);
    BOOST_TEST(lan.at("phone_numbers").as_array().empty());
    BOOST_TEST(lan.at("name") == "Vũ Thị Lan Anh");
    // The same values again change nothing (updated_at stays).
    const auto before = m.customer(P1, LAN).at("updated_at");
    auto same = m.call("PUT", target, R"({"changes":{"gender":"female"}})");
    BOOST_TEST(!same.committed);
    BOOST_TEST(m.customer(P1, LAN).at("updated_at") == before);

    // Every bad field is named, and nothing is applied.
    expect_400(m.call("PUT", target, R"({"changes":{"name":"X","gender":"other"}})"),
               "changes.gender must be male, female or unknown");
    expect_400(m.call("PUT", target, R"({"changes":{"birthday":"1996-02-30"}})"),
               "changes.birthday must be a date YYYY-MM-DD");
    expect_400(m.call("PUT", target, R"({"changes":{"birthday":"08/03/1996"}})"),
               "changes.birthday must be a date YYYY-MM-DD");
    expect_400(m.call("PUT", target, R"({"changes":{"phone_numbers":[912]}})"),
               "changes.phone_numbers must be an array of strings");
    expect_400(m.call("PUT", target, R"({"changes":{"phone_numbers":"0912"}})"),
               "changes.phone_numbers must be an array of strings");
    expect_400(m.call("PUT", target, R"({"changes":{"name":""}})"), "changes.name must be a non-empty string");
    expect_400(m.call("PUT", target, R"({"changes":{"lives_in":"Huế"}})"),
               "changes.lives_in cannot be changed (name, gender, birthday, phone_numbers)");
    expect_400(m.call("PUT", target, R"({"changes":[]})"), "changes must be an object");
    expect_400(m.call("PUT", target, R"({"name":"X"})"), "changes must be an object");
    expect_400(m.call("PUT", target, "{"), "Invalid JSON body");
    BOOST_TEST(m.customer(P1, LAN).at("name") == "Vũ Thị Lan Anh");
    // An unknown customer answers as an unknown conversation does.
    auto unknown = m.call("PUT", model::url(P1, "page_customers/no-such-id"), R"({"changes":{}})");
    BOOST_TEST(unknown.resp.status == 404u);
    BOOST_TEST(unknown.resp.body == R"({"success":false,"message":"Customer not found"})");
    // A customer of another page is unknown here.
    BOOST_TEST(m.call("PUT", model::url(P2, "page_customers/" + LAN), R"({"changes":{}})").resp.status == 404u);
}

BOOST_AUTO_TEST_CASE(notes_add_edit_delete_round_trip) {
    model m;
    const auto notes = model::url(P1, "page_customers/" + HUONG + "/notes");
    auto added = m.call("POST", notes, R"({"message":"Hẹn gọi lại chiều thứ 6"})");
    BOOST_TEST_REQUIRE(added.resp.status == 200u);
    BOOST_TEST(added.committed);
    const auto created_ms = m.now_ms();
    auto a = json::parse(added.resp.body).as_object();
    BOOST_TEST(a.size() == 4u);
    BOOST_TEST(a.at("success") == true);
    BOOST_TEST(a.at("message") == "Ghi chú đã được bổ sung thành công");
    const std::string id(a.at("note_id").as_string());
    BOOST_TEST(id.size() == 36u); // a UUID from the seeded generator
    auto& data = a.at("data").as_array();
    BOOST_TEST_REQUIRE(data.size() == 3u); // all the customer's notes
    BOOST_TEST(data[0].at("id") == "6f1c2d3e-0000-4000-8000-00000000a001");
    auto& n = data[2];
    BOOST_TEST(n.at("id").as_string() == id);
    BOOST_TEST(n.at("message") == "Hẹn gọi lại chiều thứ 6");
    BOOST_TEST(n.at("created_at") == created_ms);
    BOOST_TEST(n.at("created_by") ==
               json::parse(R"({"fb_id":"100000000000001","fb_name":"Shop Thời Trang Hoa Mai","uid":"public_api"})"));
    BOOST_TEST(n.at("removed_at").is_null());
    BOOST_TEST(n.at("updated_at").is_null());
    BOOST_TEST(m.customer(P1, HUONG).at("notes").as_array().size() == 3u);

    // Edit: the old text goes to edit_history, updated_at in ms.
    auto edited = m.call("PUT", notes, R"({"note_id":")" + id + R"(","message":"Gọi lại thứ 7"})");
    BOOST_TEST(edited.resp.body == R"({"success":true})");
    const auto edited_ms = m.now_ms();
    auto note = m.customer(P1, HUONG).at("notes").as_array().at(2);
    BOOST_TEST(note.at("message") == "Gọi lại thứ 7");
    BOOST_TEST(note.at("updated_at") == edited_ms);
    BOOST_TEST(note.at("edit_history") ==
               json::parse(R"([{"message":"Hẹn gọi lại chiều thứ 6","edited_at":)" + std::to_string(edited_ms) + "}]"));
    BOOST_TEST(note.at("created_at") == created_ms);

    // Delete: kept, with removed_at; deleting again changes nothing; editing it is refused.
    auto deleted = m.call("DELETE", notes, R"({"note_id":")" + id + R"("})");
    BOOST_TEST(deleted.resp.body == R"({"success":true})");
    const auto removed_ms = m.now_ms();
    const auto removed_text = m.now_text();
    BOOST_TEST(m.customer(P1, HUONG).at("notes").as_array().at(2).at("removed_at") == removed_ms);
    auto again = m.call("DELETE", notes, R"({"note_id":")" + id + R"("})");
    BOOST_TEST(again.resp.status == 200u);
    BOOST_TEST(!again.committed);
    BOOST_TEST(m.customer(P1, HUONG).at("notes").as_array().at(2).at("removed_at") == removed_ms);
    const auto updated = m.customer(P1, HUONG).at("updated_at");
    BOOST_TEST(updated.as_string() == removed_text); // a note change is a change of the customer
    expect_400(m.call("PUT", notes, R"({"note_id":")" + id + R"(","message":"x"})"),
               "note_id " + id + ": note was removed");
    BOOST_TEST(m.customer(P1, HUONG).at("updated_at") == updated);

    // Bad bodies and unknown ids.
    expect_400(m.call("POST", notes, R"({"message":""})"), "message must not be empty");
    expect_400(m.call("POST", notes, R"({"message":"  "})"), "message must not be empty");
    expect_400(m.call("POST", notes, R"({"message":5})"), "message must be a string");
    expect_400(m.call("POST", notes, R"({})"), "message must be a string");
    expect_400(m.call("POST", notes, "not json"), "Invalid JSON body");
    expect_400(m.call("PUT", notes, R"({"message":"x"})"), "note_id is required");
    expect_400(m.call("PUT", notes, R"({"note_id":"nope","message":"x"})"), "note_id nope: note not found");
    expect_400(m.call("PUT", notes, R"({"note_id":")" + id + R"(","message":""})"), "message must not be empty");
    expect_400(m.call("DELETE", notes, R"({"note_id":"nope"})"), "note_id nope: note not found");
    expect_400(m.call("DELETE", notes, "{}"), "note_id is required");
    auto unknown = m.call("POST", model::url(P1, "page_customers/nope/notes"), R"({"message":"x"})");
    BOOST_TEST(unknown.resp.status == 404u);
    BOOST_TEST(json::parse(unknown.resp.body).at("message") == "Customer not found");
    BOOST_TEST(m.customer(P1, HUONG).at("notes").as_array().size() == 3u);
    // A note of another customer is not found under this one.
    expect_400(m.call("DELETE", model::url(P1, "page_customers/" + TUAN + "/notes"),
                      R"({"note_id":"6f1c2d3e-0000-4000-8000-00000000a001"})"),
               "note_id 6f1c2d3e-0000-4000-8000-00000000a001: note not found");
}

BOOST_AUTO_TEST_CASE(customers_writing_in_become_page_customers) {
    model m;
    auto fresh = m.w.inject(P1, {"990000000000001", "Tạ Quốc Bảo", "Shop ơi", "INBOX", {}, {}}, m.wall);
    BOOST_TEST_REQUIRE(fresh.resp.status == 200u);
    auto conv = json::parse(fresh.resp.body).at("conversation");
    const std::string pcid(conv.at("customers").at(0).at("id").as_string());
    auto bao = m.customer(P1, pcid);
    BOOST_TEST(bao.at("psid") == "990000000000001");
    BOOST_TEST(bao.at("name") == "Tạ Quốc Bảo");
    BOOST_TEST(m.customers(P1).at("total") == 4);
    // A known psid keeps its page-customer id: Lan commented before, now she writes in.
    auto lan = m.w.inject(P1, {"400000000000001", "Vũ Thị Lan", "Inbox nè", "INBOX", {}, {}}, m.wall);
    BOOST_TEST(json::parse(lan.resp.body).at("conversation").at("customers").at(0).at("id").as_string() == LAN);
    BOOST_TEST(m.customers(P1).at("total") == 4);
    // Notes work on the new customer.
    auto note = m.call("POST", model::url(P1, "page_customers/" + pcid + "/notes"), R"({"message":"mới"})");
    BOOST_TEST(json::parse(note.resp.body).at("data").as_array().size() == 1u);
}

BOOST_AUTO_TEST_CASE(snapshot_restore_keeps_customers_and_notes) {
    model m;
    m.call("PUT", model::url(P1, "page_customers/" + TUAN), R"({"changes":{"birthday":"1990-05-01"}})");
    auto added = json::parse(
        m.call("POST", model::url(P1, "page_customers/" + TUAN + "/notes"), R"({"message":"VIP"})").resp.body);
    const std::string id(added.at("note_id").as_string());
    m.call("PUT", model::url(P1, "page_customers/" + TUAN + "/notes"),
           R"({"note_id":")" + id + R"(","message":"VIP!"})");
    m.call("DELETE", model::url(P1, "page_customers/" + HUONG + "/notes"),
           R"({"note_id":"6f1c2d3e-0000-4000-8000-00000000a002"})");
    m.w.inject(P1, {"990000000000002", "Mai Lan", "hi", "INBOX", {}, {}}, m.wall);
    const auto snap = m.w.snapshot();

    model r(7); // another seed: restore brings the generator too
    std::string err;
    BOOST_TEST_REQUIRE(r.w.restore(snap, err), err);
    r.now = m.now;
    r.wall = m.wall;
    auto query = "&page_number=1&page_size=100" + ALL;
    for (auto& page : {P1, P2})
        BOOST_TEST(json::serialize(r.customers(page, query)) == json::serialize(m.customers(page, query)));
    auto tuan = r.customer(P1, TUAN);
    BOOST_TEST(tuan.at("birthday") == "1990-05-01");
    BOOST_TEST(tuan.at("notes").at(0).at("edit_history").at(0).at("message") == "VIP");
    BOOST_TEST(!r.customer(P1, HUONG).at("notes").at(1).at("removed_at").is_null());
    // The restored world goes on as the saved one would: the same next note id.
    const auto notes = model::url(P1, "page_customers/" + LAN + "/notes");
    BOOST_TEST(json::parse(r.call("POST", notes, R"({"message":"a"})").resp.body).at("note_id") ==
               json::parse(m.call("POST", notes, R"({"message":"a"})").resp.body).at("note_id"));
    // reset goes back to the fixture.
    r.w.reset();
    BOOST_TEST(r.customer(P1, TUAN).at("birthday").is_null());
    BOOST_TEST(r.customers(P1).at("total") == 3);
}

BOOST_AUTO_TEST_CASE(same_seed_same_note_ids) {
    auto run = [](std::uint64_t seed) {
        model m(seed);
        std::string ids;
        for (int i = 0; i < 3; ++i)
            ids += std::string(json::parse(m.call("POST", model::url(P1, "page_customers/" + LAN + "/notes"),
                                                  R"({"message":"n"})")
                                               .resp.body)
                                   .at("note_id")
                                   .as_string()) +
                   ",";
        return ids;
    };
    BOOST_TEST(run(1) == run(1));
    BOOST_TEST(run(1) != run(2));
}

BOOST_AUTO_TEST_CASE(fixture_errors_name_the_entry) {
    model m;
    auto load = [&](const std::string& page_extra) {
        std::string err;
        auto fx = json::parse(R"({"pages":[{"id":"9","page_access_token":"t9")" + page_extra + "}]}");
        BOOST_TEST(!m.w.load_fixture(fx, err));
        return err;
    };
    BOOST_TEST(load(R"(,"customers":{})") == "page 9: customers must be an array");
    BOOST_TEST(load(R"(,"customers":[{"id":"a","psid":"1","name":"A","inserted_at":"2026-01-01T00:00:00",
                                       "birthday":"1990-13-01"}])") ==
               "page 9: customers[0]: birthday must be a date YYYY-MM-DD");
    BOOST_TEST(load(R"(,"customers":[{"id":"a","psid":"1","name":"A"}])") ==
               "page 9: customers[0]: inserted_at is required");
    BOOST_TEST(load(R"(,"customers":[{"id":"a","psid":"1","name":"A","inserted_at":"2026-01-01T00:00:00"},
                                      {"id":"a","psid":"2","name":"B","inserted_at":"2026-01-01T00:00:00"}])") ==
               "page 9: customers[1]: duplicate customer id a");
    BOOST_TEST(load(R"(,"customers":[{"id":"a","psid":"1","name":"A","inserted_at":"2026-01-01T00:00:00",
                                       "notes":[{"id":"n","message":"m"}]}])") ==
               "page 9: customers[0]: notes[0]: created_at is required");
    BOOST_TEST(load(R"(,"posts":[{"id":"p","type":"photo","inserted_at":"yesterday"}])") ==
               "page 9: posts[0]: inserted_at must be a timestamp YYYY-MM-DDTHH:MM:SS");
    BOOST_TEST(load(R"(,"posts":"none")") == "page 9: posts must be an array");
    BOOST_TEST(load(R"(,"sip_call_logs":[{"package_id":"s","call_id":"c","caller":"1","callee":"2",
                                           "status":"missed","start_time":"2026-01-01T00:00:00"}])") ==
               "page 9: sip_call_logs[0]: duration is required");
    BOOST_TEST(load(R"(,"conversations":[{"id":"c1","ads":[{"post_id":"p"}]}])") ==
               "page 9: conversations[0]: ads[0]: ad_id is required");
    // Nothing changed.
    BOOST_TEST(m.customers(P1).at("total") == 3);
    // A caller's err string still holding an older error does not fail a good fixture.
    std::string stale = "an older error";
    BOOST_TEST(m.w.load_fixture(pancake::sim::sample_fixture(), stale));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sim_content)

BOOST_AUTO_TEST_CASE(posts_with_computed_comment_counts) {
    model m;
    auto b = m.get(P2, "posts", "&page_number=1&page_size=30" + ALL);
    BOOST_TEST(b.at("success") == true);
    BOOST_TEST(b.at("total") == 3);
    BOOST_TEST(ids_of(b, "posts") ==
               (std::vector<std::string>{"100000000000002_600000000000003", "100000000000002_600000000000002",
                                         "100000000000002_600000000000001"}));
    auto& posts = b.at("posts").as_array();
    BOOST_TEST(posts[2].at("comment_count") == 3); // two threads: 2 + 1 comments
    BOOST_TEST(posts[1].at("comment_count") == 1);
    BOOST_TEST(posts[0].at("comment_count") == 0);
    BOOST_TEST(posts[2].at("page_id").as_string() == P2);
    BOOST_TEST(posts[2].at("type") == "photo");
    BOOST_TEST(posts[2].at("message") == "Kem chống nắng Sen Vàng SPF50+ giảm 20% tuần này");
    BOOST_TEST(posts[2].at("inserted_at") == "2025-12-18T02:00:00");
    BOOST_TEST(posts[2].at("from") == json::parse(R"({"id":"100000000000002","name":"Mỹ Phẩm Sen Vàng"})"));
    BOOST_TEST(posts[2].at("phone_number_count") == 2);
    BOOST_TEST(posts[2].at("reactions") ==
               json::parse(R"({"angry_count":0,"care_count":0,"haha_count":0,"like_count":310,"love_count":45,
                              "sad_count":1,"wow_count":6})"));
    // Page 1's post with the fixture's one COMMENT thread.
    auto one = m.get(P1, "posts", "&page_number=1&page_size=30&type=photo" + ALL);
    BOOST_TEST(one.at("total") == 1);
    BOOST_TEST(one.at("posts").at(0).at("comment_count") == 1);
    // type filters; paging; the window is on inserted_at.
    BOOST_TEST(ids_of(m.get(P2, "posts", "&page_number=1&page_size=30&type=video" + ALL), "posts") ==
               std::vector<std::string>{"100000000000002_600000000000002"});
    BOOST_TEST(m.get(P2, "posts", "&page_number=1&page_size=30&type=livestream" + ALL).at("total") == 0);
    auto second = m.get(P2, "posts", "&page_number=2&page_size=2" + ALL);
    BOOST_TEST(second.at("total") == 3);
    BOOST_TEST(ids_of(second, "posts") == std::vector<std::string>{"100000000000002_600000000000001"});
    BOOST_TEST(m.get(P2, "posts", "&page_number=1&page_size=30&since=1766275200&until=1767312000").at("total") == 2);

    // A new comment counts; its messaging event carries the stored post.
    auto c = m.w.inject(
        P2, {"530000000000001", "Cao Thị Vy", "Ship Đà Nẵng không?", "COMMENT", {}, "100000000000002_600000000000001"},
        m.wall);
    auto& post = c.events.front().body.at("data").at("post");
    BOOST_TEST(post.at("message") == "Kem chống nắng Sen Vàng SPF50+ giảm 20% tuần này");
    BOOST_TEST(post.at("type") == "photo");
    auto after = m.get(P2, "posts", "&page_number=1&page_size=30&type=photo" + ALL);
    BOOST_TEST(after.at("posts").at(0).at("comment_count") == 4);
    // A post the page does not hold still gets the synthesized object.
    auto other = m.w.inject(P2, {"530000000000002", "Vy", "?", "COMMENT", {}, P2 + "_699"}, m.wall);
    BOOST_TEST(other.events.front().body.at("data").at("post").at("type") == "status");
    BOOST_TEST(other.events.front().body.at("data").at("post").at("message").is_null());
}

BOOST_AUTO_TEST_CASE(posts_bad_parameters) {
    model m;
    auto posts = [&](const std::string& q) { return m.call("GET", model::url(P2, "posts", q)); };
    expect_400(posts("&page_number=1" + ALL), "page_size is required");
    expect_400(posts("&page_number=1&page_size=31" + ALL), "page_size must be an integer from 1 to 30");
    expect_400(posts("&page_size=10" + ALL), "page_number is required");
    expect_400(posts("&page_number=0&page_size=10" + ALL), "page_number must be an integer of at least 1");
    expect_400(posts("&page_number=1&page_size=10&until=5"), "since is required");
    expect_400(posts("&page_number=1&page_size=10&since=a&until=5"), "since must be unix seconds");
    expect_400(posts("&page_number=1&page_size=10&type=status" + ALL), "type must be video, photo, text or livestream");
    BOOST_TEST(posts("&page_number=1&page_size=30" + ALL).resp.status == 200u);
}

BOOST_AUTO_TEST_CASE(call_logs_by_package) {
    model m;
    auto logs = [&](const std::string& q) { return m.get(P1, "sip_call_logs", "&id=sip_hoamai_01" + q); };
    auto first = logs("&page_number=1&page_size=2");
    BOOST_TEST(first.at("success") == true);
    BOOST_TEST(!first.as_object().contains("total"));
    BOOST_TEST(ids_of(first, "data", "call_id") == (std::vector<std::string>{"call-hm-0005", "call-hm-0004"}));
    auto& call = first.at("data").at(1);
    BOOST_TEST(call == json::parse(R"({"call_id":"call-hm-0004","caller":"02873001234","callee":"0901234567",
                                      "start_time":"2026-01-01T01:20:00","duration":305,"status":"completed"})"));
    BOOST_TEST(ids_of(logs("&page_number=3&page_size=2"), "data", "call_id") ==
               std::vector<std::string>{"call-hm-0001"});
    BOOST_TEST(logs("&page_number=4&page_size=2").at("data").as_array().empty());
    // since/until (optional) on start_time, inclusive.
    BOOST_TEST(ids_of(logs("&page_number=1&page_size=30&since=1767066000&until=1767230400"), "data", "call_id") ==
               (std::vector<std::string>{"call-hm-0004", "call-hm-0003", "call-hm-0002"}));
    BOOST_TEST(logs("&page_number=1&page_size=30&since=1767066001").at("data").as_array().size() == 3u);

    auto bad = [&](const std::string& q) { return m.call("GET", model::url(P1, "sip_call_logs", q)); };
    expect_400(bad("&page_number=1&page_size=5"), "id is required");
    expect_400(bad("&id=&page_number=1&page_size=5"), "id is required");
    expect_400(bad("&id=sip_other&page_number=1&page_size=5"), "id sip_other: SIP package not found");
    expect_400(bad("&id=sip_hoamai_01&page_number=1"), "page_size is required");
    expect_400(bad("&id=sip_hoamai_01&page_number=1&page_size=31"), "page_size must be an integer from 1 to 30");
    expect_400(bad("&id=sip_hoamai_01&page_size=5"), "page_number is required");
    expect_400(bad("&id=sip_hoamai_01&page_number=1&page_size=5&since=x"), "since must be unix seconds");
    // The package is page 1's.
    expect_400(m.call("GET", model::url(P2, "sip_call_logs", "&id=sip_hoamai_01&page_number=1&page_size=5")),
               "id sip_hoamai_01: SIP package not found");
}

BOOST_AUTO_TEST_CASE(export_conversations_from_ads) {
    model m;
    auto ex = [&](const std::string& q) { return m.get(P2, "export_data", "&action=conversations_from_ads" + q); };
    auto all = ex(ALL);
    BOOST_TEST(all.at("success") == true);
    // Oldest first by inserted_at; only conversations with ads.
    BOOST_TEST(ids_of(all, "data") ==
               (std::vector<std::string>{"100000000000002_520000000000001", "100000000000002_520000000000002",
                                         "100000000000002_520000000000003"}));
    BOOST_TEST(all.at("data").at(0) == json::parse(R"({
        "id":"100000000000002_520000000000001","tags":["10"],
        "from":{"id":"520000000000001","name":"Phan Thị Yến"},
        "customers":[{"id":"e1f2a3b4-0000-4000-8000-000000000021","name":"Phan Thị Yến","fb_id":"520000000000001"}],
        "recent_phone_numbers":["0966888222"],"recent_seen_users":[],"thread_key":"t_520000000000001",
        "psid":"520000000000001","ad_clicks":["120210000000000101"],"is_banned":false,
        "assignees":[{"id":"0e7c9b1a-5d3f-4a2e-9c8b-1f6d4e3a2b10","name":"Hoàng Mai Anh"}],
        "inserted_at":"2025-12-20T10:00:00","updated_at":"2025-12-20T10:30:00"})"));
    BOOST_TEST(all.at("data").at(2).at("ad_clicks") == json::parse(R"(["120210000000000101"])")); // from ad_ids
    // offset; the window is on inserted_at.
    BOOST_TEST(ids_of(ex("&offset=2" + ALL), "data") == std::vector<std::string>{"100000000000002_520000000000003"});
    BOOST_TEST(ex("&offset=3" + ALL).at("data").as_array().empty());
    BOOST_TEST(ex("&offset=99999999999" + ALL).at("data").as_array().empty());
    BOOST_TEST(ex("&since=1766275200&until=1767312000").at("data").as_array().size() == 2u);
    BOOST_TEST(m.get(P1, "export_data", "&action=conversations_from_ads" + ALL).at("data").as_array().empty());

    auto bad = [&](const std::string& q) { return m.call("GET", model::url(P2, "export_data", q)); };
    expect_400(bad(ALL), "action is required");
    expect_400(bad("&action=conversations" + ALL), "action must be conversations_from_ads");
    expect_400(bad("&action=conversations_from_ads&since=0"), "until is required");
    expect_400(bad("&action=conversations_from_ads&offset=-1" + ALL), "offset must be an integer of at least 0");
    expect_400(bad("&action=conversations_from_ads&offset=x" + ALL), "offset must be an integer");
}

BOOST_AUTO_TEST_CASE(export_pages_by_60) {
    model m;
    std::string err;
    json::array convs;
    for (int i = 0; i < 65; ++i)
        convs.push_back(json::object{{"id", "9_" + std::to_string(100 + i)},
                                     {"type", "INBOX"},
                                     {"inserted_at", "2026-01-01T00:" + std::to_string(10 + i / 60) + ":" +
                                                         std::to_string(10 + i % 40) + ".000000"},
                                     {"ad_ids", json::array{"ad" + std::to_string(i)}}});
    auto fx = json::object{
        {"pages", json::array{json::object{{"id", "9"}, {"page_access_token", "t9"}, {"conversations", convs}}}}};
    BOOST_TEST_REQUIRE(m.w.load_fixture(fx, err), err);
    auto url = [](const std::string& q) {
        return "/api/public_api/v1/pages/9/export_data?page_access_token=t9&action=conversations_from_ads" + ALL + q;
    };
    auto first = json::parse(m.call("GET", url("")).resp.body);
    auto rest = json::parse(m.call("GET", url("&offset=60")).resp.body);
    BOOST_TEST(first.at("data").as_array().size() == 60u);
    BOOST_TEST(rest.at("data").as_array().size() == 5u);
    std::set<std::string> ids;
    for (auto* b : {&first, &rest})
        for (auto& x : b->at("data").as_array())
            ids.emplace(x.at("id").as_string());
    BOOST_TEST(ids.size() == 65u);
}

BOOST_AUTO_TEST_CASE(snapshot_restore_keeps_content) {
    model m;
    m.w.inject(P2, {"530000000000001", "Vy", "?", "COMMENT", {}, "100000000000002_600000000000002"}, m.wall);
    const auto snap = m.w.snapshot();
    auto& page2 = snap.at("state").at("pages").at(1);
    BOOST_TEST(page2.at("posts").as_array().size() == 3u);
    BOOST_TEST(page2.at("sip_call_logs").as_array().empty());
    model r;
    std::string err;
    BOOST_TEST_REQUIRE(r.w.restore(snap, err), err);
    for (auto& [page, tail, query] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {P2, "posts", "&page_number=1&page_size=30" + ALL},
             {P1, "posts", "&page_number=1&page_size=30" + ALL},
             {P1, "sip_call_logs", "&id=sip_hoamai_01&page_number=1&page_size=30"},
             {P2, "export_data", "&action=conversations_from_ads" + ALL}})
        BOOST_TEST(json::serialize(r.get(page, tail, query)) == json::serialize(m.get(page, tail, query)), tail);
    BOOST_TEST(
        r.get(P2, "posts", "&page_number=1&page_size=30&type=video" + ALL).at("posts").at(0).at("comment_count") == 2);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace customers_test

// The simulator's shell pieces that need no socket: the admin router over a fake server state,
// the fault-to-session mapping, the rate window, the journal and its redaction.
#include <pancake/pancake.hpp>
#include <sim/admin.hpp>
#include <sim/fault_effects.hpp>
#include <sim/rate_window.hpp>
#include <sim/server.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace admin_test {

namespace json = boost::json;
namespace sim = pancake::sim;
using namespace std::chrono_literals;

namespace {

const std::string P = "100000000000001";
const std::string C1 = "100000000000001_200000000000001";
const std::string AN = "c4bafd84-7b96-4f28-b59a-031f17c32ddf";

// The server's state as plain objects, with what the router did to the rest recorded.
struct fake_target final : sim::admin_target {
    sim::world w{7};
    sim::fault_injector f{7};
    sim::request_journal j;
    sim::event_log e{100, 1 << 20};
    sim::secret_redactor redactor;
    pancake::virtual_clock clk;
    pancake::clock::time_point started = clk.now();
    bool real_time = false;
    std::string state;
    int snapshots = 0;
    std::vector<sim::emitted_event> published;
    std::vector<std::string> webhook_calls;

    fake_target() {
        std::string err;
        BOOST_REQUIRE_MESSAGE(w.load_fixture(sim::sample_fixture(), err), err);
    }
    sim::world& model() override { return w; }
    sim::fault_injector& faults() override { return f; }
    sim::request_journal& journal() override { return j; }
    sim::event_log& events() override { return e; }
    double since_start() const override { return std::chrono::duration<double>(clk.now() - started).count(); }
    sim::wall_time wall_now() const override { return clk.system_now(); }
    pancake::virtual_clock* virtual_time() override { return real_time ? nullptr : &clk; }
    bool load_fixture(const json::value& fx, std::string& err) override { return w.load_fixture(fx, err); }
    void publish(std::vector<sim::emitted_event>& evs) override {
        for (auto& x : evs) {
            published.push_back(x);
            e.add(x);
        }
    }
    std::optional<std::pair<unsigned, json::value>> webhooks_admin(std::string_view method, std::string_view path,
                                                                   std::string_view query, std::string_view) override {
        webhook_calls.push_back(std::string(method) + " " + std::string(path) + "?" + std::string(query));
        if (path == "/status") return std::pair<unsigned, json::value>{200, json::object{{"pages", 0}}};
        return std::nullopt;
    }
    const std::string& state_file() const override { return state; }
    bool write_snapshot(std::string&) override { return ++snapshots, true; }

    sim::response call(std::string method, std::string target, std::string body = {}) {
        return sim::admin_router(*this, {std::move(method), std::move(target), std::move(body)});
    }
    void journal_call(std::string route, unsigned status, std::string method = "GET") {
        sim::journal_entry je;
        je.method = std::move(method);
        je.path = "/api/public_api/v1/pages/" + P + "/tags";
        je.route = std::move(route);
        je.page = P;
        je.status = status;
        j.record(std::move(je), since_start(), clk.system_now(), redactor);
    }
};

json::value body(const sim::response& r) { return json::parse(r.body); }

} // namespace

BOOST_AUTO_TEST_SUITE(sim_admin)

BOOST_AUTO_TEST_CASE(health_reports_seed_and_time) {
    fake_target t;
    t.clk.advance(1500ms);
    auto r = t.call("GET", "/__sim/health");
    BOOST_TEST(r.status == 200u);
    auto b = body(r);
    BOOST_TEST(b.at("ok").as_bool());
    BOOST_TEST(b.at("seed").to_number<std::uint64_t>() == 7u);
    BOOST_TEST(b.at("t").as_double() == 1.5);
    BOOST_TEST(t.call("HEAD", "/__sim/health").status == 200u); // HEAD is a GET without the body
    BOOST_TEST(t.call("POST", "/__sim/health").status == 404u);
}

BOOST_AUTO_TEST_CASE(unknown_routes_and_bad_targets) {
    fake_target t;
    BOOST_TEST(t.call("GET", "/__sim/nope").status == 404u);
    BOOST_TEST(body(t.call("GET", "/__sim/nope")).at("message").as_string() == "unknown admin route");
    BOOST_TEST(t.call("GET", "/__sim/%zz").status == 400u);
}

BOOST_AUTO_TEST_CASE(fault_plan_set_read_and_cleared) {
    fake_target t;
    auto set = t.call("POST", "/__sim/faults", R"({"rules":[{"route":"assign","kind":"rate_limited"}]})");
    BOOST_TEST(set.status == 200u);
    BOOST_REQUIRE(t.f.rules().size() == 1u);
    BOOST_TEST(t.f.rules()[0].route == "assign");
    auto report = body(t.call("GET", "/__sim/faults"));
    BOOST_TEST(report.at("rules").as_array().size() == 1u);
    BOOST_TEST(report.at("rules").at(0).at("kind").as_string() == "rate_limited");
    // A bad plan is refused and the old one stays.
    auto bad = t.call("POST", "/__sim/faults", R"({"rules":[{"kind":"no_such_kind"}]})");
    BOOST_TEST(bad.status == 400u);
    BOOST_TEST(t.f.rules().size() == 1u);
    BOOST_TEST(t.call("POST", "/__sim/faults", "{not json").status == 400u);
    BOOST_TEST(t.call("DELETE", "/__sim/faults").status == 200u);
    BOOST_TEST(t.f.rules().empty());
}

BOOST_AUTO_TEST_CASE(rate_limit_is_all_or_nothing) {
    fake_target t;
    BOOST_TEST(
        t.call("POST", "/__sim/rate_limit", R"({"per_second":2,"per_page":{"1":9},"retry_after":true})").status ==
        200u);
    BOOST_TEST(t.w.rate_limits().per_second == 2);
    BOOST_TEST(t.w.rate_limits().per_page.at("1") == 9);
    BOOST_TEST(t.w.rate_limits().retry_after);
    // One bad field: nothing changes, and the answer names it.
    auto r = t.call("POST", "/__sim/rate_limit", R"({"per_second":3,"fixed_window":"yes"})");
    BOOST_TEST(r.status == 400u);
    BOOST_TEST(std::string(body(r).at("message").as_string()).find("fixed_window") != std::string::npos);
    BOOST_TEST(t.w.rate_limits().per_second == 2);
    BOOST_TEST(t.call("POST", "/__sim/rate_limit", R"({"per_second":1.5})").status == 400u);
    BOOST_TEST(t.call("POST", "/__sim/rate_limit", R"({"per_second":-1})").status == 400u);
    BOOST_TEST(t.call("POST", "/__sim/rate_limit", R"({"per_secnd":1})").status == 400u);
    BOOST_TEST(t.call("POST", "/__sim/rate_limit", R"([1])").status == 400u);
    BOOST_TEST(t.call("POST", "/__sim/rate_limit", R"({"per_second":4.0})").status == 200u); // 4.0 is an integer
    BOOST_TEST(t.w.rate_limits().per_second == 4);
}

BOOST_AUTO_TEST_CASE(behaviour_switches) {
    fake_target t;
    BOOST_TEST(!t.w.behaviour_config().errors_as_200);
    BOOST_TEST(t.call("POST", "/__sim/behaviour", R"({"errors_as_200":true,"invalid_token_status":401})").status ==
               200u);
    BOOST_TEST(t.w.behaviour_config().errors_as_200);
    BOOST_TEST(t.w.behaviour_config().invalid_token_status == 401u);
    BOOST_TEST(t.call("POST", "/__sim/behaviour", R"({"invalid_token_status":100})").status == 400u);
    BOOST_TEST(t.call("POST", "/__sim/behaviour", R"({"multi_type_or":true,"typo":true})").status == 400u);
    BOOST_TEST(!t.w.behaviour_config().multi_type_or); // nothing applied from a refused body
    BOOST_TEST(t.call("POST", "/__sim/behaviour", R"({"multi_type_or":1})").status == 400u);
}

BOOST_AUTO_TEST_CASE(journal_pages_counts_and_clears) {
    fake_target t;
    for (int i = 0; i < 5; ++i)
        t.journal_call(i % 2 ? "assign" : "tags.list", i == 4 ? 429 : 200, i % 2 ? "POST" : "GET");
    auto page = body(t.call("GET", "/__sim/journal?after=1&limit=2"));
    BOOST_TEST(page.at("journal").as_array().size() == 2u);
    BOOST_TEST(page.at("journal").at(0).at("seq").to_number<int>() == 2);
    BOOST_TEST(page.at("next_after").to_number<int>() == 3);
    BOOST_TEST(page.at("more").as_bool());
    auto count = [&](std::string q) { return body(t.call("GET", "/__sim/journal/count" + q)).at("count").as_int64(); };
    BOOST_TEST(count("") == 5);
    BOOST_TEST(count("?route=assign") == 2);
    BOOST_TEST(count("?route=tags.list&status=429") == 1);
    BOOST_TEST(count("?method=POST&page=" + P) == 2);
    BOOST_TEST(t.call("GET", "/__sim/journal?limit=0").status == 400u);
    BOOST_TEST(t.call("GET", "/__sim/journal?limit=10001").status == 400u);
    BOOST_TEST(t.call("GET", "/__sim/journal?after=-1").status == 400u);
    BOOST_TEST(t.call("DELETE", "/__sim/journal").status == 200u);
    BOOST_TEST(t.j.entries().empty());
    t.journal_call("read", 200);
    BOOST_TEST(t.j.entries().back().seq == 6u); // numbering goes on after a clear
}

BOOST_AUTO_TEST_CASE(inject_publishes_the_events) {
    fake_target t;
    auto r = t.call("POST", "/__sim/pages/" + P + "/messages", R"({"psid":"777","text":"còn hàng không?"})");
    BOOST_TEST(r.status == 200u);
    BOOST_REQUIRE(t.published.size() == 2u); // the message, then the conversation update
    BOOST_TEST(t.published[0].body.at("event_type").as_string() == "messaging");
    BOOST_TEST(t.published[1].body.at("event_type").as_string() == "conversation");
    BOOST_TEST(t.w.find_conversation(P, P + "_777") != nullptr);
    auto events = body(t.call("GET", "/__sim/events?limit=1"));
    BOOST_TEST(events.at("events").as_array().size() == 1u);
    BOOST_TEST(events.at("more").as_bool());
    // Bad bodies change nothing.
    BOOST_TEST(t.call("POST", "/__sim/pages/" + P + "/messages", R"({"text":"hi"})").status == 400u);
    BOOST_TEST(t.call("POST", "/__sim/pages/" + P + "/messages", R"({"psid":"1","mood":"x"})").status == 400u);
    BOOST_TEST(t.call("POST", "/__sim/pages/" + P + "/messages", R"({"psid":"1","type":"POST"})").status == 400u);
    BOOST_TEST(t.call("POST", "/__sim/pages/" + P + "/messages", R"({"psid":1})").status == 400u);
    BOOST_TEST(t.published.size() == 2u);
}

BOOST_AUTO_TEST_CASE(conversation_and_user_routes) {
    fake_target t;
    auto c = t.call("GET", "/__sim/pages/" + P + "/conversations/" + C1);
    BOOST_TEST(c.status == 200u);
    BOOST_TEST(body(c).at("conversation").at("id").as_string() == C1);
    BOOST_TEST(body(c).at("messages").is_array());
    BOOST_TEST(t.call("GET", "/__sim/pages/" + P + "/conversations/nope").status == 404u);
    BOOST_TEST(t.call("POST", "/__sim/pages/" + P + "/users/" + AN, R"({"is_online":false})").status == 200u);
    auto* page = t.w.find_page(P);
    auto an = std::find_if(page->users.begin(), page->users.end(), [](auto& u) { return u.id.value() == AN; });
    BOOST_REQUIRE(an != page->users.end());
    BOOST_TEST(!an->is_online);
    BOOST_TEST(t.call("POST", "/__sim/pages/" + P + "/users/nobody", R"({"is_online":true})").status == 404u);
    BOOST_TEST(t.call("POST", "/__sim/pages/" + P + "/users/" + AN, R"({"is_online":"no"})").status == 400u);
}

BOOST_AUTO_TEST_CASE(time_advances_only_on_virtual_time) {
    fake_target t;
    auto r = t.call("POST", "/__sim/time/advance?ms=2500");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(body(r).at("t").as_double() == 2.5);
    BOOST_TEST(t.call("POST", "/__sim/time/advance?ms=-5").status == 400u);
    BOOST_TEST(t.call("POST", "/__sim/time/advance").status == 400u);
    t.real_time = true;
    BOOST_TEST(t.call("POST", "/__sim/time/advance?ms=1").status == 409u);
    BOOST_TEST(t.since_start() == 2.5);
}

BOOST_AUTO_TEST_CASE(reset_restores_the_fixture_and_empties_the_logs) {
    fake_target t;
    t.call("POST", "/__sim/faults", R"({"rules":[{"kind":"server_error"}]})");
    t.call("POST", "/__sim/pages/" + P + "/messages", R"({"psid":"777","text":"a"})");
    t.journal_call("tags.list", 200);
    BOOST_TEST(t.call("POST", "/__sim/reset").status == 200u);
    BOOST_TEST(t.f.rules().empty());
    BOOST_TEST(t.j.entries().empty());
    BOOST_TEST(t.e.all().empty());
    BOOST_TEST(t.w.find_conversation(P, P + "_777") == nullptr);
}

BOOST_AUTO_TEST_CASE(fixture_replaces_the_model_or_nothing) {
    fake_target t;
    BOOST_TEST(t.call("POST", "/__sim/fixture", R"({"pages":[{"id":"5","name":"x"}]})").status == 400u); // no token
    BOOST_TEST(t.w.find_page(P) != nullptr);
    auto ok = t.call("POST", "/__sim/fixture", R"({"pages":[{"id":"5","name":"x","page_access_token":"tok_5555"}]})");
    BOOST_TEST(ok.status == 200u);
    BOOST_TEST(t.w.find_page("5") != nullptr);
    BOOST_TEST(t.w.find_page(P) == nullptr);
}

BOOST_AUTO_TEST_CASE(snapshot_needs_a_state_file) {
    fake_target t;
    BOOST_TEST(t.call("POST", "/__sim/snapshot").status == 409u);
    BOOST_TEST(t.snapshots == 0);
    t.state = "/tmp/state.json";
    auto r = t.call("POST", "/__sim/snapshot");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(body(r).at("file").as_string() == "/tmp/state.json");
    BOOST_TEST(t.snapshots == 1);
}

BOOST_AUTO_TEST_CASE(webhook_routes_go_to_the_dispatcher) {
    fake_target t;
    BOOST_TEST(t.call("GET", "/__sim/webhooks/status?x=1").status == 200u);
    BOOST_TEST(t.call("HEAD", "/__sim/webhooks/status").status == 200u);
    BOOST_TEST(t.call("GET", "/__sim/webhooks/nope").status == 404u);
    BOOST_REQUIRE(t.webhook_calls.size() == 3u);
    BOOST_TEST(t.webhook_calls[0] == "GET /status?x=1");
    BOOST_TEST(t.webhook_calls[1] == "GET /status?"); // HEAD asks as GET
}

BOOST_AUTO_TEST_CASE(admin_token_check) {
    BOOST_TEST(sim::admin_token_ok("", ""));
    BOOST_TEST(sim::admin_token_ok("", "anything"));
    BOOST_TEST(sim::admin_token_ok("s3cret", "s3cret"));
    BOOST_TEST(!sim::admin_token_ok("s3cret", ""));
    BOOST_TEST(!sim::admin_token_ok("s3cret", "s3creT"));
    BOOST_TEST(!sim::admin_token_ok("s3cret", "s3cret "));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fault_effects)

using sim::fault_kind;
using sim::session_action;

BOOST_AUTO_TEST_CASE(no_fault_lets_the_model_answer) {
    auto fx = sim::effect_of(std::nullopt);
    BOOST_TEST((fx.action == session_action::answer));
    BOOST_TEST(!fx.canned);
    BOOST_TEST(!fx.counts_toward_limit); // the model counts it itself
    BOOST_TEST(fx.journaled_status());
    BOOST_TEST(!sim::effect_of(fault_kind::latency).canned); // latency is a delay, not an answer
}

BOOST_AUTO_TEST_CASE(canned_answers_replace_the_model_and_spend_the_budget) {
    auto server_error = sim::effect_of(fault_kind::server_error, 502);
    BOOST_REQUIRE(server_error.canned);
    BOOST_TEST(server_error.canned->status == 502u);
    BOOST_TEST(server_error.counts_toward_limit);
    BOOST_TEST((server_error.action == session_action::answer));
    BOOST_TEST(server_error.journaled_status());

    auto limited = sim::effect_of(fault_kind::rate_limited, 503); // the rule's status is for server_error only
    BOOST_TEST(limited.canned->status == 429u);

    auto transient = sim::effect_of(fault_kind::transient_error);
    BOOST_TEST(transient.canned->status == 200u);
    auto b = json::parse(transient.canned->body);
    BOOST_TEST(!b.at("success").as_bool());
    BOOST_TEST(b.at("message").as_string() == "An error occurred. Please try again later.");

    auto html = sim::effect_of(fault_kind::html);
    BOOST_TEST(html.canned->content_type.starts_with("text/html"));
    BOOST_TEST(html.canned->body.starts_with("<!DOCTYPE html>"));

    auto malformed = sim::effect_of(fault_kind::malformed_json);
    BOOST_TEST(malformed.canned->status == 200u);
    boost::system::error_code ec;
    json::parse(malformed.canned->body, ec);
    BOOST_TEST(ec.failed());
}

BOOST_AUTO_TEST_CASE(connection_faults) {
    auto reset = sim::effect_of(fault_kind::reset_before_headers);
    BOOST_TEST((reset.action == session_action::reset));
    BOOST_TEST(!reset.counts_toward_limit); // the request never got through
    BOOST_TEST(!reset.journaled_status());

    auto hang = sim::effect_of(fault_kind::hang);
    BOOST_TEST((hang.action == session_action::hang));
    BOOST_TEST(hang.counts_toward_limit);
    BOOST_TEST(!hang.journaled_status());
    BOOST_TEST(!hang.canned);

    for (auto [kind, at] : {std::pair{fault_kind::truncated_json, sim::cut_point::mid_body},
                            std::pair{fault_kind::reset_after_headers, sim::cut_point::after_headers},
                            std::pair{fault_kind::commit_then_drop, sim::cut_point::nothing}}) {
        auto fx = sim::effect_of(kind);
        BOOST_TEST((fx.action == session_action::cut));
        BOOST_TEST((fx.cut == at));
        BOOST_TEST(!fx.canned);              // the model handles it: the change commits
        BOOST_TEST(!fx.counts_toward_limit); // and counts it
        BOOST_TEST(!fx.journaled_status());
    }
}

BOOST_AUTO_TEST_CASE(bytes_kept_by_a_cut) {
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
    const std::string wire = head + "0123456789";
    BOOST_TEST(sim::bytes_to_keep(sim::cut_point::nothing, wire) == 0u);
    BOOST_TEST(sim::bytes_to_keep(sim::cut_point::after_headers, wire) == head.size());
    BOOST_TEST(sim::bytes_to_keep(sim::cut_point::mid_body, wire) == head.size() + 5);
    BOOST_TEST(sim::bytes_to_keep(sim::cut_point::mid_body, head) == head.size()); // no body: headers only
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(rate_window)

BOOST_AUTO_TEST_CASE(sliding_window_admits_limit_per_second) {
    std::deque<sim::steady_time> w;
    const sim::steady_time t0{10s};
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(sim::admit_call(w, t0 + i * 100ms, 5, false));
    BOOST_TEST(!sim::admit_call(w, t0 + 999ms, 5, false));
    BOOST_TEST(w.size() == 5u);                            // a refused call is not recorded
    BOOST_TEST(sim::admit_call(w, t0 + 1000ms, 5, false)); // the first left the window (now-1s, now]
    BOOST_TEST(!sim::admit_call(w, t0 + 1050ms, 5, false));
}

BOOST_AUTO_TEST_CASE(fixed_window_resets_on_the_second) {
    std::deque<sim::steady_time> w;
    const sim::steady_time t0{10s};
    for (int i = 0; i < 2; ++i)
        BOOST_TEST(sim::admit_call(w, t0 + 900ms + i * 10ms, 2, true));
    BOOST_TEST(!sim::admit_call(w, t0 + 950ms, 2, true));
    BOOST_TEST(sim::admit_call(w, t0 + 1001ms, 2, true)); // a new second: a full budget
    BOOST_TEST(sim::admit_call(w, t0 + 1002ms, 2, true));
}

BOOST_AUTO_TEST_CASE(no_limit_admits_and_records_nothing) {
    std::deque<sim::steady_time> w;
    for (int i = 0; i < 100; ++i)
        BOOST_TEST_REQUIRE(sim::admit_call(w, sim::steady_time{1s}, 0, false));
    BOOST_TEST(w.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sim_journal)

BOOST_AUTO_TEST_CASE(tokens_are_redacted_and_bodies_cut) {
    sim::secret_redactor r;
    BOOST_TEST(r.add("tok_secret_1234"));
    BOOST_TEST(!r.add("tok_secret_1234")); // already known
    BOOST_TEST(!r.add("abc"));             // too short to be a token
    BOOST_TEST(r.redact("a tok_secret_1234 b") == "a REDACTED b");
    BOOST_TEST(r.redact("x=tok%5Fsecret_1234") == "x=REDACTED"); // percent-escaped
    BOOST_TEST(r.redact_target("/p?page_access_token=anything&q=1") == "/p?page_access_token=REDACTED&q=1");
    // A key written with escapes is still a token's; other parameters stay as they came.
    BOOST_TEST(r.redact_target("/p?q=%C3%A1&page%5Faccess%5FTOKEN=abc&flag&x=") ==
               "/p?q=%C3%A1&page%5Faccess%5FTOKEN=REDACTED&flag&x=");
    // Plain targets (no escapes) take a path without a full URL parse; the same answers.
    BOOST_TEST(r.redact_target("/p/tok_secret_1234/x?Page_Access_TOKEN=a&tokeN&tok=1&x=tok_secret_1234") ==
               "/p/REDACTED/x?Page_Access_TOKEN=REDACTED&tokeN&tok=1&x=REDACTED");
    BOOST_TEST(r.redact_target("/p?") == "/p?");
    BOOST_TEST(r.redact_target("/p") == "/p");
    BOOST_TEST(r.redact_target("/p?a=b?c&t0ken=1&xTOKENy=2") == "/p?a=b?c&t0ken=1&xTOKENy=REDACTED");
    BOOST_TEST(r.redact_target("/p?a[]=tok_secret_1234") == "/p?a%5B%5D=REDACTED"); // not plain: rewritten
    BOOST_TEST(r.redact_target("/p?=x&&token=") == "/p?=x&&token=REDACTED");
    // In place (the journal's way): the same answers, plain or not.
    for (std::string t :
         {"/p/tok_secret_1234/x?Page_Access_TOKEN=a&tokeN&tok=1&x=tok_secret_1234", "/p?", "/p?a=b?c&t0ken=1&xTOKENy=2",
          "/p?a[]=tok_secret_1234", "/p?=x&&token=", "/p?q=%C3%A1&page%5Faccess%5FTOKEN=abc"}) {
        const auto want = r.redact_target(t);
        r.redact_target_in_place(t);
        BOOST_TEST(t == want);
    }
    // Text that shares a secret's first bytes but not its whole 4-byte prefix stays; secrets
    // sharing a prefix are each found.
    BOOST_TEST(r.add("tok_other_5678"));
    BOOST_TEST(r.redact("to tok tok_ tok_other_5678 tok_secret_1234 tok_secret_123") ==
               "to tok tok_ REDACTED REDACTED tok_secret_123");

    sim::request_journal j(sim::journal_limits{8, 3, 1 << 20});
    for (int i = 0; i < 4; ++i) {
        sim::journal_entry e;
        e.method = "POST";
        e.path = "/x?access_token=tok_secret_1234";
        e.body = "tok_secret_1234 and more";
        e.content_type = "application/json";
        j.record(std::move(e), 0.5, sim::wall_time{}, r);
    }
    BOOST_TEST(j.entries().size() == 3u); // the oldest dropped past max_entries
    BOOST_TEST(j.dropped() == 1u);
    BOOST_TEST(j.entries().front().seq == 2u);
    BOOST_TEST(j.entries().back().body == "REDACTED"); // redacted, then cut to 8 bytes
    BOOST_TEST(j.entries().back().path == "/x?access_token=REDACTED");
    BOOST_TEST(j.entries().back().t == 0.5);
    BOOST_TEST(j.to_json().at("journal").at(0).at("content_type") == "application/json");
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace admin_test

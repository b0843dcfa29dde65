// The webhook half without sockets: parsing, keys, dedupe and version stores, the suspension
// monitor, the durable intake (recovery, torn tails, compaction) and the processor (repeats,
// stale versions, echoes, per-conversation order, retries), on virtual time.
#include <pancake/webhook.hpp>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace webhook_test {

namespace asio = boost::asio;
namespace json = boost::json;
namespace wh = pancake::webhook;
using namespace std::chrono_literals;

namespace {

json::value examples() {
    std::ifstream in(PANCAKE_TEST_DATA "/api_examples.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
}

std::string example(std::string_view name) { return json::serialize(examples().at(name)); }

// A messaging event for conversation `conv` with message `id` and text `text`.
std::string messaging(const std::string& conv, const std::string& id, const std::string& text,
                      const std::string& from = "200000000000001") {
    json::object msg{{"id", id}, {"message", text}, {"type", "INBOX"}, {"from", {{"id", from}, {"name", "Mai"}}}};
    json::object ev{
        {"page_id", "100000000000001"},
        {"event_type", "messaging"},
        {"data", {{"conversation", {{"id", conv}, {"type", "INBOX"}}}, {"message", msg}, {"post", nullptr}}}};
    return json::serialize(ev);
}

std::string conversation(const std::string& conv, std::int64_t version, const std::string& request_id) {
    json::object ev{{"event_type", "conversation"},
                    {"page_id", "100000000000001"},
                    {"request_id", request_id},
                    {"timestamp", 1784255208},
                    {"data", {{"conversation", {{"id", conv}, {"type", "INBOX"}, {"version", version}}}}}};
    return json::serialize(ev);
}

std::string temp_path(const std::string& name) {
    auto p =
        std::filesystem::temp_directory_path() / ("pancake_" + name + "_" + std::to_string(::getpid()) + ".journal");
    std::filesystem::remove(p);
    return p.string();
}

// Pushes bodies into an intake and runs the io_context until each push completed.
std::vector<std::uint64_t> push_all(asio::io_context& ioc, wh::intake& in, const std::vector<std::string>& bodies) {
    std::vector<std::uint64_t> seqs;
    for (auto& b : bodies)
        in.push(b, [&](pancake::error_code ec, std::uint64_t seq) {
            BOOST_TEST(!ec);
            seqs.push_back(seq);
        });
    while (seqs.size() < bodies.size())
        ioc.run_one();
    ioc.restart(); // running out of work stopped it; later runs in the test must not return at once
    return seqs;
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_parse)

BOOST_AUTO_TEST_CASE(the_five_documented_envelopes_parse_with_their_keys) {
    auto m = wh::parse_event(example("webhook_messaging"));
    BOOST_TEST_REQUIRE(m.has_value());
    BOOST_TEST((m->kind == wh::event_kind::messaging));
    BOOST_TEST(m->typed.has_value());
    BOOST_TEST(m->dedupe_key.starts_with("m:tt_7452304119832249857:"));
    BOOST_TEST(m->serial_key == "c:tt_0:1:6570511458700967938:6711731671916708866");
    BOOST_TEST(!m->echo);

    auto c = wh::parse_event(example("webhook_conversation"));
    BOOST_TEST_REQUIRE(c.has_value());
    BOOST_TEST((c->kind == wh::event_kind::conversation));
    BOOST_TEST(c->dedupe_key == "r:6d536a7a-0000-4000-8000-000000000000");
    BOOST_TEST(c->version.value_or(0) == 306);
    BOOST_TEST(std::get<pancake::conversation_event>(*c->typed).data.conversation.tags.size() == 3u);

    auto s = wh::parse_event(example("webhook_subscription"));
    BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST(!s->page.has_value()); // subscription carries no page_id
    BOOST_TEST(s->typed.has_value());
    for (auto name : {"webhook_post", "webhook_connect_status"}) {
        auto e = wh::parse_event(example(name));
        BOOST_TEST_REQUIRE(e.has_value());
        BOOST_TEST(e->typed.has_value(), name);
        BOOST_TEST(!e->dedupe_key.empty(), name);
    }
}

BOOST_AUTO_TEST_CASE(unknown_types_and_fields_are_kept_raw) {
    auto e = wh::parse_event(R"({"event_type":"reaction","page_id":"1","data":{"emoji":"❤"}})");
    BOOST_TEST_REQUIRE(e.has_value());
    BOOST_TEST((e->kind == wh::event_kind::unknown));
    BOOST_TEST(!e->typed.has_value());
    BOOST_TEST(e->raw.at("data").at("emoji") == "❤");
    // A known type that does not decode is kept too, with its keys.
    auto odd = wh::parse_event(R"({"event_type":"conversation","page_id":"1","request_id":"r1","data":7})");
    BOOST_TEST_REQUIRE(odd.has_value());
    BOOST_TEST(!odd->typed.has_value());
    BOOST_TEST(odd->dedupe_key == "r:r1");
    pancake::diagnostics d;
    BOOST_TEST(wh::parse_event("{\"event_type\": \"messa", &d).error() == pancake::errc::unexpected_response);
    BOOST_TEST(wh::parse_event("[1,2]").error() == pancake::errc::unexpected_response);
}

BOOST_AUTO_TEST_CASE(an_edit_is_not_a_repeat_but_a_redelivery_is) {
    auto a = wh::parse_event(messaging("c1", "m1", "Cho mình đặt hàng"));
    auto again = wh::parse_event(messaging("c1", "m1", "Cho mình đặt hàng"));
    auto edited = wh::parse_event(messaging("c1", "m1", "Cho mình đặt 2 cái"));
    BOOST_TEST(a->dedupe_key == again->dedupe_key);
    BOOST_TEST(a->dedupe_key != edited->dedupe_key);
    BOOST_TEST(wh::parse_event(messaging("c1", "m2", "x", "100000000000001"))->echo); // from the page
}

BOOST_AUTO_TEST_CASE(the_receivers_object_check_agrees_with_boost_json_parse) {
    for (std::string body : {"{}", " {\"a\":[1,2,{\"b\":null}]} \n", "{\"a\":1}x", "{\"a\":1}{}", "[1]", "\"s\"", "",
                             "{\"a\":", "{\"a\":1,}", "{\"a\":\"\\u00e9\"}", "{\"a\":\"\xff\"}", "{/*c*/}", "null",
                             "{\"a\":tru}", "{\"a\":[[[[[]]]]]}", "{\"k\":\"v\"}  \t"}) {
        boost::system::error_code ec;
        auto v = json::parse(body, ec);
        BOOST_TEST(wh::detail::is_json_object(body) == (!ec && v.is_object()), body);
    }
    BOOST_TEST(wh::detail::is_json_object(messaging("c", "m", "t")));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(webhook_stores)

BOOST_AUTO_TEST_CASE(dedupe_keys_expire_after_the_window_and_are_bounded) {
    pancake::virtual_clock clk;
    wh::memory_dedupe_store d(clk, 10min, 3);
    d.remember("a");
    BOOST_TEST(d.seen("a"));
    BOOST_TEST(!d.seen("b"));
    clk.advance(11min);
    BOOST_TEST(!d.seen("a"));
    for (auto k : {"1", "2", "3", "4"})
        d.remember(k);
    BOOST_TEST(d.size() == 3u);
    BOOST_TEST(!d.seen("1")); // the oldest went first
    BOOST_TEST(d.seen("4"));
}

BOOST_AUTO_TEST_CASE(versions_only_move_forward) {
    wh::memory_version_store v(2);
    BOOST_TEST(!v.last("c1").has_value());
    v.applied("c1", 5);
    v.applied("c1", 3);
    BOOST_TEST(v.last("c1").value() == 5);
    v.applied("c2", 1);
    v.applied("c3", 1);
    BOOST_TEST(!v.last("c1").has_value()); // bounded: the oldest conversation is forgotten
}

BOOST_AUTO_TEST_CASE(suspension_monitor_follows_the_documented_rule) {
    pancake::virtual_clock clk;
    wh::suspension_monitor m(clk);
    for (int i = 0; i < 299; ++i)
        m.record(false);
    BOOST_TEST(!m.would_suspend()); // 100 % failing but fewer than 300
    BOOST_TEST(m.at_risk());
    m.record(false);
    BOOST_TEST(m.would_suspend());
    for (int i = 0; i < 100; ++i)
        m.record(true); // 300 of 400 failed: 75 %, not over 80 %
    BOOST_TEST(!m.would_suspend());
    clk.advance(31min);
    BOOST_TEST(m.failures() == 0u); // the window rolled past
    BOOST_TEST(!m.at_risk());
    BOOST_TEST(m.total_failed() == 300u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(webhook_intake)

BOOST_AUTO_TEST_CASE(memory_intake_is_bounded) {
    asio::io_context ioc;
    wh::memory_intake in(ioc.get_executor(), 2);
    push_all(ioc, in, {"{}", "{}"});
    BOOST_TEST_REQUIRE(in.pending() == 2u);
    std::optional<pancake::error_code> third;
    in.push("{}", [&](pancake::error_code ec, std::uint64_t) { third = ec; });
    ioc.run();
    BOOST_TEST_REQUIRE(third.has_value());
    BOOST_TEST(*third == pancake::errc::queue_full);
    auto r = in.next();
    in.commit(r->seq, "k");
    BOOST_TEST(in.pending() == 1u);
}

BOOST_AUTO_TEST_CASE(file_intake_recovers_what_was_not_committed) {
    const auto path = temp_path("recover");
    {
        asio::io_context ioc;
        wh::file_intake in(ioc.get_executor(), path);
        auto seqs = push_all(ioc, in, {R"({"n":1})", R"({"n":2})", R"({"n":3})"});
        BOOST_TEST(seqs.size() == 3u);
        auto first = in.next();
        BOOST_TEST(first->body == R"({"n":1})");
        in.commit(first->seq, "key-1");
        // A crash: the intake is never closed cleanly (the commit may still be in the buffer;
        // it is written before the destructor returns, as a kill -9 after the fsync would see).
    }
    {
        asio::io_context ioc;
        wh::file_intake in(ioc.get_executor(), path);
        BOOST_TEST(in.pending() == 2u);
        BOOST_TEST(in.next()->body == R"({"n":2})");
        BOOST_TEST(in.next()->body == R"({"n":3})");
        BOOST_TEST(!in.next().has_value());
        BOOST_TEST((in.recovered_keys() == std::vector<std::string>{"key-1"}));
        auto seqs = push_all(ioc, in, {R"({"n":4})"});
        BOOST_TEST(seqs.at(0) == 4u); // sequence numbers continue
    }
    std::filesystem::remove(path);
}

BOOST_AUTO_TEST_CASE(file_intake_drops_a_torn_tail) {
    const auto path = temp_path("torn");
    {
        std::ofstream out(path, std::ios::binary);
        out << "A 1 7\n{\"n\":1}\n"
            << "A 2 7\n{\"n\":2}\n"
            << "C 1 1\nk\n"
            << "A 3 50\n{\"n\":3, cut off by a cr"; // the crash hit mid-write
    }
    asio::io_context ioc;
    wh::file_intake in(ioc.get_executor(), path);
    BOOST_TEST(in.pending() == 1u);
    BOOST_TEST(in.next()->body == R"({"n":2})");
    BOOST_TEST((in.recovered_keys() == std::vector<std::string>{"k"}));
    auto seqs = push_all(ioc, in, {R"({"n":5})"});
    BOOST_TEST(seqs.at(0) == 3u);
    std::filesystem::remove(path);
}

BOOST_AUTO_TEST_CASE(file_intake_compacts_and_keeps_everything_pending) {
    const auto path = temp_path("compact");
    wh::file_intake_options o;
    o.compact_bytes = 4096;
    o.max_keys = 10;
    {
        asio::io_context ioc;
        wh::file_intake in(ioc.get_executor(), path, o);
        const std::string body(200, 'x');
        for (int round = 0; round < 60; ++round) {
            push_all(ioc, in, {"{\"round\":" + std::to_string(round) + ",\"pad\":\"" + body + "\"}"});
            if (round % 4 != 3) { // every fourth stays pending
                auto r = in.next();
                in.commit(r->seq, "k" + std::to_string(round));
            } else {
                in.next(); // handed out, not committed (crash while processing)
            }
        }
        // Let the last commits reach the disk.
        push_all(ioc, in, {"{\"last\":true}"});
        BOOST_TEST(in.compactions() > 1u);
    }
    BOOST_TEST(std::filesystem::file_size(path) < 4096u * 2); // 60 deliveries of 230 bytes: 14 KB unless compacted
    asio::io_context ioc;
    wh::file_intake in(ioc.get_executor(), path, o);
    std::vector<std::string> pending;
    while (auto r = in.next())
        pending.push_back(r->body.substr(0, 12));
    BOOST_TEST(pending.size() == 16u); // rounds 3, 7, …, 59 and the last
    BOOST_TEST(pending.front() == "{\"round\":3,\"");
    BOOST_TEST(in.recovered_keys().size() == 10u); // bounded by max_keys
    BOOST_TEST(in.recovered_keys().back() == "k58");
    std::filesystem::remove(path);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(webhook_processor)

namespace {

struct rig {
    asio::io_context ioc;
    pancake::virtual_clock clk;
    wh::memory_intake in{ioc.get_executor(), 10'000};
    std::vector<std::string> log;       // "conv:msg" or "conv@version", in handling order
    std::map<std::string, int> failing; // dedupe-key prefix -> failures left
    std::optional<wh::processor> proc;
    std::size_t inflight = 0, max_inflight_per_conv = 0;
    std::map<std::string, int> inflight_by_conv;

    explicit rig(wh::processor_options o = {}) {
        o.clk = &clk;
        proc.emplace(
            ioc.get_executor(), in,
            wh::awaitable_handler(ioc.get_executor(), [this](const wh::received_event& e) { return handle(e); }), o);
        proc->start();
    }
    asio::awaitable<void> handle(const wh::received_event& e) {
        const auto conv = e.serial_key;
        std::string what = conv;
        if (e.kind == wh::event_kind::messaging)
            what += ":" + std::string(e.raw.at("data").at("message").at("message").as_string());
        if (e.version) what += "@" + std::to_string(*e.version);
        const auto n = ++inflight_by_conv[conv];
        max_inflight_per_conv = std::max<std::size_t>(max_inflight_per_conv, static_cast<std::size_t>(n));
        // Handling takes (virtual) time, so workers overlap.
        co_await clk.async_wait_for(ioc.get_executor(), 100ms, asio::use_awaitable);
        --inflight_by_conv[conv];
        for (auto& [prefix, left] : failing)
            if (what.starts_with(prefix) && left > 0) {
                --left;
                throw boost::system::system_error(pancake::errc::server_error);
            }
        log.push_back(what);
    }
    void push(const std::string& body) { push_all(ioc, in, {body}); }
    // Runs until `done`, moving virtual time only when nothing else can run. The real-time
    // ceiling only bounds a failure.
    void run_until(const std::function<bool()>& done) {
        const auto give_up = std::chrono::steady_clock::now() + 20s;
        while (!done()) {
            BOOST_REQUIRE(std::chrono::steady_clock::now() < give_up);
            if (ioc.poll() > 0) continue;
            if (!clk.advance_to_next()) ioc.run_one_for(10ms);
        }
    }
    void drain() {
        run_until([&] { return in.pending() == 0 && proc->in_progress() == 0; });
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(repeats_stale_versions_and_echoes_are_dropped) {
    rig r;
    r.push(messaging("c1", "m1", "a"));
    r.push(messaging("c1", "m1", "a"));  // redelivered
    r.push(messaging("c1", "m1", "a2")); // edited: same id, new content
    r.push(conversation("c1", 5, "r1"));
    r.push(conversation("c1", 5, "r1")); // redelivered
    r.push(conversation("c1", 4, "r2")); // older version, arriving late
    r.push(conversation("c1", 6, "r3"));
    r.push(messaging("c1", "m9", "echo", "100000000000001"));
    r.drain();
    BOOST_TEST((r.log == std::vector<std::string>{"c:c1:a", "c:c1:a2", "c:c1@5", "c:c1@6"}));
    auto& s = r.proc->stats();
    BOOST_TEST(s.handled == 4u);
    BOOST_TEST(s.duplicates == 2u);
    BOOST_TEST(s.stale == 1u);
    BOOST_TEST(s.echoes == 1u);
}

BOOST_AUTO_TEST_CASE(one_conversation_at_a_time_in_arrival_order_across_workers) {
    wh::processor_options o;
    o.workers = 4;
    rig r(o);
    for (int i = 0; i < 5; ++i)
        for (auto conv : {"c1", "c2", "c3"})
            r.push(messaging(conv, std::string(conv) + "m" + std::to_string(i), std::to_string(i)));
    const auto t0 = r.clk.now();
    r.drain();
    BOOST_TEST(r.log.size() == 15u);
    BOOST_TEST(r.max_inflight_per_conv == 1u);
    for (auto conv : {"c1", "c2", "c3"}) {
        std::vector<std::string> seen;
        for (auto& l : r.log)
            if (l.starts_with(std::string("c:") + conv + ":")) seen.push_back(l.substr(l.size() - 1));
        BOOST_TEST((seen == std::vector<std::string>{"0", "1", "2", "3", "4"}), conv);
    }
    // Three conversations in parallel: 5 rounds of 100 ms, not 15.
    BOOST_TEST((r.clk.now() - t0 <= 600ms));
}

BOOST_AUTO_TEST_CASE(a_failing_handler_is_retried_then_dead_lettered) {
    wh::processor_options o;
    o.max_attempts = 3;
    o.retry_backoff = 1s;
    rig r(o);
    r.failing["c:c1:flaky"] = 2;   // succeeds on the third attempt
    r.failing["c:c2:broken"] = 99; // never succeeds
    r.push(messaging("c1", "m1", "flaky"));
    r.push(messaging("c2", "m2", "broken"));
    r.drain();
    BOOST_TEST((r.log == std::vector<std::string>{"c:c1:flaky"}));
    BOOST_TEST(r.proc->stats().retries == 4u);
    BOOST_TEST(r.proc->stats().dead_letters == 1u);
    BOOST_TEST_REQUIRE(r.proc->dead_letters().size() == 1u);
    BOOST_TEST(r.proc->dead_letters().front().serial_key == "c:c2");
    // A dead letter is not remembered as handled: a later redelivery gets another chance.
    r.failing.clear();
    r.push(messaging("c2", "m2", "broken"));
    r.drain();
    BOOST_TEST(r.log.back() == "c:c2:broken");
}

BOOST_AUTO_TEST_CASE(graceful_stop_drains_the_intake) {
    rig r;
    for (int i = 0; i < 10; ++i)
        r.push(messaging("c" + std::to_string(i % 3), "m" + std::to_string(i), "x"));
    bool stopped = false;
    r.proc->async_stop([&] { stopped = true; });
    r.run_until([&] { return stopped; });
    BOOST_TEST(r.log.size() == 10u);
    BOOST_TEST(r.in.pending() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace webhook_test

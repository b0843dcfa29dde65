// The client against hostile or broken servers (issue 14, items 9-12): huge and garbage
// Retry-After values, tokens echoed in encoded spellings, invalid statuses, answers of the wrong
// shape and oversized headers. A tiny canned HTTP server plays the server, since the simulator
// never misbehaves this way; it is reached over in-memory streams and time is virtual
// (sim::run_virtual), so a day-long wait would show up as virtual time, not as a hung test.
#include <pancake/http/connection.hpp>
#include <pancake/http/retry_after.hpp>
#include <pancake/pancake.hpp>
#include <pancake/testing/memory_stream.hpp>
#include <sim/virtual_time.hpp>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace client_hardening_test {

using namespace pancake;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

const page_id shop{"100000000000009"};
const conversation_id conv{"100000000000009_200000000000001"};
// A fake token, but treated as a real one: never printed, only searched for.
const std::string token = "pat_hardening_9c4e1b7a2d6f3e85";

std::string answer(unsigned status, std::string_view body, std::string_view extra_headers = {}) {
    char line[64];
    std::snprintf(line, sizeof line, "HTTP/1.1 %03u Canned\r\n", status);
    std::string s = line;
    s += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    s += extra_headers;
    s += "\r\n";
    s += body;
    return s;
}

const std::string tags_ok = answer(200, R"({"success":true,"tags":[{"id":1,"text":"VIP"}]})");

std::string too_many(std::string_view retry_after) {
    return answer(429, R"({"success":false,"message":"Too Many Requests"})",
                  "Retry-After: " + std::string(retry_after) + "\r\n");
}

/// Answers each request with the next scripted response, then with `fallback`; keep-alive.
class canned_server {
public:
    explicit canned_server(asio::io_context& ioc) : ex_(ioc.get_executor()) {}
    /// A new connection: serves one end of an in-memory pipe and returns the other.
    testing::memory_stream connect() {
        auto [client_end, served] = testing::make_memory_pipe(ex_);
        asio::co_spawn(ex_, session(std::move(served)), asio::detached);
        return std::move(client_end);
    }

    std::deque<std::string> script;
    std::string fallback = tags_ok;
    std::size_t requests = 0;

private:
    static constexpr auto tuple = asio::as_tuple(asio::use_awaitable);

    asio::awaitable<void> session(testing::memory_stream sock) {
        beast::flat_buffer buf;
        for (;;) {
            bhttp::request<bhttp::string_body> req;
            auto [rec, rn] = co_await bhttp::async_read(sock, buf, req, tuple);
            if (rec) co_return;
            ++requests;
            std::string out = fallback;
            if (!script.empty()) {
                out = std::move(script.front());
                script.pop_front();
            }
            auto [wec, wn] = co_await asio::async_write(sock, asio::buffer(out), tuple);
            if (wec) co_return;
        }
    }

    asio::any_io_executor ex_;
};

/// A client on virtual time against a canned server, over in-memory streams: sim::run_virtual
/// runs everything that is ready before it moves the clock.
struct rig {
    asio::io_context ioc;
    virtual_clock vclock;
    canned_server server{ioc};
    std::optional<client> api;
    std::vector<retry_event> retries;

    explicit rig(const std::function<void(client_config&)>& tweak = {}) {
        client_config cfg;
        cfg.base_url = "http://canned.invalid"; // never resolved: connections come from the transport
        cfg.transport = [this](asio::any_io_executor) -> std::unique_ptr<http::connection> {
            return std::make_unique<http::stream_connection<testing::memory_stream>>(server.connect());
        };
        cfg.clock = &vclock;
        cfg.jitter_seed = 42;
        cfg.retry.on_retry = [this](const retry_event& e) { retries.push_back(e); };
        if (tweak) tweak(cfg);
        api.emplace(ioc.get_executor(), cfg);
        api->add_page(shop, token);
    }

    void run_until(const std::function<bool()>& done) {
        const auto r = sim::run_virtual(ioc, vclock, done, 5'000'000);
        BOOST_REQUIRE_MESSAGE(r.status == sim::run_status::done,
                              "virtual run ended in "
                                  << (r.status == sim::run_status::deadlock ? "deadlock" : "step limit") << " after "
                                  << r.handlers << " handlers, " << r.jumps << " clock jumps");
    }

    /// Runs f(token) with as_tuple: returns (error_code, value).
    template <class F>
    auto call(F f) {
        auto op = f(asio::as_tuple(asio::use_awaitable));
        std::optional<typename decltype(op)::value_type> out;
        std::exception_ptr err;
        asio::co_spawn(ioc, std::move(op), [&](std::exception_ptr e, auto v) {
            err = e;
            out = std::move(v);
        });
        run_until([&] { return out.has_value() || err; });
        if (err) std::rethrow_exception(err);
        return std::move(*out);
    }
};

std::string hex2(unsigned char c, bool upper) {
    char b[4];
    std::snprintf(b, sizeof b, upper ? "%02X" : "%02x", c);
    return b;
}

/// The token spelled in one of the ways a server may echo it.
std::string spell(std::string_view s, std::string_view how) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        const bool special = s[i] == '_';
        if (how == "raw")
            out += s[i];
        else if (how == "pct_underscore_upper")
            out += special ? "%" + hex2(c, true) : std::string(1, s[i]);
        else if (how == "pct_underscore_lower")
            out += special ? "%" + hex2(c, false) : std::string(1, s[i]);
        else if (how == "pct_all_upper")
            out += "%" + hex2(c, true);
        else if (how == "pct_all_lower")
            out += "%" + hex2(c, false);
        else if (how == "json_underscore_lower")
            out += special ? "\\u00" + hex2(c, false) : std::string(1, s[i]);
        else if (how == "json_underscore_upper")
            out += special ? "\\u00" + hex2(c, true) : std::string(1, s[i]);
        else if (how == "json_all")
            out += "\\u00" + hex2(c, i % 2 == 0);
        else if (how == "mixed")
            out += i % 3 == 0 ? std::string(1, s[i]) : i % 3 == 1 ? "%" + hex2(c, i % 2) : "\\u00" + hex2(c, true);
    }
    return out;
}

const std::vector<std::string> spellings = {
    "raw",           "pct_underscore_upper",  "pct_underscore_lower",  "pct_all_upper",
    "pct_all_lower", "json_underscore_lower", "json_underscore_upper", "json_all",
    "mixed"};

/// Decodes %XX and \u00XX the plain way (independently of the library), then looks for the
/// token, any 8 consecutive characters of it, or its first 4+ characters before a cut.
bool leaks(std::string_view text) {
    std::string d;
    for (std::size_t i = 0; i < text.size();) {
        auto hex = [&](std::size_t at, std::size_t n) {
            if (at + n > text.size()) return -1;
            int v = 0;
            for (std::size_t k = at; k < at + n; ++k) {
                const char c = text[k];
                const int x = c >= '0' && c <= '9'   ? c - '0'
                              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                     : -1;
                if (x < 0) return -1;
                v = v * 16 + x;
            }
            return v;
        };
        if (text[i] == '%' && hex(i + 1, 2) >= 0) {
            d += static_cast<char>(hex(i + 1, 2));
            i += 3;
        } else if (text.substr(i, 2) == "\\u" && hex(i + 2, 4) >= 0 && hex(i + 2, 4) < 0x80) {
            d += static_cast<char>(hex(i + 2, 4));
            i += 6;
        } else {
            d += text[i++];
        }
    }
    if (d.find(token) != std::string::npos) return true;
    for (std::size_t i = 0; i + 8 <= token.size(); ++i)
        if (d.find(token.substr(i, 8)) != std::string::npos) return true;
    std::string_view head = d;
    if (head.ends_with("...")) head.remove_suffix(3);
    for (std::size_t k = 4; k <= token.size(); ++k)
        if (head.ends_with(std::string_view(token).substr(0, k))) return true;
    return false;
}

/// An IMF-fixdate for `t` (what a server would send as Retry-After).
std::string imf_fixdate(std::chrono::sys_seconds t) {
    using namespace std::chrono;
    static const char* const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto day_tp = floor<days>(t);
    const year_month_day ymd{day_tp};
    const hh_mm_ss hms{t - day_tp};
    char b[40];
    std::snprintf(b, sizeof b, "%s, %02u %s %04d %02d:%02d:%02d GMT", wd[weekday{day_tp}.c_encoding()],
                  static_cast<unsigned>(ymd.day()), mo[static_cast<unsigned>(ymd.month()) - 1],
                  static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
    return b;
}

} // namespace

BOOST_AUTO_TEST_SUITE(client_hardening)

// Item 9: one 429 with Retry-After: 86400 used to hold the page's limiter for a whole day.
BOOST_AUTO_TEST_CASE(a_day_long_retry_after_holds_the_page_only_for_the_cap) {
    rig r;
    auto& api = *r.api;
    const auto cap = api.config().retry.max_retry_after;
    r.server.script.push_back(too_many("86400"));
    diagnostics d;
    auto [e1, v1] = r.call([&](auto t) { return api.async_list_tags(shop, d, t); });
    BOOST_TEST(e1 == errc::rate_limited); // the capped wait (60 s) is past the 30 s retry budget
    BOOST_TEST(r.server.requests == 1u);

    // The next call with default options waits for the capped hold, not for a day.
    auto t0 = r.vclock.now();
    auto [e2, v2] = r.call([&](auto t) { return api.async_list_tags(shop, d, t); });
    BOOST_TEST(!e2);
    BOOST_TEST((r.vclock.now() - t0 <= cap + 1s));

    // A call's own deadline cuts the limiter's wait short, without sending anything.
    r.server.script.push_back(too_many("86400"));
    r.call([&](auto t) { return api.async_list_tags(shop, d, t); });
    const auto sent = r.server.requests;
    call_options quick(d);
    quick.timeout = 5s;
    t0 = r.vclock.now();
    auto [e3, v3] = r.call([&](auto t) { return api.async_list_tags(shop, quick, t); });
    BOOST_TEST(e3 == errc::timeout);
    BOOST_TEST((r.vclock.now() - t0 < 5s));
    BOOST_TEST(r.server.requests == sent);
    call_options patient(d);
    patient.timeout = 2min;
    t0 = r.vclock.now();
    auto [e4, v4] = r.call([&](auto t) { return api.async_list_tags(shop, patient, t); });
    BOOST_TEST(!e4);
    BOOST_TEST((r.vclock.now() - t0 <= cap + 1s));

    // The limiter itself refuses to be held longer than its max_penalty.
    virtual_clock clk;
    rate_limiter l(clk);
    l.penalize(24h);
    BOOST_TEST((l.reserve(clk.now()) - clk.now() <= l.config().max_penalty));
}

// Item 10: the header parser saturates; nothing downstream overflows (run this under UBSan).
BOOST_AUTO_TEST_CASE(retry_after_parsing_saturates_under_fuzzing) {
    using namespace std::chrono;
    virtual_clock clk;
    const auto now = clk.system_now();
    const auto now_s = floor<seconds>(now);
    retry_policy policy;
    std::mt19937_64 rng(20260101);
    const auto ceiling = http::retry_after_ceiling;

    struct sample {
        std::string value;
        std::optional<seconds> want; ///< exact expectation, when known
        bool check_exact = true;
    };
    std::vector<sample> samples = {
        {"", std::nullopt},
        {" ", std::nullopt},
        {"0", 0s},
        {"1", 1s},
        {" 7 ", 7s},
        {"\t60\t", 60s},
        {"86400", 86400s},
        {"000000000000000000000000000042", 42s},
        {"999999999", 999999999s},
        {"1000000000", ceiling},
        {"9223372035", ceiling},
        {"9223372036", ceiling},
        {"9223372037", ceiling},
        {"9223372036854775807", ceiling},
        {"9223372036854775808", ceiling},
        {"18446744073709551615", ceiling},
        {"18446744073709551616", ceiling},
        {std::string(400, '9'), ceiling},
        {"-1", std::nullopt},
        {"-0", std::nullopt},
        {"-9223372036854775808", std::nullopt},
        {"+5", std::nullopt},
        {"1.5", std::nullopt},
        {"5abc", std::nullopt},
        {"5 5", std::nullopt},
        {"abc", std::nullopt},
        {"0x10", std::nullopt},
        {"1e9", std::nullopt},
        {std::string("4\0", 2), std::nullopt},
        {"\xd9\xa1\xd9\xa2", std::nullopt}, // Arabic-Indic digits
        {"Thu, 01 Jan 2026 00:01:00 GMT", 60s},
        {"Thu, 01 Jan 2026 00:00:00 GMT", 0s},
        {"Sun, 06 Nov 1994 08:49:37 GMT", 0s},
        {"Fri, 31 Dec 9999 23:59:59 GMT", ceiling},
        {"Fri, 02 Jan 2026 00:00:00 GMT", 86400s},
        {"Sunday, 06-Nov-94 08:49:37 GMT", std::nullopt}, // obsolete forms: absent, normal backoff
        {"Sun Nov  6 08:49:37 1994", std::nullopt},
        {"Xyz, 01 Jan 2026 00:00:00 GMT", std::nullopt},
        {"Thu, 32 Jan 2026 00:00:00 GMT", std::nullopt},
        {"Thu, 29 Feb 2026 00:00:00 GMT", std::nullopt},
        {"Thu, 01 Jan 2026 24:00:00 GMT", std::nullopt},
        {"Thu, 01 Foo 2026 00:00:00 GMT", std::nullopt},
        {"Thu, 01 Jan 2026 00:00:00 UTC", std::nullopt},
        {"Thu, 01 Jan -026 00:00:00 GMT", std::nullopt},
    };
    // Random digit strings (exact value known), random bytes, and random dates in years 1-9999.
    for (int i = 0; i < 2000; ++i) {
        const auto len = 1 + rng() % 30;
        std::string v;
        for (std::size_t k = 0; k < len; ++k)
            v += static_cast<char>('0' + rng() % 10);
        std::string_view sig = v;
        while (sig.size() > 1 && sig.front() == '0')
            sig.remove_prefix(1);
        const bool big = sig.size() > 10 || std::stoll(std::string(sig)) >= ceiling.count();
        samples.push_back({v, big ? ceiling : seconds(std::stoll(std::string(sig)))});
    }
    for (int i = 0; i < 2000; ++i) {
        std::string v;
        const auto len = rng() % 40;
        for (std::size_t k = 0; k < len; ++k)
            v += static_cast<char>(rng() % 256);
        samples.push_back({v, std::nullopt, false}); // whatever it means, it must be sane
    }
    const auto first = sys_days(year{1} / 1 / 1), last = sys_days(year{9999} / 12 / 31);
    for (int i = 0; i < 2000; ++i) {
        const auto span = (last - first) / seconds(1);
        const auto t =
            sys_seconds(first) + seconds(static_cast<long long>(rng() % static_cast<unsigned long long>(span)));
        const auto wait = t - now_s;
        samples.push_back({imf_fixdate(t), wait <= 0s ? 0s : std::min(wait, ceiling)});
    }
    for (int i = 0; i < 500; ++i) { // near now: exact seconds either side
        const auto t = now_s + seconds(static_cast<long long>(rng() % 200000) - 100000);
        const auto wait = t - now_s;
        samples.push_back({imf_fixdate(t), wait <= 0s ? 0s : wait});
    }

    std::size_t bad = 0;
    for (const auto& s : samples) {
        const auto got = http::parse_retry_after(s.value, now);
        bool ok = !got || (*got >= 0s && *got <= ceiling);
        if (s.check_exact) ok = ok && got == s.want;
        // What the client derives from it: the retry wait and the page's hold, both capped.
        const auto wait = policy.backoff(1, got, rng);
        ok = ok && wait >= 0ns && wait <= policy.max_retry_after;
        const auto hold = policy.capped_retry_after(got.value_or(1s));
        ok = ok && hold >= 0ns && hold <= policy.max_retry_after;
        rate_limiter l(clk);
        l.penalize(hold);
        const auto slot = l.reserve(clk.now());
        ok = ok && slot >= clk.now() && slot - clk.now() <= policy.max_retry_after;
        if (!ok && ++bad <= 10) BOOST_ERROR("Retry-After sample " << &s - samples.data() << " mishandled");
    }
    BOOST_TEST(bad == 0u);

    // The policy and the limiter alone, at the extremes of their input types.
    BOOST_TEST((policy.capped_retry_after(seconds::max()) == policy.max_retry_after));
    BOOST_TEST((policy.capped_retry_after(seconds::min()) == 0ns));
    BOOST_TEST((policy.backoff(1, seconds(9223372037), rng) == policy.max_retry_after));
    for (auto d : {nanoseconds::max(), nanoseconds::min(), nanoseconds(-1)}) {
        rate_limiter l(clk);
        l.penalize(d);
        const auto slot = l.reserve(clk.now());
        BOOST_TEST((slot >= clk.now() && slot - clk.now() <= l.config().max_penalty));
        BOOST_TEST((l.reserve(clk.now()) > slot)); // later reservations still add up
    }
}

// Item 10 over the wire: huge values used to overflow (UB) or be ignored, garbage was half-read.
BOOST_AUTO_TEST_CASE(retry_after_from_the_wire_is_saturated_and_capped) {
    rig r([](client_config& c) {
        c.retry.max_attempts = 2;
        c.retry.total_deadline = 10min; // let the capped wait happen
    });
    auto& api = *r.api;
    const auto cap = std::chrono::nanoseconds(api.config().retry.max_retry_after);
    struct wire_case {
        const char* value;
        bool capped; ///< else: not a usable Retry-After, so the ordinary jittered backoff (<= 0.5 s)
    };
    for (auto [value, capped] :
         {wire_case{"9223372036", true}, wire_case{"9223372037", true}, wire_case{"9223372036854775808", true},
          wire_case{"99999999999999999999999", true}, wire_case{"Fri, 31 Dec 9999 23:59:59 GMT", true},
          wire_case{"-1", false}, wire_case{"5abc", false}, wire_case{"1.5", false}}) {
        r.retries.clear();
        r.server.script.push_back(too_many(value));
        diagnostics d;
        const auto t0 = r.vclock.now();
        auto [e, v] = r.call([&](auto t) { return api.async_list_tags(shop, d, t); });
        BOOST_TEST(!e, value);
        BOOST_TEST(d.attempts() == 2u, value);
        BOOST_TEST_REQUIRE(r.retries.size() == 1u);
        if (capped) {
            BOOST_TEST((r.retries[0].delay == cap), value);
        } else {
            BOOST_TEST((r.retries[0].delay <= 500ms), value);
        }
        // Each 429 also slows the page's rate (AIMD): allow a few of its intervals around the hold.
        const auto interval = api.limiter(shop)->interval();
        BOOST_TEST((r.vclock.now() - t0 <= cap + 3 * interval), value);
        // And the page is free again right after: one interval, no leftover hold. That interval
        // is the halved rate's, before this call's success raised it by at most half again.
        const auto t1 = r.vclock.now();
        auto [e2, v2] = r.call([&](auto t) { return api.async_list_tags(shop, d, t); });
        BOOST_TEST(!e2, value);
        BOOST_TEST((r.vclock.now() - t1 <= 2 * interval), value);
    }
}

// Item 11, the excerpt itself: every spelling, anywhere, including across the 256-byte cut.
BOOST_AUTO_TEST_CASE(the_token_never_survives_in_a_body_excerpt) {
    const std::size_t max = diagnostics::max_body_excerpt;
    std::size_t checked = 0;
    for (const auto& how : spellings) {
        const auto enc = spell(token, how);
        std::vector<std::string> bodies;
        bodies.push_back("<html>token=" + enc + "&x=1</html>");                      // early
        bodies.push_back(std::string(40, 'a') + enc + " and again " + enc + " end"); // twice
        for (std::size_t back = 1; back < enc.size(); back += 3)                     // across the cut
            bodies.push_back(std::string(max - back, 'x') + enc + std::string(300, 'y'));
        for (std::size_t k = 4; k < enc.size(); k += 5) // truncated echo
            bodies.push_back(std::string(100, 'z') + "token=" + enc.substr(0, k));
        for (std::size_t k = 4; k < enc.size(); k += 5) // cut echo, then more
            bodies.push_back(std::string(max - k, 'w') + enc.substr(0, k) + "\"" + std::string(50, 'v'));
        for (const auto& body : bodies) {
            diagnostics d;
            d.set_body_excerpt(body, token);
            ++checked;
            BOOST_TEST_REQUIRE(!leaks(d.body_excerpt()), how << " in body #" << checked);
            BOOST_TEST(d.body_excerpt().size() <= max + 3);
        }
    }
    BOOST_TEST(checked > 100u);
    // Ordinary text is left alone, and a cut is marked.
    diagnostics d;
    d.set_body_excerpt("<html>pat_ 100% \\u0041 ok</html>", token);
    BOOST_TEST(d.body_excerpt() == "<html>pat_ 100% \\u0041 ok</html>");
    d.set_body_excerpt(std::string(300, 'q'), token);
    BOOST_TEST(d.body_excerpt() == std::string(max, 'q') + "...");
    // The cut never splits a UTF-8 character.
    std::string viet;
    while (viet.size() < 400)
        viet += "\xe1\xbb\x87"; // ệ
    d.set_body_excerpt(viet, token);
    BOOST_TEST(d.body_excerpt().size() % 3 == 0u);
}

// Item 11 end to end: what a server echoes reaches body_excerpt(), api_message() and to_string()
// redacted.
BOOST_AUTO_TEST_CASE(an_echoed_token_is_redacted_in_diagnostics) {
    rig r;
    auto& api = *r.api;
    for (const auto& how : spellings) {
        const auto enc = spell(token, how);
        // Not JSON: body_excerpt() is filled; the token straddles the 256-byte cut.
        r.server.script.push_back(
            answer(200, "<html>" + std::string(240, '.') + enc + std::string(200, '.') + "</html>"));
        diagnostics d;
        auto [e1, v1] = r.call([&](auto t) { return api.async_list_tags(shop, d, t); });
        BOOST_TEST(e1 == errc::unexpected_response, how);
        BOOST_TEST(!leaks(d.body_excerpt()), how);
        // JSON of the wrong shape: the excerpt of a decode failure.
        r.server.script.push_back(answer(200, R"({"success":true,"echo":")" + enc + R"(","tags":[{"id":1}]})"));
        auto [e2, v2] = r.call([&](auto t) { return api.async_list_tags(shop, d, t); });
        BOOST_TEST(e2 == errc::missing_field, how);
        BOOST_TEST(!leaks(d.body_excerpt()), how);
        // The API's own message echoing it.
        r.server.script.push_back(
            answer(400, R"({"success":false,"message":"invalid token )" + enc + R"( for this page"})"));
        auto [e3, v3] = r.call([&](auto t) { return api.async_list_tags(shop, d, t); });
        BOOST_TEST(e3 == errc::api_error, how);
        BOOST_TEST(!leaks(d.api_message()), how);
        BOOST_TEST(!leaks(d.to_string()), how);
        BOOST_TEST(d.api_message().find("REDACTED") != std::string::npos, how);
    }
}

// Item 12: an invalid status is not "the API reported failure", nor a retryable server error.
BOOST_AUTO_TEST_CASE(an_invalid_status_is_an_unexpected_response) {
    rig r;
    auto& api = *r.api;
    for (unsigned status : {0u, 999u, 600u}) {
        r.server.script.push_back(answer(status, status == 0 ? "{}" : R"({"success":false})"));
        const auto before = r.server.requests;
        diagnostics d;
        auto [e, v] = r.call([&](auto t) { return api.async_mark_read(shop, conv, d, t); });
        BOOST_TEST(e == errc::unexpected_response, status);
        BOOST_TEST(d.http_status() == status);
        BOOST_TEST(d.client_message() == "invalid HTTP status " + std::to_string(status));
        BOOST_TEST(r.server.requests - before == 1u, status); // permanent: not retried
    }
    // A real 4xx with the API's body is still the API saying no.
    r.server.script.push_back(answer(400, R"({"success":false,"message":"nope"})"));
    diagnostics d;
    auto [e, v] = r.call([&](auto t) { return api.async_mark_read(shop, conv, d, t); });
    BOOST_TEST(e == errc::api_error);
}

// Item 12: a send's answer must have the send's shape.
BOOST_AUTO_TEST_CASE(a_send_answered_with_another_shape_is_not_a_success) {
    rig r;
    auto& api = *r.api;
    const auto msg = send_message_request::inbox_reply("xin chào");
    struct shape {
        const char* body;
        const char* missing;
    };
    for (auto [body, missing] : {shape{R"({"tags":[{"id":1,"text":"VIP"}]})", "success"}, shape{"{}", "success"},
                                 shape{R"({"success":true})", "id"}, shape{R"({"success":true,"id":null})", "id"}}) {
        r.server.script.push_back(answer(200, body));
        diagnostics d;
        auto [e, v] = r.call([&](auto t) { return api.async_send_message(shop, conv, msg, d, t); });
        BOOST_TEST(e == errc::missing_field, body);
        BOOST_TEST(d.field_path() == missing, body);
    }
    r.server.script.push_back(answer(200, R"({"success":true,"id":"m_1","message":"ok"})"));
    auto [e, v] = r.call([&](auto t) { return api.async_send_message(shop, conv, msg, t); });
    BOOST_TEST(!e);
    BOOST_TEST(v.id == message_id("m_1"));
}

// Item 12: 100 KB of response headers used to end as connection_lost after 4 attempts.
BOOST_AUTO_TEST_CASE(oversized_response_headers_are_permanent) {
    rig r;
    auto& api = *r.api;
    std::string pad;
    for (int i = 0; pad.size() < 100 * 1024; ++i)
        pad += "X-Pad-" + std::to_string(i) + ": " + std::string(100, 'p') + "\r\n";
    r.server.script.push_back(answer(200, R"({"success":true,"tags":[]})", pad));
    diagnostics d;
    auto [e, v] = r.call([&](auto t) { return api.async_list_tags(shop, d, t); });
    BOOST_TEST(e == errc::unexpected_response);
    BOOST_TEST(d.attempts() == 1u);
    BOOST_TEST(r.server.requests == 1u);
    BOOST_TEST(d.client_message().find("header") != std::string::npos);
    // The client stays usable.
    auto [e2, v2] = r.call([&](auto t) { return api.async_list_tags(shop, d, t); });
    BOOST_TEST(!e2);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace client_hardening_test

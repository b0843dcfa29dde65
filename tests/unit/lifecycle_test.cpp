// detail::decide and friends: every retry / failure branch of a call, with plain values (no
// io_context, no sockets). The client_* suites check the same behaviour end to end.
#include <pancake/detail/lifecycle.hpp>

#include <boost/asio/error.hpp>
#include <boost/test/unit_test.hpp>

#include <random>
#include <string_view>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace lifecycle_test {

using namespace pancake;
using namespace pancake::detail;
using namespace std::chrono_literals;
using std::chrono::nanoseconds;
using action = decision::action;

namespace {

constexpr auto safe = idempotency::safe;
constexpr auto once = idempotency::at_most_once;
const error_code aborted = boost::asio::error::operation_aborted;
const error_code no_error{};

struct row {
    std::string_view name{};
    // the attempt
    attempt_end end = attempt_end::response;
    error_code ec{};
    bool sent = false;
    std::optional<std::chrono::seconds> retry_after{};
    // the call
    idempotency kind = safe;
    unsigned attempt = 1;
    unsigned max_attempts = 4;
    nanoseconds elapsed{};                    ///< now - start
    std::optional<nanoseconds> deadline_in{}; ///< deadline - now; none: no call deadline
    bool may_have_applied = false;            ///< an earlier attempt was lost after it was sent
    // expected
    action what = action::fail;
    error_code want_ec{};
    std::string_view message{};
    nanoseconds delay_min{}, delay_max{};
    std::optional<nanoseconds> penalize{};
    bool success = false;
};

const lifecycle_time t0 = lifecycle_time{} + 100h;

decision run(const row& r, std::mt19937_64& rng) {
    retry_policy policy; // defaults: 500 ms -> 5 s backoff, Retry-After cap 60 s, total 30 s
    policy.max_attempts = r.max_attempts;
    attempt_outcome o{r.end, r.ec, r.sent, r.retry_after};
    call_state c{r.kind,
                 r.attempt,
                 t0 - r.elapsed,
                 t0,
                 r.deadline_in ? t0 + *r.deadline_in : lifecycle_time::max(),
                 r.may_have_applied};
    return decide(o, c, policy, rng);
}

// clang-format off
const row rows[] = {
    // A clean answer.
    {.name = "success", .end = attempt_end::response, .ec = no_error,
     .what = action::succeed, .want_ec = no_error, .success = true},
    {.name = "success of a sent message", .end = attempt_end::response, .ec = no_error, .sent = true, .kind = once,
     .what = action::succeed, .want_ec = no_error, .success = true},

    // 429: penalize the page (capped Retry-After, 1 s without one), retry even a sent message.
    {.name = "429 with Retry-After waits exactly that", .end = attempt_end::response, .ec = errc::rate_limited,
     .sent = true, .retry_after = 2s,
     .what = action::retry, .want_ec = errc::rate_limited, .delay_min = 2s, .delay_max = 2s, .penalize = 2s},
    {.name = "429 without Retry-After: jittered backoff, 1 s hold", .end = attempt_end::response,
     .ec = errc::rate_limited, .sent = true,
     .what = action::retry, .want_ec = errc::rate_limited, .delay_min = 0ns, .delay_max = 500ms, .penalize = 1s},
    {.name = "429 on a sent message is retried", .end = attempt_end::response, .ec = errc::rate_limited,
     .sent = true, .retry_after = 1s, .kind = once,
     .what = action::retry, .want_ec = errc::rate_limited, .delay_min = 1s, .delay_max = 1s, .penalize = 1s},
    {.name = "429 on the last attempt fails but still penalizes", .end = attempt_end::response,
     .ec = errc::rate_limited, .sent = true, .retry_after = 3s, .attempt = 4,
     .what = action::fail, .want_ec = errc::rate_limited, .penalize = 3s},
    {.name = "429 with a day-long Retry-After: hold capped, retry past total_deadline refused",
     .end = attempt_end::response, .ec = errc::rate_limited, .sent = true, .retry_after = 86400s,
     .what = action::fail, .want_ec = errc::rate_limited, .penalize = 60s},
    {.name = "429 of a sent message past the deadline stays rate_limited", .end = attempt_end::response,
     .ec = errc::rate_limited, .sent = true, .retry_after = 5s, .kind = once, .deadline_in = 1s,
     .what = action::fail, .want_ec = errc::rate_limited, .penalize = 5s},
    {.name = "429 with Retry-After 0 retries at once", .end = attempt_end::response, .ec = errc::rate_limited,
     .sent = true, .retry_after = 0s,
     .what = action::retry, .want_ec = errc::rate_limited, .delay_min = 0ns, .delay_max = 0ns, .penalize = 0ns},
    {.name = "429 with a negative Retry-After retries at once", .end = attempt_end::response,
     .ec = errc::rate_limited, .sent = true, .retry_after = -5s,
     .what = action::retry, .want_ec = errc::rate_limited, .delay_min = 0ns, .delay_max = 0ns, .penalize = 0ns},

    // 5xx: retried when safe; a sent message's outcome is unknown.
    {.name = "5xx safe, attempt 1", .end = attempt_end::response, .ec = errc::server_error, .sent = true,
     .what = action::retry, .want_ec = errc::server_error, .delay_min = 0ns, .delay_max = 500ms},
    {.name = "5xx safe, attempt 3: backoff cap doubles twice", .end = attempt_end::response,
     .ec = errc::server_error, .sent = true, .attempt = 3,
     .what = action::retry, .want_ec = errc::server_error, .delay_min = 0ns, .delay_max = 2s},
    {.name = "5xx safe, with Retry-After", .end = attempt_end::response, .ec = errc::server_error, .sent = true,
     .retry_after = 4s,
     .what = action::retry, .want_ec = errc::server_error, .delay_min = 4s, .delay_max = 4s},
    {.name = "5xx safe, last attempt", .end = attempt_end::response, .ec = errc::server_error, .sent = true,
     .attempt = 4, .what = action::fail, .want_ec = errc::server_error},
    {.name = "5xx with retries off", .end = attempt_end::response, .ec = errc::server_error, .sent = true,
     .max_attempts = 1, .what = action::fail, .want_ec = errc::server_error},
    {.name = "5xx on a sent message", .end = attempt_end::response, .ec = errc::server_error, .sent = true,
     .kind = once,
     .what = action::fail, .want_ec = errc::outcome_unknown,
     .message = "no reliable answer after the message was sent"},
    {.name = "5xx on a message marked not sent", .end = attempt_end::response, .ec = errc::server_error,
     .kind = once, .what = action::fail, .want_ec = errc::server_error},
    {.name = "transient API error, safe", .end = attempt_end::response, .ec = errc::transient_api_error,
     .sent = true, .what = action::retry, .want_ec = errc::transient_api_error, .delay_min = 0ns,
     .delay_max = 500ms},
    {.name = "transient API error on a sent message: an answer, not unknown", .end = attempt_end::response,
     .ec = errc::transient_api_error, .sent = true, .kind = once,
     .what = action::fail, .want_ec = errc::transient_api_error},

    // Final answers.
    {.name = "api_error", .end = attempt_end::response, .ec = errc::api_error, .sent = true,
     .what = action::fail, .want_ec = errc::api_error},
    {.name = "401", .end = attempt_end::response, .ec = errc::unauthorized, .sent = true,
     .what = action::fail, .want_ec = errc::unauthorized},
    {.name = "404", .end = attempt_end::response, .ec = errc::not_found, .sent = true,
     .what = action::fail, .want_ec = errc::not_found},
    {.name = "HTML page", .end = attempt_end::response, .ec = errc::unexpected_response, .sent = true,
     .what = action::fail, .want_ec = errc::unexpected_response},
    {.name = "undecodable body: final, no limiter credit", .end = attempt_end::undecodable,
     .ec = errc::missing_field, .sent = true,
     .what = action::fail, .want_ec = errc::missing_field},
    {.name = "undecodable body of a sent message", .end = attempt_end::undecodable,
     .ec = errc::wrong_field_type, .sent = true, .kind = once,
     .what = action::fail, .want_ec = errc::wrong_field_type},

    // Transport errors.
    {.name = "connection lost, safe", .end = attempt_end::transport_error, .ec = errc::connection_lost,
     .sent = true, .what = action::retry, .want_ec = errc::connection_lost, .delay_min = 0ns, .delay_max = 500ms},
    {.name = "connection lost, safe, last attempt", .end = attempt_end::transport_error,
     .ec = errc::connection_lost, .sent = true, .attempt = 4,
     .what = action::fail, .want_ec = errc::connection_lost},
    {.name = "connection lost before a message was sent", .end = attempt_end::transport_error,
     .ec = errc::connection_lost, .kind = once,
     .what = action::retry, .want_ec = errc::connection_lost, .delay_min = 0ns, .delay_max = 500ms},
    {.name = "connection lost before a message was sent, last attempt", .end = attempt_end::transport_error,
     .ec = errc::connection_lost, .kind = once, .attempt = 4,
     .what = action::fail, .want_ec = errc::connection_lost},
    {.name = "connection lost after a message was sent", .end = attempt_end::transport_error,
     .ec = errc::connection_lost, .sent = true, .kind = once,
     .what = action::fail, .want_ec = errc::outcome_unknown,
     .message = "no reliable answer after the message was sent"},
    {.name = "connection lost after a message was sent, retries off", .end = attempt_end::transport_error,
     .ec = errc::connection_lost, .sent = true, .kind = once, .max_attempts = 1,
     .what = action::fail, .want_ec = errc::outcome_unknown,
     .message = "no reliable answer after the message was sent"},
    {.name = "body too large", .end = attempt_end::transport_error, .ec = errc::body_too_large, .sent = true,
     .what = action::fail, .want_ec = errc::body_too_large},
    {.name = "body too large of a sent message keeps its code", .end = attempt_end::transport_error,
     .ec = errc::body_too_large, .sent = true, .kind = once,
     .what = action::fail, .want_ec = errc::body_too_large},
    {.name = "a foreign error (TLS, refused) is final", .end = attempt_end::transport_error,
     .ec = boost::asio::error::connection_refused,
     .what = action::fail, .want_ec = boost::asio::error::connection_refused},

    // The attempt's deadline, and cancellation on the wire: never retried.
    {.name = "attempt timed out, safe", .end = attempt_end::timed_out, .sent = true,
     .what = action::fail, .want_ec = errc::timeout, .message = "request timed out"},
    {.name = "attempt timed out, message not sent", .end = attempt_end::timed_out, .kind = once,
     .what = action::fail, .want_ec = errc::timeout, .message = "request timed out"},
    {.name = "attempt timed out, message sent", .end = attempt_end::timed_out, .sent = true, .kind = once,
     .what = action::fail, .want_ec = errc::outcome_unknown, .message = "timed out after the request was sent"},
    {.name = "cancelled, safe", .end = attempt_end::cancelled, .sent = true,
     .what = action::fail, .want_ec = aborted},
    {.name = "cancelled, message not sent", .end = attempt_end::cancelled, .kind = once,
     .what = action::fail, .want_ec = aborted},
    {.name = "cancelled, message sent", .end = attempt_end::cancelled, .sent = true, .kind = once,
     .what = action::fail, .want_ec = errc::outcome_unknown, .message = "cancelled after the request was sent"},

    // Deadlines refuse a retry that could not start in time.
    {.name = "retry would resume exactly at the call deadline", .end = attempt_end::response,
     .ec = errc::server_error, .sent = true, .retry_after = 5s, .deadline_in = 5s,
     .what = action::fail, .want_ec = errc::server_error},
    {.name = "retry resumes just before the call deadline", .end = attempt_end::response,
     .ec = errc::server_error, .sent = true, .retry_after = 5s, .deadline_in = 5s + 1ns,
     .what = action::retry, .want_ec = errc::server_error, .delay_min = 5s, .delay_max = 5s},
    {.name = "retry resumes exactly at total_deadline", .end = attempt_end::response, .ec = errc::server_error,
     .sent = true, .retry_after = 5s, .elapsed = 25s,
     .what = action::retry, .want_ec = errc::server_error, .delay_min = 5s, .delay_max = 5s},
    {.name = "retry would resume past total_deadline", .end = attempt_end::response, .ec = errc::server_error,
     .sent = true, .retry_after = 5s, .elapsed = 25s + 1ns,
     .what = action::fail, .want_ec = errc::server_error},
    // Found by pancake-dst (seed 23): attempt 1 applied and lost its answer, attempt 4 got a
    // 429. The 429 must not read as "not applied".
    {.name = "an earlier attempt may have applied, the last was refused", .end = attempt_end::response,
     .ec = errc::rate_limited, .sent = true, .attempt = 4, .may_have_applied = true,
     .what = action::fail, .want_ec = errc::outcome_unknown,
     .message = "an earlier attempt may have applied; the last one failed: rate limited by the server (HTTP 429)",
     .penalize = 1s},
    {.name = "an earlier attempt may have applied, no time left to retry a 5xx", .end = attempt_end::response,
     .ec = errc::server_error, .sent = true, .retry_after = 5s, .elapsed = 25s + 1ns, .may_have_applied = true,
     .what = action::fail, .want_ec = errc::outcome_unknown,
     .message = "an earlier attempt may have applied; the last one failed: server error (HTTP 5xx)"},
    {.name = "an earlier attempt may have applied, the last timed out: a timeout", .end = attempt_end::timed_out,
     .sent = true, .attempt = 2, .may_have_applied = true,
     .what = action::fail, .want_ec = errc::timeout, .message = "request timed out"},
    {.name = "an earlier attempt may have applied, the last says never (404): not found", .end = attempt_end::response,
     .ec = errc::not_found, .sent = true, .attempt = 2, .may_have_applied = true,
     .what = action::fail, .want_ec = errc::not_found},
    {.name = "an earlier attempt may have applied, the last succeeded", .end = attempt_end::response,
     .ec = no_error, .sent = true, .attempt = 2, .may_have_applied = true,
     .what = action::succeed, .want_ec = no_error, .success = true},
};
// clang-format on

} // namespace

BOOST_AUTO_TEST_SUITE(lifecycle)

BOOST_AUTO_TEST_CASE(decide_table) {
    std::mt19937_64 rng(20260801);
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT(r.name) {
            const auto d = run(r, rng);
            BOOST_TEST(static_cast<int>(d.what) == static_cast<int>(r.what));
            BOOST_TEST(d.ec == r.want_ec);
            BOOST_TEST(d.message == r.message);
            if (r.what == action::retry) {
                BOOST_TEST(d.delay.count() >= nanoseconds(r.delay_min).count());
                BOOST_TEST(d.delay.count() <= nanoseconds(r.delay_max).count());
                BOOST_TEST((d.resume == t0 + d.delay));
            }
            BOOST_TEST(d.limiter.penalize.has_value() == r.penalize.has_value());
            if (d.limiter.penalize && r.penalize) BOOST_TEST(d.limiter.penalize->count() == r.penalize->count());
            BOOST_TEST(d.limiter.success == r.success);
        }
    }
}

BOOST_AUTO_TEST_CASE(jitter_comes_from_the_given_rng) {
    retry_policy policy;
    for (unsigned attempt = 1; attempt <= 3; ++attempt) {
        std::mt19937_64 a(7), b(7);
        const auto d = decide({attempt_end::response, errc::server_error, true, std::nullopt},
                              {safe, attempt, t0, t0, lifecycle_time::max()}, policy, a);
        BOOST_TEST(static_cast<int>(d.what) == static_cast<int>(action::retry));
        BOOST_TEST(d.delay.count() == policy.backoff(attempt, std::nullopt, b).count());
        BOOST_TEST((a == b)); // one draw, no more
    }
}

BOOST_AUTO_TEST_CASE(no_draw_without_a_retry_to_jitter) {
    retry_policy policy;
    const attempt_outcome outcomes[] = {
        {attempt_end::response, {}, true, std::nullopt},                           // success
        {attempt_end::response, errc::server_error, true, 2s},                     // Retry-After fixes the delay
        {attempt_end::response, errc::api_error, true, std::nullopt},              // final
        {attempt_end::timed_out, {}, false, std::nullopt},                         // never retried
        {attempt_end::transport_error, errc::connection_lost, true, std::nullopt}, // last attempt below
    };
    for (const auto& o : outcomes) {
        std::mt19937_64 rng(7);
        const std::mt19937_64 before = rng;
        const unsigned attempt = o.end == attempt_end::transport_error ? policy.max_attempts : 1;
        (void)decide(o, {safe, attempt, t0, t0, lifecycle_time::max(), false}, policy, rng);
        BOOST_TEST((rng == before));
    }
}

BOOST_AUTO_TEST_CASE(call_deadline_saturates) {
    BOOST_TEST((call_deadline(t0, std::nullopt) == lifecycle_time::max()));
    BOOST_TEST((call_deadline(t0, 1500ms) == t0 + 1500ms));
    BOOST_TEST((call_deadline(t0, 0ms) == t0));
    BOOST_TEST((call_deadline(t0, std::chrono::milliseconds::max()) == lifecycle_time::max()));
}

BOOST_AUTO_TEST_CASE(limiter_refusals) {
    const struct {
        error_code in, out;
        std::string_view message;
    } cases[] = {
        {errc::queue_full, errc::queue_full, "rate limiter queue is full"},
        {errc::timeout, errc::timeout, "the deadline passes before a rate-limit slot frees up"},
        {aborted, aborted, "cancelled while waiting for the rate limiter"},
    };
    for (const auto& c : cases) {
        const auto d = limiter_refused(c.in);
        BOOST_TEST(static_cast<int>(d.what) == static_cast<int>(action::fail));
        BOOST_TEST(d.ec == c.out);
        BOOST_TEST(d.message == c.message);
    }
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace lifecycle_test

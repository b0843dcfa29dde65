// The request lifecycle's decisions, sans-io: what one attempt's ending means for the call
// (finish, fail, or retry after a delay) and what it tells the rate limiter. client::perform
// does the I/O and acts on these; tests drive them with plain values.
#pragma once

#include <pancake/error.hpp>
#include <pancake/retry_policy.hpp>

#include <boost/asio/error.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace pancake::detail {

using lifecycle_time = std::chrono::steady_clock::time_point; // == pancake::clock::time_point

/// How one attempt ended, as the driver saw it.
enum class attempt_end {
    response,        ///< an HTTP answer; `ec` is its classification (empty: decoded fine)
    undecodable,     ///< a successful answer whose body did not decode; `ec` is the decode error
    transport_error, ///< no usable answer: connect failure, connection lost, body too large, …
    timed_out,       ///< the attempt's deadline fired first
    cancelled,       ///< the caller cancelled while the request was on the wire
};

struct attempt_outcome {
    attempt_end end = attempt_end::response;
    error_code ec;
    bool sent = false; ///< request bytes may have reached the server, in this or an earlier attempt
    std::optional<std::chrono::seconds> retry_after; ///< parsed, not yet capped
};

/// The call as a whole, at the moment one of its attempts ended.
struct call_state {
    idempotency kind = idempotency::safe;
    unsigned attempt = 1; ///< 1-based: the attempt that just ended
    lifecycle_time start; ///< when the call began
    lifecycle_time now;
    lifecycle_time deadline = lifecycle_time::max(); ///< the call's deadline (max: none)
    /// An earlier attempt was sent and got no reliable answer (lost, cut, timed out): it may
    /// have applied, whatever the later attempts were told.
    bool may_have_applied = false;
};

struct limiter_feedback {
    std::optional<std::chrono::nanoseconds> penalize; ///< hold the page this long (a 429)
    bool success = false;                             ///< a clean answer: relax the limiter
};

struct decision {
    enum class action { succeed, fail, retry };
    action what = action::fail;
    error_code ec;                    ///< fail: the call's error
    std::string message;              ///< fail: client message; empty keeps the one the exchange set
    std::chrono::nanoseconds delay{}; ///< retry: the backoff
    lifecycle_time resume;            ///< retry: now + delay
    limiter_feedback limiter;         ///< applied whatever the action

    static decision fail(error_code e, std::string msg = {}) {
        decision d;
        d.ec = e;
        d.message = std::move(msg);
        return d;
    }
};

/// The call's deadline: start + timeout, or none. A huge timeout saturates to "no deadline"
/// instead of overflowing the time_point.
inline lifecycle_time call_deadline(lifecycle_time start, std::optional<std::chrono::milliseconds> timeout) {
    const bool bounded =
        timeout && *timeout < std::chrono::duration_cast<std::chrono::milliseconds>(lifecycle_time::max() - start);
    return bounded ? start + *timeout : lifecycle_time::max();
}

/// Why the rate limiter refused a slot (its acquire() error), as the call's failure.
inline decision limiter_refused(error_code ec) {
    if (ec == errc::queue_full) return decision::fail(ec, "rate limiter queue is full");
    if (ec == errc::timeout) return decision::fail(ec, "the deadline passes before a rate-limit slot frees up");
    return decision::fail(boost::asio::error::operation_aborted, "cancelled while waiting for the rate limiter");
}

/// What the call does after an attempt ended. `rng` feeds the backoff jitter, and is drawn
/// from only when a retry without Retry-After is considered.
template <class Rng>
decision decide(const attempt_outcome& o, const call_state& c, const retry_policy& policy, Rng& rng) {
    // Once a message send may have reached the server, losing its answer must not read as
    // "not sent": the caller could send it twice.
    const bool unknown_if_lost = c.kind == idempotency::at_most_once && o.sent;
    if (o.end == attempt_end::timed_out || o.end == attempt_end::cancelled) {
        const bool cancelled = o.end == attempt_end::cancelled;
        if (unknown_if_lost)
            return decision::fail(errc::outcome_unknown, cancelled ? "cancelled after the request was sent"
                                                                   : "timed out after the request was sent");
        return cancelled ? decision::fail(boost::asio::error::operation_aborted)
                         : decision::fail(errc::timeout, "request timed out");
    }
    if (o.end == attempt_end::undecodable) return decision::fail(o.ec);

    limiter_feedback fb;
    if (o.end == attempt_end::response) {
        if (!o.ec) {
            decision d;
            d.what = decision::action::succeed;
            d.limiter.success = true;
            return d;
        }
        // Capped like the retry wait: an uncapped Retry-After: 86400 would hold the page a day.
        if (o.ec == errc::rate_limited)
            fb.penalize = policy.capped_retry_after(o.retry_after.value_or(std::chrono::seconds(1)));
    }

    // A retried call whose earlier attempt may have applied: the last attempt's refusal (a 429,
    // a 5xx, an error body) does not mean nothing happened, so the caller must not read it so.
    // Only refusals that say "not now" (429, 5xx, the transient success:false): a 4xx that says
    // "never" (bad token, unknown id, invalid body) would have refused the first attempt too.
    auto final_failure = [&] {
        const bool not_now =
            o.ec == errc::rate_limited || o.ec == errc::server_error || o.ec == errc::transient_api_error;
        if (c.may_have_applied && o.end == attempt_end::response && not_now)
            return decision::fail(errc::outcome_unknown,
                                  "an earlier attempt may have applied; the last one failed: " + o.ec.message());
        return decision::fail(o.ec);
    };
    decision d;
    const bool retry = c.attempt < policy.max_attempts && retry_policy::retryable(o.ec, c.kind, o.sent);
    if (!retry) {
        d = unknown_if_lost && (o.ec == errc::connection_lost || o.ec == errc::server_error)
                ? decision::fail(errc::outcome_unknown, "no reliable answer after the message was sent")
                : final_failure();
        d.limiter = fb;
        return d;
    }
    const auto delay = policy.backoff(c.attempt, o.retry_after, rng);
    const auto resume = c.now + delay;
    if (resume >= c.deadline || resume - c.start > policy.total_deadline) {
        d = final_failure();
    } else {
        d.what = decision::action::retry;
        d.ec = o.ec;
        d.delay = delay;
        d.resume = resume;
    }
    d.limiter = fb;
    return d;
}

} // namespace pancake::detail

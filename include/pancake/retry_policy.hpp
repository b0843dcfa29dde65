// When and how long to wait before sending a request again. Pure: decisions and delays are
// computed here, the client does the waiting on its clock.
#pragma once

#include <pancake/error.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <random>

namespace pancake {

/// What kind of request failed: decides what is safe to send again.
enum class idempotency {
    safe,        ///< reads, and set-semantic writes (tag add/remove, assign-replace, read/unread)
    at_most_once ///< message sends: never re-sent once bytes may have reached the server
};

struct retry_event {
    unsigned attempt; ///< the attempt that failed (1-based)
    error_code error;
    std::chrono::nanoseconds delay; ///< how long the client waits before the next attempt
};

struct retry_policy {
    unsigned max_attempts = 4;
    std::chrono::milliseconds initial_backoff{500};
    std::chrono::milliseconds max_backoff{5000};
    std::chrono::milliseconds max_retry_after{60000}; ///< cap on a server's Retry-After
    std::chrono::milliseconds total_deadline{30000};  ///< no retry starts after this much time
    std::function<void(const retry_event&)> on_retry; ///< observability hook

    static retry_policy none() {
        retry_policy p;
        p.max_attempts = 1;
        return p;
    }

    /// Whether this failure may be retried. `sent` = request bytes may have reached the server.
    static bool retryable(const error_code& ec, idempotency kind, bool sent) {
        if (ec == errc::rate_limited) return true; // the server refused before processing
        if (kind == idempotency::at_most_once) return !sent && ec == errc::connection_lost;
        return is_transient(ec);
    }

    /// A server's Retry-After clamped to [0, max_retry_after]. Compared in whole seconds first,
    /// because any value may arrive and seconds -> nanoseconds overflows past ~292 years.
    std::chrono::nanoseconds capped_retry_after(std::chrono::seconds retry_after) const {
        using namespace std::chrono;
        const auto cap =
            std::clamp(max_retry_after, milliseconds::zero(), duration_cast<milliseconds>(nanoseconds::max()));
        if (retry_after <= seconds::zero()) return nanoseconds::zero();
        if (retry_after >= ceil<seconds>(cap)) return cap;
        return std::min<nanoseconds>(retry_after, cap); // below the cap: fits
    }

    /// Exponential backoff with full jitter; Retry-After (capped) wins when present.
    template <class Rng>
    std::chrono::nanoseconds backoff(unsigned attempt, std::optional<std::chrono::seconds> retry_after,
                                     Rng& rng) const {
        if (retry_after) return capped_retry_after(*retry_after);
        auto cap = initial_backoff * (1LL << std::min(attempt - 1, 20u));
        if (cap > max_backoff) cap = max_backoff;
        std::uniform_int_distribution<long long> d(0, std::chrono::nanoseconds(cap).count());
        return std::chrono::nanoseconds(d(rng));
    }
};

} // namespace pancake

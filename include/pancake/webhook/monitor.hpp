// Suspension risk, as this receiver sees it. Pancake suspends a page's webhook when, within 30
// minutes, more than 80 % of deliveries fail and at least 300 have failed; it then sends nothing
// until someone re-enables it by hand, and replays nothing. This monitor keeps the same rolling
// window over the answers the receiver gives, and warns well before the real rule would trip.
// (Timeouts and connection errors on the sender's side are failures the receiver may never see:
// the thresholds leave room for them.)
#pragma once

#include <pancake/clock.hpp>

#include <cstdint>
#include <deque>

namespace pancake::webhook {

struct suspension_rule {
    std::chrono::minutes window{30};
    double max_failure_rate = 0.8;
    std::uint64_t min_failures = 300;
};

class suspension_monitor {
public:
    /// Warns at `warn_fraction` of the real rule's failure count and failure rate.
    explicit suspension_monitor(clock& clk, suspension_rule rule = {}, double warn_fraction = 0.25)
        : clk_(clk), rule_(rule), warn_(warn_fraction) {}

    void record(bool ok) {
        expire();
        // One bucket per second keeps memory flat at any delivery rate.
        const auto sec = std::chrono::time_point_cast<std::chrono::seconds>(clk_.now());
        if (buckets_.empty() || buckets_.back().t != sec) buckets_.push_back({sec, 0, 0});
        (ok ? buckets_.back().ok : buckets_.back().failed)++;
        (ok ? ok_ : failed_)++;
        (ok ? total_ok_ : total_failed_)++;
    }

    /// Within the rolling window.
    std::uint64_t failures() {
        expire();
        return failed_;
    }
    std::uint64_t deliveries() {
        expire();
        return ok_ + failed_;
    }
    double failure_rate() {
        expire();
        const auto n = ok_ + failed_;
        return n ? static_cast<double>(failed_) / static_cast<double>(n) : 0.0;
    }
    /// The real rule would suspend the webhook now.
    bool would_suspend() { return failures() >= rule_.min_failures && failure_rate() > rule_.max_failure_rate; }
    /// Heading there: a quarter (by default) of the way on both counts.
    bool at_risk() {
        return failures() >= static_cast<std::uint64_t>(static_cast<double>(rule_.min_failures) * warn_) &&
               failure_rate() > rule_.max_failure_rate * warn_;
    }
    std::uint64_t total_ok() const noexcept { return total_ok_; }
    std::uint64_t total_failed() const noexcept { return total_failed_; }

private:
    struct bucket {
        std::chrono::time_point<clock::time_point::clock, std::chrono::seconds> t;
        std::uint64_t ok, failed;
    };
    void expire() {
        const auto now = clk_.now();
        while (!buckets_.empty() && now - buckets_.front().t >= rule_.window) {
            ok_ -= buckets_.front().ok;
            failed_ -= buckets_.front().failed;
            buckets_.pop_front();
        }
    }

    clock& clk_;
    suspension_rule rule_;
    double warn_;
    std::deque<bucket> buckets_;
    std::uint64_t ok_ = 0, failed_ = 0;
    std::uint64_t total_ok_ = 0, total_failed_ = 0;
};

} // namespace pancake::webhook

// Webhook delivery: what Pancake does with the events the model emits. At-least-once delivery
// over real HTTP to each page's URL, a retry schedule, a receiver timeout, the documented
// suspension rule, and seeded misbehaviour (duplicates, reordering, edit re-sends, latency).
// Every wait is on the simulator's clock, so tests drive retries and suspension on virtual time.
#pragma once

#include "world.hpp"

#include <pancake/clock.hpp>
#include <pancake/testing/memory_stream.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace pancake::sim {

struct webhook_options {
    unsigned max_attempts = 5; ///< tries per event, the first included (no schedule is documented)
    std::chrono::milliseconds first_backoff{1000};
    double backoff_factor = 4.0;             ///< 1 s, 4 s, 16 s, 64 s
    double jitter = 0.2;                     ///< ± this fraction of each backoff, from the seed
    std::chrono::milliseconds timeout{5000}; ///< Pancake wants an answer within 5 s
    double duplicate_rate = 0;               ///< an acknowledged event is sent once more
    double reorder_rate = 0;                 ///< an event is held back so later ones overtake it
    std::chrono::milliseconds reorder_delay{3000};
    double edit_resend_rate = 0;                    ///< a messaging event comes again, edited, same id
    std::chrono::milliseconds max_extra_latency{0}; ///< uniform [0, max] before each attempt
    std::chrono::minutes suspension_window{30};     ///< the documented rule: within 30 minutes,
    double suspension_rate = 0.8;                   ///< more than 80 % failed
    std::uint64_t suspension_min_failures = 300;    ///< and at least 300 failed
    std::size_t max_journal = 20000;                ///< delivery attempts kept (oldest dropped first)
    std::uint64_t seed = 1;
};

/// One delivery attempt, as the delivery journal shows it.
struct delivery_attempt {
    std::uint64_t seq = 0;   ///< journal order
    std::uint64_t event = 0; ///< the event's number (a duplicate or re-send keeps its own number)
    std::string page;
    std::string event_type;
    std::string kind; ///< "first", "duplicate", "edit_resend"
    unsigned attempt = 1;
    std::string outcome; ///< "ok", "http_<status>", "timeout", "connect_error", "io_error", "suspended"
    unsigned status = 0;
    std::int64_t latency_ms = 0;
    std::int64_t at_ms = 0; ///< simulator time since start, when the attempt began
};

struct page_delivery_stats {
    std::uint64_t events = 0, delivered = 0, attempts = 0, failures = 0, gave_up = 0;
    std::uint64_t dropped_suspended = 0, duplicates = 0, reordered = 0, edit_resends = 0;
    bool suspended = false;
};

class webhook_dispatcher {
public:
    webhook_dispatcher(boost::asio::any_io_executor ex, pancake::clock& clk, webhook_options o = {});
    ~webhook_dispatcher();
    webhook_dispatcher(const webhook_dispatcher&) = delete;
    webhook_dispatcher& operator=(const webhook_dispatcher&) = delete;

    /// The URL events of a page go to (http://host:port/path?query); empty switches delivery off.
    /// Returns false (and says why) for a URL it cannot use.
    bool set_url(const std::string& page, const std::string& url, std::string& err);
    std::string url(const std::string& page) const;
    /// Whether set_url would take `url` (to check a whole fixture before changing anything).
    static bool valid_url(const std::string& url, std::string& err);
    /// Where pages without their own URL deliver (the --webhook-url flag); empty: nowhere.
    bool set_default_url(const std::string& url, std::string& err);

    /// Queues an event the model emitted. Subscription events (no page_id) go to every URL.
    void deliver(const emitted_event& ev);

    /// Re-enables a suspended page: new events flow again; nothing missed is replayed.
    void reenable(const std::string& page);
    bool suspended(const std::string& page) const;

    page_delivery_stats stats(const std::string& page) const;
    page_delivery_stats totals() const;
    /// Exchanges on the wire right now (not waiting on the clock): a virtual-time driver may
    /// advance the clock only when this is zero.
    std::size_t on_wire() const noexcept;
    /// Events not yet finished (delivered, given up or dropped).
    std::size_t outstanding() const noexcept;

    boost::json::value journal_json(std::uint64_t after, std::size_t limit) const;
    boost::json::value status_json() const;
    std::string summary() const; ///< one line, for the binary's exit
    const webhook_options& options() const noexcept;
    void set_options(const webhook_options& o);

    /// Admin API under /__sim/webhooks (see simulator/README.md). `path` is what follows
    /// "/__sim/webhooks" (empty or "/..."); answers (status, body), or nullopt for no such route.
    std::optional<std::pair<unsigned, boost::json::value>> admin(std::string_view method, std::string_view path,
                                                                 std::string_view query, std::string_view body);

    /// Delivers over in-memory streams instead of TCP: each attempt asks `connect` for a fresh
    /// connection (a receiver's serve() on the other end). A page's URL must still be set to
    /// switch its delivery on; only its path is used then. For the deterministic harness.
    void connect_in_memory(std::function<pancake::testing::memory_stream()> connect);

    /// Stops: pending retries end, connections close.
    void stop();

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

/// Parses webhook options from JSON (the admin API and the fixture's "webhooks" object); unknown
/// fields and out-of-range values are errors that name the field.
bool parse_webhook_options(const boost::json::value& v, webhook_options& o, std::string& err);

} // namespace pancake::sim

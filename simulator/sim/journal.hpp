// The request journal: every API request the server received, with its route, page, fault and
// answer status, tokens redacted, bounded in entries and bytes (the oldest dropped first).
#pragma once

#include "redactor.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace pancake::sim {

struct journal_entry {
    std::uint64_t seq = 0;
    std::string method;
    std::string path;    ///< every known token redacted; invalid UTF-8 bytes shown as \xNN
    std::string body;    ///< same, cut to journal_body_cap on a character boundary
    unsigned status = 0; ///< 0 when no answer was sent (reset, hang, dropped)
    std::string route;
    std::string page;
    std::string fault;
    double t = 0;             ///< seconds since the server started (its clock), when the answer was decided
    wall_time wall{};         ///< the wall clock then; text only when the journal is read (not per request)
    std::string content_type; ///< the request's Content-Type header ("" without one)
    double arrived = 0;       ///< like `t`, when the request arrived (the time the rate limit counts)
};

struct journal_limits {
    std::size_t body_cap = 4096;       ///< bytes of each request body kept
    std::size_t max_entries = 20000;   ///< entries kept
    std::size_t max_bytes = 32u << 20; ///< approximate bytes the entries may hold
};

/// Which entries journal_count counts: each set field must match.
struct journal_filter {
    std::optional<std::string> route, page, status, method;
};

class request_journal {
public:
    explicit request_journal(journal_limits l = {}) : limits_(l) {}

    /// Numbers the entry, stamps it (`t`, `wall`), redacts and cleans its text, keeps it, and drops
    /// the oldest entries past the bounds.
    void record(journal_entry e, double t, wall_time wall, const secret_redactor& redactor);
    /// Forgets the entries (numbering and the dropped count go on).
    void clear();

    const std::deque<journal_entry>& entries() const noexcept { return entries_; }
    std::size_t dropped() const noexcept { return dropped_; }
    std::size_t count(const journal_filter& f) const;
    /// {"journal":[…], "next_after", "more", "dropped"}: the entries after seq `after`.
    json::value page(std::uint64_t after, std::size_t limit) const;
    /// {"journal":[…]}: every entry kept.
    json::value to_json() const;

private:
    static std::size_t entry_bytes(const journal_entry& e);

    journal_limits limits_;
    std::deque<journal_entry> entries_;
    std::size_t bytes_ = 0, dropped_ = 0;
    std::uint64_t seq_ = 0;
};

} // namespace pancake::sim

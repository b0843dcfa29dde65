// The webhook events the model emitted, kept for GET /__sim/events and server::events(): bounded
// in count and serialized bytes, the oldest dropped first.
#pragma once

#include "world.hpp"

#include <cstdint>
#include <deque>
#include <vector>

namespace pancake::sim {

class event_log {
public:
    event_log(std::size_t max_events, std::size_t max_bytes) : max_events_(max_events), max_bytes_(max_bytes) {}

    void add(emitted_event e);
    /// Forgets the events (numbering and the dropped count go on).
    void clear();

    std::vector<emitted_event> all() const;
    std::size_t dropped() const noexcept { return dropped_; }
    /// {"events":[…], "next_after", "more", "dropped"}: the events after seq `after`.
    json::value page(std::uint64_t after, std::size_t limit) const;

private:
    struct stored {
        std::uint64_t seq;
        std::size_t bytes;
        emitted_event ev;
    };
    std::size_t max_events_, max_bytes_;
    std::deque<stored> events_;
    std::size_t bytes_ = 0, dropped_ = 0;
    std::uint64_t seq_ = 0;
};

} // namespace pancake::sim

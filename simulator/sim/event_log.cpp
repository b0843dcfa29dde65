#include "event_log.hpp"

#include "paging.hpp"

#include <boost/json/serialize.hpp>

namespace pancake::sim {

void event_log::add(emitted_event e) {
    const std::size_t bytes = json::serialize(e.body).size();
    bytes_ += bytes;
    events_.push_back({++seq_, bytes, std::move(e)});
    while (!events_.empty() && (events_.size() > max_events_ || bytes_ > max_bytes_)) {
        bytes_ -= events_.front().bytes;
        events_.pop_front();
        ++dropped_;
    }
}

void event_log::clear() {
    events_.clear();
    bytes_ = 0;
}

std::vector<emitted_event> event_log::all() const {
    std::vector<emitted_event> out;
    for (auto& e : events_)
        out.push_back(e.ev);
    return out;
}

json::value event_log::page(std::uint64_t after, std::size_t limit) const {
    return page_of(
        events_, after, limit, [](auto& e) { return e.seq; }, [](auto& e) { return e.bytes; },
        [](auto& e) { return e.ev.body; }, "events", dropped_);
}

} // namespace pancake::sim

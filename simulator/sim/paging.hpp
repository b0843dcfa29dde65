// Paging of the seq-ordered logs the admin API serves (journal, events): ?after=SEQ&limit=N.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace pancake::sim {

inline constexpr std::size_t page_byte_budget = 8 << 20; // one admin page of journal or events, roughly
inline constexpr std::size_t default_page_limit = 1000, max_page_limit = 10000;

/// One page of a seq-ordered deque: entries after `after`, at most `limit` of them and about
/// page_byte_budget bytes (at least one), so no single answer is unbounded.
template <class Deque, class Seq, class Bytes, class Emit>
boost::json::object page_of(const Deque& d, std::uint64_t after, std::size_t limit, Seq seq, Bytes bytes, Emit emit,
                            std::string_view key, std::size_t dropped) {
    auto it = std::partition_point(d.begin(), d.end(), [&](auto& x) { return seq(x) <= after; });
    boost::json::array a;
    std::size_t used = 0;
    std::uint64_t last = after;
    for (; it != d.end() && a.size() < limit && (a.empty() || used + bytes(*it) <= page_byte_budget); ++it) {
        used += bytes(*it);
        last = seq(*it);
        a.push_back(emit(*it));
    }
    return {{key, std::move(a)}, {"next_after", last}, {"more", it != d.end()}, {"dropped", dropped}};
}

} // namespace pancake::sim

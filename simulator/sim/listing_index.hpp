// The v2 listing's order kept ready: a page's conversations by (updated_at, id), newest first,
// and the unread ones apart, so a listing call walks from its cursor and stops after 60 matches
// instead of sorting the whole page (1M conversations: microseconds instead of a second).
//
// It holds pointers to the conversations' summaries in the store (they do not move), so a copy
// starts empty and is built on first use. Every writer of updated_at or `seen` after a load must
// go through touch(), which keeps it current; nothing erases a conversation. As a safety net a
// listing rebuilds when the counts differ or an entry it visits is stale, but that only catches
// what the walk reaches: a writer that bypasses touch() can still hide a conversation.
#pragma once

#include "conversation_store.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace pancake::sim {

class listing_index {
public:
    struct entry {
        std::int64_t at; ///< microseconds: updated_at, else inserted_at, else 0 (as the listing sorts)
        std::string_view id;
        const conversation_store::summary* sum;
    };
    /// Listing order: newer first, then the greater id first.
    struct newer_first {
        using is_transparent = void;
        bool operator()(const entry& a, const entry& b) const noexcept {
            return a.at != b.at ? a.at > b.at : a.id > b.id;
        }
    };
    using set = std::set<entry, newer_first>;

    listing_index() = default;
    listing_index(const listing_index&) {} // entries point into the source's map: rebuild
    listing_index& operator=(const listing_index&) {
        clear();
        return *this;
    }
    listing_index(listing_index&&) noexcept = default; // map nodes move with their map
    listing_index& operator=(listing_index&&) noexcept = default;

    static entry key(std::string_view id, const conversation_store::summary& s) noexcept { return {s.stamp(), id, &s}; }

    /// Before a change of a conversation's updated_at or seen (with the summary its entries were
    /// made from), and after it (with its refreshed summary).
    void before_change(std::string_view id, const conversation_store::summary& s) {
        if (!built_) return;
        all_.erase(key(id, s));
        unread_.erase(key(id, s));
    }
    void after_change(std::string_view id, const conversation_store::summary& s) {
        if (!built_) return;
        all_.insert(key(id, s));
        if (!s.seen) unread_.insert(key(id, s));
    }

    /// Ready for `convs`: rebuilt when never built or when it disagrees on the count.
    const set& all(const conversation_store& convs) {
        if (!built_ || all_.size() != convs.size()) rebuild(convs);
        return all_;
    }
    const set& unread(const conversation_store& convs) {
        all(convs);
        return unread_;
    }
    /// An entry that no longer says what its conversation says (a writer that skipped
    /// before/after_change): the caller rebuilds and starts again.
    static bool stale(const entry& e, bool unread_set) noexcept {
        return e.at != e.sum->stamp() || (unread_set && e.sum->seen);
    }
    void rebuild(const conversation_store& convs) {
        clear();
        convs.for_each_summary([&](std::string_view id, const conversation_store::summary& s) {
            all_.insert(key(id, s));
            if (!s.seen) unread_.insert(key(id, s));
        });
        built_ = true;
    }
    void clear() {
        all_.clear();
        unread_.clear();
        built_ = false;
    }

private:
    set all_, unread_;
    bool built_ = false;
};

} // namespace pancake::sim

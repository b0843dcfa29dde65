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

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

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
        bool operator()(const entry& a, const entry& b) const noexcept {
            return a.at != b.at ? a.at > b.at : a.id > b.id;
        }
    };

    /// Entries in listing order, compact: a sorted array (32 bytes an entry, where a tree node
    /// costs 80) holding what was there at the last merge, with removals marked, plus a small
    /// tree of what changed since. A walk merges the two; when the tree grows past a sixty-fourth
    /// of the array (at least 1024), both merge into a new array: O(n) now and then, about a
    /// microsecond per change on average.
    class set {
        using tree = std::set<entry, newer_first>;

    public:
        class const_iterator {
        public:
            const entry& operator*() const noexcept { return from_run() ? s_->run_[i_] : *t_; }
            const entry* operator->() const noexcept { return &**this; }
            const_iterator& operator++() {
                if (from_run()) {
                    ++i_;
                    skip_dead();
                } else {
                    ++t_;
                }
                return *this;
            }
            bool operator==(const const_iterator& o) const noexcept { return i_ == o.i_ && t_ == o.t_; }

        private:
            friend class set;
            const_iterator(const set* s, std::size_t i, tree::const_iterator t) : s_(s), i_(i), t_(t) { skip_dead(); }
            void skip_dead() {
                while (i_ < s_->run_.size() && s_->dead_[i_])
                    ++i_;
            }
            bool from_run() const noexcept {
                if (i_ == s_->run_.size()) return false;
                return t_ == s_->changed_.end() || newer_first{}(s_->run_[i_], *t_);
            }
            const set* s_;
            std::size_t i_;
            tree::const_iterator t_;
        };

        const_iterator begin() const { return {this, 0, changed_.begin()}; }
        const_iterator end() const { return {this, run_.size(), changed_.end()}; }
        /// The first entry not before `k` / after `k`.
        const_iterator lower_bound(const entry& k) const {
            return {
                this,
                static_cast<std::size_t>(std::lower_bound(run_.begin(), run_.end(), k, newer_first{}) - run_.begin()),
                changed_.lower_bound(k)};
        }
        const_iterator upper_bound(const entry& k) const {
            return {
                this,
                static_cast<std::size_t>(std::upper_bound(run_.begin(), run_.end(), k, newer_first{}) - run_.begin()),
                changed_.upper_bound(k)};
        }
        newer_first key_comp() const noexcept { return {}; }
        std::size_t size() const noexcept { return run_.size() - dead_count_ + changed_.size(); }

        void insert(const entry& e) {
            if (live_in_run(e)) return; // there already (a set holds a key once)
            changed_.insert(e);
            if (changed_.size() > std::max<std::size_t>(1024, run_.size() / 64)) merge();
        }
        void erase(const entry& e) {
            if (changed_.erase(e)) return;
            auto it = std::lower_bound(run_.begin(), run_.end(), e, newer_first{});
            if (it == run_.end() || newer_first{}(e, *it)) return; // not there
            const auto i = static_cast<std::size_t>(it - run_.begin());
            if (!dead_[i]) {
                dead_[i] = true;
                ++dead_count_;
            }
        }
        /// Replaces everything with `all` (any order).
        void assign(std::vector<entry> all) {
            std::sort(all.begin(), all.end(), newer_first{});
            run_ = std::move(all);
            run_.shrink_to_fit();
            dead_.assign(run_.size(), false);
            dead_count_ = 0;
            changed_.clear();
        }
        void clear() { assign({}); }

    private:
        bool live_in_run(const entry& e) const {
            auto it = std::lower_bound(run_.begin(), run_.end(), e, newer_first{});
            return it != run_.end() && !newer_first{}(e, *it) && !dead_[static_cast<std::size_t>(it - run_.begin())];
        }
        void merge() {
            std::vector<entry> all;
            all.reserve(size());
            for (auto it = begin(); it != end(); ++it)
                all.push_back(*it);
            changed_.clear();
            run_ = std::move(all);
            dead_.assign(run_.size(), false);
            dead_count_ = 0;
        }
        std::vector<entry> run_;
        std::vector<bool> dead_;
        std::size_t dead_count_ = 0;
        tree changed_;
    };

    listing_index() = default;
    listing_index(const listing_index&) {} // entries point into the source's store: rebuild
    listing_index& operator=(const listing_index&) {
        clear();
        return *this;
    }
    listing_index(listing_index&&) noexcept = default; // the store's slots do not move with it
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
        std::vector<entry> all, unread;
        all.reserve(convs.size());
        convs.for_each_summary([&](std::string_view id, const conversation_store::summary& s) {
            all.push_back(key(id, s));
            if (!s.seen) unread.push_back(key(id, s));
        });
        all_.assign(std::move(all));
        unread_.assign(std::move(unread));
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

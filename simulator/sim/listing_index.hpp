// The v2 listing's order kept ready: a page's conversations by (updated_at, id), newest first,
// and the unread ones apart, so a listing call walks from its cursor and stops after 60 matches
// instead of sorting the whole page (1M conversations: microseconds instead of a second).
//
// It names conversations by their index in the store and reads their ids and summaries through
// it, so a copy starts empty and is built on first use. Every writer of updated_at or `seen` after a load must
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
    using index = conversation_store::index;
    /// 12 bytes in the array: a time and a conversation's place in the store (whose id and
    /// summary the store gives).
    struct entry {
        std::int64_t at;    ///< microseconds: updated_at, else inserted_at, else 0 (as the listing sorts)
        index conversation; ///< conversation_store::npos: a bound, with the id "" (last of its time)
    };
    /// Listing order: newer first, then the greater id first.
    struct newer_first {
        const conversation_store* convs = nullptr;
        bool operator()(const entry& a, const entry& b) const {
            if (a.at != b.at) return a.at > b.at;
            return a.conversation != b.conversation && id(a) > id(b);
        }
        std::string_view id(const entry& e) const {
            return e.conversation == conversation_store::npos ? std::string_view() : convs->id_at(e.conversation);
        }
    };

    /// Entries in listing order, compact: a sorted array (a time and an index, 12 bytes an
    /// entry, where a tree node costs 64) holding what was there at the last merge, with removals
    /// marked, plus a small tree of what changed since. A walk merges the two; when the tree grows
    /// past a sixty-fourth of the array (at least 1024), both merge into a new array: O(n) now and
    /// then, about a microsecond per change on average.
    class set {
        using tree = std::set<entry, newer_first>;

    public:
        explicit set(const conversation_store* convs = nullptr) : less_{convs}, changed_(less_) {}

        class const_iterator {
        public:
            entry operator*() const { return from_run() ? s_->run(i_) : *t_; }
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
                while (i_ < s_->at_.size() && s_->dead_[i_])
                    ++i_;
            }
            bool from_run() const {
                if (i_ == s_->at_.size()) return false;
                return t_ == s_->changed_.end() || s_->less_(s_->run(i_), *t_);
            }
            const set* s_;
            std::size_t i_;
            tree::const_iterator t_;
        };

        const_iterator begin() const { return {this, 0, changed_.begin()}; }
        const_iterator end() const { return {this, at_.size(), changed_.end()}; }
        /// The first entry not before `k` / after `k`.
        const_iterator lower_bound(const entry& k) const {
            return {this, partition([&](const entry& e) { return less_(e, k); }), changed_.lower_bound(k)};
        }
        const_iterator upper_bound(const entry& k) const {
            return {this, partition([&](const entry& e) { return !less_(k, e); }), changed_.upper_bound(k)};
        }
        const newer_first& key_comp() const noexcept { return less_; }
        std::size_t size() const noexcept { return at_.size() - dead_count_ + changed_.size(); }

        void insert(const entry& e) {
            if (live_in_run(e)) return; // there already (a set holds a key once)
            changed_.insert(e);
            if (changed_.size() > std::max<std::size_t>(1024, at_.size() / 64)) merge();
        }
        void erase(const entry& e) {
            if (changed_.erase(e)) return;
            const auto i = partition([&](const entry& x) { return less_(x, e); });
            if (i == at_.size() || less_(e, run(i))) return; // not there
            if (!dead_[i]) {
                dead_[i] = true;
                ++dead_count_;
            }
        }
        /// Replaces everything with `all` (any order), whose indices are in `convs`.
        void assign(std::vector<entry> all, const conversation_store& convs) {
            less_ = newer_first{&convs};
            std::sort(all.begin(), all.end(), less_);
            take(all);
        }
        void clear() {
            less_ = newer_first{};
            take({});
        }

    private:
        entry run(std::size_t i) const { return {at_[i], who_[i]}; }
        /// The first place in the array where `before` no longer holds (it holds for a prefix).
        template <class Before>
        std::size_t partition(Before before) const {
            std::size_t lo = 0, hi = at_.size();
            while (lo < hi) {
                const auto mid = lo + (hi - lo) / 2;
                if (before(run(mid)))
                    lo = mid + 1;
                else
                    hi = mid;
            }
            return lo;
        }
        bool live_in_run(const entry& e) const {
            const auto i = partition([&](const entry& x) { return less_(x, e); });
            return i != at_.size() && !less_(e, run(i)) && !dead_[i];
        }
        void take(const std::vector<entry>& sorted) {
            std::vector<std::int64_t> at(sorted.size());
            std::vector<index> who(sorted.size());
            for (std::size_t i = 0; i < sorted.size(); ++i) {
                at[i] = sorted[i].at;
                who[i] = sorted[i].conversation;
            }
            at_ = std::move(at);
            who_ = std::move(who);
            dead_.assign(at_.size(), false);
            dead_count_ = 0;
            changed_ = tree(less_);
        }
        void merge() {
            std::vector<entry> all;
            all.reserve(size());
            for (auto it = begin(); it != end(); ++it)
                all.push_back(*it);
            take(all);
        }
        newer_first less_;
        std::vector<std::int64_t> at_; // the array, as two: no padding
        std::vector<index> who_;
        std::vector<bool> dead_;
        std::size_t dead_count_ = 0;
        tree changed_;
    };

    listing_index() = default;
    // Entries name conversations of one store object (the comparison reads their ids through
    // it): a copy or a move starts empty and is built on first use.
    listing_index(const listing_index&) {}
    listing_index& operator=(const listing_index&) {
        clear();
        return *this;
    }
    listing_index(listing_index&&) noexcept {}
    listing_index& operator=(listing_index&&) noexcept {
        clear();
        return *this;
    }

    static entry key(const conversation_store& convs, index i) { return {convs.summary_at(i).stamp(), i}; }

    /// Before a change of a conversation's updated_at or seen (while its summary is the one its
    /// entries were made from), and after it (with its summary refreshed).
    void before_change(const conversation_store& convs, index i) {
        if (!built_ || i == conversation_store::npos) return;
        all_.erase(key(convs, i));
        unread_.erase(key(convs, i));
    }
    void after_change(const conversation_store& convs, index i) {
        if (!built_ || i == conversation_store::npos) return;
        all_.insert(key(convs, i));
        if (!convs.summary_at(i).seen) unread_.insert(key(convs, i));
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
    static bool stale(const conversation_store& convs, const entry& e, bool unread_set) {
        const auto& s = convs.summary_at(e.conversation);
        return e.at != s.stamp() || (unread_set && s.seen);
    }
    void rebuild(const conversation_store& convs) {
        std::vector<entry> all, unread;
        all.reserve(convs.size());
        for (index i = 0; i < convs.size(); ++i) {
            all.push_back(key(convs, i));
            if (!convs.summary_at(i).seen) unread.push_back(key(convs, i));
        }
        all_.assign(std::move(all), convs);
        unread_.assign(std::move(unread), convs);
        built_ = true;
    }
    void clear() noexcept {
        all_.clear();
        unread_.clear();
        built_ = false;
    }

private:
    set all_, unread_;
    bool built_ = false;
};

} // namespace pancake::sim

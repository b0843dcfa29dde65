// A page's activity log, compact: a fixture of a million conversations implies three million
// records, and as `activity` structs (three strings each) they were 40 % of the simulator's memory.
// Here a record is a 32-byte row and its strings (conversation ids, psids, staff ids, phones) are
// stored once each, in blocks that never move, named by a number.
#pragma once

#include "activity.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pancake::sim {

/// One record as read back: the strings are views into the log (valid until it changes).
struct activity_view {
    activity::kind what{};
    std::int64_t at_ms = 0;
    std::string_view conversation, who;
    bool comment = false;
    std::int64_t tag = 0;
    std::string_view phone;
    bool chat_plugin = false, private_reply = false;

    activity record() const {
        return {what,         at_ms, std::string(conversation), std::string(who),
                comment,      tag,   std::string(phone),        chat_plugin,
                private_reply};
    }
};

/// Strings stored once, back to back in blocks that never move (views of them stay valid), and
/// named by a number. 0 is "" (stored nowhere). A moved-from arena is empty and usable.
class string_arena {
public:
    string_arena() = default;
    string_arena(const string_arena& o) {
        for (auto v : o.views_)
            intern(v);
    }
    string_arena& operator=(const string_arena& o) {
        if (this != &o) *this = string_arena(o);
        return *this;
    }
    string_arena(string_arena&& o) noexcept
        : blocks_(std::move(o.blocks_)), big_(std::move(o.big_)), used_(o.used_), views_(std::move(o.views_)),
          ids_(std::move(o.ids_)) {
        o.forget();
    }
    string_arena& operator=(string_arena&& o) noexcept {
        if (this != &o) {
            blocks_ = std::move(o.blocks_);
            big_ = std::move(o.big_);
            used_ = o.used_;
            views_ = std::move(o.views_);
            ids_ = std::move(o.ids_);
            o.forget();
        }
        return *this;
    }

    std::uint32_t intern(std::string_view s) {
        if (s.empty()) return 0;
        if (auto it = ids_.find(s); it != ids_.end()) return it->second;
        const auto v = store(s);
        views_.push_back(v);
        const auto id = static_cast<std::uint32_t>(views_.size()); // 1-based: 0 is ""
        ids_.emplace(v, id);
        return id;
    }
    std::string_view at(std::uint32_t id) const { return id == 0 ? std::string_view() : views_.at(id - 1); }

private:
    static constexpr std::size_t block_size = 64 * 1024;
    std::string_view store(std::string_view s) {
        if (s.empty()) return {};
        if (s.size() > block_size) { // a block of its own
            blocks_.push_back(std::make_unique<char[]>(s.size()));
            std::copy(s.begin(), s.end(), blocks_.back().get());
            return {blocks_.back().get(), s.size()};
        }
        if (used_ + s.size() > block_size) {
            big_.push_back(std::make_unique<char[]>(block_size));
            used_ = 0;
        }
        char* at = big_.back().get() + used_;
        std::copy(s.begin(), s.end(), at);
        used_ += s.size();
        return {at, s.size()};
    }
    void forget() noexcept { // what a moved-from arena holds: nothing, and a full (absent) block
        blocks_.clear();
        big_.clear();
        used_ = block_size;
        views_.clear();
        ids_.clear();
    }
    std::vector<std::unique_ptr<char[]>> blocks_, big_;
    std::size_t used_ = block_size;
    std::vector<std::string_view> views_;
    boost::unordered_flat_map<std::string_view, std::uint32_t> ids_;
};

/// The log, oldest first.
class activity_history {
    struct row {
        std::int64_t at_ms = 0, tag = 0;
        std::uint32_t conversation = 0, who = 0, phone = 0;
        activity::kind what{};
        bool comment = false, chat_plugin = false, private_reply = false;
    };

public:
    class const_iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = activity_view;
        using difference_type = std::ptrdiff_t;
        using reference = activity_view;
        using pointer = void;
        const_iterator() = default;
        const_iterator(const activity_history* log, std::size_t i) : log_(log), i_(i) {}
        activity_view operator*() const { return (*log_)[i_]; }
        const_iterator& operator++() {
            ++i_;
            return *this;
        }
        const_iterator operator++(int) {
            auto old = *this;
            ++i_;
            return old;
        }
        bool operator==(const const_iterator& o) const noexcept { return i_ == o.i_; }

    private:
        const activity_history* log_ = nullptr;
        std::size_t i_ = 0;
    };

    std::size_t size() const noexcept { return rows_.size(); }
    bool empty() const noexcept { return rows_.empty(); }
    const_iterator begin() const { return {this, 0}; }
    const_iterator end() const { return {this, rows_.size()}; }
    activity_view operator[](std::size_t i) const {
        const auto& r = rows_[i];
        return {r.what,         r.at_ms, strings_.at(r.conversation), strings_.at(r.who),
                r.comment,      r.tag,   strings_.at(r.phone),        r.chat_plugin,
                r.private_reply};
    }

    /// Kept in time order: after every record of the same or an earlier millisecond.
    void add(const activity& a) {
        auto pos = std::upper_bound(rows_.begin(), rows_.end(), a.at_ms,
                                    [](std::int64_t t, const row& x) { return t < x.at_ms; });
        rows_.insert(pos, to_row(a));
    }
    /// Loading: records in any order, then sort_by_time() once.
    void push_back(const activity& a) { rows_.push_back(to_row(a)); }
    void sort_by_time() {
        std::stable_sort(rows_.begin(), rows_.end(), [](const row& a, const row& b) { return a.at_ms < b.at_ms; });
        rows_.shrink_to_fit();
    }

private:
    row to_row(const activity& a) {
        return {a.at_ms,
                a.tag,
                strings_.intern(a.conversation),
                strings_.intern(a.who),
                strings_.intern(a.phone),
                a.what,
                a.comment,
                a.chat_plugin,
                a.private_reply};
    }
    std::vector<row> rows_;
    string_arena strings_;
};

} // namespace pancake::sim

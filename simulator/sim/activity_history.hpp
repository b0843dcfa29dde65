// A page's activity log, compact: a fixture of a million conversations implies three million
// records, and as `activity` structs (three strings each) they were 40 % of the simulator's memory.
// Here a record is a 24-byte row and its strings (conversation ids, psids, staff ids, phones) are
// stored once each in a string_arena, named by a handle.
#pragma once

#include "activity.hpp"
#include "string_arena.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <stdexcept>
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

/// The log, oldest first.
class activity_history {
    // 24 bytes: a record carries a phone (a customer message) or a tag (a tag change), never
    // both, so one field holds either.
    struct row {
        std::int64_t at_ms = 0;
        std::uint32_t conversation = 0, who = 0;
        std::uint32_t extra = 0; ///< phone: a handle in strings_; tag: an index in tags_ (0: none)
        activity::kind what{};
        std::uint8_t flags = 0;
    };
    static constexpr std::uint8_t comment_flag = 1, chat_plugin_flag = 2, private_reply_flag = 4, phone_flag = 8;

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
        const bool phone = r.flags & phone_flag;
        return {r.what,
                r.at_ms,
                strings_.at(r.conversation),
                strings_.at(r.who),
                (r.flags & comment_flag) != 0,
                phone ? 0 : tags_.at(r.extra),
                phone ? strings_.at(r.extra) : std::string_view(),
                (r.flags & chat_plugin_flag) != 0,
                (r.flags & private_reply_flag) != 0};
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
        if (!a.phone.empty() && a.tag != 0)
            throw std::invalid_argument("activity_history: a record carries a phone or a tag, not both");
        row r;
        r.at_ms = a.at_ms;
        r.conversation = strings_.intern(a.conversation);
        r.who = strings_.intern(a.who);
        r.what = a.what;
        r.flags = static_cast<std::uint8_t>((a.comment ? comment_flag : 0) | (a.chat_plugin ? chat_plugin_flag : 0) |
                                            (a.private_reply ? private_reply_flag : 0));
        if (!a.phone.empty()) {
            r.extra = strings_.intern(a.phone);
            r.flags |= phone_flag;
        } else {
            r.extra = tag_index(a.tag);
        }
        return r;
    }
    std::uint32_t tag_index(std::int64_t tag) {
        if (tag == 0) return 0;
        auto [it, created] = tag_of_.try_emplace(tag, static_cast<std::uint32_t>(tags_.size()));
        if (created) tags_.push_back(tag);
        return it->second;
    }
    std::vector<row> rows_;
    string_arena strings_;
    std::vector<std::int64_t> tags_{0}; ///< the tag ids the log mentions (few); 0 first
    boost::unordered_flat_map<std::int64_t, std::uint32_t> tag_of_;
};

} // namespace pancake::sim

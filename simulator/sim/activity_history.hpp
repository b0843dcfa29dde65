// A page's activity log, compact: a fixture of a million conversations implies three million
// records, and as `activity` structs (three strings each) they were 40 % of the simulator's memory.
// Here a record is a 20-byte row and its strings (conversation ids, psids, staff ids, phones) are
// stored once each in a string_arena, named by a handle: the page's, shared with its conversations.
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

/// One record as read back: the strings are views into the page's arena (valid as long as it).
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

/// The log, oldest first. Its strings live in an arena it is given (the page's, which the
/// conversation store keeps, so a conversation id is stored once for both): every call that adds
/// or reads takes that arena, and a copy of the log reads through a copy of the arena (which
/// keeps the handles).
class activity_history {
    // 20 bytes: the time in 56 bits; a record carries a phone (a customer message) or a tag (a
    // tag change), never both, so one field holds either.
    struct row {
        std::uint32_t at_low = 0;
        std::uint32_t conversation = 0, who = 0;
        std::uint32_t extra = 0;      ///< phone: a handle in the arena; tag: an index in tags_ (0: none)
        std::uint8_t at_high[3] = {}; ///< the time's upper 24 bits (signed)
        std::uint8_t bits = 0;        ///< the kind (3 bits), then the flags

        std::int64_t at() const noexcept {
            std::int64_t hi = at_high[0] | (at_high[1] << 8) | (at_high[2] << 16);
            if (hi & 0x80'0000) hi -= 0x100'0000;
            return hi * 0x1'0000'0000 + at_low;
        }
    };
    static_assert(sizeof(row) == 20);
    static_assert(static_cast<unsigned>(activity::kind::tag_removed) < 8); // the kind takes 3 bits
    static constexpr std::uint8_t kind_bits = 7, comment_flag = 8, chat_plugin_flag = 16, private_reply_flag = 32,
                                  phone_flag = 64;

public:
    /// Times it can hold: unix milliseconds within +-2^55 (a million years either way).
    static constexpr std::int64_t max_abs_ms = (std::int64_t{1} << 55) - 1;

    /// The records, read through the arena they were added with.
    class records {
    public:
        class const_iterator {
        public:
            using iterator_category = std::forward_iterator_tag;
            using value_type = activity_view;
            using difference_type = std::ptrdiff_t;
            using reference = activity_view;
            using pointer = void;
            const_iterator() = default;
            const_iterator(const records* r, std::size_t i) : r_(r), i_(i) {}
            activity_view operator*() const { return (*r_)[i_]; }
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
            const records* r_ = nullptr;
            std::size_t i_ = 0;
        };
        records(const activity_history& log, const string_arena& strings) : log_(&log), strings_(&strings) {}
        std::size_t size() const noexcept { return log_->rows_.size(); }
        const_iterator begin() const { return {this, 0}; }
        const_iterator end() const { return {this, size()}; }
        activity_view operator[](std::size_t i) const {
            const auto& r = log_->rows_[i];
            const bool phone = r.bits & phone_flag;
            return {static_cast<activity::kind>(r.bits & kind_bits),
                    r.at(),
                    strings_->at(r.conversation),
                    strings_->at(r.who),
                    (r.bits & comment_flag) != 0,
                    phone ? 0 : log_->tags_.at(r.extra),
                    phone ? strings_->at(r.extra) : std::string_view(),
                    (r.bits & chat_plugin_flag) != 0,
                    (r.bits & private_reply_flag) != 0};
        }

    private:
        const activity_history* log_;
        const string_arena* strings_;
    };

    std::size_t size() const noexcept { return rows_.size(); }
    bool empty() const noexcept { return rows_.empty(); }
    records read(const string_arena& strings) const { return {*this, strings}; }

    /// Kept in time order: after every record of the same or an earlier millisecond.
    void add(const activity& a, string_arena& strings) {
        auto r = to_row(a, strings);
        auto pos = std::upper_bound(rows_.begin(), rows_.end(), a.at_ms,
                                    [](std::int64_t t, const row& x) { return t < x.at(); });
        rows_.insert(pos, r);
    }
    /// Loading: records in any order, then sort_by_time() once.
    void push_back(const activity& a, string_arena& strings) { rows_.push_back(to_row(a, strings)); }
    void sort_by_time() {
        std::stable_sort(rows_.begin(), rows_.end(), [](const row& a, const row& b) { return a.at() < b.at(); });
        rows_.shrink_to_fit();
    }

private:
    row to_row(const activity& a, string_arena& strings) {
        if (!a.phone.empty() && a.tag != 0)
            throw std::invalid_argument("activity_history: a record carries a phone or a tag, not both");
        if (a.at_ms > max_abs_ms || a.at_ms < -max_abs_ms)
            throw std::out_of_range("activity_history: a time beyond a million years");
        row r;
        r.at_low = static_cast<std::uint32_t>(a.at_ms & 0xffff'ffff);
        const auto hi = a.at_ms >> 32; // (arithmetic: C++20)
        for (int b = 0; b < 3; ++b)
            r.at_high[b] = static_cast<std::uint8_t>((hi >> (8 * b)) & 0xff);
        r.bits = static_cast<std::uint8_t>(static_cast<std::uint8_t>(a.what) | (a.comment ? comment_flag : 0) |
                                           (a.chat_plugin ? chat_plugin_flag : 0) |
                                           (a.private_reply ? private_reply_flag : 0));
        if (!a.phone.empty())
            r.bits |= phone_flag;
        else
            r.extra = tag_index(a.tag); // (before the arena: a throw here leaves nothing interned)
        r.conversation = strings.intern(a.conversation);
        r.who = strings.intern(a.who);
        if (!a.phone.empty()) r.extra = strings.intern(a.phone);
        return r;
    }
    std::uint32_t tag_index(std::int64_t tag) {
        if (tag == 0) return 0;
        auto [it, created] = tag_of_.try_emplace(tag, static_cast<std::uint32_t>(tags_.size()));
        if (created) tags_.push_back(tag);
        return it->second;
    }
    std::vector<row> rows_;
    std::vector<std::int64_t> tags_{0}; ///< the tag ids the log mentions (few); 0 first
    boost::unordered_flat_map<std::int64_t, std::uint32_t> tag_of_;
};

} // namespace pancake::sim

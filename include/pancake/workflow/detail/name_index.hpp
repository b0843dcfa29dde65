// Names folded once, when a snapshot is built, so that a lookup folds only its query.
//
// Always case- and normalisation-insensitive (text::case_fold: NFC + case fold, so "đặt HÀNG"
// typed precomposed or decomposed finds "Đặt hàng"), and ASCII spaces around a name are
// ignored. Accent-insensitive on request: an exact (case-folded) match is then still preferred,
// so "Giá" finds the tag "Giá" even when a tag "Gia" exists; only an accent-less query that
// fits both is ambiguous.
#pragma once

#include <pancake/text/fold.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pancake::workflow::detail {

enum class name_match { found, none, ambiguous, unreadable };

struct name_lookup {
    name_match match = name_match::none;
    std::size_t position = 0; ///< the entry's position, when found
};

class name_index {
public:
    explicit name_index(text::accent_mode accents = text::accent_mode::sensitive) : accents_(accents) {}

    /// Indexes the entry at `position` under `name`. A name that is not UTF-8 is not indexed
    /// (the entry stays reachable by id).
    void add(std::string_view name, std::size_t position) {
        if (auto k = text::case_fold(trim(name))) exact_[*k].push_back(position);
        if (accents_ == text::accent_mode::insensitive)
            if (auto k = text::accent_fold(trim(name))) plain_[*k].push_back(position);
    }

    name_lookup find(std::string_view name) const {
        auto exact = text::case_fold(trim(name));
        if (!exact) return {name_match::unreadable};
        if (auto r = pick(exact_, *exact); r.match != name_match::none) return r;
        if (accents_ == text::accent_mode::sensitive) return {name_match::none};
        if (auto plain = text::accent_fold(trim(name))) return pick(plain_, *plain);
        return {name_match::unreadable};
    }

private:
    using table = std::unordered_map<std::string, std::vector<std::size_t>>;

    static name_lookup pick(const table& t, const std::string& key) {
        auto it = t.find(key);
        if (it == t.end()) return {name_match::none};
        if (it->second.size() > 1) return {name_match::ambiguous};
        return {name_match::found, it->second.front()};
    }
    static std::string_view trim(std::string_view s) {
        const auto first = s.find_first_not_of(" \t\r\n");
        if (first == std::string_view::npos) return {};
        return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
    }

    text::accent_mode accents_;
    table exact_;
    table plain_;
};

} // namespace pancake::workflow::detail

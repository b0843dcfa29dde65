// Choosing who gets a conversation: round robin, least loaded, and rules (by tag, language or a
// VIP flag) that route to a subset of staff and fall back to the round robin. Pure choices; the
// caller assigns through the client. Callers pass the currently eligible staff (staff.hpp).
//
// Every assigner orders staff the same stable way: by user id. Any total order that does not
// depend on who is present would do; the id order needs no state. With it, a rotation whose
// cursor is the LAST ASSIGNED user (not a position) stays fair while the staff list changes:
//   - next = the first eligible user after the last one, wrapping around;
//   - someone who goes offline is simply skipped, and the others keep their turns;
//   - someone who joins gets their turn when the rotation reaches their place;
//   - if the last one left, the rotation continues from where they stood.
// Nobody gets two in a row unless they are alone.
#pragma once

#include <pancake/ids.hpp>
#include <pancake/workflow/cursor_store.hpp>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pancake::workflow {

/// The first of `eligible` (any order; duplicates are harmless) after `last` in id order,
/// wrapping around; the first in id order when there is no `last`. nullopt when `eligible` is
/// empty. `last` need not be eligible any more.
inline std::optional<user_id> next_in_rotation(std::span<const user_id> eligible, const std::optional<user_id>& last) {
    const user_id* first = nullptr; // the smallest id: where the rotation wraps to
    const user_id* after = nullptr; // the smallest id greater than `last`
    for (const auto& u : eligible) {
        if (!first || u < *first) first = &u;
        if (last && *last < u && (!after || u < *after)) after = &u;
    }
    if (!first) return std::nullopt;
    return after ? *after : *first;
}

namespace detail {

// Load the lane's cursor, choose, save: the cursor moves when the choice is made. If the assign
// call then fails, that person's turn is skipped once, which is better than handing the same
// person two in a row when calls overlap.
inline store_result<std::optional<user_id>> take_turn(cursor_store& store, const page_id& page, std::string_view lane,
                                                      std::span<const user_id> eligible) {
    auto last = store.load(page, lane);
    if (!last) return last.error();
    auto who = next_in_rotation(eligible, *last);
    if (!who) return who;
    if (auto saved = store.save(page, *who, lane); !saved) return saved.error();
    return who;
}

} // namespace detail

/// Round robin over the eligible staff, its cursor kept in a cursor_store.
class round_robin_assigner {
public:
    /// `lane` names this rotation in the store ("" is the page's main one).
    explicit round_robin_assigner(cursor_store& store, std::string lane = {})
        : store_(&store), lane_(std::move(lane)) {}

    /// Who would be next on `page`, without moving the cursor.
    store_result<std::optional<user_id>> peek(const page_id& page, std::span<const user_id> eligible) const {
        std::lock_guard lk(mu_);
        auto last = store_->load(page, lane_);
        if (!last) return last.error();
        return next_in_rotation(eligible, *last);
    }

    /// Chooses who is next on `page` and records them as the last assigned. nullopt, with the
    /// cursor untouched, when nobody is eligible.
    store_result<std::optional<user_id>> next(const page_id& page, std::span<const user_id> eligible) {
        std::lock_guard lk(mu_); // load-choose-save as one step within this process
        return detail::take_turn(*store_, page, lane_, eligible);
    }

private:
    cursor_store* store_;
    std::string lane_;
    mutable std::mutex mu_;
};

/// Open conversations per user; a user who is not in the map has none.
using staff_load = std::unordered_map<user_id, std::size_t>;

/// The eligible user with the fewest open conversations. Ties go to the first of the tied in id
/// order, or, given `after` (say, the last one assigned), to the first of them after it,
/// wrapping: then equal loads take turns instead of always favouring the smallest id.
inline std::optional<user_id> least_loaded(std::span<const user_id> eligible, const staff_load& load,
                                           const std::optional<user_id>& after = std::nullopt) {
    auto load_of = [&](const user_id& u) {
        auto it = load.find(u);
        return it == load.end() ? std::size_t{0} : it->second;
    };
    std::size_t least = std::numeric_limits<std::size_t>::max();
    for (const auto& u : eligible)
        least = std::min(least, load_of(u));
    // next_in_rotation over the least loaded, without copying them out.
    const user_id* first = nullptr;
    const user_id* next = nullptr;
    for (const auto& u : eligible) {
        if (load_of(u) != least) continue;
        if (!first || u < *first) first = &u;
        if (after && *after < u && (!next || u < *next)) next = &u;
    }
    if (!first) return std::nullopt;
    return next ? *next : *first;
}

/// Where a rule sends conversations: those matching every condition it sets (a condition left
/// unset matches anything) go to `staff`.
struct routing_rule {
    std::string name;                    ///< names the rule's own rotation in the cursor store
    std::optional<tag_id> tag;           ///< the conversation carries this tag
    std::optional<std::string> language; ///< the customer's language: "en" matches "en" and "en-US"
    std::optional<bool> vip;             ///< the customer is (or is not) a VIP
    std::vector<user_id> staff;          ///< who handles what the rule matches
};

/// What the rules look at, gathered by the caller from the conversation and the customer.
struct routing_facts {
    std::vector<tag_id> tags;
    std::string language; ///< BCP 47 ("vi", "en-US"); empty when unknown
    bool vip = false;
};

/// Who was chosen and why.
struct routing_choice {
    user_id user;
    std::optional<std::size_t> rule; ///< the rule that routed it; nullopt for the fallback rotation
};

/// Rules first, round robin after: the first rule that applies and has someone eligible chooses
/// among its staff, round robin in a rotation of its own (so its members share its work evenly
/// whatever the general traffic does). When no rule does, everyone eligible shares the work in
/// the page's main rotation, the same one a plain round_robin_assigner uses.
///
/// A rule that applies but whose staff are all away falls through to the next rule, and then to
/// the general rotation: a VIP is better served by anyone than by nobody.
class rule_based_assigner {
public:
    rule_based_assigner(cursor_store& store, std::vector<routing_rule> rules)
        : store_(&store), rules_(std::move(rules)) {}

    const std::vector<routing_rule>& rules() const noexcept { return rules_; }

    /// True when every condition `rule` sets holds for `facts`.
    static bool applies(const routing_rule& rule, const routing_facts& facts) noexcept {
        if (rule.tag && std::find(facts.tags.begin(), facts.tags.end(), *rule.tag) == facts.tags.end()) return false;
        if (rule.language && !language_matches(*rule.language, facts.language)) return false;
        if (rule.vip && *rule.vip != facts.vip) return false;
        return true;
    }

    /// Chooses who gets a conversation with `facts` on `page` and moves that rotation's cursor.
    /// nullopt when nobody is eligible at all.
    store_result<std::optional<routing_choice>> next(const page_id& page, const routing_facts& facts,
                                                     std::span<const user_id> eligible) {
        std::lock_guard lk(mu_);
        std::vector<user_id> pool;
        for (std::size_t i = 0; i < rules_.size(); ++i) {
            const auto& rule = rules_[i];
            if (!applies(rule, facts)) continue;
            pool.clear();
            for (const auto& u : eligible)
                if (std::find(rule.staff.begin(), rule.staff.end(), u) != rule.staff.end()) pool.push_back(u);
            if (pool.empty()) continue;
            auto who = detail::take_turn(*store_, page, lane_of(i), pool);
            if (!who) return who.error();
            return std::optional<routing_choice>(routing_choice{std::move(**who), i});
        }
        auto who = detail::take_turn(*store_, page, {}, eligible);
        if (!who) return who.error();
        if (!*who) return std::optional<routing_choice>();
        return std::optional<routing_choice>(routing_choice{std::move(**who), std::nullopt});
    }

    /// The cursor lane of rule `i`: "rule:<name>", or "rule#<i>" for a nameless rule (which then
    /// loses its place in the rotation if the rules are reordered; name your rules).
    std::string lane_of(std::size_t i) const {
        return rules_[i].name.empty() ? "rule#" + std::to_string(i) : "rule:" + rules_[i].name;
    }

private:
    // ASCII case-insensitive, and a rule for a language matches its regional variants.
    static bool language_matches(std::string_view rule, std::string_view actual) noexcept {
        if (rule.empty() || actual.size() < rule.size()) return false;
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        for (std::size_t i = 0; i < rule.size(); ++i)
            if (lower(rule[i]) != lower(actual[i])) return false;
        return actual.size() == rule.size() || actual[rule.size()] == '-' || actual[rule.size()] == '_';
    }

    cursor_store* store_;
    std::vector<routing_rule> rules_;
    std::mutex mu_;
};

} // namespace pancake::workflow

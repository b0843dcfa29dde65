// From the tags a conversation has to the tags it should have, in the fewest calls. Pancake has
// no "set tags" endpoint: each tag is one add or remove call against a budget of 5 requests per
// second per page, so set_tags and clear_tags send only the difference.
#pragma once

#include <pancake/ids.hpp>

#include <span>
#include <unordered_set>
#include <vector>

namespace pancake::workflow {

/// What to add and what to remove; set semantics (a repeat counts once).
template <class Id>
struct id_diff {
    std::vector<Id> add;    ///< desired but absent, in the order `desired` lists them
    std::vector<Id> remove; ///< present but not desired, in the order `current` lists them
    bool empty() const noexcept { return add.empty() && remove.empty(); }
    friend bool operator==(const id_diff&, const id_diff&) = default;
};

using tag_diff = id_diff<tag_id>;

/// The minimal changes that turn the set `current` into the set `desired`. Orders are kept as
/// given so the calls (and a log of them) are predictable.
template <class Id>
id_diff<Id> diff_ids(std::span<const Id> current, std::span<const Id> desired) {
    const std::unordered_set<Id> have(current.begin(), current.end());
    const std::unordered_set<Id> want(desired.begin(), desired.end());
    id_diff<Id> out;
    std::unordered_set<Id> listed;
    for (const auto& id : desired)
        if (!have.contains(id) && listed.insert(id).second) out.add.push_back(id);
    listed.clear();
    for (const auto& id : current)
        if (!want.contains(id) && listed.insert(id).second) out.remove.push_back(id);
    return out;
}

/// diff_ids for tags: what set_tags sends. Clearing is the diff to nothing: diff_tags(current, {}).
inline tag_diff diff_tags(std::span<const tag_id> current, std::span<const tag_id> desired) {
    return diff_ids<tag_id>(current, desired);
}

} // namespace pancake::workflow

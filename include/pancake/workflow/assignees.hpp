// Changing one assignee, or the tag set, of a conversation without losing anyone else's change.
//
// POST …/assign REPLACES the assignee set (pancake-api.md §2.2), so "add Bình" must read the
// current set, merge, and write it back whole; two such read-merge-writes that overlap both read
// the old set, and the second write drops the first one's assignee. The editor therefore runs
// the edits of one conversation one at a time, in call order (an async queue per conversation:
// no threads, no blocking); edits of different conversations run side by side. Within the
// process that is enough; another process assigning the same conversation at the same moment
// can still race (the API offers no compare-and-set).
//
// Each edit: take the conversation's turn, read the conversation (detail/read_conversation.hpp:
// the v2 listing, as there is no single GET), send only what changes anything, and check the
// server's answer (assign echoes the resulting assignee_ids; a tag call answers the full tag set
// after it). Nothing to change sends nothing.
//
//   workflow::conversation_editor edit(api);
//   auto now = co_await edit.async_add_assignee(page, conv, user_id{"fb5ff8ed-…"}, asio::use_awaitable);
//   co_await edit.async_set_tags(page, conv, {tag_id{1}, tag_id{5}}, asio::use_awaitable);
//
// Operations follow Asio's universal model (void(error_code, T), deferred by default). Terminal
// cancellation works while an edit waits for its turn (it leaves the queue, nothing was sent) and
// is passed on to the client's call in progress (see client.hpp). Errors: the client's,
// state_error::conversation_not_found (not within editor_options::max_listing_pages),
// state_error::change_not_applied (the answer disagrees; the value is what the server reported).
#pragma once

#include <pancake/client.hpp>
#include <pancake/workflow/detail/handlers.hpp>
#include <pancake/workflow/detail/read_conversation.hpp>
#include <pancake/workflow/detail/spawn.hpp>
#include <pancake/workflow/detail/turn_queue.hpp>
#include <pancake/workflow/state_error.hpp>
#include <pancake/workflow/tag_diff.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace pancake::workflow {

struct editor_options {
    /// Listing pages (60 conversations each, newest first) searched for the conversation before
    /// giving up with conversation_not_found.
    std::size_t max_listing_pages = 5;
};

namespace detail {

template <class Id>
bool same_set(const std::vector<Id>& a, const std::vector<Id>& b) {
    return std::set<Id>(a.begin(), a.end()) == std::set<Id>(b.begin(), b.end());
}

template <class T>
using edit_result = std::pair<error_code, T>;

/// Every edit's opening: the conversation's turn (held by the result until the edit ends, so
/// edits of one conversation never interleave), then its current state.
struct opened_edit {
    error_code ec;
    std::optional<turn> held;
    conversation current;
};

inline asio::awaitable<opened_edit> open_edit(client& api, std::shared_ptr<turn_queue> turns,
                                              const editor_options& opts, const page_id& page,
                                              const conversation_id& conv) {
    opened_edit o;
    std::string key = page.value() + '\n' + conv.value();
    auto [turn_ec] = co_await turns->async_take_turn(key, asio::as_tuple(asio::use_awaitable));
    if (turn_ec) {
        o.ec = turn_ec;
        co_return o;
    }
    o.held.emplace(std::move(turns), std::move(key));
    auto [read_ec, current] = co_await read_conversation(api, page, conv, opts.max_listing_pages);
    o.ec = read_ec;
    o.current = std::move(current);
    co_return o;
}

inline asio::awaitable<edit_result<std::vector<user_id>>> change_assignee(client* api,
                                                                          std::shared_ptr<turn_queue> turns,
                                                                          editor_options opts, page_id page,
                                                                          conversation_id conv, user_id who, bool add) {
    using result = edit_result<std::vector<user_id>>;
    auto opened = co_await open_edit(*api, std::move(turns), opts, page, conv);
    if (opened.ec) co_return result(opened.ec, {});
    auto wanted = opened.current.assignee_ids;
    const bool present = std::find(wanted.begin(), wanted.end(), who) != wanted.end();
    if (present == add) co_return result({}, std::move(wanted)); // already so: send nothing
    if (add)
        wanted.push_back(who);
    else
        std::erase(wanted, who); // the last one out sends [], which unassigns everyone

    auto [assign_ec, answer] = co_await api->async_assign(page, conv, wanted, asio::as_tuple(asio::use_awaitable));
    if (assign_ec) co_return result(assign_ec, {});
    if (!same_set(answer.assignee_ids, wanted)) co_return result(state_error::change_not_applied, answer.assignee_ids);
    co_return result({}, std::move(answer.assignee_ids));
}

inline asio::awaitable<edit_result<std::vector<tag_id>>> change_tags(client* api, std::shared_ptr<turn_queue> turns,
                                                                     editor_options opts, page_id page,
                                                                     conversation_id conv,
                                                                     std::vector<tag_id> desired) {
    using result = edit_result<std::vector<tag_id>>;
    auto opened = co_await open_edit(*api, std::move(turns), opts, page, conv);
    if (opened.ec) co_return result(opened.ec, {});
    const auto have = opened.current.tag_ids();
    const auto diff = diff_tags(have, desired);
    std::vector<tag_id> now = have;
    // Additions first: cut short by an error, the conversation has a tag too many rather than
    // one too few (a rule that misses a tag does more harm than one that sees an extra).
    for (const auto& t : diff.add) {
        auto [ec, r] = co_await api->async_add_tag(page, conv, t, asio::as_tuple(asio::use_awaitable));
        if (ec) co_return result(ec, std::move(now));
        now = std::move(r.data);
    }
    for (const auto& t : diff.remove) {
        auto [ec, r] = co_await api->async_remove_tag(page, conv, t, asio::as_tuple(asio::use_awaitable));
        if (ec) co_return result(ec, std::move(now));
        now = std::move(r.data);
    }
    if (!same_set(now, desired)) co_return result(state_error::change_not_applied, std::move(now));
    co_return result({}, std::move(now));
}

} // namespace detail

class conversation_editor {
public:
    /// The client must outlive the editor and stay where it is (the editor keeps its address).
    explicit conversation_editor(client& api, editor_options opts = {})
        : api_(&api), opts_(opts), turns_(std::make_shared<detail::turn_queue>(api.get_executor())) {}

    /// Adds `who` to the conversation's assignees, keeping the others. Completes with the set
    /// after the change (no request is sent when `who` is already assigned).
    template <class CompletionToken = asio::deferred_t>
    auto async_add_assignee(page_id page, conversation_id conv, user_id who, CompletionToken&& token = {}) {
        return change_assignee(std::move(page), std::move(conv), std::move(who), true,
                               std::forward<CompletionToken>(token));
    }

    /// Removes `who` from the conversation's assignees, keeping the others (removing the last
    /// one sends an empty set: the conversation is then unassigned).
    template <class CompletionToken = asio::deferred_t>
    auto async_remove_assignee(page_id page, conversation_id conv, user_id who, CompletionToken&& token = {}) {
        return change_assignee(std::move(page), std::move(conv), std::move(who), false,
                               std::forward<CompletionToken>(token));
    }

    /// Makes the conversation's tags exactly `desired` (a set: order and repeats don't matter),
    /// with one add or remove call per tag that differs (tag_diff.hpp) and none when nothing
    /// does. Completes with the tag set the server reports after the last call; when a call
    /// fails, with its error and the set as it stood after the last call that succeeded.
    template <class CompletionToken = asio::deferred_t>
    auto async_set_tags(page_id page, conversation_id conv, std::vector<tag_id> desired, CompletionToken&& token = {}) {
        return detail::spawn_edit<std::vector<tag_id>>(
            api_->get_executor(),
            [api = api_, turns = turns_, opts = opts_, page = std::move(page), conv = std::move(conv),
             desired = std::move(desired)] { return detail::change_tags(api, turns, opts, page, conv, desired); },
            std::forward<CompletionToken>(token));
    }

    /// Removes every tag of the conversation: set_tags to the empty set.
    template <class CompletionToken = asio::deferred_t>
    auto async_clear_tags(page_id page, conversation_id conv, CompletionToken&& token = {}) {
        return async_set_tags(std::move(page), std::move(conv), {}, std::forward<CompletionToken>(token));
    }

    /// Conversations with an edit running right now (the others queue behind it).
    std::size_t busy() const noexcept { return turns_->busy(); }

private:
    template <class CompletionToken>
    auto change_assignee(page_id page, conversation_id conv, user_id who, bool add, CompletionToken&& token) {
        return detail::spawn_edit<std::vector<user_id>>(
            api_->get_executor(),
            [api = api_, turns = turns_, opts = opts_, page = std::move(page), conv = std::move(conv),
             who = std::move(who), add] { return detail::change_assignee(api, turns, opts, page, conv, who, add); },
            std::forward<CompletionToken>(token));
    }

    client* api_;
    editor_options opts_;
    std::shared_ptr<detail::turn_queue> turns_;
};

} // namespace pancake::workflow

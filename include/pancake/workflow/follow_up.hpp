// The seed article's cron job: mark unread the conversations that were read more than N hours
// ago and that nobody answered, so they come back to the staff's attention (a red bubble in
// Pancake). Two steps, as bulk re-assign: select (a conversation_walk), then mark (async_run_bulk,
// the whole rate budget, resumable from the items).
//
// "Read more than N hours ago": the API keeps no read time, but marking read updates the
// conversation (its updated_at moves; pancake-api.md §2.3), so a conversation that is read and
// was last updated before the cutoff was read before the cutoff too. "Not answered": its last
// message came from the customer (last_sent_by is not the page). The walk asks for updated_at
// up to the cutoff, so the listing does the filtering.
//
//   auto [ec, plan] = co_await workflow::async_plan_follow_up(api, page, {.older_than = 24h},
//                                                            asio::as_tuple(asio::use_awaitable));
//   auto [ec2, p] = co_await workflow::async_run_bulk(api, plan.items, workflow::mark_unread_on(api, page),
//                                                     {}, asio::as_tuple(asio::use_awaitable));
#pragma once

#include <pancake/client.hpp>
#include <pancake/workflow/bulk.hpp>
#include <pancake/workflow/conversation_walk.hpp>
#include <pancake/workflow/detail/client_clock.hpp>
#include <pancake/workflow/detail/spawn.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

namespace pancake::workflow {

struct follow_up_options {
    std::chrono::seconds older_than = std::chrono::hours(24); ///< read at least this long ago
    /// Which conversations to look at; its `until` is tightened to the cutoff. Default: inbox only
    /// (a comment thread left read is not a customer waiting for an answer).
    walk_filter filter = [] {
        walk_filter f;
        f.types = {conversation_type::inbox};
        return f;
    }();
    walk_options walk;
};

struct follow_up_plan {
    page_id page;
    std::int64_t cutoff = 0; ///< unix seconds: read (last updated) at or before this
    std::vector<bulk_item> items;
};

/// Whether `c` is a follow-up candidate at `cutoff` (unix seconds) on `page`.
inline bool needs_follow_up(const conversation& c, const page_id& page, std::int64_t cutoff) {
    if (!c.seen) return false;
    if (!c.updated_at || c.updated_at->unix_seconds() > cutoff) return false;
    const bool page_spoke_last = c.last_sent_by && c.last_sent_by->id == page.value();
    return !page_spoke_last;
}

/// The action for async_run_bulk: mark the item's conversation unread.
inline auto mark_unread_on(client& api, page_id page) {
    return [api = &api, page = std::move(page)](const bulk_item& item) -> asio::awaitable<error_code> {
        auto [ec, r] = co_await api->async_mark_unread(page, item.conversation, asio::as_tuple(asio::use_awaitable));
        (void)r;
        co_return ec;
    };
}

namespace detail {

inline asio::awaitable<std::pair<error_code, follow_up_plan>> plan_follow_up(client* api, page_id page,
                                                                             follow_up_options opts) {
    follow_up_plan plan;
    plan.page = page;
    const auto now = clock_of(*api).system_now();
    plan.cutoff = std::chrono::floor<std::chrono::seconds>(now - opts.older_than).time_since_epoch().count();
    auto filter = opts.filter;
    filter.until = filter.until ? std::min(*filter.until, plan.cutoff) : plan.cutoff;
    filter.order_by_inserted_at = false; // the cutoff is on updated_at
    conversation_walk walk(*api, page, std::move(filter), opts.walk);
    auto [ec, n] = co_await walk.async_for_each(
        [&](const conversation& c) {
            if (needs_follow_up(c, plan.page, plan.cutoff)) plan.items.push_back(bulk_item{c.id, {}, {}});
        },
        asio::as_tuple(asio::use_awaitable));
    (void)n;
    co_return std::pair<error_code, follow_up_plan>(ec, std::move(plan));
}

} // namespace detail

/// Selects the conversations to mark unread (see the top of this file), on the client's clock.
/// Signature void(error_code, follow_up_plan).
template <class CompletionToken = asio::deferred_t>
auto async_plan_follow_up(client& api, page_id page, follow_up_options opts = {}, CompletionToken&& token = {}) {
    return detail::spawn_edit<follow_up_plan>(
        api.get_executor(),
        [api = &api, page = std::move(page), opts = std::move(opts)] {
            return detail::plan_follow_up(api, page, opts);
        },
        std::forward<CompletionToken>(token));
}

/// Marks the plan's items unread (async_run_bulk with mark_unread_on). Signature
/// void(error_code, bulk_progress).
template <class CompletionToken = asio::deferred_t>
auto async_run_follow_up(client& api, follow_up_plan& plan, bulk_options opts = {}, CompletionToken&& token = {}) {
    return async_run_bulk(api, plan.items, mark_unread_on(api, plan.page), std::move(opts),
                          std::forward<CompletionToken>(token));
}

} // namespace pancake::workflow

// Every conversation of a page that matches a filter, through the v2 listing, none lost to its
// silent cap (pancake-api.md §4.1): one call returns at most 60 conversations, and a since/until
// window holding more returns the 60 newest with no error and no hint.
//
//   workflow::conversation_walk walk(api, page, {.types = {conversation_type::inbox,
//                                                          conversation_type::comment},
//                                                .since = t0, .until = t1});
//   for (;;) {                                          // batch by batch, in a coroutine
//       auto batch = co_await walk.async_next(asio::use_awaitable);
//       if (batch.empty()) break;                       // the walk is over
//       for (auto& c : batch) ...;
//   }
//   // or: auto [ec, n] = co_await walk.async_for_each([](const conversation& c) { ... },
//   //                                                 asio::as_tuple(asio::deferred));
//
// How. The walk keeps a stack of time windows ([since, until] in unix seconds, on updated_at, or
// on inserted_at with order_by_inserted_at, as the API filters), newest on top. A call that comes
// back with fewer than walk_options::split_at conversations (60, the cap) held the whole window:
// they are delivered and the window is done. A full answer may be truncated: the window is
// halved ([lo, mid] and [mid+1, hi]) and each half asked again, recursively. Only the partition
// matters for completeness, not which conversations the server kept; an open bound (no since or
// no until) is closed at the oldest / newest timestamp of the full answer instead of a midpoint,
// so a walk of "everything" does not halve down from 1970. A one-second window that is still full
// cannot be split: it is read with the last_conversation_id cursor, page after page, until a page
// comes back empty. Several types: one walk per type, one after the other (the API takes a single
// `type` per call; a repeated one matches nothing). The limiter of the client paces the calls;
// the walk never sleeps.
//
// Guarantees. Each conversation id is delivered at most once per walk (an id set, one entry per
// conversation delivered). Every conversation that matches the filter for the whole walk and
// whose filtered timestamp does not change meanwhile is delivered: always the case with
// order_by_inserted_at (inserted_at never changes). On updated_at (the default), a conversation
// updated during the walk moves to the newest window: if that window was already walked it is
// missed by this walk (its new updated_at is later than the walk's start, so a follow-up walk
// with since = that start finds it); if not, it is delivered once, in the state first seen.
// Conversations created during the walk may or may not be delivered. The window arithmetic takes
// since/until as inclusive (as the simulator does and the docs' wording suggests).
//
// Operations follow Asio's universal model: async_next completes with void(error_code,
// std::vector<conversation>) (an empty batch: the walk is over), async_for_each with
// void(error_code, std::size_t delivered by this call); deferred by default; use_awaitable,
// as_tuple and callbacks work. One operation at a time (a second one completes with
// asio::error::in_progress). Cancellation (terminal, partial or total, through the token's slot)
// completes with operation_aborted. Errors are the client's (pancake::errc, transport), plus
// errc::unexpected_response when a last_conversation_id cursor stops advancing. An error or a
// cancellation leaves the walk where it was (the failed window stays pending; what was
// delivered stays delivered): call async_next / async_for_each again to resume. progress() says
// how far it got.
//
// Use it from the client's executor (or strand); the client must outlive the walk. The walk can
// be destroyed while an operation is pending: the operation holds the walk's state.
#pragma once

#include <pancake/client.hpp>

#include <boost/asio/compose.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace pancake::workflow {

/// What to walk: conversation_query's filters, with a list of types.
struct walk_filter {
    std::vector<conversation_type> types;     ///< one walk each, in this order; empty: no type filter
    std::vector<tag_id> tags;                 ///< AND filter
    std::vector<post_id> post_ids;            ///< required with type post
    std::optional<std::int64_t> since, until; ///< unix seconds, inclusive; open when absent
    bool order_by_inserted_at = false;        ///< window on inserted_at, not updated_at
};

struct walk_options {
    /// A call returning at least this many conversations is taken as truncated. 60, the cap:
    /// fewer than 60 means the server ran out. (S5 split at 55 with no stated reason; a lower
    /// value costs calls and guards only against a server that drops entries after its limit.)
    std::size_t split_at = 60;
    /// Passed to every listing call (diagnostics, timeout, retry policy).
    call_options call;
};

/// How far a walk got.
struct walk_progress {
    std::size_t delivered = 0;             ///< distinct conversations delivered
    std::size_t requests = 0;              ///< listing calls answered (errors not counted)
    std::size_t splits = 0;                ///< full answers that split their window
    std::size_t pending_windows = 0;       ///< windows of the current type still to read
    std::size_t types_done = 0;            ///< types walked to the end
    std::optional<conversation_type> type; ///< the type being walked (none: no type filter, or done)
    bool done = false;
};

namespace detail {

struct walk_state {
    struct window {
        std::optional<std::int64_t> lo, hi;
        std::optional<conversation_id> cursor; ///< set: read page by page (an unsplittable window)
    };

    client* api;
    page_id page;
    walk_filter filter;
    walk_options opts;
    std::vector<std::optional<conversation_type>> types;
    std::size_t type_index = 0;
    std::vector<window> stack; ///< back(): the newest window, read next
    std::unordered_set<std::string> seen;
    walk_progress progress;
    bool busy = false;

    walk_state(client& a, page_id p, walk_filter f, walk_options o)
        : api(&a), page(std::move(p)), filter(std::move(f)), opts(std::move(o)) {
        if (opts.split_at == 0) opts.split_at = 1;
        types.assign(filter.types.begin(), filter.types.end());
        if (types.empty()) types.emplace_back();
        stack.push_back({filter.since, filter.until, {}});
        update_progress();
    }

    void update_progress() {
        progress.pending_windows = stack.size();
        progress.types_done = type_index;
        progress.done = type_index >= types.size();
        progress.type = progress.done ? std::nullopt : types[type_index];
    }

    /// The next call's query; nullopt when the walk is over.
    std::optional<conversation_query> next_query() const {
        if (stack.empty()) return std::nullopt;
        const auto& w = stack.back();
        conversation_query q;
        q.tags = filter.tags;
        q.post_ids = filter.post_ids;
        q.type = types[type_index];
        q.since = w.lo;
        q.until = w.hi;
        q.order_by_inserted_at = filter.order_by_inserted_at;
        q.last_conversation_id = w.cursor;
        return q;
    }

    std::optional<std::int64_t> stamp(const conversation& c) const {
        const auto& t = filter.order_by_inserted_at ? c.inserted_at : c.updated_at;
        if (!t) return std::nullopt;
        return t->unix_seconds();
    }

    std::size_t emit(std::vector<conversation>& page_items, std::vector<conversation>& out) {
        std::size_t fresh = 0;
        for (auto& c : page_items)
            if (seen.insert(c.id.value()).second) {
                out.push_back(std::move(c));
                ++fresh;
            }
        progress.delivered += fresh;
        return fresh;
    }

    void pop_window() {
        stack.pop_back();
        if (stack.empty() && ++type_index < types.size()) stack.push_back({filter.since, filter.until, {}});
    }

    /// Takes in the answer to next_query(): new conversations go to `out`.
    error_code absorb(std::vector<conversation> items, std::vector<conversation>& out) {
        ++progress.requests;
        auto finish = [&](error_code ec = {}) {
            update_progress();
            return ec;
        };
        auto& w = stack.back();
        const bool full = items.size() >= opts.split_at;
        if (w.cursor) { // page after page through an unsplittable window, until an empty page
            if (items.empty()) {
                pop_window();
                return finish();
            }
            auto next = items.back().id; // before emit() moves the conversations out
            if (emit(items, out) == 0) return finish(errc::unexpected_response); // the cursor is stuck
            w.cursor = std::move(next);
            return finish();
        }
        if (!full) {
            emit(items, out);
            pop_window();
            return finish();
        }
        auto to_cursor = [&] {
            w.cursor = items.back().id;
            emit(items, out);
            return finish();
        };
        if (w.lo && w.hi) {
            if (*w.lo >= *w.hi) return to_cursor();
            const auto lo = *w.lo, hi = *w.hi, mid = lo + (hi - lo) / 2;
            stack.pop_back();
            stack.push_back({lo, mid, {}});     // older half, read second
            stack.push_back({mid + 1, hi, {}}); // newer half, read first
            ++progress.splits;
            return finish();
        }
        // An open bound: close it where the answer's timestamps end.
        std::optional<std::int64_t> oldest, newest;
        for (auto& c : items)
            if (auto s = stamp(c)) {
                oldest = oldest ? std::min(*oldest, *s) : *s;
                newest = newest ? std::max(*newest, *s) : *s;
            }
        if (!oldest) return to_cursor(); // no timestamps to split on
        const auto lo = w.lo, hi = w.hi;
        std::vector<window> parts; // oldest first
        if (!lo) {
            const auto top = hi ? std::min(*oldest, *hi) : *oldest;
            parts.push_back({std::nullopt, top - 1, {}});
            parts.push_back({top, hi ? *hi : *newest, {}});
        } else {
            parts.push_back({*lo, std::max(*newest, *lo), {}});
        }
        if (!hi) parts.push_back({parts.back().hi.value() + 1, std::nullopt, {}}); // updated since
        stack.pop_back();
        stack.insert(stack.end(), parts.begin(), parts.end());
        ++progress.splits;
        return finish();
    }
};

/// async_next: calls until a batch holds something new or the walk is over.
struct walk_next_op {
    std::shared_ptr<walk_state> st;
    std::vector<conversation> out;
    bool started = false;

    template <class Self>
    void operator()(Self& self) {
        if (!started) {
            started = true;
            self.reset_cancellation_state(asio::enable_total_cancellation());
            auto ex = st->api->get_executor(); // before `self` (and `st` in it) moves
            if (st->busy)
                return asio::post(ex, [s = std::move(self)]() mutable {
                    std::move(s).complete(asio::error::in_progress, std::vector<conversation>{});
                });
            st->busy = true;
            // Completes only after the initiating function has returned.
            return asio::post(ex, std::move(self));
        }
        step(self);
    }

    template <class Self>
    void operator()(Self& self, error_code ec, conversation_list list) {
        if (ec) return finish(self, ec);
        if (auto e = st->absorb(std::move(list.conversations), out)) return finish(self, e);
        step(self);
    }

    template <class Self>
    void step(Self& self) {
        if (!out.empty()) return finish(self, {});
        if (self.cancelled() != asio::cancellation_type::none) return finish(self, asio::error::operation_aborted);
        auto q = st->next_query();
        if (!q) return finish(self, {});
        auto& api = *st->api;
        auto page = st->page;
        auto opts = st->opts.call;
        api.async_list_conversations(page, *q, opts, std::move(self));
    }

    template <class Self>
    void finish(Self& self, error_code ec) {
        st->busy = false;
        auto batch = std::move(out);
        self.complete(ec, std::move(batch));
    }
};

template <class Token>
auto async_walk_next(std::shared_ptr<walk_state> st, Token&& token) {
    auto ex = st->api->get_executor();
    return asio::async_compose<Token, void(error_code, std::vector<conversation>)>(
        walk_next_op{std::move(st), {}, false}, token, ex);
}

/// async_for_each: async_next until the end, calling `f` for each conversation.
template <class F>
struct walk_for_each_op {
    std::shared_ptr<walk_state> st;
    F f;
    std::size_t count = 0;

    template <class Self>
    void operator()(Self& self) {
        self.reset_cancellation_state(asio::enable_total_cancellation());
        async_walk_next(st, std::move(self));
    }

    template <class Self>
    void operator()(Self& self, error_code ec, std::vector<conversation> batch) {
        if (ec) return self.complete(ec, count);
        if (batch.empty()) return self.complete(error_code{}, count);
        for (auto& c : batch) {
            ++count;
            f(static_cast<const conversation&>(c));
        }
        // A cancellation emitted from `f` (or while no call was in flight) is only in our state.
        if (self.cancelled() != asio::cancellation_type::none)
            return self.complete(asio::error::operation_aborted, count);
        async_walk_next(st, std::move(self));
    }
};

} // namespace detail

class conversation_walk {
public:
    conversation_walk(client& api, page_id page, walk_filter filter = {}, walk_options opts = {})
        : st_(std::make_shared<detail::walk_state>(api, std::move(page), std::move(filter), std::move(opts))) {}

    const page_id& page() const noexcept { return st_->page; }
    const walk_progress& progress() const noexcept { return st_->progress; }
    bool done() const noexcept { return st_->progress.done; }

    /// The next conversations not delivered yet (at least one), or an empty batch: the walk is
    /// over. Signature void(error_code, std::vector<conversation>).
    template <class CompletionToken = asio::deferred_t>
    auto async_next(CompletionToken&& token = {}) {
        return detail::async_walk_next(st_, std::forward<CompletionToken>(token));
    }

    /// Calls `f(const conversation&)` for each conversation until the walk is over, an error or
    /// a cancellation. Signature void(error_code, std::size_t): how many this call delivered.
    /// An exception from `f` propagates out of the handler that called it (as with Asio); the
    /// conversations of the batch after it are then delivered already but never seen by `f`.
    template <class F, class CompletionToken = asio::deferred_t>
    auto async_for_each(F f, CompletionToken&& token = {}) {
        auto ex = st_->api->get_executor();
        return asio::async_compose<CompletionToken, void(error_code, std::size_t)>(
            detail::walk_for_each_op<F>{st_, std::move(f), 0}, token, ex);
    }

private:
    std::shared_ptr<detail::walk_state> st_;
};

} // namespace pancake::workflow

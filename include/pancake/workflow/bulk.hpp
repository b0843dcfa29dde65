// Running one action over many conversations: the engine under bulk re-assign
// (bulk_reassign.hpp), the follow-up job (follow_up.hpp) and an operator's "clear the tags of
// all of these". It keeps `concurrency` actions in flight and lets the client's rate limiter
// pace them, so the job uses the page's whole request budget and never more (the limiter
// admits exactly the budget; the actions only queue in it). Each item's state lives in the
// caller's vector, so a job is resumable: save the items (on_checkpoint), and a later run with
// the same vector skips what is done.
//
//   std::vector<workflow::bulk_item> items = …;   // one per conversation
//   auto [ec, p] = co_await workflow::async_run_bulk(api, items,
//       [&](const workflow::bulk_item& it) { return api.async_mark_unread(page, it.conversation,
//                                                                          asio::use_awaitable); },
//       {.concurrency = 8, .on_progress = draw}, asio::as_tuple(asio::use_awaitable));
//
// The action returns an awaitable; it fails by throwing system_error (what use_awaitable does)
// or by returning a non-zero error_code (an awaitable<error_code>); anything else it returns
// counts as success.
//
// The operation completes with void(error_code, bulk_progress): no error when every item was
// tried (failed ones are counted in progress.failed and keep their error text), and
// operation_aborted when cancelled. Cancellation (terminal, through the token's slot) stops
// taking items and cancels the actions in flight; an action cut short stays pending (a
// write may or may not have applied: the next run repeats it, so actions must be safe to
// repeat, as assign with the same set and mark read/unread are). on_checkpoint runs then too.
#pragma once

#include <pancake/client.hpp>
#include <pancake/workflow/detail/client_clock.hpp>
#include <pancake/workflow/detail/spawn.hpp>
#include <pancake/workflow/detail/waiter_list.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace pancake::workflow {

enum class item_state : std::uint8_t { pending, done, failed };

inline std::string_view to_string(item_state s) noexcept {
    switch (s) {
    case item_state::pending:
        return "pending";
    case item_state::done:
        return "done";
    case item_state::failed:
        return "failed";
    }
    return "pending";
}
inline std::optional<item_state> item_state_from(std::string_view s) noexcept {
    if (s == "pending") return item_state::pending;
    if (s == "done") return item_state::done;
    if (s == "failed") return item_state::failed;
    return std::nullopt;
}

/// One conversation of a job, and how it went.
struct bulk_item {
    conversation_id conversation;
    item_state state = item_state::pending;
    std::string error; ///< the failure, as text (error_code message and diagnostics), when failed
};

/// Where a job stands. Counts cover the whole job (earlier runs included) unless they say "this
/// run"; times are on the client's clock (virtual in tests).
struct bulk_progress {
    std::size_t total = 0;          ///< items in the job
    std::size_t done = 0;           ///< done, in this run or before
    std::size_t failed = 0;         ///< failed in this run (they keep their error; a later run retries them)
    std::size_t in_flight = 0;      ///< actions running now
    std::size_t done_this_run = 0;  ///< finished in this run, done or failed
    std::uint64_t retries = 0;      ///< the client's retries during this run (all its calls)
    std::uint64_t rate_limited = 0; ///< 429 answers during this run: 0 unless another client shares the budget
    clock::duration elapsed{};      ///< since this run began

    std::size_t remaining() const noexcept { return total - done - failed; }
    /// Items finished per second in this run; 0 before the first.
    double per_second() const noexcept {
        const auto s = std::chrono::duration<double>(elapsed).count();
        return s > 0 ? static_cast<double>(done_this_run) / s : 0.0;
    }
    /// At this run's pace, how long the rest takes; nullopt before the pace is known.
    std::optional<clock::duration> eta() const noexcept {
        const double r = per_second();
        if (r <= 0) return std::nullopt;
        return std::chrono::duration_cast<clock::duration>(
            std::chrono::duration<double>(static_cast<double>(remaining()) / r));
    }
};

struct bulk_options {
    /// Actions in flight at once. The limiter decides the pace; this only has to cover the
    /// budget times the latency (5/s at 1 s latency needs 5). More just waits in the limiter.
    std::size_t concurrency = 8;
    /// Items a previous run left failed are tried again (false: left as they are).
    bool retry_failed = true;
    /// on_checkpoint after this many items finish (and once at the end, cancelled or not).
    std::size_t checkpoint_every = 25;
    std::function<void(const bulk_progress&)> on_progress; ///< after every item
    std::function<void()> on_checkpoint;                   ///< time to save the items
};

namespace detail {

/// The action's awaitable, whichever of the two forms it takes.
template <class Action>
auto call_action(Action& act, const bulk_item& item, std::size_t index) {
    if constexpr (std::is_invocable_v<Action&, const bulk_item&, std::size_t>)
        return act(item, index);
    else
        return act(item);
}

/// Calls the action; reports its failure as an error_code whatever way it failed.
template <class Action>
asio::awaitable<error_code> run_action(Action& act, const bulk_item& item, std::size_t index) {
    try {
        using R = typename decltype(call_action(act, item, index))::value_type;
        if constexpr (std::is_same_v<R, error_code>) {
            co_return co_await call_action(act, item, index);
        } else {
            co_await call_action(act, item, index);
            co_return error_code{};
        }
    } catch (const boost::system::system_error& e) {
        co_return e.code();
    }
}

template <class Action>
struct bulk_run {
    client* api;
    std::vector<bulk_item>* items;
    Action act;
    bulk_options opts;
    bulk_progress progress;
    clock::time_point start;
    client_stats stats0;
    std::size_t next = 0, since_checkpoint = 0, workers = 0;
    bool stopping = false;
    std::vector<std::unique_ptr<asio::cancellation_signal>> signals;
    waiter_list<> idle; // the run waits here for its workers

    bulk_run(client& a, std::vector<bulk_item>& it, Action ac, bulk_options o)
        : api(&a), items(&it), act(std::move(ac)), opts(std::move(o)), idle(a.get_executor()) {}

    bool wanted(const bulk_item& it) const {
        return it.state == item_state::pending || (it.state == item_state::failed && opts.retry_failed);
    }
    void refresh() {
        const auto s = api->stats();
        progress.retries = s.retries - stats0.retries;
        progress.rate_limited = s.rate_limited - stats0.rate_limited;
        progress.elapsed = clock_of(*api).now() - start;
    }
    void checkpoint(bool force) {
        if (!opts.on_checkpoint) return;
        if (!force && ++since_checkpoint < opts.checkpoint_every) return;
        since_checkpoint = 0;
        opts.on_checkpoint();
    }

    asio::awaitable<void> worker() {
        while (!stopping) {
            while (next < items->size() && !wanted((*items)[next]))
                ++next;
            if (next == items->size()) break;
            const std::size_t i = next++;
            ++progress.in_flight;
            const bulk_item item = (*items)[i]; // what the action sees, whatever callbacks do meanwhile
            const error_code ec = co_await run_action(act, item, i);
            --progress.in_flight;
            auto& it = (*items)[i];
            if (ec == asio::error::operation_aborted && stopping) break; // cut short: stays as it was
            if (ec) {
                it.state = item_state::failed;
                it.error = ec.message();
                ++progress.failed;
            } else {
                it.state = item_state::done;
                it.error.clear();
                ++progress.done;
            }
            ++progress.done_this_run;
            refresh();
            if (opts.on_progress) opts.on_progress(progress);
            checkpoint(false);
        }
    }
};

template <class Action>
asio::awaitable<std::pair<error_code, bulk_progress>> run_bulk(client* api, std::vector<bulk_item>* items, Action act,
                                                               bulk_options opts) {
    auto run = std::make_shared<bulk_run<Action>>(*api, *items, std::move(act), std::move(opts));
    run->start = clock_of(*api).now();
    run->stats0 = api->stats();
    run->progress.total = items->size();
    for (const auto& it : *items)
        run->progress.done += it.state == item_state::done;
    // Failed items not retried this run stay counted as failed.
    if (!run->opts.retry_failed)
        for (const auto& it : *items)
            run->progress.failed += it.state == item_state::failed;

    auto ex = co_await asio::this_coro::executor;
    const std::size_t n = std::max<std::size_t>(1, run->opts.concurrency);
    for (std::size_t w = 0; w < n; ++w) {
        run->signals.push_back(std::make_unique<asio::cancellation_signal>());
        ++run->workers;
        asio::co_spawn(ex, run->worker(),
                       asio::bind_cancellation_slot(run->signals.back()->slot(), [run](std::exception_ptr e) {
                           if (--run->workers == 0) run->idle.complete_first({});
                           if (e) std::rethrow_exception(e); // the caller's callbacks threw
                       }));
    }
    auto wait_idle = [&] {
        auto token = asio::as_tuple(asio::use_awaitable);
        return asio::async_initiate<decltype(token), void(error_code)>(
            [&](auto h) {
                if (run->workers == 0)
                    asio::post(ex, asio::append(std::move(h), error_code{}));
                else
                    run->idle.add(std::move(h));
            },
            token);
    };
    auto [ec] = co_await wait_idle();
    error_code result;
    if (ec) { // cancelled: stop taking items, cut the running ones short, wait for them
        result = asio::error::operation_aborted;
        run->stopping = true;
        co_await asio::this_coro::reset_cancellation_state();
        for (auto& s : run->signals)
            s->emit(asio::cancellation_type::terminal);
        auto [ignored] = co_await wait_idle();
        (void)ignored;
    }
    run->refresh();
    run->checkpoint(true);
    co_return std::pair<error_code, bulk_progress>(result, run->progress);
}

} // namespace detail

/// Runs `act(const bulk_item&)` or `act(const bulk_item&, std::size_t index)` (returning an
/// awaitable, see above) for every pending item of
/// `items` (and every failed one, with retry_failed), `concurrency` at a time. `items` must stay
/// alive and unresized until completion. Signature void(error_code, bulk_progress).
template <class Action, class CompletionToken = asio::deferred_t>
auto async_run_bulk(client& api, std::vector<bulk_item>& items, Action act, bulk_options opts = {},
                    CompletionToken&& token = {}) {
    return detail::spawn_edit<bulk_progress>(
        api.get_executor(),
        [api = &api, items = &items, act = std::move(act), opts = std::move(opts)]() mutable {
            return detail::run_bulk(api, items, std::move(act), std::move(opts));
        },
        std::forward<CompletionToken>(token));
}

} // namespace pancake::workflow

// Takes acknowledged deliveries from the intake and hands each event to your handler at most
// once in effect: repeats are dropped (dedupe store), conversation updates older than the last
// applied `version` are dropped as stale, the page's own messages (echoes) are filtered, and
// events of one conversation run one at a time, in arrival order, across N workers. A handler
// that fails is retried with backoff on the clock, then parked as a dead letter.
//
// Single-threaded by design: run the processor, its intake and the receiver on one thread, or
// give them one strand as executor.
#pragma once

#include <pancake/clock.hpp>
#include <pancake/webhook/dedupe.hpp>
#include <pancake/webhook/event.hpp>
#include <pancake/webhook/intake.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <memory>
#include <unordered_map>

namespace pancake::webhook {

/// Your code: called once per event, completes with an error_code (non-zero: retry later).
using event_handler = std::function<void(const received_event&, boost::asio::any_completion_handler<void(error_code)>)>;

/// Adapts a coroutine `awaitable<void> f(const received_event&)` (throwing on failure) into an
/// event_handler running on `ex`.
template <class F>
event_handler awaitable_handler(boost::asio::any_io_executor ex, F f) {
    return [ex, f = std::move(f)](const received_event& e,
                                  boost::asio::any_completion_handler<void(error_code)> done) mutable {
        boost::asio::co_spawn(ex, f(e), [done = std::move(done)](std::exception_ptr ep) mutable {
            error_code ec;
            if (ep) {
                try {
                    std::rethrow_exception(ep);
                } catch (const boost::system::system_error& se) {
                    ec = se.code();
                } catch (...) {
                    ec = make_error_code(errc::api_error);
                }
            }
            std::move(done)(ec);
        });
    };
}

struct processor_options {
    std::size_t workers = 4;
    bool suppress_echoes = true;                             ///< drop messaging events the page itself sent
    unsigned max_attempts = 3;                               ///< handler attempts before an event becomes a dead letter
    clock::duration retry_backoff = std::chrono::seconds(1); ///< doubled after each failure
    std::size_t max_dead_letters = 1000;
    clock* clk = nullptr;              ///< default: real time
    dedupe_store* dedupe = nullptr;    ///< default: in memory, 24 h window
    version_store* versions = nullptr; ///< default: in memory
};

struct processor_stats {
    std::uint64_t handled = 0;    ///< the handler succeeded
    std::uint64_t duplicates = 0; ///< repeats dropped
    std::uint64_t stale = 0;      ///< older conversation versions dropped
    std::uint64_t echoes = 0;     ///< the page's own messages dropped
    std::uint64_t retries = 0;    ///< handler attempts that failed and were retried
    std::uint64_t dead_letters = 0;
    std::uint64_t unparseable = 0; ///< bodies that stopped being JSON (a corrupted durable intake)
};

class processor {
public:
    processor(boost::asio::any_io_executor ex, intake& in, event_handler handler, processor_options o = {})
        : st_(std::make_shared<state>(std::move(ex), in, std::move(handler), std::move(o))) {}
    ~processor() { st_->in.on_ready(nullptr); }
    processor(const processor&) = delete;
    processor& operator=(const processor&) = delete;

    /// Starts the workers; deliveries already in the intake (recovered ones) go first.
    void start() {
        auto st = st_;
        st->in.on_ready([w = std::weak_ptr<state>(st)] {
            if (auto s = w.lock()) s->wake.cancel_one(); // one idle worker; it wakes the next
        });
        st->running = st->opts.workers;
        for (std::size_t i = 0; i < st->opts.workers; ++i)
            boost::asio::co_spawn(st->ex, worker(st), boost::asio::detached);
    }

    /// Graceful stop: completes once everything in the intake has been processed and committed.
    template <class CompletionToken>
    auto async_stop(CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, void()>(
            [st = st_](auto h) {
                st->stopping = true;
                if (st->running == 0) {
                    auto ex = boost::asio::get_associated_executor(h, st->ex);
                    boost::asio::post(ex, std::move(h));
                    return;
                }
                st->on_stopped = std::move(h);
                st->wake.cancel();
            },
            token);
    }

    const processor_stats& stats() const noexcept { return st_->stats; }
    /// Events whose handler kept failing (newest last, bounded).
    const std::deque<received_event>& dead_letters() const noexcept { return st_->dead; }
    /// Events taken from the intake and not finished (including those queued behind their key).
    std::size_t in_progress() const noexcept { return st_->in_progress; }

private:
    struct item {
        std::uint64_t seq;
        result<received_event> ev;
    };
    struct state {
        state(boost::asio::any_io_executor e, intake& i, event_handler h, processor_options o)
            : ex(std::move(e)), in(i), handler(std::move(h)), opts(std::move(o)),
              clk(opts.clk ? opts.clk : &real_clock::instance()),
              wake(ex, boost::asio::steady_timer::time_point::max()) {
            if (!opts.dedupe) {
                own_dedupe = std::make_unique<memory_dedupe_store>(*clk);
                opts.dedupe = own_dedupe.get();
            }
            if (!opts.versions) {
                own_versions = std::make_unique<memory_version_store>();
                opts.versions = own_versions.get();
            }
            for (auto& k : in.recovered_keys())
                opts.dedupe->remember(k);
        }
        boost::asio::any_io_executor ex;
        intake& in;
        event_handler handler;
        processor_options opts;
        clock* clk;
        std::unique_ptr<memory_dedupe_store> own_dedupe;
        std::unique_ptr<memory_version_store> own_versions;
        boost::asio::steady_timer wake;                         // never expires: cancelled to wake idle workers
        std::unordered_map<std::string, std::deque<item>> busy; // serial key -> events queued behind it
        processor_stats stats;
        std::deque<received_event> dead;
        std::size_t in_progress = 0;
        std::size_t running = 0;
        bool stopping = false;
        std::optional<boost::asio::any_completion_handler<void()>> on_stopped;
    };

    static std::string key_of(const item& it) {
        if (!it.ev) return "#" + std::to_string(it.seq);
        if (!it.ev->serial_key.empty()) return it.ev->serial_key;
        return it.ev->dedupe_key;
    }

    static boost::asio::awaitable<void> worker(std::shared_ptr<state> st) {
        constexpr auto tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
        for (;;) {
            auto rec = st->in.next();
            if (!rec) {
                if (st->stopping && st->in_progress == 0 && st->in.pending() == 0) break;
                co_await st->wake.async_wait(tuple);
                continue;
            }
            st->wake.cancel_one(); // more may be ready (a durable intake hands out batches)
            ++st->in_progress;
            item it{rec->seq, parse_event(rec->body)};
            auto key = key_of(it);
            auto [slot, fresh] = st->busy.try_emplace(key);
            if (!fresh) { // another worker has this conversation: queue behind it
                slot->second.push_back(std::move(it));
                continue;
            }
            co_await process(st, std::move(it));
            for (;;) {
                auto found = st->busy.find(key);
                if (found->second.empty()) {
                    st->busy.erase(found);
                    break;
                }
                auto nxt = std::move(found->second.front());
                found->second.pop_front();
                co_await process(st, std::move(nxt));
            }
        }
        if (--st->running == 0 && st->on_stopped) {
            auto h = std::move(*st->on_stopped);
            st->on_stopped.reset();
            std::move(h)();
        } else {
            st->wake.cancel(); // let the other workers see the drained state
        }
    }

    static boost::asio::awaitable<void> process(std::shared_ptr<state> st, item it) {
        constexpr auto tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
        auto finish = [&](std::string_view key) {
            st->in.commit(it.seq, key);
            --st->in_progress;
        };
        if (!it.ev) {
            ++st->stats.unparseable;
            co_return finish({});
        }
        auto& ev = *it.ev;
        auto& dedupe = *st->opts.dedupe;
        if (dedupe.seen(ev.dedupe_key)) {
            ++st->stats.duplicates;
            co_return finish(ev.dedupe_key);
        }
        // Only a conversation update is state that a newer one supersedes; a message is a fact
        // even when its envelope carries an older snapshot of the conversation.
        const bool versioned = ev.version && ev.kind == event_kind::conversation;
        if (versioned) {
            auto last = st->opts.versions->last(ev.serial_key);
            if (last && *ev.version <= *last) {
                ++st->stats.stale;
                dedupe.remember(ev.dedupe_key);
                co_return finish(ev.dedupe_key);
            }
        }
        if (ev.echo && st->opts.suppress_echoes) {
            ++st->stats.echoes;
            dedupe.remember(ev.dedupe_key);
            co_return finish(ev.dedupe_key);
        }
        auto backoff = st->opts.retry_backoff;
        for (unsigned attempt = 1;; ++attempt) {
            auto [ec] = co_await boost::asio::async_initiate<decltype(tuple), void(error_code)>(
                [&](auto h) { st->handler(ev, boost::asio::any_completion_handler<void(error_code)>(std::move(h))); },
                tuple);
            if (!ec) {
                ++st->stats.handled;
                dedupe.remember(ev.dedupe_key);
                if (versioned) st->opts.versions->applied(ev.serial_key, *ev.version);
                co_return finish(ev.dedupe_key);
            }
            if (attempt >= st->opts.max_attempts) {
                ++st->stats.dead_letters;
                st->dead.push_back(std::move(ev));
                if (st->dead.size() > st->opts.max_dead_letters) st->dead.pop_front();
                co_return finish({});
            }
            ++st->stats.retries;
            co_await st->clk->async_wait_for(st->ex, backoff, tuple);
            backoff *= 2;
        }
    }

    std::shared_ptr<state> st_;
};

} // namespace pancake::webhook

// Keep-alive connections to one origin, under a cap on how many are open at once (FIFO for
// those who wait: detail/slot_queue.hpp decides, this class does the waiting). Connections come
// from a factory, so the pool neither knows nor cares what carries them.
#pragma once

#include <pancake/client_config.hpp>
#include <pancake/clock.hpp>
#include <pancake/http/connection.hpp>
#include <pancake/http/detail/slot_queue.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace pancake::http {

namespace detail {

/// The queue plus the handlers of those waiting; shared with the connections, which give
/// their slot back from their destructor.
struct pool_slots final : connection::slot_owner, std::enable_shared_from_this<pool_slots> {
    using handler = asio::any_completion_handler<void(error_code, std::unique_ptr<connection>)>;
    pool_slots(asio::any_io_executor e, std::size_t max) : ex(std::move(e)), queue(max) {}

    asio::any_io_executor ex;
    slot_queue queue;
    std::map<slot_queue::ticket, handler> waiting;

    void give_back() noexcept override {
        if (auto t = queue.release()) grant(*t, nullptr);
    }
    /// Completes waiter `t`: with a live connection, or null (open one: the slot is yours).
    void grant(slot_queue::ticket t, std::unique_ptr<connection> c) noexcept {
        auto it = waiting.find(t);
        if (it == waiting.end()) return;
        auto h = std::move(it->second);
        waiting.erase(it);
        if (auto slot = h.get_cancellation_slot(); slot.is_connected()) slot.clear();
        asio::post(ex, asio::append(std::move(h), error_code{}, std::move(c)));
    }

    template <class CompletionToken>
    auto wait(CompletionToken&& token) {
        return asio::async_initiate<CompletionToken, void(error_code, std::unique_ptr<connection>)>(
            [self = shared_from_this()](auto h) {
                const auto t = self->queue.enqueue();
                // The slot of the type-erased handler: wrapping attaches its own state to the
                // original slot, so assigning there would destroy that state.
                handler erased(std::move(h));
                auto slot = erased.get_cancellation_slot();
                self->waiting.emplace(t, std::move(erased));
                if (slot.is_connected())
                    slot.assign([w = std::weak_ptr<pool_slots>(self), t](asio::cancellation_type) {
                        auto s = w.lock();
                        if (!s || !s->queue.cancel(t)) return;
                        auto it = s->waiting.find(t);
                        auto h = std::move(it->second);
                        s->waiting.erase(it);
                        asio::post(s->ex, asio::append(std::move(h), error_code(asio::error::operation_aborted),
                                                       std::unique_ptr<connection>()));
                    });
            },
            token);
    }
};

} // namespace detail

class connection_pool {
public:
    using acquired = std::pair<error_code, std::unique_ptr<connection>>;

    connection_pool(asio::any_io_executor ex, pool_config cfg, connection_factory make, clock& clk)
        : ex_(std::move(ex)), cfg_(cfg), make_(std::move(make)), clk_(clk),
          slots_(std::make_shared<detail::pool_slots>(ex_, cfg.max_connections)) {}

    /// The fast path of acquire(): a fresh idle connection, or null (stale ones are closed).
    std::unique_ptr<connection> try_take_idle() {
        const auto now = clk_.now();
        while (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            if (now - c->last_used < cfg_.idle_timeout) {
                c->reused = true;
                return c;
            }
            c->close(); // the server has likely dropped it
        }
        return nullptr;
    }

    /// A fresh idle connection if one exists (unless `new_only`), else a new one once the
    /// connection cap allows it. Waiting for a slot honours the caller's cancellation.
    asio::awaitable<acquired> acquire(bool new_only = false) {
        if (!new_only) {
            if (auto c = try_take_idle()) co_return acquired(error_code{}, std::move(c));
        }
        close_all(); // the caller wants a new one
        if (!slots_->queue.try_take()) {
            auto [ec, handed] = co_await slots_->wait(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return acquired(ec, nullptr);
            if (handed) {
                if (!new_only) {
                    handed->reused = true;
                    co_return acquired(error_code{}, std::move(handed));
                }
                // Its slot becomes ours: take it over without waking anyone else.
                handed->close();
                handed->disown_slot();
                handed.reset();
            }
        }
        // The slot is ours from here: the connection gives it back when destroyed.
        auto c = make_(ex_);
        c->attach(slots_);
        ++opened_;
        // A timeout may have fired while the slot was handed over (between two operations).
        if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none)
            co_return acquired(asio::error::operation_aborted, nullptr);
        if (auto ec = co_await c->connect()) co_return acquired(ec, nullptr);
        co_return acquired(error_code{}, std::move(c));
    }

    void release(std::unique_ptr<connection> c) {
        if (!c) return;
        // Someone waits for a slot: pass the live connection straight on (FIFO).
        if (c->usable()) {
            if (auto t = slots_->queue.next()) return slots_->grant(*t, std::move(c));
        }
        if (!c->usable() || idle_.size() >= cfg_.max_idle) return c->close();
        c->last_used = clk_.now();
        idle_.push_back(std::move(c));
    }

    void close_all() {
        for (auto& c : idle_)
            c->close();
        idle_.clear();
    }

    std::size_t connections_opened() const noexcept { return opened_; }
    std::size_t idle() const noexcept { return idle_.size(); }
    std::size_t waiting() const noexcept { return slots_->queue.waiting(); }

private:
    asio::any_io_executor ex_;
    pool_config cfg_;
    connection_factory make_;
    clock& clk_;
    std::vector<std::unique_ptr<connection>> idle_;
    std::shared_ptr<detail::pool_slots> slots_;
    std::size_t opened_ = 0;
};

} // namespace pancake::http

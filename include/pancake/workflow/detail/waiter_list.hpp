// Completion handlers parked until news arrives (a refresh ends, a turn comes), each one
// cancellable on its own: when a waiter's cancellation slot fires, that waiter alone leaves the
// list and completes with operation_aborted; the news, when it comes, goes to the others.
//
// Completion is always posted (never inline), through the handler's associated executor, and a
// parked handler keeps that executor's work alive as an Asio operation would. Single-threaded,
// as the client: use it from one executor (or strand).
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <utility>

namespace pancake::workflow::detail {

namespace asio = boost::asio;

template <class... Args>
class waiter_list {
public:
    using error_code = boost::system::error_code;
    using handler_type = asio::any_completion_handler<void(error_code, Args...)>;

    explicit waiter_list(asio::any_io_executor ex) : core_(std::make_shared<core>(std::move(ex))) {}
    waiter_list(waiter_list&&) noexcept = default;
    waiter_list& operator=(waiter_list&&) noexcept = default;
    ~waiter_list() {
        // Handlers dropped uncompleted (the owner is going away, as at io_context shutdown) must
        // not leave their slots pointing at us.
        if (!core_) return;
        for (auto& [id, w] : core_->waiters)
            if (w.slot.is_connected()) w.slot.clear();
    }

    /// Parks `h`. `need` is what the owner says this waiter waits for (a generation, say);
    /// complete_if selects by it.
    template <class Handler>
    void add(Handler&& h, std::uint64_t need = 0) {
        asio::cancellation_slot slot = asio::get_associated_cancellation_slot(h);
        auto work =
            asio::prefer(asio::get_associated_executor(h, core_->ex), asio::execution::outstanding_work.tracked);
        const auto id = core_->next_id++;
        core_->waiters.emplace(id, waiter{handler_type(std::forward<Handler>(h)), std::move(work), slot, need});
        // A weak reference: the slot may fire after we are gone (a signal emitted twice).
        if (slot.is_connected())
            slot.assign([weak = std::weak_ptr<core>(core_), id](asio::cancellation_type) {
                if (auto c = weak.lock()) c->cancel(id);
            });
    }

    /// Completes every waiter whose `need` satisfies `pred`, in the order they came.
    template <class Pred>
    void complete_if(Pred pred, error_code ec, const Args&... args) {
        for (auto it = core_->waiters.begin(); it != core_->waiters.end();) {
            if (!pred(it->second.need)) {
                ++it;
                continue;
            }
            auto w = std::move(it->second);
            it = core_->waiters.erase(it);
            core_->finish(std::move(w), true, ec, args...);
        }
    }

    /// Completes the waiter that came first; false when nobody waits.
    bool complete_first(error_code ec, const Args&... args) {
        if (core_->waiters.empty()) return false;
        auto w = std::move(core_->waiters.begin()->second);
        core_->waiters.erase(core_->waiters.begin());
        core_->finish(std::move(w), true, ec, args...);
        return true;
    }

    bool empty() const noexcept { return core_->waiters.empty(); }
    std::size_t size() const noexcept { return core_->waiters.size(); }

private:
    struct waiter {
        handler_type handler;
        asio::any_io_executor work;
        asio::cancellation_slot slot;
        std::uint64_t need = 0;
    };
    struct core {
        explicit core(asio::any_io_executor e) : ex(std::move(e)) {}
        asio::any_io_executor ex;
        std::uint64_t next_id = 0;
        std::map<std::uint64_t, waiter> waiters; // ordered by arrival

        void cancel(std::uint64_t id) {
            auto it = waiters.find(id);
            if (it == waiters.end()) return; // already completed
            auto w = std::move(it->second);
            waiters.erase(it);
            // Not cleared: we are running inside the slot's handler.
            finish(std::move(w), false, asio::error::operation_aborted, Args{}...);
        }
        void finish(waiter w, bool clear_slot, error_code ec, const Args&... args) {
            if (clear_slot && w.slot.is_connected()) w.slot.clear();
            // post() runs it on the handler's associated executor; ours is the fallback.
            asio::post(ex, asio::append(std::move(w.handler), ec, args...));
        }
    };
    std::shared_ptr<core> core_;
};

} // namespace pancake::workflow::detail

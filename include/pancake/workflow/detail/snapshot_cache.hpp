// A snapshot of something the API lists (a page's tags, its staff) kept for a TTL on the
// client's clock, refreshed single-flight: however many lookups arrive while it is stale, one
// request is on the wire and every waiter completes with its result or its error.
//
// Invalidation is by generation: invalidate() bumps it, and a snapshot only serves lookups of
// the generation its request started in. A lookup that arrives after an invalidate() while an
// older request is in flight does not take that request's answer (it may predate the change
// the caller knows about): it waits for the next request, which starts as soon as the current
// one ends. So there is never more than one request in flight.
#pragma once

#include <pancake/clock.hpp>
#include <pancake/workflow/detail/waiter_list.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

namespace pancake::workflow::detail {

template <class Snapshot>
class snapshot_cache : public std::enable_shared_from_this<snapshot_cache<Snapshot>> {
public:
    using error_code = boost::system::error_code;
    using snapshot_ptr = std::shared_ptr<const Snapshot>;
    using fetch_handler = asio::any_completion_handler<void(error_code, snapshot_ptr)>;
    /// Starts one request and completes its handler with the new snapshot (or an error).
    using fetch_fn = std::function<void(fetch_handler)>;

    /// Hold it in a shared_ptr: a request in flight keeps it alive.
    snapshot_cache(asio::any_io_executor ex, pancake::clock& clk, pancake::clock::duration ttl, fetch_fn fetch)
        : ex_(ex), clock_(clk), ttl_(ttl), fetch_(std::move(fetch)), waiters_(ex) {}

    /// Completes `h` (void(error_code, snapshot_ptr)) with the snapshot: at once (posted) when
    /// it is fresh, else when the refresh it joins or starts ends. `force` asks for a request
    /// that starts after this call, whatever the age of the snapshot.
    template <class Handler>
    void async_wait(Handler&& h, bool force) {
        if (force)
            ++generation_;
        else if (auto s = fresh()) {
            asio::post(ex_, asio::append(std::forward<Handler>(h), error_code(), std::move(s)));
            return;
        }
        waiters_.add(std::forward<Handler>(h), generation_);
        if (!in_flight_) start();
    }

    /// The next lookup refreshes (joining no request that started before this call).
    void invalidate() noexcept { ++generation_; }

    /// The snapshot if it is fresh, else null.
    snapshot_ptr fresh() const {
        if (!snapshot_ || loaded_generation_ != generation_) return nullptr;
        return clock_.now() - loaded_at_ < ttl_ ? snapshot_ : nullptr;
    }

    bool refreshing() const noexcept { return in_flight_; }
    std::size_t waiting() const noexcept { return waiters_.size(); }

private:
    void start() {
        in_flight_ = true;
        const auto generation = generation_;
        // The snapshot is as old as the request's start: it can't reflect anything later.
        const auto started = clock_.now();
        fetch_(fetch_handler([self = this->shared_from_this(), generation, started](error_code ec, snapshot_ptr s) {
            self->finish(generation, started, ec, std::move(s));
        }));
    }

    void finish(std::uint64_t generation, pancake::clock::time_point started, error_code ec, snapshot_ptr s) {
        in_flight_ = false;
        if (!ec) {
            snapshot_ = s;
            loaded_generation_ = generation;
            loaded_at_ = started;
        }
        waiters_.complete_if([generation](std::uint64_t need) { return need <= generation; }, ec,
                             ec ? snapshot_ptr() : s);
        if (!waiters_.empty()) start(); // they arrived after an invalidate(): one more request
    }

    asio::any_io_executor ex_;
    pancake::clock& clock_;
    pancake::clock::duration ttl_;
    fetch_fn fetch_;
    waiter_list<snapshot_ptr> waiters_;
    snapshot_ptr snapshot_;
    std::uint64_t generation_ = 0;
    std::uint64_t loaded_generation_ = 0;
    pancake::clock::time_point loaded_at_{};
    bool in_flight_ = false;
};

} // namespace pancake::workflow::detail

// An in-memory duplex byte stream: two connected ends on one executor, each an Asio
// AsyncReadStream + AsyncWriteStream. It lets a client and an embedded simulator talk without
// sockets, on one thread, so a test run is a pure function of its seed and its virtual clock:
// when io_context::poll() finds nothing to do, everything is blocked on the clock.
//
// Semantics follow a TCP socket closely enough for HTTP/1.1:
//  - a write appends all its bytes to the peer's inbox and completes at once (unbounded buffer);
//  - a read takes what is there, or waits; after the peer closed and the inbox is drained it
//    completes with asio::error::eof;
//  - a write to a closed peer fails with connection_reset; a new operation on an end closed
//    here fails with bad_descriptor, a read waiting when it closed with operation_aborted;
//  - a waiting read honours its cancellation slot (terminal, partial, total) with
//    operation_aborted, like a socket's;
//  - pending reads do not count as outstanding work (run() returns when nothing but a peer
//    could wake them: in one thread, that is a deadlock made visible), and the execution
//    context's shutdown destroys them, as it does for sockets.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>

#include <cstring>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace pancake::testing {

namespace detail {

using read_handler = boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;

struct pipe_state;

/// Destroys the reads still pending when the execution context shuts down (the streams may be
/// owned by the very coroutine frames those reads would resume: without this, a cycle).
class pipe_service : public boost::asio::execution_context::service {
public:
    static inline boost::asio::execution_context::id id;
    explicit pipe_service(boost::asio::execution_context& ctx) : service(ctx) {}
    void add(pipe_state* p) { pipes_.insert(p); }
    void remove(pipe_state* p) { pipes_.erase(p); }
    void shutdown() override;

private:
    std::set<pipe_state*> pipes_;
};

/// What one end receives and whether it can still receive.
struct inbox {
    std::string bytes;
    std::size_t read_pos = 0;
    bool writer_closed = false; ///< the peer closed: eof once drained
    bool reader_closed = false; ///< this end closed
    std::optional<read_handler> waiting;
    boost::asio::mutable_buffer waiting_into;

    std::size_t available() const noexcept { return bytes.size() - read_pos; }
    std::size_t take(boost::asio::mutable_buffer into) {
        const std::size_t n = std::min(into.size(), available());
        std::memcpy(into.data(), bytes.data() + read_pos, n);
        read_pos += n;
        if (read_pos == bytes.size()) {
            bytes.clear();
            read_pos = 0;
        }
        return n;
    }
};

struct pipe_state {
    explicit pipe_state(boost::asio::any_io_executor e)
        : ex(std::move(e)),
          service(&boost::asio::use_service<pipe_service>(boost::asio::query(ex, boost::asio::execution::context))) {
        service->add(this);
    }
    ~pipe_state() {
        if (service) service->remove(this);
    }
    pipe_state(const pipe_state&) = delete;
    pipe_state& operator=(const pipe_state&) = delete;

    boost::asio::any_io_executor ex;
    pipe_service* service;
    inbox in[2]; ///< in[i]: what end i reads

    /// Completes end i's waiting read, if it can complete now.
    void wake(int i) {
        auto& box = in[i];
        if (!box.waiting) return;
        boost::system::error_code ec;
        std::size_t n = 0;
        if (box.reader_closed)
            ec = boost::asio::error::operation_aborted; // closed under a waiting read, as a socket
        else if (box.available() > 0)
            n = box.take(box.waiting_into);
        else if (box.writer_closed)
            ec = boost::asio::error::eof;
        else
            return;
        auto h = std::move(*box.waiting);
        box.waiting.reset();
        finish(std::move(h), ec, n, true);
    }

    void finish(read_handler h, boost::system::error_code ec, std::size_t n, bool clear_slot) {
        auto slot = boost::asio::get_associated_cancellation_slot(h);
        if (clear_slot && slot.is_connected()) slot.clear();
        boost::asio::post(ex, boost::asio::append(std::move(h), ec, n));
    }
};

inline void pipe_service::shutdown() {
    // Destroying a handler may destroy streams, and so other pipes (which then remove
    // themselves): take one pipe out at a time, and destroy its handlers after letting go of it.
    while (!pipes_.empty()) {
        auto* p = *pipes_.begin();
        pipes_.erase(pipes_.begin());
        p->service = nullptr;
        std::vector<read_handler> doomed;
        for (auto& box : p->in)
            if (box.waiting) {
                doomed.push_back(std::move(*box.waiting));
                box.waiting.reset();
            }
    }
}

template <class Buffers>
boost::asio::mutable_buffer first_buffer(const Buffers& b) {
    for (auto it = boost::asio::buffer_sequence_begin(b); it != boost::asio::buffer_sequence_end(b); ++it)
        if (boost::asio::mutable_buffer m(*it); m.size() > 0) return m;
    return {};
}

} // namespace detail

class memory_stream {
public:
    using executor_type = boost::asio::any_io_executor;

    memory_stream(std::shared_ptr<detail::pipe_state> s, int side) : st_(std::move(s)), side_(side) {}
    memory_stream(memory_stream&& o) noexcept : st_(std::move(o.st_)), side_(o.side_) {}
    memory_stream& operator=(memory_stream&& o) noexcept {
        if (this != &o) {
            close();
            st_ = std::move(o.st_);
            side_ = o.side_;
        }
        return *this;
    }
    memory_stream(const memory_stream&) = delete;
    memory_stream& operator=(const memory_stream&) = delete;
    ~memory_stream() { close(); }

    executor_type get_executor() const noexcept { return st_ ? st_->ex : executor_type(); }
    bool is_open() const noexcept { return st_ && !st_->in[side_].reader_closed; }

    /// Closes this end: its own pending read fails with operation_aborted; the peer reads what was
    /// already written, then eof, and its writes fail with connection_reset.
    void close() {
        if (!st_ || st_->in[side_].reader_closed) return;
        st_->in[side_].reader_closed = true;
        st_->in[1 - side_].writer_closed = true;
        st_->wake(side_);
        st_->wake(1 - side_);
    }

    /// Bytes written to this end and not read yet (by the test, to see what is in flight).
    std::size_t available() const noexcept { return st_ ? st_->in[side_].available() : 0; }

    template <class MutableBuffers, class CompletionToken>
    auto async_read_some(const MutableBuffers& buffers, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, boost::asio::mutable_buffer into) { start_read(into, std::move(handler)); }, token,
            detail::first_buffer(buffers));
    }

    template <class ConstBuffers, class CompletionToken>
    auto async_write_some(const ConstBuffers& buffers, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const ConstBuffers& buffers) {
                boost::system::error_code ec;
                std::size_t n = 0;
                if (!is_open())
                    ec = boost::asio::error::bad_descriptor;
                else if (st_->in[1 - side_].reader_closed)
                    ec = boost::asio::error::connection_reset;
                else {
                    auto& peer = st_->in[1 - side_];
                    for (auto it = boost::asio::buffer_sequence_begin(buffers);
                         it != boost::asio::buffer_sequence_end(buffers); ++it) {
                        boost::asio::const_buffer b(*it);
                        peer.bytes.append(static_cast<const char*>(b.data()), b.size());
                        n += b.size();
                    }
                    st_->wake(1 - side_);
                }
                boost::asio::post(get_executor(), boost::asio::append(std::move(handler), ec, n));
            },
            token, buffers);
    }

private:
    template <class Handler>
    void start_read(boost::asio::mutable_buffer into, Handler handler) {
        if (!is_open()) { // (a moved-from end has no executor: the handler's own, or the system's)
            auto ex = st_ ? st_->ex : boost::asio::get_associated_executor(handler);
            boost::asio::post(ex, boost::asio::append(std::move(handler),
                                                      boost::system::error_code(boost::asio::error::bad_descriptor),
                                                      std::size_t{0}));
            return;
        }
        auto& box = st_->in[side_];
        if (box.waiting) { // one read at a time, as Beast's streams require
            boost::asio::post(st_->ex, boost::asio::append(std::move(handler),
                                                           boost::system::error_code(boost::asio::error::in_progress),
                                                           std::size_t{0}));
            return;
        }
        auto slot = boost::asio::get_associated_cancellation_slot(handler);
        box.waiting.emplace(std::move(handler));
        box.waiting_into = into;
        if (into.size() == 0 && !box.reader_closed) { // a zero-byte read completes at once
            auto h = std::move(*box.waiting);
            box.waiting.reset();
            st_->finish(std::move(h), {}, 0, false);
            return;
        }
        st_->wake(side_);
        if (box.waiting && slot.is_connected()) {
            slot.assign([st = std::weak_ptr<detail::pipe_state>(st_), side = side_](boost::asio::cancellation_type) {
                auto s = st.lock();
                if (!s || !s->in[side].waiting) return;
                auto h = std::move(*s->in[side].waiting);
                s->in[side].waiting.reset();
                s->finish(std::move(h), boost::asio::error::operation_aborted, 0, false);
            });
        }
    }

    std::shared_ptr<detail::pipe_state> st_;
    int side_ = 0;
};

/// Two connected ends on `ex`: what one writes, the other reads.
inline std::pair<memory_stream, memory_stream> make_memory_pipe(boost::asio::any_io_executor ex) {
    auto st = std::make_shared<detail::pipe_state>(std::move(ex));
    return {memory_stream(st, 0), memory_stream(st, 1)};
}

} // namespace pancake::testing

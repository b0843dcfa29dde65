// HTTP/1.1 over TCP or TLS (peer verification and SNI on), and a small keep-alive pool per host.
// A request either completes, or reports whether any of its bytes may have reached the server
// (`sent`): that is what decides if a failed send is "outcome unknown".
#pragma once

#include <pancake/clock.hpp>
#include <pancake/error.hpp>
#include <pancake/http/endpoint.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pancake::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

/// The system CA store with peer verification, as a client should default to.
inline std::shared_ptr<asio::ssl::context> default_tls_context() {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    ctx->set_default_verify_paths();
    ctx->set_verify_mode(asio::ssl::verify_peer);
    return ctx;
}

class connection;

namespace detail {

/// Open-connection accounting for one pool, shared with its connections so that a connection
/// dropped anywhere (failed exchange, timeout, stale) gives its slot back. Waiters are served
/// FIFO: a freed slot is handed to the oldest waiter, never grabbed by a newcomer.
struct connection_slots {
    struct waiter {
        explicit waiter(const asio::any_io_executor& ex) : timer(ex, asio::steady_timer::time_point::max()) {}
        asio::steady_timer timer;
        bool granted = false;                 ///< a slot is ours: open a connection
        std::unique_ptr<connection> handover; ///< or a kept-alive connection was passed on
    };
    std::size_t open = 0;
    std::size_t max = 0; // 0: unlimited
    std::deque<std::shared_ptr<waiter>> waiters;

    bool try_take() noexcept {
        if (max != 0 && open >= max) return false;
        ++open;
        return true;
    }
    /// Passes a slot (and `c`, a live connection, if given) to the oldest waiter; false if none.
    bool wake_first(std::unique_ptr<connection>& c) noexcept;
    /// A connection closed: its slot goes to the oldest waiter, else it is free again.
    void give_back() noexcept;
};

} // namespace detail

struct exchange_result {
    error_code ec;
    unsigned status = 0;
    std::string body;
    /// The raw Retry-After header: parsed by the caller (http::parse_retry_after), which owns the
    /// wall clock an HTTP-date is relative to.
    std::optional<std::string> retry_after;
    std::string problem;           ///< why a response was refused (ec == unexpected_response), for diagnostics
    bool sent = false;             ///< request bytes may have reached the server
    bool response_started = false; ///< some answer bytes arrived (so the connection wasn't stale)
};

class connection {
public:
    connection(asio::any_io_executor ex, const origin& o, asio::ssl::context* tls,
               std::shared_ptr<detail::connection_slots> slots = {})
        : origin_(o), tcp_(ex), slots_(std::move(slots)) {
        if (o.tls) tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(beast::tcp_stream(ex), *tls);
    }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection() {
        if (slots_) slots_->give_back();
    }

    asio::awaitable<error_code> connect() {
        auto ex = co_await asio::this_coro::executor;
        asio::ip::tcp::resolver resolver(ex);
        auto [rec, results] = co_await resolver.async_resolve(origin_.host, origin_.port, tuple_);
        if (rec) co_return rec;
        auto& layer = tls_ ? beast::get_lowest_layer(*tls_) : tcp_;
        auto [cec, ep] = co_await layer.async_connect(results, tuple_);
        if (cec) co_return cec;
        if (tls_) {
            // SNI, then verify that the certificate names this host.
            if (!SSL_set_tlsext_host_name(tls_->native_handle(), origin_.host.c_str()))
                co_return error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
            tls_->set_verify_callback(asio::ssl::host_name_verification(origin_.host));
            auto [hec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, tuple_);
            if (hec) co_return hec;
        }
        co_return error_code{};
    }

    asio::awaitable<exchange_result> exchange(const bhttp::request<bhttp::string_body>& req, std::size_t max_body) {
        exchange_result r;
        // (no co_await inside ?: — GCC 12 miscompiles it)
        std::tuple<error_code, std::size_t> w;
        if (tls_)
            w = co_await bhttp::async_write(*tls_, req, tuple_);
        else
            w = co_await bhttp::async_write(tcp_, req, tuple_);
        auto [wec, wn] = w;
        r.sent = wn > 0;
        if (wec) {
            r.ec = wec == asio::error::operation_aborted ? wec : make_error_code(errc::connection_lost);
            usable_ = false;
            co_return r;
        }
        r.sent = true;
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(max_body);
        std::tuple<error_code, std::size_t> rd;
        if (tls_)
            rd = co_await bhttp::async_read(*tls_, buffer_, parser, tuple_);
        else
            rd = co_await bhttp::async_read(tcp_, buffer_, parser, tuple_);
        auto [rec, rn] = rd;
        if (rec) {
            usable_ = false;
            r.response_started = rn > 0 || parser.got_some();
            if (rec == asio::error::operation_aborted)
                r.ec = rec;
            else if (rec == bhttp::error::body_limit)
                r.ec = errc::body_too_large;
            else if (is_malformed(rec)) {
                // The server did answer, with something that is not acceptable HTTP (oversized or
                // malformed header): sending again would get the same, so it is not "lost".
                r.ec = errc::unexpected_response;
                r.problem = rec == bhttp::error::header_limit ? "response header exceeds the size limit"
                                                              : "malformed HTTP response: " + rec.message();
            } else
                r.ec = errc::connection_lost;
            co_return r;
        }
        auto& res = parser.get();
        r.status = res.result_int();
        r.body = std::move(res.body());
        if (auto it = res.find(bhttp::field::retry_after); it != res.end()) r.retry_after = std::string(it->value());
        usable_ = res.keep_alive();
        co_return r;
    }

    bool usable() const noexcept { return usable_; }
    /// The slot stays counted for whoever takes over (see connection_pool::acquire).
    void disown_slot() noexcept { slots_.reset(); }
    clock::time_point last_used{};
    bool reused = false;

    void close() {
        error_code ec;
        auto& layer = tls_ ? beast::get_lowest_layer(*tls_) : tcp_;
        layer.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
        layer.socket().close(ec);
    }

private:
    /// Parse errors of an answer that arrived, as opposed to one cut short (end_of_stream,
    /// partial_message, short_read), which is a lost connection.
    static bool is_malformed(const error_code& ec) noexcept {
        if (ec.category() != bhttp::make_error_code(bhttp::error::header_limit).category()) return false;
        return ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message &&
               ec != bhttp::error::short_read && ec != bhttp::error::need_more && ec != bhttp::error::need_buffer;
    }

    static constexpr auto tuple_ = asio::as_tuple(asio::use_awaitable);
    origin origin_;
    beast::tcp_stream tcp_;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_;
    beast::flat_buffer buffer_;
    bool usable_ = true;
    std::shared_ptr<detail::connection_slots> slots_;
};

namespace detail {

inline bool connection_slots::wake_first(std::unique_ptr<connection>& c) noexcept {
    if (waiters.empty()) return false;
    auto w = std::move(waiters.front());
    waiters.pop_front();
    w->granted = true;
    w->handover = std::move(c);
    w->timer.cancel();
    return true;
}

inline void connection_slots::give_back() noexcept {
    std::unique_ptr<connection> none;
    if (!wake_first(none)) --open;
}

} // namespace detail

struct pool_config {
    std::size_t max_connections = 16;      ///< open at once per host (in use + idle); 0: no cap. Others wait, FIFO
    std::size_t max_idle = 4;              ///< keep-alive connections kept per host
    std::chrono::seconds idle_timeout{30}; ///< older idle connections are closed, not reused
};

/// Keep-alive connections to one origin. Not thread-safe: use it from one executor/strand.
class connection_pool {
public:
    connection_pool(origin o, pool_config cfg, std::shared_ptr<asio::ssl::context> tls, clock& clk)
        : origin_(std::move(o)), cfg_(cfg), tls_(std::move(tls)), clk_(clk),
          slots_(std::make_shared<detail::connection_slots>()) {
        slots_->max = cfg_.max_connections;
    }

    /// A fresh idle connection if one exists (unless `new_only`), else a new one once the
    /// connection cap allows it. Waiting for a slot honours the caller's cancellation.
    asio::awaitable<std::pair<error_code, std::unique_ptr<connection>>> acquire(bool new_only = false) {
        const auto now = clk_.now();
        while (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            if (!new_only && now - c->last_used < cfg_.idle_timeout) {
                c->reused = true;
                co_return std::pair{error_code{}, std::move(c)};
            }
            c->close(); // stale (the server has likely dropped it), or the caller wants a new one
        }
        if (!slots_->try_take()) {
            auto ex = co_await asio::this_coro::executor;
            auto w = std::make_shared<detail::connection_slots::waiter>(ex);
            slots_->waiters.push_back(w);
            co_await w->timer.async_wait(asio::as_tuple(asio::use_awaitable));
            if (!w->granted) {
                std::erase(slots_->waiters, w);
                co_return std::pair{error_code(asio::error::operation_aborted), std::unique_ptr<connection>()};
            }
            if (w->handover) {
                if (!new_only) {
                    w->handover->reused = true;
                    co_return std::pair{error_code{}, std::move(w->handover)};
                }
                // Its slot becomes ours: take it over without waking anyone else.
                w->handover->close();
                w->handover->disown_slot();
                w->handover.reset();
            }
        }
        // The slot is ours from here: the connection gives it back when destroyed.
        auto ex = co_await asio::this_coro::executor;
        auto c = std::make_unique<connection>(ex, origin_, tls_.get(), slots_);
        ++opened_;
        auto ec = co_await c->connect();
        if (ec) co_return std::pair{ec, std::unique_ptr<connection>()};
        co_return std::pair{error_code{}, std::move(c)};
    }

    void release(std::unique_ptr<connection> c) {
        if (!c) return;
        // Someone waits for a slot: pass the live connection straight on (FIFO).
        if (c->usable() && slots_->wake_first(c)) return;
        if (!c->usable() || idle_.size() >= cfg_.max_idle) return c->close();
        c->last_used = clk_.now();
        idle_.push_back(std::move(c));
    }

    void close_all() {
        for (auto& c : idle_)
            c->close();
        idle_.clear();
    }

    const origin& where() const noexcept { return origin_; }
    std::size_t connections_opened() const noexcept { return opened_; }
    std::size_t idle() const noexcept { return idle_.size(); }
    std::size_t waiting() const noexcept { return slots_->waiters.size(); }

private:
    origin origin_;
    pool_config cfg_;
    std::shared_ptr<asio::ssl::context> tls_;
    clock& clk_;
    std::vector<std::unique_ptr<connection>> idle_;
    std::shared_ptr<detail::connection_slots> slots_;
    std::size_t opened_ = 0;
};

} // namespace pancake::http

// One HTTP/1.1 connection, abstract over what carries it: TCP, TLS (peer verification and SNI
// on), or anything with Asio's stream operations (the in-memory pipe tests use). A request
// either completes, or reports whether any of its bytes may have reached the server (`sent`):
// that is what decides if a failed send is "outcome unknown".
#pragma once

#include <pancake/clock.hpp>
#include <pancake/error.hpp>
#include <pancake/http/detail/response_reader.hpp>
#include <pancake/http/endpoint.hpp>
#include <pancake/http/outgoing_request.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>
#include <optional>
#include <string>

namespace pancake::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

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
    /// Whoever counts open connections (the pool): told when this one is gone.
    struct slot_owner {
        virtual ~slot_owner() = default;
        virtual void give_back() noexcept = 0;
    };

    connection() = default;
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    virtual ~connection() {
        if (slots_) slots_->give_back();
    }

    /// Opens it: resolve, connect, TLS handshake; nothing for a stream made connected.
    virtual asio::awaitable<error_code> connect() = 0;
    /// Writes `req` and reads its answer (at most `max_body` bytes of body). Honours terminal
    /// cancellation; the connection is unusable after any failure. close() during an exchange
    /// ends it too (with an error): that is how a timeout interrupts it without a lost wake-up.
    virtual asio::awaitable<exchange_result> exchange(const outgoing_request& req, std::size_t max_body) = 0;
    virtual void close() noexcept = 0;

    bool usable() const noexcept { return usable_; }
    void attach(std::shared_ptr<slot_owner> s) noexcept { slots_ = std::move(s); }
    /// The slot stays counted for whoever takes over (see connection_pool::acquire).
    void disown_slot() noexcept { slots_.reset(); }
    clock::time_point last_used{};
    bool reused = false;

protected:
    bool usable_ = true;

private:
    std::shared_ptr<slot_owner> slots_;
};

namespace detail {

inline void close_stream(beast::tcp_stream& s) noexcept {
    error_code ec;
    s.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    s.socket().close(ec);
}
inline void close_stream(beast::ssl_stream<beast::tcp_stream>& s) noexcept { close_stream(beast::get_lowest_layer(s)); }
template <class Stream>
void close_stream(Stream& s) noexcept {
    s.close();
}

/// Parse errors of an answer that arrived, as opposed to one cut short (end_of_stream,
/// partial_message, short_read), which is a lost connection.
inline bool is_malformed(const error_code& ec) noexcept {
    if (ec.category() != bhttp::make_error_code(bhttp::error::header_limit).category()) return false;
    return ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message && ec != bhttp::error::short_read &&
           ec != bhttp::error::need_more && ec != bhttp::error::need_buffer;
}

} // namespace detail

/// A connection over any Asio stream. connect() does nothing: the stream is made connected.
template <class Stream>
class stream_connection : public connection {
public:
    template <class... Args>
    explicit stream_connection(Args&&... args) : stream_(std::forward<Args>(args)...) {}

    Stream& stream() noexcept { return stream_; }

    asio::awaitable<error_code> connect() override { co_return error_code{}; }

    asio::awaitable<exchange_result> exchange(const outgoing_request& req, std::size_t max_body) override {
        // deferred, not use_awaitable: an awaited operation then needs no coroutine frame of its own.
        constexpr auto tuple = asio::as_tuple(asio::deferred);
        exchange_result r;
        auto [wec, wn] = co_await asio::async_write(stream_, req.buffers(), tuple);
        r.sent = wn > 0;
        if (wec) {
            r.ec = wec == asio::error::operation_aborted ? wec : make_error_code(errc::connection_lost);
            usable_ = false;
            co_return r;
        }
        r.sent = true;
        detail::response_reader reader;
        reader.body_limit(max_body);
        auto [rec, rn] = co_await bhttp::async_read(stream_, buffer_, reader, tuple);
        if (rec) {
            usable_ = false;
            r.response_started = rn > 0 || reader.got_some();
            if (rec == asio::error::operation_aborted)
                r.ec = rec;
            else if (rec == bhttp::error::body_limit)
                r.ec = errc::body_too_large;
            else if (detail::is_malformed(rec)) {
                // The server did answer, with something that is not acceptable HTTP (oversized or
                // malformed header): sending again would get the same, so it is not "lost".
                r.ec = errc::unexpected_response;
                r.problem = rec == bhttp::error::header_limit ? "response header exceeds the size limit"
                                                              : "malformed HTTP response: " + rec.message();
            } else
                r.ec = errc::connection_lost;
            co_return r;
        }
        r.status = reader.status();
        r.body = std::move(reader.body());
        r.retry_after = std::move(reader.retry_after());
        usable_ = reader.keep_alive();
        co_return r;
    }

    void close() noexcept override {
        usable_ = false;
        detail::close_stream(stream_);
    }

protected:
    Stream stream_;
    beast::flat_buffer buffer_;
};

/// TCP to origin's host and port.
class tcp_connection final : public stream_connection<beast::tcp_stream> {
public:
    tcp_connection(asio::any_io_executor ex, origin o) : stream_connection(std::move(ex)), origin_(std::move(o)) {}
    PANCAKE_DECL asio::awaitable<error_code> connect() override;

private:
    origin origin_;
};

/// TLS over TCP, verifying that the certificate names origin's host (and sending it as SNI).
class tls_connection final : public stream_connection<beast::ssl_stream<beast::tcp_stream>> {
public:
    tls_connection(asio::any_io_executor ex, origin o, asio::ssl::context& ctx)
        : stream_connection(beast::tcp_stream(std::move(ex)), ctx), origin_(std::move(o)) {}
    PANCAKE_DECL asio::awaitable<error_code> connect() override;

private:
    origin origin_;
};

/// TCP or TLS as `o` says (`tls` must be set for https).
PANCAKE_DECL std::unique_ptr<connection> make_network_connection(asio::any_io_executor ex, const origin& o,
                                                                 asio::ssl::context* tls);

#ifdef PANCAKE_SEPARATE_COMPILATION
extern template class stream_connection<beast::tcp_stream>;
extern template class stream_connection<beast::ssl_stream<beast::tcp_stream>>;
#endif

} // namespace pancake::http

#ifdef PANCAKE_HEADER_ONLY
#include <pancake/http/impl/connection.ipp>
#endif

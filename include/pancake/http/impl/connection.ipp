// Out of line with PANCAKE_SEPARATE_COMPILATION (compiled once in <pancake/src.hpp>).
#pragma once

#include <pancake/http/connection.hpp>

#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stdexcept>

namespace pancake::http {

namespace detail {
inline auto connect_tuple() { return asio::as_tuple(asio::use_awaitable); }

/// A timeout or cancellation that arrived between two steps (no operation to abort then).
inline asio::awaitable<bool> cancelled() {
    co_return (co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none;
}

inline asio::awaitable<error_code> connect_tcp(beast::tcp_stream& s, const origin& o) {
    asio::ip::tcp::resolver resolver(s.get_executor());
    auto [rec, results] = co_await resolver.async_resolve(o.host, o.port, connect_tuple());
    if (rec) co_return rec;
    if (co_await cancelled()) co_return asio::error::operation_aborted;
    auto [cec, ep] = co_await s.async_connect(results, connect_tuple());
    co_return cec;
}
} // namespace detail

PANCAKE_DECL asio::awaitable<error_code> tcp_connection::connect() {
    co_return co_await detail::connect_tcp(stream_, origin_);
}

PANCAKE_DECL asio::awaitable<error_code> tls_connection::connect() {
    if (auto ec = co_await detail::connect_tcp(beast::get_lowest_layer(stream_), origin_)) co_return ec;
    if (co_await detail::cancelled()) co_return asio::error::operation_aborted;
    // SNI, then verify that the certificate names this host.
    if (!SSL_set_tlsext_host_name(stream_.native_handle(), origin_.host.c_str()))
        co_return error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    stream_.set_verify_callback(asio::ssl::host_name_verification(origin_.host));
    auto [hec] = co_await stream_.async_handshake(asio::ssl::stream_base::client, detail::connect_tuple());
    co_return hec;
}

PANCAKE_DECL std::unique_ptr<connection> make_network_connection(asio::any_io_executor ex, const origin& o,
                                                                 asio::ssl::context* tls) {
    if (o.tls) {
        if (!tls) throw std::invalid_argument("an https origin needs a TLS context");
        return std::make_unique<tls_connection>(std::move(ex), o, *tls);
    }
    return std::make_unique<tcp_connection>(std::move(ex), o);
}

#ifdef PANCAKE_SEPARATE_COMPILATION
template class stream_connection<beast::tcp_stream>;
template class stream_connection<beast::ssl_stream<beast::tcp_stream>>;
#endif

} // namespace pancake::http

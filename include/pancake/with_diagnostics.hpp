// with_diagnostics(token): a completion-token adapter that turns an operation's error_code into
// an error_with_diagnostics exception carrying the call's diagnostics (HTTP status, the API's
// message and error_code, attempts, the redacted URL). The client's default token is
// with_diagnostics(asio::deferred), so a plain `co_await api.async_x(...)` throws something a
// caller can log and act on, not a bare system_error.
//
// The client recognises the adapter itself (it has to hand the diagnostics over); tokens that
// do not throw (as_tuple, callbacks) keep the error_code, and diagnostics& gives the details.
#pragma once

#include <pancake/diagnostics.hpp>

#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/version.hpp>

#include <type_traits>
#include <utility>

namespace pancake {

template <class CompletionToken>
struct with_diagnostics_t {
    using inner_token = CompletionToken;
    CompletionToken token;
};

/// Wraps `token` (deferred, use_awaitable, use_future, ...): errors arrive as an exception_ptr
/// holding error_with_diagnostics.
template <class CompletionToken>
constexpr with_diagnostics_t<std::decay_t<CompletionToken>> with_diagnostics(CompletionToken&& token) {
    return {std::forward<CompletionToken>(token)};
}

/// The client's default completion token.
using default_token_t = with_diagnostics_t<boost::asio::deferred_t>;

namespace detail {

template <class T>
struct is_with_diagnostics : std::false_type {};
template <class T>
struct is_with_diagnostics<with_diagnostics_t<T>> : std::true_type {};

/// The token the operation really completes through. Asio 1.25 (Boost 1.81) cannot co_await a
/// deferred operation whose signature is void(exception_ptr, T) (awaitable_async_op_handler
/// dereferences the wrong member), so there `deferred` becomes `use_awaitable`: the same
/// `co_await`, an awaitable<T> instead of a deferred operation.
template <class Inner>
struct diagnostics_inner {
    using type = Inner;
    static Inner get(Inner& t) { return t; }
};
#if BOOST_VERSION < 108200
template <>
struct diagnostics_inner<boost::asio::deferred_t> {
    using type = boost::asio::use_awaitable_t<>;
    static type get(boost::asio::deferred_t&) { return {}; }
};
#endif

} // namespace detail

} // namespace pancake

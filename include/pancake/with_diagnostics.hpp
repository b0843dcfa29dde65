// with_diagnostics(token): a completion-token adapter that turns an operation's error_code into
// an error_with_diagnostics exception carrying the call's diagnostics (HTTP status, the API's
// message and error_code, attempts, the redacted URL). The client's default token is
// with_diagnostics(asio::deferred), so a plain `co_await api.async_x(...)` throws something a
// caller can log and act on, not a bare system_error.
//
// It is an async_result specialisation, as Boost.MySQL's: it works with any operation whose
// signature is void(error_code, T) and whose initiation takes call_options first (every client
// operation), composes with bind_executor, bind_cancellation_slot and move-only handlers, and
// wraps any token (deferred, use_awaitable, use_future, a callback).
#pragma once

#include <pancake/call_options.hpp>
#include <pancake/diagnostics.hpp>

#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/version.hpp>

#include <exception>
#include <memory>
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

/// The token the operation really completes through. Asio 1.25 (Boost 1.81) cannot co_await a
/// deferred operation whose signature is void(exception_ptr, T) (awaitable_async_op_handler
/// dereferences the wrong member), so there `deferred` becomes `use_awaitable`: the same
/// `co_await`, an awaitable<T> instead of a deferred operation.
template <class Inner>
struct diagnostics_inner {
    using type = Inner;
    template <class U>
    static Inner get(U&& t) {
        return std::forward<U>(t);
    }
};
#if BOOST_VERSION < 108200
template <>
struct diagnostics_inner<boost::asio::deferred_t> {
    using type = boost::asio::use_awaitable_t<>;
    static type get(const boost::asio::deferred_t&) { return {}; }
};
#endif

/// void(error_code, T) → void(exception_ptr, T), the exception carrying the diagnostics. Owns
/// them when the caller passed none.
template <class Handler>
struct diagnostics_handler {
    Handler handler;
    std::shared_ptr<diagnostics> owned;
    const diagnostics* diag;

    template <class T>
    void operator()(error_code ec, T value) {
        if (ec)
            std::move(handler)(std::make_exception_ptr(error_with_diagnostics(ec, *diag)), std::move(value));
        else
            std::move(handler)(std::exception_ptr(), std::move(value));
    }
};

/// Wraps an initiation: gives it a handler of the adapted signature, and diagnostics to fill.
template <class Initiation>
struct diagnostics_initiation {
    Initiation init;

    template <class Handler, class... Args>
    void operator()(Handler&& h, call_options opts, Args&&... args) {
        std::shared_ptr<diagnostics> owned;
        if (!opts.diag) {
            owned = std::make_shared<diagnostics>();
            opts.diag = owned.get();
        }
        const diagnostics* d = opts.diag;
        std::move(init)(diagnostics_handler<std::decay_t<Handler>>{std::forward<Handler>(h), std::move(owned), d},
                        std::move(opts), std::forward<Args>(args)...);
    }
};

} // namespace detail

} // namespace pancake

template <class Inner, class T>
struct boost::asio::async_result<pancake::with_diagnostics_t<Inner>, void(pancake::error_code, T)> {
    template <class Initiation, class RawToken, class... Args>
    static auto initiate(Initiation&& init, RawToken&& token, Args&&... args) {
        using inner = pancake::detail::diagnostics_inner<Inner>;
        auto inner_token = inner::get(std::forward<RawToken>(token).token);
        return boost::asio::async_initiate<typename inner::type, void(std::exception_ptr, T)>(
            pancake::detail::diagnostics_initiation<std::decay_t<Initiation>>{std::forward<Initiation>(init)},
            inner_token, std::forward<Args>(args)...);
    }
};

/// The adapted handler keeps the wrapped handler's executor, allocator and cancellation slot.
template <template <class, class> class Associator, class Handler, class DefaultCandidate>
struct boost::asio::associator<Associator, pancake::detail::diagnostics_handler<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
    static typename Associator<Handler, DefaultCandidate>::type
    get(const pancake::detail::diagnostics_handler<Handler>& h) noexcept {
        return Associator<Handler, DefaultCandidate>::get(h.handler);
    }
    static auto get(const pancake::detail::diagnostics_handler<Handler>& h, const DefaultCandidate& c) noexcept
        -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler, c)) {
        return Associator<Handler, DefaultCandidate>::get(h.handler, c);
    }
};

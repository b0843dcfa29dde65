// Runs a coroutine returning pair<error_code, T> as an Asio operation completing with
// void(error_code, T), for any completion token.
#pragma once

#include <pancake/workflow/detail/handlers.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>

#include <type_traits>
#include <utility>

namespace pancake::workflow::detail {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

/// Runs the coroutine `make()` returns as an operation completing with void(error_code, T).
template <class T, class CompletionToken, class MakeBody>
auto spawn_edit(asio::any_io_executor ex, MakeBody make, CompletionToken&& token) {
    return asio::async_initiate<CompletionToken, void(error_code, T)>(
        [](auto handler, asio::any_io_executor ex, MakeBody make) {
            // co_spawn connects the handler's cancellation slot to the coroutine (terminal only).
            asio::co_spawn(ex, make(), spawned_handler<std::decay_t<decltype(handler)>, T>{std::move(handler)});
        },
        token, std::move(ex), std::move(make));
}

} // namespace pancake::workflow::detail

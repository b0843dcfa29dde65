// Two handler adapters that change what an inner step completes with into what the caller's
// operation promises, while keeping the caller's executor, allocator and cancellation slot (the
// associator specialisations below, as the client's decoding_handler does):
//  - answering_handler: (error_code, snapshot) -> (error_code, T), by asking the snapshot;
//  - spawned_handler: co_spawn's (exception_ptr, pair<error_code, T>) -> (error_code, T).
#pragma once

#include <boost/asio/associator.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <type_traits>
#include <utility>

namespace pancake::workflow::detail {

/// `answer(snapshot)` returns std::pair<error_code, T>.
template <class Handler, class Answer>
struct answering_handler {
    Handler handler;
    Answer answer;

    template <class SnapshotPtr>
    void operator()(boost::system::error_code ec, SnapshotPtr snapshot) {
        using value_type = decltype(answer(*snapshot).second);
        if (ec) return std::move(handler)(ec, value_type{});
        auto [e, v] = answer(*snapshot);
        std::move(handler)(e, std::move(v));
    }
};

template <class Handler, class Answer>
answering_handler<std::decay_t<Handler>, std::decay_t<Answer>> answer_with(Handler&& h, Answer&& a) {
    return {std::forward<Handler>(h), std::forward<Answer>(a)};
}

/// The body returns its error as a value; an exception is a system_error from an await that
/// found the coroutine cancelled (its code is kept), or something nobody can handle here
/// (rethrown, as Asio does with an exception out of a handler).
template <class Handler, class T>
struct spawned_handler {
    Handler handler;

    void operator()(std::exception_ptr e, std::pair<boost::system::error_code, T> r) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const boost::system::system_error& x) {
                return std::move(handler)(x.code(), T{});
            }
        }
        std::move(handler)(r.first, std::move(r.second));
    }
};

} // namespace pancake::workflow::detail

template <template <class, class> class Associator, class Handler, class Answer, class DefaultCandidate>
struct boost::asio::associator<Associator, pancake::workflow::detail::answering_handler<Handler, Answer>,
                               DefaultCandidate> : Associator<Handler, DefaultCandidate> {
    static typename Associator<Handler, DefaultCandidate>::type
    get(const pancake::workflow::detail::answering_handler<Handler, Answer>& h) noexcept {
        return Associator<Handler, DefaultCandidate>::get(h.handler);
    }
    static auto get(const pancake::workflow::detail::answering_handler<Handler, Answer>& h,
                    const DefaultCandidate& c) noexcept
        -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler, c)) {
        return Associator<Handler, DefaultCandidate>::get(h.handler, c);
    }
};

template <template <class, class> class Associator, class Handler, class T, class DefaultCandidate>
struct boost::asio::associator<Associator, pancake::workflow::detail::spawned_handler<Handler, T>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
    static typename Associator<Handler, DefaultCandidate>::type
    get(const pancake::workflow::detail::spawned_handler<Handler, T>& h) noexcept {
        return Associator<Handler, DefaultCandidate>::get(h.handler);
    }
    static auto get(const pancake::workflow::detail::spawned_handler<Handler, T>& h, const DefaultCandidate& c) noexcept
        -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler, c)) {
        return Associator<Handler, DefaultCandidate>::get(h.handler, c);
    }
};

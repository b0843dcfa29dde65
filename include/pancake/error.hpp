// pancake::errc: every failure the client reports that is not a plain transport error.
#pragma once

#include <pancake/detail/config.hpp>

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <ostream>
#include <string>

namespace pancake {

using error_code = boost::system::error_code;

enum class errc : int {
    invalid_token = 1,   ///< error_code 102 "Invalid access_token", or a token bound to another page
    unauthorized,        ///< HTTP 401 (expired or logged-out user token)
    rate_limited,        ///< HTTP 429
    not_found,           ///< unknown page, conversation or route
    api_error,           ///< the API answered {success:false} (HTTP 200 or 4xx) for a non-transient reason
    transient_api_error, ///< {success:false,"An error occurred. Please try again later."}
    server_error,        ///< HTTP 5xx
    unexpected_response, ///< HTML, malformed or truncated JSON, an unexpected status
    missing_field,       ///< a required JSON field is absent (diagnostics name the field path)
    wrong_field_type,    ///< a JSON field has the wrong type (diagnostics name the field path)
    timeout,             ///< the per-call deadline passed
    outcome_unknown,     ///< it may have applied: a send whose answer was lost, or a retried call whose earlier
                         ///< attempt was lost and whose last one was refused
    queue_full,          ///< the rate limiter's wait queue is at capacity
    invalid_argument,    ///< rejected client-side before sending
    connection_lost,     ///< the connection closed before a complete response
    body_too_large,      ///< a response body exceeded the configured cap
};

namespace detail {
class pancake_category final : public boost::system::error_category {
public:
    constexpr pancake_category() noexcept : error_category(0x70616e63616b6531ull) {}
    const char* name() const noexcept override { return "pancake"; }
    std::string message(int ev) const override { return message(ev, nullptr, 0); }
    const char* message(int ev, char*, std::size_t) const noexcept override {
        switch (static_cast<errc>(ev)) {
        case errc::invalid_token:
            return "invalid or wrong-page access token";
        case errc::unauthorized:
            return "unauthorized (user token expired or revoked)";
        case errc::rate_limited:
            return "rate limited by the server (HTTP 429)";
        case errc::not_found:
            return "not found";
        case errc::api_error:
            return "the API reported failure (success:false)";
        case errc::transient_api_error:
            return "the API reported a transient failure";
        case errc::server_error:
            return "server error (HTTP 5xx)";
        case errc::unexpected_response:
            return "unexpected response (not the JSON the API documents)";
        case errc::missing_field:
            return "a required field is missing from the response";
        case errc::wrong_field_type:
            return "a response field has the wrong type";
        case errc::timeout:
            return "the operation timed out";
        case errc::outcome_unknown:
            return "the request was sent but its outcome is unknown";
        case errc::queue_full:
            return "the rate limiter queue is full";
        case errc::invalid_argument:
            return "invalid argument";
        case errc::connection_lost:
            return "connection lost before the response completed";
        case errc::body_too_large:
            return "response body too large";
        }
        return "unknown pancake error";
    }
};
} // namespace detail

inline const boost::system::error_category& pancake_category() noexcept {
    static constexpr detail::pancake_category cat;
    return cat;
}

inline error_code make_error_code(errc e) noexcept { return error_code(static_cast<int>(e), pancake_category()); }

inline std::ostream& operator<<(std::ostream& os, errc e) { return os << make_error_code(e).message(); }

/// True when the same request may succeed if sent again later (the retry policy's input).
inline bool is_transient(const error_code& ec) noexcept {
    if (ec.category() != pancake_category()) return false;
    switch (static_cast<errc>(ec.value())) {
    case errc::rate_limited:
    case errc::transient_api_error:
    case errc::server_error:
    case errc::connection_lost:
    case errc::timeout:
        return true;
    default:
        return false;
    }
}

/// Why a request was refused before it was sent (bad arguments, an unknown page, …): the code
/// the call completes with and the message its diagnostics carry.
struct validation_error {
    error_code code;
    std::string message;
};

} // namespace pancake

template <>
struct boost::system::is_error_code_enum<pancake::errc> : std::true_type {};

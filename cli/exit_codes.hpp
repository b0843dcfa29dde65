// The exit codes of `pancake` and how a library error maps onto them.
#pragma once

#include <pancake/diagnostics.hpp>
#include <pancake/error.hpp>

#include <exception>
#include <string>

namespace pancake::cli {

enum exit_code : int {
    exit_ok = 0,
    exit_api = 1,         ///< the call failed (HTTP or API error, a change the server did not apply)
    exit_usage = 2,       ///< bad options or arguments; nothing was sent
    exit_auth = 3,        ///< bad token: 401, or the API's error_code 102
    exit_not_found = 4,   ///< unknown conversation, tag or user
    exit_partial = 5,     ///< a bulk job finished with failures
    exit_interrupted = 6, ///< SIGINT/SIGTERM: stopped (bulk jobs stop cleanly and save their checkpoint)
    exit_network = 7,     ///< connection refused or lost, DNS, TLS, timeout
};

/// The help text's table (also in the README).
inline constexpr const char* exit_code_help = "Exit codes:\n"
                                              "  0  ok\n"
                                              "  1  API/HTTP error (the call failed)\n"
                                              "  2  usage error (bad options or arguments; nothing was sent)\n"
                                              "  3  auth: no token, bad token, HTTP 401 or the API's error_code 102\n"
                                              "  4  not found: unknown conversation, tag or user\n"
                                              "  5  partial: a bulk job finished with failures\n"
                                              "  6  interrupted (SIGINT/SIGTERM; bulk jobs stop cleanly)\n"
                                              "  7  network error or timeout\n";

/// What a failed call means for the operator.
int exit_code_for(const error_code& ec, const diagnostics* diag = nullptr);

/// A short word for the exit code ("auth", "not_found", …), for JSON errors.
const char* exit_kind(int code);

/// A command's failure: the exit code and a message for the operator (never holds the token;
/// the printer scrubs it anyway).
class failure : public std::exception {
public:
    failure(int code, std::string message) : code_(code), message_(std::move(message)) {}
    /// From a library error: the code follows exit_code_for, the message says what was being done.
    failure(const error_code& ec, const diagnostics* diag, const std::string& doing);

    int code() const noexcept { return code_; }
    const char* what() const noexcept override { return message_.c_str(); }
    const error_code& error() const noexcept { return ec_; }
    unsigned http_status() const noexcept { return http_status_; }

private:
    int code_;
    std::string message_;
    error_code ec_;
    unsigned http_status_ = 0;
};

/// A usage error (exit 2).
inline failure usage_error(std::string message) { return failure(exit_usage, std::move(message)); }

} // namespace pancake::cli

// Per-call settings: where the call's diagnostics go, its deadline, its retry policy.
#pragma once

#include <pancake/diagnostics.hpp>
#include <pancake/retry_policy.hpp>

#include <chrono>
#include <optional>

namespace pancake {

/// Implicit from diagnostics& so that `async_x(args, diag, token)` reads naturally.
struct call_options {
    call_options() = default;
    call_options(diagnostics& d) : diag(&d) {} // NOLINT(google-explicit-constructor)
    diagnostics* diag = nullptr;
    std::optional<std::chrono::milliseconds> timeout; ///< whole-call deadline (overrides call_timeout)
    std::optional<retry_policy> retry;                ///< this call's policy (overrides client_config::retry)
};

} // namespace pancake

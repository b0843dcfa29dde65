// What a session does with a request once the fault injector has decided: a pure mapping from
// the fault to the session's action, so each kind's effect is tested without a socket.
#pragma once

#include "faults.hpp"
#include "response.hpp"

#include <optional>
#include <string_view>

namespace pancake::sim {

enum class session_action {
    answer, ///< send the answer (the injected one, else the model's) and go on as keep-alive says
    reset,  ///< close at once and send nothing; the model never sees the request
    hang,   ///< send nothing and hold the connection until the client gives up, then close
    cut,    ///< the model handles the request (a change commits), part of its answer goes out, then reset
};

/// How much of the model's answer a cut sends.
enum class cut_point {
    nothing,       ///< commit_then_drop: the answer is lost whole
    after_headers, ///< reset_after_headers: the status line and headers, no body
    mid_body,      ///< truncated_json: the headers and the first half of the body
};

struct fault_effect {
    session_action action = session_action::answer;
    /// The answer sent instead of the model's (the model never sees the request).
    std::optional<response> canned;
    cut_point cut = cut_point::nothing; ///< with action == cut
    /// The server received the call but the model will not count it: it still spends the page's
    /// rate budget. False for the kinds the model handles (it counts them itself) and for a
    /// connection reset before the request got through.
    bool counts_toward_limit = false;

    /// Whether the journal shows the answer's status (else 0: no whole answer was sent).
    bool journaled_status() const noexcept { return action == session_action::answer; }
};

/// The effect of a decision's failure (none: the model answers as usual). `status` is the rule's
/// status, used by server_error. A latency "failure" cannot come from the injector (latency is
/// a delay) and is treated as none.
fault_effect effect_of(std::optional<fault_kind> failure, unsigned status = 503);

/// How many bytes of `wire`, a serialized answer, a cut sends (0 for cut_point::nothing).
std::size_t bytes_to_keep(cut_point cut, std::string_view wire);

} // namespace pancake::sim

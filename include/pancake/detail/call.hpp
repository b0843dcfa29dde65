// The type-erased seam between the client's templates and its driver: start_call runs one
// call (limiter, attempts, timeouts, retries, classification) and completes with the answer's
// JSON; the caller's template decodes it. Out of line with PANCAKE_SEPARATE_COMPILATION.
#pragma once

#include <pancake/call_options.hpp>
#include <pancake/client_config.hpp>
#include <pancake/detail/request.hpp>
#include <pancake/diagnostics.hpp>
#include <pancake/endpoints/context.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/json/value.hpp>

#include <memory>

namespace pancake::detail {

struct client_state;

using call_handler = boost::asio::any_completion_handler<void(error_code, boost::json::value)>;

/// Runs the call on the client's executor; `h` completes on its associated executor. Its
/// cancellation slot cancels the call (see client.hpp for which kinds, when).
/// The request is shared with the caller's decoding step, which reports its URL if the answer
/// does not decode; the call moves its body into the message it sends.
PANCAKE_DECL void start_call(std::shared_ptr<client_state> st, std::shared_ptr<request> req, call_options opts,
                             call_handler h);
/// Puts the call's URL (token redacted) in `d`: done on failure only.
PANCAKE_DECL void note_url(diagnostics& d, const client_state& st, const request& req);

PANCAKE_DECL std::shared_ptr<client_state> make_client_state(boost::asio::any_io_executor ex, client_config cfg);
PANCAKE_DECL endpoints::context context_for(const client_state& st, const page_id& page);
PANCAKE_DECL client_stats stats_of(const client_state& st) noexcept;
PANCAKE_DECL const client_config& config_of(const client_state& st) noexcept;
PANCAKE_DECL void set_token(client_state& st, const page_id& page, std::string token);
/// Replaces the token of a registered page (an unregistered page stays unknown).
PANCAKE_DECL void refresh_token(client_state& st, const page_id& page, const std::string& token);
PANCAKE_DECL void set_platform(client_state& st, const page_id& page, std::string platform);
PANCAKE_DECL void set_limiter(client_state& st, const page_id& page, std::shared_ptr<rate_limiter> l);
PANCAKE_DECL std::shared_ptr<rate_limiter> limiter_of(client_state& st, const page_id& page);

} // namespace pancake::detail

// A call as the transport sees it: built by an endpoint descriptor, sent by the call driver.
#pragma once

#include <pancake/error.hpp>
#include <pancake/ids.hpp>
#include <pancake/retry_policy.hpp>

#include <boost/beast/http/verb.hpp>

#include <optional>
#include <string>

namespace pancake::detail {

struct request {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string target;       ///< origin-form, token included: never logged as is
    std::string body;         ///< sent with POST and PUT, and with any other method when not empty
    std::string content_type; ///< of the body; empty: application/json
    std::string secret;       ///< the token, redacted from anything echoed back
    page_id page;             ///< the rate limiter's key (empty: the user-token API, not limited per page)
    idempotency kind = idempotency::safe;
    std::optional<validation_error> invalid; ///< refused before sending: the call fails with this
};

} // namespace pancake::detail

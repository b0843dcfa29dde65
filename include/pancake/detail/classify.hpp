// Maps an HTTP response to an error, for every shape the real API produces: a status code,
// HTTP 200 with {success:false}, error_code 102, HTML pages, malformed JSON. Pure: no I/O.
#pragma once

#include <pancake/diagnostics.hpp>

#include <boost/json/parse.hpp>

#include <string>
#include <string_view>

namespace pancake::detail {

inline constexpr std::string_view transient_message = "An error occurred. Please try again later.";

/// Status codes are three digits 1xx-5xx (RFC 9110 §15); anything else is not an HTTP answer
/// the API could have meant (`HTTP/1.1 000`, 999).
inline bool valid_status(unsigned status) noexcept { return status >= 100 && status <= 599; }

inline error_code status_error(unsigned status) {
    if (status == 401) return errc::unauthorized;
    if (status == 404) return errc::not_found;
    if (status == 429) return errc::rate_limited;
    if (status >= 500 && status <= 599) return errc::server_error;
    return errc::unexpected_response;
}

/// On success, `out` holds the parsed body. On failure, diagnostics carry status, the API's
/// message and error_code, and a body excerpt with `secret` redacted.
inline error_code classify_response(unsigned status, std::string_view body, boost::json::value& out, diagnostics& diag,
                                    std::string_view secret = {}) {
    diag.set_http_status(status);
    diag.set_api_message({});
    diag.set_api_error_code(std::nullopt);
    if (!valid_status(status)) {
        // Checked before the body: a `{}` under status 000 is not "the API reported failure".
        diag.set_body_excerpt(body, secret);
        diag.set_client_message("invalid HTTP status " + std::to_string(status));
        return errc::unexpected_response;
    }
    boost::system::error_code jec;
    out = boost::json::parse(body, jec);
    const bool ok_status = status >= 200 && status < 300;
    // Two statistics answers are bare arrays (campaigns, ads); every other answer is an object.
    // Which shape an operation expects is its decoder's check.
    if (!jec && ok_status && out.is_array()) return {};
    if (jec || !out.is_object()) {
        diag.set_body_excerpt(body, secret);
        if (!ok_status) return status_error(status);
        diag.set_client_message(jec ? "response is not JSON" : "response is not a JSON object or array");
        return errc::unexpected_response;
    }
    const auto& o = out.as_object();
    if (auto* m = o.if_contains("message"); m && m->is_string())
        diag.set_api_message(detail::redact_secret(std::string(m->as_string()), secret));
    if (auto* c = o.if_contains("error_code"); c && c->is_number()) diag.set_api_error_code(c->to_number<long long>());

    const auto* success = o.if_contains("success");
    const bool failed = success && success->is_bool() && !success->as_bool();
    if (failed || !ok_status) {
        if (diag.api_error_code() == 102) return errc::invalid_token;
        if (!ok_status) {
            auto e = status_error(status);
            // A 4xx with the API's {success:false, message} body is the API saying no; a 1xx or
            // 3xx final answer is not something the API documents.
            return e == errc::unexpected_response && status >= 400 && status < 500 ? make_error_code(errc::api_error)
                                                                                   : e;
        }
        if (diag.api_message() == transient_message) return errc::transient_api_error;
        return errc::api_error;
    }
    return {};
}

} // namespace pancake::detail

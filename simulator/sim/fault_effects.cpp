#include "fault_effects.hpp"

namespace pancake::sim {

fault_effect effect_of(std::optional<fault_kind> failure, unsigned status) {
    fault_effect fx;
    if (!failure) return fx;
    auto canned = [&](response r) {
        fx.canned = std::move(r);
        fx.counts_toward_limit = true;
        return fx;
    };
    auto cut = [&](cut_point at) {
        fx.action = session_action::cut;
        fx.cut = at;
        return fx;
    };
    switch (*failure) {
    case fault_kind::latency:
        return fx;
    case fault_kind::server_error:
        return canned(error_response(status, "Internal Server Error"));
    case fault_kind::transient_error:
        return canned(error_response(200, "An error occurred. Please try again later."));
    case fault_kind::html:
        return canned(html_response(200));
    case fault_kind::malformed_json: {
        response r;
        r.body = "{\"success\": tru";
        return canned(std::move(r));
    }
    case fault_kind::rate_limited:
        return canned(error_response(429, "Too Many Requests"));
    case fault_kind::reset_before_headers:
        fx.action = session_action::reset;
        return fx;
    case fault_kind::hang:
        fx.action = session_action::hang;
        fx.counts_toward_limit = true;
        return fx;
    case fault_kind::truncated_json:
        return cut(cut_point::mid_body);
    case fault_kind::reset_after_headers:
        return cut(cut_point::after_headers);
    case fault_kind::commit_then_drop:
        return cut(cut_point::nothing);
    }
    return fx;
}

std::size_t bytes_to_keep(cut_point cut, std::string_view wire) {
    if (cut == cut_point::nothing) return 0;
    auto blank = wire.find("\r\n\r\n");
    const std::size_t header_end = blank == std::string_view::npos ? wire.size() : blank + 4;
    if (cut == cut_point::after_headers) return header_end;
    return header_end + (wire.size() - header_end) / 2;
}

} // namespace pancake::sim

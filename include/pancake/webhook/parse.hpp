// A webhook body → one of the five typed envelopes, chosen by event_type.
#pragma once

#include <pancake/json.hpp>
#include <pancake/types/webhook.hpp>

#include <boost/json/parse.hpp>

namespace pancake {

/// Decodes a parsed webhook body into one of the five envelopes, chosen by event_type.
inline result<webhook_event> decode_webhook(const boost::json::value& v, diagnostics* diag = nullptr) {
    if (!v.is_object()) {
        if (diag) diag->set_client_message("webhook body is not a JSON object");
        return make_error_code(errc::unexpected_response);
    }
    auto* type = v.as_object().if_contains("event_type");
    if (!type || !type->is_string()) {
        if (diag) {
            diag->set_field_path("event_type");
            diag->set_client_message("webhook without event_type");
        }
        return make_error_code(type ? errc::wrong_field_type : errc::missing_field);
    }
    auto as = [&]<class E>(std::type_identity<E>) -> result<webhook_event> {
        auto r = decode<E>(v, diag);
        if (!r) return r.error();
        return webhook_event(std::move(*r));
    };
    std::string_view t = type->as_string();
    if (t == "messaging") return as(std::type_identity<messaging_event>{});
    if (t == "conversation") return as(std::type_identity<conversation_event>{});
    if (t == "subscription") return as(std::type_identity<subscription_event>{});
    if (t == "post") return as(std::type_identity<post_event>{});
    if (t == "connect_status") return as(std::type_identity<connect_status_event>{});
    if (diag) {
        diag->set_field_path("event_type");
        diag->set_client_message("unknown webhook event_type");
    }
    return make_error_code(errc::invalid_argument);
}

/// Parses a webhook body into one of the five envelopes, chosen by event_type.
inline result<webhook_event> parse_webhook(std::string_view body, diagnostics* diag = nullptr) {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec) {
        if (diag) diag->set_client_message("webhook body is not a JSON object");
        return make_error_code(errc::unexpected_response);
    }
    return decode_webhook(v, diag);
}

} // namespace pancake

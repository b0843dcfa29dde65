// Decoding and encoding entry points over the Boost.JSON mapping.
#pragma once

#include <pancake/detail/json_reader.hpp>
#include <pancake/detail/json_writer.hpp>
#include <pancake/diagnostics.hpp>
#include <pancake/types/webhook.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/system/result.hpp>

namespace pancake {

template <class T>
using result = boost::system::result<T>;

/// Decodes a JSON value into T; on failure the error is missing_field / wrong_field_type and
/// `diag->field_path()` says where.
template <class T>
result<T> decode(const boost::json::value& v, diagnostics* diag = nullptr) {
    detail::json_reader r;
    T out{};
    detail::read(r, v, out);
    if (!r.ok()) {
        if (diag) {
            diag->set_field_path(r.error_path());
            diag->set_client_message("cannot decode field " + r.error_path());
        }
        return r.error();
    }
    return out;
}

/// Parses then decodes; malformed JSON is unexpected_response.
template <class T>
result<T> decode(std::string_view text, diagnostics* diag = nullptr) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec) {
        if (diag) {
            diag->set_client_message("malformed JSON");
            diag->set_body_excerpt(text);
        }
        return make_error_code(errc::unexpected_response);
    }
    return decode<T>(v, diag);
}

/// Encodes a request or model object; absent optionals are omitted.
template <class T>
boost::json::value encode(const T& v) {
    return detail::to_json(v);
}

template <class T>
std::string encode_string(const T& v) {
    return boost::json::serialize(detail::to_json(v));
}

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

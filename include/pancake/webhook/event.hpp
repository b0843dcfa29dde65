// A webhook delivery as the receiver keeps it: the whole envelope as raw JSON (never dropped,
// whatever its type or fields), the typed event when its type is one of the five documented
// ones, and the keys the processor needs: what identifies a repeat, what must be serialised,
// and the conversation version that orders updates. Pure: no I/O.
#pragma once

#include <pancake/detail/fnv1a.hpp>
#include <pancake/json.hpp>
#include <pancake/webhook/parse.hpp>

#include <boost/json/serialize.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace pancake::webhook {

enum class event_kind { messaging, conversation, subscription, post, connect_status, unknown };

inline event_kind kind_of(std::string_view event_type) noexcept {
    if (event_type == "messaging") return event_kind::messaging;
    if (event_type == "conversation") return event_kind::conversation;
    if (event_type == "subscription") return event_kind::subscription;
    if (event_type == "post") return event_kind::post;
    if (event_type == "connect_status") return event_kind::connect_status;
    return event_kind::unknown;
}

struct received_event {
    event_kind kind = event_kind::unknown;
    std::string event_type;             ///< as sent ("" when absent)
    std::optional<page_id> page;        ///< top-level page_id (subscription has none)
    boost::json::value raw;             ///< the whole envelope, always
    std::optional<webhook_event> typed; ///< set when the type is known and the envelope decodes
    /// What makes a delivery a repeat of an earlier one. messaging: the message id plus a
    /// fingerprint of the message (an edit is re-sent with the same id and must not be lost);
    /// conversation, connect_status: request_id; others: a fingerprint of the envelope.
    std::string dedupe_key;
    /// Events with the same key are handled one at a time, in arrival order: the conversation
    /// id (messaging, conversation), the post id, or the page (connect_status).
    std::string serial_key;
    std::optional<std::int64_t> version; ///< data.conversation.version, when sent
    /// A message the page itself sent (messaging, from.id == page_id): the "echo".
    bool echo = false;
};

namespace detail {

inline std::string fingerprint(const boost::json::value& v) {
    static constexpr char hex[] = "0123456789abcdef";
    auto h = pancake::detail::fnv1a(boost::json::serialize(v));
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, h >>= 4)
        out[static_cast<std::size_t>(i)] = hex[h & 0xf];
    return out;
}

inline const boost::json::value* at_path(const boost::json::value& v, std::initializer_list<std::string_view> path) {
    const boost::json::value* cur = &v;
    for (auto k : path) {
        const auto* o = cur->if_object();
        if (!o) return nullptr;
        cur = o->if_contains(k);
        if (!cur) return nullptr;
    }
    return cur;
}

inline std::string string_at(const boost::json::value& v, std::initializer_list<std::string_view> path) {
    const auto* x = at_path(v, path);
    if (!x) return {};
    if (x->is_string()) return std::string(x->as_string());
    if (x->is_int64()) return std::to_string(x->as_int64());
    if (x->is_uint64()) return std::to_string(x->as_uint64());
    return {};
}

} // namespace detail

/// Parses one delivery. Fails (unexpected_response) only when the body is not a JSON object:
/// an unknown event type, or a known one with unexpected fields, is kept as raw JSON.
inline result<received_event> parse_event(std::string_view body, diagnostics* diag = nullptr) {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec || !v.is_object()) {
        if (diag) diag->set_client_message(ec ? "webhook body is not JSON" : "webhook body is not a JSON object");
        return make_error_code(errc::unexpected_response);
    }
    received_event e;
    e.event_type = detail::string_at(v, {"event_type"});
    e.kind = kind_of(e.event_type);
    if (auto p = detail::string_at(v, {"page_id"}); !p.empty()) e.page = page_id(std::move(p));
    if (e.kind != event_kind::unknown) {
        auto typed = decode_webhook(v);
        if (typed) e.typed = std::move(*typed);
    }
    const auto conv_id = detail::string_at(v, {"data", "conversation", "id"});
    if (const auto* ver = detail::at_path(v, {"data", "conversation", "version"}); ver && ver->is_number()) {
        boost::system::error_code nec;
        auto n = ver->to_number<std::int64_t>(nec);
        if (!nec) e.version = n;
    }
    switch (e.kind) {
    case event_kind::messaging: {
        const auto* msg = detail::at_path(v, {"data", "message"});
        const auto id = detail::string_at(v, {"data", "message", "id"});
        e.dedupe_key = "m:" + id + ":" + detail::fingerprint(msg ? *msg : v);
        e.serial_key = "c:" + conv_id;
        const auto from = detail::string_at(v, {"data", "message", "from", "id"});
        e.echo = e.page && !from.empty() && from == e.page->value();
        break;
    }
    case event_kind::conversation:
    case event_kind::connect_status: {
        auto rid = detail::string_at(v, {"request_id"});
        e.dedupe_key = rid.empty() ? "f:" + detail::fingerprint(v) : "r:" + rid;
        e.serial_key = e.kind == event_kind::conversation ? "c:" + conv_id : "p:" + detail::string_at(v, {"page_id"});
        break;
    }
    case event_kind::post:
        e.dedupe_key = "f:" + detail::fingerprint(v);
        e.serial_key = "post:" + detail::string_at(v, {"data", "post", "id"});
        break;
    default:
        e.dedupe_key = "f:" + detail::fingerprint(v);
        break;
    }
    e.raw = std::move(v);
    return e;
}

} // namespace pancake::webhook

// A request as it goes on the wire: its head serialized once (every attempt sends the same
// bytes) and its body beside it, the two written in one gather write.
//
// Serialized here rather than by Beast's serializer because the client's requests have one fixed
// shape (request line and at most five fields): one string built with one allocation replaces a
// field container (an allocation per field) and the serializer's buffer views on every call.
// Answers are still parsed by Beast.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/verb.hpp>

#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

namespace pancake::http {

struct outgoing_request {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string head; ///< request line and fields, through the blank line
    std::string body;

    std::array<boost::asio::const_buffer, 2> buffers() const noexcept {
        return {boost::asio::buffer(head), boost::asio::buffer(body)};
    }
};

/// What a request carries besides its method, target and body.
struct request_fields {
    std::string_view host;
    std::string_view user_agent;
    std::string_view content_type; ///< of the body; empty: application/json
};

namespace detail {
/// Bytes a head must not carry: control characters (CR and LF would end the line early: request
/// splitting; NUL is refused by servers) but tab, and DEL. A target also refuses space and tab
/// (the request line's separators). A table: one load and test per byte.
struct head_bytes {
    std::array<unsigned char, 256> bad{}; ///< bit 0: in a field value; bit 1: in a target
    constexpr head_bytes() {
        for (int c = 0; c < 0x20; ++c)
            bad[c] = c == '\t' ? 2 : 3;
        bad[' '] = 2;
        bad[0x7f] = 3;
    }
};
inline constexpr head_bytes head_table{};

inline bool unfit_for_head(std::string_view s, bool is_target) noexcept {
    const unsigned char mask = is_target ? 2 : 1;
    unsigned char any = 0;
    for (const char ch : s) // no early exit: the loop stays branch-free (refusals are rare)
        any |= head_table.bad[static_cast<unsigned char>(ch)];
    return (any & mask) != 0;
}
} // namespace detail

/// An HTTP/1.1 keep-alive request. A POST or PUT, or any request with a body, gets Content-Type
/// and Content-Length (0 for an empty POST, as servers expect). Nothing when the target or a
/// field value would break the head (a control character; a space or tab in the target) or the
/// target is not origin-form.
inline std::optional<outgoing_request> make_outgoing_request(boost::beast::http::verb method, std::string_view target,
                                                             const request_fields& f, std::string body) {
    namespace bhttp = boost::beast::http;
    const std::string_view content_type = f.content_type.empty() ? "application/json" : f.content_type;
    if (target.empty() || target.front() != '/' || detail::unfit_for_head(target, true) ||
        detail::unfit_for_head(f.host, false) || detail::unfit_for_head(f.user_agent, false) ||
        detail::unfit_for_head(content_type, false))
        return std::nullopt;
    const bool with_body = method == bhttp::verb::post || method == bhttp::verb::put || !body.empty();
    const std::string_view verb = bhttp::to_string(method);

    char length[24];
    const auto [end, ec] = std::to_chars(length, length + sizeof length, body.size());
    const std::string_view length_text(length, static_cast<std::size_t>(end - length));

    outgoing_request r;
    r.method = method;
    std::string& h = r.head;
    h.reserve(verb.size() + target.size() + f.host.size() + f.user_agent.size() + content_type.size() + 110);
    h.append(verb).append(" ").append(target).append(" HTTP/1.1\r\n");
    h.append("Host: ").append(f.host).append("\r\n");
    h.append("User-Agent: ").append(f.user_agent).append("\r\n");
    h.append("Accept: application/json\r\n");
    if (with_body) {
        h.append("Content-Type: ").append(content_type).append("\r\n");
        h.append("Content-Length: ").append(length_text).append("\r\n");
    }
    h.append("\r\n");
    if (with_body) r.body = std::move(body);
    return r;
}

} // namespace pancake::http

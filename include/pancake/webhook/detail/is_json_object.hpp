// Validates that a body is one well-formed JSON object without building it: the receiver only
// needs the yes/no for its 400, and the processor parses the body once, later, off the
// acknowledgement path.
#pragma once

#include <boost/json/basic_parser_impl.hpp>

#include <string_view>

namespace pancake::webhook::detail {

struct json_shape_handler {
    using error_code = boost::system::error_code;
    using string_view = boost::json::string_view;
    static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

    int depth = 0;
    bool top_is_object = false;

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }
    bool on_array_begin(error_code&) { return ++depth, true; }
    bool on_array_end(std::size_t, error_code&) { return --depth, true; }
    bool on_object_begin(error_code&) {
        if (depth++ == 0) top_is_object = true;
        return true;
    }
    bool on_object_end(std::size_t, error_code&) { return --depth, true; }
    bool on_string_part(string_view, std::size_t, error_code&) { return true; }
    bool on_string(string_view, std::size_t, error_code&) { return true; }
    bool on_key_part(string_view, std::size_t, error_code&) { return true; }
    bool on_key(string_view, std::size_t, error_code&) { return true; }
    bool on_number_part(string_view, error_code&) { return true; }
    bool on_int64(std::int64_t, string_view, error_code&) { return true; }
    bool on_uint64(std::uint64_t, string_view, error_code&) { return true; }
    bool on_double(double, string_view, error_code&) { return true; }
    bool on_bool(bool, error_code&) { return true; }
    bool on_null(error_code&) { return true; }
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }
};

/// True when `body` is exactly one JSON object (whitespace around it allowed), as
/// boost::json::parse with default options would accept it.
inline bool is_json_object(std::string_view body) {
    boost::json::basic_parser<json_shape_handler> p{boost::json::parse_options{}};
    boost::system::error_code ec;
    const auto n = p.write_some(false, body.data(), body.size(), ec);
    return !ec && p.done() && n == body.size() && p.handler().top_is_object;
}

} // namespace pancake::webhook::detail

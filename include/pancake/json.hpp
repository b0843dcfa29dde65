// Decoding and encoding entry points over the Boost.JSON mapping.
#pragma once

#include <pancake/detail/json_reader.hpp>
#include <pancake/detail/json_writer.hpp>
#include <pancake/diagnostics.hpp>

#include <boost/json/monotonic_resource.hpp>
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

/// Encodes to text. The DOM lives only until serialized, so it is built in a stack buffer (the
/// usual request body fits; a larger one continues on the heap): no allocation but the result's.
template <class T>
std::string encode_string(const T& v) {
    unsigned char buf[2048];
    boost::json::monotonic_resource mr(buf, sizeof buf);
    return boost::json::serialize(detail::to_json(v, &mr));
}

} // namespace pancake

#include "http_wire.hpp"

#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/serializer.hpp>

namespace pancake::sim {

namespace http = boost::beast::http;

http::response<http::string_body> to_http(response&& r, unsigned version, bool keep_alive) {
    const unsigned status = r.status >= 200 && r.status <= 599 ? r.status : 500;
    http::response<http::string_body> res{static_cast<http::status>(status), version};
    res.set(http::field::server, "pancake-sim");
    res.set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers)
        res.set(k, v);
    res.body() = std::move(r.body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
}

std::string wire(const http::response<http::string_body>& r, bool head_only) {
    std::string out;
    out.reserve(r.body().size() + 256);
    http::response_serializer<http::string_body> sr(r);
    sr.split(head_only);
    boost::beast::error_code ec;
    while (!ec && !(head_only ? sr.is_header_done() : sr.is_done()))
        sr.next(ec, [&](boost::beast::error_code&, const auto& buffers) {
            std::size_t n = 0;
            for (auto b : boost::beast::buffers_range_ref(buffers)) {
                out.append(static_cast<const char*>(b.data()), b.size());
                n += b.size();
            }
            sr.consume(n);
        });
    return out;
}

} // namespace pancake::sim

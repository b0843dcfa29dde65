#include "http_wire.hpp"

#include <boost/beast/http/write.hpp>

#include <sstream>

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

std::string wire(const http::response<http::string_body>& r) {
    std::ostringstream os;
    os << r;
    return os.str();
}

} // namespace pancake::sim

// The model's answers as HTTP/1.1 on the wire, and the request body type sessions read into.
#pragma once

#include "response.hpp"

#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/optional/optional.hpp>

#include <string>

namespace pancake::sim {

/// A Beast response for `r`: Server and Content-Type set, payload prepared. A status outside
/// 200..599 becomes 500 (Beast would write any number as the status line).
boost::beast::http::response<boost::beast::http::string_body> to_http(response&& r, unsigned version, bool keep_alive);

/// The response serialized exactly as it goes out, by Beast's serializer, into one buffer: the
/// session writes it with a single write (and the faults that cut an answer send a prefix of it).
/// `head_only`: the header alone, as a HEAD answer.
std::string wire(const boost::beast::http::response<boost::beast::http::string_body>& r, bool head_only = false);

/// A request body that grows as bytes arrive: string_body reserves the claimed Content-Length up
/// front, so a thousand clients each claiming 1 MiB would pin a GiB without sending anything.
struct growing_body {
    using value_type = std::string;
    static std::uint64_t size(const value_type& v) { return v.size(); }
    class reader {
    public:
        template <bool isRequest, class Fields>
        reader(boost::beast::http::header<isRequest, Fields>&, value_type& b) : body_(b) {}
        void init(const boost::optional<std::uint64_t>&, boost::beast::error_code& ec) { ec = {}; }
        template <class ConstBufferSequence>
        std::size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
            std::size_t n = 0;
            for (auto b : boost::beast::buffers_range_ref(buffers)) {
                body_.append(static_cast<const char*>(b.data()), b.size());
                n += b.size();
            }
            ec = {};
            return n;
        }
        void finish(boost::beast::error_code& ec) { ec = {}; }

    private:
        value_type& body_;
    };
};

} // namespace pancake::sim

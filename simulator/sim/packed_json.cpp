#include "packed_json.hpp"

#include <boost/json/serializer.hpp>
#include <boost/json/stream_parser.hpp>

#include <climits>
#include <stdexcept>
#include <zlib.h>

namespace pancake::sim {

namespace {
constexpr std::size_t chunk = 64 * 1024;

// Ends the stream however the function leaves (a throwing parser or allocation included).
template <int (*End)(z_streamp)>
struct z_guard {
    z_stream& z;
    ~z_guard() { End(&z); }
};
} // namespace

packed_json::packed_json(const boost::json::value& v) {
    z_stream z{};
    // Level 1: the fixture is loaded often (every test, every reset); its text compresses ~10x
    // even at the fastest level because conversations repeat their shape.
    if (deflateInit(&z, 1) != Z_OK) throw std::runtime_error("packed_json: deflateInit failed");
    z_guard<deflateEnd> guard{z};
    boost::json::serializer sr;
    sr.reset(&v);
    char in[chunk];
    char out[chunk];
    bool more = true;
    while (more) {
        auto text = sr.read(in, sizeof in);
        text_bytes_ += text.size();
        more = !sr.done();
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
        z.avail_in = static_cast<uInt>(text.size());
        do {
            z.next_out = reinterpret_cast<Bytef*>(out);
            z.avail_out = sizeof out;
            const int rc = deflate(&z, more ? Z_NO_FLUSH : Z_FINISH);
            if (rc == Z_STREAM_ERROR) throw std::runtime_error("packed_json: deflate failed");
            packed_.append(out, sizeof out - z.avail_out);
        } while (z.avail_out == 0);
    }
    packed_.shrink_to_fit();
}

boost::json::value packed_json::value() const {
    if (packed_.empty()) return nullptr;
    if (packed_.size() > UINT_MAX) throw std::runtime_error("packed_json: over 4 GiB packed");
    z_stream z{};
    if (inflateInit(&z) != Z_OK) throw std::runtime_error("packed_json: inflateInit failed");
    z_guard<inflateEnd> guard{z};
    boost::json::stream_parser p;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed_.data()));
    z.avail_in = static_cast<uInt>(packed_.size());
    char out[chunk];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        z.next_out = reinterpret_cast<Bytef*>(out);
        z.avail_out = sizeof out;
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) throw std::runtime_error("packed_json: corrupt data");
        p.write(out, sizeof out - z.avail_out);
    }
    p.finish();
    return p.release();
}

} // namespace pancake::sim

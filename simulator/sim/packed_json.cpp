#include "packed_json.hpp"

#include <boost/json/serializer.hpp>
#include <boost/json/stream_parser.hpp>

#include <stdexcept>
#include <zlib.h>

namespace pancake::sim {

namespace {
constexpr std::size_t chunk = 64 * 1024;
} // namespace

packed_json::packed_json(const boost::json::value& v) {
    z_stream z{};
    // Level 1: the fixture is loaded often (every test, every reset); its text compresses ~10x
    // even at the fastest level because conversations repeat their shape.
    if (deflateInit(&z, 1) != Z_OK) throw std::runtime_error("packed_json: deflateInit failed");
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
            deflate(&z, more ? Z_NO_FLUSH : Z_FINISH);
            packed_.append(out, sizeof out - z.avail_out);
        } while (z.avail_out == 0);
    }
    deflateEnd(&z);
    packed_.shrink_to_fit();
}

boost::json::value packed_json::value() const {
    if (packed_.empty()) return nullptr;
    z_stream z{};
    if (inflateInit(&z) != Z_OK) throw std::runtime_error("packed_json: inflateInit failed");
    boost::json::stream_parser p;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed_.data()));
    z.avail_in = static_cast<uInt>(packed_.size());
    char out[chunk];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        z.next_out = reinterpret_cast<Bytef*>(out);
        z.avail_out = sizeof out;
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&z);
            throw std::runtime_error("packed_json: corrupt data");
        }
        p.write(out, sizeof out - z.avail_out);
    }
    inflateEnd(&z);
    p.finish();
    return p.release();
}

} // namespace pancake::sim

#include "packed_json.hpp"

#include <boost/json/serializer.hpp>
#include <boost/json/stream_parser.hpp>

#include <memory>
#include <stdexcept>
#include <zstd.h>

namespace pancake::sim {

namespace {
constexpr std::size_t json_chunk = 64 * 1024;
// Level 9: a fixture's text compresses ~40x because conversations repeat their shape. On the
// scale bench's million conversations (824 MB of text) level 9 keeps 20 MB where level 3 kept
// 29, at ~100 MB/s (levels past 12 gain nothing and cost several times the time).
constexpr int json_level = 9;

struct cctx_free {
    void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};
struct dctx_free {
    void operator()(ZSTD_DCtx* d) const noexcept { ZSTD_freeDCtx(d); }
};
void check(std::size_t rc, const char* what) {
    if (ZSTD_isError(rc)) throw std::runtime_error(std::string("packed_json: ") + what + ": " + ZSTD_getErrorName(rc));
}
} // namespace

packed_json::packed_json(const boost::json::value& v) {
    std::unique_ptr<ZSTD_CCtx, cctx_free> z(ZSTD_createCCtx());
    if (!z) throw std::bad_alloc();
    check(ZSTD_CCtx_setParameter(z.get(), ZSTD_c_compressionLevel, json_level), "level");
    boost::json::serializer sr;
    sr.reset(&v);
    auto in = std::make_unique<char[]>(json_chunk);
    auto out = std::make_unique<char[]>(json_chunk);
    bool more = true;
    while (more) {
        auto text = sr.read(in.get(), json_chunk);
        text_bytes_ += text.size();
        more = !sr.done();
        // (A text that fits one chunk, every test's fixture, goes in one ZSTD_e_end call: zstd
        // then knows its size and sizes its tables to it, not to level 9's window.)
        ZSTD_inBuffer src{text.data(), text.size(), 0};
        for (;;) { // until this text is taken (and, at the end, the frame is closed)
            ZSTD_outBuffer dst{out.get(), json_chunk, 0};
            const auto left = ZSTD_compressStream2(z.get(), &dst, &src, more ? ZSTD_e_continue : ZSTD_e_end);
            check(left, "compress");
            packed_.append(out.get(), dst.pos);
            if (more ? src.pos == src.size : left == 0) break;
        }
    }
    packed_.shrink_to_fit();
}

boost::json::value packed_json::value() const {
    if (packed_.empty()) return nullptr;
    std::unique_ptr<ZSTD_DCtx, dctx_free> z(ZSTD_createDCtx());
    if (!z) throw std::bad_alloc();
    boost::json::stream_parser p;
    ZSTD_inBuffer src{packed_.data(), packed_.size(), 0};
    auto out = std::make_unique<char[]>(json_chunk);
    std::size_t left = 1;
    while (src.pos < src.size || left != 0) {
        ZSTD_outBuffer dst{out.get(), json_chunk, 0};
        left = ZSTD_decompressStream(z.get(), &dst, &src);
        check(left, "corrupt data");
        p.write(out.get(), dst.pos);
        if (src.pos == src.size && dst.pos < json_chunk && left != 0)
            throw std::runtime_error("packed_json: corrupt data: truncated");
    }
    p.finish();
    return p.release();
}

} // namespace pancake::sim

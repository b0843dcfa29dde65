#include "record_codec.hpp"

#include <zdict.h>
#include <zstd.h>

#include <array>
#include <stdexcept>

namespace pancake::sim {

struct record_codec::dictionary {
    std::string bytes;
    ZSTD_CDict* compress = nullptr;
    ZSTD_DDict* decompress = nullptr;
    dictionary() = default;
    dictionary(const dictionary&) = delete;
    dictionary& operator=(const dictionary&) = delete;
    ~dictionary() {
        ZSTD_freeCDict(compress);
        ZSTD_freeDDict(decompress);
    }
};

namespace {

// Level 12: on the scale bench's records 4 % smaller than level 9 (12 MB at a million) at about
// the same load time; 16 and up cost twice the time for 1 % more. The dictionary's size hardly
// matters on those (4 to 64 KB within 1 %); 16 KB leaves room for pages less alike.
constexpr int codec_level = 12;
constexpr std::size_t codec_dictionary_capacity = 16 * 1024;
// Every frame starts with the same four bytes (ZSTD_MAGICNUMBER, little-endian): not stored.
constexpr std::array<char, 4> codec_magic{'\x28', '\xB5', '\x2F', '\xFD'};
// The store keeps a record's size in 32 bits: a frame claiming more is damage, not a record.
constexpr unsigned long long codec_max_record = 0xFFFF'FFFFull;

// Contexts are reused (making one costs more than compressing a record); one per thread, so
// worlds on different threads never share one.
struct codec_contexts {
    ZSTD_CCtx* c = ZSTD_createCCtx();
    ZSTD_DCtx* d = ZSTD_createDCtx();
    std::string frame;
    codec_contexts() = default;
    codec_contexts(const codec_contexts&) = delete;
    codec_contexts& operator=(const codec_contexts&) = delete;
    ~codec_contexts() {
        ZSTD_freeCCtx(c);
        ZSTD_freeDCtx(d);
    }
};
codec_contexts& contexts() {
    thread_local codec_contexts x;
    if (!x.c || !x.d) throw std::bad_alloc();
    return x;
}

} // namespace

bool record_codec::train(const std::vector<std::string_view>& samples) {
    std::string joined;
    std::vector<std::size_t> sizes;
    sizes.reserve(samples.size());
    for (auto s : samples) {
        joined.append(s);
        sizes.push_back(s.size());
    }
    auto d = std::make_shared<dictionary>();
    d->bytes.resize(codec_dictionary_capacity);
    const auto n = ZDICT_trainFromBuffer(d->bytes.data(), d->bytes.size(), joined.data(), sizes.data(),
                                         static_cast<unsigned>(sizes.size()));
    if (ZDICT_isError(n)) return false;
    d->bytes.resize(n);
    d->bytes.shrink_to_fit();
    d->compress = ZSTD_createCDict(d->bytes.data(), d->bytes.size(), codec_level);
    d->decompress = ZSTD_createDDict(d->bytes.data(), d->bytes.size());
    if (!d->compress || !d->decompress) return false;
    dict_ = std::move(d);
    return true;
}

std::size_t record_codec::dictionary_bytes() const noexcept { return dict_ ? dict_->bytes.size() : 0; }

void record_codec::compress(std::string_view in, std::string& out) const {
    if (!dict_) throw std::logic_error("record_codec: no dictionary");
    auto& x = contexts();
    ZSTD_CCtx_reset(x.c, ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(x.c, ZSTD_c_checksumFlag, 0);
    ZSTD_CCtx_setParameter(x.c, ZSTD_c_dictIDFlag, 0); // one dictionary per store: its id says nothing
    ZSTD_CCtx_setParameter(x.c, ZSTD_c_contentSizeFlag, 1);
    ZSTD_CCtx_refCDict(x.c, dict_->compress);
    x.frame.resize(ZSTD_compressBound(in.size()));
    const auto n = ZSTD_compress2(x.c, x.frame.data(), x.frame.size(), in.data(), in.size());
    if (ZSTD_isError(n) || n < codec_magic.size())
        throw std::runtime_error(std::string("record_codec: ") + ZSTD_getErrorName(n));
    out.assign(x.frame.data() + codec_magic.size(), n - codec_magic.size());
}

void record_codec::decompress(std::string_view in, std::string& out) const {
    if (!dict_) throw std::logic_error("record_codec: no dictionary");
    auto& x = contexts();
    x.frame.assign(codec_magic.data(), codec_magic.size());
    x.frame.append(in);
    const auto size = ZSTD_getFrameContentSize(x.frame.data(), x.frame.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > codec_max_record)
        throw std::runtime_error("record_codec: damaged record");
    out.resize(static_cast<std::size_t>(size));
    const auto n =
        ZSTD_decompress_usingDDict(x.d, out.data(), out.size(), x.frame.data(), x.frame.size(), dict_->decompress);
    if (ZSTD_isError(n) || n != size) throw std::runtime_error("record_codec: damaged record");
}

} // namespace pancake::sim

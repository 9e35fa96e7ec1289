#include "samples.hpp"

#include <gtest/gtest.h>
#include <lz4frame.h>
#include <snappy-sinksource.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <random>
#include <string>

namespace kasio::compression::test {
namespace {

constexpr std::size_t chunk = 1024 * 1024;

const bytes& zero_chunk() {
    static const bytes zeros(chunk, 0);
    return zeros;
}

bytes gzip_zeros(std::size_t n) {
    z_stream zs{};
    if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
    bytes out;
    std::array<std::uint8_t, 64 * 1024> buf{};
    std::size_t left = n;
    int rc = Z_OK;
    do {
        const std::size_t step = std::min(left, chunk);
        left -= step;
        zs.next_in = const_cast<Bytef*>(zero_chunk().data());
        zs.avail_in = static_cast<uInt>(step);
        const int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
        do {
            zs.next_out = buf.data();
            zs.avail_out = static_cast<uInt>(buf.size());
            rc = deflate(&zs, flush);
            out.insert(out.end(), buf.data(), buf.data() + (buf.size() - zs.avail_out));
        } while (zs.avail_out == 0);
    } while (left > 0);
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? out : bytes{};
}

bytes zstd_zeros(std::size_t n) {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    bytes out;
    bytes buf(ZSTD_CStreamOutSize());
    std::size_t left = n;
    std::size_t pending = 0;
    do {
        const std::size_t step = std::min(left, chunk);
        left -= step;
        ZSTD_inBuffer in{zero_chunk().data(), step, 0};
        const ZSTD_EndDirective mode = left == 0 ? ZSTD_e_end : ZSTD_e_continue;
        do {
            ZSTD_outBuffer o{buf.data(), buf.size(), 0};
            pending = ZSTD_compressStream2(cctx, &o, &in, mode);
            if (ZSTD_isError(pending)) break;
            out.insert(out.end(), buf.data(), buf.data() + o.pos);
        } while (mode == ZSTD_e_end ? pending != 0 : in.pos < in.size);
    } while (left > 0 && !ZSTD_isError(pending));
    ZSTD_freeCCtx(cctx);
    return ZSTD_isError(pending) ? bytes{} : out;
}

bytes lz4_zeros(std::size_t n) {
    LZ4F_cctx* cctx = nullptr;
    if (LZ4F_isError(LZ4F_createCompressionContext(&cctx, LZ4F_VERSION))) return {};
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    bytes buf(LZ4F_compressBound(chunk, &prefs) + LZ4F_HEADER_SIZE_MAX);
    bytes out;
    bool ok = true;
    auto append = [&](std::size_t r) {
        ok = ok && !LZ4F_isError(r);
        if (ok) out.insert(out.end(), buf.data(), buf.data() + r);
    };
    append(LZ4F_compressBegin(cctx, buf.data(), buf.size(), &prefs));
    for (std::size_t left = n; left > 0 && ok;) {
        const std::size_t step = std::min(left, chunk);
        left -= step;
        append(LZ4F_compressUpdate(cctx, buf.data(), buf.size(), zero_chunk().data(), step,
                                   nullptr));
    }
    append(LZ4F_compressEnd(cctx, buf.data(), buf.size(), nullptr));
    LZ4F_freeCompressionContext(cctx);
    return ok ? out : bytes{};
}

bytes xerial_zeros(std::size_t n) {
    constexpr std::size_t block = 32 * 1024;
    auto be32 = [](bytes& b, std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(v >> shift));
    };
    std::string packed;
    snappy::Compress(reinterpret_cast<const char*>(zero_chunk().data()), block, &packed);
    bytes out = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
    be32(out, 1);
    be32(out, 1);
    for (std::size_t i = 0; i < n / block; ++i) {
        be32(out, static_cast<std::uint32_t>(packed.size()));
        out.insert(out.end(), packed.begin(), packed.end());
    }
    return out;
}

// Zeros on demand, so raw snappy (one stream, length first) needs no 64 MiB input buffer.
class zero_source final : public snappy::Source {
public:
    explicit zero_source(std::size_t n) : left_(n) {}
    std::size_t Available() const override { return left_; }
    const char* Peek(std::size_t* len) override {
        *len = std::min(left_, chunk);
        return reinterpret_cast<const char*>(zero_chunk().data());
    }
    void Skip(std::size_t n) override { left_ -= n; }

private:
    std::size_t left_;
};

class vector_sink final : public snappy::Sink {
public:
    explicit vector_sink(bytes& out) : out_(out) {}
    void Append(const char* data, std::size_t n) override {
        out_.insert(out_.end(), data, data + n);
    }

private:
    bytes& out_;
};

}  // namespace

bytes random_bytes(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    bytes out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(rng());
    return out;
}

bytes repetitive_bytes(std::size_t n) {
    static constexpr std::string_view pattern = "kasio-repeats-this-line 0123456789\n";
    bytes out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(pattern[i % pattern.size()]);
    return out;
}

bytes text_records(std::size_t n, std::uint32_t seed) {
    static constexpr std::array<std::string_view, 8> events = {
        "page_view", "add_to_cart", "checkout", "login", "logout", "search", "click", "purchase"};
    static constexpr std::array<std::string_view, 6> refs = {"search", "email", "direct",
                                                             "ads",    "social", "partner"};
    std::mt19937 rng(seed);
    std::string text;
    text.reserve(n + 256);
    std::uint64_t ts = 1700000000000;
    while (text.size() < n) {
        ts += rng() % 50;
        text += R"({"ts":)" + std::to_string(ts) + R"(,"user":"user-)" +
                std::to_string(rng() % 10000) + R"(","event":")" +
                std::string(events[rng() % events.size()]) + R"(","path":"/products/)" +
                std::to_string(rng() % 5000) + R"(","ref":")" +
                std::string(refs[rng() % refs.size()]) + R"(","latency_ms":)" +
                std::to_string(rng() % 900) + "}\n";
    }
    text.resize(n);
    return bytes(text.begin(), text.end());
}

bytes zero_bomb(codec c, std::size_t zeros, bool xerial) {
    switch (c) {
    case codec::gzip: return gzip_zeros(zeros);
    case codec::zstd: return zstd_zeros(zeros);
    case codec::lz4: return lz4_zeros(zeros);
    case codec::snappy: {
        if (xerial) return xerial_zeros(zeros);
        bytes out;
        zero_source source(zeros);
        vector_sink sink(out);
        snappy::Compress(&source, &sink);
        return out;
    }
    case codec::none: break;
    }
    return bytes(zeros, 0);
}

bytes raw_snappy(const std::uint8_t* data, std::size_t n) {
    std::string packed;
    snappy::Compress(reinterpret_cast<const char*>(data), n, &packed);
    return bytes(packed.begin(), packed.end());
}

bytes zstd_streamed(const bytes& in, int level, int window_log) {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
    if (window_log != 0) ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, window_log);
    bytes out(ZSTD_compressBound(in.size()) + 1024);
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    ZSTD_inBuffer i{in.data(), in.size(), 0};
    // e_continue first, so the encoder never learns the total size.
    std::size_t left = ZSTD_compressStream2(cctx, &o, &i, ZSTD_e_continue);
    while (!ZSTD_isError(left)) {
        left = ZSTD_compressStream2(cctx, &o, &i, ZSTD_e_end);
        if (left == 0) break;
    }
    ZSTD_freeCCtx(cctx);
    if (ZSTD_isError(left)) ADD_FAILURE() << "zstd: " << ZSTD_getErrorName(left);
    out.resize(o.pos);
    return out;
}

bytes compressed(codec c, const bytes& in, int level) {
    bytes out;
    const error_code ec = compress(c, in, out, level);
    if (ec) ADD_FAILURE() << "compress(" << to_string(c) << ", level " << level << "): " << ec.message();
    return out;
}

}  // namespace kasio::compression::test

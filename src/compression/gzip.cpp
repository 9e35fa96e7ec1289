// gzip (codec 1): RFC 1952 through zlib, as Java's GZIPOutputStream and librdkafka write it.
#define ZLIB_CONST  // next_in becomes a pointer to const: zlib only reads the input
#include <zlib.h>

#include "compression/bounded_output.hpp"
#include "compression/codec.hpp"
#include "compression/codecs.hpp"

#include <algorithm>
#include <climits>

namespace kasio::compression::detail {
namespace {

// zlib counts bytes in uInt (32 bits): inputs and outputs go through in steps of at most this.
constexpr std::size_t max_step = UINT_MAX;
constexpr int gzip_window_bits = 15 + 16;  // 32 KiB window, gzip wrapper
constexpr int auto_window_bits = 15 + 32;  // 32 KiB window, gzip or zlib header detected
constexpr int mem_level = 8;               // zlib's and java.util.zip.Deflater's default

// Streams are kept per thread: deflateInit2 allocates about 256 KiB and inflateInit2 about
// 40 KiB, too much to pay per batch. Calls on one thread never overlap and each call resets
// the stream first, so nothing leaks from one call into the next.
class deflater {
public:
    deflater() = default;
    deflater(const deflater&) = delete;
    deflater& operator=(const deflater&) = delete;
    ~deflater() {
        if (ready_) deflateEnd(&zs_);
    }

    /// A reset stream compressing at `level`, or nullptr when zlib cannot allocate one.
    z_stream* get(int level) {
        if (ready_) {
            deflateReset(&zs_);
            // On a freshly reset stream deflateParams only switches tables; no output yet.
            if (level == level_ || deflateParams(&zs_, level, Z_DEFAULT_STRATEGY) == Z_OK) {
                level_ = level;
                return &zs_;
            }
            deflateEnd(&zs_);
            ready_ = false;
        }
        zs_ = z_stream{};
        if (deflateInit2(&zs_, level, Z_DEFLATED, gzip_window_bits, mem_level,
                         Z_DEFAULT_STRATEGY) != Z_OK) {
            return nullptr;
        }
        ready_ = true;
        level_ = level;
        return &zs_;
    }

private:
    z_stream zs_{};
    bool ready_ = false;
    int level_ = 0;
};

class inflater {
public:
    inflater() = default;
    inflater(const inflater&) = delete;
    inflater& operator=(const inflater&) = delete;
    ~inflater() {
        if (ready_) inflateEnd(&zs_);
    }

    /// A reset stream, or nullptr when zlib cannot allocate one.
    z_stream* get() {
        if (ready_) {
            inflateReset(&zs_);
            return &zs_;
        }
        zs_ = z_stream{};
        if (inflateInit2(&zs_, auto_window_bits) != Z_OK) return nullptr;
        ready_ = true;
        return &zs_;
    }

private:
    z_stream zs_{};
    bool ready_ = false;
};

thread_local deflater t_deflater;
thread_local inflater t_inflater;

// First guess of the output size: a gzip member ends with ISIZE, its length mod 2^32 (RFC 1952
// 2.3.1), exact for a single member under 4 GiB. Only a hint: bounded_output caps it, and deflate
// cannot expand more than 1032 times, so a larger claim is ignored.
std::size_t expected_size(bytes_view in) {
    constexpr std::size_t max_expansion = 1032;
    if (in.size() < 18) return 0;
    const std::uint8_t* t = in.data() + in.size() - 4;
    const std::size_t isize = std::uint32_t{t[0]} | std::uint32_t{t[1]} << 8 |
                              std::uint32_t{t[2]} << 16 | std::uint32_t{t[3]} << 24;
    return isize / max_expansion <= in.size() ? isize : in.size() * 4;
}

bool starts_gzip_member(bytes_view rest) {
    return rest.size() >= 2 && rest[0] == 0x1f && rest[1] == 0x8b;
}

}  // namespace

error_code gzip_compress(bytes_view in, byte_vector& out, int level) {
    z_stream* zs = t_deflater.get(level == default_level ? Z_DEFAULT_COMPRESSION : level);
    if (zs == nullptr) return client_errc::compression_failed;

    // deflateBound covers the gzip header and trailer, so one pass fills a single allocation.
    const std::size_t base = out.size();
    out.resize(base + deflateBound(zs, static_cast<uLong>(in.size())));
    std::size_t in_pos = 0;
    std::size_t out_pos = base;
    int rc = Z_OK;
    while (rc == Z_OK) {
        const std::size_t in_step = std::min(in.size() - in_pos, max_step);
        const std::size_t out_step = std::min(out.size() - out_pos, max_step);
        zs->next_in = in.data() + in_pos;
        zs->avail_in = static_cast<uInt>(in_step);
        zs->next_out = out.data() + out_pos;
        zs->avail_out = static_cast<uInt>(out_step);
        rc = deflate(zs, in_pos + in_step == in.size() ? Z_FINISH : Z_NO_FLUSH);
        in_pos += in_step - zs->avail_in;
        out_pos += out_step - zs->avail_out;
    }
    if (rc != Z_STREAM_END) {
        out.resize(base);
        return client_errc::compression_failed;
    }
    out.resize(out_pos);
    return {};
}

error_code gzip_decompress(bytes_view in, byte_vector& out, std::size_t max_out) {
    z_stream* zs = t_inflater.get();
    if (zs == nullptr) return client_errc::decompression_failed;

    constexpr std::size_t window_step = 64 * 1024;
    bounded_output sink(out, max_out, expected_size(in));
    std::size_t in_pos = 0;
    for (;;) {
        const std::span<std::uint8_t> w = sink.window(window_step);
        if (w.empty()) break;  // the cap plus one byte is filled
        const std::size_t in_step = std::min(in.size() - in_pos, max_step);
        const std::size_t out_step = std::min(w.size(), max_step);
        zs->next_in = in.data() + in_pos;
        zs->avail_in = static_cast<uInt>(in_step);
        zs->next_out = w.data();
        zs->avail_out = static_cast<uInt>(out_step);
        const int rc = inflate(zs, Z_NO_FLUSH);
        in_pos += in_step - zs->avail_in;
        sink.commit(out_step - zs->avail_out);
        if (sink.exceeded()) break;

        if (rc == Z_STREAM_END) {
            if (in_pos == in.size()) {
                sink.finish();
                return {};
            }
            // RFC 1952: a gzip file is a series of members. Anything else after the end of the
            // stream is not part of it.
            if (!starts_gzip_member(in.subspan(in_pos))) break;
            inflateReset(zs);
            continue;
        }
        // Z_BUF_ERROR with room left in the window means the input ended mid-stream.
        const bool stalled = rc == Z_BUF_ERROR && zs->avail_out != 0;
        if ((rc != Z_OK && rc != Z_BUF_ERROR) || stalled) break;
    }
    sink.rollback();
    return sink.exceeded() ? client_errc::decompressed_size_limit
                           : client_errc::decompression_failed;
}

}  // namespace kasio::compression::detail

// zstd (codec 4, KIP-110): zstd frames; several concatenated frames decode as one stream, as
// Java's ZstdInputStream and librdkafka read them.
//
// Decoding takes one of three paths, all bounded by max_out:
//   every frame states its content size (kasio and ZSTD_compress2 writers): one pass straight
//     into `out`, sized by the sum once it is within the cap and possible for the input size;
//   a size is missing (Java's streaming writer): ZSTD_decompressStream in windows, with the
//     back-reference window limited to max_out so zstd's own buffer stays within the cap too;
//   a frame wants a larger window than that: one pass into a buffer grown up to the cap.
#include "compression/bounded_output.hpp"
#include "compression/codec.hpp"
#include "compression/codecs.hpp"

#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <bit>

namespace kasio::compression::detail {
namespace {

// A block yields at most ZSTD_BLOCKSIZE_MAX bytes from at least 4 input bytes (3-byte block
// header, 1 RLE byte): a frame announcing more than that ratio is corrupt.
constexpr std::size_t max_expansion = ZSTD_BLOCKSIZE_MAX / 4;
// zstd's streaming default (ZSTD_WINDOWLOG_LIMIT_DEFAULT, static-only API): 128 MiB windows.
constexpr int window_log_limit = 27;

// Contexts are kept per thread: a CCtx costs from hundreds of KiB to tens of MiB depending on
// the level, a DCtx about 160 KiB plus its window, both far too much to allocate per batch.
// Calls on one thread never overlap and each call resets the session it uses.
struct zstd_contexts {
    ZSTD_CCtx* cctx = nullptr;
    ZSTD_DCtx* dctx = nullptr;

    zstd_contexts() = default;
    zstd_contexts(const zstd_contexts&) = delete;
    zstd_contexts& operator=(const zstd_contexts&) = delete;
    ~zstd_contexts() {
        ZSTD_freeCCtx(cctx);
        ZSTD_freeDCtx(dctx);
    }

    ZSTD_CCtx* compressor() {
        if (cctx == nullptr) cctx = ZSTD_createCCtx();
        return cctx;
    }
    ZSTD_DCtx* decompressor() {
        if (dctx == nullptr) dctx = ZSTD_createDCtx();
        return dctx;
    }
};

thread_local zstd_contexts t_zstd;

enum class declared { known, unknown, corrupt };

// Sum of the content sizes the frames of `in` announce (skippable frames count 0).
declared declared_size(bytes_view in, std::size_t& total) {
    total = 0;
    while (!in.empty()) {
        const unsigned long long size = ZSTD_getFrameContentSize(in.data(), in.size());
        if (size == ZSTD_CONTENTSIZE_ERROR) return declared::corrupt;
        if (size == ZSTD_CONTENTSIZE_UNKNOWN) return declared::unknown;
        const std::size_t frame = ZSTD_findFrameCompressedSize(in.data(), in.size());
        if (ZSTD_isError(frame) || size / max_expansion > frame) return declared::corrupt;
        total += static_cast<std::size_t>(size);  // bounded by in.size() * max_expansion
        in = in.subspan(frame);
    }
    return declared::known;
}

// Largest window (log2) that keeps zstd's streaming buffer within max_out, in zstd's bounds.
int window_log_max(std::size_t max_out) {
    const ZSTD_bounds bounds = ZSTD_dParam_getBounds(ZSTD_d_windowLogMax);
    const int fit = static_cast<int>(std::bit_width(max_out)) - 1;
    return std::clamp(fit, bounds.lowerBound, window_log_limit);
}

error_code decompress_sized(ZSTD_DCtx* dctx, bytes_view in, byte_vector& out, std::size_t size) {
    const std::size_t base = out.size();
    out.resize(base + size);
    const std::size_t r = ZSTD_decompressDCtx(dctx, out.data() + base, size, in.data(), in.size());
    if (ZSTD_isError(r) || r != size) {
        out.resize(base);
        return client_errc::decompression_failed;
    }
    return {};
}

// One pass needs no window buffer; without a known size it retries with 4 times the room.
error_code decompress_growing(ZSTD_DCtx* dctx, bytes_view in, byte_vector& out,
                              std::size_t max_out) {
    const std::size_t base = out.size();
    const std::size_t limit = max_out == SIZE_MAX ? SIZE_MAX : max_out + 1;
    std::size_t room = std::min(limit, std::max<std::size_t>(in.size() * 8, 64 * 1024));
    for (;;) {
        if (out.capacity() < base + room) out.reserve(base + room);
        out.resize(base + room);
        const std::size_t r =
            ZSTD_decompressDCtx(dctx, out.data() + base, room, in.data(), in.size());
        if (!ZSTD_isError(r) && r <= max_out) {
            out.resize(base + r);
            return {};
        }
        const bool short_of_room =
            ZSTD_isError(r) ? ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall : true;
        if (!short_of_room || room == limit) {
            out.resize(base);
            return short_of_room ? client_errc::decompressed_size_limit
                                 : client_errc::decompression_failed;
        }
        room = room > limit / 4 ? limit : room * 4;
    }
}

error_code decompress_streaming(ZSTD_DCtx* dctx, bytes_view in, byte_vector& out,
                                std::size_t max_out) {
    ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
    ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, window_log_max(max_out));

    bounded_output sink(out, max_out, in.size() * 4);
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    for (;;) {
        const std::span<std::uint8_t> w = sink.window(ZSTD_DStreamOutSize());
        if (w.empty()) break;
        ZSTD_outBuffer output{w.data(), w.size(), 0};
        const std::size_t consumed = input.pos;
        const std::size_t r = ZSTD_decompressStream(dctx, &output, &input);
        if (ZSTD_isError(r)) {
            if (ZSTD_getErrorCode(r) != ZSTD_error_frameParameter_windowTooLarge) break;
            sink.rollback();
            return decompress_growing(dctx, in, out, max_out);
        }
        sink.commit(output.pos);
        if (sink.exceeded()) break;
        if (r == 0 && input.pos == input.size) {  // last frame complete and flushed
            sink.finish();
            return {};
        }
        // Mid-frame with room left in the window, yet the input is used up or was not
        // touched: the frame is cut short.
        if (r != 0 && output.pos < output.size &&
            (input.pos == input.size || input.pos == consumed)) {
            break;
        }
    }
    sink.rollback();
    return sink.exceeded() ? client_errc::decompressed_size_limit
                           : client_errc::decompression_failed;
}

}  // namespace

error_code zstd_compress(bytes_view in, byte_vector& out, int level) {
    ZSTD_CCtx* cctx = t_zstd.compressor();
    if (cctx == nullptr) return client_errc::compression_failed;
    ZSTD_CCtx_reset(cctx, ZSTD_reset_session_only);
    const int zlevel = level == default_level ? ZSTD_defaultCLevel() : level;
    if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, zlevel))) {
        return client_errc::compression_failed;
    }
    // ZSTD_compress2 writes the content size into the frame header, which lets readers
    // (kasio, librdkafka) decode in one pass into an exactly sized buffer.
    const std::size_t base = out.size();
    out.resize(base + ZSTD_compressBound(in.size()));
    const std::size_t r =
        ZSTD_compress2(cctx, out.data() + base, out.size() - base, in.data(), in.size());
    if (ZSTD_isError(r)) {
        out.resize(base);
        return client_errc::compression_failed;
    }
    out.resize(base + r);
    return {};
}

error_code zstd_decompress(bytes_view in, byte_vector& out, std::size_t max_out) {
    if (in.empty()) return client_errc::decompression_failed;
    ZSTD_DCtx* dctx = t_zstd.decompressor();
    if (dctx == nullptr) return client_errc::decompression_failed;

    std::size_t total = 0;
    switch (declared_size(in, total)) {
    case declared::corrupt: return client_errc::decompression_failed;
    case declared::unknown: return decompress_streaming(dctx, in, out, max_out);
    case declared::known: break;
    }
    if (total > max_out) return client_errc::decompressed_size_limit;
    return decompress_sized(dctx, in, out, total);
}

}  // namespace kasio::compression::detail

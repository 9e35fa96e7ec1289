// lz4 (codec 3): the LZ4 frame format through lz4frame.h.
//
// Written like Java's Lz4BlockOutputStream and librdkafka's rd_kafka_lz4_compress: independent
// 64 KiB blocks (Java's reader rejects linked blocks), no checksums, no content size. Read:
// whatever LZ4F decodes as one frame, plus the header checksum of Kafka's magic v0 writers,
// which hashed the magic number too (KAFKA-3160, fixed with KIP-57 for magic v1; librdkafka's
// rd_kafka_lz4_decompress_fixup_bad_framing does the same).
#include "compression/bounded_output.hpp"
#include "compression/codec.hpp"
#include "compression/codecs.hpp"
#include "compression/xxhash32.hpp"

#include <lz4frame.h>

#include <algorithm>
#include <array>

namespace kasio::compression::detail {
namespace {

constexpr std::uint32_t frame_magic = 0x184D2204;
constexpr int kafka_default_level = 9;
// One LZ4 block expands at most about 255 times; a content size beyond that is a lie and is
// not worth even a first allocation.
constexpr std::size_t max_expansion = 255;

// Contexts are kept per thread: LZ4F allocates its block buffers (and the HC state at level 3+)
// in the context, so a fresh one per batch would allocate each time. Calls on one thread never
// overlap; compressBegin and resetDecompressionContext start every call from a clean state, and
// a decoding context that failed is replaced (see discard_decompressor).
struct lz4_contexts {
    LZ4F_cctx* cctx = nullptr;
    LZ4F_dctx* dctx = nullptr;

    lz4_contexts() = default;
    lz4_contexts(const lz4_contexts&) = delete;
    lz4_contexts& operator=(const lz4_contexts&) = delete;
    ~lz4_contexts() {
        LZ4F_freeCompressionContext(cctx);
        LZ4F_freeDecompressionContext(dctx);
    }

    LZ4F_cctx* compressor() {
        if (cctx == nullptr && LZ4F_isError(LZ4F_createCompressionContext(&cctx, LZ4F_VERSION))) {
            cctx = nullptr;
        }
        return cctx;
    }
    LZ4F_dctx* decompressor() {
        if (dctx == nullptr &&
            LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) {
            dctx = nullptr;
        }
        return dctx;
    }
    // After a failed frame the context is dropped, not reset: lz4 1.9.4's
    // LZ4F_resetDecompressionContext keeps the remaining size of a frame that announced its
    // content size, and the next frame without one then fails with frameSize_wrong.
    void discard_decompressor() {
        LZ4F_freeDecompressionContext(dctx);
        dctx = nullptr;
    }
};

thread_local lz4_contexts t_lz4;

LZ4F_preferences_t kafka_preferences(int level) {
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
    prefs.frameInfo.frameType = LZ4F_frame;
    prefs.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
    // Java compresses its default level 9 with lz4's fast compressor and any other level with
    // HC at that level; LZ4F is fast below 3 and caps HC at 12.
    prefs.compressionLevel = level == default_level || level == kafka_default_level ? 0 : level;
    return prefs;
}

std::size_t max_block_size(LZ4F_blockSizeID_t id) {
    switch (id) {
    case LZ4F_max256KB: return 256 * 1024;
    case LZ4F_max1MB: return 1024 * 1024;
    case LZ4F_max4MB: return 4 * 1024 * 1024;
    default: return 64 * 1024;
    }
}

// The frame header checksum: second byte of XXH32 over the bytes it covers.
std::uint8_t header_checksum(bytes_view covered) {
    return static_cast<std::uint8_t>(xxh32(covered, 0) >> 8);
}

// Size of the frame header at the start of `in` (magic to checksum byte), 0 if `in` does not
// start with a complete LZ4 frame header.
std::size_t frame_header_size(bytes_view in) {
    if (in.size() < 7) return 0;
    const std::uint32_t magic = std::uint32_t{in[0]} | std::uint32_t{in[1]} << 8 |
                                std::uint32_t{in[2]} << 16 | std::uint32_t{in[3]} << 24;
    if (magic != frame_magic) return 0;
    const std::uint8_t flg = in[4];
    const std::size_t size = 7 + ((flg & 0x08) != 0 ? 8 : 0) + ((flg & 0x01) != 0 ? 4 : 0);
    return in.size() >= size ? size : 0;
}

}  // namespace

error_code lz4_compress(bytes_view in, byte_vector& out, int level) {
    LZ4F_cctx* cctx = t_lz4.compressor();
    if (cctx == nullptr) return client_errc::compression_failed;

    const LZ4F_preferences_t prefs = kafka_preferences(level);
    const std::size_t base = out.size();
    out.resize(base + LZ4F_compressFrameBound(in.size(), &prefs));
    std::uint8_t* const begin = out.data() + base;
    std::uint8_t* const end = out.data() + out.size();
    std::uint8_t* p = begin;

    std::size_t r = LZ4F_compressBegin(cctx, p, static_cast<std::size_t>(end - p), &prefs);
    if (!LZ4F_isError(r)) {
        p += r;
        r = LZ4F_compressUpdate(cctx, p, static_cast<std::size_t>(end - p), in.data(), in.size(),
                                nullptr);
    }
    if (!LZ4F_isError(r)) {
        p += r;
        r = LZ4F_compressEnd(cctx, p, static_cast<std::size_t>(end - p), nullptr);
    }
    if (LZ4F_isError(r)) {
        out.resize(base);
        return client_errc::compression_failed;
    }
    p += r;
    out.resize(base + static_cast<std::size_t>(p - begin));
    return {};
}

error_code lz4_decompress(bytes_view in, byte_vector& out, std::size_t max_out) {
    LZ4F_dctx* dctx = t_lz4.decompressor();
    if (dctx == nullptr) return client_errc::decompression_failed;
    LZ4F_resetDecompressionContext(dctx);

    // The header goes through LZ4F_getFrameInfo on its own, so a legacy checksum can be swapped
    // for the right one in a copy, leaving the caller's bytes alone.
    std::array<std::uint8_t, LZ4F_HEADER_SIZE_MAX> fixed{};
    bytes_view header = in;
    if (const std::size_t size = frame_header_size(in); size != 0) {
        const std::uint8_t stored = in[size - 1];
        const std::uint8_t proper = header_checksum(in.subspan(4, size - 5));
        if (stored != proper && stored == header_checksum(in.first(size - 1))) {
            std::copy_n(in.begin(), size, fixed.begin());
            fixed[size - 1] = proper;
            header = bytes_view(fixed.data(), size);
        }
    }
    LZ4F_frameInfo_t info{};
    std::size_t consumed = header.size();
    if (LZ4F_isError(LZ4F_getFrameInfo(dctx, &info, header.data(), &consumed)) ||
        info.frameType != LZ4F_frame) {
        t_lz4.discard_decompressor();
        return client_errc::decompression_failed;
    }
    bytes_view rest = in.subspan(consumed);

    // A window of a whole block lets LZ4F decode straight into `out` instead of its own buffer.
    const std::size_t block = max_block_size(info.blockSizeID);
    const auto plausible = static_cast<std::size_t>(std::min<unsigned long long>(
        info.contentSize, static_cast<unsigned long long>(in.size()) * max_expansion));
    bounded_output sink(out, max_out, plausible != 0 ? plausible : in.size() * 4);
    for (;;) {
        const std::span<std::uint8_t> w = sink.window(block);
        if (w.empty()) break;
        std::size_t dst_size = w.size();
        std::size_t src_size = rest.size();
        const std::size_t r =
            LZ4F_decompress(dctx, w.data(), &dst_size, rest.data(), &src_size, nullptr);
        if (LZ4F_isError(r)) break;
        rest = rest.subspan(src_size);
        sink.commit(dst_size);
        if (sink.exceeded()) break;
        if (r == 0) {  // end of frame, fully flushed; bytes after it belong to nothing
            if (!rest.empty()) break;
            sink.finish();
            return {};
        }
        // Input used up while the window still had room: the frame was cut short.
        if (rest.empty() && dst_size < w.size()) break;
    }
    sink.rollback();
    t_lz4.discard_decompressor();
    return sink.exceeded() ? client_errc::decompressed_size_limit
                           : client_errc::decompression_failed;
}

}  // namespace kasio::compression::detail

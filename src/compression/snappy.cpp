// snappy (codec 2). Two encodings meet on the wire:
//   raw snappy           what librdkafka writes (one snappy stream, length varint first);
//   xerial framing       what the Java producer writes (snappy-java's SnappyOutputStream):
//                        "\x82SNAPPY\0", int32 version, int32 compatible version (both 1,
//                        big-endian), then blocks of [int32 big-endian length][raw snappy].
// Both are decoded. kasio writes xerial framing with 32 KiB blocks, byte for byte the format
// of the Java producer (SnappyOutputStream's default block size, KIP-780): Java consumers read
// it natively and librdkafka detects it by its magic (rdkafka_msgset_reader.c).
#include "compression/codecs.hpp"

#include <snappy.h>

#include <algorithm>
#include <array>

namespace kasio::compression::detail {
namespace {

constexpr std::array<std::uint8_t, 8> xerial_magic = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr std::uint32_t xerial_version = 1;
constexpr std::uint32_t xerial_compatible_version = 1;
constexpr std::size_t xerial_header_size = 16;
constexpr std::size_t xerial_block_size = 32 * 1024;

// A snappy element yields at most 64 bytes from 3 input bytes (a 2-byte-offset copy), so a
// stream announcing more than 64/3 times its size is corrupt, whatever the cap allows.
bool plausible_length(std::size_t uncompressed, std::size_t compressed) {
    return uncompressed <= (compressed / 3 + 1) * 64;
}

void put_be32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

std::uint32_t get_be32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 |
           std::uint32_t{p[3]};
}

const char* chars(const std::uint8_t* p) { return reinterpret_cast<const char*>(p); }

bool is_xerial(bytes_view in) {
    return in.size() >= xerial_header_size &&
           std::equal(xerial_magic.begin(), xerial_magic.end(), in.begin());
}

// Length announced by one raw snappy block, if it parses and is possible for its size.
bool announced_length(bytes_view block, std::size_t& length) {
    return snappy::GetUncompressedLength(chars(block.data()), block.size(), &length) &&
           plausible_length(length, block.size());
}

// Splits xerial framing into its blocks; false if the framing itself is cut or malformed.
template <class Fn>
bool for_each_xerial_block(bytes_view in, Fn&& fn) {
    std::size_t pos = xerial_header_size;
    while (pos < in.size()) {
        if (in.size() - pos < 4) return false;
        const std::size_t len = get_be32(in.data() + pos);
        pos += 4;
        if (len > in.size() - pos) return false;
        if (!fn(in.subspan(pos, len))) return false;
        pos += len;
    }
    return true;
}

error_code decompress_xerial(bytes_view in, byte_vector& out, std::size_t max_out) {
    // First pass reads only the length varints, so the output is allocated once and exactly.
    std::size_t total = 0;
    bool too_large = false;
    const bool framed = for_each_xerial_block(in, [&](bytes_view block) {
        std::size_t len = 0;
        if (!announced_length(block, len)) return false;
        if (len > max_out - total) {
            too_large = true;
            return false;
        }
        total += len;
        return true;
    });
    if (too_large) return client_errc::decompressed_size_limit;
    if (!framed) return client_errc::decompression_failed;

    const std::size_t base = out.size();
    out.resize(base + total);
    std::size_t pos = base;
    const bool ok = for_each_xerial_block(in, [&](bytes_view block) {
        std::size_t len = 0;
        snappy::GetUncompressedLength(chars(block.data()), block.size(), &len);
        if (!snappy::RawUncompress(chars(block.data()), block.size(),
                                   reinterpret_cast<char*>(out.data() + pos))) {
            return false;
        }
        pos += len;
        return true;
    });
    if (!ok) {
        out.resize(base);
        return client_errc::decompression_failed;
    }
    return {};
}

}  // namespace

error_code snappy_compress(bytes_view in, byte_vector& out) {
    // An empty input still gets one (empty) block: librdkafka only takes a buffer for xerial
    // when it is longer than header + 4 bytes.
    const std::size_t blocks = std::max<std::size_t>(1, (in.size() + xerial_block_size - 1) /
                                                            xerial_block_size);
    const std::size_t bound = xerial_header_size +
                              blocks * (4 + snappy::MaxCompressedLength(xerial_block_size));
    const std::size_t base = out.size();
    out.resize(base + bound);

    std::uint8_t* p = out.data() + base;
    std::copy(xerial_magic.begin(), xerial_magic.end(), p);
    put_be32(p + 8, xerial_version);
    put_be32(p + 12, xerial_compatible_version);
    p += xerial_header_size;

    std::size_t pos = 0;
    do {
        const std::size_t n = std::min(in.size() - pos, xerial_block_size);
        std::size_t written = 0;
        snappy::RawCompress(chars(in.data() + pos), n, reinterpret_cast<char*>(p + 4), &written);
        put_be32(p, static_cast<std::uint32_t>(written));
        p += 4 + written;
        pos += n;
    } while (pos < in.size());

    out.resize(static_cast<std::size_t>(p - out.data()));
    return {};
}

error_code snappy_decompress(bytes_view in, byte_vector& out, std::size_t max_out) {
    if (is_xerial(in)) return decompress_xerial(in, out, max_out);

    // Raw snappy: the length comes first, so the cap is checked before anything is allocated.
    std::size_t len = 0;
    if (!announced_length(in, len)) return client_errc::decompression_failed;
    if (len > max_out) return client_errc::decompressed_size_limit;
    const std::size_t base = out.size();
    out.resize(base + len);
    // RawUncompress bounds every copy and checks the produced length against the announced one,
    // so a separate IsValidCompressedBuffer pass would only decode everything twice.
    if (!snappy::RawUncompress(chars(in.data()), in.size(),
                               reinterpret_cast<char*>(out.data() + base))) {
        out.resize(base);
        return client_errc::decompression_failed;
    }
    return {};
}

}  // namespace kasio::compression::detail

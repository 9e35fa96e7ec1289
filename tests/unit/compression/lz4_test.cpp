// lz4 specifics: the frame kasio writes is the one Java's Lz4BlockOutputStream writes; frames
// from other writers (checksums, content size, linked blocks, magic v0 header checksum) decode.
#include "compression/codec.hpp"
#include "compression/xxhash32.hpp"

#include "samples.hpp"

#include <gtest/gtest.h>
#include <lz4frame.h>

namespace kasio::compression {
namespace {

using test::bytes;

bytes lz4f_frame(const bytes& in, const LZ4F_preferences_t& prefs) {
    bytes out(LZ4F_compressFrameBound(in.size(), &prefs));
    const std::size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
    EXPECT_FALSE(LZ4F_isError(n));
    out.resize(n);
    return out;
}

TEST(lz4, header_matches_java_writer) {
    // magic, FLG 0x60 (version 1, independent blocks, no checksums, no size), BD 0x40 (64 KiB),
    // header checksum.
    const bytes wire = test::compressed(codec::lz4, test::text_records(1000, 1));
    ASSERT_GE(wire.size(), 7U);
    EXPECT_EQ(bytes(wire.begin(), wire.begin() + 7), (bytes{0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82}));
}

TEST(lz4, xxh32_matches_lz4_content_checksum) {
    EXPECT_EQ(detail::xxh32({}, 0), 0x02CC5D05U);
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    for (std::size_t n : {0, 1, 3, 4, 15, 16, 17, 31, 32, 33, 100, 1000, 65543}) {
        const bytes data = test::random_bytes(n, static_cast<std::uint32_t>(n));
        const bytes frame = lz4f_frame(data, prefs);
        const std::size_t t = frame.size() - 4;
        const std::uint32_t stored = frame[t] | frame[t + 1] << 8 | frame[t + 2] << 16 |
                                     static_cast<std::uint32_t>(frame[t + 3]) << 24;
        EXPECT_EQ(detail::xxh32(data, 0), stored) << n;
    }
}

TEST(lz4, magic_v0_header_checksum_is_accepted) {
    // Kafka < 0.10 hashed the magic number into the header checksum (KAFKA-3160).
    const bytes in = test::text_records(100 * 1024, 2);
    bytes wire = test::compressed(codec::lz4, in);
    const auto legacy = static_cast<std::uint8_t>(detail::xxh32({wire.data(), 6}, 0) >> 8);
    ASSERT_NE(legacy, wire[6]);
    wire[6] = legacy;
    bytes out;
    ASSERT_FALSE(decompress(codec::lz4, wire, out, in.size()));
    EXPECT_EQ(out, in);
}

TEST(lz4, any_other_header_checksum_is_corrupt) {
    bytes wire = test::compressed(codec::lz4, test::text_records(1000, 3));
    const auto legacy = static_cast<std::uint8_t>(detail::xxh32({wire.data(), 6}, 0) >> 8);
    const std::uint8_t proper = wire[6];
    for (int hc = 0; hc < 256; ++hc) {
        if (hc == legacy || hc == proper) continue;
        wire[6] = static_cast<std::uint8_t>(hc);
        bytes out;
        EXPECT_EQ(decompress(codec::lz4, wire, out, 1 << 20), client_errc::decompression_failed);
        EXPECT_TRUE(out.empty());
    }
}

TEST(lz4, frames_with_checksums_size_and_big_linked_blocks_decode) {
    const bytes in = test::text_records(600 * 1024, 4);
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.blockSizeID = LZ4F_max4MB;
    prefs.frameInfo.blockMode = LZ4F_blockLinked;
    prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    prefs.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
    prefs.frameInfo.contentSize = in.size();
    prefs.compressionLevel = 9;
    bytes out;
    ASSERT_FALSE(decompress(codec::lz4, lz4f_frame(in, prefs), out, in.size()));
    EXPECT_EQ(out, in);
}

TEST(lz4, damaged_content_checksum_is_corrupt) {
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    bytes wire = lz4f_frame(test::text_records(5000, 5), prefs);
    wire.back() ^= 0x80;
    bytes out;
    EXPECT_EQ(decompress(codec::lz4, wire, out, 1 << 20), client_errc::decompression_failed);
    EXPECT_TRUE(out.empty());
}

TEST(lz4, bytes_after_the_frame_are_corrupt) {
    bytes wire = test::compressed(codec::lz4, test::text_records(5000, 6));
    const bytes again = wire;
    wire.insert(wire.end(), again.begin(), again.end());
    bytes out;
    EXPECT_EQ(decompress(codec::lz4, wire, out, 1 << 20), client_errc::decompression_failed);
    EXPECT_TRUE(out.empty());
}

TEST(lz4, truncated_frame_is_corrupt) {
    const bytes wire = test::compressed(codec::lz4, test::text_records(200 * 1024, 7));
    for (std::size_t keep : {std::size_t{3}, std::size_t{6}, std::size_t{7}, std::size_t{12},
                             wire.size() / 2, wire.size() - 4, wire.size() - 1}) {
        bytes out;
        EXPECT_EQ(decompress(codec::lz4, {wire.data(), keep}, out, 1 << 20),
                  client_errc::decompression_failed)
            << keep;
        EXPECT_TRUE(out.empty());
    }
}

TEST(lz4, frame_after_a_failed_sized_frame_decodes) {
    // Regression: lz4 1.9.4 keeps a failed frame's remaining content size across
    // LZ4F_resetDecompressionContext, which broke the next frame on the same thread.
    const bytes in = test::text_records(2000, 8);
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.contentSize = in.size();
    const bytes sized = lz4f_frame(in, prefs);
    bytes out;
    EXPECT_EQ(decompress(codec::lz4, {sized.data(), sized.size() - 5}, out, 1 << 20),
              client_errc::decompression_failed);
    ASSERT_FALSE(decompress(codec::lz4, test::compressed(codec::lz4, in), out, 1 << 20));
    EXPECT_EQ(out, in);
}

TEST(lz4, skippable_frame_is_not_a_kafka_payload) {
    const bytes wire = {0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4};
    bytes out;
    EXPECT_EQ(decompress(codec::lz4, wire, out, 1 << 20), client_errc::decompression_failed);
}

}  // namespace
}  // namespace kasio::compression

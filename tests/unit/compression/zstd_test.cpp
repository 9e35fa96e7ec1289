// zstd specifics: frames without a content size (Java's streaming writer), several frames,
// skippable frames, windows larger than the cap, corruption.
#include "compression/codec.hpp"

#include "samples.hpp"

#include <gtest/gtest.h>
#include <zstd.h>

namespace kasio::compression {
namespace {

using test::bytes;

bytes streamed_frame(const bytes& in, int level, int window_log = 0) {
    bytes out = test::zstd_streamed(in, level, window_log);
    EXPECT_EQ(ZSTD_getFrameContentSize(out.data(), out.size()), ZSTD_CONTENTSIZE_UNKNOWN);
    return out;
}

bytes concat(std::initializer_list<bytes> parts) {
    bytes all;
    for (const bytes& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
}

TEST(zstd, output_states_its_content_size) {
    const bytes in = test::text_records(10000, 1);
    const bytes wire = test::compressed(codec::zstd, in);
    EXPECT_EQ(ZSTD_getFrameContentSize(wire.data(), wire.size()), in.size());
}

TEST(zstd, frame_without_content_size_decodes) {
    const bytes in = test::text_records(1024 * 1024, 2);
    bytes out;
    ASSERT_FALSE(decompress(codec::zstd, streamed_frame(in, 3), out, in.size()));
    EXPECT_EQ(out, in);
    out.clear();
    EXPECT_EQ(decompress(codec::zstd, streamed_frame(in, 3), out, in.size() - 1),
              client_errc::decompressed_size_limit);
    EXPECT_TRUE(out.empty());
}

TEST(zstd, concatenated_frames_decode_as_one_stream) {
    const bytes a = test::text_records(40000, 3);
    const bytes b = test::text_records(50000, 4);
    const bytes both = concat({a, b});
    bytes out;
    ASSERT_FALSE(decompress(codec::zstd,
                            concat({test::compressed(codec::zstd, a), test::compressed(codec::zstd, b)}),
                            out, both.size()));
    EXPECT_EQ(out, both);
    out.clear();
    ASSERT_FALSE(decompress(codec::zstd, concat({test::compressed(codec::zstd, a), streamed_frame(b, 1)}),
                            out, both.size()));
    EXPECT_EQ(out, both);
}

TEST(zstd, skippable_frames_are_skipped) {
    const bytes in = test::text_records(5000, 5);
    const bytes skippable = {0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 'a', 'b', 'c'};
    bytes out;
    ASSERT_FALSE(decompress(codec::zstd, concat({skippable, test::compressed(codec::zstd, in)}), out,
                            in.size()));
    EXPECT_EQ(out, in);
}

TEST(zstd, window_larger_than_the_cap_still_decodes_within_it) {
    // A 128 MiB window with no content size: streaming would need a window buffer larger than
    // max_out, so the decoder must take its one-pass path instead.
    const bytes in = test::text_records(300 * 1024, 6);
    const bytes wire = streamed_frame(in, 3, 27);
    bytes out;
    ASSERT_FALSE(decompress(codec::zstd, wire, out, 1024 * 1024));
    EXPECT_EQ(out, in);
    EXPECT_LE(out.capacity(), 1024 * 1024 + 1);
    out.clear();
    EXPECT_EQ(decompress(codec::zstd, wire, out, in.size() - 1),
              client_errc::decompressed_size_limit);
    EXPECT_TRUE(out.empty());
}

TEST(zstd, truncated_frames_are_corrupt) {
    for (const bytes& wire : {test::compressed(codec::zstd, test::text_records(300000, 7)),
                              streamed_frame(test::text_records(300000, 7), 3)}) {
        for (std::size_t keep : {std::size_t{1}, std::size_t{4}, std::size_t{8}, wire.size() / 2,
                                 wire.size() - 1}) {
            bytes out;
            EXPECT_EQ(decompress(codec::zstd, {wire.data(), keep}, out, 1 << 20),
                      client_errc::decompression_failed)
                << keep;
            EXPECT_TRUE(out.empty());
        }
    }
}

TEST(zstd, bytes_after_the_last_frame_are_corrupt) {
    bytes wire = test::compressed(codec::zstd, test::text_records(3000, 8));
    wire.push_back(0);
    bytes out;
    EXPECT_EQ(decompress(codec::zstd, wire, out, 1 << 20), client_errc::decompression_failed);
    EXPECT_TRUE(out.empty());
}

TEST(zstd, content_size_that_lies_is_corrupt) {
    // 1000 bytes: single-segment frame with a 2-byte content size field (value - 256).
    const bytes in = test::repetitive_bytes(1000);
    const bytes wire = test::compressed(codec::zstd, in);
    ASSERT_EQ(wire[4], 0x60);
    for (std::uint16_t claimed : {500, 999, 1001, 2000}) {
        bytes lying = wire;
        lying[5] = static_cast<std::uint8_t>((claimed - 256) & 0xff);
        lying[6] = static_cast<std::uint8_t>((claimed - 256) >> 8);
        bytes out;
        EXPECT_EQ(decompress(codec::zstd, lying, out, 1 << 20), client_errc::decompression_failed)
            << claimed;
        EXPECT_TRUE(out.empty());
    }
}

}  // namespace
}  // namespace kasio::compression

// snappy specifics: kasio writes xerial framing like the Java producer; reads it and raw snappy.
#include "compression/codec.hpp"

#include "samples.hpp"

#include <gtest/gtest.h>
#include <snappy.h>


namespace kasio::compression {
namespace {

using test::bytes;

std::uint32_t be32(const bytes& b, std::size_t pos) {
    return std::uint32_t{b[pos]} << 24 | std::uint32_t{b[pos + 1]} << 16 |
           std::uint32_t{b[pos + 2]} << 8 | b[pos + 3];
}

void put_be32(bytes& b, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(v >> shift));
}

bytes xerial_header() {
    bytes h = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
    put_be32(h, 1);
    put_be32(h, 1);
    return h;
}

TEST(snappy, output_is_xerial_framing_with_32_kib_blocks) {
    const bytes in = test::text_records(100 * 1024, 1);
    const bytes wire = test::compressed(codec::snappy, in);
    const bytes header = xerial_header();
    ASSERT_GT(wire.size(), header.size());
    EXPECT_TRUE(std::equal(header.begin(), header.end(), wire.begin()));

    std::vector<std::size_t> block_sizes;
    for (std::size_t pos = header.size(); pos < wire.size();) {
        const std::size_t len = be32(wire, pos);
        pos += 4;
        ASSERT_LE(pos + len, wire.size());
        std::size_t n = 0;
        ASSERT_TRUE(snappy::GetUncompressedLength(reinterpret_cast<const char*>(&wire[pos]), len, &n));
        block_sizes.push_back(n);
        pos += len;
    }
    EXPECT_EQ(block_sizes, (std::vector<std::size_t>{32768, 32768, 32768, 4096}));
}

TEST(snappy, empty_input_still_writes_one_block) {
    // librdkafka only takes a buffer for xerial when it is longer than 20 bytes.
    EXPECT_EQ(test::compressed(codec::snappy, {}).size(), 21U);
}

TEST(snappy, raw_snappy_as_librdkafka_writes_decodes) {
    const bytes in = test::text_records(200 * 1024, 2);
    bytes out;
    ASSERT_FALSE(decompress(codec::snappy, test::raw_snappy(in.data(), in.size()), out, in.size()));
    EXPECT_EQ(out, in);
}

TEST(snappy, xerial_with_uneven_blocks_decodes) {
    // snappy-java's block size is configurable (compression.snappy.block.size, KIP-780).
    const bytes in = test::text_records(70 * 1024, 3);
    bytes wire = xerial_header();
    for (std::size_t pos = 0, step = 1000; pos < in.size(); pos += step, step *= 3) {
        const bytes block = test::raw_snappy(in.data() + pos, std::min(step, in.size() - pos));
        put_be32(wire, static_cast<std::uint32_t>(block.size()));
        wire.insert(wire.end(), block.begin(), block.end());
    }
    bytes out = {7};
    ASSERT_FALSE(decompress(codec::snappy, wire, out, in.size()));
    EXPECT_EQ(out.size(), in.size() + 1);
    EXPECT_TRUE(std::equal(in.begin(), in.end(), out.begin() + 1));
}

TEST(snappy, xerial_header_without_blocks_is_empty) {
    bytes out;
    EXPECT_FALSE(decompress(codec::snappy, xerial_header(), out, 10));
    EXPECT_TRUE(out.empty());
}

TEST(snappy, xerial_cap_counts_all_blocks) {
    const bytes in = test::text_records(100 * 1024, 4);
    const bytes wire = test::compressed(codec::snappy, in);
    bytes out;
    EXPECT_EQ(decompress(codec::snappy, wire, out, in.size() - 1),
              client_errc::decompressed_size_limit);
    EXPECT_TRUE(out.empty());
}

TEST(snappy, truncated_or_cut_framing_is_corrupt) {
    const bytes wire = test::compressed(codec::snappy, test::text_records(100 * 1024, 5));
    for (std::size_t keep : {std::size_t{17}, std::size_t{19}, std::size_t{30}, wire.size() - 1}) {
        bytes out;
        EXPECT_EQ(decompress(codec::snappy, {wire.data(), keep}, out, 1 << 20),
                  client_errc::decompression_failed)
            << keep;
        EXPECT_TRUE(out.empty());
    }
    const bytes raw = test::raw_snappy(wire.data(), wire.size());
    bytes out;
    EXPECT_EQ(decompress(codec::snappy, {raw.data(), raw.size() - 1}, out, 1 << 20),
              client_errc::decompression_failed);
}

TEST(snappy, xerial_block_with_bad_length_is_corrupt) {
    bytes wire = test::compressed(codec::snappy, test::text_records(10 * 1024, 6));
    wire[19] += 1;  // first block length now overruns into garbage
    bytes out;
    EXPECT_EQ(decompress(codec::snappy, wire, out, 1 << 20), client_errc::decompression_failed);
    EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace kasio::compression

// gzip specifics: the gzip wrapper on output; zlib streams, multiple members, garbage on input.
#include "compression/codec.hpp"

#include "samples.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

namespace kasio::compression {
namespace {

using test::bytes;

bytes zlib_compress(const bytes& in, int window_bits) {
    z_stream zs{};
    EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
    bytes out(deflateBound(&zs, in.size()));
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

TEST(gzip, output_is_an_rfc1952_member) {
    const bytes packed = test::compressed(codec::gzip, test::text_records(1000, 1));
    ASSERT_GE(packed.size(), 18U);
    EXPECT_EQ(packed[0], 0x1f);
    EXPECT_EQ(packed[1], 0x8b);
    EXPECT_EQ(packed[2], 8);  // deflate
}

TEST(gzip, zlib_wrapped_stream_decodes) {
    const bytes in = test::text_records(50 * 1024, 2);
    bytes out;
    ASSERT_FALSE(decompress(codec::gzip, zlib_compress(in, 15), out, in.size()));
    EXPECT_EQ(out, in);
}

TEST(gzip, concatenated_members_decode_as_one_stream) {
    const bytes a = test::text_records(20 * 1024, 3);
    const bytes b = test::text_records(30 * 1024, 4);
    bytes wire = zlib_compress(a, 15 + 16);
    const bytes second = zlib_compress(b, 15 + 16);
    wire.insert(wire.end(), second.begin(), second.end());
    bytes out;
    ASSERT_FALSE(decompress(codec::gzip, wire, out, a.size() + b.size()));
    bytes both = a;
    both.insert(both.end(), b.begin(), b.end());
    EXPECT_EQ(out, both);
}

TEST(gzip, bytes_after_the_stream_are_corrupt) {
    bytes wire = test::compressed(codec::gzip, test::text_records(4096, 5));
    wire.push_back(0);
    bytes out;
    EXPECT_EQ(decompress(codec::gzip, wire, out, 1 << 20), client_errc::decompression_failed);
    EXPECT_TRUE(out.empty());
}

TEST(gzip, truncated_stream_is_corrupt) {
    const bytes wire = test::compressed(codec::gzip, test::text_records(64 * 1024, 6));
    for (std::size_t keep : {std::size_t{0}, std::size_t{5}, wire.size() / 2, wire.size() - 1}) {
        bytes out;
        EXPECT_EQ(decompress(codec::gzip, {wire.data(), keep}, out, 1 << 20),
                  client_errc::decompression_failed)
            << keep;
        EXPECT_TRUE(out.empty());
    }
}

TEST(gzip, damaged_crc_is_corrupt) {
    bytes wire = test::compressed(codec::gzip, test::text_records(4096, 7));
    wire[wire.size() - 8] ^= 0x01;  // trailer: CRC32 then ISIZE
    bytes out;
    EXPECT_EQ(decompress(codec::gzip, wire, out, 1 << 20), client_errc::decompression_failed);
}

TEST(gzip, higher_level_compresses_at_least_as_well) {
    const bytes in = test::text_records(256 * 1024, 8);
    EXPECT_LE(test::compressed(codec::gzip, in, 9).size(),
              test::compressed(codec::gzip, in, 1).size());
}

}  // namespace
}  // namespace kasio::compression

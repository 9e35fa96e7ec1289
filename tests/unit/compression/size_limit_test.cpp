// Compression bombs and headers that announce huge sizes: each must end in an error with the
// output vector never allowed to grow much past max_out.
#include "compression/codec.hpp"
#include "compression/xxhash32.hpp"

#include "samples.hpp"

#include <gtest/gtest.h>
#include <lz4frame.h>

#include <map>
#include <string>

namespace kasio::compression {
namespace {

using test::bytes;

constexpr std::size_t bomb_size = 64 * 1024 * 1024;
constexpr std::size_t cap = 1024 * 1024;
constexpr std::size_t slack = 64 * 1024;

struct bomb_case {
    codec c;
    bool xerial;
    const char* name;
};

// Built once: 64 MiB of zeros per format, a few hundred KiB at most on the wire.
const bytes& bomb(const bomb_case& b) {
    static std::map<std::string, bytes> cache;
    auto it = cache.find(b.name);
    if (it == cache.end()) it = cache.emplace(b.name, test::zero_bomb(b.c, bomb_size, b.xerial)).first;
    return it->second;
}

class bombs : public ::testing::TestWithParam<bomb_case> {};

TEST_P(bombs, stop_at_max_out_with_size_limit) {
    const bytes& wire = bomb(GetParam());
    ASSERT_FALSE(wire.empty());
    ASSERT_LT(wire.size(), bomb_size / 16);
    bytes out;
    EXPECT_EQ(decompress(GetParam().c, wire, out, cap), client_errc::decompressed_size_limit);
    EXPECT_LE(out.size(), cap + slack);
    EXPECT_LE(out.capacity(), cap + slack) << "memory grew past the cap";
}

TEST_P(bombs, smaller_bomb_decodes_fully_when_max_out_allows) {
    // 8 MiB: enough for many output windows, small enough to keep the suite fast.
    constexpr std::size_t size = 8 * 1024 * 1024;
    const bytes wire = test::zero_bomb(GetParam().c, size, GetParam().xerial);
    bytes out;
    ASSERT_FALSE(decompress(GetParam().c, wire, out, size));
    ASSERT_EQ(out.size(), size);
    EXPECT_EQ(std::count(out.begin(), out.end(), 0), static_cast<std::ptrdiff_t>(size));
}

INSTANTIATE_TEST_SUITE_P(
    zeros_64mib, bombs,
    ::testing::Values(bomb_case{codec::gzip, false, "gzip"},
                      bomb_case{codec::snappy, true, "snappy_xerial"},
                      bomb_case{codec::snappy, false, "snappy_raw"},
                      bomb_case{codec::lz4, false, "lz4"}, bomb_case{codec::zstd, false, "zstd"}),
    [](const auto& p) { return std::string(p.param.name); });

void expect_rejected_without_allocating(codec c, const bytes& wire, std::size_t max_out) {
    bytes out;
    const error_code ec = decompress(c, wire, out, max_out);
    EXPECT_TRUE(ec == client_errc::decompression_failed ||
                ec == client_errc::decompressed_size_limit)
        << ec.message();
    EXPECT_TRUE(out.empty());
    EXPECT_LE(out.capacity(), wire.size() * 256 + slack);
}

TEST(size_limit, raw_snappy_announcing_4_gib_is_rejected_before_allocating) {
    // varint 0xFFFFFFFF, then one literal byte
    const bytes wire = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 'x'};
    expect_rejected_without_allocating(codec::snappy, wire, cap);
    expect_rejected_without_allocating(codec::snappy, wire, SIZE_MAX);
}

TEST(size_limit, xerial_block_announcing_4_gib_is_rejected_before_allocating) {
    const bytes wire = {0x82, 'S',  'N',  'A',  'P',  'P', 'Y', 0, 0, 0, 0, 1, 0, 0,
                        0,    1,    0,    0,    0,    7,   0xff, 0xff, 0xff, 0xff, 0x0f, 0, 'x'};
    expect_rejected_without_allocating(codec::snappy, wire, cap);
    expect_rejected_without_allocating(codec::snappy, wire, SIZE_MAX);
}

TEST(size_limit, zstd_frame_announcing_4_gib_is_rejected_before_allocating) {
    // magic, descriptor (8-byte content size), window 1 MiB, content size 2^32, then one
    // last raw block holding a single byte.
    const bytes wire = {0x28, 0xb5, 0x2f, 0xfd, 0xc0, 0x50, 0, 0, 0, 0,
                        1,    0,    0,    0,    0x09, 0,    0, 'x'};
    expect_rejected_without_allocating(codec::zstd, wire, cap);
    expect_rejected_without_allocating(codec::zstd, wire, SIZE_MAX);
}

TEST(size_limit, lz4_content_size_of_4_gib_is_not_trusted) {
    // A real frame of 1 KiB with a content size field, then the field rewritten to 4 GiB
    // and the header checksum recomputed so only the size lies.
    const bytes in = test::repetitive_bytes(1024);
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.contentSize = in.size();
    bytes wire(LZ4F_compressFrameBound(in.size(), &prefs));
    const std::size_t n = LZ4F_compressFrame(wire.data(), wire.size(), in.data(), in.size(), &prefs);
    ASSERT_FALSE(LZ4F_isError(n));
    wire.resize(n);
    ASSERT_EQ(wire[4] & 0x08, 0x08);
    for (int i = 0; i < 8; ++i) wire[6 + i] = i == 4 ? 1 : 0;  // 2^32, little-endian
    wire[14] = static_cast<std::uint8_t>(detail::xxh32({wire.data() + 4, 10}, 0) >> 8);
    expect_rejected_without_allocating(codec::lz4, wire, cap);
    expect_rejected_without_allocating(codec::lz4, wire, SIZE_MAX);
}

}  // namespace
}  // namespace kasio::compression

// CRC-32C: published vectors (RFC 3720 B.4, the "123456789" check value) and agreement of
// the hardware and table implementations over lengths, alignments and split points.
#include "protocol/crc32c.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace kasio::protocol {
namespace {

bytes_view as_bytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

struct vector_case {
    std::vector<std::uint8_t> data;
    std::uint32_t expected;
};

std::vector<vector_case> published_vectors() {
    std::vector<vector_case> v;
    v.push_back({std::vector<std::uint8_t>(32, 0x00), 0x8A9136AAu});
    v.push_back({std::vector<std::uint8_t>(32, 0xFF), 0x62A8AB43u});
    std::vector<std::uint8_t> up(32), down(32);
    for (std::uint8_t i = 0; i < 32; ++i) {
        up[i] = i;
        down[i] = static_cast<std::uint8_t>(31 - i);
    }
    v.push_back({up, 0x46DD794Eu});
    v.push_back({down, 0x113FDB5Cu});
    return v;
}

TEST(crc32c, check_value_of_123456789) {
    EXPECT_EQ(crc32c(0, as_bytes("123456789")), 0xE3069283u);
    EXPECT_EQ(detail::crc32c_portable(0, as_bytes("123456789")), 0xE3069283u);
    EXPECT_EQ(detail::crc32c_hardware(0, as_bytes("123456789")), 0xE3069283u);
}

TEST(crc32c, rfc3720_vectors_in_every_implementation) {
    for (const auto& c : published_vectors()) {
        EXPECT_EQ(crc32c(0, c.data), c.expected);
        EXPECT_EQ(detail::crc32c_portable(0, c.data), c.expected);
        EXPECT_EQ(detail::crc32c_hardware(0, c.data), c.expected);
    }
}

TEST(crc32c, empty_input_leaves_the_crc_unchanged) {
    EXPECT_EQ(crc32c(0, {}), 0u);
    EXPECT_EQ(crc32c(0x12345678u, {}), 0x12345678u);
}

TEST(crc32c, hardware_matches_portable_for_random_lengths_and_alignments) {
    if (!detail::crc32c_hardware_available()) GTEST_SKIP() << "no CRC-32C instruction on this CPU";
    std::mt19937_64 rng(20240611);
    std::vector<std::uint8_t> buf(200'000 + 16);
    for (auto& b : buf) b = static_cast<std::uint8_t>(rng());
    // Lengths around the 3-stream block boundaries (3 x 256 and 3 x 8192) and random ones.
    std::vector<std::size_t> lengths = {0, 1, 7, 8, 9, 767, 768, 769, 1535, 1536, 24575, 24576, 24577,
                                        49152 + 768 + 5, 200'000};
    for (int i = 0; i < 300; ++i) lengths.push_back(rng() % 70'000);
    for (std::size_t len : lengths) {
        for (std::size_t align = 0; align < 8; ++align) {
            const bytes_view data(buf.data() + align, len);
            const std::uint32_t seed = static_cast<std::uint32_t>(rng());
            ASSERT_EQ(detail::crc32c_hardware(seed, data), detail::crc32c_portable(seed, data))
                << "length " << len << " alignment " << align;
        }
    }
}

TEST(crc32c, continuing_from_a_previous_crc_equals_one_pass) {
    std::mt19937 rng(7);
    std::vector<std::uint8_t> buf(30'000);
    for (auto& b : buf) b = static_cast<std::uint8_t>(rng());
    const std::uint32_t whole = detail::crc32c_portable(0, buf);
    for (std::size_t split : {std::size_t{0}, std::size_t{1}, std::size_t{13}, std::size_t{4096}, buf.size()}) {
        const bytes_view all(buf);
        EXPECT_EQ(crc32c(crc32c(0, all.first(split)), all.subspan(split)), whole) << split;
        EXPECT_EQ(detail::crc32c_portable(detail::crc32c_portable(0, all.first(split)), all.subspan(split)), whole);
    }
    EXPECT_EQ(crc32c(0, buf), whole);
}

}  // namespace
}  // namespace kasio::protocol

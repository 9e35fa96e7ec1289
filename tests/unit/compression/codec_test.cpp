// The codec-independent contract: names, levels, round trips, appending, the exact cap.
#include "compression/codec.hpp"

#include "samples.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <tuple>

namespace kasio::compression {
namespace {

using test::bytes;

TEST(codec, names_are_kafka_compression_type_values) {
    for (codec c : test::all_codecs) EXPECT_EQ(codec_from_name(to_string(c)), c);
    EXPECT_EQ(to_string(codec::zstd), "zstd");
    EXPECT_EQ(codec_from_name("Gzip"), std::nullopt);
    EXPECT_EQ(codec_from_name("producer"), std::nullopt);
    EXPECT_EQ(to_string(static_cast<codec>(7)), "unknown");
}

TEST(codec, ids_are_record_batch_attribute_bits) {
    EXPECT_EQ(static_cast<int>(codec::none), 0);
    EXPECT_EQ(static_cast<int>(codec::gzip), 1);
    EXPECT_EQ(static_cast<int>(codec::snappy), 2);
    EXPECT_EQ(static_cast<int>(codec::lz4), 3);
    EXPECT_EQ(static_cast<int>(codec::zstd), 4);
}

TEST(codec, level_ranges_follow_kafka_compression_level) {
    for (codec c : test::all_codecs) EXPECT_TRUE(is_valid_level(c, default_level));
    EXPECT_TRUE(is_valid_level(codec::gzip, -1));
    EXPECT_TRUE(is_valid_level(codec::gzip, 9));
    EXPECT_FALSE(is_valid_level(codec::gzip, 0));
    EXPECT_FALSE(is_valid_level(codec::gzip, 10));
    EXPECT_TRUE(is_valid_level(codec::lz4, 17));
    EXPECT_FALSE(is_valid_level(codec::lz4, 0));
    EXPECT_FALSE(is_valid_level(codec::lz4, 18));
    EXPECT_TRUE(is_valid_level(codec::zstd, -131072));
    EXPECT_TRUE(is_valid_level(codec::zstd, 22));
    EXPECT_FALSE(is_valid_level(codec::zstd, 23));
    EXPECT_TRUE(is_valid_level(codec::snappy, 42));
}

TEST(codec, level_out_of_range_is_invalid_config_and_leaves_output) {
    bytes out = {1, 2, 3};
    EXPECT_EQ(compress(codec::gzip, test::repetitive_bytes(100), out, 10),
              client_errc::invalid_config);
    EXPECT_EQ(out, (bytes{1, 2, 3}));
}

TEST(codec, unknown_codec_is_unsupported) {
    const bytes in = test::repetitive_bytes(10);
    bytes out;
    EXPECT_EQ(compress(static_cast<codec>(5), in, out), client_errc::unsupported_codec);
    EXPECT_EQ(compress(static_cast<codec>(6), in, out, 3), client_errc::unsupported_codec);
    EXPECT_EQ(decompress(static_cast<codec>(7), in, out, 100), client_errc::unsupported_codec);
    EXPECT_TRUE(out.empty());
}

// (codec, level, payload name)
using round_trip_case = std::tuple<codec, int, std::string>;

class round_trip : public ::testing::TestWithParam<round_trip_case> {};

bytes payload(const std::string& name) {
    if (name == "empty") return {};
    if (name == "one_byte") return {0x2a};
    if (name == "random_1mib") return test::random_bytes(1024 * 1024, 7);
    if (name == "repetitive_1mib") return test::repetitive_bytes(1024 * 1024);
    return test::text_records(300 * 1024, 11);
}

TEST_P(round_trip, decompress_restores_input_after_existing_bytes) {
    const auto& [c, level, name] = GetParam();
    const bytes in = payload(name);
    bytes packed = {0xee};  // compress and decompress append: the prefix must survive
    ASSERT_FALSE(compress(c, in, packed, level));
    ASSERT_EQ(packed.front(), 0xee);
    const std::span<const std::uint8_t> wire(packed.data() + 1, packed.size() - 1);

    bytes out = {0xdd, 0xcc};
    ASSERT_FALSE(decompress(c, wire, out, in.size()));
    ASSERT_EQ(out.size(), in.size() + 2);
    EXPECT_EQ(out[0], 0xdd);
    EXPECT_EQ(out[1], 0xcc);
    EXPECT_TRUE(std::equal(in.begin(), in.end(), out.begin() + 2));
}

std::vector<round_trip_case> round_trip_cases() {
    const std::pair<codec, std::vector<int>> levels[] = {
        {codec::none, {default_level}},
        {codec::gzip, {default_level, -1, 1, 6, 9}},
        {codec::snappy, {default_level}},
        {codec::lz4, {default_level, 1, 3, 9, 12, 17}},
        {codec::zstd, {default_level, -5, 1, 3, 12}},
    };
    std::vector<round_trip_case> cases;
    for (const auto& [c, ls] : levels) {
        for (int level : ls) {
            for (const char* name :
                 {"empty", "one_byte", "random_1mib", "repetitive_1mib", "text_300kib"}) {
                cases.emplace_back(c, level, name);
            }
        }
    }
    return cases;
}

std::string round_trip_name(const ::testing::TestParamInfo<round_trip_case>& info) {
    const auto& [c, level, name] = info.param;
    const std::string lv = level == default_level ? "default"
                           : level < 0            ? "minus" + std::to_string(-level)
                                                  : std::to_string(level);
    return std::string(to_string(c)) + "_level_" + lv + "_" + name;
}

INSTANTIATE_TEST_SUITE_P(all_codecs, round_trip, ::testing::ValuesIn(round_trip_cases()),
                         round_trip_name);

class each_codec : public ::testing::TestWithParam<codec> {};

TEST_P(each_codec, output_of_exactly_max_out_bytes_fits) {
    const bytes in = test::text_records(100 * 1024, 3);
    const bytes packed = test::compressed(GetParam(), in);
    bytes out;
    ASSERT_FALSE(decompress(GetParam(), packed, out, in.size()));
    EXPECT_EQ(out, in);
}

TEST_P(each_codec, one_byte_over_max_out_is_size_limit_and_restores_output) {
    const bytes in = test::text_records(100 * 1024, 3);
    const bytes packed = test::compressed(GetParam(), in);
    bytes out = {9, 9};
    EXPECT_EQ(decompress(GetParam(), packed, out, in.size() - 1),
              client_errc::decompressed_size_limit);
    EXPECT_EQ(out, (bytes{9, 9}));
}

TEST_P(each_codec, max_out_zero_accepts_only_empty_output) {
    const bytes packed = test::compressed(GetParam(), {});
    bytes out;
    EXPECT_FALSE(decompress(GetParam(), packed, out, 0));
    EXPECT_TRUE(out.empty());
    const bytes one = test::compressed(GetParam(), {1});
    EXPECT_EQ(decompress(GetParam(), one, out, 0), client_errc::decompressed_size_limit);
    EXPECT_TRUE(out.empty());
}

TEST_P(each_codec, compressed_records_are_smaller_except_none) {
    const bytes in = test::text_records(256 * 1024, 5);
    const bytes packed = test::compressed(GetParam(), in);
    if (GetParam() == codec::none) {
        EXPECT_EQ(packed, in);
    } else {
        EXPECT_LT(packed.size(), in.size() / 2) << to_string(GetParam());
    }
}

TEST_P(each_codec, empty_input_is_corrupt_except_for_none) {
    bytes out;
    const error_code ec = decompress(GetParam(), {}, out, 1024);
    if (GetParam() == codec::none) {
        EXPECT_FALSE(ec);
    } else {
        EXPECT_EQ(ec, client_errc::decompression_failed);
    }
    EXPECT_TRUE(out.empty());
}

TEST(codec, threads_use_their_own_contexts_at_once) {
    const bytes in = test::text_records(64 * 1024, 21);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 10; ++round) {
                for (codec c : test::all_codecs) {
                    bytes wire;
                    bytes out;
                    const int level = c == codec::zstd ? 1 + t : default_level;
                    if (compress(c, in, wire, level) || decompress(c, wire, out, in.size()) ||
                        out != in) {
                        ++failures;
                    }
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(all, each_codec, ::testing::ValuesIn(test::all_codecs),
                         [](const auto& p) { return std::string(to_string(p.param)); });

}  // namespace
}  // namespace kasio::compression

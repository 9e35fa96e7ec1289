// Partitioners: murmur2 bit-exact with the Java client, key placement identical to
// librdkafka's murmur2_random, KIP-794 sticky switching, round-robin, user functions.
#include "producer/partitioner.hpp"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <string>
#include <vector>

namespace kasio::detail::producer {
namespace {

record keyed(std::string_view key) {
    record r;
    r.topic = "t";
    r.key = bytes_of(key);
    return r;
}

record unkeyed() {
    record r;
    r.topic = "t";
    r.value = bytes_of("v");
    return r;
}

partitioner_config sticky_every(std::size_t bytes) {
    partitioner_config cfg;
    cfg.sticky_batch_size = bytes;
    return cfg;
}

partitioner_config of_kind(partitioner_kind kind, partition_function fn = {}) {
    partitioner_config cfg;
    cfg.kind = kind;
    cfg.function = std::move(fn);
    return cfg;
}

TEST(partitioner, murmur2_matches_the_java_clients_utils_test_vectors) {
    // apache/kafka clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2.
    EXPECT_EQ(murmur2(bytes_of("21")), -973932308);
    EXPECT_EQ(murmur2(bytes_of("foobar")), -790332482);
    EXPECT_EQ(murmur2(bytes_of("a-little-bit-long-string")), -985981536);
    EXPECT_EQ(murmur2(bytes_of("a-little-bit-longer-string")), -1486304829);
    EXPECT_EQ(murmur2(bytes_of("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")), -58897971);
    EXPECT_EQ(murmur2(bytes_of("abc")), 479470107);
}

TEST(partitioner, to_positive_clears_the_sign_bit_rather_than_negating) {
    EXPECT_EQ(to_positive(-1), 0x7fffffff);
    EXPECT_EQ(to_positive(INT32_MIN), 0);
    EXPECT_EQ(to_positive(42), 42);
    EXPECT_EQ(to_positive(-973932308), 1173551340);
}

TEST(partitioner, keys_land_where_librdkafka_murmur2_random_puts_them) {
    // Computed with librdkafka 2.14.2: rd_kafka_msg_partitioner_murmur2_random(NULL, key,
    // strlen(key), count, NULL, NULL) for each count below (tests/support's librdkafka build).
    constexpr std::array<std::int32_t, 7> counts = {1, 3, 6, 10, 64, 100, 1000};
    const std::vector<std::pair<std::string, std::array<std::int32_t, 7>>> cases = {
        {"21", {0, 0, 0, 0, 44, 40, 340}},
        {"foobar", {0, 0, 0, 6, 62, 66, 166}},
        {"a-little-bit-long-string", {0, 2, 2, 2, 32, 12, 112}},
        {"a-little-bit-longer-string", {0, 2, 5, 9, 3, 19, 819}},
        {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", {0, 2, 5, 7, 13, 77, 677}},
        {"abc", {0, 0, 3, 7, 27, 7, 107}},
        {"", {0, 0, 3, 1, 25, 81, 681}},
        {"kafka", {0, 1, 4, 0, 36, 80, 580}},
        {"key-0000000001", {0, 2, 2, 0, 52, 80, 980}},
        {"\xff\xfe\x80\x01\x7f", {0, 0, 0, 2, 50, 62, 562}},  // bytes >= 0x80 count unsigned
        {"user-42", {0, 1, 4, 0, 44, 60, 460}},
    };
    const partitioner part;
    partitioner_state st;
    for (const auto& [key, expected] : cases) {
        for (std::size_t i = 0; i < counts.size(); ++i) {
            EXPECT_EQ(murmur2_partition(bytes_of(key), counts[i]), expected[i]) << key << " / " << counts[i];
            EXPECT_EQ(part.partition(keyed(key), counts[i], st), expected[i]) << key << " / " << counts[i];
        }
    }
}

TEST(partitioner, an_empty_key_is_hashed_and_a_null_key_is_not) {
    const partitioner part;
    partitioner_state st;
    EXPECT_EQ(part.partition(keyed(""), 100, st), 81);
    EXPECT_FALSE(part.is_sticky(keyed("")));
    EXPECT_TRUE(part.is_sticky(unkeyed()));
    EXPECT_EQ(st.sticky_partition(), -1);  // keyed records leave the sticky state alone
}

TEST(partitioner, null_keys_stick_to_one_partition_until_batch_size_bytes_went_to_it) {
    const partitioner part(sticky_every(1000));
    partitioner_state st(7);
    const std::int32_t first = part.partition(unkeyed(), 16, st);
    ASSERT_GE(first, 0);
    for (int i = 0; i < 9; ++i) {
        EXPECT_FALSE(part.on_appended(st, first, 16, 100, true));
        EXPECT_EQ(part.partition(unkeyed(), 16, st), first);
    }
    EXPECT_TRUE(part.on_appended(st, first, 16, 100, true));  // 1000 bytes: switch
    EXPECT_NE(st.sticky_partition(), -1);
}

TEST(partitioner, a_switch_waits_for_a_full_batch_up_to_twice_the_batch_size) {
    const partitioner part(sticky_every(1000));
    partitioner_state st(7);
    const std::int32_t first = part.partition(unkeyed(), 16, st);
    EXPECT_FALSE(part.on_appended(st, first, 16, 1500, false));  // batch not full: stay
    EXPECT_EQ(part.partition(unkeyed(), 16, st), first);
    EXPECT_TRUE(part.on_appended(st, first, 16, 0, true));  // now full: the held-back switch
    partitioner_state st2(7);
    const std::int32_t p2 = part.partition(unkeyed(), 16, st2);
    EXPECT_TRUE(part.on_appended(st2, p2, 16, 2000, false));  // 2x: switch regardless
}

TEST(partitioner, bytes_reported_for_a_partition_no_longer_sticky_are_ignored) {
    const partitioner part(sticky_every(1000));
    partitioner_state st(3);
    const std::int32_t p = part.partition(unkeyed(), 4, st);
    EXPECT_FALSE(part.on_appended(st, (p + 1) % 4, 4, 5000, true));
    EXPECT_EQ(st.sticky_partition(), p);
}

TEST(partitioner, sticky_switches_spread_uniformly_and_repeat_with_the_same_seed) {
    const partitioner part(sticky_every(1));
    partitioner_state a(99), b(99);
    std::map<std::int32_t, int> seen;
    for (int i = 0; i < 8000; ++i) {
        const std::int32_t pa = part.partition(unkeyed(), 8, a);
        ASSERT_EQ(pa, part.partition(unkeyed(), 8, b));
        ++seen[pa];
        part.on_appended(a, pa, 8, 1, true);
        part.on_appended(b, pa, 8, 1, true);
    }
    ASSERT_EQ(seen.size(), 8u);
    for (const auto& [p, n] : seen) EXPECT_GT(n, 800) << p;  // expect 1000 each
}

TEST(partitioner, round_robin_cycles_every_record_keyed_or_not) {
    const partitioner part(of_kind(partitioner_kind::round_robin));
    partitioner_state st;
    std::vector<std::int32_t> got;
    for (int i = 0; i < 7; ++i) got.push_back(part.partition(i % 2 ? keyed("k") : unkeyed(), 3, st));
    EXPECT_EQ(got, (std::vector<std::int32_t>{0, 1, 2, 0, 1, 2, 0}));
    EXPECT_FALSE(part.is_sticky(unkeyed()));
}

TEST(partitioner, a_user_function_decides_and_out_of_range_answers_are_refused) {
    const partitioner part(of_kind(partitioner_kind::custom, [](const record& r, std::int32_t n) {
        return r.key ? static_cast<std::int32_t>(r.key->size()) % n : n;
    }));
    partitioner_state st;
    EXPECT_EQ(part.partition(keyed("abcde"), 3, st), 2);
    EXPECT_EQ(part.partition(unkeyed(), 3, st), -1);
    EXPECT_FALSE(part.is_sticky(unkeyed()));
    const partitioner none(of_kind(partitioner_kind::custom));
    EXPECT_EQ(none.partition(keyed("a"), 3, st), -1);
}

TEST(partitioner, no_partitions_gives_no_partition) {
    const partitioner part;
    partitioner_state st;
    EXPECT_EQ(part.partition(keyed("a"), 0, st), -1);
    EXPECT_EQ(part.partition(unkeyed(), 0, st), -1);
}

}  // namespace
}  // namespace kasio::detail::producer

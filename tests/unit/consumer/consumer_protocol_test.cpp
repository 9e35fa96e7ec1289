// ConsumerProtocolSubscription / ConsumerProtocolAssignment as JoinGroup metadata and SyncGroup
// assignment bytes: hand-built golden bytes from Kafka's schemas (each byte explained), round
// trips in every version, Java's reading of newer versions, and hostile input.
#include "consumer/group/assignor.hpp"

#include <gtest/gtest.h>

#include <random>

namespace kasio::consumer_detail {
namespace {

std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int x : b) s.push_back(static_cast<char>(x));
    return s;
}

bytes_view view(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

topic_partition tp(std::string topic, std::int32_t p) {
    return {std::move(topic), p};
}

// Subscription v0: topics ["t0", "t1"], no user data.
const std::string subscription_v0 = bytes({
    0x00, 0x00,              // version 0 (int16), the ConsumerProtocol prefix
    0x00, 0x00, 0x00, 0x02,  // topics: array of 2 (int32 count)
    0x00, 0x02, 't', '0',    // "t0" (int16 length + bytes)
    0x00, 0x02, 't', '1',    // "t1"
    0xff, 0xff, 0xff, 0xff,  // user_data: null (int32 length -1)
});

// Subscription v1: topics ["t0"], user data "ab", owning t0 partitions 0 and 2.
const std::string subscription_v1 = bytes({
    0x00, 0x01,              // version 1
    0x00, 0x00, 0x00, 0x01,  // topics: 1
    0x00, 0x02, 't', '0',    // "t0"
    0x00, 0x00, 0x00, 0x02,  // user_data: 2 bytes (int32 length)
    'a', 'b',                //
    0x00, 0x00, 0x00, 0x01,  // owned_partitions (v1+): 1 topic
    0x00, 0x02, 't', '0',    //   topic "t0"
    0x00, 0x00, 0x00, 0x02,  //   partitions: 2 (int32 count)
    0x00, 0x00, 0x00, 0x00,  //   0
    0x00, 0x00, 0x00, 0x02,  //   2
});

// Subscription v3: as v1, plus generation 5 (v2+) and rack "r1" (v3+).
const std::string subscription_v3 = bytes({
    0x00, 0x03,              // version 3
    0x00, 0x00, 0x00, 0x01,  // topics: 1
    0x00, 0x02, 't', '0',    // "t0"
    0x00, 0x00, 0x00, 0x02,  // user_data: 2 bytes
    'a', 'b',                //
    0x00, 0x00, 0x00, 0x01,  // owned_partitions: 1 topic
    0x00, 0x02, 't', '0',    //   "t0"
    0x00, 0x00, 0x00, 0x02,  //   partitions: 2
    0x00, 0x00, 0x00, 0x00,  //   0
    0x00, 0x00, 0x00, 0x02,  //   2
    0x00, 0x00, 0x00, 0x05,  // generation_id (v2+): 5
    0x00, 0x02, 'r', '1',    // rack_id (v3+): "r1" (nullable string, int16 length)
});

// Assignment v0 and v1 (same body; v1 adds nothing): t0p0, t0p1, t1p2, no user data.
std::string assignment_bytes(int version) {
    return bytes({
        0x00, version,           // version (int16)
        0x00, 0x00, 0x00, 0x02,  // assigned_partitions: 2 topics
        0x00, 0x02, 't', '0',    //   "t0"
        0x00, 0x00, 0x00, 0x02,  //   partitions: 2
        0x00, 0x00, 0x00, 0x00,  //   0
        0x00, 0x00, 0x00, 0x01,  //   1
        0x00, 0x02, 't', '1',    //   "t1"
        0x00, 0x00, 0x00, 0x01,  //   partitions: 1
        0x00, 0x00, 0x00, 0x02,  //   2
        0xff, 0xff, 0xff, 0xff,  // user_data: null
    });
}

member_subscription v1_subscription() {
    member_subscription s;
    s.topics = {"t0"};
    s.user_data = "ab";
    s.owned_partitions = {tp("t0", 2), tp("t0", 0)};  // any order: encoded sorted
    return s;
}

TEST(consumer_protocol, subscription_v0_matches_hand_built_bytes) {
    member_subscription s;
    s.topics = {"t0", "t1"};
    s.owned_partitions = {tp("t0", 0)};  // not in v0: dropped
    EXPECT_EQ(encode_subscription(s, 0), subscription_v0);

    member_subscription back;
    ASSERT_FALSE(decode_subscription(view(subscription_v0), back));
    EXPECT_EQ(back.topics, (std::vector<std::string>{"t0", "t1"}));
    EXPECT_TRUE(back.owned_partitions.empty());
    EXPECT_EQ(back.generation, -1);
    EXPECT_FALSE(back.rack_id);
    EXPECT_EQ(back.user_data, "");
}

TEST(consumer_protocol, subscription_v1_matches_hand_built_bytes) {
    EXPECT_EQ(encode_subscription(v1_subscription(), 1), subscription_v1);
    member_subscription back;
    ASSERT_FALSE(decode_subscription(view(subscription_v1), back));
    EXPECT_EQ(back.topics, std::vector<std::string>{"t0"});
    EXPECT_EQ(back.user_data, "ab");
    EXPECT_EQ(back.owned_partitions, (std::vector<topic_partition>{tp("t0", 0), tp("t0", 2)}));
    EXPECT_EQ(back.generation, -1);
}

TEST(consumer_protocol, subscription_v3_matches_hand_built_bytes) {
    member_subscription s = v1_subscription();
    s.generation = 5;
    s.rack_id = "r1";
    EXPECT_EQ(encode_subscription(s, 3), subscription_v3);
    member_subscription back;
    ASSERT_FALSE(decode_subscription(view(subscription_v3), back));
    EXPECT_EQ(back.generation, 5);
    EXPECT_EQ(back.rack_id, std::optional<std::string>("r1"));
    EXPECT_EQ(back.owned_partitions, (std::vector<topic_partition>{tp("t0", 0), tp("t0", 2)}));
}

TEST(consumer_protocol, assignment_v0_and_v1_match_hand_built_bytes) {
    const std::vector<topic_partition> parts = {tp("t1", 2), tp("t0", 1), tp("t0", 0)};
    const std::vector<topic_partition> sorted = {tp("t0", 0), tp("t0", 1), tp("t1", 2)};
    for (int v : {0, 1}) {
        SCOPED_TRACE(v);
        EXPECT_EQ(encode_assignment(parts, static_cast<std::int16_t>(v)), assignment_bytes(v));
        std::vector<topic_partition> back;
        ASSERT_FALSE(decode_assignment(view(assignment_bytes(v)), back));
        EXPECT_EQ(back, sorted);
    }
}

TEST(consumer_protocol, every_version_round_trips) {
    member_subscription s = v1_subscription();
    s.topics = {"a", "b"};
    s.generation = 7;
    s.rack_id = "rack";
    for (std::int16_t v = 0; v <= 3; ++v) {
        SCOPED_TRACE(v);
        member_subscription back;
        ASSERT_FALSE(decode_subscription(view(encode_subscription(s, v)), back));
        EXPECT_EQ(back.topics, s.topics);
        EXPECT_EQ(back.user_data, s.user_data);
        EXPECT_EQ(back.owned_partitions.size(), v >= 1 ? 2u : 0u);
        EXPECT_EQ(back.generation, v >= 2 ? 7 : -1);
        EXPECT_EQ(back.rack_id.has_value(), v >= 3);

        std::vector<topic_partition> parts;
        ASSERT_FALSE(decode_assignment(view(encode_assignment({tp("x", 3)}, v)), parts));
        EXPECT_EQ(parts, std::vector<topic_partition>{tp("x", 3)});
    }
}

TEST(consumer_protocol, newer_versions_are_read_as_the_newest_known) {
    // A future v4 appends a field; kasio reads the v3 prefix and ignores the rest, like Java.
    std::string v4 = subscription_v3 + bytes({0x00, 0x00, 0x00, 0x2a});
    v4[1] = 0x04;
    member_subscription back;
    ASSERT_FALSE(decode_subscription(view(v4), back));
    EXPECT_EQ(back.generation, 5);
    EXPECT_EQ(back.rack_id, std::optional<std::string>("r1"));

    std::string a9 = assignment_bytes(0) + bytes({0x01, 0x02});
    a9[1] = 0x09;
    std::vector<topic_partition> parts;
    ASSERT_FALSE(decode_assignment(view(a9), parts));
    EXPECT_EQ(parts.size(), 3u);
}

TEST(consumer_protocol, negative_version_and_truncation_are_errors) {
    std::string neg = subscription_v0;
    neg[0] = static_cast<char>(0xff);
    member_subscription s;
    EXPECT_EQ(decode_subscription(view(neg), s), make_error_code(client_errc::unsupported_version));
    std::vector<topic_partition> parts;
    EXPECT_EQ(decode_assignment(view(neg), parts), make_error_code(client_errc::unsupported_version));

    for (std::size_t len = 0; len < subscription_v3.size(); ++len)
        EXPECT_TRUE(decode_subscription(view(subscription_v3.substr(0, len)), s)) << len;
    const std::string a = assignment_bytes(1);
    for (std::size_t len = 0; len < a.size(); ++len) EXPECT_TRUE(decode_assignment(view(a.substr(0, len)), parts)) << len;
}

TEST(consumer_protocol, topics_decode_sorted_and_unique) {
    member_subscription s;
    s.topics = {"b", "a", "b"};
    member_subscription back;
    ASSERT_FALSE(decode_subscription(view(encode_subscription(s, 0)), back));
    EXPECT_EQ(back.topics, (std::vector<std::string>{"a", "b"}));
}

TEST(consumer_protocol, mutated_bytes_decode_or_fail_cleanly) {
    // The decoders' contract: any bytes give either a value or an error (the ASan build checks
    // for over-reads). Huge counts and lengths must fail before allocating.
    std::mt19937_64 g(42);
    const std::string seeds[] = {subscription_v0, subscription_v1, subscription_v3, assignment_bytes(0)};
    int decoded = 0;
    for (int i = 0; i < 4000; ++i) {
        std::string b = seeds[g() % 4];
        for (auto n = 1 + g() % 4; n > 0; --n) {
            const std::size_t at = g() % b.size();
            switch (g() % 4) {
            case 0: b[at] = static_cast<char>(g()); break;
            case 1: b[at] = static_cast<char>(0x7f); break;
            case 2: b.resize(at + 1); break;
            default: b.insert(at, 1, static_cast<char>(g())); break;
            }
        }
        member_subscription s;
        std::vector<topic_partition> parts;
        decoded += !decode_subscription(view(b), s);
        decoded += !decode_assignment(view(b), parts);
    }
    EXPECT_GT(decoded, 0);
}

}  // namespace
}  // namespace kasio::consumer_detail

// The metadata cache fed decoded Metadata responses: lookups, KIP-320 leader epochs, unknown
// topics, partial and all-topics responses. Times are made up; nothing runs.
#include "cluster/metadata_cache.hpp"

#include <kasio/broker_errc.hpp>

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

namespace kasio::cluster {
namespace {

using protocol::msg::metadata_response;
using clock = std::chrono::steady_clock;

constexpr std::int16_t v12 = 12;
const clock::time_point t0{std::chrono::seconds(100)};

struct part {
    std::int32_t id, leader, epoch;
    std::int16_t error = 0;
};

class response_builder {
public:
    response_builder& broker(std::int32_t id, std::string host, std::int32_t port) {
        auto& b = r_.brokers.emplace_back();
        b.node_id = id;
        b.host = std::move(host);
        b.port = port;
        return *this;
    }
    response_builder& topic(std::string name, std::initializer_list<part> parts, std::int16_t error = 0) {
        auto& t = r_.topics.emplace_back();
        t.name = std::move(name);
        t.error_code = error;
        for (const part& p : parts) {
            auto& mp = t.partitions.emplace_back();
            mp.partition_index = p.id;
            mp.leader_id = p.leader;
            mp.leader_epoch = p.epoch;
            mp.error_code = p.error;
            mp.replica_nodes = {p.leader};
            mp.isr_nodes = {p.leader};
        }
        return *this;
    }
    const metadata_response& get() {
        r_.cluster_id = "cluster";
        r_.controller_id = 2;
        return r_;
    }

private:
    metadata_response r_;
};

const std::vector<std::string> topic_a = {"a"};

TEST(metadata_cache, answers_brokers_leaders_and_partition_counts) {
    metadata_cache c;
    EXPECT_FALSE(c.last_update().has_value());
    auto r = response_builder()
                 .broker(3, "h3", 9094)
                 .broker(1, "h1", 9092)
                 .broker(2, "h2", 9093)
                 .topic("a", {{1, 2, 5}, {0, 1, 4}, {2, 3, 6}})
                 .get();
    const auto res = c.apply(r, v12, &topic_a, t0);
    EXPECT_EQ(res.leader_changes, 3u);
    EXPECT_FALSE(res.refresh_soon);
    ASSERT_EQ(c.brokers().size(), 3u);
    EXPECT_EQ(c.brokers()[0].node_id, 1);  // sorted by node id
    ASSERT_NE(c.broker(2), nullptr);
    EXPECT_EQ(c.broker(2)->host, "h2");
    EXPECT_EQ(c.broker(2)->port, 9093);
    EXPECT_EQ(c.broker(9), nullptr);
    EXPECT_EQ(c.partition_count("a"), 3u);
    EXPECT_EQ(c.leader("a", 0), 1);
    EXPECT_EQ(c.leader("a", 1), 2);
    EXPECT_EQ(c.leader_epoch("a", 2), 6);
    EXPECT_EQ(c.leader("a", 3), -1);
    EXPECT_EQ(c.leader("b", 0), -1);
    EXPECT_FALSE(c.partition_count("b").has_value());
    EXPECT_EQ(c.cluster_id(), "cluster");
    EXPECT_EQ(c.controller_id(), 2);
    EXPECT_EQ(c.last_update(), t0);
    EXPECT_EQ(c.version(), 1u);
}

TEST(metadata_cache, newer_leader_epoch_replaces_the_leader) {
    metadata_cache c;
    c.apply(response_builder().topic("a", {{0, 1, 4}}).get(), v12, &topic_a, t0);
    const auto res = c.apply(response_builder().topic("a", {{0, 2, 5}}).get(), v12, &topic_a, t0);
    EXPECT_EQ(res.leader_changes, 1u);
    EXPECT_EQ(res.stale_partitions, 0u);
    EXPECT_EQ(c.leader("a", 0), 2);
    EXPECT_EQ(c.leader_epoch("a", 0), 5);
}

TEST(metadata_cache, stale_leader_epoch_is_ignored_and_asks_for_another_refresh) {
    metadata_cache c;
    c.apply(response_builder().topic("a", {{0, 1, 7}, {1, 2, 3}}).get(), v12, &topic_a, t0);
    // Partition 0 comes back from a broker that lags behind; partition 1 moved on.
    const auto res = c.apply(response_builder().topic("a", {{0, 3, 6}, {1, 3, 4}}).get(), v12, &topic_a, t0);
    EXPECT_EQ(res.stale_partitions, 1u);
    EXPECT_EQ(res.leader_changes, 1u);
    EXPECT_TRUE(res.refresh_soon);
    EXPECT_EQ(c.leader("a", 0), 1);
    EXPECT_EQ(c.leader_epoch("a", 0), 7);
    EXPECT_EQ(c.leader("a", 1), 3);
}

TEST(metadata_cache, same_epoch_is_accepted) {
    metadata_cache c;
    c.apply(response_builder().topic("a", {{0, 1, 7}}).get(), v12, &topic_a, t0);
    const auto res = c.apply(response_builder().topic("a", {{0, 1, 7}}).get(), v12, &topic_a, t0);
    EXPECT_EQ(res.stale_partitions, 0u);
    EXPECT_EQ(res.leader_changes, 0u);
    EXPECT_FALSE(res.refresh_soon);
}

TEST(metadata_cache, epoch_noted_from_a_produce_response_makes_older_metadata_stale) {
    metadata_cache c;
    c.apply(response_builder().topic("a", {{0, 1, 4}}).get(), v12, &topic_a, t0);
    EXPECT_TRUE(c.note_leader_epoch("a", 0, 6));
    EXPECT_FALSE(c.note_leader_epoch("a", 0, 6));
    EXPECT_FALSE(c.note_leader_epoch("a", 0, 5));
    EXPECT_FALSE(c.note_leader_epoch("unknown", 0, 9));
    EXPECT_EQ(c.leader_epoch("a", 0), 6);
    auto res = c.apply(response_builder().topic("a", {{0, 2, 5}}).get(), v12, &topic_a, t0);
    EXPECT_EQ(res.stale_partitions, 1u);
    EXPECT_EQ(c.leader("a", 0), 1);
    res = c.apply(response_builder().topic("a", {{0, 2, 6}}).get(), v12, &topic_a, t0);
    EXPECT_EQ(res.stale_partitions, 0u);
    EXPECT_EQ(c.leader("a", 0), 2);
}

TEST(metadata_cache, epochs_before_metadata_v9_are_not_trusted) {
    metadata_cache c;
    c.apply(response_builder().topic("a", {{0, 1, 7}}).get(), v12, &topic_a, t0);
    const auto res = c.apply(response_builder().topic("a", {{0, 2, 3}}).get(), 8, &topic_a, t0);
    EXPECT_EQ(res.stale_partitions, 0u);
    EXPECT_EQ(c.leader("a", 0), 2);
    EXPECT_EQ(c.leader_epoch("a", 0), -1);
    EXPECT_EQ(c.partition("a", 0)->leader_epoch, -1);
}

TEST(metadata_cache, unknown_topic_is_marked_and_its_partitions_dropped) {
    metadata_cache c;
    c.apply(response_builder().topic("a", {{0, 1, 1}}).get(), v12, &topic_a, t0);
    const auto unknown = static_cast<std::int16_t>(broker_errc::unknown_topic_or_partition);
    const auto res = c.apply(response_builder().topic("a", {}, unknown).get(), v12, &topic_a, t0);
    EXPECT_FALSE(res.refresh_soon);  // only creating the topic helps
    EXPECT_TRUE(c.is_unknown("a"));
    EXPECT_EQ(c.topic("a"), nullptr);
    EXPECT_EQ(c.leader("a", 0), -1);
    c.apply(response_builder().topic("a", {{0, 2, 1}}).get(), v12, &topic_a, t0);
    EXPECT_FALSE(c.is_unknown("a"));
    EXPECT_EQ(c.leader("a", 0), 2);
}

TEST(metadata_cache, retriable_topic_error_keeps_partitions_and_asks_for_another_refresh) {
    metadata_cache c;
    c.apply(response_builder().topic("a", {{0, 1, 1}}).get(), v12, &topic_a, t0);
    const auto lna = static_cast<std::int16_t>(broker_errc::leader_not_available);
    const auto res = c.apply(response_builder().topic("a", {}, lna).get(), v12, &topic_a, t0);
    EXPECT_TRUE(res.refresh_soon);
    ASSERT_NE(c.topic("a"), nullptr);
    EXPECT_EQ(c.topic("a")->error, broker_errc::leader_not_available);
    EXPECT_EQ(c.leader("a", 0), 1);
    c.apply(response_builder().topic("a", {{0, 1, 1}}).get(), v12, &topic_a, t0);
    EXPECT_FALSE(c.topic("a")->error);
}

TEST(metadata_cache, partition_error_is_kept_and_asks_for_another_refresh) {
    metadata_cache c;
    const auto lna = static_cast<std::int16_t>(broker_errc::leader_not_available);
    const auto res = c.apply(response_builder().topic("a", {{0, -1, 2, lna}, {1, 1, 1}}).get(), v12, &topic_a, t0);
    EXPECT_TRUE(res.refresh_soon);
    EXPECT_EQ(c.partition("a", 0)->error, broker_errc::leader_not_available);
    EXPECT_EQ(c.leader("a", 0), -1);
    EXPECT_EQ(c.partition_count("a"), 2u);
}

TEST(metadata_cache, partial_response_keeps_other_topics_all_topics_response_drops_them) {
    metadata_cache c;
    const std::vector<std::string> both = {"a", "b"};
    c.apply(response_builder().topic("a", {{0, 1, 1}}).topic("b", {{0, 2, 1}}).get(), v12, &both, t0);
    c.apply(response_builder().topic("a", {{0, 1, 1}}).get(), v12, &topic_a, t0);
    EXPECT_EQ(c.leader("b", 0), 2);
    c.apply(response_builder().topic("a", {{0, 1, 1}}).get(), v12, nullptr, t0);
    EXPECT_EQ(c.topic("b"), nullptr);
    EXPECT_TRUE(c.is_unknown("b"));
    EXPECT_NE(c.topic("a"), nullptr);
}

TEST(metadata_cache, topics_without_a_name_are_ignored) {
    metadata_cache c;
    metadata_response r = response_builder().topic("a", {{0, 1, 1}}).get();
    r.topics.emplace_back().name.reset();
    r.topics.emplace_back().name = "";
    c.apply(r, v12, nullptr, t0);
    EXPECT_NE(c.topic("a"), nullptr);
    EXPECT_EQ(c.topic(""), nullptr);
}

TEST(metadata_cache, sparse_partition_ids_are_found) {
    metadata_cache c;
    c.apply(response_builder().topic("a", {{5, 1, 1}, {2, 2, 1}}).get(), v12, &topic_a, t0);
    EXPECT_EQ(c.leader("a", 2), 2);
    EXPECT_EQ(c.leader("a", 5), 1);
    EXPECT_EQ(c.leader("a", 0), -1);
    EXPECT_EQ(c.partition_count("a"), 2u);
}

}  // namespace
}  // namespace kasio::cluster

// The calls users reach for (issue 15) against a real Kafka 4.x cluster, checked against what
// the Java client reports: cluster metadata (describe-topic), beginning/end offsets in both
// isolation levels (list-offsets), offsets for times, lag, the group metadata and a coroutine
// rebalance listener that commits before its partitions move (group-offsets), poll timeouts.
#include "kafka_cluster.hpp"
#include "kasio_clients.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <map>

namespace kasio::test::kafka {
namespace {

namespace asio = boost::asio;
constexpr int partitions = 3;

consumer_config base_config() {
    consumer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    debug_log(cfg.connection);
    return cfg;
}

// Starts op(handler) and runs io until the handler ran (or 30 s without any handler running):
// (error_code, value).
template <class Value, class Op>
std::pair<error_code, Value> call(asio::io_context& io, Op op) {
    std::optional<std::pair<error_code, Value>> got;
    op([&](error_code ec, Value v) { got.emplace(ec, std::move(v)); });
    while (!got) {
        if (io.stopped()) io.restart();
        if (io.run_one_for(std::chrono::seconds(30)) == 0) break;
    }
    EXPECT_TRUE(got.has_value()) << "the operation did not complete";
    if (!got) return {asio::error::timed_out, Value{}};
    return std::move(*got);
}

// A topic with records produced by kasio, their partitions and offsets filled in.
struct filled_topic {
    std::string name;
    std::vector<owned_record> records;
};

filled_topic make_topic(std::string_view prefix, std::size_t count) {
    filled_topic t{unique_topic(prefix), interop_records(count, false)};
    create_topic(t.name, partitions);
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    EXPECT_EQ(kasio_produce(cfg, t.name, t.records), "");
    return t;
}

std::vector<topic_partition> all_partitions(const std::string& topic) {
    std::vector<topic_partition> out;
    for (int p = 0; p < partitions; ++p) out.push_back({topic, p});
    return out;
}

TEST(client_calls, metadata_matches_what_the_java_admin_describes) {
    const std::string topic = unique_topic("calls-md");
    create_topic(topic, partitions);
    const peer_result described = peer_ok("describe-topic", {"--topic", topic});
    ASSERT_EQ(described.lines.size(), static_cast<std::size_t>(partitions));

    asio::io_context io;
    producer_config pcfg;
    pcfg.bootstrap_servers = {cluster().bootstrap};
    producer p(io.get_executor(), pcfg);
    consumer c(io.get_executor(), base_config());
    auto [ec, md] = call<cluster_metadata>(io, [&](auto token) { return c.async_metadata({topic, "calls-no-such-topic"}, token); });
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(md.brokers.size(), 3u);
    EXPECT_TRUE(md.cluster_id.has_value());
    EXPECT_NE(md.broker(md.controller_id), nullptr) << "KRaft: a broker stands in for the controller";
    const topic_description* t = md.topic(topic);
    ASSERT_NE(t, nullptr);
    ASSERT_EQ(t->partitions.size(), static_cast<std::size_t>(partitions));
    for (const json& line : described.lines) {
        const auto& part = t->partitions.at(static_cast<std::size_t>(line["partition"].as_int()));
        EXPECT_EQ(part.leader, line["leader"].as_int());
        std::vector<std::int32_t> replicas, isr;
        for (const auto& r : line["replicas"].items) replicas.push_back(static_cast<std::int32_t>(r.as_int()));
        for (const auto& r : line["isr"].items) isr.push_back(static_cast<std::int32_t>(r.as_int()));
        EXPECT_EQ(part.replicas, replicas);
        auto sorted_isr = part.isr;
        std::sort(sorted_isr.begin(), sorted_isr.end());
        std::sort(isr.begin(), isr.end());
        EXPECT_EQ(sorted_isr, isr);
    }
    ASSERT_NE(md.topic("calls-no-such-topic"), nullptr);
    EXPECT_EQ(md.topic("calls-no-such-topic")->error, broker_errc::unknown_topic_or_partition);

    // Every topic, from the producer: ours among them, the internal offsets topic marked.
    auto [pec, all] = call<cluster_metadata>(io, [&](auto token) { return p.async_metadata({}, token); });
    ASSERT_FALSE(pec) << pec.message();
    ASSERT_NE(all.topic(topic), nullptr);
    EXPECT_EQ(all.topic(topic)->partitions.size(), static_cast<std::size_t>(partitions));
    if (const auto* offsets_topic = all.topic("__consumer_offsets")) {
        EXPECT_TRUE(offsets_topic->is_internal);
    }
    EXPECT_EQ(all.cluster_id, md.cluster_id);
}

TEST(client_calls, beginning_and_end_offsets_match_the_java_client_in_both_isolation_levels) {
    const filled_topic t = make_topic("calls-offsets", 600);
    for (const char* level : {"read_uncommitted", "read_committed"}) {
        SCOPED_TRACE(level);
        const peer_result java =
            peer_ok("list-offsets", {"--topic", t.name, "--config", std::string("isolation.level=") + level});
        ASSERT_EQ(java.lines.size(), static_cast<std::size_t>(partitions));
        asio::io_context io;
        consumer_config cfg = base_config();
        ASSERT_FALSE(cfg.set("isolation.level", level));
        consumer c(io.get_executor(), cfg);
        auto [bec, begins] = call<std::vector<listed_offset>>(io, [&](auto token) { return c.async_beginning_offsets(all_partitions(t.name), token); });
        auto [eec, ends] = call<std::vector<listed_offset>>(io, [&](auto token) { return c.async_end_offsets(all_partitions(t.name), token); });
        ASSERT_FALSE(bec) << bec.message();
        ASSERT_FALSE(eec) << eec.message();
        ASSERT_EQ(begins.size(), static_cast<std::size_t>(partitions));
        ASSERT_EQ(ends.size(), static_cast<std::size_t>(partitions));
        std::int64_t total = 0;
        for (const json& line : java.lines) {
            const auto p = static_cast<std::size_t>(line["partition"].as_int());
            EXPECT_EQ(begins[p].offset, line["earliest"].as_int()) << "partition " << p;
            EXPECT_EQ(ends[p].offset, line["latest"].as_int()) << "partition " << p;
            total += ends[p].offset.value_or(0) - begins[p].offset.value_or(0);
        }
        EXPECT_EQ(total, static_cast<std::int64_t>(t.records.size()));
    }
}

TEST(client_calls, offsets_for_times_find_the_first_record_at_or_after_the_time) {
    const filled_topic t = make_topic("calls-times", 300);
    // Expected, from the deliveries: per partition, the first offset with timestamp >= ts.
    auto expected = [&](std::int32_t partition, std::int64_t ts) -> std::optional<std::pair<std::int64_t, std::int64_t>> {
        std::optional<std::pair<std::int64_t, std::int64_t>> best;  // offset, timestamp
        for (const auto& r : t.records)
            if (r.partition == partition && r.timestamp >= ts && (!best || r.offset < best->first))
                best = std::pair{r.offset, r.timestamp};
        return best;
    };
    std::vector<partition_timestamp> query;
    for (std::int32_t p = 0; p < partitions; ++p) {
        query.push_back({{t.name, p}, 0});
        query.push_back({{t.name, p}, t.records[150].timestamp});
        query.push_back({{t.name, p}, 1900000000000});  // beyond every record
    }
    asio::io_context io;
    consumer c(io.get_executor(), base_config());
    auto [ec, found] = call<std::vector<listed_offset>>(io, [&](auto token) { return c.async_offsets_for_times(query, token); });
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_EQ(found.size(), query.size());
    for (std::size_t i = 0; i < query.size(); ++i) {
        SCOPED_TRACE("partition " + std::to_string(query[i].partition.partition) + " at " +
                     std::to_string(query[i].timestamp_ms));
        EXPECT_EQ(found[i].partition, query[i].partition);
        const auto want = expected(query[i].partition.partition, query[i].timestamp_ms);
        if (!want) {
            EXPECT_FALSE(found[i].offset.has_value()) << "Java returns null beyond the last record";
            continue;
        }
        EXPECT_EQ(found[i].offset, want->first);
        EXPECT_EQ(found[i].timestamp, want->second);
        EXPECT_TRUE(found[i].leader_epoch.has_value());
    }

    auto [uec, none] = call<std::vector<listed_offset>>(io, [&](auto token) {
        return c.async_offsets_for_times({{{unique_topic("calls-missing"), 0}, 0}}, token);
    });
    EXPECT_EQ(uec, broker_errc::unknown_topic_or_partition);
    EXPECT_TRUE(none.empty());
    auto [pec, past] = call<std::vector<listed_offset>>(io, [&](auto token) { return c.async_end_offsets({{t.name, partitions}}, token); });
    EXPECT_EQ(pec, broker_errc::unknown_topic_or_partition) << "a partition past the topic's count";
}

TEST(client_calls, lag_follows_the_high_watermark_and_the_position) {
    const filled_topic t = make_topic("calls-lag", 300);
    asio::io_context io;
    consumer_config cfg = base_config();
    ASSERT_FALSE(cfg.set("auto.offset.reset", "earliest"));
    ASSERT_FALSE(cfg.set("max.poll.records", "10"));
    consumer c(io.get_executor(), cfg);
    const topic_partition tp{t.name, 0};
    auto [eec, ends] = call<std::vector<listed_offset>>(io, [&](auto token) { return c.async_end_offsets({tp}, token); });
    ASSERT_FALSE(eec);
    const std::int64_t end = ends.at(0).offset.value_or(-1);
    ASSERT_GT(end, 10);
    c.assign({tp});
    auto [ec, batch] = call<fetch_batch>(io, [&](auto token) { return c.async_poll(std::chrono::seconds(60), token); });
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_EQ(batch.size(), 10u);
    EXPECT_EQ(c.position(tp), 10);
    EXPECT_EQ(c.lag(tp), end - 10);
    EXPECT_FALSE(c.lag({t.name, 1}).has_value()) << "not assigned";
}

TEST(client_calls, poll_with_a_timeout_completes_empty_at_the_end_of_a_partition) {
    const std::string topic = unique_topic("calls-poll");
    create_topic(topic, 1);
    asio::io_context io;
    consumer c(io.get_executor(), base_config());
    c.assign({{topic, 0}});
    auto [ec, batch] = call<fetch_batch>(io, [&](auto token) { return c.async_poll(std::chrono::milliseconds(300), token); });
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(batch.empty());
    // The lag is known once a Fetch response for the partition came back (the broker may hold
    // an empty one for fetch.max.wait.ms).
    while (!c.lag({topic, 0}) && io.run_one_for(std::chrono::seconds(30)) > 0) {
    }
    EXPECT_EQ(c.lag({topic, 0}), 0);
}

// A group member whose coroutine on_revoked commits: when close completes, the coordinator has
// the offsets (the Java admin reads them), and group_metadata() named the generation meanwhile.
TEST(client_calls, a_coroutine_listener_commits_before_its_partitions_are_revoked) {
    const filled_topic t = make_topic("calls-group", 90);
    const std::string group = unique_topic("calls-group-id");
    asio::io_context io;
    consumer_config cfg = base_config();
    ASSERT_FALSE(cfg.set("group.id", group));
    ASSERT_FALSE(cfg.set("auto.offset.reset", "earliest"));
    ASSERT_FALSE(cfg.set("enable.auto.commit", "false"));
    consumer c(io.get_executor(), cfg);
    std::vector<std::string> events;
    std::vector<partition_offset> committed_at_revoke;
    async_rebalance_listener l;
    l.on_assigned = [&](std::vector<topic_partition> parts) -> asio::awaitable<void> {
        events.push_back("assigned " + std::to_string(parts.size()));
        co_return;
    };
    l.on_revoked = [&](std::vector<topic_partition> parts) -> asio::awaitable<void> {
        events.push_back("revoked " + std::to_string(parts.size()));
        co_await c.async_commit(asio::use_awaitable);
        events.push_back("committed");
    };
    c.subscribe({t.name}, l);
    std::size_t got = 0;
    while (got < t.records.size()) {
        auto [ec, batch] = call<fetch_batch>(io, [&](auto token) { return c.async_poll(std::chrono::seconds(60), token); });
        ASSERT_FALSE(ec) << ec.message();
        ASSERT_FALSE(batch.empty()) << "no records within 60 s after " << got;
        got += batch.size();
    }
    const consumer_group_metadata gm = c.group_metadata();
    ASSERT_TRUE(c.membership().has_value());
    EXPECT_EQ(gm.group_id, group);
    EXPECT_EQ(gm.generation_id, c.membership()->generation);
    EXPECT_GE(gm.generation_id, 1);
    EXPECT_EQ(gm.member_id, c.membership()->member_id);
    EXPECT_FALSE(gm.group_instance_id.has_value());

    auto close = c.async_close(asio::use_future);
    ASSERT_TRUE(run_until_ready(io, close));
    EXPECT_FALSE(result_of(std::move(close)));
    EXPECT_EQ(events, (std::vector<std::string>{"assigned 3", "revoked 3", "committed"}));

    const peer_result offsets = peer_ok("group-offsets", {"--group", group});
    std::map<std::int64_t, std::int64_t> by_partition;
    for (const json& line : offsets.lines) by_partition[line["partition"].as_int()] = line["offset"].as_int();
    std::map<std::int64_t, std::int64_t> expected;
    for (const auto& r : t.records) expected[*r.partition] = std::max(expected[*r.partition], r.offset + 1);
    EXPECT_EQ(by_partition, expected);
}

}  // namespace
}  // namespace kasio::test::kafka

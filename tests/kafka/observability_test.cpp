// Metrics against the real cluster (issue 19): a broker stopped (SIGSTOP) for a second shows in
// its own Produce latency and nowhere else, in stats() and in the statistics JSON; consumer lag
// per partition is the end offset the Java client lists minus the consumer's position.
#include "kafka_cluster.hpp"
#include "kasio_clients.hpp"

#include "io_thread.hpp"

#include <kasio/consumer.hpp>
#include <kasio/producer.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/src.hpp>

#include <gtest/gtest.h>

#include <iostream>
#include <thread>

namespace kasio::test::kafka {
namespace {

namespace asio = boost::asio;
namespace bjson = boost::json;
constexpr std::int16_t produce_key = 0;

const api_metrics* produce_of(const broker_metrics& b) {
    for (const auto& a : b.apis)
        if (a.api_key == produce_key) return &a;
    return nullptr;
}

record to(const std::string& topic, std::int32_t partition, const std::string& value) {
    record r;
    r.topic = topic;
    r.partition = partition;
    r.value = bytes_of(value);
    return r;
}

TEST(observability_real_kafka, a_stopped_broker_shows_in_its_own_produce_latency_only) {
    cluster_restorer restore;
    const std::string topic = unique_topic("obs-slow");
    create_topic(topic, 3, 1);  // one replica: a stopped follower cannot hold up other leaders' acks
    const std::vector<std::int32_t> leaders = leaders_of(topic);
    ASSERT_EQ(leaders.size(), 3u);
    const std::int32_t stopped = leaders[0];

    io_thread io;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    ASSERT_FALSE(cfg.set("linger.ms", "0"));
    producer p(io.io().get_executor(), cfg);
    const std::string value = "observed";
    // Warm: every leader's connection is up and its latency recorded while all is well, so the
    // held record below is written at once to an open connection, not after a connect that
    // the stopped broker would hold up instead (its request would then be timed from the resume).
    for (int i = 0; i < 20; ++i)
        for (std::int32_t part = 0; part < 3; ++part) p.async_send(to(topic, part, value), asio::use_future).get();
    const auto warm = p.stats();
    for (const auto& b : warm.brokers) {
        if (b.node_id != stopped) continue;
        ASSERT_TRUE(b.connected) << "node " << stopped << " is not connected after the warm-up";
        ASSERT_EQ(b.in_flight, 0u);
    }

    // cluster.sh pause returns once every thread of the broker's JVM is stopped (a SIGSTOP alone
    // stops them some milliseconds later: the broker could still answer the next request).
    broker_action("pause", stopped);
    auto held = p.async_send(to(topic, 0, value), asio::use_future);
    const auto held_sent = std::chrono::steady_clock::now();
    // The other leaders keep answering at once meanwhile.
    std::size_t others = 0;
    for (int i = 0; i < 20; ++i) {
        for (std::int32_t part = 1; part < 3; ++part) {
            if (leaders[static_cast<std::size_t>(part)] == stopped) continue;
            p.async_send(to(topic, part, value), asio::use_future).get();
            ++others;
        }
    }
    // How long the broker stays stopped is the fault itself, not a wait for something to happen.
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    // A stopped broker cannot have answered: otherwise the pause did not hold this record, and
    // the latencies below would not describe a stopped broker.
    const bool answered_while_stopped = held.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    const auto held_for = std::chrono::steady_clock::now() - held_sent;  // at least
    broker_action("resume", stopped);
    ASSERT_FALSE(answered_while_stopped)
        << "node " << stopped << " answered the held Produce while it was stopped: the pause did not hold it";
    ASSERT_NO_THROW(held.get());

    const producer_stats s = p.stats();
    const std::string text = p.statistics_json();
    std::uint64_t max_elsewhere = 0;
    const broker_metrics* slow = nullptr;
    for (const auto& b : s.brokers) {
        const api_metrics* produce = produce_of(b);
        if (!produce) continue;
        if (b.node_id == stopped) slow = &b;
        else max_elsewhere = std::max(max_elsewhere, produce->latency_us.max);
    }
    ASSERT_NE(slow, nullptr);
    const api_metrics* slow_produce = produce_of(*slow);
    std::cout << "node " << stopped << " stopped 1.2 s: its Produce max " << slow_produce->latency_us.max / 1000
              << " ms, p50 " << slow_produce->latency_us.percentile(0.5) / 1000.0 << " ms; other nodes' max "
              << max_elsewhere / 1000.0 << " ms over " << others << " sends\n";
    const auto held_us = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(held_for).count());
    // The held record waited out the whole pause; had it been written only at the resume (no
    // connection to write it to), its delivery would be long but its Produce round trip short.
    EXPECT_GE(s.delivery_latency_us.max, held_us) << "the held record's delivery";
    EXPECT_GE(slow_produce->latency_us.max, 1'000'000u)
        << "delivery latency max " << s.delivery_latency_us.max << " us, queue time max " << s.queue_time_us.max
        << " us: the held Produce was not written before the pause ended";
    EXPECT_LT(slow_produce->latency_us.percentile(0.5), 500'000u) << "only one request was held";
    if (others > 0) {
        EXPECT_LT(max_elsewhere, 1'000'000u);
    }
    EXPECT_EQ(slow->disconnects, 0u) << "held for less than request.timeout.ms: the connection stays";

    const bjson::value stats = bjson::parse(text);
    bool found = false;
    for (const auto& [name, b] : stats.at("brokers").as_object()) {
        if (b.at("nodeid").to_number<std::int64_t>() != stopped) continue;
        found = true;
        EXPECT_GE(b.at("apis").at("Produce").at("rtt").at("max").to_number<std::int64_t>(), 1'000'000) << name;
        EXPECT_EQ(b.at("state").as_string(), "UP");
    }
    EXPECT_TRUE(found) << text;
    EXPECT_EQ(result_of(p.async_close(std::chrono::seconds(30), asio::use_future)), error_code{});
}

TEST(observability_real_kafka, lag_per_partition_is_the_java_end_offset_minus_the_position) {
    constexpr int partitions = 3;
    const std::string topic = unique_topic("obs-lag");
    create_topic(topic, partitions);
    std::vector<owned_record> records = interop_records(900, false);
    producer_config pcfg;
    pcfg.bootstrap_servers = {cluster().bootstrap};
    ASSERT_EQ(kasio_produce(pcfg, topic, records), "");
    const peer_result java = peer_ok("list-offsets", {"--topic", topic});
    ASSERT_EQ(java.lines.size(), static_cast<std::size_t>(partitions));
    std::map<std::int32_t, std::int64_t> end;
    for (const json& line : java.lines) end[static_cast<std::int32_t>(line["partition"].as_int())] = line["latest"].as_int();

    asio::io_context io;
    consumer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    ASSERT_FALSE(cfg.set("auto.offset.reset", "earliest"));
    ASSERT_FALSE(cfg.set("max.poll.records", "40"));
    consumer c(io.get_executor(), cfg);
    std::vector<topic_partition> all;
    for (std::int32_t part = 0; part < partitions; ++part) all.push_back({topic, part});
    c.assign(all);
    // Poll until some records are read and every partition's end is known from a Fetch response.
    std::size_t got = 0;
    bool polling = false;
    auto known = [&] {
        for (const auto& m : c.stats().partitions)
            if (m.lag < 0) return false;
        return got >= 120;
    };
    while (!known()) {
        if (!polling) {
            polling = true;
            c.async_poll(std::chrono::seconds(10), [&](error_code ec, fetch_batch b) {
                EXPECT_FALSE(ec) << ec.message();
                got += b.size();
                polling = false;
            });
        }
        if (io.run_one_for(std::chrono::seconds(30)) == 0) break;
    }
    while (polling && io.run_one_for(std::chrono::seconds(30)) > 0) {
    }
    ASSERT_TRUE(known());

    const consumer_stats s = c.stats();
    ASSERT_EQ(s.partitions.size(), static_cast<std::size_t>(partitions));
    std::int64_t lag_sum = 0, lag_max = 0;
    for (const partition_metrics& m : s.partitions) {
        SCOPED_TRACE(m.partition);
        const auto position = c.position({topic, m.partition});
        ASSERT_TRUE(position);
        EXPECT_EQ(m.position, *position);
        EXPECT_EQ(m.high_watermark, end[m.partition]);
        EXPECT_EQ(m.lag, end[m.partition] - *position);
        lag_sum += m.lag;
        lag_max = std::max(lag_max, m.lag);
    }
    EXPECT_EQ(lag_sum, static_cast<std::int64_t>(records.size() - got));
    EXPECT_EQ(s.lag_max, lag_max);

    const bjson::value stats = bjson::parse(c.statistics_json());
    for (const partition_metrics& m : s.partitions) {
        const auto& part = stats.at("topics").at(topic).at("partitions").at(std::to_string(m.partition));
        EXPECT_EQ(part.at("consumer_lag").to_number<std::int64_t>(), m.lag);
        EXPECT_EQ(part.at("hi_offset").to_number<std::int64_t>(), end[m.partition]);
    }
    auto closed = c.async_close(asio::use_future);
    while (closed.wait_for(std::chrono::seconds(0)) != std::future_status::ready && io.run_one_for(std::chrono::seconds(30)) > 0) {
    }
}

}  // namespace
}  // namespace kasio::test::kafka

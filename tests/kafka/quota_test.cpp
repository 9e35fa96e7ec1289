// A client quota set on the real cluster: the broker answers a producer over its byte rate with
// throttle_time_ms (KIP-219), kasio holds the connection for that long, and its delivered rate
// settles at the quota rather than above it.
#include "kafka_cluster.hpp"
#include "kasio_clients.hpp"

#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <atomic>

namespace kasio::test::kafka {
namespace {

TEST(quota_real_kafka, producer_rate_settles_at_the_brokers_byte_rate_quota) {
    constexpr std::int64_t quota = 512 * 1024;  // bytes per second, per broker
    // 6 MiB, 2 MiB per broker: ~4 s at the quota (the cluster measures quotas over 3 s).
    constexpr std::size_t record_size = 1024, records = 12 * 1024;
    const std::string client_id = unique_topic("quota-client");
    const std::string topic = unique_topic("quota");
    create_topic(topic, 3);
    ASSERT_EQ(run_peer("set-quota", {"--client-id", client_id, "--producer-byte-rate", std::to_string(quota)}).status, 0);

    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    ASSERT_FALSE(cfg.set("client.id", client_id));
    ASSERT_FALSE(cfg.set("linger.ms", "20"));
    ASSERT_FALSE(cfg.set("batch.size", "65536"));
    io_thread io;
    producer p(io.io().get_executor(), cfg);
    std::atomic<std::size_t> done{0}, failed{0};
    std::chrono::steady_clock::time_point half_at{};
    const std::string value(record_size, 'q');
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < records; ++i) {
        record r;
        r.topic = topic;
        r.partition = static_cast<std::int32_t>(i % 3);
        r.value = bytes_of(value);
        p.async_send(r, [&](error_code ec, delivery) {
            if (ec) ++failed;
            if (++done == records / 2) half_at = std::chrono::steady_clock::now();
            done.notify_all();
        });
    }
    for (std::size_t d = done.load(); d < records; d = done.load()) done.wait(d);
    const auto end = std::chrono::steady_clock::now();
    const producer_stats stats = p.stats();
    EXPECT_EQ(result_of(p.async_close(std::chrono::seconds(30), boost::asio::use_future)), error_code{});
    run_peer("set-quota", {"--client-id", client_id, "--producer-byte-rate", "-1"});

    EXPECT_EQ(failed.load(), 0u);
    // Three brokers, each holding this client to `quota`: the second half's rate (past the
    // burst the quota window allows at the start) is about three times the quota.
    const double seconds = std::chrono::duration<double>(end - half_at).count();
    const double rate = static_cast<double>(records / 2 * record_size) / seconds;
    const double ratio = rate / (3.0 * quota);
    std::cout << "quota " << quota << " B/s per broker: second half at " << rate / 1048576.0 << " MiB/s ("
              << ratio << " of 3 x quota), whole run " << std::chrono::duration<double>(end - start).count()
              << " s, throttled " << stats.throttled_ms << " ms in total\n";
    EXPECT_GT(stats.throttled_ms, 0u);
    // The brokers' throttle metrics (issue 19) hold the same throttle times, per broker.
    std::uint64_t throttled = 0, throttles = 0;
    for (const broker_metrics& b : stats.brokers) {
        throttled += b.throttle_ms.sum;
        throttles += b.throttle_ms.count;
    }
    EXPECT_GT(throttles, 0u);
    EXPECT_EQ(throttled, stats.throttled_ms) << "Produce is the only API this client was throttled on";
    EXPECT_LT(ratio, 1.5);  // throttled: not above the quota
    EXPECT_GT(ratio, 0.4);  // and not held back far below it
}

}  // namespace
}  // namespace kasio::test::kafka

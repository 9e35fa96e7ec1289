#include "net/broker_metrics.hpp"

#include <kasio/error.hpp>

#include <gtest/gtest.h>

#include <thread>

namespace kasio {
namespace {

using namespace std::chrono_literals;

TEST(broker_counters, requests_by_api_latency_errors_and_gauges) {
    net::broker_counters c(3, "host:9092");
    c.connected();
    c.written(2, 300);
    c.read(120);
    c.in_flight_changed(2);
    c.completed(0, 200, 80, 1500us, {});                               // Produce answered
    c.completed(3, 100, 0, 0us, make_error_code(client_errc::timed_out));  // Metadata timed out
    c.in_flight_changed(-2);
    c.throttled(250);
    c.waiting_changed(4);
    c.waiting_changed(-1);
    c.disconnected();

    const broker_metrics m = c.snapshot();
    EXPECT_EQ(m.node_id, 3);
    EXPECT_EQ(m.address, "host:9092");
    EXPECT_FALSE(m.connected);
    EXPECT_EQ(m.connects, 1u);
    EXPECT_EQ(m.disconnects, 1u);
    EXPECT_EQ(m.requests, 2u);
    EXPECT_EQ(m.responses, 1u);
    EXPECT_EQ(m.request_timeouts, 1u);
    EXPECT_EQ(m.bytes_out, 300u);
    EXPECT_EQ(m.bytes_in, 120u);
    EXPECT_EQ(m.in_flight, 0u);
    EXPECT_EQ(m.waiting, 3u);
    EXPECT_EQ(m.latency_us.count, 1u);
    EXPECT_EQ(m.latency_us.max, 1500u);
    EXPECT_EQ(m.throttle_ms.count, 1u);
    EXPECT_EQ(m.throttle_ms.sum, 250u);
    ASSERT_EQ(m.apis.size(), 2u);
    EXPECT_EQ(m.apis[0].api_key, 0);
    EXPECT_EQ(m.apis[0].requests, 1u);
    EXPECT_EQ(m.apis[0].errors, 0u);
    EXPECT_EQ(m.apis[0].bytes_out, 200u);
    EXPECT_EQ(m.apis[0].bytes_in, 80u);
    EXPECT_EQ(m.apis[0].latency_us.count, 1u);
    EXPECT_EQ(m.apis[1].api_key, 3);
    EXPECT_EQ(m.apis[1].errors, 1u);
    EXPECT_EQ(m.apis[1].latency_us.count, 0u);
    ASSERT_EQ(m.errors.size(), 1u);
    EXPECT_EQ(m.errors[0].first, client_errc::timed_out);
    EXPECT_EQ(m.errors[0].second, 1u);
}

TEST(broker_counters, connections_on_several_threads_share_one_latency_histogram_per_api) {
    net::broker_counters c(1, "h:1");
    constexpr int threads = 4, per_thread = 20000;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (int i = 0; i < per_thread; ++i) c.completed(1, 10, 1000, std::chrono::microseconds(i), {});
        });
    for (auto& th : pool) th.join();
    const broker_metrics m = c.snapshot();
    ASSERT_EQ(m.apis.size(), 1u);
    EXPECT_EQ(m.apis[0].requests, std::uint64_t{threads * per_thread});
    EXPECT_EQ(m.apis[0].latency_us.count, std::uint64_t{threads * per_thread});
    EXPECT_EQ(m.responses, std::uint64_t{threads * per_thread});
}

TEST(metrics_registry, one_entry_per_node_and_per_bootstrap_address_nodes_first) {
    net::metrics_registry r;
    auto boot = r.get(-1, "a:1");
    auto n2 = r.get(2, "b:2");
    auto n1 = r.get(1, "c:3");
    EXPECT_EQ(r.get(2, "moved:9"), n2);  // a node keeps its entry when its address changes
    EXPECT_EQ(r.get(-1, "a:1"), boot);
    EXPECT_NE(r.get(-1, "other:1"), boot);
    const auto all = r.snapshot();
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0].node_id, 1);
    EXPECT_EQ(all[1].node_id, 2);
    EXPECT_EQ(all[2].node_id, -1);
    EXPECT_EQ(all[3].node_id, -1);
}

}  // namespace
}  // namespace kasio

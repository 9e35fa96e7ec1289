// The sans-io description of producer_stats and consumer_stats (exporters/core): exact names,
// kinds, units, labels and values from hand-made stats, and re-bucketing that keeps count and
// sum.
#include <kasio/exporters/metric_family.hpp>
#include <kasio/exporters/metric_sources.hpp>
#include <kasio/exporters/prometheus.hpp>

#include <gtest/gtest.h>

#include <numeric>

namespace kasio::exporters {
namespace {

const metric_family& family(const std::vector<metric_family>& fs, metric_group g, std::string_view name) {
    for (const auto& f : fs)
        if (f.group == g && f.name == name) return f;
    throw std::runtime_error("no family " + std::string(name));
}

std::string label(const metric_point& p, std::string_view name) {
    for (const auto& l : p.labels)
        if (l.name == name) return l.text();
    return "<none>";
}

std::int64_t int_value(const metric_point& p) { return std::get<std::int64_t>(p.value); }
const coarse_histogram& hist(const metric_point& p) { return std::get<coarse_histogram>(p.value); }

producer_stats sample_producer() {
    producer_stats s;
    s.records_sent = 10;
    s.records_delivered = 7;
    s.records_failed = 2;
    s.retries = 4;
    s.bytes = 500;
    s.uncompressed_bytes = 1000;
    s.throttled_ms = 1500;
    s.buffer_bytes = 300;
    s.batch_errors = {{make_error_code(client_errc::timed_out), 3}};
    for (const std::uint64_t v : {100, 5000, 70000}) s.batch_bytes.record(v);
    for (const std::uint64_t v : {50, 100, 150, 2'000'000}) s.queue_time_us.record(v);
    broker_metrics b;
    b.node_id = 1;
    b.address = "b1:9092";
    b.connects = 2;
    b.bytes_out = 1234;
    api_metrics produce;
    produce.api_key = 0;
    produce.requests = 5;
    produce.latency_us.record(1500);
    b.apis = {produce};
    s.brokers = {b};
    return s;
}

TEST(metric_family, producer_counters_carry_java_names_values_and_client_labels) {
    const auto fs = describe(sample_producer(), {"app", "p1", 1000});
    const auto& sent = family(fs, metric_group::producer, "record-send-total");
    EXPECT_EQ(sent.kind, metric_kind::counter);
    EXPECT_EQ(sent.unit, "1");
    ASSERT_EQ(sent.points.size(), 1u);
    EXPECT_EQ(int_value(sent.points[0]), 10);
    EXPECT_EQ(label(sent.points[0], "client_id"), "app");
    EXPECT_EQ(label(sent.points[0], "client_name"), "p1");
    EXPECT_EQ(int_value(family(fs, metric_group::producer, "record-error-total").points[0]), 2);
    EXPECT_EQ(int_value(family(fs, metric_group::producer, "batch-retry-total").points[0]), 4);
    EXPECT_DOUBLE_EQ(std::get<double>(family(fs, metric_group::producer, "compression-rate").points[0].value), 0.5);
    EXPECT_DOUBLE_EQ(std::get<double>(family(fs, metric_group::producer, "produce-throttle-time-total").points[0].value),
                     1.5);
    EXPECT_EQ(int_value(family(fs, metric_group::producer, "buffer-available-bytes").points[0]), 700);
    const auto& errors = family(fs, metric_group::producer, "batch-error-total");
    ASSERT_EQ(errors.points.size(), 1u);
    EXPECT_EQ(label(errors.points[0], "error"), make_error_code(client_errc::timed_out).message());
    EXPECT_EQ(int_value(errors.points[0]), 3);
}

TEST(metric_family, buffer_totals_are_left_out_without_buffer_memory) {
    const auto fs = describe(sample_producer(), {"app", "p1", 0});
    EXPECT_THROW(family(fs, metric_group::producer, "buffer-available-bytes"), std::runtime_error);
    EXPECT_EQ(int_value(family(fs, metric_group::producer, "buffer-used-bytes").points[0]), 300);
}

TEST(metric_family, producer_histograms_are_rebucketed_in_exported_units) {
    const auto fs = describe(sample_producer(), {"app", "p1", 0});
    const auto& size = family(fs, metric_group::producer, "batch-size");
    EXPECT_EQ(size.kind, metric_kind::histogram);
    EXPECT_EQ(size.unit, "By");
    const auto& h = hist(size.points[0]);
    EXPECT_EQ(h.count, 3u);
    EXPECT_DOUBLE_EQ(h.sum, 75100);
    ASSERT_EQ(h.counts.size(), h.bounds.size() + 1);
    EXPECT_EQ(h.counts[1], 1u);  // 100 <= 256
    EXPECT_EQ(h.counts[4], 1u);  // 5000 <= 16384
    EXPECT_EQ(h.counts[6], 1u);  // 70000 <= 262144
    EXPECT_DOUBLE_EQ(h.min, 100);
    EXPECT_DOUBLE_EQ(h.max, 70000);

    const auto& queue = hist(family(fs, metric_group::producer, "record-queue-time").points[0]);
    EXPECT_EQ(family(fs, metric_group::producer, "record-queue-time").unit, "s");
    EXPECT_EQ(queue.counts[0], 2u);   // 50 us and 100 us: <= 0.0001 s
    EXPECT_EQ(queue.counts[1], 1u);   // 150 us: <= 0.00025 s
    EXPECT_EQ(queue.counts[13], 1u);  // 2 s: <= 2.5 s
    EXPECT_DOUBLE_EQ(queue.sum, 2.0003);
}

TEST(metric_family, broker_families_carry_node_address_and_api_labels) {
    const auto fs = describe(sample_producer(), {"app", "p1", 0});
    const auto& out = family(fs, metric_group::broker, "outgoing-byte-total");
    EXPECT_EQ(out.unit, "By");
    ASSERT_EQ(out.points.size(), 1u);
    EXPECT_EQ(int_value(out.points[0]), 1234);
    EXPECT_EQ(std::get<std::int64_t>(out.points[0].labels[2].value), 1);  // node_id, an integer
    EXPECT_EQ(label(out.points[0], "address"), "b1:9092");
    EXPECT_EQ(int_value(family(fs, metric_group::broker, "connection-creation-total").points[0]), 2);
    const auto& api = family(fs, metric_group::broker, "api-request-total");
    EXPECT_EQ(label(api.points[0], "api"), "Produce");
    EXPECT_EQ(int_value(api.points[0]), 5);
    EXPECT_EQ(label(family(fs, metric_group::broker, "request-latency").points[0], "api"), "<none>");
    EXPECT_EQ(hist(family(fs, metric_group::broker, "api-request-latency").points[0]).counts[4], 1u);  // 1.5 ms
}

TEST(metric_family, consumer_lag_per_partition_and_rebalances) {
    consumer_stats s;
    s.records = 42;
    s.fetch_requests = 3;
    s.lag_max = 5;
    s.rebalance_ms.record(1500);
    s.partitions = {{"t", 0, 10, 15, 15, 2, 5, false}, {"t", 1, -1, -1, -1, -1, -1, false}};
    const auto fs = describe(s, {"app", "c1", 0});
    EXPECT_EQ(int_value(family(fs, metric_group::consumer, "records-consumed-total").points[0]), 42);
    EXPECT_EQ(int_value(family(fs, metric_group::consumer, "fetch-total").points[0]), 3);
    EXPECT_EQ(int_value(family(fs, metric_group::consumer, "records-lag-max").points[0]), 5);
    const auto& lag = family(fs, metric_group::consumer, "records-lag");
    EXPECT_EQ(lag.kind, metric_kind::gauge);
    ASSERT_EQ(lag.points.size(), 1u);  // partition 1's lag is unknown
    EXPECT_EQ(label(lag.points[0], "topic"), "t");
    EXPECT_EQ(label(lag.points[0], "partition"), "0");
    EXPECT_EQ(int_value(lag.points[0]), 5);
    EXPECT_EQ(int_value(family(fs, metric_group::consumer, "records-lead").points[0]), 8);
    EXPECT_EQ(int_value(family(fs, metric_group::consumer, "rebalance-total").points[0]), 1);
    EXPECT_DOUBLE_EQ(hist(family(fs, metric_group::consumer, "rebalance-latency").points[0]).sum, 1.5);
}

TEST(metric_family, rebucketing_keeps_count_and_sum) {
    histogram h;
    std::uint64_t exact = 0;
    for (std::uint64_t v = 0; v < 5'000'000; v = v * 3 / 2 + 7) {
        h.record(v);
        exact += v;
    }
    h.record(std::uint64_t{1} << 40);  // the last fine bucket, above every coarse bound
    exact += std::uint64_t{1} << 40;
    const auto c = rebucket(h, latency_bounds(), 1e-6);
    EXPECT_EQ(std::accumulate(c.counts.begin(), c.counts.end(), std::uint64_t{0}), h.count);
    EXPECT_EQ(c.count, h.count);
    EXPECT_DOUBLE_EQ(c.sum, static_cast<double>(exact) * 1e-6);
    EXPECT_EQ(c.counts.back(), 1u);
}

TEST(metric_family, fine_buckets_go_where_their_middle_falls) {
    histogram h;
    for (const std::uint64_t v : {1, 4, 63, 65}) h.record(v);
    const auto c = rebucket(h, count_bounds(), 1);  // 1, 4, 16, 64, 256, ...
    EXPECT_EQ(c.counts[0], 1u);  // 1: below 8 every value has its own bucket
    EXPECT_EQ(c.counts[1], 1u);  // 4
    EXPECT_EQ(c.counts[3], 1u);  // 63: fine bucket [60, 64), middle 61.5
    EXPECT_EQ(c.counts[4], 1u);  // 65: fine bucket [64, 72), middle 67.5
}

TEST(metric_family, prometheus_names_add_units_and_total) {
    const auto name = [](metric_group g, std::string n, metric_kind k, std::string unit) {
        return prometheus_name({g, std::move(n), k, std::move(unit), "", {}});
    };
    EXPECT_EQ(name(metric_group::broker, "outgoing-byte-total", metric_kind::counter, "By"),
              "kasio_broker_outgoing_bytes_total");
    EXPECT_EQ(name(metric_group::producer, "record-send-total", metric_kind::counter, "1"),
              "kasio_producer_record_send_total");
    EXPECT_EQ(name(metric_group::producer, "record-queue-time", metric_kind::histogram, "s"),
              "kasio_producer_record_queue_time_seconds");
    EXPECT_EQ(name(metric_group::producer, "batch-size", metric_kind::histogram, "By"),
              "kasio_producer_batch_size_bytes");
    EXPECT_EQ(name(metric_group::consumer, "bytes-consumed-total", metric_kind::counter, "By"),
              "kasio_consumer_bytes_consumed_total");
    EXPECT_EQ(name(metric_group::producer, "produce-throttle-time-total", metric_kind::counter, "s"),
              "kasio_producer_produce_throttle_time_seconds_total");
}

TEST(metric_sources, clients_share_families_and_gone_clients_are_dropped) {
    metric_sources sources;
    int calls = 0;
    sources.add_producer({"app", "p1", 0}, [] { return std::optional(sample_producer()); });
    sources.add_producer({"app", "p2", 0}, [&]() -> std::optional<producer_stats> {
        ++calls;
        return std::nullopt;
    });
    const auto id = sources.add_consumer({"app", "c1", 0}, [] { return std::optional(consumer_stats{}); });
    sources.add_producer({"app", "p3", 0}, [] { return std::optional(sample_producer()); });
    auto fs = sources.collect();
    EXPECT_EQ(family(fs, metric_group::producer, "record-send-total").points.size(), 2u);
    EXPECT_EQ(family(fs, metric_group::consumer, "fetch-total").points.size(), 1u);
    sources.remove(id);
    fs = sources.collect();
    EXPECT_THROW(family(fs, metric_group::consumer, "fetch-total"), std::runtime_error);
    EXPECT_EQ(calls, 1);  // p2 said it was gone and was not asked again
}

}  // namespace
}  // namespace kasio::exporters

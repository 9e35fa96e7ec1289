// The exporters fed by real clients against librdkafka's mock cluster: a producer held by a
// shared_ptr is published through its weak_ptr, its deliveries show in the families (and in
// both renderings), and once it is destroyed its families are gone; a consumer's lag shows per
// partition.
#include "consumer_support.hpp"
#include "io_thread.hpp"
#include "mock_cluster_fixture.hpp"

#include <kasio/exporters/otlp.hpp>
#include <kasio/exporters/prometheus.hpp>
#include <kasio/consumer.hpp>
#include <kasio/producer.hpp>

#include <boost/asio/use_future.hpp>
#include <boost/json/src.hpp>

#include <gtest/gtest.h>

namespace kasio::exporters {
namespace {

namespace asio = boost::asio;

class exporters_mock : public test::mock_cluster_test {};

const metric_family* find(const std::vector<metric_family>& fs, metric_group g, std::string_view name) {
    for (const auto& f : fs)
        if (f.group == g && f.name == name) return &f;
    return nullptr;
}

std::string label(const metric_point& p, std::string_view name) {
    for (const auto& l : p.labels)
        if (l.name == name) return l.text();
    return {};
}

TEST_F(exporters_mock, a_live_producer_is_published_until_it_is_destroyed) {
    ASSERT_EQ(cluster().create_topic("exported", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    test::io_thread io;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    cfg.linger = std::chrono::milliseconds(0);
    auto p = std::make_shared<producer>(io.io().get_executor(), cfg);
    metric_sources sources;
    sources.add_producer({cfg.connection.client_id, "mock", cfg.buffer_memory}, std::weak_ptr<const producer>(p));

    const std::string value = "value";
    for (int i = 0; i < 5; ++i) {
        record r;
        r.topic = "exported";
        r.partition = 0;
        r.value = bytes_of(value);
        p->async_send(r, asio::use_future).get();
    }

    const auto fs = sources.collect();
    const auto* sent = find(fs, metric_group::producer, "record-delivered-total");
    ASSERT_TRUE(sent);
    EXPECT_EQ(std::get<std::int64_t>(sent->points.at(0).value), 5);
    EXPECT_EQ(label(sent->points.at(0), "client_name"), "mock");
    const auto* size = find(fs, metric_group::producer, "batch-size");
    ASSERT_TRUE(size);
    EXPECT_EQ(std::get<coarse_histogram>(size->points.at(0).value).count, 5u);
    // A delivered batch may still hold its buffer for a moment: compare within one snapshot.
    const auto* available = find(fs, metric_group::producer, "buffer-available-bytes");
    const auto* used = find(fs, metric_group::producer, "buffer-used-bytes");
    ASSERT_TRUE(available && used);
    EXPECT_EQ(std::get<std::int64_t>(available->points.at(0).value) + std::get<std::int64_t>(used->points.at(0).value),
              static_cast<std::int64_t>(cfg.buffer_memory));

    // One leader answered the five Produce requests.
    const auto* api = find(fs, metric_group::broker, "api-request-total");
    ASSERT_TRUE(api);
    std::int64_t produce_requests = 0;
    for (const auto& point : api->points)
        if (label(point, "api") == "Produce") {
            EXPECT_GE(std::stoi(label(point, "node_id")), 1);
            produce_requests += std::get<std::int64_t>(point.value);
        }
    EXPECT_EQ(produce_requests, 5);

    // Both renderings take what the mock run produced.
    const auto prom = to_prometheus(fs);
    EXPECT_EQ(prom.size(), fs.size());
    const std::vector<otlp_attribute> resource{{"service.name", "mock"}};
    const auto body = boost::json::parse(otlp_json(fs, resource, 1, 2));
    EXPECT_EQ(body.at("resourceMetrics").at(0).at("scopeMetrics").at(0).at("metrics").as_array().size(), fs.size());

    p->async_close(std::chrono::seconds(10), asio::use_future).get();
    p.reset();
    EXPECT_TRUE(sources.collect().empty());
    EXPECT_TRUE(io.drain(std::chrono::seconds(30)));
}

TEST_F(exporters_mock, consumer_lag_is_exported_per_partition) {
    ASSERT_EQ(cluster().create_topic("lagging", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    constexpr int n = 300;
    {
        test::io_thread io;
        producer_config pc;
        pc.bootstrap_servers = {cluster().bootstrap()};
        producer p(io.io().get_executor(), pc);
        const std::string value = "v";
        for (int i = 0; i < n; ++i) {
            record r;
            r.topic = "lagging";
            r.value = bytes_of(value);
            p.async_send(r, [](error_code, delivery) {});
        }
        p.async_flush(asio::use_future).get();
    }
    asio::io_context io;
    consumer_config cc;
    cc.bootstrap_servers = {cluster().bootstrap()};
    cc.auto_offset_reset = offset_reset::earliest;
    cc.max_poll_records = 100;
    auto c = std::make_shared<consumer>(io.get_executor(), cc);
    metric_sources sources;
    sources.add_consumer({cc.connection.client_id, "lagging-consumer"}, std::weak_ptr<const consumer>(c));
    c->assign({{"lagging", 0}});
    std::size_t got = 0;
    bool polled = false;
    c->async_poll([&](error_code ec, fetch_batch b) {
        EXPECT_FALSE(ec) << ec.message();
        for (const auto& r : b) (void)r, ++got;
        polled = true;
    });
    ASSERT_TRUE(test::run_until(io, [&] { return polled; }));
    ASSERT_GT(got, 0u);

    const consumer_stats s = c->stats();
    ASSERT_EQ(s.partitions.size(), 1u);
    ASSERT_GE(s.partitions[0].lag, 0);
    const auto fs = sources.collect();
    const auto* lag = find(fs, metric_group::consumer, "records-lag");
    ASSERT_TRUE(lag);
    ASSERT_EQ(lag->points.size(), 1u);
    EXPECT_EQ(label(lag->points[0], "topic"), "lagging");
    EXPECT_EQ(label(lag->points[0], "partition"), "0");
    EXPECT_EQ(std::get<std::int64_t>(lag->points[0].value), s.partitions[0].lag);
    const auto* consumed = find(fs, metric_group::consumer, "records-consumed-total");
    ASSERT_TRUE(consumed);
    EXPECT_EQ(std::get<std::int64_t>(consumed->points.at(0).value), static_cast<std::int64_t>(got));
    const auto* fetch = find(fs, metric_group::consumer, "fetch-latency");
    ASSERT_TRUE(fetch);
    EXPECT_GE(std::get<coarse_histogram>(fetch->points.at(0).value).count, 1u);

    c.reset();
    test::finish_shutdown(io);
    EXPECT_TRUE(sources.collect().empty());
}

}  // namespace
}  // namespace kasio::exporters

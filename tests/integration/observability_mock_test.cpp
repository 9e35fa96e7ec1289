// Metrics, hooks and the statistics JSON against librdkafka's mock cluster (issue 19): a broker
// slowed by the mock's RTT shows in its latency metrics and in the JSON; consumer lag is the
// end offset minus the position; hooks see every request, batch and fetch; metrics.enabled=false
// turns it all off; configuration mistakes are refused when the client is made.
#include "consumer_support.hpp"
#include "io_thread.hpp"
#include "mock_cluster_fixture.hpp"

#include <kasio/consumer.hpp>
#include <kasio/hooks.hpp>
#include <kasio/producer.hpp>

#include <boost/asio/use_future.hpp>
#include <boost/json/src.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <string>

namespace kasio {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using test::io_thread;

class observability : public test::mock_cluster_test {};

bytes_view text(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

// Sends n records to one partition, one after the other: a batch and a request each.
void send_to(producer& p, const std::string& topic, std::int32_t partition, int n) {
    for (int i = 0; i < n; ++i) {
        record r;
        r.topic = topic;
        r.partition = partition;
        r.value = text("value");
        p.async_send(r, asio::use_future).get();
    }
}

const api_metrics* api_of(const broker_metrics& b, std::int16_t key) {
    for (const auto& a : b.apis)
        if (a.api_key == key) return &a;
    return nullptr;
}

const broker_metrics* broker_of(const std::vector<broker_metrics>& all, std::int32_t node) {
    for (const auto& b : all)
        if (b.node_id == node) return &b;
    return nullptr;
}

// The broker object of the statistics JSON with this node id.
const json::object* json_broker(const json::value& stats, std::int64_t node) {
    for (const auto& [name, b] : stats.at("brokers").as_object())
        if (b.at("nodeid").as_int64() == node) return &b.as_object();
    return nullptr;
}

constexpr std::int16_t produce_key = 0;
constexpr int slow_ms = 150;

TEST_F(observability, a_slowed_broker_shows_in_its_latency_metrics_and_in_the_statistics_json) {
    ASSERT_EQ(cluster().create_topic("slowed", 2, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader("slowed", 0, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader("slowed", 1, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_rtt(1, slow_ms), RD_KAFKA_RESP_ERR_NO_ERROR);

    std::mutex mu;
    std::vector<std::string> delivered_json;
    std::promise<void> two_calls;
    io_thread io;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    cfg.linger = std::chrono::milliseconds(0);
    ASSERT_FALSE(cfg.connection.set("statistics.interval.ms", "50"));
    cfg.connection.statistics_callback = [&](const std::string& j) {
        std::lock_guard lock(mu);
        delivered_json.push_back(j);
        if (delivered_json.size() == 2) two_calls.set_value();
    };
    auto p = std::make_unique<producer>(io.io().get_executor(), cfg);
    send_to(*p, "slowed", 0, 10);
    send_to(*p, "slowed", 1, 10);

    const producer_stats s = p->stats();
    const broker_metrics* slow = broker_of(s.brokers, 1);
    const broker_metrics* fast = broker_of(s.brokers, 2);
    ASSERT_TRUE(slow && fast);
    const api_metrics* slow_produce = api_of(*slow, produce_key);
    const api_metrics* fast_produce = api_of(*fast, produce_key);
    ASSERT_TRUE(slow_produce && fast_produce);
    EXPECT_EQ(slow_produce->requests, 10u);  // linger 0 and one at a time: a request per record
    EXPECT_EQ(fast_produce->requests, 10u);
    EXPECT_GE(slow_produce->latency_us.percentile(0.5), slow_ms * 1000u);
    EXPECT_GE(slow_produce->latency_us.min, slow_ms * 1000u);
    EXPECT_LT(fast_produce->latency_us.percentile(0.5), slow_ms * 1000u / 2);
    EXPECT_GE(slow->latency_us.percentile(0.5), slow_ms * 1000u);
    EXPECT_TRUE(slow->connected);
    EXPECT_GE(slow->connects, 1u);
    EXPECT_EQ(slow->connect_failures, 0u);
    EXPECT_GE(slow->requests, slow->responses);
    EXPECT_GT(slow->bytes_out, 0u);
    EXPECT_GT(slow->bytes_in, 0u);
    EXPECT_EQ(slow->in_flight, 0u);
    EXPECT_EQ(s.batches, 20u);
    EXPECT_EQ(s.batch_records.count, 20u);
    EXPECT_EQ(s.batch_records.max, 1u);
    EXPECT_EQ(s.delivery_latency_us.count, 20u);
    EXPECT_GE(s.delivery_latency_us.max, slow_ms * 1000u);
    EXPECT_DOUBLE_EQ(s.compression_ratio(), 1.0);

    // The same in the JSON statistics_json() returns.
    const std::string text_json = p->statistics_json();
    SCOPED_TRACE(text_json);
    if (std::getenv("KASIO_TEST_VERBOSE")) std::printf("%s\n", text_json.c_str());
    const json::value stats = json::parse(text_json);
    EXPECT_EQ(stats.at("type").as_string(), "producer");
    EXPECT_EQ(stats.at("client_id").as_string(), "kasio");
    const json::object* slow_json = json_broker(stats, 1);
    const json::object* fast_json = json_broker(stats, 2);
    ASSERT_TRUE(slow_json && fast_json);
    EXPECT_GE(slow_json->at("apis").at("Produce").at("rtt").at("p50").to_number<std::int64_t>(), slow_ms * 1000);
    EXPECT_LT(fast_json->at("apis").at("Produce").at("rtt").at("p50").to_number<std::int64_t>(), slow_ms * 1000 / 2);
    EXPECT_GE(slow_json->at("rtt").at("p50").to_number<std::int64_t>(), slow_ms * 1000);
    EXPECT_EQ(slow_json->at("req").at("Produce").to_number<std::int64_t>(), 10);
    EXPECT_EQ(slow_json->at("state").as_string(), "UP");
    EXPECT_EQ(stats.at("producer").at("batchcnt").at("cnt").to_number<std::int64_t>(), 20);
    EXPECT_EQ(stats.at("txmsgs").to_number<std::int64_t>(), 20);

    // And the callback's, every statistics.interval.ms.
    ASSERT_EQ(two_calls.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
    {
        std::lock_guard lock(mu);
        for (const auto& j : delivered_json) {
            const json::value v = json::parse(j);
            EXPECT_EQ(v.at("type").as_string(), "producer");
            EXPECT_TRUE(v.at("brokers").is_object());
        }
    }
    p.reset();
    EXPECT_TRUE(io.drain(std::chrono::seconds(30)));
}

TEST_F(observability, consumer_lag_is_the_end_offset_minus_the_position) {
    ASSERT_EQ(cluster().create_topic("lagged", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    constexpr int n = 1000;
    {
        io_thread io;
        producer_config pc;
        pc.bootstrap_servers = {cluster().bootstrap()};
        producer p(io.io().get_executor(), pc);
        for (int i = 0; i < n; ++i) {
            record r;
            r.topic = "lagged";
            r.value = text("v");
            p.async_send(r, [](error_code, delivery) {});
        }
        p.async_flush(asio::use_future).get();
    }
    asio::io_context io;
    consumer_config cc;
    cc.bootstrap_servers = {cluster().bootstrap()};
    cc.auto_offset_reset = offset_reset::earliest;
    cc.max_poll_records = 100;
    auto c = std::make_unique<consumer>(io.get_executor(), cc);
    const topic_partition tp{"lagged", 0};
    c->assign({tp});
    test::record_checker checker;
    checker.check_content = false;
    // The first poll returns at most 100 records: the rest wait in the prefetch buffer.
    std::size_t got = 0;
    bool polled = false;
    c->async_poll([&](error_code ec, fetch_batch b) {
        EXPECT_FALSE(ec) << ec.message();
        for (const auto& r : b) (void)r, ++got;
        polled = true;
    });
    ASSERT_TRUE(test::run_until(io, [&] { return polled; }));
    ASSERT_GT(got, 0u);
    ASSERT_LE(got, 100u);
    checker.next_offset[0] = static_cast<std::int64_t>(got);

    std::optional<std::vector<listed_offset>> ends;
    c->async_end_offsets({tp}, [&](error_code ec, std::vector<listed_offset> o) {
        EXPECT_FALSE(ec) << ec.message();
        ends = std::move(o);
    });
    ASSERT_TRUE(test::run_until(io, [&] { return ends.has_value(); }));
    ASSERT_EQ(ends->size(), 1u);
    ASSERT_TRUE((*ends)[0].offset);
    const std::int64_t end = *(*ends)[0].offset;
    EXPECT_EQ(end, n);
    const auto position = c->position(tp);
    ASSERT_TRUE(position);
    EXPECT_EQ(*position, static_cast<std::int64_t>(got));

    const consumer_stats s = c->stats();
    ASSERT_EQ(s.partitions.size(), 1u);
    EXPECT_EQ(s.partitions[0].position, *position);
    EXPECT_EQ(s.partitions[0].high_watermark, end);
    EXPECT_EQ(s.partitions[0].lag, end - *position);
    EXPECT_EQ(s.lag_max, end - *position);
    EXPECT_EQ(c->lag(tp), end - *position);
    EXPECT_GE(s.fetch_latency_us.count, 1u);

    const json::value stats = json::parse(c->statistics_json());
    EXPECT_EQ(stats.at("type").as_string(), "consumer");
    const auto& part = stats.at("topics").at("lagged").at("partitions").at("0");
    EXPECT_EQ(part.at("consumer_lag").to_number<std::int64_t>(), end - *position);
    EXPECT_EQ(part.at("hi_offset").to_number<std::int64_t>(), end);
    EXPECT_EQ(part.at("app_offset").to_number<std::int64_t>(), *position);
    EXPECT_FALSE(stats.as_object().contains("cgrp"));  // no group

    // Read to the end: the lag is 0.
    ASSERT_FALSE(test::consume_until(io, *c, checker, [&] { return c->position(tp) == end; }));
    const consumer_stats after = c->stats();
    EXPECT_EQ(after.partitions[0].lag, 0);
    EXPECT_EQ(after.lag_max, 0);
    c.reset();
    test::finish_shutdown(io);
}

// Counts every hook call; a hook may be told to throw.
struct counting_hooks : client_hooks {
    std::atomic<int> connects{0}, connect_failures{0}, disconnects{0}, written{0}, read{0}, produce_read{0},
        produce_written{0}, batches{0}, batch_records{0}, fetches{0};
    std::atomic<std::uint64_t> fetched_bytes{0};
    bool throw_on_read = false;

    void on_connect(const broker_ref& b, error_code ec, std::chrono::microseconds) override {
        EXPECT_FALSE(b.address.empty());
        ++(ec ? connect_failures : connects);
    }
    void on_disconnect(const broker_ref&, error_code) override { ++disconnects; }
    void on_request_written(const request_event& e) override {
        ++written;
        if (e.api_key == produce_key) ++produce_written;
        EXPECT_GE(e.bytes, 12u);
    }
    void on_response_read(const response_event& e) override {
        ++read;
        if (e.api_key == produce_key && !e.ec) ++produce_read;
        if (throw_on_read) throw std::runtime_error("hook failure on purpose");
    }
    void on_batch_delivered(const batch_event& e) override {
        EXPECT_FALSE(e.ec) << e.ec.message();
        EXPECT_EQ(e.topic, "hooked");
        EXPECT_GE(e.base_offset, 0);
        ++batches;
        batch_records += static_cast<int>(e.records);
    }
    void on_fetch_received(const fetch_event& e) override {
        EXPECT_EQ(e.topic, "hooked");
        EXPECT_GT(e.high_watermark, 0);
        ++fetches;
        fetched_bytes += e.bytes;
    }
};

TEST_F(observability, hooks_see_every_connection_request_batch_and_fetch) {
    ASSERT_EQ(cluster().create_topic("hooked", 3, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    auto hooks = std::make_shared<counting_hooks>();
    constexpr int n = 300;
    {
        io_thread io;
        producer_config pc;
        pc.bootstrap_servers = {cluster().bootstrap()};
        pc.connection.hooks = hooks;
        auto p = std::make_unique<producer>(io.io().get_executor(), pc);
        for (int i = 0; i < n; ++i) {
            const std::string key = std::to_string(i);
            record r;
            r.topic = "hooked";
            r.key = text(key);
            r.value = text("v");
            p->async_send(r, [](error_code, delivery) {});
        }
        p->async_flush(asio::use_future).get();
        const producer_stats s = p->stats();
        // Counted before the records complete: exact once the flush is done.
        EXPECT_EQ(hooks->batches.load(), static_cast<int>(s.batches));
        EXPECT_EQ(hooks->batch_records.load(), n);
        EXPECT_EQ(hooks->produce_read.load(), static_cast<int>(s.requests));
        p.reset();
        ASSERT_TRUE(io.drain(std::chrono::seconds(30)));
        // Every write's hook has run once the context ran out of work.
        std::uint64_t requests = 0, completed = 0;
        for (const auto& b : s.brokers) {
            requests += b.requests;
            for (const auto& a : b.apis) completed += a.requests;
        }
        EXPECT_EQ(hooks->produce_written.load(), static_cast<int>(s.requests));
        EXPECT_GE(hooks->written.load(), static_cast<int>(requests));
        EXPECT_GE(hooks->read.load(), static_cast<int>(completed));
        EXPECT_GE(hooks->connects.load(), 2);  // the bootstrap connection, then the leaders'
        EXPECT_EQ(hooks->connect_failures.load(), 0);
    }

    asio::io_context io;
    consumer_config cc;
    cc.bootstrap_servers = {cluster().bootstrap()};
    cc.auto_offset_reset = offset_reset::earliest;
    cc.connection.hooks = hooks;
    auto c = std::make_unique<consumer>(io.get_executor(), cc);
    c->assign({{"hooked", 0}, {"hooked", 1}, {"hooked", 2}});
    test::record_checker checker;
    checker.check_content = false;
    std::size_t got = 0;
    ASSERT_FALSE(test::consume_until(io, *c, checker, [&] { return (got = checker.count) >= n; }));
    EXPECT_EQ(got, static_cast<std::size_t>(n));
    const consumer_stats s = c->stats();
    EXPECT_GE(hooks->fetches.load(), 3);
    EXPECT_EQ(hooks->fetched_bytes.load(), s.bytes);
    c.reset();
    test::finish_shutdown(io);
}

TEST_F(observability, a_hook_that_throws_is_logged_and_the_client_goes_on) {
    ASSERT_EQ(cluster().create_topic("hooked", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    auto hooks = std::make_shared<counting_hooks>();
    hooks->throw_on_read = true;
    std::atomic<int> logged{0};
    io_thread io;
    producer_config pc;
    pc.bootstrap_servers = {cluster().bootstrap()};
    pc.connection.hooks = hooks;
    pc.connection.log.level = log_level::error;
    pc.connection.log.sink = [&](log_level, std::string_view line) {
        if (line.find("hook on_response_read threw: hook failure on purpose") != std::string_view::npos) ++logged;
    };
    auto p = std::make_unique<producer>(io.io().get_executor(), pc);
    send_to(*p, "hooked", 0, 5);
    EXPECT_GE(logged.load(), 5);
    EXPECT_EQ(p->stats().records_delivered, 5u);
    p.reset();
    EXPECT_TRUE(io.drain(std::chrono::seconds(30)));
}

TEST_F(observability, metrics_enabled_false_keeps_the_counters_and_drops_histograms_brokers_and_hooks) {
    ASSERT_EQ(cluster().create_topic("quiet", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    auto hooks = std::make_shared<counting_hooks>();
    io_thread io;
    producer_config pc;
    pc.bootstrap_servers = {cluster().bootstrap()};
    pc.connection.hooks = hooks;
    ASSERT_FALSE(pc.connection.set("metrics.enabled", "false"));
    auto p = std::make_unique<producer>(io.io().get_executor(), pc);
    send_to(*p, "quiet", 0, 5);
    const producer_stats s = p->stats();
    EXPECT_EQ(s.records_delivered, 5u);
    EXPECT_EQ(s.batches, 5u);
    EXPECT_TRUE(s.brokers.empty());
    EXPECT_EQ(s.batch_records.count, 0u);
    EXPECT_EQ(s.delivery_latency_us.count, 0u);
    p.reset();
    EXPECT_TRUE(io.drain(std::chrono::seconds(30)));
    EXPECT_EQ(hooks->connects.load(), 0);
    EXPECT_EQ(hooks->written.load(), 0);
    EXPECT_EQ(hooks->batches.load(), 0);
}

TEST_F(observability, statistics_settings_are_refused_when_the_client_is_made) {
    producer_config pc;
    pc.bootstrap_servers = {cluster().bootstrap()};
    error_context why;
    EXPECT_EQ(pc.connection.set("statistics.interval.ms", "86400001", why), client_errc::invalid_config);
    EXPECT_EQ(why.property, "statistics.interval.ms");
    EXPECT_NE(why.message.find("0..86400000"), std::string::npos) << why.message;
    EXPECT_EQ(pc.connection.set("metrics.enabled", "maybe", why), client_errc::invalid_config);
    EXPECT_EQ(why.property, "metrics.enabled");

    // An interval with nothing to call.
    pc.connection.statistics_interval = std::chrono::milliseconds(1000);
    asio::io_context io;
    try {
        producer p(io.get_executor(), pc);
        ADD_FAILURE() << "a producer with statistics.interval.ms and no statistics_callback was made";
    } catch (const config_error& e) {
        EXPECT_EQ(e.info().context.property, "statistics.interval.ms");
        EXPECT_NE(std::string(e.what()).find("statistics_callback"), std::string::npos) << e.what();
    }
    consumer_config cc;
    cc.bootstrap_servers = {cluster().bootstrap()};
    cc.connection.statistics_interval = std::chrono::milliseconds(-5);
    cc.connection.statistics_callback = [](const std::string&) {};
    try {
        consumer c(io.get_executor(), cc);
        ADD_FAILURE() << "a consumer with a negative statistics.interval.ms was made";
    } catch (const config_error& e) {
        EXPECT_EQ(e.info().context.property, "statistics.interval.ms");
    }
}

}  // namespace
}  // namespace kasio

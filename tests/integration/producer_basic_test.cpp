// The producer end to end against librdkafka 2.14's mock cluster: records sent from the test
// thread while the io_context runs on another, delivered with offsets, read back by librdkafka.
#include "producer_test_support.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <future>
#include <map>
#include <mutex>

namespace kasio::test {
namespace {

namespace asio = boost::asio;

class producer_basic : public mock_cluster_test {};

TEST_F(producer_basic, delivers_keyed_records_with_increasing_offsets_per_partition) {
    constexpr std::int32_t partitions = 3;
    ASSERT_EQ(cluster().create_topic("basic", partitions, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    const std::size_t n = scaled(20000);
    io_thread io;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    auto p = std::make_unique<producer>(io.io().get_executor(), cfg);

    std::mutex mu;
    std::map<std::int32_t, std::int64_t> last_offset;
    std::size_t bad_offsets = 0;
    delivery_counter counter;
    record_generator gen{"basic"};
    for (std::size_t i = 0; i < n; ++i) {
        p->async_send(gen.make(i), [&, h = counter.handler()](error_code ec, delivery d) {
            if (!ec) {
                std::lock_guard lock(mu);
                auto [it, fresh] = last_offset.try_emplace(d.partition, -1);
                if (d.offset <= it->second) ++bad_offsets;
                it->second = d.offset;
            }
            h(ec, d);
        });
    }
    p->async_flush(asio::use_future).get();
    EXPECT_EQ(counter.ok.load(), n) << "first error: " << counter.error();
    EXPECT_EQ(counter.failed.load(), 0u);
    EXPECT_EQ(bad_offsets, 0u);
    const producer_stats s = p->stats();
    EXPECT_EQ(s.records_sent, n);
    EXPECT_EQ(s.records_delivered, n);
    EXPECT_EQ(s.buffer_bytes, 0u);
    p.reset();
    io.stop();

    expect_every_record_once_in_order(cluster().bootstrap(), gen, partitions, n);
}

// Found against real Kafka: close() right after the first sends to a topic failed them with
// connection_closed while they waited for the topic's metadata. A send accepted before close
// is delivered, wherever it waits.
TEST_F(producer_basic, close_right_after_sends_to_a_new_topic_delivers_them) {
    ASSERT_EQ(cluster().create_topic("fresh", 2, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    io_thread io;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    producer p(io.io().get_executor(), cfg);
    delivery_counter counter;
    record_generator gen{"fresh"};
    for (std::size_t i = 0; i < 100; ++i) p.async_send(gen.make(i), counter.handler());
    std::future<void> closed = p.async_close(std::chrono::seconds(30), asio::use_future);
    EXPECT_NO_THROW(closed.get());
    EXPECT_EQ(counter.ok.load(), 100u) << "first error: " << counter.error();
    EXPECT_EQ(counter.failed.load(), 0u);
    io.stop();
    expect_every_record_once_in_order(cluster().bootstrap(), gen, 2, 100);
}

// metadata.max.idle.ms (Java's): a topic nothing was sent to for that long leaves the Metadata
// requests; the next send to it asks for it again and is delivered.
TEST_F(producer_basic, an_idle_topic_leaves_metadata_requests_and_returns_with_the_next_send) {
    ASSERT_EQ(cluster().create_topic("idle", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    io_thread io;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    ASSERT_FALSE(cfg.set("metadata.max.idle.ms", "5000"));  // Java's minimum
    ASSERT_FALSE(cfg.set("metadata.max.age.ms", "500"));    // refreshes wake the sender often
    EXPECT_TRUE(cfg.set("metadata.max.idle.ms", "4999"));   // below the minimum: refused
    auto retired = std::make_shared<std::promise<void>>();
    auto back = std::make_shared<std::promise<void>>();
    cfg.connection.log = {log_level::debug, [retired, back, once = std::make_shared<std::once_flag>(),
                                             again = std::make_shared<std::once_flag>()](log_level, std::string_view line) {
                              if (line.find("left out of Metadata requests") != std::string_view::npos &&
                                  line.find("idle") != std::string_view::npos)
                                  std::call_once(*once, [&] { retired->set_value(); });
                              if (line.find("topic idle is in use again") != std::string_view::npos)
                                  std::call_once(*again, [&] { back->set_value(); });
                          }};
    producer p(io.io().get_executor(), cfg);
    delivery_counter counter;
    record_generator gen{"idle"};
    p.async_send(gen.make(0), counter.handler());
    p.async_flush(asio::use_future).get();
    ASSERT_EQ(counter.ok.load(), 1u) << counter.error();
    ASSERT_EQ(retired->get_future().wait_for(std::chrono::seconds(60)), std::future_status::ready)
        << "the idle topic never left the Metadata requests";
    p.async_send(gen.make(1), counter.handler());
    p.async_flush(asio::use_future).get();
    EXPECT_EQ(back->get_future().wait_for(std::chrono::seconds(0)), std::future_status::ready);
    EXPECT_EQ(counter.ok.load(), 2u) << counter.error();
    p.async_close(std::chrono::seconds(10), asio::use_future).get();
    io.stop();
    expect_every_record_once_in_order(cluster().bootstrap(), gen, 1, 2);
}

TEST_F(producer_basic, coroutine_send_reports_partition_and_offset) {
    ASSERT_EQ(cluster().create_topic("coro", 2, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    asio::io_context io;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    producer p(io.get_executor(), cfg);
    std::vector<delivery> got;
    error_code last_ec;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            for (std::int64_t i = 0; i < 3; ++i) {
                record r;
                r.topic = "coro";
                r.partition = 1;
                r.value = bytes_of("x");
                auto [ec, d] = co_await p.async_send(r, asio::as_tuple(asio::deferred));
                last_ec = ec;
                got.push_back(d);
            }
            co_await p.async_close(std::chrono::seconds(5), asio::deferred);
        },
        [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
    io.run_for(std::chrono::seconds(30));
    EXPECT_FALSE(last_ec) << last_ec.message();
    ASSERT_EQ(got.size(), 3u);
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].partition, 1);
        EXPECT_EQ(got[i].offset, static_cast<std::int64_t>(i));
    }
}

TEST_F(producer_basic, bad_config_is_refused_by_the_constructor) {
    producer_config cfg;
    EXPECT_EQ(cfg.set("compression.type", "brotli"), client_errc::invalid_config);
    EXPECT_EQ(cfg.set("no.such.property", "1"), client_errc::invalid_config);
    EXPECT_FALSE(cfg.set("linger.ms", "0"));
    EXPECT_FALSE(cfg.set("reconnect.backoff.ms", "10"));  // a pool property
    EXPECT_EQ(cfg.reconnect_backoff, std::chrono::milliseconds(10));
    EXPECT_FALSE(cfg.set("client.id", "me"));  // a connection property
    EXPECT_EQ(cfg.connection.client_id, "me");
    asio::io_context io;
    try {
        producer p(io.get_executor(), cfg);  // no bootstrap.servers
        FAIL() << "a producer was made without bootstrap.servers";
    } catch (const config_error& e) {
        EXPECT_EQ(e.code(), client_errc::invalid_config);
        EXPECT_EQ(e.info().context.property, "bootstrap.servers");
    }
}

// Java's rule (KIP-679): idempotence left unset yields to acks=1 instead of failing; the records
// are delivered without a producer id.
TEST_F(producer_basic, unset_idempotence_yields_to_acks_1_and_sends_work) {
    ASSERT_EQ(cluster().create_topic("acks1", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    io_thread io;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    ASSERT_FALSE(cfg.set("acks", "1"));
    ASSERT_FALSE(cfg.enable_idempotence.has_value());
    auto p = std::make_unique<producer>(io.io().get_executor(), cfg);
    delivery_counter counter;
    record_generator gen{"acks1"};
    constexpr std::size_t n = 10;
    for (std::size_t i = 0; i < n; ++i) p->async_send(gen.make(i), counter.handler());
    p->async_flush(asio::use_future).get();
    EXPECT_EQ(counter.ok.load(), n) << "first error: " << counter.error();
    EXPECT_EQ(counter.failed.load(), 0u);
    p.reset();
    io.stop();
    expect_every_record_once_in_order(cluster().bootstrap(), gen, 1, n);
}

}  // namespace
}  // namespace kasio::test

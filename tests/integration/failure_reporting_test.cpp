// Failures reach the application with their cause, never as silence or a bare "timed out":
// an unreachable cluster (producer: all_brokers_down after max.block.ms; consumer: poll reports
// the outage once and recovers), invalid topic names (at once), a producer id the cluster
// refuses (every send fails with that refusal), a Produce error the broker will not get past
// (the close says the records failed), a subscription without a group id, and a delivery
// callback that throws (the rest of its batch is still delivered). Each error's context names
// the topic, partition, broker, request or property behind it.
#include "consumer_support.hpp"
#include "producer_test_support.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>

namespace kasio::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// A loopback port nobody listens on: bound once by the kernel's choice, then closed.
int closed_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

struct send_result {
    error_code ec;
    delivery d;
};

std::future<send_result> send_one(producer& p, const record& r) {
    auto promise = std::make_shared<std::promise<send_result>>();
    auto f = promise->get_future();
    p.async_send(r, [promise](error_code ec, delivery d) { promise->set_value({ec, std::move(d)}); });
    return f;
}

record record_for(std::string_view topic, std::string_view value) {
    record r;
    r.topic = topic;
    r.value = bytes_of(value);
    return r;
}

TEST(failure_reporting, a_send_to_an_unreachable_cluster_fails_with_all_brokers_down_after_max_block) {
    io_thread io;
    const std::string address = "127.0.0.1:" + std::to_string(closed_port());
    producer_config cfg;
    cfg.bootstrap_servers = {address};
    ASSERT_FALSE(cfg.set("max.block.ms", "500"));
    producer p(io.io().get_executor(), cfg);
    auto f = send_one(p, record_for("t", "v"));
    ASSERT_EQ(f.wait_for(30s), std::future_status::ready) << "the send never completed";
    const send_result r = f.get();
    EXPECT_EQ(r.ec, client_errc::all_brokers_down) << r.ec.message();
    ASSERT_TRUE(r.d.context);
    EXPECT_EQ(r.d.context->topic, "t");
    EXPECT_EQ(r.d.context->broker, address);
    EXPECT_NE(r.d.context->message.find("max.block.ms=500"), std::string::npos) << r.d.context->message;
    EXPECT_EQ(p.last_error().code, client_errc::all_brokers_down);
}

TEST(failure_reporting, invalid_topic_names_fail_at_once_with_invalid_topic_exception) {
    io_thread io;
    producer_config cfg;
    cfg.bootstrap_servers = {"127.0.0.1:" + std::to_string(closed_port())};
    producer p(io.io().get_executor(), cfg);  // max.block.ms stays 60 s: these must not wait it out
    const std::string too_long(250, 'x');
    for (std::string_view name : {std::string_view(), std::string_view(".."), std::string_view("a b"),
                                  std::string_view(too_long)}) {
        auto f = send_one(p, record_for(name, "v"));
        ASSERT_EQ(f.wait_for(30s), std::future_status::ready) << "'" << name << "' waited";
        const send_result r = f.get();
        EXPECT_EQ(r.ec, broker_errc::invalid_topic_exception) << "'" << name << "': " << r.ec.message();
        ASSERT_TRUE(r.d.context);
        EXPECT_NE(r.d.context->message.find("topic name"), std::string::npos) << r.d.context->message;
    }
}

TEST(failure_reporting, subscribe_without_a_group_id_fails_poll_naming_group_id) {
    asio::io_context io;
    consumer_config cfg;
    cfg.bootstrap_servers = {"127.0.0.1:" + std::to_string(closed_port())};
    auto consumer_ptr = std::make_unique<consumer>(io.get_executor(), cfg);
    consumer& c = *consumer_ptr;
    c.subscribe({"t"});
    bool done = false;
    error_code ec;
    std::string property;
    c.async_poll([&](error_code e, fetch_batch b) {
        ec = e;
        property = b.context().property;
        done = true;
    });
    ASSERT_TRUE(run_until(io, [&] { return done; }));
    EXPECT_EQ(ec, client_errc::invalid_config);
    EXPECT_EQ(property, "group.id");
    EXPECT_EQ(c.last_error().code, client_errc::invalid_config);
    consumer_ptr.reset();
    finish_shutdown(io);
}

class failure_reporting_mock : public mock_cluster_test {};

TEST_F(failure_reporting_mock, poll_reports_an_outage_once_and_returns_records_when_the_cluster_is_back) {
    ASSERT_EQ(cluster().create_topic("outage", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    asio::io_context io;
    consumer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    ASSERT_FALSE(cfg.set("auto.offset.reset", "earliest"));
    ASSERT_FALSE(cfg.set("reconnect.backoff.max.ms", "100"));
    consumer c(io.get_executor(), cfg);
    c.assign({{"outage", 0}});
    for (int b = 1; b <= cluster().broker_count(); ++b) ASSERT_EQ(cluster().broker_down(b), RD_KAFKA_RESP_ERR_NO_ERROR);

    bool done = false;
    error_code ec;
    error_context context;
    c.async_poll([&](error_code e, fetch_batch b) {
        ec = e;
        context = b.context();
        done = true;
    });
    ASSERT_TRUE(run_until(io, [&] { return done; })) << "no poll completion while every broker is down";
    EXPECT_EQ(ec, client_errc::all_brokers_down) << ec.message();
    EXPECT_FALSE(context.broker.empty());
    EXPECT_EQ(context.api, "Metadata");

    // The consumer keeps trying: the next poll waits for records, not for another report.
    std::size_t records = 0;
    error_code second;
    done = false;
    c.async_poll([&](error_code e, fetch_batch b) {
        second = e;
        records = b.size();
        done = true;
    });
    for (int b = 1; b <= cluster().broker_count(); ++b) ASSERT_EQ(cluster().broker_up(b), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(produce_records(cluster().bootstrap(), "outage", 5, writer_options{}), 5u);
    ASSERT_TRUE(run_until(io, [&] { return done; }));
    EXPECT_FALSE(second) << second.message();
    EXPECT_GT(records, 0u);
    c.async_close([](error_code) {});
    finish_shutdown(io);
}

TEST_F(failure_reporting_mock, a_refused_producer_id_fails_every_send_with_the_refusal) {
    ASSERT_EQ(cluster().create_topic("refused", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    cluster().push_request_errors(22, {RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED});  // InitProducerId
    io_thread io;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    producer p(io.io().get_executor(), cfg);
    for (int i = 0; i < 2; ++i) {  // one queued before the refusal or after it, one later
        auto f = send_one(p, record_for("refused", "v"));
        ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
        const send_result r = f.get();
        EXPECT_EQ(r.ec, broker_errc::cluster_authorization_failed) << r.ec.message();
        ASSERT_TRUE(r.d.context);
        EXPECT_EQ(r.d.context->api, "InitProducerId");
    }
}

TEST_F(failure_reporting_mock, close_reports_records_the_broker_refused_with_their_context) {
    ASSERT_EQ(cluster().create_topic("denied", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    io_thread io;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    ASSERT_FALSE(cfg.set("linger.ms", "600000"));  // held in its batch until the close
    producer p(io.io().get_executor(), cfg);
    // Metadata and the producer id first, so that the refusal meets the Produce request.
    auto warm = send_one(p, record_for("denied", "warm"));
    p.async_flush(asio::use_future).get();
    ASSERT_FALSE(warm.get().ec);

    auto f = send_one(p, record_for("denied", "v"));
    cluster().push_request_errors(0, {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED});  // Produce
    std::promise<error_code> closed;
    p.async_close(10s, [&](error_code ec) { closed.set_value(ec); });
    auto close_result = closed.get_future();
    ASSERT_EQ(close_result.wait_for(30s), std::future_status::ready);
    EXPECT_EQ(close_result.get(), broker_errc::topic_authorization_failed);
    const send_result r = f.get();
    EXPECT_EQ(r.ec, broker_errc::topic_authorization_failed);
    ASSERT_TRUE(r.d.context);
    EXPECT_EQ(r.d.context->api, "Produce");
    EXPECT_EQ(r.d.context->topic, "denied");
    EXPECT_EQ(r.d.context->partition, 0);
    EXPECT_GE(r.d.context->node_id, 1);
    EXPECT_FALSE(r.d.context->broker.empty());
}

TEST_F(failure_reporting_mock, a_throwing_delivery_callback_costs_the_rest_of_its_batch_nothing) {
    ASSERT_EQ(cluster().create_topic("throwing", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    io_thread io;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    ASSERT_FALSE(cfg.set("linger.ms", "600000"));  // one batch, sent by the flush
    std::mutex log_mutex;
    std::vector<std::string> errors;
    cfg.connection.log = {log_level::error, [&](log_level, std::string_view line) {
                              std::lock_guard lock(log_mutex);
                              errors.emplace_back(line);
                          }};
    producer p(io.io().get_executor(), cfg);
    constexpr int n = 50;
    std::atomic<int> delivered{0}, failed{0};
    for (int i = 0; i < n; ++i) {
        p.async_send(record_for("throwing", "v"), [&, i](error_code ec, delivery) {
            if (ec) ++failed;
            else ++delivered;
            if (i % 10 == 3) throw std::runtime_error("application bug " + std::to_string(i));
        });
    }
    p.async_flush(asio::use_future).get();
    EXPECT_EQ(delivered.load(), n);
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(p.stats().callback_errors, 5u);
    {
        std::lock_guard lock(log_mutex);
        ASSERT_FALSE(errors.empty());
        EXPECT_NE(errors.front().find("application bug 3"), std::string::npos) << errors.front();
    }
    // The producer goes on.
    auto f = send_one(p, record_for("throwing", "after"));
    p.async_flush(asio::use_future).get();
    EXPECT_FALSE(f.get().ec);
}

TEST_F(failure_reporting_mock, close_delivers_the_sends_still_waiting_for_memory) {
    ASSERT_EQ(cluster().create_topic("tight", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    io_thread io;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    ASSERT_FALSE(cfg.set("buffer.memory", "100000"));
    producer p(io.io().get_executor(), cfg);
    auto warm = send_one(p, record_for("tight", "warm"));  // metadata known: later sends append
    ASSERT_FALSE(warm.get().ec);
    const std::string value(100, 'x');
    constexpr std::size_t n = 1000;  // ~1.5x buffer.memory: a third waits for memory
    std::atomic<std::size_t> ok{0}, failed{0};
    std::size_t peak_waiting = 0;
    for (std::size_t i = 0; i < n; ++i) {
        p.async_send(record_for("tight", value), [&](error_code ec, delivery) { ++(ec ? failed : ok); });
        // waiting_sends(), not stats(): a loop slowed by copying every histogram would let the
        // producer drain the buffer as fast as it fills.
        peak_waiting = std::max(peak_waiting, p.waiting_sends());
    }
    std::promise<error_code> closed;
    p.async_close(60s, [&](error_code ec) { closed.set_value(ec); });
    auto f = closed.get_future();
    ASSERT_EQ(f.wait_for(90s), std::future_status::ready);
    EXPECT_FALSE(f.get());
    EXPECT_GT(peak_waiting, 0u);  // some did wait for memory at the close
    EXPECT_EQ(ok.load(), n);
    EXPECT_EQ(failed.load(), 0u);
}

TEST_F(failure_reporting_mock, a_log_sink_that_always_throws_costs_only_its_lines) {
    ASSERT_EQ(cluster().create_topic("noisy", 2, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    auto throwing_sink = [](log_level, std::string_view) { throw std::runtime_error("sink broke"); };
    {
        io_thread io;
        producer_config cfg;
        cfg.bootstrap_servers = {cluster().bootstrap()};
        ASSERT_FALSE(cfg.set("debug", "all"));  // a line for every request: the sink throws each time
        cfg.connection.log.sink = throwing_sink;
        producer p(io.io().get_executor(), cfg);
        std::vector<std::future<send_result>> sends;
        for (int i = 0; i < 20; ++i) sends.push_back(send_one(p, record_for("noisy", "v")));
        std::promise<error_code> closed;
        p.async_close(30s, [&](error_code ec) { closed.set_value(ec); });
        auto f = closed.get_future();
        ASSERT_EQ(f.wait_for(60s), std::future_status::ready);
        EXPECT_FALSE(f.get());
        for (auto& s : sends) EXPECT_FALSE(s.get().ec);
    }
    asio::io_context io;
    consumer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    ASSERT_FALSE(cfg.set("debug", "all"));
    ASSERT_FALSE(cfg.set("auto.offset.reset", "earliest"));
    cfg.connection.log.sink = throwing_sink;
    auto c = std::make_unique<consumer>(io.get_executor(), cfg);
    c->assign({{"noisy", 0}, {"noisy", 1}});
    std::size_t records = 0;
    error_code ec;
    std::function<void()> poll = [&] {
        c->async_poll([&](error_code e, fetch_batch b) {
            ec = e;
            records += b.size();
            if (!e && records < 20) poll();
        });
    };
    poll();
    ASSERT_TRUE(run_until(io, [&] { return records >= 20 || ec; }));
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(records, 20u);
    c.reset();
    finish_shutdown(io);
}

}  // namespace
}  // namespace kasio::test

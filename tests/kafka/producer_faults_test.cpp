// The idempotent producer against a real Kafka cluster while brokers fail: a partition leader
// SIGKILLed and restarted, a broker SIGSTOPped for longer than request.timeout.ms and resumed,
// leadership moved back by a preferred-leader election. An independent reader (the Java
// client, read_committed) then finds every record exactly once and in send order per
// partition. Unlike librdkafka's mock, the broker checks producer sequences, so a retry that
// overtakes an earlier batch is refused (OUT_OF_ORDER_SEQUENCE_NUMBER) instead of reordering.
#include "kafka_cluster.hpp"
#include "kasio_clients.hpp"

#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <thread>

namespace kasio::test::kafka {
namespace {

std::size_t scaled(std::size_t n) {
    const char* s = std::getenv("KASIO_TEST_SCALE");
    return std::max<std::size_t>(1000, static_cast<std::size_t>(static_cast<double>(n) * (s ? std::atof(s) : 1.0)));
}

/// Lets the producing thread run up to a mark, then holds it until the fault thread says go:
/// each fault happens with records in flight and more records sent while it lasts.
class gate {
public:
    void open_until(std::size_t mark) {
        std::lock_guard lock(m_);
        limit_ = mark;
        cv_.notify_all();
    }
    void wait_for(std::size_t n) {
        std::unique_lock lock(m_);
        cv_.wait(lock, [&] { return n < limit_; });
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    std::size_t limit_ = 0;
};

TEST(producer_faults_real_kafka, idempotent_five_in_flight_survives_kill_stop_and_leader_moves) {
    const std::size_t n = scaled(1000000);
    constexpr int partitions = 12;
    constexpr auto request_timeout = std::chrono::milliseconds(10000);
    const std::string topic = unique_topic("faults");
    create_topic(topic, partitions);
    cluster_restorer restore;

    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    ASSERT_FALSE(cfg.set("enable.idempotence", "true"));
    ASSERT_FALSE(cfg.set("acks", "all"));
    ASSERT_FALSE(cfg.set("max.in.flight.requests.per.connection", "5"));
    ASSERT_FALSE(cfg.set("request.timeout.ms", std::to_string(request_timeout.count())));
    ASSERT_FALSE(cfg.set("delivery.timeout.ms", "300000"));

    io_thread io;
    producer p(io.io().get_executor(), cfg);
    std::atomic<std::size_t> sent{0}, delivered{0}, failed{0}, done{0};
    std::atomic<int> first_error{0};
    gate g;
    g.open_until(n / 10);

    std::thread sender([&] {
        std::string value;
        for (std::size_t i = 0; i < n; ++i) {
            g.wait_for(i);
            // Value: the record's number, padded to 100 bytes; the reader parses the number.
            value = std::to_string(i);
            value.resize(100, '.');
            record r;
            r.topic = topic;
            r.partition = static_cast<std::int32_t>(i % partitions);
            r.value = bytes_of(value);
            p.async_send(r, [&](error_code ec, delivery) {
                if (ec) {
                    if (failed++ == 0) first_error = ec.value();
                } else {
                    ++delivered;
                }
                ++done;
                done.notify_all();
            });
            ++sent;
            sent.notify_all();
            // Bounded outstanding records, as an application with a send window.
            for (std::size_t d = done.load(); i + 1 > d + 200000; d = done.load()) done.wait(d);
        }
    });

    // Waits until the sender has handed `mark` records to the producer (they may be in flight).
    auto wait_sent = [&](std::size_t mark) {
        for (std::size_t s = sent.load(); s < mark; s = sent.load()) sent.wait(s);
    };
    std::ostringstream timeline;
    auto note = [&](const std::string& what) {
        timeline << what << " (sent " << sent.load() << ", outstanding " << sent.load() - done.load() << "); ";
    };

    // (a) SIGKILL the leader of partition 0 with records in flight, send 20 % more while it is
    // down, then restart it while another 10 % go out.
    // Each fault starts right after the gate opens, with records flowing.
    const int killed = leaders_of(topic).at(0);
    wait_sent(n / 10);
    g.open_until(n * 3 / 10);
    broker_action("kill", killed);
    note("killed broker " + std::to_string(killed));
    wait_sent(n * 3 / 10);
    g.open_until(n * 4 / 10);
    broker_action("start-broker", killed);
    note("restarted it");

    // (b) SIGSTOP the leader of partition 1 for longer than request.timeout.ms while 20 % more
    // are sent, then resume it.
    const int paused = leaders_of(topic).at(1);
    wait_sent(n * 4 / 10);
    g.open_until(n * 6 / 10);
    broker_action("pause", paused);
    note("paused broker " + std::to_string(paused));
    std::this_thread::sleep_for(request_timeout + std::chrono::seconds(5));  // the fault's length
    broker_action("resume", paused);
    note("resumed it");

    // (c) Leadership moves: a preferred-leader election gives the restarted and resumed
    // brokers their partitions back while the rest is sent.
    const auto before = leaders_of(topic);
    wait_sent(n * 6 / 10);
    g.open_until(n);
    EXPECT_EQ(run_peer("elect-leaders", {"--topic", topic}).status, 0);
    const auto after = leaders_of(topic);
    int moved = 0;
    for (std::size_t i = 0; i < before.size() && i < after.size(); ++i) moved += before[i] != after[i];
    note("election moved " + std::to_string(moved) + " leaders");

    sender.join();
    const error_code closed = result_of(p.async_close(std::chrono::seconds(300), boost::asio::use_future));
    const producer_stats stats = p.stats();
    std::ostringstream errors;
    for (const auto& [ec, count] : stats.batch_errors) errors << ec.message() << ": " << count << "; ";
    std::cout << "faults: " << timeline.str() << "\nproducer: " << stats.records_delivered << " delivered, "
              << stats.records_failed << " failed, " << stats.requests << " requests, " << stats.batches
              << " batches, " << stats.retries << " retries; batch errors: " << errors.str() << "\n";

    EXPECT_FALSE(closed) << closed.message();
    EXPECT_EQ(failed.load(), 0u) << "first error " << first_error.load();
    EXPECT_EQ(delivered.load(), n);

    const peer_result check = peer_ok("verify-seq", {"--topic", topic, "--expect", std::to_string(n),
                                                     "--config", "isolation.level=read_committed", "--timeout-ms", "300000"});
    ASSERT_EQ(check.lines.size(), 1u) << check.errors;
    const json& v = check.lines[0];
    std::cout << "reader: " << v["records"].as_int() << " records, lost " << v["lost"].as_int() << ", duplicated "
              << v["duplicated"].as_int() << ", reordered " << v["reordered"].as_int() << "\n";
    EXPECT_EQ(v["records"].as_int(), static_cast<std::int64_t>(n));
    EXPECT_EQ(v["lost"].as_int(), 0);
    EXPECT_EQ(v["duplicated"].as_int(), 0);
    EXPECT_EQ(v["reordered"].as_int(), 0) << v["first_reorder"].as_string();
    EXPECT_EQ(v["out_of_range"].as_int(), 0);
}

}  // namespace
}  // namespace kasio::test::kafka

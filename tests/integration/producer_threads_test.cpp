// The producer on an io_context run by four threads, sending from two application threads with
// every debug context logged: each record is delivered once, intact and in order, and the log
// sink, called from several threads at once (connection strands, the producer's strand, the
// senders inside send()), needs nothing but its own mutex (log.hpp). tests/tsan.sh runs it under
// ThreadSanitizer.
#include "io_thread.hpp"
#include "producer_test_support.hpp"

#include <kasio/producer.hpp>

#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

namespace kasio {
namespace {

using test::delivery_counter;
using test::record_generator;

class producer_threads : public test::mock_cluster_test {};

TEST_F(producer_threads, two_sending_threads_with_a_debug_log_sink_deliver_every_record) {
    constexpr std::int32_t partitions = 3;
    ASSERT_EQ(cluster().create_topic("threads-a", partitions), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().create_topic("threads-b", partitions), RD_KAFKA_RESP_ERR_NO_ERROR);
    const std::size_t n = test::scaled(10000);

    // The application's sink: thread-safe through its own mutex, as log.hpp asks.
    struct sink_state {
        std::mutex mu;
        std::size_t lines = 0;
        std::size_t empty = 0;
        std::set<std::thread::id> threads;
    } logged;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    ASSERT_FALSE(cfg.set("compression.type", "zstd"));
    cfg.connection.log.sink = [&logged](log_level, std::string_view line) {
        std::lock_guard lock(logged.mu);
        ++logged.lines;
        if (line.empty()) ++logged.empty;
        logged.threads.insert(std::this_thread::get_id());
    };
    ASSERT_FALSE(cfg.set("debug", "all"));

    test::io_threads io(4);
    auto p = std::make_unique<producer>(io.io().get_executor(), cfg);
    delivery_counter counter;
    // One topic per sending thread: the order per partition is that thread's order of sends.
    auto sender = [&](const std::string& topic) {
        record_generator gen{topic};
        for (std::size_t i = 0; i < n; ++i) p->async_send(gen.make(i), counter.handler());
    };
    std::thread a(sender, "threads-a"), b(sender, "threads-b");
    a.join();
    b.join();
    p->async_flush(boost::asio::use_future).get();
    EXPECT_EQ(counter.ok.load(), 2 * n) << "first error: " << counter.error();
    EXPECT_EQ(counter.failed.load(), 0u);
    p->async_close(std::chrono::seconds(10), boost::asio::use_future).get();
    p.reset();
    io.stop();

    {
        std::lock_guard lock(logged.mu);
        EXPECT_GT(logged.lines, 0u);
        EXPECT_EQ(logged.empty, 0u);
        RecordProperty("sink_threads", static_cast<int>(logged.threads.size()));
    }
    record_generator gen_a{"threads-a"}, gen_b{"threads-b"};
    test::expect_every_record_once_in_order(cluster().bootstrap(), gen_a, partitions, n);
    test::expect_every_record_once_in_order(cluster().bootstrap(), gen_b, partitions, n);
}

}  // namespace
}  // namespace kasio

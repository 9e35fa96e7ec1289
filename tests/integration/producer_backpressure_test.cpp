// buffer.memory backpressure: with every broker stalled (the mock delays each response by
// minutes), queued batches stay within buffer.memory, sends waiting for memory hold at most as
// much again (beyond that they fail at once), and a waiting send fails with buffer_exhausted
// after max.block.ms, its context naming buffer.memory. Destroying the producer then fails everything left: nothing hangs.
#include "producer_test_support.hpp"

namespace kasio::test {
namespace {

namespace asio = boost::asio;

class producer_backpressure : public mock_cluster_test {};

TEST_F(producer_backpressure, memory_stays_bounded_and_sends_fail_after_max_block_with_stalled_brokers) {
    ASSERT_EQ(cluster().create_topic("stalled", 4, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    constexpr std::size_t buffer_memory = 256 * 1024;
    io_thread io;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    ASSERT_FALSE(cfg.set("buffer.memory", std::to_string(buffer_memory)));
    ASSERT_FALSE(cfg.set("max.block.ms", "200"));
    ASSERT_FALSE(cfg.set("request.timeout.ms", "600000"));
    ASSERT_FALSE(cfg.set("delivery.timeout.ms", "600000"));
    auto p = std::make_unique<producer>(io.io().get_executor(), cfg);
    record_generator gen{"stalled"};
    gen.value_size = 100;

    // Metadata and producer id first, then the brokers stall.
    delivery_counter warm;
    p->async_send(gen.make(0), warm.handler());
    p->async_flush(asio::use_future).get();
    ASSERT_EQ(warm.ok.load(), 1u) << warm.error();
    for (int b = 1; b <= cluster().broker_count(); ++b) ASSERT_EQ(cluster().set_rtt(b, 600000), RD_KAFKA_RESP_ERR_NO_ERROR);

    // 20x buffer.memory worth of records.
    const std::size_t n = 20 * buffer_memory / 150;
    std::atomic<std::size_t> exhausted{0}, other_errors{0}, delivered{0}, completed{0}, named_property{0};
    std::size_t peak_buffer = 0, peak_waiting = 0;
    for (std::size_t i = 1; i <= n; ++i) {
        p->async_send(gen.make(i), [&](error_code ec, delivery d) {
            if (ec == client_errc::buffer_exhausted) {
                ++exhausted;
                if (d.context && d.context->property == "buffer.memory" && d.context->topic == "stalled") ++named_property;
            }
            else if (ec) ++other_errors;
            else ++delivered;
            ++completed;
            completed.notify_all();
        });
        const producer_stats s = p->stats();
        peak_buffer = std::max(peak_buffer, s.buffer_bytes);
        peak_waiting = std::max(peak_waiting, s.waiting_bytes);
    }
    EXPECT_LE(peak_buffer, buffer_memory);
    EXPECT_LE(peak_waiting, buffer_memory);
    EXPECT_GT(peak_buffer, buffer_memory / 2);  // it did fill up

    // Those that found neither memory nor room to wait failed at once; those waiting fail after
    // max.block.ms; those in batches wait for the stalled brokers. Wait for all but the latter.
    for (std::size_t c = completed.load(); p->stats().waiting_sends > 0; c = completed.load()) completed.wait(c);
    EXPECT_GT(exhausted.load(), 0u);
    EXPECT_EQ(named_property.load(), exhausted.load());
    EXPECT_EQ(delivered.load(), 0u);
    EXPECT_EQ(p->stats().waiting_sends, 0u);
    EXPECT_EQ(p->stats().waiting_bytes, 0u);
    EXPECT_LE(p->stats().buffer_bytes, buffer_memory);

    // Destroying the producer fails the records stuck in batches.
    p.reset();
    for (std::size_t c = completed.load(); c < n; c = completed.load()) completed.wait(c);
    EXPECT_EQ(completed.load(), n);
    EXPECT_EQ(delivered.load(), 0u);
    EXPECT_GT(other_errors.load(), 0u);  // connection_closed for the queued ones
    io.stop();
}

}  // namespace
}  // namespace kasio::test

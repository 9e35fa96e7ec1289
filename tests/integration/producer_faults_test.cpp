// Faults during a run against librdkafka's mock cluster (3 brokers, replication 3): injected
// retriable Produce errors, partition leaders moved, a broker taken down and brought back.
// Read back by librdkafka afterwards: 0 lost, 0 duplicated, order per partition kept.
//
// Faults are triggered by how many records the test thread has sent (never by time); the test
// thread keeps at most `outstanding` records unacknowledged, so faults hit requests in flight.
#include "producer_test_support.hpp"

#include <string>

namespace kasio::test {
namespace {

namespace asio = boost::asio;

constexpr std::int32_t partitions = 16;

class producer_faults : public mock_cluster_test {};

TEST_F(producer_faults, no_loss_no_duplicates_order_kept_across_errors_leader_moves_and_broker_restart) {
    const std::string topic = "faults";
    ASSERT_EQ(cluster().create_topic(topic, partitions, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    const std::size_t n = scaled(1000000, 10000);
    const std::size_t outstanding = std::max<std::size_t>(n / 20, 1000);

    io_thread io;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    // librdkafka's mock checks producer sequences only for transactional producers: for an
    // idempotent one it appends whatever arrives. With several requests in flight per partition
    // a failed batch's successors would be appended before its retry (a real broker refuses them
    // with OUT_OF_ORDER_SEQUENCE_NUMBER), so this run keeps one request in flight.
    ASSERT_FALSE(cfg.set("max.in.flight.requests.per.connection", "1"));
    ASSERT_FALSE(cfg.set("retry.backoff.ms", "20"));
    ASSERT_FALSE(cfg.set("reconnect.backoff.ms", "20"));
    ASSERT_FALSE(cfg.set("reconnect.backoff.max.ms", "100"));
    auto p = std::make_unique<producer>(io.io().get_executor(), cfg);
    delivery_counter counter;
    record_generator gen{topic};

    for (std::size_t i = 0; i < n; ++i) {
        if (i == n / 10) {
            // Retriable errors on whole Produce requests, whichever broker gets them.
            cluster().push_request_errors(
                0, {RD_KAFKA_RESP_ERR_NOT_LEADER_OR_FOLLOWER, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                    RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_LEADER_OR_FOLLOWER,
                    RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT});
        } else if (i == 3 * n / 10) {
            // Leaders move: the old leader answers NOT_LEADER_OR_FOLLOWER from now on.
            for (std::int32_t q = 0; q < partitions; q += 3)
                ASSERT_EQ(cluster().set_leader(topic, q, 1 + (q + 1) % 3), RD_KAFKA_RESP_ERR_NO_ERROR);
        } else if (i == n / 2) {
            // Nothing in flight when it goes down: the mock does not deduplicate an idempotent
            // producer's retries (see above), so a batch written just before the connection
            // dropped would be appended twice, where a real broker answers DUPLICATE_SEQUENCE.
            p->async_flush(asio::use_future).get();
            ASSERT_EQ(cluster().broker_down(2), RD_KAFKA_RESP_ERR_NO_ERROR);
        } else if (i == n / 2 + outstanding) {
            // About a third of these went to partitions broker 2 leads and wait; the rest are
            // acknowledged, so the test thread never waits for broker 2 before this.
            ASSERT_EQ(cluster().broker_up(2), RD_KAFKA_RESP_ERR_NO_ERROR);
        } else if (i == 7 * n / 10) {
            cluster().push_request_errors(0, {RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT});
            for (std::int32_t q = 1; q < partitions; q += 4)
                ASSERT_EQ(cluster().set_leader(topic, q, 1 + (q + 2) % 3), RD_KAFKA_RESP_ERR_NO_ERROR);
        }
        p->async_send(gen.make(i), counter.handler());
        if (i % 256 == 0) counter.wait_outstanding(i + 1, outstanding);
    }
    p->async_flush(asio::use_future).get();
    EXPECT_EQ(counter.ok.load(), n) << "first error: " << counter.error();
    EXPECT_EQ(counter.failed.load(), 0u);
    const producer_stats s = p->stats();
    EXPECT_GT(s.retries, 0u);  // the faults were seen
    p.reset();
    io.stop();

    expect_every_record_once_in_order(cluster().bootstrap(), gen, partitions, n);
}

}  // namespace
}  // namespace kasio::test

// The consumer through faults on librdkafka 2.14's mock cluster: leaders moving and brokers going
// down mid-stream; consumption resumes with every offset read exactly once.
#include "consumer_support.hpp"
#include "mock_cluster_fixture.hpp"

#include <kasio/consumer.hpp>

#include <gtest/gtest.h>

namespace kasio {
namespace {

using test::record_checker;

class consumer_faults : public test::mock_cluster_test {
protected:
    consumer_config config() {
        consumer_config cfg;
        EXPECT_FALSE(cfg.set("bootstrap.servers", cluster().bootstrap()));
        EXPECT_FALSE(cfg.set("auto.offset.reset", "earliest"));
        EXPECT_FALSE(cfg.set("fetch.max.wait.ms", "50"));
        EXPECT_FALSE(cfg.set("max.poll.records", "100"));
        EXPECT_FALSE(cfg.set("reconnect.backoff.ms", "10"));
        EXPECT_FALSE(cfg.set("retry.backoff.ms", "10"));
        return cfg;
    }
    void TearDown() override { kasio::test::finish_shutdown(io); }
    boost::asio::io_context io;
};

TEST_F(consumer_faults, leader_moves_and_broker_down_resume_without_loss_or_duplicates) {
    ASSERT_EQ(cluster().create_topic("moving", 3, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    for (int p = 0; p < 3; ++p) ASSERT_EQ(cluster().set_leader("moving", p, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    test::writer_options w;
    w.partitions = 3;
    const std::size_t n = 30000;
    ASSERT_EQ(test::produce_records(cluster().bootstrap(), "moving", n, w), n);

    consumer c(io.get_executor(), config());
    c.assign({{"moving", 0}, {"moving", 1}, {"moving", 2}});
    record_checker checker;
    EXPECT_FALSE(test::consume(io, c, checker, n / 3));

    // Leadership moves to broker 2: fetches to broker 1 get NOT_LEADER_OR_FOLLOWER.
    for (int p = 0; p < 3; ++p) ASSERT_EQ(cluster().set_leader("moving", p, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_FALSE(test::consume(io, c, checker, 2 * n / 3));

    // Broker 2 goes down and leadership moves on to broker 3.
    ASSERT_EQ(cluster().broker_down(2), RD_KAFKA_RESP_ERR_NO_ERROR);
    for (int p = 0; p < 3; ++p) ASSERT_EQ(cluster().set_leader("moving", p, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_FALSE(test::consume(io, c, checker, n));
    ASSERT_EQ(cluster().broker_up(2), RD_KAFKA_RESP_ERR_NO_ERROR);

    EXPECT_EQ(checker.count, n);
    EXPECT_EQ(checker.bad, 0u);
    EXPECT_EQ(checker.seq_sum, static_cast<std::uint64_t>(n) * (n - 1) / 2);
    for (int p = 0; p < 3; ++p) EXPECT_EQ(c.position({"moving", p}), static_cast<std::int64_t>(n / 3));
}

TEST_F(consumer_faults, broker_down_and_up_again_resumes_where_it_stopped) {
    ASSERT_EQ(cluster().create_topic("flaky", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader("flaky", 0, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    test::writer_options w;
    w.batch_num_messages = 100;  // the mock returns one batch per Fetch: many Fetches
    const std::size_t n = 5000;
    ASSERT_EQ(test::produce_records(cluster().bootstrap(), "flaky", n, w), n);
    consumer_config cfg = config();
    // A downed mock broker leaves connection attempts hanging: give up on them after 1 s.
    ASSERT_FALSE(cfg.set("socket.connection.setup.timeout.ms", "1000"));
    consumer c(io.get_executor(), cfg);
    c.assign({{"flaky", 0}});
    record_checker checker;
    EXPECT_FALSE(test::consume(io, c, checker, 1000));
    ASSERT_EQ(cluster().broker_down(1), RD_KAFKA_RESP_ERR_NO_ERROR);
    // The consumer keeps polling and sends Fetches that fail or wait on the dead broker.
    const auto before = c.stats().fetch_requests;
    EXPECT_FALSE(test::consume_until(io, c, checker, [&] { return c.stats().fetch_requests >= before + 2; }));
    EXPECT_LT(checker.count, n);
    ASSERT_EQ(cluster().broker_up(1), RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_FALSE(test::consume(io, c, checker, n));
    EXPECT_EQ(checker.count, n);
    EXPECT_EQ(checker.bad, 0u);
}

}  // namespace
}  // namespace kasio

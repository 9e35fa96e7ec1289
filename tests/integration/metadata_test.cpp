// The metadata refresher and cache against librdkafka 2.14.2's mock cluster (3 brokers):
// bootstrap past a dead address, leader moves, stale leader epochs (KIP-320), and coalesced
// refresh requests counted with the mock's request tracking.
//
// The io_context runs on the test thread, one handler at a time (run_until); the mock runs on
// its own thread. No sleeps: every wait is for an event, bounded by a step cap.
#include "cluster/metadata_refresher.hpp"
#include "net/broker_pool.hpp"

#include "mock_cluster_fixture.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kasio::cluster {
namespace {

namespace asio = boost::asio;

constexpr const char* topic = "metadata-topic";

template <class Pred>
bool run_until(asio::io_context& io, Pred pred, int max_steps = 200000) {
    for (int i = 0; i < max_steps && !pred(); ++i) {
        if (io.stopped()) io.restart();
        if (io.run_one_for(std::chrono::seconds(10)) == 0) break;
    }
    return pred();
}

// A port nothing listens on: bound, then closed again.
std::string dead_address(asio::io_context& io) {
    asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = a.local_endpoint().port();
    a.close();
    return "127.0.0.1:" + std::to_string(port);
}

class metadata : public test::mock_cluster_test {
protected:
    void SetUp() override {
        mock_cluster_test::SetUp();
        ASSERT_EQ(cluster().create_topic(topic, 3, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    }

    // The client: a pool and a refresher on io, bootstrapping from `bootstrap`.
    void start(std::vector<std::string> bootstrap, std::chrono::milliseconds max_age = std::chrono::minutes(5),
               std::chrono::milliseconds retry_backoff = std::chrono::milliseconds(100)) {
        pool.emplace(io.get_executor(), net::pool_config{});
        refresher_config rc;
        rc.bootstrap_servers = std::move(bootstrap);
        rc.metadata_max_age = max_age;
        rc.retry.initial = rc.retry.max = retry_backoff;
        refresher.emplace(*pool, rc);
        refresher->add_topics({topic});
    }

    // Waits for a refresh; the first call also starts the refresher, after asking, so that the
    // bootstrap request serves it (one asked while a request is in flight waits for the next).
    error_code refresh() {
        std::optional<error_code> done;
        refresher->async_refresh([&](error_code ec) { done = ec; });
        refresher->start();
        EXPECT_TRUE(run_until(io, [&] { return done.has_value(); }));
        return done.value_or(asio::error::timed_out);
    }

    std::size_t tracked_metadata_requests() {
        std::size_t n = 0;
        for (const auto& r : cluster().requests()) n += r.api_key == protocol::msg::metadata_request::api_key;
        return n;
    }

    void TearDown() override {
        refresher.reset();
        pool.reset();
        io.poll();
    }

    asio::io_context io;
    std::optional<net::broker_pool> pool;
    std::optional<metadata_refresher> refresher;
};

TEST_F(metadata, bootstrap_skips_a_dead_address_and_matches_the_mock) {
    start({dead_address(io), cluster().bootstrap()});
    ASSERT_FALSE(refresh());
    EXPECT_EQ(refresher->requests_sent(), 2u);  // the dead address, then the first live one

    const metadata_cache& c = refresher->cache();
    std::set<std::string> listed, expected;
    for (const auto& b : c.brokers()) listed.insert(b.host + ":" + std::to_string(b.port));
    for (const auto& a : split_bootstrap({cluster().bootstrap()})) expected.insert(a);
    EXPECT_EQ(listed, expected);
    std::set<std::int32_t> ids;
    for (const auto& b : c.brokers()) ids.insert(b.node_id);
    EXPECT_EQ(ids, (std::set<std::int32_t>{1, 2, 3}));

    ASSERT_EQ(c.partition_count(topic), 3u);
    for (std::int32_t p = 0; p < 3; ++p) {
        const partition_metadata* pm = c.partition(topic, p);
        ASSERT_NE(pm, nullptr);
        EXPECT_TRUE(ids.contains(pm->leader)) << "partition " << p;
        EXPECT_GE(pm->leader_epoch, 0);
        EXPECT_EQ(pm->replicas.size(), 3u);
        EXPECT_FALSE(pm->error);
    }
    EXPECT_FALSE(c.is_unknown(topic));
}

TEST_F(metadata, only_dead_bootstrap_addresses_fail_the_refresh_with_a_retriable_error) {
    start({dead_address(io) + ", " + dead_address(io)});
    const error_code ec = refresh();
    EXPECT_EQ(ec, client_errc::connection_closed);
    EXPECT_TRUE(is_retriable(ec));
    EXPECT_EQ(refresher->requests_sent(), 2u);
}

TEST_F(metadata, leader_moved_then_request_refresh_sees_the_new_leader) {
    start({cluster().bootstrap()});
    ASSERT_FALSE(refresh());
    const auto& c = refresher->cache();
    const std::int32_t old_leader = c.leader(topic, 0);
    const std::int32_t old_epoch = c.leader_epoch(topic, 0);
    ASSERT_GE(old_leader, 1);
    const std::int32_t new_leader = old_leader % 3 + 1;
    ASSERT_EQ(cluster().set_leader(topic, 0, new_leader), RD_KAFKA_RESP_ERR_NO_ERROR);

    ASSERT_FALSE(refresh());
    EXPECT_EQ(c.leader(topic, 0), new_leader);
    EXPECT_GT(c.leader_epoch(topic, 0), old_epoch);  // the mock bumps the epoch with the leader
}

TEST_F(metadata, response_with_an_older_leader_epoch_is_ignored) {
    start({cluster().bootstrap()});
    ASSERT_FALSE(refresh());
    const auto& c = refresher->cache();
    const std::int32_t first = c.leader(topic, 1);
    // Move the leader once so that an older epoch >= 0 exists.
    ASSERT_EQ(cluster().set_leader(topic, 1, first % 3 + 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_FALSE(refresh());
    const std::int32_t leader = c.leader(topic, 1);
    const std::int32_t epoch = c.leader_epoch(topic, 1);
    ASSERT_EQ(leader, first % 3 + 1);
    ASSERT_GE(epoch, 1);
    // The next Metadata response names the old leader at the older epoch: a lagging broker.
    ASSERT_EQ(cluster().push_leader_response(topic, 1, first, epoch - 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_FALSE(refresh());
    EXPECT_EQ(c.leader(topic, 1), leader);
    EXPECT_EQ(c.leader_epoch(topic, 1), epoch);
}

TEST_F(metadata, concurrent_refresh_requests_send_one_metadata_request) {
    start({cluster().bootstrap()});
    ASSERT_FALSE(refresh());
    cluster().start_request_tracking();
    cluster().clear_requests();
    const auto sent_before = refresher->requests_sent();

    constexpr int waiters = 10;
    std::vector<std::optional<error_code>> done(waiters);
    for (auto& d : done) {
        refresher->request_refresh();
        refresher->async_refresh([&d](error_code ec) { d = ec; });
    }
    ASSERT_TRUE(run_until(io, [&] { return std::all_of(done.begin(), done.end(), [](auto& d) { return d.has_value(); }); }));
    for (auto& d : done) EXPECT_FALSE(*d) << d->message();
    EXPECT_EQ(refresher->requests_sent() - sent_before, 1u);
    EXPECT_EQ(tracked_metadata_requests(), 1u);
}

TEST_F(metadata, refreshes_by_itself_every_metadata_max_age) {
    start({cluster().bootstrap()}, std::chrono::milliseconds(20));
    ASSERT_FALSE(refresh());
    const auto version = refresher->cache().version();
    ASSERT_TRUE(run_until(io, [&] { return refresher->cache().version() >= version + 2; }));
    EXPECT_GE(refresher->requests_sent(), 3u);
}

TEST_F(metadata, a_topic_added_after_a_good_refresh_is_asked_for_at_once_not_after_the_backoff) {
    // retry.backoff.ms of a minute: were the new topic's request held back by it, run_until
    // would find nothing to run for 10 s and give up. (A producer's first send waited
    // retry.backoff.ms for its topic's metadata that way.)
    start({cluster().bootstrap()}, std::chrono::minutes(5), std::chrono::minutes(1));
    ASSERT_FALSE(refresh());
    ASSERT_EQ(cluster().create_topic("added-later", 5, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    refresher->add_topics({"added-later"});
    ASSERT_TRUE(run_until(io, [&] { return refresher->cache().partition_count("added-later") == 5u; }))
        << "the new topic's metadata was not asked for at once";
}

TEST_F(metadata, unknown_topic_is_reported_unknown) {
    start({cluster().bootstrap()});
    refresher->add_topics({"no-such-topic"});
    ASSERT_FALSE(refresh());
    EXPECT_TRUE(refresher->cache().is_unknown("no-such-topic"));
    EXPECT_EQ(refresher->cache().partition_count(topic), 3u);
}

}  // namespace
}  // namespace kasio::cluster

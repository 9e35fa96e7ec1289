// What a real broker refuses reaches the application at once, with its cause: a group member
// whose session.timeout.ms the coordinator will not take, or whose assignors no other member
// shares, gets that error from poll (every poll, naming the property) instead of waiting
// forever; a producer lets the broker create a topic it does not have (allow.auto.create.topics,
// Java's default), and without that permission it reports the topic unknown after max.block.ms.
#include "group_support.hpp"
#include "kafka_cluster.hpp"
#include "kasio_clients.hpp"

#include <kasio/broker_errc.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>

namespace kasio::test::kafka {
namespace {

using namespace std::chrono_literals;

struct poll_outcome {
    error_code ec;
    error_context context;
};

// Polls once; nullopt when the poll did not complete within `limit`.
std::optional<poll_outcome> poll_once(consumer& c, std::chrono::seconds limit) {
    auto done = std::make_shared<std::promise<poll_outcome>>();
    auto f = done->get_future();
    c.async_poll([done](error_code ec, fetch_batch b) { done->set_value({ec, b.context()}); });
    if (f.wait_for(limit) != std::future_status::ready) return std::nullopt;
    return f.get();
}

TEST(refusal_real_kafka, a_session_timeout_the_coordinator_refuses_fails_every_poll_naming_it) {
    const std::string topic = unique_topic("refused-session");
    create_topic(topic, 1);
    io_thread io;
    consumer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    cfg.group_id = topic + "-g";
    // Below the broker's group.min.session.timeout.ms (6000 by default).
    ASSERT_FALSE(cfg.set("session.timeout.ms", "2000"));
    ASSERT_FALSE(cfg.set("heartbeat.interval.ms", "500"));
    debug_log(cfg.connection);
    auto c = std::make_unique<consumer>(io.io().get_executor(), cfg);
    c->subscribe({topic});
    for (int round = 0; round < 2; ++round) {  // reported again: the member stays stopped
        const auto r = poll_once(*c, 60s);
        ASSERT_TRUE(r) << "poll never completed (round " << round << ")";
        EXPECT_EQ(r->ec, broker_errc::invalid_session_timeout) << r->ec.message();
        EXPECT_EQ(r->context.property, "session.timeout.ms");
        EXPECT_EQ(r->context.api, "JoinGroup");
        EXPECT_GE(r->context.node_id, 1);
        EXPECT_NE(r->context.message.find("2000"), std::string::npos) << r->context.message;
    }
    EXPECT_EQ(c->last_error().code, broker_errc::invalid_session_timeout);
    std::promise<void> closed;
    c->async_close([&](error_code) { closed.set_value(); });
    ASSERT_EQ(closed.get_future().wait_for(60s), std::future_status::ready);
    c.reset();
    io.stop();
}

TEST(refusal_real_kafka, an_assignor_no_other_member_shares_fails_poll_with_inconsistent_group_protocol) {
    const std::string topic = unique_topic("refused-assignor");
    const std::string group = topic + "-g";
    create_topic(topic, 2);
    group_world w(topic, 2);
    w.add_java("java", group, "range");
    ASSERT_TRUE(w.wait_owners({"java"})) << w.describe();

    io_thread io;
    consumer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    cfg.group_id = group;
    ASSERT_FALSE(cfg.set("partition.assignment.strategy", "roundrobin"));
    debug_log(cfg.connection);
    auto c = std::make_unique<consumer>(io.io().get_executor(), cfg);
    c->subscribe({topic});
    const auto r = poll_once(*c, 60s);
    ASSERT_TRUE(r) << "poll never completed";
    EXPECT_EQ(r->ec, broker_errc::inconsistent_group_protocol) << r->ec.message();
    EXPECT_EQ(r->context.property, "partition.assignment.strategy");
    EXPECT_NE(r->context.message.find("roundrobin"), std::string::npos) << r->context.message;
    // The Java member keeps its partitions: the refused join did not disturb the group.
    EXPECT_EQ(w.owned_by("java").size(), 2u);
    std::promise<void> closed;
    c->async_close([&](error_code) { closed.set_value(); });
    ASSERT_EQ(closed.get_future().wait_for(60s), std::future_status::ready);
    c.reset();
    io.stop();
    w.close_all();
}

TEST(refusal_real_kafka, a_producer_lets_the_broker_create_a_new_topic_and_without_permission_says_it_is_unknown) {
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    debug_log(cfg.connection);
    // Default allow.auto.create.topics=true: the broker (auto.create.topics.enable defaults to
    // true) creates the topic and the records arrive.
    const std::string created = unique_topic("auto-created");
    auto records = interop_records(10, false);
    EXPECT_EQ(kasio_produce(cfg, created, records), "");
    const auto described = peer_ok("describe-topic", {"--topic", created});
    ASSERT_FALSE(described.lines.empty());

    // Without permission the topic stays unknown and the send says so after max.block.ms.
    ASSERT_FALSE(cfg.set("allow.auto.create.topics", "false"));
    ASSERT_FALSE(cfg.set("max.block.ms", "3000"));
    io_thread io;
    producer p(io.io().get_executor(), cfg);
    const std::string missing = unique_topic("never-created");
    record r;
    r.topic = missing;
    r.value = bytes_of("v");
    auto done = std::make_shared<std::promise<std::pair<error_code, delivery>>>();
    p.async_send(r, [done](error_code ec, delivery d) { done->set_value({ec, std::move(d)}); });
    auto f = done->get_future();
    ASSERT_EQ(f.wait_for(60s), std::future_status::ready);
    const auto [ec, d] = f.get();
    EXPECT_EQ(ec, broker_errc::unknown_topic_or_partition) << ec.message();
    ASSERT_TRUE(d.context);
    EXPECT_EQ(d.context->topic, missing);
    EXPECT_NE(d.context->message.find("allow.auto.create.topics"), std::string::npos) << d.context->message;
    EXPECT_NE(run_peer("describe-topic", {"--topic", missing}).status, 0);  // still not there
    io.stop();
}

}  // namespace
}  // namespace kasio::test::kafka

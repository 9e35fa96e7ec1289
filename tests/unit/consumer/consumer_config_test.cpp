// consumer_config::set: Kafka names, ranges, forwarding to the connection settings.
#include <kasio/consumer.hpp>

#include <gtest/gtest.h>

namespace kasio {
namespace {

TEST(consumer_config, kafka_names_set_their_members) {
    consumer_config c;
    EXPECT_FALSE(c.set("bootstrap.servers", "a:1,b:2"));
    EXPECT_FALSE(c.set("group.id", "g"));
    EXPECT_FALSE(c.set("auto.offset.reset", "earliest"));
    EXPECT_FALSE(c.set("fetch.min.bytes", "10"));
    EXPECT_FALSE(c.set("fetch.max.bytes", "1000"));
    EXPECT_FALSE(c.set("fetch.max.wait.ms", "20"));
    EXPECT_FALSE(c.set("max.partition.fetch.bytes", "300"));
    EXPECT_FALSE(c.set("check.crcs", "false"));
    EXPECT_FALSE(c.set("isolation.level", "read_committed"));
    EXPECT_FALSE(c.set("max.poll.records", "7"));
    EXPECT_FALSE(c.set("queued.max.messages.kbytes", "16"));
    EXPECT_EQ(c.bootstrap_servers, std::vector<std::string>{"a:1,b:2"});
    EXPECT_EQ(c.group_id, "g");
    EXPECT_EQ(c.auto_offset_reset, offset_reset::earliest);
    EXPECT_EQ(c.fetch_min_bytes, 10);
    EXPECT_EQ(c.fetch_max_bytes, 1000);
    EXPECT_EQ(c.fetch_max_wait, std::chrono::milliseconds(20));
    EXPECT_EQ(c.max_partition_fetch_bytes, 300);
    EXPECT_FALSE(c.check_crcs);
    EXPECT_EQ(c.isolation, isolation_level::read_committed);
    EXPECT_EQ(c.max_poll_records, 7u);
    EXPECT_EQ(c.queued_max_kbytes, 16u);
}

TEST(consumer_config, connection_and_pool_names_are_forwarded) {
    consumer_config c;
    EXPECT_FALSE(c.set("client.id", "me"));
    EXPECT_FALSE(c.set("request.timeout.ms", "1234"));
    EXPECT_FALSE(c.set("reconnect.backoff.ms", "5"));
    EXPECT_EQ(c.connection.client_id, "me");
    EXPECT_EQ(c.connection.request_timeout, std::chrono::milliseconds(1234));
    ASSERT_EQ(c.pool_properties.size(), 1u);
    EXPECT_EQ(c.pool_properties[0].first, "reconnect.backoff.ms");
}

TEST(consumer_config, unknown_names_and_bad_values_are_invalid_and_change_nothing) {
    consumer_config c;
    EXPECT_EQ(c.set("no.such.property", "1"), client_errc::invalid_config);
    EXPECT_EQ(c.set("auto.offset.reset", "sideways"), client_errc::invalid_config);
    EXPECT_EQ(c.set("fetch.min.bytes", "0"), client_errc::invalid_config);
    EXPECT_EQ(c.set("max.poll.records", "x"), client_errc::invalid_config);
    EXPECT_EQ(c.set("isolation.level", "dirty"), client_errc::invalid_config);
    EXPECT_EQ(c.set("reconnect.backoff.ms", "-1"), client_errc::invalid_config);
    EXPECT_EQ(c.set("request.timeout.ms", "0"), client_errc::invalid_config);
    EXPECT_EQ(c.auto_offset_reset, offset_reset::latest);
    EXPECT_EQ(c.fetch_min_bytes, 1);
    EXPECT_TRUE(c.pool_properties.empty());
}

}  // namespace
}  // namespace kasio

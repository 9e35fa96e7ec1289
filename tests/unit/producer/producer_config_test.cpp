// producer_config::set: Kafka property names, librdkafka aliases, ranges, and names forwarded to
// the pool and connection configurations.
#include <kasio/producer.hpp>

#include <gtest/gtest.h>

namespace kasio {
namespace {

TEST(producer_config, defaults_are_the_java_clients) {
    producer_config c;
    EXPECT_EQ(c.acks, -1);
    EXPECT_TRUE(c.enable_idempotence);
    EXPECT_EQ(c.linger, std::chrono::milliseconds(5));
    EXPECT_EQ(c.batch_size, 16384u);
    EXPECT_EQ(c.buffer_memory, 32u << 20);
    EXPECT_EQ(c.max_block, std::chrono::milliseconds(60000));
    EXPECT_EQ(c.delivery_timeout, std::chrono::milliseconds(120000));
    EXPECT_EQ(c.retries, 2147483647);
    EXPECT_EQ(c.max_in_flight, 5u);
    EXPECT_EQ(c.compression_type, "none");
    EXPECT_EQ(c.partitioner, partitioner_type::murmur2_random);
}

TEST(producer_config, sets_members_by_kafka_name_and_alias) {
    producer_config c;
    EXPECT_FALSE(c.set("acks", "all"));
    EXPECT_EQ(c.acks, -1);
    EXPECT_FALSE(c.set("acks", "1"));
    EXPECT_EQ(c.acks, 1);
    EXPECT_FALSE(c.set("queue.buffering.max.ms", "20"));
    EXPECT_EQ(c.linger, std::chrono::milliseconds(20));
    EXPECT_FALSE(c.set("compression.type", "zstd"));
    EXPECT_EQ(c.compression_type, "zstd");
    EXPECT_FALSE(c.set("compression.level", "3"));
    EXPECT_EQ(c.compression_level, 3);
    EXPECT_FALSE(c.set("partitioner", "round_robin"));
    EXPECT_EQ(c.partitioner, partitioner_type::round_robin);
    EXPECT_FALSE(c.set("enable.idempotence", "false"));
    EXPECT_FALSE(c.enable_idempotence);
    EXPECT_FALSE(c.set("message.max.bytes", "2000000"));
    EXPECT_EQ(c.max_request_size, 2000000u);
    EXPECT_FALSE(c.set("bootstrap.servers", "a:1,b:2"));
    ASSERT_EQ(c.bootstrap_servers.size(), 1u);
    EXPECT_EQ(c.bootstrap_servers[0], "a:1,b:2");
}

TEST(producer_config, forwards_other_names_to_the_pool_and_connection) {
    producer_config c;
    EXPECT_FALSE(c.set("connections.per.broker", "3"));
    EXPECT_EQ(c.connections_per_broker, 3u);
    EXPECT_FALSE(c.set("reconnect.backoff.max.ms", "5000"));
    EXPECT_EQ(c.reconnect_backoff_max, std::chrono::milliseconds(5000));
    EXPECT_FALSE(c.set("request.timeout.ms", "1234"));
    EXPECT_EQ(c.connection.request_timeout, std::chrono::milliseconds(1234));
    EXPECT_FALSE(c.set("debug", "broker"));
    EXPECT_EQ(c.connection.log.debug, debug_context::broker);
}

TEST(producer_config, rejects_unknown_names_and_bad_values_leaving_the_config_unchanged) {
    producer_config c;
    EXPECT_EQ(c.set("no.such.name", "1"), client_errc::invalid_config);
    EXPECT_EQ(c.set("acks", "2"), client_errc::invalid_config);
    EXPECT_EQ(c.set("linger.ms", "-1"), client_errc::invalid_config);
    EXPECT_EQ(c.set("batch.size", "0"), client_errc::invalid_config);
    EXPECT_EQ(c.set("compression.type", "brotli"), client_errc::invalid_config);
    EXPECT_EQ(c.set("partitioner", "consistent_random"), client_errc::invalid_config);
    EXPECT_EQ(c.set("enable.idempotence", "yes"), client_errc::invalid_config);
    EXPECT_EQ(c.set("request.timeout.ms", "0"), client_errc::invalid_config);
    const producer_config d;
    EXPECT_EQ(c.acks, d.acks);
    EXPECT_EQ(c.linger, d.linger);
    EXPECT_EQ(c.batch_size, d.batch_size);
    EXPECT_EQ(c.compression_type, d.compression_type);
    EXPECT_EQ(c.enable_idempotence, d.enable_idempotence);
    EXPECT_EQ(c.connection.request_timeout, d.connection.request_timeout);
}

}  // namespace
}  // namespace kasio

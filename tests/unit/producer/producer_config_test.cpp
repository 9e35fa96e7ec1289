// producer_config::set: Kafka property names, librdkafka aliases, ranges, and names forwarded to
// the pool and connection configurations.
#include "producer/config_rules.hpp"

#include <kasio/producer.hpp>

#include <boost/asio/io_context.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kasio {
namespace {

using ::testing::HasSubstr;

TEST(producer_config, defaults_are_the_java_clients) {
    producer_config c;
    EXPECT_EQ(c.acks, -1);
    EXPECT_FALSE(c.enable_idempotence.has_value());  // unset: on unless acks or retries conflict
    EXPECT_TRUE(detail::producer::effective_idempotence(c));
    EXPECT_EQ(c.connections_max_idle, std::chrono::milliseconds(540000));
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
    EXPECT_EQ(c.enable_idempotence, false);
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
    EXPECT_FALSE(c.set("connections.max.idle.ms", "0"));  // was dropped before the table
    EXPECT_EQ(c.connections_max_idle, std::chrono::milliseconds(0));
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

TEST(producer_config, set_says_why_a_name_or_value_is_refused) {
    producer_config c;
    error_context why;
    EXPECT_EQ(c.set("no.such.name", "1", why), client_errc::invalid_config);
    EXPECT_EQ(why.message, "unknown property no.such.name");
    EXPECT_EQ(c.set("interceptor.classes", "t", why), client_errc::invalid_config);
    EXPECT_THAT(why.message, HasSubstr("interceptor.classes is not supported by kasio"));
    EXPECT_EQ(c.set("linger.ms", "1000000", why), client_errc::invalid_config);
    EXPECT_EQ(why.message, "linger.ms: 1000000 is out of range 0..900000");
    EXPECT_EQ(why.property, "linger.ms");
    EXPECT_EQ(c.set("acks", "foo", why), client_errc::invalid_config);
    EXPECT_EQ(why.message, "acks: 'foo' is not one of all, -1, 0, 1");
    EXPECT_EQ(c.set("group.id", "g", why), client_errc::invalid_config);
    EXPECT_EQ(why.message, "group.id is a consumer property, not a producer one");
    EXPECT_EQ(c.set("bootstrap.servers", "", why), client_errc::invalid_config);
    EXPECT_EQ(why.message, "bootstrap.servers must not be empty");
    EXPECT_EQ(c.linger, std::chrono::milliseconds(5));
}

producer_config valid() {
    producer_config c;
    c.bootstrap_servers = {"localhost:9092"};
    return c;
}

TEST(producer_config, validate_refuses_an_empty_bootstrap_list) {
    producer_config c;
    const error_info e = c.validate();
    EXPECT_EQ(e.code, client_errc::invalid_config);
    EXPECT_EQ(e.context.property, "bootstrap.servers");
    c.bootstrap_servers = {""};
    EXPECT_TRUE(c.validate());
    EXPECT_FALSE(valid().validate());
}

TEST(producer_config, validate_refuses_out_of_range_members_set_in_the_struct) {
    producer_config c = valid();
    c.linger = std::chrono::milliseconds(1000000);
    EXPECT_EQ(c.validate().context.message, "linger.ms: 1000000 is out of range 0..900000");
    c = valid();
    c.acks = 2;
    EXPECT_EQ(c.validate().context.message, "acks: 2 is not one of all, -1, 0, 1");
    c = valid();
    c.batch_size = 0;
    EXPECT_EQ(c.validate().context.property, "batch.size");
    c = valid();
    c.compression_type = "brotli";
    EXPECT_EQ(c.validate().context.property, "compression.type");
    c = valid();
    c.compression_type = "gzip";
    c.compression_level = 12;
    EXPECT_EQ(c.validate().context.property, "compression.level");
    c = valid();
    c.connection.request_timeout = std::chrono::milliseconds(0);
    EXPECT_EQ(c.validate().context.message, "request.timeout.ms: 0 is out of range 1..900000");
    c = valid();
    c.partitioner = partitioner_type::custom;
    EXPECT_EQ(c.validate().context.property, "partitioner");
}

TEST(producer_config, unset_idempotence_yields_to_acks_and_retries) {
    producer_config c = valid();
    ASSERT_TRUE(detail::producer::effective_idempotence(c));
    c.acks = 1;
    EXPECT_FALSE(c.validate()) << c.validate().describe();
    EXPECT_FALSE(detail::producer::effective_idempotence(c));
    c = valid();
    c.retries = 0;
    EXPECT_FALSE(c.validate());
    EXPECT_FALSE(detail::producer::effective_idempotence(c));
    // Off already: more than 5 in flight is allowed.
    c.max_in_flight = 10;
    EXPECT_FALSE(c.validate());
}

TEST(producer_config, explicit_idempotence_refuses_conflicts_naming_both_properties) {
    producer_config c = valid();
    ASSERT_FALSE(c.set("enable.idempotence", "true"));
    ASSERT_FALSE(c.set("acks", "1"));
    error_info e = c.validate();
    EXPECT_EQ(e.code, client_errc::invalid_config);
    EXPECT_EQ(e.context.message, "enable.idempotence=true requires acks=all; acks is 1");
    c.acks = -1;
    c.retries = 0;
    EXPECT_THAT(c.validate().context.message, HasSubstr("retries"));
    EXPECT_THAT(c.validate().context.message, HasSubstr("enable.idempotence"));
    c.retries = 3;
    c.max_in_flight = 6;
    EXPECT_EQ(c.validate().context.message,
              "enable.idempotence=true requires max.in.flight.requests.per.connection <= 5; "
              "max.in.flight.requests.per.connection is 6");
    c.enable_idempotence = false;
    EXPECT_FALSE(c.validate());
    EXPECT_FALSE(detail::producer::effective_idempotence(c));
}

// Kafka 4.0 (KAFKA-17927): idempotence on by default refuses more than 5 in flight.
TEST(producer_config, default_idempotence_refuses_more_than_five_in_flight) {
    producer_config c = valid();
    c.max_in_flight = 6;
    const error_info e = c.validate();
    EXPECT_THAT(e.context.message, HasSubstr("max.in.flight.requests.per.connection is 6"));
    EXPECT_THAT(e.context.message, HasSubstr("enable.idempotence=false"));
}

TEST(producer, constructor_throws_config_error_for_a_refused_configuration) {
    boost::asio::io_context io;
    producer_config c = valid();
    c.enable_idempotence = true;
    c.acks = 0;
    try {
        producer p(io.get_executor(), c);
        FAIL() << "no exception";
    } catch (const config_error& e) {
        EXPECT_EQ(e.code(), client_errc::invalid_config);
        EXPECT_EQ(e.info().context.property, "enable.idempotence");
        EXPECT_THAT(std::string(e.what()), HasSubstr("enable.idempotence=true requires acks=all; acks is 0"));
    }
    producer_config out_of_range = valid();
    out_of_range.linger = std::chrono::milliseconds(-1);
    EXPECT_THROW(producer(io.get_executor(), out_of_range), config_error);
    EXPECT_THROW(producer(io.get_executor(), producer_config{}), config_error);  // no bootstrap.servers
}

TEST(producer, a_valid_configuration_makes_a_producer) {
    boost::asio::io_context io;
    producer_config c = valid();
    c.acks = 1;  // idempotence unset: yields
    EXPECT_NO_THROW(producer(io.get_executor(), c));
}

// get() and dump() read the members (the table maps each row to one member both ways): what
// set() stored comes back in set()'s text, secrets do not, and every dumped value set again on a
// fresh configuration gives the same dump.
TEST(producer_config, get_and_dump_give_the_effective_values_in_the_text_set_takes) {
    producer_config c;
    c.bootstrap_servers = {"a:9092,b:9092"};
    ASSERT_FALSE(c.set("queue.buffering.max.ms", "25"));  // librdkafka's name for linger.ms
    ASSERT_FALSE(c.set("acks", "1"));
    ASSERT_FALSE(c.set("compression.type", "zstd"));
    ASSERT_FALSE(c.set("debug", "broker,protocol"));
    ASSERT_FALSE(c.set("sasl.password", "s3cret"));
    ASSERT_FALSE(c.set("ssl.endpoint.identification.algorithm", "none"));
    c.batch_size = 4096;  // set directly: get() sees it too
    EXPECT_EQ(c.get("linger.ms"), "25");
    EXPECT_EQ(c.get("queue.buffering.max.ms"), "25");
    EXPECT_EQ(c.get("acks"), "1");
    EXPECT_EQ(c.get("compression.type"), "zstd");
    EXPECT_EQ(c.get("debug"), "broker,protocol");
    EXPECT_EQ(c.get("sasl.password"), "[hidden]");
    EXPECT_EQ(c.get("ssl.endpoint.identification.algorithm"), "none");
    EXPECT_EQ(c.get("batch.size"), "4096");
    EXPECT_EQ(c.get("bootstrap.servers"), "a:9092,b:9092");
    EXPECT_EQ(c.get("enable.idempotence"), "");  // unset: yields to acks
    EXPECT_EQ(c.get("compression.level"), "");  // unset: the codec's default
    EXPECT_EQ(c.get("group.id"), std::nullopt);  // a consumer property
    EXPECT_EQ(c.get("no.such.property"), std::nullopt);

    const auto dump = c.dump();
    ASSERT_FALSE(dump.empty());
    producer_config again;
    for (const auto& [name, value] : dump) {
        EXPECT_EQ(c.get(name), value) << name;
        if (value.empty() || value == "[hidden]") continue;
        EXPECT_FALSE(again.set(name, value)) << name << "=" << value;
    }
    ASSERT_FALSE(again.set("sasl.password", "s3cret"));
    EXPECT_EQ(again.dump(), dump);
}

TEST(producer_config, a_transactional_id_needs_idempotence) {
    producer_config c;
    c.bootstrap_servers = {"localhost:9092"};
    ASSERT_EQ(c.set("transactional.id", "orders-1"), error_code{});
    EXPECT_FALSE(c.validate());
    EXPECT_EQ(c.get("transactional.id"), "orders-1");
    EXPECT_EQ(c.get("transaction.timeout.ms"), "60000");
    c.acks = 1;
    error_info e = c.validate();
    EXPECT_EQ(e.context.property, "transactional.id");
    EXPECT_THAT(e.context.message, HasSubstr("acks is 1"));
    c.acks = -1;
    c.enable_idempotence = false;
    e = c.validate();
    EXPECT_THAT(e.context.message, HasSubstr("enable.idempotence is false"));
    c.enable_idempotence.reset();
    error_context why;
    EXPECT_EQ(c.set("transaction.timeout.ms", "0", why), client_errc::invalid_config);
    EXPECT_EQ(why.property, "transaction.timeout.ms");
}

}  // namespace
}  // namespace kasio

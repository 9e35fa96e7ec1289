// consumer_config::set: Kafka names, ranges, forwarding to the connection settings.
#include <kasio/consumer.hpp>

#include <boost/asio/io_context.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kasio {
namespace {

using ::testing::HasSubstr;

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
    EXPECT_EQ(c.reconnect_backoff, std::chrono::milliseconds(5));
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
    EXPECT_EQ(c.reconnect_backoff, std::chrono::milliseconds(50));
}

TEST(consumer_config, set_says_why_a_name_or_value_is_refused) {
    consumer_config c;
    error_context why;
    EXPECT_EQ(c.set("bootstrap.servers", "", why), client_errc::invalid_config);  // as the producer
    EXPECT_EQ(why.message, "bootstrap.servers must not be empty");
    EXPECT_EQ(c.set("linger.ms", "5", why), client_errc::invalid_config);
    EXPECT_EQ(why.message, "linger.ms is a producer property, not a consumer one");
    EXPECT_EQ(c.set("key.deserializer", "x", why), client_errc::invalid_config);
    EXPECT_THAT(why.message, HasSubstr("key.deserializer is not supported by kasio"));
    EXPECT_EQ(c.set("partition.assignment.strategy", "range,sticky", why), client_errc::invalid_config);
    EXPECT_THAT(why.message, HasSubstr("partition.assignment.strategy: 'sticky' is not one of range"));
    EXPECT_EQ(c.set("fetch.wait.max.ms", "300001", why), client_errc::invalid_config);
    EXPECT_EQ(why.message, "fetch.wait.max.ms: 300001 is out of range 0..300000");
    EXPECT_EQ(why.property, "fetch.max.wait.ms");
    EXPECT_EQ(c.set("connections.max.idle.ms", "-5", why), client_errc::invalid_config);
    EXPECT_EQ(c.connections_max_idle, std::chrono::milliseconds(540000));
}

TEST(consumer_config, assignors_are_kept_by_protocol_name) {
    consumer_config c;
    EXPECT_FALSE(c.set("partition.assignment.strategy", "org.apache.kafka.clients.consumer.RoundRobinAssignor, range"));
    EXPECT_EQ(c.assignment_strategies, (std::vector<std::string>{"roundrobin", "range"}));
}

consumer_config valid() {
    consumer_config c;
    c.bootstrap_servers = {"localhost:9092"};
    return c;
}

TEST(consumer_config, validate_checks_members_set_in_the_struct) {
    EXPECT_FALSE(valid().validate());
    EXPECT_EQ(consumer_config{}.validate().context.property, "bootstrap.servers");
    consumer_config c = valid();
    c.fetch_min_bytes = 0;
    EXPECT_EQ(c.validate().context.message, "fetch.min.bytes: 0 is out of range 1..100000000");
    c = valid();
    c.assignment_strategies = {"range", "sticky"};
    EXPECT_EQ(c.validate().context.property, "partition.assignment.strategy");
    c = valid();
    c.assignment_strategies.clear();
    EXPECT_EQ(c.validate().context.property, "partition.assignment.strategy");
    c = valid();
    c.reconnect_backoff = std::chrono::milliseconds(-1);
    EXPECT_EQ(c.validate().context.property, "reconnect.backoff.ms");
    c = valid();
    c.connection.max_in_flight = 0;
    EXPECT_EQ(c.validate().context.property, "max.in.flight.requests.per.connection");
}

TEST(consumer_config, heartbeat_must_be_lower_than_the_session_timeout) {
    consumer_config c = valid();
    c.session_timeout = std::chrono::milliseconds(3000);
    c.heartbeat_interval = std::chrono::milliseconds(3000);
    const error_info e = c.validate();
    EXPECT_EQ(e.code, client_errc::invalid_config);
    EXPECT_THAT(e.context.message, HasSubstr("heartbeat.interval.ms"));
    EXPECT_THAT(e.context.message, HasSubstr("session.timeout.ms"));
    c.heartbeat_interval = std::chrono::milliseconds(2999);
    EXPECT_FALSE(c.validate());
}

TEST(consumer_config, a_static_member_needs_a_group) {
    consumer_config c = valid();
    c.group_instance_id = "i1";
    const error_info e = c.validate();
    EXPECT_THAT(e.context.message, HasSubstr("group.instance.id"));
    EXPECT_THAT(e.context.message, HasSubstr("group.id"));
    c.group_id = "g";
    EXPECT_FALSE(c.validate());
}

// Java does not relate the two (fetch.max.bytes is not an absolute maximum, KIP-74): neither does kasio.
TEST(consumer_config, fetch_min_bytes_above_fetch_max_bytes_is_accepted) {
    consumer_config c = valid();
    c.fetch_min_bytes = 2000;
    c.fetch_max_bytes = 1000;
    EXPECT_FALSE(c.validate());
}

TEST(consumer, constructor_throws_config_error_for_a_refused_configuration) {
    boost::asio::io_context io;
    consumer_config c = valid();
    c.heartbeat_interval = c.session_timeout;
    try {
        consumer k(io.get_executor(), c);
        FAIL() << "no exception";
    } catch (const config_error& e) {
        EXPECT_EQ(e.code(), client_errc::invalid_config);
        EXPECT_EQ(e.info().context.property, "heartbeat.interval.ms");
    }
    EXPECT_THROW(consumer(io.get_executor(), consumer_config{}), config_error);
}

TEST(consumer_config, get_and_dump_give_the_effective_values_in_the_text_set_takes) {
    consumer_config c;
    c.bootstrap_servers = {"a:9092"};
    ASSERT_FALSE(c.set("group.id", "g"));
    ASSERT_FALSE(c.set("partition.assignment.strategy", "roundrobin,range"));
    ASSERT_FALSE(c.set("auto.offset.reset", "earliest"));
    ASSERT_FALSE(c.set("isolation.level", "read_committed"));
    ASSERT_FALSE(c.set("fetch.wait.max.ms", "100"));
    c.max_poll_records = 7;
    EXPECT_EQ(c.get("group.id"), "g");
    EXPECT_EQ(c.get("partition.assignment.strategy"), "roundrobin,range");
    EXPECT_EQ(c.get("auto.offset.reset"), "earliest");
    EXPECT_EQ(c.get("isolation.level"), "read_committed");
    EXPECT_EQ(c.get("fetch.max.wait.ms"), "100");
    EXPECT_EQ(c.get("max.poll.records"), "7");
    EXPECT_EQ(c.get("linger.ms"), std::nullopt);  // a producer property
    const auto dump = c.dump();
    consumer_config again;
    for (const auto& [name, value] : dump) {
        EXPECT_EQ(c.get(name), value) << name;
        if (value.empty()) continue;
        EXPECT_FALSE(again.set(name, value)) << name << "=" << value;
    }
    EXPECT_EQ(again.dump(), dump);
}

}  // namespace
}  // namespace kasio

// The property table: every row well formed and reachable, and the messages parse() gives.
#include "config/properties.hpp"

#include <kasio/consumer.hpp>
#include <kasio/producer.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

namespace kasio::config {
namespace {

using ::testing::HasSubstr;

TEST(properties, every_prop_has_exactly_one_row) {
    std::set<int> seen;
    for (const property& p : properties()) EXPECT_TRUE(seen.insert(static_cast<int>(p.id)).second) << p.name;
    for (int id = 0; id <= static_cast<int>(prop::queued_max_messages_kbytes); ++id)
        EXPECT_EQ(seen.count(id), 1u) << "prop " << id << " has no row";
}

TEST(properties, names_and_aliases_are_unique_and_not_listed_as_unsupported) {
    std::set<std::string> names;
    for (const property& p : properties()) {
        EXPECT_TRUE(names.insert(std::string(p.name)).second) << p.name;
        EXPECT_EQ(find(p.name), &p);
        std::string_view rest = p.aliases;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const std::string alias(rest.substr(0, comma));
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            EXPECT_TRUE(names.insert(alias).second) << alias;
            EXPECT_EQ(find(alias), &p) << alias;
        }
        EXPECT_FALSE(p.doc.empty()) << p.name;
    }
    for (const unsupported_property& u : unsupported_properties()) {
        EXPECT_FALSE(names.count(std::string(u.name))) << u.name;
        EXPECT_FALSE(u.reason.empty()) << u.name;
    }
}

// A default that its own range refuses would make the docs lie.
TEST(properties, every_documented_default_is_accepted_by_every_client_that_takes_it) {
    for (const property& p : properties()) {
        if (p.default_text.empty()) continue;
        if (takes(p.who, clients::producer)) {
            producer_config c;
            EXPECT_FALSE(c.set(p.name, p.default_text)) << p.name;
        }
        if (takes(p.who, clients::consumer)) {
            consumer_config c;
            EXPECT_FALSE(c.set(p.name, p.default_text)) << p.name;
        }
    }
}

TEST(properties, default_configurations_are_valid) {
    EXPECT_FALSE(connection_config{}.validate());
    producer_config p;
    p.bootstrap_servers = {"localhost:9092"};
    EXPECT_FALSE(p.validate()) << p.validate().describe();
    consumer_config c;
    c.bootstrap_servers = {"localhost:9092"};
    EXPECT_FALSE(c.validate()) << c.validate().describe();
}

struct parse_result {
    error_code ec;
    error_context why;
    parsed_value v;
};

parse_result parse_as(std::string_view name, std::string_view value, clients who = clients::both) {
    parse_result r;
    const property* row = nullptr;
    r.ec = parse(name, value, who, row, r.v, r.why);
    return r;
}

TEST(properties, unknown_name) {
    const auto r = parse_as("no.such.property", "1");
    EXPECT_EQ(r.ec, client_errc::invalid_config);
    EXPECT_EQ(r.why.message, "unknown property no.such.property");
    EXPECT_EQ(r.why.property, "no.such.property");
}

TEST(properties, names_kasio_does_not_implement_say_so) {
    for (std::string_view name : {"enable.metrics.push", "interceptor.classes", "key.serializer", "sasl.jaas.config",
                                  "sasl.kerberos.service.name", "ssl.keystore.location", "ssl.truststore.password",
                                  "client.rack"}) {
        const auto r = parse_as(name, "x");
        EXPECT_EQ(r.ec, client_errc::invalid_config);
        EXPECT_THAT(r.why.message, HasSubstr(std::string(name) + " is not supported by kasio")) << name;
        EXPECT_EQ(r.why.property, name);
    }
}

TEST(properties, out_of_range_names_the_range) {
    const auto r = parse_as("linger.ms", "1000000");
    EXPECT_EQ(r.ec, client_errc::invalid_config);
    EXPECT_EQ(r.why.message, "linger.ms: 1000000 is out of range 0..900000");
    EXPECT_EQ(r.why.property, "linger.ms");
    EXPECT_EQ(parse_as("linger.ms", "99999999999999999999").why.message,
              "linger.ms: 99999999999999999999 is out of range 0..900000");
    EXPECT_EQ(parse_as("linger.ms", "10s").why.message, "linger.ms: '10s' is not an integer");
    EXPECT_EQ(parse_as("linger.ms", "").why.message, "linger.ms: '' is not an integer");
}

TEST(properties, an_alias_is_named_as_given_and_the_property_by_its_kafka_name) {
    const auto r = parse_as("queue.buffering.max.ms", "-1");
    EXPECT_EQ(r.why.message, "queue.buffering.max.ms: -1 is out of range 0..900000");
    EXPECT_EQ(r.why.property, "linger.ms");
}

TEST(properties, bad_choice_lists_the_allowed_values) {
    EXPECT_EQ(parse_as("acks", "foo").why.message, "acks: 'foo' is not one of all, -1, 0, 1");
    EXPECT_EQ(parse_as("debug", "protocol,nonsense").why.message,
              "debug: 'nonsense' is not one of broker, protocol, feature, all");
    EXPECT_EQ(parse_as("enable.idempotence", "yes").why.message,
              "enable.idempotence: 'yes' is not one of true, false, 1, 0");
    EXPECT_EQ(parse_as("partition.assignment.strategy", " , ").why.message,
              "partition.assignment.strategy needs at least one of range, roundrobin, cooperative-sticky, "
              "org.apache.kafka.clients.consumer.RangeAssignor, org.apache.kafka.clients.consumer.RoundRobinAssignor, "
              "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
}

TEST(properties, choices_map_synonyms_to_one_value) {
    EXPECT_EQ(parse_as("acks", "all").v.number, -1);
    EXPECT_EQ(parse_as("acks", "-1").v.number, -1);
    EXPECT_EQ(parse_as("security.protocol", "SASL_SSL").v.number, 3);  // any case
    EXPECT_EQ(parse_as("sasl.mechanism", "plain").ec, client_errc::invalid_config);  // exact case
    EXPECT_EQ(parse_as("auto.offset.reset", "smallest").v.number, parse_as("auto.offset.reset", "earliest").v.number);
    EXPECT_EQ(choice_name(get(prop::auto_offset_reset), parse_as("auto.offset.reset", "beginning").v.number),
              "earliest");
}

TEST(properties, strings_check_their_length) {
    EXPECT_EQ(parse_as("bootstrap.servers", "").why.message, "bootstrap.servers must not be empty");
    EXPECT_EQ(parse_as("client.id", std::string(40000, 'x')).why.message,
              "client.id: 40000 characters, more than 32767");
}

TEST(properties, a_secret_is_never_echoed) {
    // No secret row has a value that can be refused today; the choice path hides it anyway.
    for (const property& p : properties()) {
        if (!p.secret) continue;
        const auto r = parse_as(p.name, "hunter2");
        EXPECT_THAT(r.why.message, ::testing::Not(HasSubstr("hunter2"))) << p.name;
    }
}

TEST(properties, a_property_of_the_other_client_is_refused_by_name) {
    EXPECT_EQ(parse_as("linger.ms", "5", clients::consumer).why.message,
              "linger.ms is a producer property, not a consumer one");
    EXPECT_EQ(parse_as("group.id", "g", clients::producer).why.message,
              "group.id is a consumer property, not a producer one");
    EXPECT_FALSE(parse_as("client.id", "x", clients::producer).ec);
}

TEST(properties, check_of_a_struct_member_uses_the_same_message) {
    error_info e;
    EXPECT_TRUE(check_number(prop::linger_ms, 5, e));
    EXPECT_FALSE(e);
    EXPECT_FALSE(check_number(prop::linger_ms, 1000000, e));
    EXPECT_EQ(e.code, client_errc::invalid_config);
    EXPECT_EQ(e.context.message, "linger.ms: 1000000 is out of range 0..900000");
    EXPECT_EQ(e.context.property, "linger.ms");
    error_info f;
    EXPECT_FALSE(check_choice(prop::acks, 7, f));
    EXPECT_EQ(f.context.message, "acks: 7 is not one of all, -1, 0, 1");
}

}  // namespace
}  // namespace kasio::config

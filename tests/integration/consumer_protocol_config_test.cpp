// The configuration group.protocol=consumer (KIP-848) refuses, checked without a broker: the
// classic group properties the coordinator decides under the new protocol, group.remote.assignor
// with the classic protocol, an unknown protocol. The consumer's constructor throws config_error
// naming the property; validate() says the same.
#include "consumer_support.hpp"

#include <kasio/consumer.hpp>
#include <kasio/error.hpp>

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>

namespace kasio {
namespace {

consumer_config protocol_config(std::string_view protocol) {
    consumer_config cfg;
    EXPECT_FALSE(cfg.set("bootstrap.servers", "127.0.0.1:9"));
    EXPECT_FALSE(cfg.set("group.id", "g848"));
    EXPECT_FALSE(cfg.set("group.protocol", protocol));
    return cfg;
}

// Builds a consumer (never run) and returns the config_error it throws; empty when none.
error_info construct(const consumer_config& cfg) {
    boost::asio::io_context io;
    try {
        consumer c(io.get_executor(), cfg);
    } catch (const config_error& e) {
        return e.info();
    }
    test::finish_shutdown(io);
    return {};
}

struct refused_property {
    const char* name;
    const char* value;  // not the default
};

class consumer_protocol_config : public ::testing::TestWithParam<refused_property> {};

// The broker decides the session timeout and heartbeat interval, and assigns (KIP-848): a
// value set for these classic properties is refused, naming the property.
TEST_P(consumer_protocol_config, a_classic_property_is_refused_with_group_protocol_consumer) {
    consumer_config cfg = protocol_config("consumer");
    ASSERT_FALSE(cfg.set(GetParam().name, GetParam().value));
    const error_info v = cfg.validate();
    EXPECT_EQ(v.code, client_errc::invalid_config) << v.describe();
    EXPECT_EQ(v.context.property, GetParam().name) << v.describe();
    const error_info thrown = construct(cfg);
    EXPECT_EQ(thrown.code, client_errc::invalid_config) << thrown.describe();
    EXPECT_EQ(thrown.context.property, GetParam().name) << thrown.describe();
    // The same value is fine with the classic protocol.
    consumer_config classic = protocol_config("classic");
    ASSERT_FALSE(classic.set(GetParam().name, GetParam().value));
    EXPECT_FALSE(classic.validate()) << classic.validate().describe();
}

INSTANTIATE_TEST_SUITE_P(properties, consumer_protocol_config,
                         ::testing::Values(refused_property{"session.timeout.ms", "10000"},
                                           refused_property{"heartbeat.interval.ms", "1000"},
                                           refused_property{"partition.assignment.strategy", "roundrobin"}),
                         [](const auto& p) {
                             std::string n = p.param.name;
                             std::replace(n.begin(), n.end(), '.', '_');
                             return n;
                         });

TEST(consumer_protocol_configuration, the_defaults_are_accepted_with_group_protocol_consumer) {
    consumer_config cfg = protocol_config("consumer");
    EXPECT_FALSE(cfg.validate()) << cfg.validate().describe();
    ASSERT_FALSE(cfg.set("group.remote.assignor", "uniform"));
    EXPECT_FALSE(cfg.validate()) << cfg.validate().describe();
    EXPECT_EQ(cfg.get("group.protocol"), "consumer");
}

TEST(consumer_protocol_configuration, group_remote_assignor_is_refused_with_the_classic_protocol) {
    for (bool explicit_classic : {false, true}) {
        consumer_config cfg;
        ASSERT_FALSE(cfg.set("bootstrap.servers", "127.0.0.1:9"));
        ASSERT_FALSE(cfg.set("group.id", "g848"));
        if (explicit_classic) {
            ASSERT_FALSE(cfg.set("group.protocol", "classic"));
        }
        ASSERT_FALSE(cfg.set("group.remote.assignor", "uniform"));
        const error_info thrown = construct(cfg);
        EXPECT_EQ(thrown.code, client_errc::invalid_config) << thrown.describe();
        EXPECT_EQ(thrown.context.property, "group.remote.assignor") << thrown.describe();
    }
}

TEST(consumer_protocol_configuration, an_unknown_group_protocol_is_refused) {
    consumer_config cfg;
    error_context why;
    EXPECT_EQ(cfg.set("group.protocol", "eager", why), client_errc::invalid_config);
    EXPECT_EQ(why.property, "group.protocol");
    EXPECT_EQ(cfg.get("group.protocol"), "classic") << "a refused value leaves the configuration unchanged";
}

}  // namespace
}  // namespace kasio

// connection_config::set: Kafka names, librdkafka ranges, errors leave the config unchanged.
#include <kasio/config.hpp>

#include <gtest/gtest.h>

namespace kasio {
namespace {

using namespace std::chrono_literals;

TEST(connection_config, defaults) {
    connection_config c;
    EXPECT_EQ(c.client_id, "kasio");
    EXPECT_EQ(c.request_timeout, 30000ms);
    EXPECT_EQ(c.connect_timeout, 30000ms);
    EXPECT_EQ(c.max_in_flight, 5u);
    EXPECT_EQ(c.receive_message_max_bytes, 100000000u);
    EXPECT_EQ(c.socket_send_buffer_bytes, 0);
    EXPECT_EQ(c.socket_receive_buffer_bytes, 0);
    EXPECT_FALSE(c.log.enabled(log_level::error));  // no sink
}

TEST(connection_config, sets_each_known_name) {
    connection_config c;
    EXPECT_FALSE(c.set("client.id", "app-1"));
    EXPECT_FALSE(c.set("request.timeout.ms", "1500"));
    EXPECT_FALSE(c.set("socket.connection.setup.timeout.ms", "2000"));
    EXPECT_FALSE(c.set("max.in.flight.requests.per.connection", "1"));
    EXPECT_FALSE(c.set("receive.message.max.bytes", "1000"));
    EXPECT_FALSE(c.set("socket.send.buffer.bytes", "65536"));
    EXPECT_FALSE(c.set("socket.receive.buffer.bytes", "131072"));
    EXPECT_EQ(c.client_id, "app-1");
    EXPECT_EQ(c.request_timeout, 1500ms);
    EXPECT_EQ(c.connect_timeout, 2000ms);
    EXPECT_EQ(c.max_in_flight, 1u);
    EXPECT_EQ(c.receive_message_max_bytes, 1000u);
    EXPECT_EQ(c.socket_send_buffer_bytes, 65536);
    EXPECT_EQ(c.socket_receive_buffer_bytes, 131072);
    EXPECT_FALSE(c.set("max.in.flight", "7"));  // librdkafka's alias
    EXPECT_EQ(c.max_in_flight, 7u);
}

TEST(connection_config, unknown_name_or_bad_value_is_invalid_config_and_changes_nothing) {
    connection_config c;
    EXPECT_EQ(c.set("no.such.property", "1"), client_errc::invalid_config);
    EXPECT_EQ(c.set("request.timeout.ms", "0"), client_errc::invalid_config);
    EXPECT_EQ(c.set("request.timeout.ms", "900001"), client_errc::invalid_config);
    EXPECT_EQ(c.set("request.timeout.ms", "10s"), client_errc::invalid_config);
    EXPECT_EQ(c.set("request.timeout.ms", ""), client_errc::invalid_config);
    EXPECT_EQ(c.set("socket.connection.setup.timeout.ms", "999"), client_errc::invalid_config);
    EXPECT_EQ(c.set("max.in.flight.requests.per.connection", "0"), client_errc::invalid_config);
    EXPECT_EQ(c.set("receive.message.max.bytes", "999"), client_errc::invalid_config);
    EXPECT_EQ(c.set("receive.message.max.bytes", "2147483648"), client_errc::invalid_config);
    EXPECT_EQ(c.set("socket.send.buffer.bytes", "-1"), client_errc::invalid_config);
    EXPECT_EQ(c.set("debug", "protocol,nonsense"), client_errc::invalid_config);
    EXPECT_EQ(c.set("client.id", std::string(40000, 'x')), client_errc::invalid_config);
    EXPECT_EQ(c.request_timeout, 30000ms);
    EXPECT_EQ(c.max_in_flight, 5u);
    EXPECT_EQ(c.log.debug, debug_context::none);
}

TEST(connection_config, debug_selects_contexts_and_raises_level) {
    connection_config c;
    c.log.sink = [](log_level, std::string_view) {};
    EXPECT_FALSE(c.log.debug_enabled(debug_context::protocol));
    EXPECT_FALSE(c.set("debug", "broker, protocol"));
    EXPECT_EQ(c.log.level, log_level::debug);
    EXPECT_TRUE(c.log.debug_enabled(debug_context::protocol));
    EXPECT_TRUE(c.log.debug_enabled(debug_context::broker));
    EXPECT_FALSE(c.log.debug_enabled(debug_context::feature));
    EXPECT_FALSE(c.set("debug", "all"));
    EXPECT_TRUE(c.log.debug_enabled(debug_context::feature));
    c.log.level = log_level::off;
    EXPECT_FALSE(c.log.debug_enabled(debug_context::feature));
    EXPECT_FALSE(c.log.enabled(log_level::error));
}

TEST(connection_config, security_names_select_tls_and_its_files) {
    connection_config c;
    EXPECT_EQ(c.security, security_protocol::plaintext);
    EXPECT_TRUE(c.ssl_verify_hostname);  // https by default, as Kafka 2.0+ and librdkafka 2.0+
    EXPECT_FALSE(c.set("security.protocol", "SSL"));
    EXPECT_EQ(c.security, security_protocol::ssl);
    EXPECT_FALSE(c.set("ssl.ca.location", "/etc/kafka/ca.pem"));
    EXPECT_FALSE(c.set("ssl.certificate.location", "/etc/kafka/client.pem"));
    EXPECT_FALSE(c.set("ssl.key.location", "/etc/kafka/client.key"));
    EXPECT_FALSE(c.set("ssl.key.password", "pw"));
    EXPECT_FALSE(c.set("ssl.endpoint.identification.algorithm", "none"));
    EXPECT_EQ(c.ssl_ca_location, "/etc/kafka/ca.pem");
    EXPECT_EQ(c.ssl_certificate_location, "/etc/kafka/client.pem");
    EXPECT_EQ(c.ssl_key_location, "/etc/kafka/client.key");
    EXPECT_EQ(c.ssl_key_password, "pw");
    EXPECT_FALSE(c.ssl_verify_hostname);
    EXPECT_FALSE(c.set("ssl.endpoint.identification.algorithm", "HTTPS"));
    EXPECT_TRUE(c.ssl_verify_hostname);
    EXPECT_FALSE(c.set("security.protocol", "plaintext"));
    EXPECT_EQ(c.security, security_protocol::plaintext);

    EXPECT_EQ(c.set("security.protocol", "tls"), client_errc::invalid_config);
    EXPECT_EQ(c.set("ssl.endpoint.identification.algorithm", "dns"), client_errc::invalid_config);
    EXPECT_EQ(c.security, security_protocol::plaintext);
}

}  // namespace
}  // namespace kasio

// TLS and SASL against the real cluster's SSL, SASL_PLAINTEXT and SASL_SSL listeners
// (tests/support/kafka/cluster.sh): the broker name is verified, PLAIN and SCRAM-SHA-256/512
// log in, wrong credentials are refused with a clear error, and a connection re-authenticates
// before the broker's connections.max.reauth.ms ends its session (KIP-368).
#include "kafka_cluster.hpp"
#include "kasio_clients.hpp"
#include "net/connection.hpp"
#include "protocol/messages.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

namespace kasio::test::kafka {
namespace {

/// host and port of the first entry of a bootstrap list.
std::pair<std::string, std::string> first_broker(const std::string& bootstrap) {
    const std::string first = bootstrap.substr(0, bootstrap.find(','));
    const auto colon = first.rfind(':');
    return {first.substr(0, colon), first.substr(colon + 1)};
}

void set_all(connection_config& c, const std::vector<std::pair<std::string, std::string>>& props) {
    for (const auto& [k, v] : props) ASSERT_FALSE(c.set(k, v)) << k << "=" << v;
}

/// Produces 200 records through the listener and reads them back, both with these settings.
void round_trip(const std::string& bootstrap, const std::vector<std::pair<std::string, std::string>>& props) {
    const std::string topic = unique_topic("security");
    create_topic(topic, 2);
    auto records = interop_records(200, false);
    producer_config pc;
    pc.bootstrap_servers = {bootstrap};
    set_all(pc.connection, props);
    ASSERT_EQ(kasio_produce(pc, topic, records), "");
    consumer_config cc;
    cc.bootstrap_servers = {bootstrap};
    set_all(cc.connection, props);
    const auto got = kasio_consume(cc, topic, 2, records.size(), std::chrono::seconds(60));
    EXPECT_EQ(got.size(), records.size());
}

std::vector<std::pair<std::string, std::string>> sasl(const std::string& protocol, const std::string& mechanism,
                                                      const std::string& password = "kasio-secret") {
    std::vector<std::pair<std::string, std::string>> p = {{"security.protocol", protocol},
                                                          {"sasl.mechanism", mechanism},
                                                          {"sasl.username", "kasio"},
                                                          {"sasl.password", password}};
    if (protocol == "SASL_SSL") p.emplace_back("ssl.ca.location", cluster().ca_file);
    return p;
}

/// Connects one net::connection with these settings to the first broker of `bootstrap` (or
/// host/port given) and returns the set-up's result.
error_code connect_once(const std::string& host, const std::string& port,
                        const std::vector<std::pair<std::string, std::string>>& props) {
    boost::asio::io_context io;
    connection_config cfg;
    set_all(cfg, props);
    cfg.connect_timeout = std::chrono::seconds(20);
    net::connection conn(io.get_executor(), cfg);
    auto f = conn.async_connect(host, port, boost::asio::use_future);
    if (!run_until_ready(io, f)) return client_errc::timed_out;
    return result_of(std::move(f));
}

TEST(security_real_kafka, tls_with_the_broker_name_verified_round_trips) {
    round_trip(cluster().ssl_bootstrap, {{"security.protocol", "SSL"}, {"ssl.ca.location", cluster().ca_file}});
}

TEST(security_real_kafka, tls_to_an_address_the_certificate_does_not_name_is_refused) {
    // The brokers' certificate names localhost only; 127.0.0.1 is the same broker.
    const auto [host, port] = first_broker(cluster().ssl_bootstrap);
    ASSERT_EQ(host, "localhost");
    const std::vector<std::pair<std::string, std::string>> tls = {{"security.protocol", "SSL"},
                                                                   {"ssl.ca.location", cluster().ca_file}};
    EXPECT_EQ(connect_once("localhost", port, tls), error_code{});
    EXPECT_EQ(connect_once("127.0.0.1", port, tls), error_code(client_errc::certificate_verify_failed));
    auto no_name_check = tls;
    no_name_check.emplace_back("ssl.endpoint.identification.algorithm", "none");
    EXPECT_EQ(connect_once("127.0.0.1", port, no_name_check), error_code{});
    // A CA that did not sign the broker's certificate: the system trust store.
    EXPECT_EQ(connect_once("localhost", port, {{"security.protocol", "SSL"}}),
              error_code(client_errc::certificate_verify_failed));
}

class sasl_mechanisms : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(sasl_mechanisms, round_trip) {
    const auto [protocol, mechanism] = GetParam();
    round_trip(std::string(protocol) == "SASL_SSL" ? cluster().sasl_ssl_bootstrap : cluster().sasl_bootstrap,
               sasl(protocol, mechanism));
}

INSTANTIATE_TEST_SUITE_P(listeners, sasl_mechanisms,
                         ::testing::Values(std::pair{"SASL_PLAINTEXT", "PLAIN"},
                                           std::pair{"SASL_PLAINTEXT", "SCRAM-SHA-256"},
                                           std::pair{"SASL_PLAINTEXT", "SCRAM-SHA-512"},
                                           std::pair{"SASL_SSL", "PLAIN"},
                                           std::pair{"SASL_SSL", "SCRAM-SHA-512"}),
                         [](const auto& param_info) {
                             std::string name = std::string(param_info.param.first) + "_" + param_info.param.second;
                             for (char& ch : name)
                                 if (ch == '-') ch = '_';
                             return name;
                         });

TEST(security_real_kafka, wrong_credentials_are_a_clear_authentication_error) {
    const auto [host, port] = first_broker(cluster().sasl_bootstrap);
    for (const char* mechanism : {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}) {
        const error_code ec = connect_once(host, port, sasl("SASL_PLAINTEXT", mechanism, "not-the-password"));
        EXPECT_EQ(ec, error_code(broker_errc::sasl_authentication_failed)) << mechanism << ": " << ec.message();
        EXPECT_FALSE(is_retriable(ec));
    }

    // Through the producer: the send fails with the same error, not after a silent wait.
    producer_config pc;
    pc.bootstrap_servers = {cluster().sasl_bootstrap};
    set_all(pc.connection, sasl("SASL_PLAINTEXT", "SCRAM-SHA-256", "not-the-password"));
    ASSERT_FALSE(pc.set("max.block.ms", "20000"));
    std::vector<owned_record> one = interop_records(1, false);
    const std::string err = kasio_produce(pc, unique_topic("refused"), one);
    EXPECT_EQ(err, error_code(broker_errc::sasl_authentication_failed).message());

    // And a consumer's poll, which would otherwise wait for records that never come.
    consumer_config cc;
    cc.bootstrap_servers = {cluster().sasl_bootstrap};
    set_all(cc.connection, sasl("SASL_PLAINTEXT", "PLAIN", "not-the-password"));
    io_thread io;
    consumer c(io.io().get_executor(), cc);
    c.assign({{"any-topic", 0}});
    auto polled = c.async_poll(boost::asio::use_future);
    ASSERT_EQ(polled.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    try {
        polled.get();
        ADD_FAILURE() << "poll completed without an error";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), error_code(broker_errc::sasl_authentication_failed)) << e.code().message();
    }
    result_of(c.async_close(boost::asio::use_future));
}

TEST(security_real_kafka, connection_reauthenticates_within_the_brokers_session_lifetime) {
    // The SASL listeners set connections.max.reauth.ms; a connection that does not
    // re-authenticate in time is closed by the broker at its next request after expiry.
    const int lifetime_ms = cluster().reauth_ms;
    ASSERT_GT(lifetime_ms, 0);
    const auto [host, port] = first_broker(cluster().sasl_bootstrap);
    for (const char* mechanism : {"PLAIN", "SCRAM-SHA-512"}) {
        boost::asio::io_context io;
        connection_config cfg;
        set_all(cfg, sasl("SASL_PLAINTEXT", mechanism));
        net::connection conn(io.get_executor(), cfg);
        auto connected = conn.async_connect(host, port, boost::asio::use_future);
        ASSERT_TRUE(run_until_ready(io, connected));
        ASSERT_NO_THROW(connected.get());

        // A Metadata request every 250 ms for 2.5 session lifetimes, all on this connection.
        const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(lifetime_ms * 5 / 2);
        int requests = 0, failed = 0;
        while (std::chrono::steady_clock::now() < end && failed == 0) {
            const protocol::msg::metadata_request req;  // no topics: brokers only
            auto f = conn.async_request(req, boost::asio::use_future);
            run_until_ready(io, f);
            try {
                f.get();
                ++requests;
            } catch (const boost::system::system_error& e) {
                ++failed;
                ADD_FAILURE() << mechanism << ": request " << requests << " failed: " << e.code().message();
            }
            io.run_for(std::chrono::milliseconds(250));  // the scenario's pace; re-authentication runs here too
        }
        EXPECT_EQ(failed, 0);
        EXPECT_GE(conn.stats().reauthentications, 2u) << mechanism;
        std::cout << mechanism << ": " << requests << " requests over " << lifetime_ms * 5 / 2 << " ms, "
                  << conn.stats().reauthentications << " re-authentications\n";
    }
}

}  // namespace
}  // namespace kasio::test::kafka

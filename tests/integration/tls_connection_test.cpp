// security.protocol=ssl against a 1-broker mock cluster behind a TLS terminator the test starts
// (tests/support/tls_proxy.hpp), with certificates made at run time (test_certs.hpp): a good
// certificate connects and records flow; a wrong host name, an unknown CA and an expired
// certificate are each refused with client_errc::certificate_verify_failed and OpenSSL's reason
// in the log (issue 9, TLS).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mock_cluster_fixture.hpp"
#include "net/broker_pool.hpp"
#include "protocol/messages.hpp"
#include "protocol/record_batch_builder.hpp"
#include "test_certs.hpp"
#include "tls_proxy.hpp"

namespace kasio::net {
namespace {

using protocol::msg::metadata_request;
using protocol::msg::metadata_response;
using protocol::msg::produce_request;
using protocol::msg::produce_response;

template <class Pred>
bool run_until(asio::io_context& io, Pred pred, int max_steps = 200000) {
    for (int i = 0; i < max_steps && !pred(); ++i) {
        if (io.stopped()) io.restart();
        if (io.run_one_for(std::chrono::seconds(10)) == 0) break;
    }
    return pred();
}

struct result {
    error_code ec;
    response_frame frame;
};

class tls_connection : public test::mock_cluster_test {
protected:
    tls_connection() : mock_cluster_test(1) {}

    static void SetUpTestSuite() { certs = new test::test_certs(); }
    static void TearDownTestSuite() {
        delete certs;
        certs = nullptr;
    }

    void TearDown() override {
        pool.reset();
        if (proxy) proxy->stop();
        io.poll();
    }

    // The proxy serves `served`; Metadata advertises it under advertised_host.
    void start_proxy(const test::pem_pair& served, const std::string& advertised_host = "localhost",
                     const std::string& client_ca = {}) {
        const std::string& boot = cluster().bootstrap();
        const auto colon = boot.rfind(':');
        proxy.emplace(io, served.certificate, served.key, boot.substr(0, colon),
                      boot.substr(colon + 1), client_ca);
        cluster().set_advertised_listener(1, advertised_host, proxy->port());
    }

    pool_config tls_config() {
        pool_config pc;
        EXPECT_FALSE(pc.set("security.protocol", "SSL"));
        EXPECT_FALSE(pc.set("ssl.ca.location", certs->ca));
        pc.connection.connect_timeout = std::chrono::seconds(10);
        pc.connection.request_timeout = std::chrono::seconds(10);
        pc.connection.log = {log_level::debug,
                             [this](log_level, std::string_view line) { log.emplace_back(line); }};
        pc.connection.log.debug = debug_context::all;
        return pc;
    }

    result bootstrap(pool_config pc, const std::string& host) {
        pool.emplace(io.get_executor(), std::move(pc));
        std::optional<result> r;
        pool->async_bootstrap_request(host + ":" + std::to_string(proxy->port()),
                                      metadata_request{}, [&](error_code ec, response_frame f) {
                                          r = result{ec, std::move(f)};
                                      });
        EXPECT_TRUE(run_until(io, [&] { return r.has_value(); }));
        return r.value_or(result{asio::error::timed_out, {}});
    }

    bool logged(std::string_view text) const {
        for (const auto& l : log) {
            if (l.find(text) != std::string::npos) return true;
        }
        return false;
    }

    void expect_refused(const result& r, std::string_view reason) {
        EXPECT_EQ(r.ec, client_errc::certificate_verify_failed) << r.ec.message();
        EXPECT_FALSE(is_retriable(r.ec));
        EXPECT_TRUE(logged(reason)) << "no log line says '" << reason << "'";
        EXPECT_EQ(proxy->bytes_forwarded, 0u);  // nothing reached the broker
    }

    static test::test_certs* certs;
    asio::io_context io;
    std::optional<test::tls_proxy> proxy;
    std::vector<std::string> log;
    std::optional<broker_pool> pool;
};

test::test_certs* tls_connection::certs = nullptr;

TEST_F(tls_connection, good_certificate_connects_and_records_flow) {
    ASSERT_EQ(cluster().create_topic("tls", 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    start_proxy(certs->good);
    const result r = bootstrap(tls_config(), "localhost");
    ASSERT_FALSE(r.ec) << r.ec.message();
    metadata_response m;
    ASSERT_FALSE(decode_response(r.frame, m));
    ASSERT_EQ(m.brokers.size(), 1u);
    EXPECT_EQ(m.brokers[0].host, "localhost");
    EXPECT_EQ(m.brokers[0].port, proxy->port());
    EXPECT_TRUE(logged("TLS handshake done"));

    // A record produced to the advertised (TLS) address.
    pool->set_broker(m.brokers[0].node_id, m.brokers[0].host, m.brokers[0].port);
    protocol::record_batch_builder batch(1 << 16);
    const std::string value = "over TLS";
    ASSERT_TRUE(batch.append(
        0, std::nullopt,
        protocol::bytes_view(reinterpret_cast<const std::uint8_t*>(value.data()), value.size())));
    error_code bec;
    const protocol::bytes_view records = batch.finish(compression::codec::none, bec);
    ASSERT_FALSE(bec);
    produce_request pr;
    pr.acks = -1;
    pr.timeout_ms = 5000;
    produce_request::topic_produce_data td;
    td.name = "tls";
    produce_request::topic_produce_data::partition_produce_data pd;
    pd.index = 0;
    pd.records = records;
    td.partition_data.push_back(pd);
    pr.topic_data.push_back(td);
    std::optional<result> produced;
    pool->async_request(m.brokers[0].node_id, purpose::bulk, pr,
                        [&](error_code ec, response_frame f) {
                            produced = result{ec, std::move(f)};
                        });
    ASSERT_TRUE(run_until(io, [&] { return produced.has_value(); }));
    ASSERT_FALSE(produced->ec) << produced->ec.message();
    produce_response p;
    ASSERT_FALSE(decode_response(produced->frame, p));
    ASSERT_EQ(p.responses.size(), 1u);
    ASSERT_EQ(p.responses[0].partition_responses.size(), 1u);
    EXPECT_EQ(p.responses[0].partition_responses[0].error_code, 0);
    EXPECT_EQ(p.responses[0].partition_responses[0].base_offset, 0);
    EXPECT_EQ(proxy->handshakes_ok, 2u);  // bootstrap and node connections
}

TEST_F(tls_connection, good_certificate_matches_an_ip_address_host) {
    start_proxy(certs->good, "127.0.0.1");
    const result r = bootstrap(tls_config(), "127.0.0.1");
    EXPECT_FALSE(r.ec) << r.ec.message();
}

TEST_F(tls_connection, wrong_host_name_is_refused) {
    start_proxy(certs->wrong_host);
    expect_refused(bootstrap(tls_config(), "localhost"), "hostname mismatch");
}

TEST_F(tls_connection, wrong_ip_address_is_refused) {
    start_proxy(certs->wrong_host, "127.0.0.1");
    expect_refused(bootstrap(tls_config(), "127.0.0.1"), "IP address mismatch");
}

TEST_F(tls_connection, wrong_host_is_accepted_when_identification_is_none) {
    start_proxy(certs->wrong_host);
    pool_config pc = tls_config();
    ASSERT_FALSE(pc.set("ssl.endpoint.identification.algorithm", "none"));
    const result r = bootstrap(pc, "localhost");
    EXPECT_FALSE(r.ec) << r.ec.message();
}

TEST_F(tls_connection, unknown_ca_is_refused) {
    start_proxy(certs->unknown_ca);
    expect_refused(bootstrap(tls_config(), "localhost"), "unable to get local issuer certificate");
}

TEST_F(tls_connection, expired_certificate_is_refused) {
    start_proxy(certs->expired);
    expect_refused(bootstrap(tls_config(), "localhost"), "certificate has expired");
}

TEST_F(tls_connection, client_certificate_with_encrypted_key_is_accepted_where_required) {
    start_proxy(certs->good, "localhost", certs->ca);
    pool_config pc = tls_config();
    ASSERT_FALSE(pc.set("ssl.certificate.location", certs->client.certificate));
    ASSERT_FALSE(pc.set("ssl.key.location", certs->client.key));
    ASSERT_FALSE(pc.set("ssl.key.password", certs->client_key_password));
    const result r = bootstrap(pc, "localhost");
    EXPECT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(proxy->handshakes_ok, 1u);
    EXPECT_FALSE(logged(certs->client_key_password));
}

TEST_F(tls_connection, missing_client_certificate_is_refused_by_the_broker) {
    start_proxy(certs->good, "localhost", certs->ca);
    const result r = bootstrap(tls_config(), "localhost");
    // TLS 1.3 finishes the client's side of the handshake before the server checks the client
    // certificate: the refusal then arrives as the connection's end, during ApiVersions.
    EXPECT_TRUE(r.ec == client_errc::tls_handshake_failed || r.ec == client_errc::connection_closed)
        << r.ec.message();
    EXPECT_EQ(proxy->handshakes_ok, 0u);
    EXPECT_GE(proxy->handshakes_failed, 1u);
}

TEST_F(tls_connection, wrong_key_password_is_an_invalid_config_that_does_not_echo_it) {
    start_proxy(certs->good, "localhost", certs->ca);
    pool_config pc = tls_config();
    ASSERT_FALSE(pc.set("ssl.certificate.location", certs->client.certificate));
    ASSERT_FALSE(pc.set("ssl.key.location", certs->client.key));
    const std::string wrong = "not-the-Pa55word";
    ASSERT_FALSE(pc.set("ssl.key.password", wrong));
    const result r = bootstrap(pc, "localhost");
    EXPECT_EQ(r.ec, client_errc::invalid_config) << r.ec.message();
    EXPECT_TRUE(logged(certs->client.key));  // names the key file...
    EXPECT_FALSE(logged(wrong));             // ...never the password
    EXPECT_FALSE(logged(certs->client_key_password));
}

TEST_F(tls_connection, plaintext_client_on_a_tls_port_fails_cleanly) {
    start_proxy(certs->good);
    pool_config pc = tls_config();
    ASSERT_FALSE(pc.set("security.protocol", "plaintext"));
    const result r = bootstrap(pc, "localhost");
    EXPECT_EQ(r.ec, client_errc::connection_closed) << r.ec.message();
}

TEST_F(tls_connection, tls_client_on_a_plaintext_broker_fails_the_handshake) {
    start_proxy(certs->good);
    pool.emplace(io.get_executor(), tls_config());
    std::optional<result> r;
    pool->async_bootstrap_request(cluster().bootstrap(), metadata_request{},
                                  [&](error_code ec, response_frame f) {
                                      r = result{ec, std::move(f)};
                                  });
    ASSERT_TRUE(run_until(io, [&] { return r.has_value(); }));
    EXPECT_EQ(r->ec, client_errc::tls_handshake_failed) << r->ec.message();
    EXPECT_TRUE(logged("TLS handshake failed"));
}

}  // namespace
}  // namespace kasio::net

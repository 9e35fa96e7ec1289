#pragma once
/// @file
/// Configuration of one broker connection.
///
/// Every member has a Kafka/librdkafka property name that set() accepts, with librdkafka's
/// ranges; the defaults are librdkafka's except where noted. Names, ranges and defaults come
/// from one property table shared with the producer and consumer configurations
/// (docs/CONFIGURATION.md is generated from it).
#include <kasio/error.hpp>
#include <kasio/hooks.hpp>
#include <kasio/log.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace kasio {

/// `security.protocol`: how connections are secured (librdkafka's and Java's names).
enum class security_protocol : std::uint8_t {
    plaintext,       ///< `plaintext` (default)
    ssl,             ///< `ssl`: TLS 1.2 or later
    sasl_plaintext,  ///< `sasl_plaintext`: SASL authentication, no TLS
    sasl_ssl,        ///< `sasl_ssl`: SASL authentication over TLS
};

/// `sasl.mechanism` (librdkafka: `sasl.mechanisms`).
enum class sasl_mechanism : std::uint8_t {
    plain,          ///< `PLAIN` (RFC 4616): the password travels as is; use it over TLS
    scram_sha_256,  ///< `SCRAM-SHA-256` (RFC 7677, KIP-84)
    scram_sha_512,  ///< `SCRAM-SHA-512`
};

/// Settings of the connections to brokers, shared by producer_config::connection and
/// consumer_config::connection: identity, time-outs, socket options, TLS, SASL and logging.
/// A plain struct: set members directly or by Kafka property name with set().
struct connection_config {
    /// `client.id`: sent in every request header (default "kasio").
    std::string client_id = "kasio";
    /// `request.timeout.ms`: how long a request may wait for its response (1..900000).
    /// An unanswered request that was already sent closes the connection, as in the Java client
    /// and librdkafka: later responses on it would be stuck behind the missing one.
    std::chrono::milliseconds request_timeout{30000};
    /// `socket.connection.setup.timeout.ms`: resolve, TCP connect and the ApiVersions handshake
    /// together (1000..2147483647).
    std::chrono::milliseconds connect_timeout{30000};
    /// `max.in.flight.requests.per.connection`: requests written but not yet answered
    /// (1..1000000; default 5 as in the Java client, librdkafka's is 1000000).
    std::size_t max_in_flight = 5;
    /// `receive.message.max.bytes`: a larger response frame closes the connection before any
    /// of it is allocated (1000..2147483647).
    std::size_t receive_message_max_bytes = 100000000;
    /// `socket.send.buffer.bytes`: SO_SNDBUF, 0 keeps the system default (0..100000000).
    int socket_send_buffer_bytes = 0;
    /// `socket.receive.buffer.bytes`: SO_RCVBUF, 0 keeps the system default (0..100000000).
    int socket_receive_buffer_bytes = 0;
    /// `security.protocol`: `plaintext` (default), `ssl`, `sasl_plaintext` or `sasl_ssl`
    /// (case-insensitive).
    security_protocol security = security_protocol::plaintext;
    /// `sasl.mechanism` / `sasl.mechanisms`: PLAIN (default), SCRAM-SHA-256 or SCRAM-SHA-512.
    sasl_mechanism sasl = sasl_mechanism::plain;
    /// `sasl.username`: never logged nor put in error text.
    std::string sasl_username;
    /// `sasl.password`: never logged nor put in error text.
    std::string sasl_password;
    /// `ssl.ca.location`: PEM file of the CAs that sign broker certificates; empty uses the
    /// system's default trust store.
    std::string ssl_ca_location;
    /// `ssl.certificate.location` / `ssl.key.location`: PEM client certificate (chain) and its
    /// private key, for brokers that authenticate clients by certificate; both or neither.
    std::string ssl_certificate_location;
    /// `ssl.key.location`: the PEM private key of ssl_certificate_location.
    std::string ssl_key_location;
    /// `ssl.key.password`: the private key's passphrase. Never logged nor put in error text.
    std::string ssl_key_password;
    /// `ssl.endpoint.identification.algorithm`: `https` (default) checks that the broker's
    /// certificate names the host connected to (DNS name, or IP address for a numeric host);
    /// `none` skips that check (the chain is still verified).
    bool ssl_verify_hostname = true;
    /// Logging; `debug` sets log.debug (and raises log.level to debug).
    log_config log;

    /// `metrics.enabled` (kasio's own; default true): histograms, per-broker counters and hooks.
    /// Off, stats() keeps only the client's plain counters and no hook is called; for measuring
    /// what metrics cost (docs/observability.md), not needed otherwise.
    bool metrics_enabled = true;
    /// Hooks called as the client works (kasio/hooks.hpp); nullptr: none.
    std::shared_ptr<client_hooks> hooks;
    /// `statistics.interval.ms` (librdkafka's; 0..86400000, default 0: off): how often
    /// statistics_callback gets the client's statistics as JSON (docs/observability.md has the
    /// schema; field names as librdkafka's where the meaning is the same).
    std::chrono::milliseconds statistics_interval{0};
    /// Called with the statistics JSON every statistics_interval, on the client's strand (as
    /// librdkafka's stats_cb). Must not block. Required when statistics_interval is set.
    std::function<void(const std::string& json)> statistics_callback;

    /// Sets the member named by its Kafka property name (or librdkafka alias) from its text form.
    /// Returns client_errc::invalid_config for an unknown name, a name kasio does not support, a
    /// property of the pool or a client, or a bad or out-of-range value, leaving the
    /// configuration unchanged; `why` then names the property and says what is wrong
    /// ("request.timeout.ms: 0 is out of range 1..900000"). docs/CONFIGURATION.md lists them all.
    error_code set(std::string_view kafka_name, std::string_view value, error_context& why);
    /// As set(kafka_name, value, why), without the explanation.
    error_code set(std::string_view kafka_name, std::string_view value);

    /// Checks every member against its property's range (values set directly in the struct
    /// included) and that TLS's certificate and key come together. Empty when valid.
    error_info validate() const;

    /// True for `ssl` and `sasl_ssl`.
    bool uses_tls() const noexcept {
        return security == security_protocol::ssl || security == security_protocol::sasl_ssl;
    }
    /// True for `sasl_plaintext` and `sasl_ssl`.
    bool uses_sasl() const noexcept {
        return security == security_protocol::sasl_plaintext || security == security_protocol::sasl_ssl;
    }
};

}  // namespace kasio

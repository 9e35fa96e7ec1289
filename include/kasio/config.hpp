#pragma once
/// Configuration of one broker connection.
///
/// Every member has a Kafka/librdkafka property name that set() accepts, with librdkafka's
/// ranges; the defaults are librdkafka's except where noted. A later issue replaces this with
/// one property table shared by the producer and consumer configurations.
#include <kasio/error.hpp>
#include <kasio/log.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kasio {

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
    /// `socket.send.buffer.bytes` / `socket.receive.buffer.bytes`: SO_SNDBUF / SO_RCVBUF,
    /// 0 keeps the system default (0..100000000).
    int socket_send_buffer_bytes = 0;
    int socket_receive_buffer_bytes = 0;
    /// Logging; `debug` sets log.debug (and raises log.level to debug).
    log_config log;

    /// Sets the member named by its Kafka property name from its text form.
    /// Returns client_errc::invalid_config for an unknown name or a bad or out-of-range value,
    /// leaving the configuration unchanged.
    error_code set(std::string_view kafka_name, std::string_view value);
};

}  // namespace kasio

// producer_config::set: the producer's Kafka property names; the rest go to the pool and
// connection configurations.
#include "compression/codec.hpp"
#include "net/broker_pool.hpp"
#include "net/property_parse.hpp"

#include <kasio/producer.hpp>

#include <charconv>
#include <limits>

namespace kasio {
namespace {

using detail::int32_max;
using detail::parse_bool;
using detail::parse_int;

}  // namespace

error_code producer_config::set(std::string_view name, std::string_view value) {
    const error_code invalid = client_errc::invalid_config;
    std::int64_t n = 0;
    if (name == "bootstrap.servers" || name == "metadata.broker.list") {
        if (value.empty()) return invalid;
        bootstrap_servers = {std::string(value)};
    } else if (name == "acks" || name == "request.required.acks") {
        if (value == "all") n = -1;
        else if (!parse_int(value, -1, 1, n)) return invalid;
        acks = static_cast<std::int16_t>(n);
    } else if (name == "linger.ms" || name == "queue.buffering.max.ms") {
        if (!parse_int(value, 0, 900000, n)) return invalid;
        linger = std::chrono::milliseconds(n);
    } else if (name == "batch.size") {
        if (!parse_int(value, 1, int32_max, n)) return invalid;
        batch_size = static_cast<std::size_t>(n);
    } else if (name == "buffer.memory") {
        if (!parse_int(value, 1, std::numeric_limits<std::int64_t>::max(), n)) return invalid;
        buffer_memory = static_cast<std::size_t>(n);
    } else if (name == "max.block.ms") {
        if (!parse_int(value, 0, std::numeric_limits<std::int64_t>::max() / 1000000, n)) return invalid;
        max_block = std::chrono::milliseconds(n);
    } else if (name == "delivery.timeout.ms" || name == "message.timeout.ms") {
        if (!parse_int(value, 1, int32_max, n)) return invalid;
        delivery_timeout = std::chrono::milliseconds(n);
    } else if (name == "retries" || name == "message.send.max.retries") {
        if (!parse_int(value, 0, int32_max, n)) return invalid;
        retries = static_cast<std::int32_t>(n);
    } else if (name == "retry.backoff.ms") {
        if (!parse_int(value, 1, 300000, n)) return invalid;
        retry_backoff = std::chrono::milliseconds(n);
    } else if (name == "enable.idempotence") {
        if (!parse_bool(value, enable_idempotence)) return invalid;
    } else if (name == "max.in.flight.requests.per.connection" || name == "max.in.flight") {
        if (!parse_int(value, 1, 1000000, n)) return invalid;
        max_in_flight = static_cast<std::size_t>(n);
    } else if (name == "compression.type" || name == "compression.codec") {
        if (!compression::codec_from_name(value)) return invalid;
        compression_type = value;
    } else if (name == "compression.level") {
        if (!parse_int(value, -131072, 22, n)) return invalid;
        compression_level = static_cast<int>(n);
    } else if (name == "partitioner") {
        if (value == "murmur2_random" || value == "default") partitioner = partitioner_type::murmur2_random;
        else if (value == "round_robin") partitioner = partitioner_type::round_robin;
        else return invalid;
    } else if (name == "max.request.size" || name == "message.max.bytes") {
        if (!parse_int(value, 1000, 1000000000, n)) return invalid;
        max_request_size = static_cast<std::size_t>(n);
    } else if (name == "allow.auto.create.topics") {
        bool b = false;
        if (!parse_bool(value, b)) return invalid;
        allow_auto_create_topics = b;
    } else if (name == "metadata.max.age.ms") {
        if (!parse_int(value, 1, 86400000, n)) return invalid;
        metadata_max_age = std::chrono::milliseconds(n);
    } else {
        // The pool's names (connections.per.broker, reconnect.backoff*.ms, ...) and then the
        // connection's (client.id, request.timeout.ms, debug, ...).
        net::pool_config pool;
        pool.connection = connection;
        pool.connections_per_broker = connections_per_broker;
        pool.reconnect.initial = reconnect_backoff;
        pool.reconnect.max = reconnect_backoff_max;
        if (const error_code ec = pool.set(name, value)) return ec;
        connection = pool.connection;
        connections_per_broker = pool.connections_per_broker;
        reconnect_backoff = pool.reconnect.initial;
        reconnect_backoff_max = pool.reconnect.max;
    }
    return {};
}

}  // namespace kasio

// producer_config::set and validate(): the producer's rows of the property table, and Java's
// rules between them; the pool's and connection's rows are net/client_properties.hpp's.
#include "compression/codec.hpp"
#include "config/member.hpp"
#include "config/properties.hpp"
#include "net/client_properties.hpp"
#include "producer/config_rules.hpp"

#include <kasio/producer.hpp>

#include <algorithm>
#include <string>

namespace kasio {
namespace {

using config::prop;

// The producer's rows and their members, for set() and get() alike.
template <class Config, class F>
bool visit(Config& c, prop id, F&& f) {
    switch (id) {
        case prop::bootstrap_servers: return f(c.bootstrap_servers);
        case prop::acks: return f(c.acks);
        case prop::linger_ms: return f(c.linger);
        case prop::batch_size: return f(c.batch_size);
        case prop::buffer_memory: return f(c.buffer_memory);
        case prop::max_block_ms: return f(c.max_block);
        case prop::delivery_timeout_ms: return f(c.delivery_timeout);
        case prop::retries: return f(c.retries);
        case prop::retry_backoff_ms: return f(c.retry_backoff);
        case prop::enable_idempotence: return f(c.enable_idempotence);
        case prop::max_in_flight: return f(c.max_in_flight);
        case prop::compression_type: return f(c.compression_type);
        case prop::compression_level: return f(c.compression_level);
        case prop::partitioner: return f(c.partitioner);
        case prop::max_request_size: return f(c.max_request_size);
        case prop::metadata_max_age_ms: return f(c.metadata_max_age);
        case prop::metadata_max_idle_ms: return f(c.metadata_max_idle);
        case prop::transactional_id: return f(c.transactional_id);
        case prop::transaction_timeout_ms: return f(c.transaction_timeout);
        case prop::allow_auto_create_topics: return f(c.allow_auto_create_topics);
        default: return false;  // the pool's rows and the connection's: net/client_properties.hpp
    }
}

// visit() as a callable for net::set_client_property and friends.
constexpr auto own_rows = [](auto& c, prop id, auto&& f) { return visit(c, id, f); };

std::string acks_text(std::int16_t acks) { return acks == -1 ? "all" : std::to_string(acks); }

}  // namespace

error_code producer_config::set(std::string_view name, std::string_view value, error_context& why) {
    return net::set_client_property(*this, name, value, config::clients::producer, "producer", own_rows, why);
}

error_code producer_config::set(std::string_view name, std::string_view value) {
    error_context why;
    return set(name, value, why);
}

std::optional<std::string> producer_config::get(std::string_view name) const {
    return net::get_client_property(*this, name, config::clients::producer, own_rows);
}

std::vector<std::pair<std::string, std::string>> producer_config::dump() const {
    return net::dump_client_properties(*this, config::clients::producer, own_rows);
}

error_info producer_config::validate() const {
    error_info e;
    if (!config::check_bootstrap(bootstrap_servers, e)) return e;
    if (!config::check_text(prop::compression_type, compression_type, e)) return e;
    // Listed in the table but not built in: refused like an unknown codec.
    const auto codec = compression::codec_from_name(compression_type);
    if (!codec) return config::conflict("compression.type", "compression.type " + compression_type + " is not built in");
    (void)(config::check_number(prop::linger_ms, linger.count(), e) &&
           config::check_choice(prop::acks, acks, e) &&
           config::check_size(prop::batch_size, batch_size, e) &&
           config::check_size(prop::buffer_memory, buffer_memory, e) &&
           config::check_number(prop::max_block_ms, max_block.count(), e) &&
           config::check_number(prop::delivery_timeout_ms, delivery_timeout.count(), e) &&
           config::check_number(prop::retries, retries, e) &&
           config::check_number(prop::retry_backoff_ms, retry_backoff.count(), e) &&
           config::check_size(prop::max_in_flight, max_in_flight, e) &&
           (compression_level == compression::default_level ||
            config::check_number(prop::compression_level, compression_level, e)) &&
           config::check_choice(prop::partitioner, static_cast<std::int64_t>(partitioner), e) &&
           config::check_size(prop::max_request_size, max_request_size, e) &&
           config::check_number(prop::metadata_max_age_ms, metadata_max_age.count(), e) &&
           config::check_number(prop::metadata_max_idle_ms, metadata_max_idle.count(), e) &&
           config::check_number(prop::transaction_timeout_ms, transaction_timeout.count(), e) &&
           net::check_pool_rows(*this, e));
    if (e) return e;
    if (partitioner == partitioner_type::custom && !partition_function)
        return config::conflict("partitioner", "partitioner custom needs a partition_function");
    if (!compression::is_valid_level(*codec, compression_level)) {
        return config::conflict("compression.level", "compression.level " + std::to_string(compression_level) +
                                                         " is not a level of " + compression_type);
    }
    if (e = connection.validate(); e) return e;

    // Java's idempotence rules (ProducerConfig.postProcessAndValidateIdempotenceConfigs): set
    // explicitly, a conflict is an error; unset, acks and retries turn idempotence off quietly.
    if (enable_idempotence.value_or(true)) {
        const bool asked = enable_idempotence.has_value();
        if (asked && acks != -1)
            return config::conflict("enable.idempotence",
                                    "enable.idempotence=true requires acks=all; acks is " + acks_text(acks));
        if (asked && retries == 0)
            return config::conflict("enable.idempotence", "enable.idempotence=true requires retries > 0; retries is 0");
        // The broker keeps the last 5 batches per producer and partition: more in flight could
        // break the sequence check. Kafka 4.0 refuses this even when idempotence is only on by
        // default (KAFKA-17927); kasio does too, unless acks or retries already turned it off.
        if (detail::producer::effective_idempotence(*this) && max_in_flight > 5) {
            const std::string n = std::to_string(max_in_flight);
            return config::conflict(
                "enable.idempotence",
                asked ? "enable.idempotence=true requires max.in.flight.requests.per.connection <= 5; "
                        "max.in.flight.requests.per.connection is " + n
                      : "max.in.flight.requests.per.connection is " + n +
                            "; idempotence, on by default, allows at most 5: set enable.idempotence=false");
        }
    }
    // ProducerConfig: "Cannot set a transactional.id without also enabling idempotence".
    if (!transactional_id.empty() && !detail::producer::effective_idempotence(*this)) {
        return config::conflict("transactional.id",
                                "transactional.id requires idempotence: " +
                                    (enable_idempotence ? std::string("enable.idempotence is false")
                                     : acks != -1       ? "acks is " + acks_text(acks) + ", not all"
                                                        : std::string("retries is 0")));
    }
    return e;
}

namespace detail::producer {

bool effective_idempotence(const producer_config& c) noexcept {
    if (c.enable_idempotence) return *c.enable_idempotence;
    return c.acks == -1 && c.retries != 0;
}

producer_config validated(producer_config c) {
    if (error_info e = c.validate()) throw config_error(std::move(e));
    return c;
}

}  // namespace detail::producer

}  // namespace kasio

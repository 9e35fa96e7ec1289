#pragma once
// What the producer reads from its configuration beyond the members themselves: the effective
// idempotence (Java's rules, ProducerConfig.postProcessAndValidateIdempotenceConfigs) and the
// check its constructor makes.
#include <kasio/producer.hpp>

namespace kasio::detail::producer {

/// Whether the producer is idempotent: enable.idempotence when set; unset, on unless acks is not
/// -1 or retries is 0 (Java turns it off quietly then). Meaningful for a configuration that
/// validate() accepts.
bool effective_idempotence(const producer_config& c) noexcept;

/// `c` when c.validate() accepts it; throws config_error otherwise.
producer_config validated(producer_config c);

}  // namespace kasio::detail::producer

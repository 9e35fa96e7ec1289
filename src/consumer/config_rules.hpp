#pragma once
// The check the consumer's constructor makes on its configuration.
#include <kasio/consumer.hpp>

namespace kasio::consumer_detail {

/// `c` when c.validate() accepts it; throws config_error otherwise.
consumer_config validated(consumer_config c);

}  // namespace kasio::consumer_detail

#pragma once
// Applies a parsed row of the property table to a connection_config: shared by
// connection_config::set and the pool's, producer's and consumer's set(), which forward the
// connection's names.
#include "config/properties.hpp"

#include <kasio/config.hpp>

namespace kasio::net {

/// Sets the member `row` names; false when the row is not a connection property.
bool apply(connection_config& c, const config::property& row, const config::parsed_value& v);

}  // namespace kasio::net

#pragma once
// Applies a parsed row of the property table to a connection_config: shared by
// connection_config::set and the pool's, producer's and consumer's set(), which forward the
// connection's names.
#include "config/properties.hpp"

#include <kasio/config.hpp>

#include <string>

namespace kasio::net {

/// Sets the member `row` names; false when the row is not a connection property.
bool apply(connection_config& c, const config::property& row, const config::parsed_value& v);
/// The member `row` names in the text set() takes; false when the row is not a connection one.
bool read(const connection_config& c, const config::property& row, std::string& out);

}  // namespace kasio::net

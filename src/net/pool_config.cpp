// pool_config::set: the pool's rows of the property table; the connection's go to its
// connection_config.
#include "config/properties.hpp"
#include "net/broker_pool.hpp"
#include "net/connection_properties.hpp"

namespace kasio::net {

bool apply(pool_config& c, const config::property& row, const config::parsed_value& v) {
    using config::prop;
    const auto ms = std::chrono::milliseconds(v.number);
    switch (row.id) {
        case prop::connections_per_broker: c.connections_per_broker = static_cast<std::size_t>(v.number); break;
        case prop::reconnect_backoff_ms: c.reconnect.initial = ms; break;
        case prop::reconnect_backoff_max_ms: c.reconnect.max = ms; break;
        case prop::connections_max_idle_ms: c.connections_max_idle = ms; break;
        default: return apply(c.connection, row, v);
    }
    return true;
}

error_code pool_config::set(std::string_view name, std::string_view value, error_context& why) {
    const config::property* row = nullptr;
    config::parsed_value v;
    if (auto ec = config::parse(name, value, config::clients::all, row, v, why)) return ec;
    if (!apply(*this, *row, v)) return config::not_held(*row, name, "connection pool", why);
    return {};
}

error_code pool_config::set(std::string_view name, std::string_view value) {
    error_context why;
    return set(name, value, why);
}

}  // namespace kasio::net

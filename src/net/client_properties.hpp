#pragma once
// What the producer's and the consumer's configurations share beside their own rows of the
// property table: the pool's rows (members of the same names in both), the connection's, and
// set/get/dump over all of them. Each client maps only its own rows to members (`own`: a
// callable own(config, prop, f) that calls f on the member and returns true, false for a row
// it does not hold).
#include "config/member.hpp"
#include "config/properties.hpp"
#include "net/connection_properties.hpp"

#include <kasio/error.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kasio::net {

/// Calls f on the member a pool row names; false for any other row.
template <class Config, class F>
bool visit_pool_rows(Config& c, config::prop id, F&& f) {
    switch (id) {
        case config::prop::connections_per_broker: return f(c.connections_per_broker);
        case config::prop::reconnect_backoff_ms: return f(c.reconnect_backoff);
        case config::prop::reconnect_backoff_max_ms: return f(c.reconnect_backoff_max);
        case config::prop::connections_max_idle_ms: return f(c.connections_max_idle);
        default: return false;
    }
}

/// Checks the pool's members against their rows' ranges (validate()); false with `e` set.
template <class Config>
bool check_pool_rows(const Config& c, error_info& e) {
    return config::check_size(config::prop::connections_per_broker, c.connections_per_broker, e) &&
           config::check_number(config::prop::reconnect_backoff_ms, c.reconnect_backoff.count(), e) &&
           config::check_number(config::prop::reconnect_backoff_max_ms, c.reconnect_backoff_max.count(), e) &&
           config::check_number(config::prop::connections_max_idle_ms, c.connections_max_idle.count(), e);
}

/// The client's set(name, value, why): `where` names the client in refusals ("producer").
template <class Config, class Own>
error_code set_client_property(Config& c, std::string_view name, std::string_view value, config::clients who,
                               std::string_view where, Own own, error_context& why) {
    return config::set_property(
        c, name, value, who, where,
        [&own](Config& cfg, const config::property& row, const config::parsed_value& v) {
            return own(cfg, row.id, config::assign_member{row, v}) ||
                   visit_pool_rows(cfg, row.id, config::assign_member{row, v}) || apply(cfg.connection, row, v);
        },
        why);
}

// Renders any row the client holds, for get() and dump().
template <class Config, class Own>
bool read_client_row(const Config& c, Own& own, const config::property& row, std::string& out) {
    return own(c, row.id, config::render_member{row, out}) ||
           visit_pool_rows(c, row.id, config::render_member{row, out}) || read(c.connection, row, out);
}

/// The client's get(name).
template <class Config, class Own>
std::optional<std::string> get_client_property(const Config& c, std::string_view name, config::clients who, Own own) {
    return config::get_property(name, who, [&](const config::property& row, std::string& out) {
        return read_client_row(c, own, row, out);
    });
}

/// The client's dump().
template <class Config, class Own>
std::vector<std::pair<std::string, std::string>> dump_client_properties(const Config& c, config::clients who, Own own) {
    return config::dump_properties(who, [&](const config::property& row, std::string& out) {
        return read_client_row(c, own, row, out);
    });
}

}  // namespace kasio::net

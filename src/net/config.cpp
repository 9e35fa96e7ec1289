// connection_config::set and validate(): the connection's rows of the property table
// (src/config/properties.cpp) onto connection_config members.
#include "config/member.hpp"
#include "config/properties.hpp"
#include "net/connection_properties.hpp"

#include <kasio/config.hpp>

namespace kasio {

namespace net {

namespace {

// The connection's rows and their members, for set() and get() alike.
template <class Config, class F>
bool visit(Config& c, config::prop id, F&& f) {
    using config::prop;
    switch (id) {
        case prop::client_id: return f(c.client_id);
        case prop::request_timeout_ms: return f(c.request_timeout);
        case prop::socket_connection_setup_timeout_ms: return f(c.connect_timeout);
        case prop::max_in_flight: return f(c.max_in_flight);
        case prop::receive_message_max_bytes: return f(c.receive_message_max_bytes);
        case prop::socket_send_buffer_bytes: return f(c.socket_send_buffer_bytes);
        case prop::socket_receive_buffer_bytes: return f(c.socket_receive_buffer_bytes);
        case prop::security_protocol: return f(c.security);
        case prop::sasl_mechanism: return f(c.sasl);
        case prop::sasl_username: return f(c.sasl_username);
        case prop::sasl_password: return f(c.sasl_password);
        case prop::ssl_ca_location: return f(c.ssl_ca_location);
        case prop::ssl_certificate_location: return f(c.ssl_certificate_location);
        case prop::ssl_key_location: return f(c.ssl_key_location);
        case prop::ssl_key_password: return f(c.ssl_key_password);
        case prop::ssl_endpoint_identification_algorithm: return f(c.ssl_verify_hostname);
        case prop::debug: return f(c.log.debug);
        case prop::statistics_interval_ms: return f(c.statistics_interval);
        case prop::metrics_enabled: return f(c.metrics_enabled);
        default: return false;
    }
}

}  // namespace

bool apply(connection_config& c, const config::property& row, const config::parsed_value& v) {
    if (!visit(c, row.id, config::assign_member{row, v})) return false;
    // Asking for debug contexts asks for debug lines.
    if (row.id == config::prop::debug && c.log.debug != debug_context::none) c.log.level = log_level::debug;
    return true;
}

bool read(const connection_config& c, const config::property& row, std::string& out) {
    return visit(c, row.id, config::render_member{row, out});
}

}  // namespace net

error_code connection_config::set(std::string_view name, std::string_view value, error_context& why) {
    const config::property* row = nullptr;
    config::parsed_value v;
    if (auto ec = config::parse(name, value, config::clients::all, row, v, why)) return ec;
    if (!net::apply(*this, *row, v)) return config::not_held(*row, name, "connection", why);
    return {};
}

error_code connection_config::set(std::string_view name, std::string_view value) {
    error_context why;
    return set(name, value, why);
}

error_info connection_config::validate() const {
    using config::prop;
    error_info e;
    // Each check fills `e` when it refuses; the first refusal is returned.
    (void)(config::check_length(prop::client_id, client_id, e) &&
           config::check_number(prop::request_timeout_ms, request_timeout.count(), e) &&
           config::check_number(prop::socket_connection_setup_timeout_ms, connect_timeout.count(), e) &&
           config::check_size(prop::max_in_flight, max_in_flight, e) &&
           config::check_size(prop::receive_message_max_bytes, receive_message_max_bytes, e) &&
           config::check_number(prop::socket_send_buffer_bytes, socket_send_buffer_bytes, e) &&
           config::check_number(prop::socket_receive_buffer_bytes, socket_receive_buffer_bytes, e) &&
           config::check_choice(prop::security_protocol, static_cast<std::int64_t>(security), e) &&
           config::check_choice(prop::sasl_mechanism, static_cast<std::int64_t>(sasl), e) &&
           config::check_number(prop::statistics_interval_ms, statistics_interval.count(), e));
    if (e) return e;
    // Both or neither (ssl.certificate.location's doc): one alone fails every TLS handshake.
    if (uses_tls() && ssl_certificate_location.empty() != ssl_key_location.empty())
        return config::conflict("ssl.certificate.location",
                                "ssl.certificate.location and ssl.key.location go together; only one is set");
    if (statistics_interval.count() > 0 && !statistics_callback)
        return config::conflict("statistics.interval.ms",
                                "statistics.interval.ms is set but statistics_callback is empty: nothing would get the statistics");
    return e;
}

}  // namespace kasio

// connection_config::set and validate(): the connection's rows of the property table
// (src/config/properties.cpp) onto connection_config members.
#include "config/properties.hpp"
#include "net/connection_properties.hpp"

#include <kasio/config.hpp>

namespace kasio {

namespace net {

bool apply(connection_config& c, const config::property& row, const config::parsed_value& v) {
    using config::prop;
    const auto ms = std::chrono::milliseconds(v.number);
    switch (row.id) {
        case prop::client_id: c.client_id = v.text; break;
        case prop::request_timeout_ms: c.request_timeout = ms; break;
        case prop::socket_connection_setup_timeout_ms: c.connect_timeout = ms; break;
        case prop::max_in_flight: c.max_in_flight = static_cast<std::size_t>(v.number); break;
        case prop::receive_message_max_bytes: c.receive_message_max_bytes = static_cast<std::size_t>(v.number); break;
        case prop::socket_send_buffer_bytes: c.socket_send_buffer_bytes = static_cast<int>(v.number); break;
        case prop::socket_receive_buffer_bytes: c.socket_receive_buffer_bytes = static_cast<int>(v.number); break;
        case prop::security_protocol: c.security = static_cast<security_protocol>(v.number); break;
        case prop::sasl_mechanism: c.sasl = static_cast<sasl_mechanism>(v.number); break;
        case prop::sasl_username: c.sasl_username = v.text; break;
        case prop::sasl_password: c.sasl_password = v.text; break;
        case prop::ssl_ca_location: c.ssl_ca_location = v.text; break;
        case prop::ssl_certificate_location: c.ssl_certificate_location = v.text; break;
        case prop::ssl_key_location: c.ssl_key_location = v.text; break;
        case prop::ssl_key_password: c.ssl_key_password = v.text; break;
        case prop::ssl_endpoint_identification_algorithm: c.ssl_verify_hostname = v.number != 0; break;
        case prop::debug: {
            std::uint32_t bits = 0;
            for (const std::int64_t item : v.items) bits |= static_cast<std::uint32_t>(item);
            c.log.debug = static_cast<debug_context>(bits);
            if (c.log.debug != debug_context::none) c.log.level = log_level::debug;
            break;
        }
        default: return false;
    }
    return true;
}

}  // namespace net

error_code connection_config::set(std::string_view name, std::string_view value, error_context& why) {
    const config::property* row = nullptr;
    config::parsed_value v;
    if (auto ec = config::parse(name, value, config::clients::both, row, v, why)) return ec;
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
           config::check_choice(prop::sasl_mechanism, static_cast<std::int64_t>(sasl), e));
    if (e) return e;
    // Both or neither (ssl.certificate.location's doc): one alone fails every TLS handshake.
    if (uses_tls() && ssl_certificate_location.empty() != ssl_key_location.empty())
        return config::conflict("ssl.certificate.location",
                                "ssl.certificate.location and ssl.key.location go together; only one is set");
    return e;
}

}  // namespace kasio

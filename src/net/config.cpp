// connection_config::set: Kafka property names onto connection_config members.
#include "net/property_parse.hpp"

#include <kasio/config.hpp>

#include <charconv>
#include <cstdint>
#include <limits>

namespace kasio {
namespace {

using detail::int32_max;
using detail::parse_int;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// librdkafka's `debug`: a comma-separated list of contexts; kasio emits the ones it names.
bool parse_debug(std::string_view text, debug_context& out) {
    debug_context set = debug_context::none;
    while (!text.empty()) {
        auto comma = text.find(',');
        std::string_view item = trim(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        if (item.empty()) continue;
        if (item == "broker") set = set | debug_context::broker;
        else if (item == "protocol") set = set | debug_context::protocol;
        else if (item == "feature") set = set | debug_context::feature;
        else if (item == "all") set = set | debug_context::all;
        else return false;
    }
    out = set;
    return true;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}


}  // namespace

error_code connection_config::set(std::string_view name, std::string_view value) {
    const error_code invalid = client_errc::invalid_config;
    std::int64_t n = 0;
    if (name == "client.id") {
        // A nullable int16-length string in every request header.
        if (value.size() > static_cast<std::size_t>(std::numeric_limits<std::int16_t>::max()))
            return invalid;
        client_id = value;
    } else if (name == "request.timeout.ms") {
        if (!parse_int(value, 1, 900000, n)) return invalid;
        request_timeout = std::chrono::milliseconds(n);
    } else if (name == "socket.connection.setup.timeout.ms") {
        if (!parse_int(value, 1000, int32_max, n)) return invalid;
        connect_timeout = std::chrono::milliseconds(n);
    } else if (name == "max.in.flight.requests.per.connection" || name == "max.in.flight") {
        if (!parse_int(value, 1, 1000000, n)) return invalid;
        max_in_flight = static_cast<std::size_t>(n);
    } else if (name == "receive.message.max.bytes") {
        if (!parse_int(value, 1000, int32_max, n)) return invalid;
        receive_message_max_bytes = static_cast<std::size_t>(n);
    } else if (name == "socket.send.buffer.bytes") {
        if (!parse_int(value, 0, 100000000, n)) return invalid;
        socket_send_buffer_bytes = static_cast<int>(n);
    } else if (name == "socket.receive.buffer.bytes") {
        if (!parse_int(value, 0, 100000000, n)) return invalid;
        socket_receive_buffer_bytes = static_cast<int>(n);
    } else if (name == "security.protocol") {
        if (iequals(value, "plaintext")) security = security_protocol::plaintext;
        else if (iequals(value, "ssl")) security = security_protocol::ssl;
        else if (iequals(value, "sasl_plaintext")) security = security_protocol::sasl_plaintext;
        else if (iequals(value, "sasl_ssl")) security = security_protocol::sasl_ssl;
        else return invalid;
    } else if (name == "sasl.mechanism" || name == "sasl.mechanisms") {
        if (value == "PLAIN") sasl = sasl_mechanism::plain;
        else if (value == "SCRAM-SHA-256") sasl = sasl_mechanism::scram_sha_256;
        else if (value == "SCRAM-SHA-512") sasl = sasl_mechanism::scram_sha_512;
        else return invalid;
    } else if (name == "sasl.username") {
        sasl_username = value;
    } else if (name == "sasl.password") {
        sasl_password = value;
    } else if (name == "ssl.ca.location") {
        ssl_ca_location = value;
    } else if (name == "ssl.certificate.location") {
        ssl_certificate_location = value;
    } else if (name == "ssl.key.location") {
        ssl_key_location = value;
    } else if (name == "ssl.key.password") {
        ssl_key_password = value;
    } else if (name == "ssl.endpoint.identification.algorithm") {
        if (iequals(value, "https")) ssl_verify_hostname = true;
        else if (iequals(value, "none")) ssl_verify_hostname = false;
        else return invalid;
    } else if (name == "debug") {
        debug_context d{};
        if (!parse_debug(value, d)) return invalid;
        log.debug = d;
        if (d != debug_context::none) log.level = log_level::debug;
    } else {
        return invalid;
    }
    return {};
}

}  // namespace kasio

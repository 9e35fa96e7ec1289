// pool_config::set: the pool's Kafka property names; the rest go to connection_config::set.
#include "net/broker_pool.hpp"

#include <charconv>

namespace kasio::net {
namespace {

bool parse_ms(std::string_view text, std::int64_t lo, std::int64_t hi, std::chrono::milliseconds& out) {
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc{} || p != end || v < lo || v > hi) return false;
    out = std::chrono::milliseconds(v);
    return true;
}

}  // namespace

error_code pool_config::set(std::string_view name, std::string_view value) {
    const error_code invalid = client_errc::invalid_config;
    std::chrono::milliseconds ms{};
    if (name == "connections.per.broker") {
        if (!parse_ms(value, 1, 128, ms)) return invalid;
        connections_per_broker = static_cast<std::size_t>(ms.count());
    } else if (name == "reconnect.backoff.ms") {
        if (!parse_ms(value, 0, 3600000, ms)) return invalid;
        reconnect.initial = ms;
    } else if (name == "reconnect.backoff.max.ms") {
        if (!parse_ms(value, 0, 3600000, ms)) return invalid;
        reconnect.max = ms;
    } else if (name == "connections.max.idle.ms") {
        if (!parse_ms(value, 0, 2147483647, ms)) return invalid;
        connections_max_idle = ms;
    } else {
        return connection.set(name, value);
    }
    return {};
}

}  // namespace kasio::net

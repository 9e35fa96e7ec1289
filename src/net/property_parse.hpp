#pragma once
// Parsing of Kafka property values shared by every configuration's set(): connection, pool,
// producer and consumer take the same text forms, so a value that works in one works in all.
#include <charconv>
#include <cstdint>
#include <limits>
#include <string_view>
#include <system_error>

namespace kasio::detail {

inline constexpr std::int64_t int32_max = std::numeric_limits<std::int32_t>::max();

/// A whole decimal integer within [lo, hi]: no sign games, no trailing text.
inline bool parse_int(std::string_view text, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc{} || p != end || v < lo || v > hi) return false;
    out = v;
    return true;
}

/// true/false, and 1/0 as librdkafka also takes them.
inline bool parse_bool(std::string_view text, bool& out) {
    if (text == "true" || text == "1") out = true;
    else if (text == "false" || text == "0") out = false;
    else return false;
    return true;
}

}  // namespace kasio::detail

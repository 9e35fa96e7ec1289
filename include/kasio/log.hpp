#pragma once
/// @file
/// Logging hook: a level, a sink and librdkafka-style `debug` contexts.
///
/// kasio checks the level (and for debug lines the context) before formatting anything, so a
/// disabled line costs one comparison.
///
/// Thread safety: the sink may be called concurrently from several threads: the threads running
/// the io_context behind kasio's strands (each connection has its own strand, the client another)
/// and the application's threads inside a public call (producer::async_send, consumer::assign, ...). It
/// must be thread-safe (a mutex or a lock-free queue around shared output), must not block (it
/// runs inside kasio's loops) and must not call back into the client that logs. kasio wraps it:
/// an exception thrown from it loses that one line, nothing else.
#include <cstdint>
#include <functional>
#include <string_view>

namespace kasio {

/// Severity, most severe first; `off` disables the sink.
enum class log_level : std::uint8_t { off, error, warning, info, debug };

/// What debug lines to emit (librdkafka's `debug` property; bits of log_config::debug).
enum class debug_context : std::uint32_t {
    none = 0,
    broker = 1u << 0,    ///< connection set-up, close and its reason
    protocol = 1u << 1,  ///< one line per request sent and response received
    feature = 1u << 2,   ///< the API versions negotiated with each broker
    all = broker | protocol | feature,
};

/// The union of two sets of debug contexts.
constexpr debug_context operator|(debug_context a, debug_context b) noexcept {
    return static_cast<debug_context>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
/// True when `set` includes any context of `c`.
constexpr bool has(debug_context set, debug_context c) noexcept {
    return (static_cast<std::uint32_t>(set) & static_cast<std::uint32_t>(c)) != 0;
}

/// Where log lines go. The default logs nothing (no sink). The sink may run on several threads at
/// once (see the top of this header).
///
///   cfg.log = {kasio::log_level::info, [](kasio::log_level, std::string_view msg) { ... }};
struct log_config {
    /// The most detailed level logged (`log.level`); `debug` also needs contexts in `debug`.
    log_level level = log_level::info;
    /// Called with each line's level and text (the view lives for the call only); empty logs
    /// nothing. Thread-safe, non-blocking, must not call the client back (see the top of log.hpp).
    std::function<void(log_level, std::string_view)> sink;
    /// Debug lines are emitted for these contexts when level is debug.
    debug_context debug = debug_context::none;

    /// True when a line of level `l` reaches the sink.
    bool enabled(log_level l) const noexcept {
        return sink && l != log_level::off && l <= level;
    }
    /// True when debug lines of context `c` reach the sink.
    bool debug_enabled(debug_context c) const noexcept {
        return has(debug, c) && enabled(log_level::debug);
    }
};

}  // namespace kasio

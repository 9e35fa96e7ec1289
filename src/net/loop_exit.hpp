#pragma once
// How a long-lived coroutine ends: never `detached`, which throws an exception away and leaves
// whatever waited on the loop waiting for good. on_loop_exit() is the completion handler of
// co_spawn for such a loop: an exception that escaped it (bad_alloc, a throwing log sink, a bug)
// is logged at error level with its text, and `on_error` fails what the loop served (in-flight
// requests, a pending poll) so that the client reports it or stops cleanly.
#include <kasio/log.hpp>

#include <exception>
#include <string>
#include <string_view>
#include <utility>

namespace kasio::net {

/// The text of an exception, for a log line.
inline std::string describe_exception(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
        return "an exception not derived from std::exception";
    }
}

/// Logs without letting the application's sink throw into kasio's loops.
inline void log_line(const log_config& log, log_level level, const std::string& line) noexcept {
    if (!log.enabled(level)) return;
    try {
        log.sink(level, line);
    } catch (...) {  // a throwing sink loses this line, nothing else
    }
}

/// Wraps the application's log sink so that a throw from it loses that line only: kasio logs
/// from inside its loops and completions, where an exception would stop them. Clients apply it
/// to their configuration's copy once, when they are made.
inline void contain_sink(log_config& log) {
    if (!log.sink) return;
    log.sink = [inner = std::move(log.sink)](log_level level, std::string_view line) noexcept {
        try {
            inner(level, line);
        } catch (...) {
        }
    };
}

/// A client configuration with its log sink contained (contain_sink).
template <class Config>
Config with_contained_log(Config c) {
    contain_sink(c.connection.log);
    return c;
}

/// co_spawn completion for the loop named `what`: on_error(text) runs (on the loop's executor)
/// only when an exception ended it.
template <class OnError>
auto on_loop_exit(log_config log, std::string what, OnError on_error) {
    return [log = std::move(log), what = std::move(what), on_error = std::move(on_error)](std::exception_ptr e) mutable {
        if (!e) return;
        const std::string why = describe_exception(e);
        log_line(log, log_level::error, what + " stopped by an exception: " + why);
        on_error(why);
    };
}

}  // namespace kasio::net

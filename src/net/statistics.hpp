#pragma once
// The statistics callback (statistics.interval.ms) shared by the clients: the JSON parts every
// client writes the same way (the header, the brokers, errors by code) and the periodic timer
// that calls the application's callback on the client's strand. docs/observability.md documents
// the JSON; its names are librdkafka's STATISTICS.md names where the meaning is the same.
#include "metrics/json_writer.hpp"

#include <kasio/config.hpp>
#include <kasio/error.hpp>
#include <kasio/metrics.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kasio::net {

/// "<client.id>#<type>-<n>", n counting the clients of that type made in this process (as
/// librdkafka's "rdkafka#producer-1").
std::string instance_name(std::string_view client_id, std::string_view type);

/// name, client_id, type, ts (steady clock, µs), time (wall clock, s), age (µs since created).
void write_header(metrics::json_writer& w, std::string_view name, std::string_view client_id, std::string_view type,
                  std::chrono::steady_clock::time_point created);

/// tx, tx_bytes, rx, rx_bytes summed over the brokers, then "brokers": {"host:port/id": {...}}.
void write_brokers(metrics::json_writer& w, const std::vector<broker_metrics>& brokers);

/// "key": {"<error name>": count, ...}
void write_errors(metrics::json_writer& w, std::string_view key,
                  const std::vector<std::pair<error_code, std::uint64_t>>& errors);

/// Calls `callback(make())` every `interval` on `strand` until stop() or until make() returns
/// nothing (its client is gone). A callback that throws is logged at error level; the next
/// interval comes anyway.
class statistics_timer {
public:
    using make_fn = std::function<std::optional<std::string>()>;

    statistics_timer() = default;
    /// Does nothing unless cfg.statistics_interval > 0 and cfg.statistics_callback is set.
    void start(const boost::asio::any_io_executor& strand, const connection_config& cfg, make_fn make);
    /// Ends the loop (runs on: strand).
    void stop();

    struct state;

private:
    std::shared_ptr<state> state_;
};

}  // namespace kasio::net

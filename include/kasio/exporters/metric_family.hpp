#pragma once
/// @file
/// The exporters' common, sans-io description of a client's metrics: producer_stats and
/// consumer_stats turned into metric families (name, kind, unit, help, points), which the
/// Prometheus and OTLP exporters only render. Names follow the Java client where it has a metric
/// of the same meaning; docs/observability-exporters.md has the full table.
///
/// Target kasio_exporter_core (not part of the kasio library).
#include <kasio/consumer.hpp>
#include <kasio/metrics.hpp>
#include <kasio/producer.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kasio::exporters {

/// Counters only grow (OTLP monotonic sum); gauges are read as they are now.
enum class metric_kind : std::uint8_t { counter, gauge, histogram };

/// Which client a family describes; it gives the exported prefix (kasio_producer_, ...).
enum class metric_group : std::uint8_t { producer, consumer, broker };

/// "producer", "consumer" or "broker".
std::string_view to_string(metric_group g) noexcept;

/// One label (OTLP: attribute). Integers stay integers so OTLP can send them as intValue.
struct metric_label {
    std::string name;                               ///< "node_id", "topic", ...
    std::variant<std::string, std::int64_t> value;  ///< text, or an integer (node_id, partition)

    /// The value as text (integers in decimal).
    std::string text() const;
};

/// A histogram in the exporters' coarse buckets, in the exported unit (seconds, bytes, ...).
/// counts[i] holds the values v with bounds[i-1] < v <= bounds[i]; the last count is above the
/// last bound (+Inf). Per bucket, not cumulative (Prometheus adds them up, OTLP does not).
struct coarse_histogram {
    std::vector<double> bounds;         ///< upper bounds, increasing
    std::vector<std::uint64_t> counts;  ///< bounds.size() + 1 entries
    std::uint64_t count = 0;            ///< values recorded (the sum of counts)
    double sum = 0;                     ///< their sum, exact
    double min = 0;                     ///< the smallest value; 0 when count is 0
    double max = 0;                     ///< the largest value; 0 when count is 0
};

/// One time series: its labels and its value.
struct metric_point {
    std::vector<metric_label> labels;  ///< the client's labels first, then node_id, topic, ...
    /// A counter's or gauge's value (integral when kasio counts it so), or a histogram.
    std::variant<std::int64_t, double, coarse_histogram> value;
};

/// One metric and all its series.
struct metric_family {
    metric_group group = metric_group::producer;  ///< the exported prefix
    /// The Java client's name when it has one of the same meaning ("record-send-total"), else
    /// one made the same way.
    std::string name;
    metric_kind kind = metric_kind::counter;  ///< counter, gauge or histogram
    /// UCUM, as OTLP wants it: "s", "By" or "1".
    std::string unit;
    std::string help;                  ///< one sentence (Prometheus HELP, OTLP description)
    std::vector<metric_point> points;  ///< one per label set (client, broker, partition, ...)
};

/// Which client the stats come from: every point carries these labels (client_id,
/// client_name), so several clients of one process stay apart.
struct client_info {
    /// The client's client.id.
    std::string client_id;
    /// A name of this instance, unique in the process (client.id often is not).
    std::string name;
    /// Producer only: its buffer.memory, for buffer-total-bytes and buffer-available-bytes (0
    /// leaves those two out; producer_stats has only the bytes in use).
    std::uint64_t buffer_memory = 0;
};

/// Coarse bounds of latencies, in seconds (100 us to 30 s).
std::span<const double> latency_bounds() noexcept;
/// Coarse bounds of sizes, in bytes (powers of 4, 64 B to 64 MiB).
std::span<const double> size_bounds() noexcept;
/// Coarse bounds of counts such as records per batch (powers of 4, 1 to 65536).
std::span<const double> count_bounds() noexcept;

/// Re-buckets a kasio histogram into `bounds`, scaling its values by `scale` (1e-6 turns
/// microseconds into seconds). count is kept, sum, min and max are scaled exactly; a fine bucket
/// goes whole into the coarse bucket that holds its middle value. kasio's buckets are at most
/// 1/8 of their lower bound wide, so a value lands in a neighbouring coarse bucket only when it
/// is within 6.25 % of a bound (values below 8 are exact; with bounds at powers of two, only a
/// value equal to a bound moves, one bucket up).
coarse_histogram rebucket(const histogram& h, std::span<const double> bounds, double scale);

/// The families of a producer's stats, broker families (group broker) included.
std::vector<metric_family> describe(const producer_stats& s, const client_info& client);
/// The families of a consumer's stats, broker families (group broker) included.
std::vector<metric_family> describe(const consumer_stats& s, const client_info& client);

/// Adds `more` to `into`: points of a family already in `into` (same group and name) join it,
/// so one name is one family whatever the number of clients.
void merge_families(std::vector<metric_family>& into, std::vector<metric_family> more);

}  // namespace kasio::exporters

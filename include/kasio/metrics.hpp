#pragma once
/// @file
/// Metrics snapshots shared by every client: distributions (latencies, sizes) and the counters
/// of each broker a client talks to. The clients keep these always on: counters are updated per
/// request or per batch with relaxed atomics, never per record and never under a lock, and a
/// snapshot (producer::stats(), consumer::stats(), admin_client::stats()) copies them.
///
/// Names: members are snake_case; where the Java client has a metric with the same meaning its
/// name is given in the member's comment ("Java: request-latency-avg"), and the exporters
/// (kasio_prometheus, kasio_otlp) publish them under those names.
#include <kasio/error.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kasio {

/// A distribution of non-negative integers (microseconds, bytes, records) in log-linear
/// buckets: values below 8 have their own bucket, then every power of two is split into 8
/// equal buckets, so a bucket's width is at most 1/8 of its lower bound and a percentile read
/// from the buckets is within 6.25 % of the true value. Values of 2^36 and above share the last
/// bucket. count, sum, min and max are exact.
struct histogram {
    static constexpr std::size_t sub_buckets = 8;  ///< buckets per power of two
    /// 8 single values, then 8 buckets for each power of two from 2^3 to 2^35; 272.
    static constexpr std::size_t bucket_count = 8 + (36 - 3) * sub_buckets;

    std::uint64_t count = 0;  ///< values recorded
    std::uint64_t sum = 0;    ///< their sum
    std::uint64_t min = 0;    ///< the smallest; 0 when count is 0
    std::uint64_t max = 0;    ///< the largest
    std::array<std::uint64_t, bucket_count> buckets{};  ///< values per bucket (bucket_lower/upper)

    /// The bucket holding v.
    static constexpr std::size_t bucket_of(std::uint64_t v) noexcept {
        if (v < 8) return static_cast<std::size_t>(v);
        const int e = std::bit_width(v) - 1;  // v in [2^e, 2^(e+1)), e >= 3
        if (e >= 36) return bucket_count - 1;
        const auto sub = static_cast<std::size_t>((v >> (e - 3)) & 7);
        return 8 + static_cast<std::size_t>(e - 3) * sub_buckets + sub;
    }
    /// The smallest value bucket i holds.
    static constexpr std::uint64_t bucket_lower(std::size_t i) noexcept {
        if (i < 8) return i;
        const std::size_t e = 3 + (i - 8) / sub_buckets;
        const std::uint64_t sub = (i - 8) % sub_buckets;
        return (std::uint64_t{1} << e) + sub * (std::uint64_t{1} << (e - 3));
    }
    /// One past the largest value bucket i holds (the last bucket: unbounded, 2^64-1).
    static constexpr std::uint64_t bucket_upper(std::size_t i) noexcept {
        return i + 1 < bucket_count ? bucket_lower(i + 1) : ~std::uint64_t{0};
    }

    /// Adds one value (for building a histogram by hand; the clients record theirs atomically).
    void record(std::uint64_t v) noexcept {
        if (count == 0 || v < min) min = v;
        if (v > max) max = v;
        ++count;
        sum += v;
        ++buckets[bucket_of(v)];
    }
    /// Adds every value of another histogram.
    void merge(const histogram& o) noexcept;

    /// sum / count; 0 when empty.
    double mean() const noexcept { return count ? static_cast<double>(sum) / static_cast<double>(count) : 0.0; }
    /// The value below which fraction q (0..1) of the values fall: the middle of the bucket that
    /// holds that rank, clamped to [min, max]. 0 when empty.
    std::uint64_t percentile(double q) const noexcept;
};

/// Kafka's name of an API as its protocol guide writes it ("Produce", "ApiVersions"), for every
/// API kasio speaks (so for every key in broker_metrics::apis); "Api<key>" for any other key.
std::string api_name(std::int16_t api_key);

/// Requests of one API (Produce, Fetch, ...) to one broker.
struct api_metrics {
    std::int16_t api_key = 0;     ///< Kafka's API key (0 Produce, 1 Fetch, ...)
    std::uint64_t requests = 0;   ///< completed: answered, or ended by an error
    std::uint64_t errors = 0;     ///< ended without a response (timed out, connection lost, ...)
    std::uint64_t bytes_out = 0;  ///< request frames
    std::uint64_t bytes_in = 0;   ///< response frames
    /// Microseconds from the request's write to its response (answered requests only).
    histogram latency_us;
};

/// One broker as a client sees it: its connections (all purposes) summed over their lifetimes.
struct broker_metrics {
    std::int32_t node_id = -1;   ///< -1 for a bootstrap address
    std::string address;         ///< "host:port"
    bool connected = false;      ///< a connection to it is up now
    std::uint64_t connects = 0;          ///< connections set up (Java: connection-creation-total)
    std::uint64_t connect_failures = 0;  ///< attempts that failed (resolve, TCP, TLS, SASL, ApiVersions)
    std::uint64_t disconnects = 0;       ///< connections that were up and closed (Java: connection-close-total)
    std::uint64_t requests = 0;          ///< requests written (Java: request-total)
    std::uint64_t responses = 0;         ///< responses read (Java: response-total)
    std::uint64_t request_timeouts = 0;  ///< requests that got no answer within their timeout
    std::uint64_t bytes_out = 0;         ///< Java: outgoing-byte-total
    std::uint64_t bytes_in = 0;          ///< Java: incoming-byte-total
    std::uint64_t in_flight = 0;         ///< written, not yet answered, now
    std::uint64_t waiting = 0;           ///< requests queued in the client for a connection, now
    /// Microseconds from write to response, every API (Java: request-latency-avg/-max).
    histogram latency_us;
    /// throttle_time_ms of every response that carried one (KIP-219), including zeros
    /// (Java: produce-throttle-time-avg / fetch-throttle-time-avg).
    histogram throttle_ms;
    std::vector<api_metrics> apis;  ///< APIs used, by key
    /// Requests that ended without a response, by the error that ended them.
    std::vector<std::pair<error_code, std::uint64_t>> errors;
};

}  // namespace kasio

#pragma once
// The metrics of one broker of one client (kasio::broker_metrics), recorded by the pool and by
// every connection to that broker, on their own strands, and copied by stats() on any thread:
// relaxed atomics throughout, updated per request, never per record. The errors-by-code list
// takes a mutex, on the error path only.
//
// metrics_registry holds one broker_counters per broker (node id, or bootstrap address) for the
// life of the pool, so that a snapshot never needs the pool strand.
//
// runs on: any thread.
#include "metrics/atomic_histogram.hpp"

#include <kasio/error.hpp>
#include <kasio/hooks.hpp>
#include <kasio/metrics.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kasio::net {

class broker_counters {
public:
    broker_counters(std::int32_t node_id, std::string address) : node_id_(node_id), address_(std::move(address)) {}

    std::int32_t node_id() const noexcept { return node_id_; }
    /// Fixed for a bootstrap entry; a node's is the first address metadata gave it (hooks see
    /// this one).
    const std::string& address() const noexcept { return address_; }
    broker_ref ref() const noexcept { return broker_ref{node_id_, address_}; }

    void connected() noexcept {
        connects_.fetch_add(1, std::memory_order_relaxed);
        up_.fetch_add(1, std::memory_order_relaxed);
    }
    void connect_failed() noexcept { connect_failures_.fetch_add(1, std::memory_order_relaxed); }
    void disconnected() noexcept {
        disconnects_.fetch_add(1, std::memory_order_relaxed);
        up_.fetch_sub(1, std::memory_order_relaxed);
    }
    void written(std::size_t requests, std::size_t bytes) noexcept {
        requests_.fetch_add(requests, std::memory_order_relaxed);
        bytes_out_.fetch_add(bytes, std::memory_order_relaxed);
    }
    void read(std::size_t bytes) noexcept { bytes_in_.fetch_add(bytes, std::memory_order_relaxed); }
    /// A request ended: answered (ec clear, `latency` from its write) or not.
    void completed(std::int16_t api_key, std::size_t bytes_out, std::size_t bytes_in,
                   std::chrono::steady_clock::duration latency, error_code ec);
    void throttled(std::int32_t ms) noexcept { throttle_ms_.record(static_cast<std::uint64_t>(ms)); }
    void in_flight_changed(std::int64_t delta) noexcept { in_flight_.fetch_add(delta, std::memory_order_relaxed); }
    void waiting_changed(std::int64_t delta) noexcept { waiting_.fetch_add(delta, std::memory_order_relaxed); }

    broker_metrics snapshot() const;

private:
    static constexpr std::size_t max_api_key = 128;  // Kafka's keys are below 100
    struct api_counters {
        std::atomic<std::uint64_t> requests{0}, errors{0}, bytes_out{0}, bytes_in{0};
        // Made by the first answered request of this API; never freed before the counters.
        std::atomic<metrics::atomic_histogram*> latency{nullptr};
    };

    const std::int32_t node_id_;
    const std::string address_;
    std::atomic<std::uint64_t> connects_{0}, connect_failures_{0}, disconnects_{0};
    std::atomic<std::int64_t> up_{0};
    std::atomic<std::uint64_t> requests_{0}, responses_{0}, timeouts_{0}, bytes_out_{0}, bytes_in_{0};
    std::atomic<std::int64_t> in_flight_{0}, waiting_{0};
    metrics::atomic_histogram latency_us_;
    metrics::atomic_histogram throttle_ms_;
    std::array<api_counters, max_api_key> apis_{};
    std::array<std::unique_ptr<metrics::atomic_histogram>, max_api_key> api_latency_owned_{};
    mutable std::mutex mutex_;  // guards errors_ and api_latency_owned_
    std::vector<std::pair<error_code, std::uint64_t>> errors_;
};

/// Every broker's counters of one client; entries live as long as the registry.
class metrics_registry {
public:
    /// The counters of node_id (or of a bootstrap address when node_id is -1), made on first use.
    std::shared_ptr<broker_counters> get(std::int32_t node_id, const std::string& address);
    /// Brokers by node id, then bootstrap addresses.
    std::vector<broker_metrics> snapshot() const;

private:
    mutable std::mutex mutex_;
    std::vector<std::shared_ptr<broker_counters>> brokers_;
};

}  // namespace kasio::net

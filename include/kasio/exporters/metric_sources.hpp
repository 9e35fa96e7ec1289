#pragma once
/// @file
/// The clients an exporter publishes: producers and consumers held weakly, or callbacks that
/// return stats. Both exporters read one of these; a client dropped (its weak_ptr expired) is
/// forgotten at the next collection.
///
/// Target kasio_exporter_core.
#include <kasio/exporters/metric_family.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace kasio::exporters {

/// A set of clients to collect from.
///
/// Thread safety: every member may be called from any thread, concurrently (a Prometheus scrape
/// runs on the HTTP server's thread). collect() calls the clients' stats() and the callbacks
/// without holding the set's lock, so a callback may add or remove sources.
class metric_sources {
public:
    /// Returns the stats of one client, or nullopt when it is gone (the source is then dropped).
    using producer_fn = std::function<std::optional<producer_stats>()>;
    /// Likewise for a consumer.
    using consumer_fn = std::function<std::optional<consumer_stats>()>;

    /// Publishes a producer while it lives; returns an id for remove().
    std::uint64_t add_producer(client_info client, std::weak_ptr<const producer> p);
    /// Publishes what `fn` returns (for a producer not held by a shared_ptr: the callback must
    /// not outlive it, or must return nullopt once it is gone).
    std::uint64_t add_producer(client_info client, producer_fn fn);
    /// Publishes a consumer while it lives.
    std::uint64_t add_consumer(client_info client, std::weak_ptr<const consumer> c);
    /// Publishes what `fn` returns.
    std::uint64_t add_consumer(client_info client, consumer_fn fn);
    /// Stops publishing a source; unknown ids are ignored.
    void remove(std::uint64_t id);

    /// Snapshots every source and describes them, one family per name.
    std::vector<metric_family> collect();

private:
    // Returns the source's families; nullopt when its client is gone.
    using describe_fn = std::function<std::optional<std::vector<metric_family>>()>;
    struct source {
        std::uint64_t id;
        describe_fn describe;
    };
    std::uint64_t add(describe_fn fn);

    std::mutex mutex_;
    std::uint64_t next_id_ = 1;
    std::vector<source> sources_;
};

}  // namespace kasio::exporters

#pragma once
// Sans-io cluster metadata: brokers, topics, partitions, leaders and leader epochs, built from
// decoded Metadata responses.
//
// Leader epochs (KIP-320): for each partition the cache remembers the newest leader epoch it has
// seen, from Metadata or from a Produce/Fetch response (note_leader_epoch). A response whose
// epoch for a partition is lower is stale (it came from a broker that has not caught up): that
// partition keeps what the cache had, and apply() says so, so that the caller refreshes again.
// As in the Java client (Metadata.updateLatestMetadata), epochs count only from Metadata v9 on:
// brokers before 2.4 did not propagate them reliably during reassignments; older responses
// replace the partition and forget its epoch.
//
// Topics: a topic the broker reports as UNKNOWN_TOPIC_OR_PARTITION is marked unknown and its
// partitions are dropped; so is one missing from an all-topics response. Other topic errors
// (LEADER_NOT_AVAILABLE while it is being created, TOPIC_AUTHORIZATION_FAILED, ...) are kept on
// the topic, with its previous partitions.
//
// runs on: its owner's strand (the metadata_refresher's: not thread-safe). No I/O, no clock.
#include "protocol/messages.hpp"

#include <kasio/error.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kasio::cluster {

struct broker_metadata {
    std::int32_t node_id = -1;
    std::string host;
    std::int32_t port = 0;
    std::optional<std::string> rack;
    friend bool operator==(const broker_metadata&, const broker_metadata&) = default;
};

struct partition_metadata {
    std::int32_t partition = 0;
    std::int32_t leader = -1;        ///< node id; -1 when there is none (election in progress)
    std::int32_t leader_epoch = -1;  ///< -1 when unknown (Metadata < v9)
    error_code error;                ///< e.g. leader_not_available; clear when healthy
    std::vector<std::int32_t> replicas, isr, offline_replicas;
};

struct topic_metadata {
    std::string name;
    protocol::uuid topic_id{};
    bool is_internal = false;
    error_code error;  ///< the topic-level error of the last response, clear when healthy
    std::vector<partition_metadata> partitions;  ///< sorted by partition id
};

/// What one apply() changed and whether the caller should ask again soon.
struct apply_result {
    std::size_t stale_partitions = 0;  ///< kept: the response's leader epoch was older
    std::size_t leader_changes = 0;    ///< partitions whose leader or epoch changed
    /// Stale epochs or retriable topic/partition errors (not UNKNOWN_TOPIC_OR_PARTITION):
    /// another refresh after the retry backoff should bring better news.
    bool refresh_soon = false;
};

class metadata_cache {
public:
    using clock = std::chrono::steady_clock;

    /// Applies a decoded Metadata response received at `now`, sent at `version`. `requested`:
    /// the topics the request named, or nullptr when it asked for all topics (then topics
    /// missing from the response are forgotten as unknown).
    apply_result apply(const protocol::msg::metadata_response& response, std::int16_t version,
                       const std::vector<std::string>* requested, clock::time_point now);

    /// A Produce/Fetch/ListOffsets response reported `epoch` for a partition. True when it is
    /// newer than anything seen so far: the cached leader is out of date, refresh. A later
    /// Metadata response with an older epoch for it is then stale.
    bool note_leader_epoch(std::string_view topic, std::int32_t partition, std::int32_t epoch);

    // ---- queries
    const std::vector<broker_metadata>& brokers() const noexcept { return brokers_; }  ///< by node id
    const broker_metadata* broker(std::int32_t node_id) const noexcept;
    const topic_metadata* topic(std::string_view name) const noexcept;
    const partition_metadata* partition(std::string_view topic, std::int32_t partition) const noexcept;
    /// The partition's leader node id, or -1 when unknown or leaderless.
    std::int32_t leader(std::string_view topic, std::int32_t partition) const noexcept;
    /// The newest leader epoch seen for the partition (-1 when none).
    std::int32_t leader_epoch(std::string_view topic, std::int32_t partition) const noexcept;
    std::optional<std::size_t> partition_count(std::string_view topic) const noexcept;
    /// True when the last response about the topic said it does not exist.
    bool is_unknown(std::string_view topic) const noexcept;
    /// The names of every topic known, sorted (for regex subscriptions).
    std::vector<std::string> topic_names() const;
    /// The known topic with this id (KIP-848 assignments name topics by id); nullptr if none.
    const topic_metadata* topic_by_id(const protocol::uuid& id) const noexcept;

    const std::optional<std::string>& cluster_id() const noexcept { return cluster_id_; }
    std::int32_t controller_id() const noexcept { return controller_id_; }
    /// When the last response was applied; nullopt before the first.
    std::optional<clock::time_point> last_update() const noexcept { return last_update_; }
    /// Counts applied responses.
    std::uint64_t version() const noexcept { return version_; }

private:
    struct topic_entry {
        topic_metadata meta;
        // The newest epoch seen per partition id, including ones only noted; survives responses
        // that drop the partition so that a stale one cannot bring it back.
        std::unordered_map<std::int32_t, std::int32_t> seen_epoch;
    };

    // Lookups by string_view without building a std::string.
    struct string_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };

    void update_topic(const protocol::msg::metadata_response::metadata_response_topic& t, bool reliable_epochs,
                      apply_result& result);

    std::vector<broker_metadata> brokers_;
    std::unordered_map<std::string, topic_entry, string_hash, std::equal_to<>> topics_;
    std::set<std::string, std::less<>> unknown_;
    std::optional<std::string> cluster_id_;
    std::int32_t controller_id_ = -1;
    std::optional<clock::time_point> last_update_;
    std::uint64_t version_ = 0;
};

}  // namespace kasio::cluster

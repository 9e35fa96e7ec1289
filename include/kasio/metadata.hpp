#pragma once
/// Cluster metadata as producer::async_metadata() and consumer::async_metadata() return it: the
/// brokers, the controller, the cluster id and, per topic, its partitions with their leader,
/// replicas and in-sync replicas (Java's listTopics / partitionsFor, librdkafka's
/// rd_kafka_metadata). A plain value: copy it, keep it, read it on any thread.
#include <kasio/error.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kasio {

/// Kafka's UUID (a topic id): 16 bytes, all zero meaning none.
struct uuid {
    /// The 16 bytes, most significant first.
    std::array<std::uint8_t, 16> bytes{};
    /// True for the all-zero value (Java's Uuid.ZERO_UUID).
    bool is_nil() const noexcept { return *this == uuid{}; }
    /// Java's Uuid.toString(): URL-safe base64 without padding (22 characters).
    std::string to_string() const;
    /// Parses to_string()'s form; nullopt for anything else.
    static std::optional<uuid> parse(std::string_view text);
    /// Byte by byte.
    friend bool operator==(const uuid&, const uuid&) = default;
};

/// A broker of the cluster.
struct broker_description {
    std::int32_t node_id = -1;       ///< the broker's id in the cluster
    std::string host;                ///< advertised host name
    std::int32_t port = 0;           ///< advertised port
    std::optional<std::string> rack;  ///< broker.rack, when set
    /// Field by field.
    friend bool operator==(const broker_description&, const broker_description&) = default;
};

/// A partition of a topic.
struct partition_description {
    std::int32_t partition = 0;      ///< partition id
    std::int32_t leader = -1;        ///< node id; -1 while there is none (election in progress)
    std::int32_t leader_epoch = -1;  ///< -1 when the broker does not say (Metadata < v7)
    std::vector<std::int32_t> replicas;          ///< node ids of the replicas, the preferred leader first
    std::vector<std::int32_t> isr;               ///< node ids of the in-sync replicas
    std::vector<std::int32_t> offline_replicas;  ///< node ids of replicas offline (Metadata v5+)
    error_code error;  ///< the broker's error for the partition (leader_not_available, ...)
};

/// A topic and its partitions, sorted by partition id.
struct topic_description {
    std::string name;          ///< the topic's name
    uuid topic_id;             ///< the topic's id (Metadata v10+); nil when not told
    bool is_internal = false;  ///< __consumer_offsets, __transaction_state
    /// The broker's error for the topic: broker_errc::unknown_topic_or_partition when it does
    /// not exist, topic_authorization_failed, leader_not_available while it is being created.
    error_code error;
    std::vector<partition_description> partitions;  ///< sorted by partition id; empty with an error
};

/// What one Metadata response said about the cluster.
struct cluster_metadata {
    std::optional<std::string> cluster_id;  ///< the cluster's id (Metadata v2+)
    std::int32_t controller_id = -1;  ///< node id of the active controller; -1 when not told
    std::vector<broker_description> brokers;  ///< sorted by node id
    std::vector<topic_description> topics;    ///< sorted by name
    std::int32_t answered_by = -1;     ///< node id of the broker that answered (-1: a bootstrap address)

    /// The topic named `name`; nullptr when the response did not mention it.
    const topic_description* topic(std::string_view name) const noexcept {
        for (const auto& t : topics)
            if (t.name == name) return &t;
        return nullptr;
    }
    /// The broker with this node id; nullptr when not listed.
    const broker_description* broker(std::int32_t node_id) const noexcept {
        for (const auto& b : brokers)
            if (b.node_id == node_id) return &b;
        return nullptr;
    }
};

}  // namespace kasio

#pragma once
/// @file
/// What kasio::admin's operations take and return: topics, partitions, configurations, offsets
/// and groups, named after the Java Admin client's classes (NewTopic, ConfigEntry,
/// ConsumerGroupDescription, ...). Plain values: copy them, keep them, read them on any thread.
///
/// Every result item carries its own outcome: `error` (empty on success) and `message`, the
/// broker's error_message or kasio's explanation (which broker, what was retried).
#include <kasio/error.hpp>
#include <kasio/metadata.hpp>
#include <kasio/topic_partition.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kasio {

// ---- Topics

/// A topic to create (Java's NewTopic).
struct new_topic {
    std::string name;  ///< the topic's name
    /// Number of partitions; -1 takes the broker's num.partitions (ignored with replica_assignment).
    std::int32_t num_partitions = -1;
    /// Replicas per partition; -1 takes the broker's default.replication.factor (ignored with
    /// replica_assignment).
    std::int16_t replication_factor = -1;
    /// Manual placement: entry i lists the broker ids of partition i's replicas, the preferred
    /// leader first. Empty: the controller places them.
    std::vector<std::vector<std::int32_t>> replica_assignment;
    /// Topic configurations (name, value), e.g. {"cleanup.policy", "compact"}.
    std::vector<std::pair<std::string, std::string>> configs;
};

/// Options of async_create_topics and async_create_partitions.
struct create_options {
    /// Only check the request (names, counts, configurations); create nothing.
    bool validate_only = false;
};

struct config_entry;

/// One topic's outcome of async_create_topics.
struct created_topic {
    std::string name;     ///< as asked
    error_code error;     ///< e.g. broker_errc::topic_already_exists, invalid_replication_factor
    std::string message;  ///< the broker's error message, or kasio's
    uuid topic_id;        ///< the new topic's id (CreateTopics v7+)
    std::int32_t num_partitions = -1;     ///< as created (CreateTopics v5+); -1 when not told
    std::int16_t replication_factor = -1;  ///< as created (CreateTopics v5+); -1 when not told
    /// The topic's configurations as created (CreateTopics v5+), defaults included.
    std::vector<config_entry> configs;
};

/// One topic's outcome of async_delete_topics and async_create_partitions.
struct topic_outcome {
    std::string name;     ///< as asked
    error_code error;     ///< e.g. broker_errc::unknown_topic_or_partition
    std::string message;  ///< the broker's error message, or kasio's
};

/// Partitions to add to a topic (Java's NewPartitions).
struct new_partitions {
    std::string topic;            ///< the topic to grow
    std::int32_t total_count = 0;  ///< its partition count afterwards
    /// Optional placement of the new partitions: one list of broker ids per new partition.
    std::vector<std::vector<std::int32_t>> assignments;
};

/// A topic as async_list_topics lists it (Java's TopicListing).
struct topic_listing {
    std::string name;       ///< the topic's name
    uuid topic_id;          ///< nil when the broker does not say (Metadata < v10)
    bool internal = false;  ///< __consumer_offsets, __transaction_state
    /// Field by field.
    friend bool operator==(const topic_listing&, const topic_listing&) = default;
};

/// Options of async_list_topics.
struct list_topics_options {
    bool include_internal = false;  ///< list __consumer_offsets and __transaction_state too
};

/// The cluster as async_describe_cluster describes it (Java's DescribeClusterResult).
struct cluster_description {
    std::string cluster_id;           ///< the cluster's id
    std::int32_t controller_id = -1;  ///< the broker the admin sends controller requests to
    std::vector<broker_description> brokers;  ///< sorted by node id
};

// ---- Configurations

/// What a configuration belongs to (DescribeConfigs' resource_type; Java's ConfigResource.Type).
enum class config_resource_type : std::int8_t {
    unknown = 0,
    topic = 2,
    broker = 4,          ///< name: the broker id, or "" for the cluster-wide default
    broker_logger = 8,
    client_metrics = 16,
    group = 32,
};

/// A topic or broker whose configuration is read or changed (Java's ConfigResource).
struct config_resource {
    config_resource_type type = config_resource_type::topic;  ///< what it is
    std::string name;  ///< topic name, or broker id as text
    /// Field by field.
    friend bool operator==(const config_resource&, const config_resource&) = default;
};

/// Where a configuration value comes from (Java's ConfigEntry.ConfigSource).
enum class config_source : std::int8_t {
    unknown = 0,
    dynamic_topic_config = 1,
    dynamic_broker_config = 2,
    dynamic_default_broker_config = 3,
    static_broker_config = 4,
    default_config = 5,
    dynamic_broker_logger_config = 6,
    client_metrics_config = 7,
    group_config = 8,
};

/// Java's ConfigSource name, lowercased ("dynamic_topic_config", ...).
std::string_view to_string(config_source s) noexcept;

/// A configuration value's type (DescribeConfigs v3+, KIP-569; Java's ConfigEntry.ConfigType).
enum class config_type : std::int8_t {
    unknown = 0,
    boolean = 1,
    string = 2,
    int32 = 3,   ///< Java's INT
    int16 = 4,   ///< Java's SHORT
    int64 = 5,   ///< Java's LONG
    float64 = 6,  ///< Java's DOUBLE
    list = 7,
    class_name = 8,  ///< Java's CLASS
    password = 9,
};

/// Another value of a configuration, lower in precedence (DescribeConfigs with synonyms).
struct config_synonym {
    std::string name;                  ///< e.g. the broker property behind a topic's
    std::optional<std::string> value;  ///< nullopt when sensitive
    config_source source = config_source::unknown;  ///< where it is set
};

/// One configuration of a resource (Java's ConfigEntry).
struct config_entry {
    std::string name;                  ///< e.g. "retention.ms"
    std::optional<std::string> value;  ///< nullopt for a sensitive value or one not set
    config_source source = config_source::unknown;  ///< where the value comes from
    bool read_only = false;            ///< cannot be changed while the broker runs
    bool sensitive = false;            ///< a password or key: the value is never sent
    std::vector<config_synonym> synonyms;  ///< with describe_configs_options::include_synonyms
    config_type type = config_type::unknown;  ///< DescribeConfigs v3+
    std::string documentation;         ///< with describe_configs_options::include_documentation
    /// True when the value is the default (source default_config).
    bool is_default() const noexcept { return source == config_source::default_config; }
};

/// Options of async_describe_configs.
struct describe_configs_options {
    bool include_synonyms = false;       ///< fill config_entry::synonyms
    bool include_documentation = false;  ///< fill config_entry::documentation
};

/// One resource's configuration as async_describe_configs returns it.
struct config_description {
    config_resource resource;  ///< as asked
    error_code error;          ///< e.g. broker_errc::unknown_topic_or_partition
    std::string message;       ///< the broker's error message, or kasio's
    std::vector<config_entry> entries;  ///< sorted by name

    /// The entry named `name`; nullptr when absent.
    const config_entry* find(std::string_view name) const noexcept {
        for (const auto& e : entries)
            if (e.name == name) return &e;
        return nullptr;
    }
};

/// How async_incremental_alter_configs changes a value (Java's AlterConfigOp.OpType).
enum class alter_config_op_type : std::int8_t {
    set = 0,       ///< SET: replace the value
    remove = 1,    ///< DELETE: back to the default
    append = 2,    ///< APPEND: add to a list value
    subtract = 3,  ///< SUBTRACT: take from a list value
};

/// One change of one configuration (Java's AlterConfigOp).
struct alter_config_op {
    std::string name;                  ///< e.g. "retention.ms"
    std::optional<std::string> value;  ///< unused for remove
    alter_config_op_type op = alter_config_op_type::set;  ///< how to apply it
};

/// The changes to one resource's configuration.
struct config_alteration {
    config_resource resource;          ///< a topic, or a broker by id ("" for all brokers)
    std::vector<alter_config_op> ops;  ///< applied together
};

/// One resource's outcome of async_incremental_alter_configs.
struct config_outcome {
    config_resource resource;  ///< as asked
    error_code error;          ///< e.g. broker_errc::invalid_config, invalid_request
    std::string message;       ///< the broker's error message (names the configuration)
};

// ---- Offsets and records

/// Which offset async_list_offsets looks for (Java's OffsetSpec).
struct offset_spec {
    /// The kinds of lookup (ListOffsets' special timestamps).
    enum class kind : std::int8_t {
        earliest,       ///< the log start offset (-2)
        latest,         ///< the end offset: high watermark or, read_committed, the last stable offset (-1)
        max_timestamp,  ///< the record with the largest timestamp (-3, ListOffsets v7+, KIP-734)
        timestamp,      ///< the first record at or after timestamp_ms
    };
    kind what = kind::latest;      ///< the lookup
    std::int64_t timestamp_ms = 0;  ///< for kind::timestamp

    /// The log start offset.
    static offset_spec earliest() noexcept { return {kind::earliest, 0}; }
    /// The end offset.
    static offset_spec latest() noexcept { return {kind::latest, 0}; }
    /// The offset of the record with the largest timestamp.
    static offset_spec max_timestamp() noexcept { return {kind::max_timestamp, 0}; }
    /// The first offset whose record's timestamp is at or after ms.
    static offset_spec for_timestamp(std::int64_t ms) noexcept { return {kind::timestamp, ms}; }
};

/// One partition to look up.
struct offset_query {
    topic_partition partition;  ///< where
    offset_spec spec;           ///< what
};

/// Options of async_list_offsets.
struct list_offsets_options {
    /// read_committed: latest means the last stable offset (Java's ListOffsetsOptions).
    isolation_level isolation = isolation_level::read_uncommitted;
};

/// One partition's answer of async_list_offsets (Java's ListOffsetsResultInfo).
struct partition_offsets {
    topic_partition partition;  ///< as asked
    error_code error;           ///< e.g. broker_errc::unknown_topic_or_partition
    std::string message;        ///< kasio's explanation (ListOffsets carries no broker message)
    std::int64_t offset = -1;   ///< -1 when no record matches a timestamp lookup
    std::int64_t timestamp = -1;  ///< the record's timestamp for timestamp lookups; -1 otherwise
    std::optional<std::int32_t> leader_epoch;  ///< ListOffsets v4+
};

/// One partition's outcome of async_delete_records.
struct deleted_records {
    topic_partition partition;     ///< as asked
    error_code error;              ///< e.g. broker_errc::offset_out_of_range
    std::string message;           ///< kasio's explanation
    std::int64_t low_watermark = -1;  ///< the partition's log start offset afterwards
};

/// A committed offset of a group (async_list_consumer_group_offsets).
struct committed_offset {
    topic_partition partition;   ///< the partition
    error_code error;            ///< the partition's own error (rare)
    std::string message;         ///< kasio's explanation
    std::int64_t offset = -1;    ///< the next record to consume; -1 when none is committed
    std::optional<std::int32_t> leader_epoch;  ///< OffsetFetch v5+, when committed with one
    std::string metadata;        ///< the commit's metadata string
};

/// One partition's outcome of the group offset changes (alter, delete).
struct partition_outcome {
    topic_partition partition;  ///< as asked
    error_code error;           ///< e.g. broker_errc::group_subscribed_to_topic
    std::string message;        ///< kasio's explanation
};

// ---- Groups

/// The protocol a group runs (ListGroups v5+, KIP-848; Java's GroupType).
enum class group_type : std::int8_t {
    unknown,
    classic,   ///< JoinGroup / SyncGroup
    consumer,  ///< ConsumerGroupHeartbeat (KIP-848)
    share,     ///< KIP-932
    streams,   ///< KIP-1071
};

/// "classic", "consumer", "share", "streams" or "unknown".
std::string_view to_string(group_type t) noexcept;

/// A group as async_list_groups lists it (Java's GroupListing).
struct group_listing {
    std::string group_id;       ///< the group's id
    std::string protocol_type;  ///< "consumer" for consumer groups, "" for groups of other clients
    std::string state;          ///< e.g. "Stable", "Empty" (ListGroups v4+)
    group_type type = group_type::unknown;  ///< ListGroups v5+
    std::int32_t coordinator = -1;  ///< the broker that answered for it
};

/// Options of async_list_groups: filters the coordinators apply (empty: all).
struct list_groups_options {
    std::vector<std::string> states;  ///< e.g. {"Stable", "Empty"} (ListGroups v4+)
    std::vector<group_type> types;    ///< e.g. {group_type::consumer} (ListGroups v5+)
};

/// A member of a group (Java's MemberDescription).
struct member_description {
    std::string member_id;                       ///< the coordinator's id for it
    std::optional<std::string> group_instance_id;  ///< static members (KIP-345)
    std::string client_id;                       ///< the member's client.id
    std::string host;                            ///< its address as the coordinator saw it
    std::vector<topic_partition> assignment;     ///< partitions it owns, sorted
    /// The partitions the coordinator is moving it to (consumer protocol); empty for classic.
    std::vector<topic_partition> target_assignment;
    std::int32_t member_epoch = -1;  ///< consumer protocol; -1 for classic
};

/// A group as async_describe_groups describes it (Java's ConsumerGroupDescription).
struct group_description {
    std::string group_id;  ///< as asked
    error_code error;      ///< e.g. broker_errc::group_id_not_found, group_authorization_failed
    std::string message;   ///< the broker's error message, or kasio's
    group_type type = group_type::unknown;  ///< classic or consumer
    std::string state;           ///< "Stable", "Empty", "PreparingRebalance", "Dead", ...
    std::string protocol_type;   ///< "consumer" for consumer groups (classic)
    std::string assignor;        ///< classic: the protocol chosen; consumer: the remote assignor
    std::int32_t coordinator = -1;  ///< the coordinator's node id
    std::int32_t group_epoch = -1;       ///< consumer protocol
    std::int32_t assignment_epoch = -1;  ///< consumer protocol
    std::vector<member_description> members;  ///< sorted by member id
};

/// One group's outcome of async_delete_groups.
struct group_outcome {
    std::string group_id;  ///< as asked
    error_code error;      ///< e.g. broker_errc::non_empty_group, group_id_not_found
    std::string message;   ///< the broker's error message, or kasio's
};

}  // namespace kasio

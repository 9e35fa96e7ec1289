#pragma once
/// @file
/// Names of partitions and offsets that both clients use: the consumer commits them, a
/// transactional producer sends them with its transaction (exactly-once, KIP-447).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace kasio {

/// `isolation.level`: whether reads see records of open and aborted transactions.
enum class isolation_level : std::int8_t { read_uncommitted = 0, read_committed = 1 };

/// A partition of a topic.
struct topic_partition {
    /// The topic's name.
    std::string topic;
    /// The partition's index in the topic.
    std::int32_t partition = 0;
    /// Equal when topic and partition are.
    friend bool operator==(const topic_partition&, const topic_partition&) = default;
};

/// An offset to commit, or one committed (offset -1: none committed).
struct partition_offset {
    /// The topic's name.
    std::string topic;
    /// The partition's index in the topic.
    std::int32_t partition = 0;
    /// The offset of the next record to consume; -1: none.
    std::int64_t offset = -1;
    /// The commit's metadata string (kept by the coordinator).
    std::string metadata;
    /// Equal when every field is.
    friend bool operator==(const partition_offset&, const partition_offset&) = default;
};

/// What a transactional producer sends with the consumer's offsets (Java's
/// ConsumerGroupMetadata, KIP-447): the broker fences a commit from a member that is no longer
/// in this generation.
struct consumer_group_metadata {
    std::string group_id;             ///< group.id
    std::int32_t generation_id = -1;  ///< -1 when not a member now
    std::string member_id;            ///< empty when not a member now
    std::optional<std::string> group_instance_id;  ///< group.instance.id (static membership)
    /// Field by field.
    friend bool operator==(const consumer_group_metadata&, const consumer_group_metadata&) = default;
};

}  // namespace kasio

/// Hashes a topic_partition (for unordered containers).
template <>
struct std::hash<kasio::topic_partition> {
    /// Combines the topic's and the partition's hashes.
    std::size_t operator()(const kasio::topic_partition& tp) const noexcept {
        return std::hash<std::string_view>{}(tp.topic) * 31u + static_cast<std::size_t>(tp.partition);
    }
};

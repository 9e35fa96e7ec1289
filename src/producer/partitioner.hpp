#pragma once
// Choosing a record's partition: the Java client's default (murmur2 of the key; KIP-794
// uniform sticky partitioning for a null key), round-robin, or a user function.
//
// Sans-io: no clock, no metadata of its own; the caller passes the topic's partition count.
// The mutable part (sticky partition, round-robin counter) is a partitioner_state per topic,
// which the accumulator keeps in its topic entry and updates with atomics, so partition() and
// on_appended() may run on any thread at once.
#include <kasio/record.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace kasio::detail::producer {

/// Kafka's murmur2 (Utils.murmur2: MurmurHash2, seed 0x9747b28c, little-endian blocks, bytes
/// unsigned), bit-exact with the Java client and librdkafka's rd_murmur2.
std::int32_t murmur2(bytes_view data) noexcept;

/// Utils.toPositive: clears the sign bit (not abs(): INT32_MIN maps to 0).
constexpr std::int32_t to_positive(std::int32_t v) noexcept { return v & 0x7fffffff; }

/// The partition of a keyed record under the Java default partitioner, and librdkafka's
/// murmur2_random / murmur2 partitioners: toPositive(murmur2(key)) % partition_count.
inline std::int32_t murmur2_partition(bytes_view key, std::int32_t partition_count) noexcept {
    return to_positive(murmur2(key)) % partition_count;
}

enum class partitioner_kind : std::uint8_t {
    /// Java's built-in partitioner: keyed records by murmur2; null keys uniform sticky (KIP-794).
    sticky_murmur2,
    /// Every record (keyed or not) to the next partition in turn (RoundRobinPartitioner).
    round_robin,
    /// A user function decides (Java's partitioner.class).
    custom,
};

/// A user partitioner: returns a partition in [0, partition_count). Called on the thread
/// that sends, possibly several at once; must not block.
using partition_function = std::function<std::int32_t(const record&, std::int32_t partition_count)>;

struct partitioner_config {
    partitioner_kind kind = partitioner_kind::sticky_murmur2;
    /// Bytes produced to a sticky partition before switching (Java uses batch.size).
    std::size_t sticky_batch_size = 16384;
    partition_function function;  ///< for partitioner_kind::custom
};

/// Per-topic state. Thread-safe (atomics only).
class partitioner_state {
public:
    /// `seed` starts the topic's random sequence (sticky switches); tests fix it.
    explicit partitioner_state(std::uint64_t seed = 0) noexcept : random_(seed) {}
    partitioner_state(const partitioner_state&) = delete;
    partitioner_state& operator=(const partitioner_state&) = delete;

    /// The current sticky partition, -1 before the first null-key record.
    std::int32_t sticky_partition() const noexcept {
        return static_cast<std::int32_t>(sticky_.load(std::memory_order_acquire) >> 32) - 1;
    }

private:
    friend class partitioner;
    // (sticky partition + 1) << 32 | bytes produced to it: one word, so a switch and the byte
    // count change together and a racing append cannot count its bytes twice.
    std::atomic<std::uint64_t> sticky_{0};
    std::atomic<std::uint64_t> random_;
    std::atomic<std::uint32_t> round_robin_{0};
};

/// Immutable after construction; all calls may run concurrently.
class partitioner {
public:
    explicit partitioner(partitioner_config cfg = {});

    /// The partition for `r` (whose own partition, if set, the caller has already used).
    /// -1 when partition_count < 1 or a custom function returns a value out of range.
    std::int32_t partition(const record& r, std::int32_t partition_count, partitioner_state& st) const;

    /// True when `r` goes to the topic's sticky partition, so the caller must report the
    /// bytes appended to it with on_appended().
    bool is_sticky(const record& r) const noexcept {
        return cfg_.kind == partitioner_kind::sticky_murmur2 && !r.key;
    }

    /// KIP-794: counts `bytes` appended to the sticky partition `partition` and switches to a
    /// uniformly random partition once sticky_batch_size bytes went to it and
    /// `switch_allowed` (the partition's batches are all full, so the switch does not leave a
    /// small batch behind to wait for linger.ms), or unconditionally at twice that (Java's
    /// BuiltInPartitioner.updatePartitionInfo). Bytes for a partition that is no longer the
    /// sticky one (another thread switched) are ignored. Returns true when it switched.
    ///
    /// Java additionally weighs the choice by queue sizes (partitioner.adaptive.partitioning
    /// .enable, default true) and skips partitions without a leader; kasio's choice is uniform
    /// over all partitions.
    bool on_appended(partitioner_state& st, std::int32_t partition, std::int32_t partition_count, std::size_t bytes,
                     bool switch_allowed) const noexcept;

    const partitioner_config& config() const noexcept { return cfg_; }

private:
    std::int32_t sticky_partition(std::int32_t partition_count, partitioner_state& st) const noexcept;
    static std::int32_t random_partition(std::int32_t partition_count, partitioner_state& st) noexcept;

    partitioner_config cfg_;
};

}  // namespace kasio::detail::producer

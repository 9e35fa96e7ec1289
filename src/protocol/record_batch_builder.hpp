#pragma once
// Encoder of record batches v2, the only format kasio produces.
#include "compression/codec.hpp"
#include "protocol/record_batch.hpp"

#include <kasio/error.hpp>

#include <memory>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

namespace kasio::protocol {

/// Builds one v2 batch the way Kafka producers do: records are appended in wire format to
/// an open batch as they are sent, then finish() compresses and seals it.
///
/// The batch is sent with base_offset 0 and partition_leader_epoch -1 (the broker assigns
/// both); offset deltas count from 0; base_timestamp is the first record's timestamp.
/// Buffers grow amortised and are kept across reset(): appending allocates nothing per
/// record. The batch bytes returned by finish() stay valid until reset() or destruction.
///
/// Not thread-safe: one owner at a time (the producer's accumulator locks around it).
class record_batch_builder {
public:
    /// max_batch_bytes bounds the uncompressed batch, header included (Kafka's batch.size
    /// plays that part); the first record is accepted whatever its size.
    explicit record_batch_builder(std::size_t max_batch_bytes) : max_bytes_(max_batch_bytes) {
        reset();
    }

    /// Appends one record. Returns false, leaving the batch unchanged, when it would grow
    /// past max_batch_bytes (never for the first record), after finish(), when the batch
    /// already holds INT32_MAX records, or when a field exceeds what a varint length can say.
    /// Header keys are never null on the wire; an empty key is written for an empty view.
    bool append(std::int64_t timestamp, std::optional<bytes_view> key, std::optional<bytes_view> value,
                std::span<const record_header_view> headers = {});

    /// Seals the batch: compresses the records with c (unless none), fills in the header
    /// and the CRC-32C, and returns the batch bytes. Errors (then the result is empty and
    /// the batch stays open): invalid_value (no record, or already finished), the codec's
    /// unsupported_codec / invalid_config (level) / compression_failed.
    bytes_view finish(compression::codec c, int level, error_code& ec);
    bytes_view finish(compression::codec c, error_code& ec) { return finish(c, compression::default_level, ec); }

    /// Producer id, epoch and base sequence (KIP-98 idempotence). Before finish() they are
    /// written by it; after, the sealed batch is patched and its CRC recomputed, so a retry
    /// can be re-sequenced under a new epoch without re-encoding.
    void set_producer_state(std::int64_t producer_id, std::int16_t producer_epoch,
                            std::int32_t base_sequence) noexcept;
    /// The transactional attribute (bit 4); patches a sealed batch like set_producer_state.
    void set_transactional(bool transactional) noexcept;

    /// Empties the builder for a new batch, keeping buffer capacity and the size limit.
    void reset();
    /// Reserves room for this many uncompressed batch bytes (header included).
    void reserve(std::size_t bytes) { records_.reserve(bytes); }

    std::int32_t record_count() const noexcept { return count_; }
    bool empty() const noexcept { return count_ == 0; }
    /// Uncompressed size so far, header included (what max_batch_bytes bounds).
    std::size_t size_bytes() const noexcept { return records_.size(); }
    std::size_t max_batch_bytes() const noexcept { return max_bytes_; }
    bool finished() const noexcept { return finished_; }
    std::int64_t base_timestamp() const noexcept { return base_timestamp_; }
    std::int64_t max_timestamp() const noexcept { return max_timestamp_; }
    /// The sealed batch (empty before finish()).
    bytes_view batch() const noexcept;

private:
    // Grows without zeroing: append() writes every byte it adds, and zero-filling first cost
    // as much as the writing.
    template <class T>
    struct uninitialized_allocator : std::allocator<T> {
        template <class U>
        struct rebind {
            using other = uninitialized_allocator<U>;
        };
        template <class U>
        void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
            ::new (static_cast<void*>(p)) U;
        }
        template <class U, class... Args>
        void construct(U* p, Args&&... args) {
            ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
        }
    };

    std::span<std::uint8_t> sealed() noexcept {
        return compressed_final_ ? std::span<std::uint8_t>(compressed_) : std::span<std::uint8_t>(records_);
    }
    void write_header(std::span<std::uint8_t> out, std::int16_t attributes) noexcept;
    void write_producer_state(std::uint8_t* header) const noexcept;
    void seal_crc(std::span<std::uint8_t> out) noexcept;

    std::vector<std::uint8_t, uninitialized_allocator<std::uint8_t>> records_;  // header + records, wire format
    byte_buffer compressed_;  // header + compressed records, when a codec is used
    std::size_t max_bytes_;
    std::int32_t count_ = 0;
    std::int64_t base_timestamp_ = no_timestamp;
    std::int64_t max_timestamp_ = no_timestamp;
    std::int64_t producer_id_ = no_producer_id;
    std::int16_t producer_epoch_ = no_producer_epoch;
    std::int32_t base_sequence_ = no_sequence;
    bool transactional_ = false;
    bool finished_ = false;
    bool compressed_final_ = false;
};

}  // namespace kasio::protocol

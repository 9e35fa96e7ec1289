#pragma once
// One record batch on its way to a partition: the encoded records (record_batch_builder),
// each record's completion, and the state the sender and the sequence tracker need (creation
// time, attempts, producer id/epoch/sequence). The Java client's ProducerBatch.
#include "producer/delivery_handler.hpp"
#include "protocol/record_batch_builder.hpp"

#include <kasio/record.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kasio::detail::producer {

using clock = std::chrono::steady_clock;
using time_point = clock::time_point;

/// A topic-partition by view. Views handed out by the accumulator point to its own copy of
/// the topic name, valid as long as the accumulator.
struct topic_partition_view {
    std::string_view topic;
    std::int32_t partition = -1;
    friend bool operator==(const topic_partition_view&, const topic_partition_view&) = default;
};

/// Upper bound of the bytes a record takes in a v2 batch (length, attributes and deltas at
/// their widest), batch header excluded. SIZE_MAX when a field exceeds what the format allows.
std::size_t record_size_upper_bound(std::optional<bytes_view> key, std::optional<bytes_view> value,
                                    std::span<const record_header> headers) noexcept;

/// A record's completion and its CreateTime (reported unless the broker gives LogAppendTime).
struct completion_slot {
    delivery_handler handler;
    std::int64_t timestamp = -1;
};

/// Completion slots come in chunks of 16 from a pool shared by all batches of an accumulator:
/// a batch holds as many chunks as it has records (not as many as batch.size could hold),
/// and a chunk is allocated only when more records are queued than ever before, whatever
/// their sizes. 16 slots (776 bytes) keep a near-empty batch small and take the pool's lock
/// once per 16 records.
struct slot_chunk {
    static constexpr std::size_t capacity = 16;
    completion_slot slots[capacity];
    slot_chunk* next = nullptr;
};

/// Thread safety: get() and put() from any thread.
class slot_pool {
public:
    slot_pool() = default;
    slot_pool(const slot_pool&) = delete;
    slot_pool& operator=(const slot_pool&) = delete;
    ~slot_pool();
    slot_chunk* get();
    /// Takes back the list first..last (linked by next).
    void put(slot_chunk* first, slot_chunk* last) noexcept;

private:
    std::mutex mu_;
    slot_chunk* free_ = nullptr;
};

/// A record whose batch was released or destroyed before anyone completed it (the Produce
/// call holding it was dropped, or its accumulator was destroyed with it queued). Its handler
/// is user code: whoever takes it calls it on the producer's executor, never where the batch
/// died.
struct orphaned_record {
    delivery_handler handler;
    std::int64_t timestamp = -1;  ///< its CreateTime
    std::int32_t partition = -1;
};
using orphaned_records = std::vector<orphaned_record>;

class accumulator;
class sequence_tracker;
struct partition_queue;

/// Delivery callbacks that threw while a batch completed (the producer logs them).
struct callback_failures {
    std::size_t count = 0;
    std::string first;  ///< what() of the first, or a note that it was not a std::exception
};

/// Not thread-safe. One owner at a time: its partition queue while queued (the partition
/// lock guards it), then the batch_ptr of the Produce call that drained it (the sender, on
/// the producer strand), then the queue again for a retry. The sequence tracker names it by
/// flight_id(), never by address.
class producer_batch {
public:
    /// `batch_size` bounds the uncompressed batch (batch.size); the first record always fits.
    producer_batch(topic_partition_view tp, std::size_t batch_size, time_point created);
    producer_batch(const producer_batch&) = delete;
    producer_batch& operator=(const producer_batch&) = delete;
    /// Calls no handler: records never delivered must have been taken (take_undelivered) by
    /// the owner first, which completes them on the producer's executor. A debug build
    /// asserts it.
    ~producer_batch();

    /// Encodes one record into the batch and stores `done` in its completion slot. Returns
    /// false, leaving the batch and `done` unchanged, when the record does not fit or the batch
    /// is closed for appends.
    bool try_append(std::int64_t timestamp, std::optional<bytes_view> key, std::optional<bytes_view> value,
                    std::span<const protocol::record_header_view> headers, delivery_handler& done);

    /// Compresses and seals the batch (once; later calls return the first result).
    error_code seal(compression::codec codec, int level);

    /// Completes every record: on success offset = base_offset + index (-1 stays -1, e.g.
    /// acks=0), timestamp = log_append_time unless -1 (then the record's CreateTime); on error
    /// offset -1. Each slot is called once; later calls do nothing. A handler that throws does
    /// not stop the others: the exception is counted and the first one's text kept in `thrown`.
    void deliver(error_code ec, std::int64_t base_offset = -1, std::int64_t log_append_time = -1,
                 const std::shared_ptr<const error_context>& context = {}, callback_failures* thrown = nullptr);

    /// True while some record has not been completed (deliver() was never called).
    bool undelivered() const noexcept { return !delivered_ && slot_count_ != 0; }
    /// Moves the handlers of records never completed to `out` (then none is left to deliver).
    void take_undelivered(orphaned_records& out);

    topic_partition_view topic_partition() const noexcept { return tp_; }
    std::int32_t record_count() const noexcept { return builder_.record_count(); }
    /// Uncompressed size so far, header included (what batch.size bounds).
    std::size_t size_bytes() const noexcept { return builder_.size_bytes(); }
    /// The sealed batch bytes, empty before seal(). Valid until the batch is released.
    bytes_view bytes() const noexcept { return builder_.batch(); }
    bool sealed() const noexcept { return builder_.finished(); }
    /// No further appends: a record did not fit, it reached batch.size, or it was drained.
    bool full() const noexcept { return closed_ || builder_.size_bytes() >= builder_.max_batch_bytes(); }
    time_point created() const noexcept { return created_; }
    /// Times the batch was put back for a retry (Java's attempts).
    int attempts() const noexcept { return attempts_; }
    bool in_retry() const noexcept { return attempts_ > 0; }
    /// Not drained before this time (retry backoff).
    time_point retry_at() const noexcept { return retry_at_; }

    // Idempotence (KIP-98). Sequences are assigned when the batch is first drained.
    std::int64_t producer_id() const noexcept { return producer_id_; }
    std::int16_t producer_epoch() const noexcept { return producer_epoch_; }
    std::int32_t base_sequence() const noexcept { return base_sequence_; }
    bool has_sequence() const noexcept { return base_sequence_ != protocol::no_sequence; }
    /// Sequence of the last record (ProducerBatch.lastSequence: no wrap-around).
    std::int32_t last_sequence() const noexcept {
        return static_cast<std::int32_t>(static_cast<std::uint32_t>(base_sequence_) +
                                         static_cast<std::uint32_t>(record_count()) - 1U);
    }
    /// The sequence tracker's name for this drained batch (0: never tracked). The tracker
    /// keeps ids, not pointers: a batch completed, failed, expired or recycled leaves nothing
    /// dangling behind.
    std::uint64_t flight_id() const noexcept { return flight_id_; }
    /// True once its sequence was rewritten (epoch bump), as ProducerBatch.sequenceHasBeenReset.
    bool sequence_reset() const noexcept { return sequence_reset_; }
    /// Sets producer id, epoch and base sequence; a sealed batch is patched (CRC recomputed).
    void set_producer_state(std::int64_t id, std::int16_t epoch, std::int32_t base_sequence) noexcept;
    /// Marks the batch as part of a transaction (attribute bit 4): read_committed consumers
    /// then hold its records back until the transaction's marker says commit.
    void set_transactional() noexcept { builder_.set_transactional(true); }
    /// set_producer_state for a batch already sent under other values (marks sequence_reset).
    void reset_producer_state(std::int64_t id, std::int16_t epoch, std::int32_t base_sequence) noexcept {
        set_producer_state(id, epoch, base_sequence);
        sequence_reset_ = true;
    }

private:
    friend class accumulator;
    friend struct batch_releaser;
    friend class sequence_tracker;

    // Makes a recycled batch new again, keeping its buffer capacity.
    void reuse(topic_partition_view tp, time_point created);
    // Hands the slot chunks back to the pool (or frees them without one).
    void return_slots() noexcept;

    protocol::record_batch_builder builder_;
    slot_pool* slot_pool_ = nullptr;  // null: chunks from the heap (a batch outside an accumulator)
    slot_chunk* first_chunk_ = nullptr;
    slot_chunk* last_chunk_ = nullptr;
    std::size_t slot_count_ = 0;
    std::size_t slot_capacity_ = 0;
    topic_partition_view tp_;
    time_point created_;
    time_point retry_at_{};
    int attempts_ = 0;
    bool closed_ = false;
    bool drained_ = false;  // counted in its partition's in-flight batches
    bool sequence_reset_ = false;
    bool delivered_ = false;  // deliver() ran or the handlers were taken: no slot is pending
    std::uint64_t flight_id_ = 0;  // set by sequence_tracker::assign
    std::int16_t producer_epoch_ = protocol::no_producer_epoch;
    std::int32_t base_sequence_ = protocol::no_sequence;
    std::int64_t producer_id_ = protocol::no_producer_id;
    // Accumulator bookkeeping: the owner, the queue, and the buffer.memory bytes it holds
    // (reserved when created; the compressed copy, added when sealed).
    accumulator* owner_ = nullptr;
    partition_queue* queue_ = nullptr;
    std::size_t reserved_ = 0;
    std::size_t reserved_sealed_ = 0;
};

/// Completes each record with `ec` (offset -1, its CreateTime), counting throwing handlers as
/// producer_batch::deliver does. Call it on the producer's executor.
void fail_orphans(orphaned_records& records, error_code ec, callback_failures* thrown = nullptr);

/// Returns a drained batch to its accumulator, which recycles the buffers and hands records
/// never delivered to its orphan sink (they are completed on the producer's strand, not on
/// the releasing thread); a batch without an accumulator is deleted.
struct batch_releaser {
    void operator()(producer_batch* b) const noexcept;
};
using batch_ptr = std::unique_ptr<producer_batch, batch_releaser>;

}  // namespace kasio::detail::producer

#pragma once
// Idempotent producer state (KIP-98, KIP-360): producer id and epoch, per-partition sequence
// numbers, the batches in flight by sequence, and the Java client's rules for errors that
// touch sequences (TransactionManager's idempotent, non-transactional paths; the sender's
// canRetry). A pure state machine: no clock, no I/O, no requests of its own. It tells the
// sender what to do with a failed batch and when it needs InitProducerId.
//
// runs on: the producer strand (not thread-safe). The accumulator calls can_drain()/assign()
// from drain() and on_expired() from expire(), both on that strand.
//
// Ownership. The tracker owns no batch and keeps no pointer to one: the partition queue owns
// a queued batch, the Produce call a drained one. It keeps, per batch in flight, the batch's
// flight id (set by assign) and its sequence state (producer id, epoch, base sequence, record
// count). An epoch bump rewrites that state here only; the batch takes it (sync) when its
// owner next hands it in: drain (can_drain, assign), reenqueue, a response, expiry. So a
// batch answered, failed, expired or recycled leaves nothing dangling, and bytes a
// connection may still be writing are never patched under it.
#include "producer/producer_batch.hpp"

#include <kasio/error.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace kasio::detail::producer {

class transaction_manager;

struct producer_identity {
    std::int64_t id = protocol::no_producer_id;
    std::int16_t epoch = protocol::no_producer_epoch;
    bool valid() const noexcept { return id >= 0 && epoch >= 0; }
    friend bool operator==(const producer_identity&, const producer_identity&) = default;
};

/// What the sender does with a batch whose Produce failed.
enum class batch_verdict : std::uint8_t {
    retry,      ///< accumulator::reenqueue (its sequence is kept, or rewritten by an epoch bump)
    fail,       ///< accumulator::fail with the error
    duplicate,  ///< DUPLICATE_SEQUENCE_NUMBER: the broker has it; complete with offset -1
};

/// Sequence arithmetic as DefaultRecordBatch.incrementSequence: wraps past INT32_MAX to 0.
std::int32_t increment_sequence(std::int32_t sequence, std::int32_t increment) noexcept;

class sequence_tracker {
public:
    sequence_tracker() = default;
    sequence_tracker(const sequence_tracker&) = delete;
    sequence_tracker& operator=(const sequence_tracker&) = delete;

    // --- Producer id ---
    const producer_identity& identity() const noexcept { return identity_; }
    /// True when no valid producer id is held: the sender sends InitProducerId, nothing drains.
    bool needs_producer_id() const noexcept { return !identity_.valid() && !fatal_; }
    /// From InitProducerId. Partitions whose sequences were to be rewritten when the epoch
    /// ran out are rewritten under the new id, from 0.
    void set_producer_id(producer_identity id);

    /// A transactional producer's gate: a batch drains only once its partition joined the open
    /// transaction (transaction_manager::may_send). Null: no gate.
    void set_partition_gate(transaction_manager* gate) noexcept { gate_ = gate; }
    /// A transactional producer got a new epoch from InitProducerId after an abort (KIP-360):
    /// nothing is in flight, every partition starts again at sequence 0 under `id`.
    void reset(producer_identity id);

    // --- Drain (accumulator::drain, under the partition lock) ---
    /// May `first`, the head of its partition's queue, be drained now? (Java's
    /// shouldStopDrainBatchesForPartition, negated.) No when there is no producer id or a
    /// fatal error; for a new batch, when the partition still has batches in flight under an
    /// older epoch or an unresolved sequence; for a retried batch, unless it is the first in
    /// flight (a retry goes alone, in order).
    bool can_drain(producer_batch& first);
    /// Gives a new batch the producer id, epoch and the partition's next sequence, and tracks
    /// it as in flight. A batch that has a sequence keeps it (a retry must not get a new one,
    /// or the broker could accept it twice).
    void assign(producer_batch& b);
    /// Undoes the assign() just made for `b` (its sealing failed; it is not sent).
    void unassign(producer_batch& b);

    // --- Responses ---
    /// The broker appended `b` (base_offset -1 when unknown, e.g. acks=0).
    void on_success(producer_batch& b, std::int64_t base_offset);
    /// The broker answered `ec` for `b`. `attempts_left`: retries not exhausted;
    /// `delivery_timed_out`: delivery.timeout.ms passed since the batch was created.
    /// Retries in order what the Java client retries; bumps the epoch (at the next
    /// bump_epoch_if_needed()) where a sequence gap cannot be resolved; a fatal error
    /// (producer fenced, authorization, unsupported version) stops all draining.
    batch_verdict on_error(producer_batch& b, error_code ec, std::int64_t log_start_offset, bool attempts_left,
                           bool delivery_timed_out);
    /// `b` expired (delivery.timeout.ms) and is failed by the caller. If it was ever drained,
    /// the broker may or may not have it: the partition's sequence is unresolved until the
    /// batches in flight tell (maybe_resolve_sequences). Java marks only batches in retry;
    /// any batch with a sequence may have reached the broker, so kasio marks those.
    void on_expired(producer_batch& b);

    /// Gives `b` the producer id, epoch and sequence the tracker holds for it, if they were
    /// rewritten (epoch bump, new producer id) since it last saw it; the sealed bytes are
    /// patched then. Every call above that takes a batch does this first. Call it only while
    /// `b` is not being sent (its owner holds it: queued under the partition lock, or
    /// answered).
    void sync(producer_batch& b);

    // --- Each sender iteration (Java's Sender.runOnce) ---
    /// Unresolved partitions without batches in flight: resolved when the last acked
    /// sequence is the one before the next, else the epoch is bumped for them.
    void maybe_resolve_sequences();
    /// Applies a requested epoch bump: epoch + 1, then the batches in flight of the partitions
    /// that asked are re-sequenced from 0 under it (they are retried with their new
    /// sequence). At epoch INT16_MAX the producer id is dropped instead. Returns
    /// needs_producer_id().
    bool bump_epoch_if_needed();
    bool epoch_bump_pending() const noexcept { return epoch_bump_required_; }

    /// The fatal broker error that stopped the producer (none if running).
    error_code fatal_error() const noexcept { return fatal_; }

    // --- Inspection ---
    std::int32_t next_sequence(topic_partition_view tp) const;
    std::optional<std::int32_t> last_acked_sequence(topic_partition_view tp) const;
    std::size_t in_flight(topic_partition_view tp) const;
    bool has_unresolved_sequence(topic_partition_view tp) const { return unresolved_.contains(tp); }

private:
    struct tp_hash {
        std::size_t operator()(const topic_partition_view& tp) const noexcept {
            return std::hash<std::string_view>{}(tp.topic) * 31 + static_cast<std::size_t>(tp.partition);
        }
    };
    // A batch in flight, by id: the sequence state it has, or will take at its next sync.
    struct flight {
        std::uint64_t id = 0;
        producer_identity identity;
        std::int32_t base_sequence = protocol::no_sequence;
        std::int32_t record_count = 0;
        bool sequence_reset = false;
    };
    struct partition_entry {
        producer_identity identity;  // the id/epoch this partition's sequences belong to
        std::int32_t next_sequence = 0;
        std::int32_t last_acked_sequence = -1;
        std::int64_t last_acked_offset = -1;
        std::vector<flight> in_flight;  // by base sequence
    };

    partition_entry& entry(topic_partition_view tp) { return partitions_[tp]; }
    const partition_entry* find(topic_partition_view tp) const;
    bool can_retry(producer_batch& b, error_code ec, std::int64_t log_start_offset);
    void handle_failed(const producer_batch& b, error_code ec, bool adjust_sequences);
    void forget_partition(topic_partition_view tp);
    void remove_in_flight(const producer_batch& b);
    void request_epoch_bump(topic_partition_view tp);
    void start_sequences_at_beginning(topic_partition_view tp);
    bool is_next_sequence(topic_partition_view tp, std::int32_t sequence);

    producer_identity identity_;
    transaction_manager* gate_ = nullptr;
    error_code fatal_;
    bool epoch_bump_required_ = false;
    // Topics are views into the accumulator's (or the caller's) stable names.
    std::unordered_map<topic_partition_view, partition_entry, tp_hash> partitions_;
    // Partitions with an expired batch whose fate is unknown -> the sequence after it.
    std::unordered_map<topic_partition_view, std::int32_t, tp_hash> unresolved_;
    std::unordered_set<topic_partition_view, tp_hash> rewrite_;  // to re-sequence at the bump
    std::uint64_t last_flight_id_ = 0;
    // Flights of a partition forgotten (UNKNOWN_PRODUCER_ID) while still in flight: the state
    // they still have to take. Erased at their next sync; rare, so a map.
    std::unordered_map<std::uint64_t, flight> detached_;
};

}  // namespace kasio::detail::producer

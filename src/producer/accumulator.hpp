#pragma once
// The record accumulator: per-partition queues of record batches that send() fills and the
// sender drains (the Java client's RecordAccumulator). Sans-io: every call takes `now` from
// the caller (a steady clock); nothing here reads a clock, waits or does I/O.
//
// Threads. append() (and the other calls marked "any thread") may run on any thread at once:
// the topic lookup is lock-free (topic_index), then one lock per partition queue (a spin lock,
// partition_lock.hpp), held while the record is encoded; threads sending to different
// partitions do not contend, and buffer memory is an atomic counter touched once per batch,
// not per record. Everything else runs on the producer strand (the sender's), one call at a
// time.
//
// Memory (buffer.memory). A new batch reserves max(batch.size, its first record) bytes, the
// compressed copy made at drain adds its size, and both are returned when the batch is
// released. append() refuses (would_block) a record needing a new batch that would exceed the
// limit; the caller waits for memory (memory listener) up to max.block.ms. Released batches
// are kept for reuse while the limit allows, so a warm producer allocates nothing per record.
#include "compression/codec.hpp"
#include "producer/partitioner.hpp"
#include "producer/producer_batch.hpp"
#include "producer/topic_index.hpp"

#include <kasio/error.hpp>
#include <kasio/record.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace kasio::detail::producer {

class sequence_tracker;

struct accumulator_config {
    std::size_t batch_size = 16384;                     ///< batch.size
    std::size_t buffer_memory = std::size_t{32} << 20;  ///< buffer.memory
    /// max.request.size: a record (with a batch header) larger than this is rejected at once.
    std::size_t max_request_size = 1048576;
    /// linger.ms. 5 as in the Java client since 4.0 (KIP-1030; 0 before): a few ms of waiting
    /// buys much larger batches at high rates and costs little at low ones.
    std::chrono::milliseconds linger{5};
    std::chrono::milliseconds delivery_timeout{120000};  ///< delivery.timeout.ms
    compression::codec compression = compression::codec::none;  ///< compression.type
    int compression_level = compression::default_level;          ///< compression.level
    /// Batches of one partition sent and not yet answered. 5 at most with idempotence: the
    /// broker remembers the last 5 batches per producer and partition to detect duplicates.
    std::size_t max_in_flight_per_partition = 5;
    partitioner_config partitioner;
    std::uint64_t seed = 0;  ///< seeds the sticky partitioner's random choices
};

enum class append_status : std::uint8_t {
    appended,
    /// A new batch is needed and buffer.memory is used up: nothing was appended and the
    /// handler was not taken. Retry when memory_available() grows (see set_memory_listener).
    would_block,
    rejected,  ///< never appendable; `ec` says why (nothing appended, handler not taken)
    closed,    ///< close() was called (nothing appended, handler not taken)
};

struct append_result {
    append_status status = append_status::rejected;
    std::int32_t partition = -1;
    /// The partition has a batch ready by size: wake the sender (Java's batchIsFull).
    bool batch_full = false;
    bool new_batch = false;
    /// For rejected: broker_errc::message_too_large (over max.request.size or buffer.memory:
    /// the Java client's RecordTooLargeException), client_errc::invalid_value (partition out
    /// of range, no partition count, a field over 2 GiB).
    error_code ec;
};

/// A partition's queue (internal to the accumulator; producer_batch points back to it). It
/// owns its queued batches; drain() moves each to the Produce call (batch_ptr), reenqueue()
/// back. Nothing else holds a batch: the sequence tracker keeps ids.
struct partition_queue;

class accumulator {
    struct topic_entry;  // per topic: its name, partitioner and queues (accumulator.cpp)

public:
    /// `tracker`: the idempotence state (null when enable.idempotence=false); drain() assigns
    /// sequences through it. It must outlive the accumulator.
    explicit accumulator(accumulator_config cfg, sequence_tracker* tracker = nullptr);
    accumulator(const accumulator&) = delete;
    accumulator& operator=(const accumulator&) = delete;
    /// Hands the records still queued to the orphan sink (calls none of them). Drained batches
    /// must have been returned (released) before.
    ~accumulator();

    /// Appends `r` to a partition of its topic, which has `partition_count` partitions: its
    /// own, else the partitioner's. The bytes are copied into the open batch (the views in
    /// `r` are not kept); `done` is moved from only when appended. `timestamp`: r.timestamp
    /// or the wall clock, chosen by the caller; `now` drives linger and expiry.
    /// Thread safety: any thread.
    append_result append(const record& r, std::int32_t partition_count, std::int64_t timestamp, time_point now,
                         delivery_handler&& done);
    /// Where a caller keeps a topic's entry (null at first), so that append() skips the
    /// lookup by name; the entry lives as long as the accumulator.
    using topic_slot = std::atomic<topic_entry*>;
    /// As above, `slot` being r.topic's: filled in when null or the topic grew.
    append_result append(topic_slot& slot, const record& r, std::int32_t partition_count, std::int64_t timestamp,
                         time_point now, delivery_handler&& done);
    /// `now` for append() when the caller has not read the clock: read only if a batch is
    /// opened (the per-record clock read was a measurable part of a send).
    static constexpr time_point now_unread = time_point::min();
    /// Appends `r` to `tp` (r.partition and the partitioner are not consulted).
    /// Thread safety: any thread.
    append_result append(topic_partition_view tp, const record& r, std::int64_t timestamp, time_point now,
                         delivery_handler&& done);
    /// Creates the queues of a topic's partitions at once (from metadata), so that append()
    /// does not grow the topic one partition at a time. Thread safety: any thread.
    void add_topic(std::string_view topic, std::int32_t partition_count);

    // --- Memory; any thread ---
    std::size_t memory_used() const noexcept { return used_.load(std::memory_order_relaxed); }
    std::size_t memory_available() const noexcept;
    /// An append was refused for memory since memory was last freed: every batch is ready.
    bool memory_pressure() const noexcept { return pressure_.load(std::memory_order_relaxed); }
    /// Called (on the thread releasing the batch, outside any accumulator lock) when memory
    /// was freed after an append was refused for it. Must not block; typically it posts to
    /// the waiting senders' executor. Set it before appending.
    void set_memory_listener(std::function<void()> listener) { memory_listener_ = std::move(listener); }
    /// Called after delivery callbacks threw while a batch completed (the others were still
    /// called). Set it before appending.
    void set_callback_failure_listener(std::function<void(const callback_failures&)> listener) {
        callback_failure_listener_ = std::move(listener);
    }

    /// Takes the records of a batch released (or, at destruction, queued) before anyone
    /// completed them: a drained batch dropped without complete/fail/reenqueue, e.g. a Produce
    /// call destroyed unanswered. Called on the releasing thread (any thread, maybe inside a
    /// destructor), outside accumulator locks; it must not call the handlers there but move
    /// them to the executor that completes them (the producer posts them to its strand and
    /// fails them with client_errc::connection_closed). Without a sink they are destroyed
    /// uncalled. Set it before appending.
    void set_orphan_sink(std::function<void(orphaned_records&&)> sink) { orphan_sink_ = std::move(sink); }

    // --- Flush and close; any thread ---
    /// While flushes are in progress every batch is ready regardless of linger.ms.
    void begin_flush() noexcept { flushes_.fetch_add(1, std::memory_order_relaxed); }
    void end_flush() noexcept { flushes_.fetch_sub(1, std::memory_order_relaxed); }
    /// Appends fail with append_status::closed from now on; every batch is ready.
    void close() noexcept { closed_.store(true, std::memory_order_release); }
    bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }
    /// Batches not yet released (queued or drained): Java's hasIncomplete.
    bool has_incomplete() const noexcept { return live_batches_.load(std::memory_order_acquire) != 0; }
    bool has_undrained() const;
    /// Records appended so far (the producer's records_sent). Thread safety: any thread.
    std::uint64_t records_appended() const;
    /// Batches queued for `tp` (not drained). Thread safety: any thread.
    std::size_t queued_batches(topic_partition_view tp) const;

    // --- The sender; runs on: the producer strand ---
    /// Adds to `out` the partitions with a batch sendable now: full, lingered linger.ms,
    /// flushing, closing or under memory pressure; not backing off after a failure, under the
    /// in-flight limit, and (with idempotence) drainable in sequence order. Returns when to
    /// look again at the latest: the next linger, backoff or delivery timeout deadline
    /// (time_point::max() when nothing is queued).
    time_point ready(time_point now, std::vector<topic_partition_view>& out);
    /// Drains at most one batch per partition of `partitions` (the partitions one broker
    /// leads) for one Produce request of at most `max_request_bytes` (one batch is always
    /// allowed), starting at `cursor` (the caller's per-broker rotation, so that no partition
    /// starves) and leaving it where the next request should start: at the partition whose
    /// batch did not fit, else one past this call's start. Skips partitions backing off
    /// or at the in-flight limit; with idempotence assigns sequences in queue order. Drained
    /// batches are sealed (compressed); appended to `out` in drain order.
    void drain(std::span<const topic_partition_view> partitions, std::size_t& cursor, std::size_t max_request_bytes,
               time_point now, std::vector<batch_ptr>& out);
    /// The broker appended `b` at base_offset: completes its records and releases it.
    void complete(batch_ptr b, std::int64_t base_offset, std::int64_t log_append_time = -1);
    /// Fails every record of `b` with `ec` (explained by `context`) and releases it.
    void fail(batch_ptr b, error_code ec, std::shared_ptr<const error_context> context = {});
    /// Puts a drained batch back for a retry, not before `retry_at`: at the front of its
    /// queue, in sequence order behind retries with lower sequences (Java's
    /// insertInSequenceOrder), so that order per partition is kept.
    void reenqueue(batch_ptr b, time_point retry_at);
    /// Fails queued batches older than delivery.timeout.ms with client_errc::timed_out, oldest
    /// first per partition (the tracker marks their sequences unresolved). Drained batches
    /// are the sender's to expire (reached_delivery_timeout). Returns the number of batches;
    /// adds the number of records failed to `*records` when given.
    std::size_t expire(time_point now, std::size_t* records = nullptr);
    /// Fails every queued batch with `ec` (a forced close or a fatal error), explained by
    /// `context` when given. Returns the number of records failed.
    std::size_t abort_undrained(error_code ec, const std::shared_ptr<const error_context>& context = {});
    bool reached_delivery_timeout(const producer_batch& b, time_point now) const noexcept {
        return now - b.created() >= cfg_.delivery_timeout;
    }

    const accumulator_config& config() const noexcept { return cfg_; }

private:
    friend struct batch_releaser;
    struct partition_list;

    topic_entry& topic(std::string_view name, std::int32_t min_partitions);
    partition_queue& queue(topic_entry& t, std::int32_t partition);
    partition_queue* find_queue(topic_partition_view tp) const noexcept;
    append_result append_to(topic_entry& t, std::int32_t partition, std::int32_t partition_count, const record& r,
                            std::int64_t timestamp, time_point now, delivery_handler& done);
    batch_ptr new_batch(partition_queue& q, std::size_t reserve, time_point now);
    bool try_reserve(std::size_t bytes) noexcept;
    void release(producer_batch* b) noexcept;
    void hand_over(orphaned_records&& records) noexcept;
    void deliver(producer_batch& b, error_code ec, std::int64_t base_offset = -1, std::int64_t log_append_time = -1,
                 const std::shared_ptr<const error_context>& context = {}) noexcept;
    void unreserve(std::size_t bytes) noexcept;
    template <class F>
    void for_each_queue(F&& f) const;

    const accumulator_config cfg_;
    const partitioner partitioner_;
    sequence_tracker* const tracker_;

    std::atomic<std::size_t> used_{0};
    std::atomic<bool> pressure_{false};
    std::atomic<bool> closed_{false};
    std::atomic<int> flushes_{0};
    std::atomic<std::size_t> live_batches_{0};
    std::function<void()> memory_listener_;
    std::function<void(const callback_failures&)> callback_failure_listener_;
    std::function<void(orphaned_records&&)> orphan_sink_;

    // Topics, partition lists and queues: created under structure_mu_, never freed before
    // the accumulator, so lock-free readers always see live objects.
    mutable std::mutex structure_mu_;
    topic_index<topic_entry> topics_;
    std::vector<std::unique_ptr<topic_entry>> topic_storage_;
    std::vector<std::unique_ptr<partition_list>> list_storage_;
    std::vector<std::unique_ptr<partition_queue>> queues_;

    // Completion slot chunks, and released batches kept for reuse (buffers warm).
    slot_pool slots_;
    std::mutex pool_mu_;
    std::vector<producer_batch*> pool_;
    std::size_t pooled_bytes_ = 0;

    std::vector<batch_ptr> scratch_;  // producer strand: batches failed outside locks (owned)
};

}  // namespace kasio::detail::producer

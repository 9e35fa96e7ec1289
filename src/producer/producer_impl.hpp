#pragma once
// The producer's state behind kasio::producer: the accumulator records go into, the sender
// loop that drains it into Produce requests, the idempotence state, and the sends waiting for
// buffer memory or topic metadata.
//
// Threads. send() runs on any thread: it looks the topic's partition count up without a lock
// (topic_index) and appends to the accumulator, waking the sender (one post per new or full
// batch, not per record). Everything else runs on the broker pool's strand, which the sender
// shares with the metadata refresher so that it can read the metadata cache directly.
#include "cluster/metadata_refresher.hpp"
#include "metrics/atomic_histogram.hpp"
#include "net/abandonable_op.hpp"
#include "net/broker_pool.hpp"
#include "net/statistics.hpp"
#include "producer/accumulator.hpp"
#include "producer/sequence_tracker.hpp"
#include "producer/topic_index.hpp"
#include "producer/transaction_manager.hpp"

#include <kasio/producer.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace kasio {

namespace asio = boost::asio;

namespace detail::producer {

/// A topic the producer has been asked to send to; partitions is 0 until metadata names it.
struct topic_info {
    explicit topic_info(std::string n) : name(std::move(n)) {}
    const std::string name;
    /// 0 until metadata names the partitions, and again once the topic went idle: sends then
    /// take the slow path, which asks for the topic's metadata again.
    std::atomic<std::int32_t> partitions{0};
    /// Set when a send opens a new batch (any thread; per batch, not per record), taken by the
    /// sender's idle check.
    mutable std::atomic<bool> used{true};
    /// The accumulator's entry for the topic (any thread): sends skip its lookup by name.
    mutable detail::producer::accumulator::topic_slot batches{nullptr};
    // Strand only: when `used` was last seen set; whether the topic left the Metadata requests.
    std::chrono::steady_clock::time_point last_used{};
    bool idle = false;
};

/// A send that could not be appended at once: an owned copy of the record.
/// What a waiting send counts against buffer.memory beyond its record's bytes: about the
/// record's framing in a batch (DefaultRecord varints and attributes).
inline constexpr std::size_t waiting_record_overhead = 32;

struct waiting_send {
    std::string topic;
    std::optional<std::int32_t> partition;
    std::optional<std::vector<std::uint8_t>> key, value;
    std::vector<std::string> header_keys;
    std::vector<std::optional<std::vector<std::uint8_t>>> header_values;
    std::int64_t timestamp = 0;
    delivery_handler done;
    time_point deadline;
    std::size_t bytes = 0;  // counted in waiting_bytes
};

/// One Produce request in flight.
struct produce_call {
    std::int32_t node = -1;
    std::vector<batch_ptr> batches;
};

/// Per broker: in-flight Produce requests and the drain rotation.
struct node_state {
    std::size_t in_flight = 0;
    std::size_t cursor = 0;
    std::vector<topic_partition_view> ready;
};

/// Why a call is refused in transaction state `s` ("send is not allowed in transaction state
/// ready: call begin_transaction() first").
std::string transaction_state_refusal(std::string_view call, transaction_state s);

}  // namespace detail::producer

struct producer::impl : std::enable_shared_from_this<producer::impl> {
    using clock = detail::producer::clock;
    using time_point = detail::producer::time_point;

    impl(executor_type ex, producer_config cfg);
    ~impl();

    // --- any thread (producer.cpp) ---
    void send(const record& r, detail::delivery_handler&& done);
    void wake();
    producer_stats stats() const;
    // Completes `done` later on the strand (never inside send()).
    void fail_soon(detail::delivery_handler&& done, error_code ec, std::int32_t partition = -1,
                   std::shared_ptr<const error_context> context = {});
    // Calls a delivery handler; one that throws is logged and counted, never propagated.
    void call_handler(detail::delivery_handler& done, error_code ec, const delivery& d);
    void report_callback_failures(const detail::producer::callback_failures& f);

    // --- strand (producer.cpp) ---
    void enqueue_waiting(std::unique_ptr<detail::producer::waiting_send> w);
    void process_waiting(time_point now);
    void update_metadata();
    void retire_idle_topics(time_point now);
    void abort_all(error_code ec);
    void check_waiters(time_point now);
    void flush(std::shared_ptr<net::abandonable_op<>> op);
    void close(std::chrono::milliseconds timeout, std::shared_ptr<net::abandonable_op<>> op);

    // --- strand (sender.cpp) ---
    void start();
    static asio::awaitable<void> run(std::shared_ptr<impl> self);
    time_point send_ready(time_point now);
    void send_request(std::int32_t node, std::vector<detail::producer::batch_ptr> batches);
    void on_response(detail::producer::produce_call& call, error_code ec, const net::response_frame& frame);
    void on_batch_error(detail::producer::batch_ptr b, error_code ec, std::int64_t log_start_offset,
                        std::int32_t node, std::string broker_message);
    /// Records an error a record or an operation completes with, for last_error() (any thread).
    void note_error(const error_code& ec, const error_context& context);
    /// An error that no send can get past (a refused producer id): fails everything queued or
    /// waiting and every later send with it. Strand.
    void fail_fatally(const error_code& ec, error_context context);
    void on_batch_success(detail::producer::batch_ptr b, std::int64_t base_offset, std::int64_t log_append_time);
    void maybe_init_producer_id(time_point now);
    void refresh_metadata();
    /// Fails every send waiting for memory or metadata with `ec`. Strand.
    void fail_waiting(const error_code& ec, const std::shared_ptr<const error_context>& context);

    // --- strand (transactions.cpp) ---
    using waiter_ptr = std::shared_ptr<net::abandonable_op<>>;
    /// The transactional operation running (one at a time), if any.
    enum class txn_task : std::uint8_t { none, init, commit, abort, offsets };
    void txn_call(txn_task kind, waiter_ptr op, std::vector<partition_offset> offsets = {},
                  consumer_group_metadata group = {});
    /// Each sender pass, before draining: fails what an aborted or failed transaction left
    /// queued (nothing of it may be sent any more).
    void txn_sender_pass();
    /// Each sender pass, after draining (which named the partitions that batches wait for):
    /// sends AddPartitionsToTxn for them, one request at a time.
    void txn_add_pending_partitions();
    /// A batch of the transaction failed for good (the verdict was fail): the transaction
    /// cannot commit.
    void txn_batch_failed(const error_code& ec, const error_context& context);
    /// Reports an abortable or fatal transactional error; returns the code to complete with.
    error_code txn_fail(const error_code& ec, detail::producer::txn_verdict verdict, error_context context);
    /// The running operation ended with `ec`: its callers complete with it.
    void finish_txn_task(error_code ec);
    static asio::awaitable<void> run_txn_task(std::shared_ptr<impl> self, txn_task kind,
                                              std::vector<partition_offset> offsets, consumer_group_metadata group);
    static asio::awaitable<error_code> txn_init(std::shared_ptr<impl> self);
    static asio::awaitable<bool> txn_version2_enabled(std::shared_ptr<impl> self);
    static asio::awaitable<error_code> txn_end(std::shared_ptr<impl> self, bool commit);
    static asio::awaitable<error_code> txn_send_offsets(std::shared_ptr<impl> self,
                                                        std::vector<partition_offset> offsets,
                                                        consumer_group_metadata group);
    static asio::awaitable<void> txn_add_partitions(std::shared_ptr<impl> self);
    static asio::awaitable<error_code> txn_wait_idle(std::shared_ptr<impl> self);

    const producer_config cfg;
    net::broker_pool pool;
    cluster::metadata_refresher refresher;
    std::optional<detail::producer::sequence_tracker> tracker;
    std::optional<detail::producer::transaction_manager> txn;  // transactional.id set
    detail::producer::accumulator acc;
    asio::any_io_executor strand;
    asio::steady_timer timer;

    // Topics (insert on the strand, find anywhere).
    detail::producer::topic_index<detail::producer::topic_info> topics;
    /// Names this producer in each thread's last-topic cache (find_topic): unique per
    /// producer ever made, so a destroyed producer's entry never matches a new one.
    const std::uint64_t instance_id;
    /// `topics.find`, first trying the topic this thread sent to last through this producer.
    const detail::producer::topic_info* find_topic(std::string_view name) const noexcept;
    std::vector<std::unique_ptr<detail::producer::topic_info>> topic_storage;

    // Waiting sends (strand); the counters are read by send() on any thread.
    std::deque<std::unique_ptr<detail::producer::waiting_send>> waiting;
    std::atomic<std::size_t> waiting_count{0};
    std::atomic<std::size_t> waiting_bytes{0};

    std::atomic<bool> wake_posted{false};
    std::atomic<bool> fatal{false};    // fatal_error is set: sends fail with it
    std::atomic<bool> closing{false};  // sends fail from now on
    bool aborting = false;             // strand: in-flight failures are not retried
    bool stopped = false;              // strand: the loop has ended
    bool init_in_flight = false;
    std::size_t init_attempts = 0;
    time_point init_retry_at{};
    std::uint64_t metadata_version = ~std::uint64_t{0};
    time_point next_idle_check{};

    std::map<std::int32_t, detail::producer::node_state> nodes;
    std::vector<detail::producer::topic_partition_view> ready_scratch;

    // Waiting flushes and closes; a cancelled one is completed (operation_aborted) and stays
    // here, done, until the flush or close it waited for would have completed.
    std::vector<waiter_ptr> flush_waiters;
    std::vector<waiter_ptr> close_waiters;
    std::optional<time_point> close_deadline;

    // Transactions (strand). The callers of the running operation, each with its max.block.ms
    // timer; the time after which the operation stops retrying (the last caller's deadline).
    struct txn_waiter {
        waiter_ptr op;
        std::shared_ptr<asio::steady_timer> timer;
    };
    txn_task txn_running = txn_task::none;
    std::vector<txn_waiter> txn_waiters;
    time_point txn_deadline{};
    asio::steady_timer txn_timer;  // wakes the running operation (flush done, deadline)
    std::map<std::string, std::int32_t> group_coordinators;  // for TxnOffsetCommit

    // Stats.
    std::atomic<std::uint64_t> records_delivered{0}, records_failed{0};
    std::atomic<std::uint64_t> batches_sent{0}, requests_sent{0}, bytes_sent{0}, retries{0}, throttled_ms{0};
    std::atomic<std::uint64_t> txn_committed{0}, txn_aborted{0};
    // Batch errors by code, for stats(). Written on the strand on the error path only; the
    // mutex is for stats() callers on other threads.
    mutable std::mutex errors_mutex;
    std::vector<std::pair<error_code, std::uint64_t>> batch_errors;
    error_info last_error;    // under errors_mutex
    error_info fatal_error;   // under errors_mutex; set once
    std::atomic<std::uint64_t> callback_errors{0};

    // Metrics (metrics.enabled): per batch, never per record. Hooks: null when off or none.
    client_hooks* const hooks;
    const bool metrics_on;
    std::atomic<std::uint64_t> uncompressed_sent{0};
    metrics::atomic_histogram batch_records, batch_bytes, queue_time_us, delivery_latency_us;
    // A batch left the producer (acknowledged, failed for good, or known duplicate).
    void batch_done(const detail::producer::producer_batch& b, error_code ec, std::int64_t base_offset, time_point now);

    // Statistics (statistics.interval.ms): the client's name in them, when it was made.
    const std::string stats_name;
    const time_point created;
    net::statistics_timer statistics;  // strand
    std::string statistics_json() const;
    std::uint64_t failed_at_close = 0;  // strand: records_failed when close() was called
};

}  // namespace kasio

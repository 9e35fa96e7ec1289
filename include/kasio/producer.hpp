#pragma once
/// @file
/// The kasio producer: sends records to Kafka topics, batching them per partition, with the
/// Java client's configuration names, defaults and delivery semantics (idempotent by default).
///
/// @code
///   kasio::producer_config cfg;
///   cfg.bootstrap_servers = {"localhost:9092"};
///   kasio::producer p(io.get_executor(), cfg);
///   kasio::record r;
///   r.topic = "t";
///   r.value = kasio::bytes_of("v");
///   p.async_send(r, [](kasio::error_code ec, kasio::delivery d) { ... });   // no allocation per record
///   auto [ec, d] = co_await p.async_send(r, asio::as_tuple(asio::use_awaitable));  // none either
///   co_await p.async_close(std::chrono::seconds(10));
/// @endcode
///
/// Executors: the producer runs its sender and metadata work on a strand of the executor it is
/// given; it has no threads of its own. A callback without an associated executor is called on
/// that strand; any other handler (a coroutine's, a future's) is dispatched to its own executor.
#include <kasio/config.hpp>
#include <kasio/detail/delivery_handler.hpp>
#include <kasio/detail/nodiscard_op.hpp>
#include <kasio/error.hpp>
#include <kasio/metrics.hpp>
#include <kasio/metadata.hpp>
#include <kasio/record.hpp>
#include <kasio/topic_partition.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/system_executor.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace kasio {

/// How records without an explicit partition are spread (`partitioner`).
enum class partitioner_type : std::uint8_t {
    /// "murmur2_random" / "default": murmur2 of the key (the Java client's and librdkafka's
    /// murmur2_random placement); null keys: KIP-794 uniform sticky.
    murmur2_random,
    round_robin,  ///< "round_robin": every record to the next partition in turn
    custom,       ///< partition_function decides (set by code, not by set())
};

/// Producer configuration. Defaults are the Java client's (4.x).
struct producer_config {
    /// `bootstrap.servers`: "host:port" entries (each may be a comma-separated list).
    std::vector<std::string> bootstrap_servers;
    /// `acks`: 0, 1 or -1 ("all").
    std::int16_t acks = -1;
    /// `linger.ms`: how long a batch waits for more records (0..900000).
    std::chrono::milliseconds linger{5};
    /// `batch.size`: bytes per partition batch, uncompressed (1..2147483647).
    std::size_t batch_size = 16384;
    /// `buffer.memory`: bytes of all queued batches; sends wait for memory beyond it.
    std::size_t buffer_memory = std::size_t{32} << 20;
    /// `max.block.ms`: how long a send waits for buffer memory or topic metadata.
    std::chrono::milliseconds max_block{60000};
    /// `delivery.timeout.ms`: a record not delivered this long after its send fails.
    std::chrono::milliseconds delivery_timeout{120000};
    /// `retries`: attempts after the first for a retriable error (0..2147483647).
    std::int32_t retries = 2147483647;
    /// `retry.backoff.ms`: wait before retrying a failed batch.
    std::chrono::milliseconds retry_backoff{100};
    /// `enable.idempotence`: exactly once per partition (KIP-98). As in the Java client, unset
    /// (nullopt) means on unless acks is not -1 or retries is 0, which turn it off quietly; set to
    /// true, those conflicts make the constructor throw config_error. With idempotence on,
    /// max.in.flight.requests.per.connection must be at most 5 (Kafka 4.0, KAFKA-17927).
    std::optional<bool> enable_idempotence;
    /// `max.in.flight.requests.per.connection`: Produce requests in flight per broker (1..5 with
    /// idempotence).
    std::size_t max_in_flight = 5;
    /// `compression.type`: none, gzip, snappy, lz4, zstd.
    std::string compression_type = "none";
    /// `compression.level`: the codec's level; INT32_MIN: the codec's default.
    int compression_level = INT32_MIN;
    /// `partitioner`: how records without a partition are placed.
    partitioner_type partitioner = partitioner_type::murmur2_random;
    /// For partitioner_type::custom: returns the partition (0..partition_count-1) of a record
    /// without one. Called inside async_send on the calling thread; must not block nor throw.
    std::function<std::int32_t(const record&, std::int32_t partition_count)> partition_function;
    /// `max.request.size` / `message.max.bytes`: the largest Produce request; a record larger
    /// than this is rejected at once (broker_errc::message_too_large).
    std::size_t max_request_size = 1048576;
    /// `metadata.max.age.ms`: refresh metadata at least this often.
    std::chrono::milliseconds metadata_max_age{300000};
    /// `metadata.max.idle.ms`: a topic no record was sent to for this long leaves the Metadata
    /// requests (5000..86400000, as Java); the next send to it asks for it again.
    std::chrono::milliseconds metadata_max_idle{300000};
    /// `allow.auto.create.topics`: a Metadata request lets the broker create a topic it does not
    /// have (when the broker's auto.create.topics.enable is on). Default true, as the Java
    /// producer.
    bool allow_auto_create_topics = true;
    /// `transactional.id`: makes the producer transactional (KIP-98): records are sent inside
    /// transactions (begin_transaction .. async_commit_transaction) and become visible to
    /// read_committed consumers only when committed. A second producer with the same id fences
    /// this one. Empty: not transactional. Needs idempotence (acks=all).
    std::string transactional_id;
    /// `transaction.timeout.ms`: the coordinator aborts a transaction open longer than this
    /// (1..2147483647; the broker refuses more than its transaction.max.timeout.ms).
    std::chrono::milliseconds transaction_timeout{60000};
    /// Connection settings (`client.id`, `request.timeout.ms`, `debug`, socket options, ...).
    connection_config connection;
    /// `connections.per.broker`: produce connections per broker (1..128).
    std::size_t connections_per_broker = 1;
    /// `reconnect.backoff.ms`: wait before reconnecting to a broker; doubles after each failure.
    std::chrono::milliseconds reconnect_backoff{50};
    /// `reconnect.backoff.max.ms`: the longest reconnect wait.
    std::chrono::milliseconds reconnect_backoff_max{1000};
    /// `connections.max.idle.ms`: a connection idle this long is closed (0 keeps it).
    std::chrono::milliseconds connections_max_idle{540000};

    /// Sets a member by its Kafka property name or librdkafka alias (docs/CONFIGURATION.md; the
    /// connection's names set `connection`). client_errc::invalid_config for an unknown name, one
    /// kasio does not support, a consumer property or a bad value; the configuration is then
    /// unchanged and `why` names the property and the fault ("linger.ms: 1000000 is out of range
    /// 0..900000").
    error_code set(std::string_view name, std::string_view value, error_context& why);
    /// As set(name, value, why), without the explanation.
    error_code set(std::string_view name, std::string_view value);

    /// The value of a producer property (its Kafka name or a librdkafka alias) in the text set()
    /// takes, read from the members as they are now (values set directly included): "[hidden]"
    /// for a secret that is set, empty for one that is unset. nullopt for a name that is not a
    /// producer property.
    std::optional<std::string> get(std::string_view name) const;
    /// Every producer property by its Kafka name with get()'s value, in docs/CONFIGURATION.md's
    /// order: the effective configuration, as the Java client logs it when it starts.
    std::vector<std::pair<std::string, std::string>> dump() const;

    /// Checks every member (values set directly in the struct included) against its property's
    /// range, that bootstrap.servers is not empty, and the rules between properties (idempotence
    /// with acks, retries and max.in.flight.requests.per.connection; a custom partitioner needs
    /// partition_function). Empty when valid; the producer's constructor throws it otherwise.
    error_info validate() const;
};

/// Where a transactional producer is (Java's TransactionManager states).
enum class transaction_state : std::uint8_t {
    not_transactional,  ///< transactional.id is empty
    uninitialized,      ///< async_init_transactions() has not completed yet
    initializing,       ///< async_init_transactions() is running
    ready,              ///< no transaction open: begin_transaction() may be called
    in_transaction,     ///< a transaction is open: send, send offsets, commit or abort
    committing,         ///< async_commit_transaction() is running
    aborting,           ///< async_abort_transaction() is running
    /// A record or a transactional request of the open transaction failed: commit is refused,
    /// the application must call async_abort_transaction() (it may then begin again).
    abortable_error,
    /// The producer cannot go on (fenced by a newer producer with the same transactional.id,
    /// not authorized, ...): every call fails; destroy it and make a new one.
    fatal_error,
};

/// The state's name ("in_transaction", ...).
std::string_view to_string(transaction_state s) noexcept;

/// Counters since the producer started (a snapshot; each counter is exact, they are not read
/// at one instant).
struct producer_stats {
    std::uint64_t records_sent = 0;       ///< accepted by async_send (queued)
    std::uint64_t records_delivered = 0;  ///< acknowledged (or written, acks=0)
    std::uint64_t records_failed = 0;     ///< completed with an error (including rejected sends)
    std::uint64_t batches = 0;            ///< batches put in Produce requests (retries included)
    std::uint64_t requests = 0;           ///< Produce requests sent
    std::uint64_t bytes = 0;              ///< record batch bytes sent (retries included)
    std::uint64_t retries = 0;            ///< batches put back for a retry
    /// throttle_time_ms of Produce responses, summed: time the brokers held this producer back
    /// for its quota (KIP-219; kasio sends nothing on a throttled connection meanwhile).
    std::uint64_t throttled_ms = 0;
    std::uint64_t transactions_committed = 0;  ///< transactions async_commit_transaction committed
    std::uint64_t transactions_aborted = 0;    ///< transactions async_abort_transaction (or close) aborted
    std::size_t buffer_bytes = 0;         ///< buffer.memory in use by batches now
    std::size_t waiting_bytes = 0;        ///< bytes held by sends waiting for memory or metadata
    std::size_t waiting_sends = 0;        ///< sends waiting for memory or metadata
    /// Delivery callbacks that threw. Each was logged (error level) and the exception
    /// dropped: the other records of its batch were still completed.
    std::uint64_t callback_errors = 0;
    /// Batches that came back with an error (retried or failed), per error in the order first
    /// seen: the broker's codes (not_leader_or_follower, out_of_order_sequence_number, ...) and
    /// the client's (a request that timed out, a connection that closed).
    std::vector<std::pair<error_code, std::uint64_t>> batch_errors;

    // Metrics (kept when metrics.enabled, the default; empty otherwise). Per batch, counting
    // retries, as `batches` and `bytes`.
    /// Uncompressed size of the batches sent (record batch header included); bytes divided by
    /// it is the compression ratio (Java: compression-rate-avg).
    std::uint64_t uncompressed_bytes = 0;
    histogram batch_records;        ///< records per batch sent
    histogram batch_bytes;          ///< bytes per batch sent, compressed (Java: batch-size-avg/-max)
    /// Microseconds from a batch's first record to the batch's first send (linger, waiting for
    /// an in-flight slot or metadata; Java: record-queue-time-avg/-max).
    histogram queue_time_us;
    /// Microseconds from a batch's first record to its completion (acknowledged or failed): the
    /// delivery latency of its oldest record (Java's has none; librdkafka's int_latency + rtt).
    histogram delivery_latency_us;
    /// Every broker's connection metrics (kasio/metrics.hpp).
    std::vector<broker_metrics> brokers;

    /// bytes / uncompressed_bytes (1 without compression; 0 before any batch).
    double compression_ratio() const noexcept {
        return uncompressed_bytes ? static_cast<double>(bytes) / static_cast<double>(uncompressed_bytes) : 0.0;
    }
};

/// A Kafka producer: batches records per partition and sends them to each partition's leader.
///
/// Thread safety: async_send, last_error and stats may be called from any thread, concurrently;
/// async_flush and async_close too. The producer runs its work on a strand of the executor it was
/// made with and starts no thread.
///
/// Lifetime: the execution context must outlive the producer and the handlers of its pending
/// operations. Destroying the producer fails what is not yet delivered (see ~producer()); call
/// async_close() first to deliver it.
class producer {
public:
    /// The type of get_executor(): the producer's strand.
    using executor_type = boost::asio::any_io_executor;

    /// Starts the metadata bootstrap. Throws config_error (code client_errc::invalid_config, its
    /// info() naming the property) when cfg.validate() refuses the configuration: a producer is
    /// never made with a bad one.
    producer(executor_type ex, producer_config cfg);
    /// Fails every record not yet delivered (client_errc::connection_closed) and stops; nothing
    /// hangs. The records are failed on the producer's strand (each handler then on its own
    /// executor), never inside this destructor or on the thread that drops a batch's last
    /// owner. The execution context must outlive the call's pending handlers.
    ~producer();
    producer(const producer&) = delete;
    producer& operator=(const producer&) = delete;

    /// The producer's strand: where it runs its work, and plain callbacks.
    executor_type get_executor() const noexcept;

    /// Sends `r`; completes at delivery with (error_code, delivery).
    ///
    /// The record's bytes are copied into its partition's open batch before this returns when
    /// buffer.memory allows (the views in `r` may then go). Otherwise (memory used up, or the
    /// topic's metadata not known yet) the operation keeps an owned copy and waits up to
    /// max.block.ms. With asio::deferred (the default) the send starts when the deferred
    /// operation is launched (co_awaited): `r`'s views must live until then.
    ///
    /// @par Handler signature
    /// `void(kasio::error_code, kasio::delivery)`. On success the delivery holds the partition,
    /// offset and timestamp; on failure delivery::context explains the error.
    ///
    /// @par Executor
    /// A handler with an associated executor (a coroutine, `use_future`, a callback bound with
    /// `asio::bind_executor`) runs on it. A plain callback runs on the producer's strand; it must
    /// not block, since it holds up the producer's other work.
    /// A callback that throws is caught: the exception is logged (error level) and counted
    /// (producer_stats::callback_errors); the other records are completed as usual.
    ///
    /// @par Allocation
    /// A handler of up to 32 bytes (a plain callback, a coroutine's `use_awaitable` with or
    /// without `as_tuple`, `use_future`'s) is stored in the record's slot of its batch, which
    /// warm producers recycle: sending allocates nothing per record (what the token itself
    /// allocates aside, such as `use_future`'s shared state). A larger handler is type-erased
    /// into one allocation from Asio's per-thread recycling allocator (or its own associated
    /// allocator).
    ///
    /// @par Thread safety
    /// Any thread, concurrently with other sends and calls.
    ///
    /// @par Errors
    /// A failed send says why, and delivery::context explains it (topic, partition, broker, the
    /// broker's message, the property at fault):
    /// - client_errc::buffer_exhausted: buffer.memory stayed full for max.block.ms, or sends
    ///   waiting for memory already hold buffer.memory bytes (then at once);
    /// - client_errc::all_brokers_down: no broker could be reached within max.block.ms;
    /// - broker_errc::unknown_topic_or_partition: the cluster says the topic does not exist
    ///   (and did not create it) after max.block.ms;
    /// - client_errc::metadata_timeout: no partitions for the topic within max.block.ms for
    ///   another reason (e.g. leaders still being elected);
    /// - broker_errc::invalid_topic_exception: an empty or invalid topic name (at once);
    /// - a refusal that retrying cannot fix (authentication, TLS, authorization, a producer id
    ///   the cluster refuses): at once, with that error;
    /// - broker_errc::message_too_large: larger than max.request.size or buffer.memory;
    /// - client_errc::timed_out: not delivered within delivery.timeout.ms;
    /// - the broker's error when it is not retriable or retries ran out;
    /// - client_errc::connection_closed: the producer was destroyed or closed.
    ///
    /// @par Cancellation
    /// None: a cancellation signal is ignored. A record once accepted is delivered or fails;
    /// bound the wait with delivery.timeout.ms.
    template <boost::asio::completion_token_for<void(error_code, delivery)> Token = boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_send(const record& r, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code, delivery)>(
            [self = this](auto handler, const record& rec) { self->initiate_send(rec, std::move(handler)); }, token, r);
    }

    /// Completes when every record sent before the call is delivered or failed (and no send
    /// is waiting for memory). Batches are sent without waiting for linger.ms meanwhile.
    ///
    /// @par Handler signature
    /// `void(kasio::error_code)`. Success even when some records failed: each record's own
    /// handler reports its failure.
    ///
    /// @par Executor
    /// The handler's associated executor; the producer's strand for a handler without one.
    ///
    /// @par Thread safety
    /// Any thread; several flushes may be pending at once.
    ///
    /// @par Errors
    /// client_errc::connection_closed when the producer is destroyed first;
    /// client_errc::internal_error when an exception stopped the producer's sender (logged).
    ///
    /// @par Cancellation
    /// Any type (terminal, partial, total). The flush completes at once with
    /// operation_aborted; nothing is undone: the records go on to their delivery (batches keep
    /// ignoring linger.ms until what the flush covered is done).
    template <boost::asio::completion_token_for<void(error_code)> Token = boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_flush(Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code)>(
            [self = this](auto handler) { self->start_flush(void_handler(std::move(handler))); }, token);
    }

    /// Stops accepting sends (they fail with connection_closed), delivers what was accepted
    /// (sends still waiting for metadata or memory included) and completes when all is done, or
    /// after `timeout`: then what is left fails with client_errc::timed_out and so does the
    /// close. Completes with the last record error when any record failed after the call (the
    /// close did not deliver everything; last_error() has its context), success otherwise.
    /// Connections are closed at the end.
    ///
    /// @par Handler signature
    /// `void(kasio::error_code)`: success when everything accepted was delivered;
    /// client_errc::timed_out when `timeout` expired first; otherwise the last record error.
    ///
    /// @par Executor
    /// The handler's associated executor; the producer's strand for a handler without one.
    ///
    /// @par Thread safety
    /// Any thread. Sends made by other threads after the close starts fail with
    /// client_errc::connection_closed.
    ///
    /// @par Cancellation
    /// Any type. The close completes at once with operation_aborted and goes on
    /// in the background: what it would have delivered is still delivered or fails at `timeout`.
    template <boost::asio::completion_token_for<void(error_code)> Token = boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_close(std::chrono::milliseconds timeout, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code)>(
            [self = this](auto handler, std::chrono::milliseconds t) { self->start_close(t, void_handler(std::move(handler))); },
            token, timeout);
    }

    // ---- Transactions (transactional.id set)
    //
    // The Java client's model: async_init_transactions() once, then per transaction
    // begin_transaction(), async_send()s (and async_send_offsets_to_transaction() for
    // consume-transform-produce), then async_commit_transaction() or async_abort_transaction().
    // The protocol is KIP-98's with KIP-360 epoch bumps and KIP-447 group metadata
    // (transaction version 1: AddPartitionsToTxn and AddOffsetsToTxn before the data).
    //
    // Errors of these operations: client_errc::invalid_transaction_state when the producer is
    // not in a state that allows the call (transaction_state() tells; the context names it);
    // client_errc::timed_out when the operation did not finish within max.block.ms (it goes on:
    // calling the same operation again waits for it); otherwise the broker's or the record's
    // error, after which transaction_state() says whether to abort (abortable_error) or to
    // give the producer up (fatal_error, e.g. broker_errc::producer_fenced). Handlers run on
    // their associated executor (the producer's strand for a handler without one); any
    // thread may call. Cancellation: any type; completes at once with operation_aborted and
    // the operation goes on.

    /// Gets the producer id and epoch for transactional.id from its transaction coordinator,
    /// fencing an older producer with the same id and completing (committing or aborting)
    /// the transaction it left open. Call once, before the first transaction.
    template <boost::asio::completion_token_for<void(error_code)> Token = boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_init_transactions(Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code)>(
            [self = this](auto handler) { self->start_transaction_op(txn_op::init, void_handler(std::move(handler))); },
            token);
    }

    /// Opens a transaction: sends are allowed until it is committed or aborted. Synchronous
    /// (it sends nothing; partitions join the transaction as records reach them). Errors:
    /// client_errc::invalid_transaction_state unless transaction_state() is ready; the fatal
    /// error once there is one. Thread safety: any thread.
    [[nodiscard]] error_code begin_transaction();

    /// Adds a consumer's positions to the open transaction (Java's sendOffsetsToTransaction):
    /// they are committed for `group` when the transaction commits, and dropped when it aborts.
    /// `offsets` are the next records to read; `group` comes from consumer::group_metadata(),
    /// so that the group coordinator refuses offsets from a member that lost its generation.
    template <boost::asio::completion_token_for<void(error_code)> Token = boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_send_offsets_to_transaction(std::vector<partition_offset> offsets,
                                                              consumer_group_metadata group, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code)>(
            [self = this](auto handler, std::vector<partition_offset> o, consumer_group_metadata g) {
                self->start_send_offsets(std::move(o), std::move(g), void_handler(std::move(handler)));
            },
            token, std::move(offsets), std::move(group));
    }

    /// Delivers every record sent in the transaction (as async_flush), then commits it. When a
    /// record failed, the commit fails with that record's error and transaction_state() is
    /// abortable_error.
    template <boost::asio::completion_token_for<void(error_code)> Token = boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_commit_transaction(Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code)>(
            [self = this](auto handler) { self->start_transaction_op(txn_op::commit, void_handler(std::move(handler))); },
            token);
    }

    /// Aborts the transaction: records not yet sent fail with client_errc::transaction_aborted,
    /// records in flight are awaited, then the coordinator writes the abort markers. The
    /// producer's epoch is bumped afterwards (KIP-360), so a transaction that ended with an
    /// abortable error leaves a producer ready for the next one.
    template <boost::asio::completion_token_for<void(error_code)> Token = boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_abort_transaction(Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code)>(
            [self = this](auto handler) { self->start_transaction_op(txn_op::abort, void_handler(std::move(handler))); },
            token);
    }

    /// The transaction state now (not_transactional without transactional.id). Any thread.
    kasio::transaction_state transaction_state() const noexcept;

    // ---- Cluster metadata

    /// The type-erased handler of async_metadata().
    using metadata_handler = boost::asio::any_completion_handler<void(error_code, cluster_metadata)>;

    /// Asks the cluster for its brokers, controller and cluster id and, for `topics` (every topic
    /// when empty: Java's listTopics), their partitions with leader, replicas and in-sync
    /// replicas (Java's partitionsFor, librdkafka's rd_kafka_metadata). One Metadata request of
    /// its own, to the brokers known then the bootstrap servers in turn until one answers; it
    /// creates no topic and does not change which topics the producer keeps metadata for.
    ///
    /// Handler: void(error_code, cluster_metadata), on the handler's associated executor (the
    /// producer's strand when it has none). Thread safety: any thread.
    ///
    /// Errors: the last broker's error when none answered (client_errc::connection_closed,
    /// timed_out, an authentication or TLS refusal). A topic's own error (e.g.
    /// broker_errc::unknown_topic_or_partition for one that does not exist) is not an error of
    /// the operation: it is in that topic's topic_description::error.
    ///
    /// Cancellation: any type; completes at once with operation_aborted and an empty value.
    template <boost::asio::completion_token_for<void(error_code, cluster_metadata)> Token = boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_metadata(std::vector<std::string> topics, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code, cluster_metadata)>(
            [self = this](auto handler, std::vector<std::string> t) {
                self->start_metadata(std::move(t), metadata_handler(std::move(handler)));
            },
            token, std::move(topics));
    }

    // ---- Counters and errors

    /// A snapshot of the producer's counters. Thread safety: any thread.
    producer_stats stats() const;
    /// The statistics the statistics callback gets (statistics.interval.ms), now, as JSON;
    /// docs/observability.md has the schema. Thread safety: any thread.
    std::string statistics_json() const;
    /// stats().waiting_sends without the rest of the snapshot (two relaxed loads): for an
    /// application that pauses its sends while some wait for memory or metadata and asks
    /// often. Thread safety: any thread.
    std::size_t waiting_sends() const noexcept;

    /// The last error a record or an operation of this producer completed with, with its
    /// context (the broker's message, broker, partition, property); empty before any.
    /// Thread safety: any thread.
    error_info last_error() const;

private:
    struct impl;  // src/producer/producer_impl.hpp

    using void_handler = boost::asio::any_completion_handler<void(error_code)>;
    using send_handler = boost::asio::any_completion_handler<void(error_code, delivery)>;

    // A handler called directly on the producer strand: no executor, allocator or cancellation
    // slot of its own, stored inline (a plain callback).
    template <class H>
    static constexpr bool direct_handler =
        std::is_same_v<boost::asio::associated_executor_t<H, boost::asio::system_executor>,
                       boost::asio::system_executor> &&
        std::is_same_v<boost::asio::associated_allocator_t<H>, std::allocator<void>> &&
        std::is_same_v<boost::asio::associated_cancellation_slot_t<H>, boost::asio::cancellation_slot> &&
        detail::delivery_handler::fits_inline<H>;

    // Any other handler (a coroutine's, a future's, one bound to an executor) is dispatched to
    // its associated executor. Kept as its own type, not erased, so that a small one stays
    // inline in its batch slot: use_awaitable's handler is one pointer (the coroutine's frame),
    // use_future's two (its promise). Delivery handlers run on the producer strand, so a handler
    // without an executor of its own (system_executor's dispatch calls it in place) runs there,
    // as a plain callback does.
    template <class H>
    struct dispatched_delivery {
        H h;
        void operator()(error_code ec, const delivery& d) && {
            const auto ex = boost::asio::get_associated_executor(h);
            boost::asio::dispatch(ex, boost::asio::append(std::move(h), ec, d));
        }
    };

    template <class H>
    void initiate_send(const record& r, H&& handler) {
        using T = std::decay_t<H>;
        if constexpr (direct_handler<T>) {
            send(r, detail::delivery_handler(std::forward<H>(handler)));
        } else if constexpr (detail::delivery_handler::fits_inline<dispatched_delivery<T>>) {
            send(r, detail::delivery_handler(dispatched_delivery<T>{std::forward<H>(handler)}));
        } else {
            // Too large to store inline: any_completion_handler allocates it with the handler's
            // associated allocator (Asio's per-thread recycling one by default) and keeps its
            // executor; 16 bytes inline.
            send(r, detail::delivery_handler(dispatched_delivery<send_handler>{send_handler(std::forward<H>(handler))}));
        }
    }

    void send(const record& r, detail::delivery_handler&& done);
    void start_flush(void_handler h);
    void start_close(std::chrono::milliseconds timeout, void_handler h);
    void start_metadata(std::vector<std::string> topics, metadata_handler h);
    enum class txn_op : std::uint8_t { init, commit, abort };
    void start_transaction_op(txn_op op, void_handler h);
    void start_send_offsets(std::vector<partition_offset> offsets, consumer_group_metadata group, void_handler h);

    std::shared_ptr<impl> impl_;
};

}  // namespace kasio

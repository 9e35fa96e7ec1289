#pragma once
/// @file
/// The kasio consumer: manual assignment, seek, pause/resume and a batched poll that hands out
/// records as views into the fetched buffers.
///
/// Fetching runs in the background as soon as partitions are assigned: one Fetch in flight per
/// broker, covering every assigned partition it leads (fetch sessions, KIP-227, when the broker
/// grants them). Fetched data waits in a bounded buffer (`queued.max.messages.kbytes`) until
/// async_poll() hands it out, so a slow application stops the fetching instead of growing memory.
///
/// Consumer groups: subscribe() joins the group named by group.id (the classic protocol:
/// FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup) with the assignors of
/// partition.assignment.strategy; partitions move between members with rebalance callbacks, and
/// a new partition starts at its committed offset (auto.offset.reset when there is none).
/// Offsets are committed automatically (enable.auto.commit) or by async_commit().
#include <kasio/config.hpp>
#include <kasio/detail/nodiscard_op.hpp>
#include <kasio/error.hpp>
#include <kasio/metrics.hpp>
#include <kasio/metadata.hpp>
#include <kasio/record.hpp>
#include <kasio/topic_partition.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kasio {

namespace detail {
struct consumer_access;  // the consumer's way to fill records_headers and fetch_batch
}  // namespace detail

/// `auto.offset.reset`: where a partition without a valid position starts.
enum class offset_reset : std::uint8_t { earliest, latest, none };

/// `group.protocol`: how the members of a group agree on an assignment.
enum class group_protocol : std::uint8_t {
    /// JoinGroup/SyncGroup: a member (the leader) runs partition.assignment.strategy.
    classic,
    /// KIP-848 (Kafka 4.0+): the coordinator assigns (group.remote.assignor) and members
    /// heartbeat with ConsumerGroupHeartbeat; a rebalance never stops the whole group.
    consumer
};

/// Configuration of a consumer. set() takes the Java/librdkafka property names; names it does not
/// know go to the connection pool's configuration (client.id, request.timeout.ms, debug, ...).
struct consumer_config {
    /// `bootstrap.servers`: "host:port" entries, each possibly a comma-separated list.
    std::vector<std::string> bootstrap_servers;
    /// `group.id`: the consumer group subscribe() joins and offsets are committed to.
    std::string group_id;
    /// `group.instance.id`: static membership (KIP-345); empty for a dynamic member.
    std::string group_instance_id;
    /// `group.protocol`: classic (default, as the Java client 4.x) | consumer. With consumer,
    /// session.timeout.ms, heartbeat.interval.ms and partition.assignment.strategy must keep
    /// their defaults (the coordinator decides them; validate() refuses a change, as Java refuses
    /// setting them), and subscribe_pattern() hands the expression to the broker.
    kasio::group_protocol protocol = kasio::group_protocol::classic;
    /// `group.remote.assignor`: with group.protocol=consumer, the broker assignor the group uses
    /// (Kafka 4.x: uniform, range); empty: the broker's default. Refused with classic.
    std::string remote_assignor;
    /// `session.timeout.ms`: the coordinator drops a member silent for this long (default 45000).
    std::chrono::milliseconds session_timeout{45000};
    /// `heartbeat.interval.ms`: between heartbeats to the coordinator (default 3000).
    std::chrono::milliseconds heartbeat_interval{3000};
    /// `max.poll.interval.ms`: a member that does not poll for this long leaves the group and
    /// rejoins at its next poll (default 300000; also the rebalance timeout).
    std::chrono::milliseconds max_poll_interval{300000};
    /// `partition.assignment.strategy`: assignors in order of preference: range, roundrobin,
    /// cooperative-sticky (Java class names accepted). Default "range,cooperative-sticky" as the
    /// Java client. Rebalancing is cooperative (KIP-429) when every one listed is cooperative.
    std::vector<std::string> assignment_strategies{"range", "cooperative-sticky"};
    /// `enable.auto.commit`: commit the positions every auto.commit.interval.ms, before
    /// partitions are revoked and on close (default true).
    bool enable_auto_commit = true;
    /// `auto.commit.interval.ms` (default 5000).
    std::chrono::milliseconds auto_commit_interval{5000};
    /// `auto.offset.reset`: earliest | latest (default) | none (smallest/largest/error accepted too).
    offset_reset auto_offset_reset = offset_reset::latest;
    /// `fetch.min.bytes`: the broker answers a Fetch once this much data is there (1..100000000).
    std::int32_t fetch_min_bytes = 1;
    /// `fetch.max.bytes`: per Fetch response (1..2147483135; default 52428800).
    std::int32_t fetch_max_bytes = 52428800;
    /// `fetch.max.wait.ms`: how long the broker may wait for fetch.min.bytes (0..300000; 500).
    std::chrono::milliseconds fetch_max_wait{500};
    /// `max.partition.fetch.bytes`: per partition per Fetch (1..1000000000; default 1048576).
    std::int32_t max_partition_fetch_bytes = 1048576;
    /// `check.crcs`: verify batch CRCs (default true, as the Java client).
    bool check_crcs = true;
    /// `isolation.level`: read_uncommitted (default) | read_committed.
    kasio::isolation_level isolation = kasio::isolation_level::read_uncommitted;
    /// `max.poll.records`: records per async_poll() at most (1..2147483647; default 500).
    std::size_t max_poll_records = 500;
    /// `queued.max.messages.kbytes`: fetched bytes waiting for poll at most, in KiB (1..2097151;
    /// default 65536). A Fetch asks only for the room left below the bound (a fair share per
    /// broker), so only what a broker returns past a request's max_bytes (its first batch,
    /// KIP-74) can exceed it.
    std::size_t queued_max_kbytes = 65536;
    /// `retry.backoff.ms`: wait before fetching a partition again after an error (default 100).
    std::chrono::milliseconds retry_backoff{100};
    /// `metadata.max.age.ms` (default 300000).
    std::chrono::milliseconds metadata_max_age{300000};
    /// `allow.auto.create.topics`: a Metadata request for subscribed or assigned topics lets the
    /// broker create one it does not have (when its auto.create.topics.enable is on). Default
    /// true, as the Java consumer (librdkafka's is false).
    bool allow_auto_create_topics = true;
    /// Connection settings: client.id, request.timeout.ms, debug, log, ... (request.timeout.ms is
    /// raised to fetch.max.wait.ms + 5 s when lower, so that a long poll cannot time out).
    connection_config connection;
    /// `connections.per.broker`: fetch connections per broker (1..128).
    std::size_t connections_per_broker = 1;
    /// `reconnect.backoff.ms`: wait before reconnecting to a broker; doubles after each failure.
    std::chrono::milliseconds reconnect_backoff{50};
    /// `reconnect.backoff.max.ms`: the longest reconnect wait.
    std::chrono::milliseconds reconnect_backoff_max{1000};
    /// `connections.max.idle.ms`: a connection idle this long is closed (0 keeps it).
    std::chrono::milliseconds connections_max_idle{540000};

    /// Sets the member named by its Kafka property name or librdkafka alias from its text form
    /// (docs/CONFIGURATION.md). Returns client_errc::invalid_config for an unknown name, one kasio
    /// does not support, a producer property or a bad or out-of-range value, leaving the
    /// configuration unchanged; `why` then names the property and the fault
    /// ("fetch.min.bytes: 0 is out of range 1..100000000").
    error_code set(std::string_view name, std::string_view value, error_context& why);
    /// As set(name, value, why), without the explanation.
    error_code set(std::string_view name, std::string_view value);

    /// The value of a consumer property (its Kafka name or a librdkafka alias) in the text set()
    /// takes, read from the members as they are now (values set directly included): "[hidden]"
    /// for a secret that is set, empty for one that is unset. nullopt for a name that is not a
    /// consumer property.
    std::optional<std::string> get(std::string_view name) const;
    /// Every consumer property by its Kafka name with get()'s value, in docs/CONFIGURATION.md's
    /// order: the effective configuration, as the Java client logs it when it starts.
    std::vector<std::pair<std::string, std::string>> dump() const;

    /// Checks every member (values set directly in the struct included) against its property's
    /// range, that bootstrap.servers is not empty, and the rules between properties:
    /// heartbeat.interval.ms below session.timeout.ms, group.instance.id only with group.id,
    /// known assignors. Empty when valid; the consumer's constructor throws it otherwise.
    error_info validate() const;
};

/// The headers of a consumed record: iterates as record_header {key, value}, decoding the wire
/// bytes as it goes (no allocation).
class record_headers {
public:
    /// A forward iterator over the headers; the record_header it points to is valid until the
    /// iterator moves (its views into the record stay valid with the fetch_batch).
    class iterator {
    public:
        /// A forward iterator.
        using iterator_category = std::forward_iterator_tag;
        /// What it yields.
        using value_type = record_header;
        /// A distance between iterators.
        using difference_type = std::ptrdiff_t;
        /// Operator->'s result.
        using pointer = const record_header*;
        /// Operator*'s result.
        using reference = const record_header&;

        /// The end iterator.
        iterator() = default;
        /// The current header.
        reference operator*() const noexcept { return current_; }
        /// The current header.
        pointer operator->() const noexcept { return &current_; }
        /// Decodes the next header.
        iterator& operator++() noexcept {
            if (--left_ > 0) decode();
            return *this;
        }
        /// Decodes the next header; returns the iterator as it was.
        iterator operator++(int) noexcept {
            iterator old = *this;
            ++*this;
            return old;
        }
        /// Equal when as many headers are left (iterators of one record_headers only).
        friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.left_ == b.left_; }

    private:
        friend class record_headers;
        iterator(bytes_view rest, std::int32_t left) noexcept : rest_(rest), left_(left) {
            if (left_ > 0) decode();
        }
        void decode() noexcept;

        bytes_view rest_;
        std::int32_t left_ = 0;
        record_header current_;
    };

    /// No headers.
    record_headers() = default;

    /// The first header.
    iterator begin() const noexcept { return {raw_, count_}; }
    /// Past the last header.
    iterator end() const noexcept { return {}; }
    /// The number of headers.
    std::size_t size() const noexcept { return static_cast<std::size_t>(count_); }
    /// True when the record has no header.
    bool empty() const noexcept { return count_ == 0; }

private:
    friend struct detail::consumer_access;
    // raw: validated header bytes (after the count), as the record batch decoder returns them.
    record_headers(bytes_view raw, std::int32_t count) noexcept : raw_(raw), count_(count) {}

    bytes_view raw_;
    std::int32_t count_ = 0;
};

/// `timestamp` semantics of a record.
enum class timestamp_kind : std::uint8_t { create_time, log_append_time, none };

/// One consumed record. Views into the fetched (or decompressed) buffer: valid while the
/// fetch_batch that holds it lives.
struct consumer_record {
    /// The record's topic.
    std::string_view topic;
    /// The record's partition.
    std::int32_t partition = 0;
    /// The record's offset in its partition.
    std::int64_t offset = 0;
    /// Milliseconds since the Unix epoch; -1 when none.
    std::int64_t timestamp = -1;
    /// What `timestamp` means.
    timestamp_kind timestamp_type = timestamp_kind::create_time;
    /// Nullopt: a null key.
    std::optional<bytes_view> key;
    /// Nullopt: a null value (a tombstone).
    std::optional<bytes_view> value;
    /// The record's headers, decoded as iterated.
    record_headers headers;
};

/// Records handed out by one async_poll(). Move-only; owns references to the fetch buffers the
/// records view, so they stay valid while the batch lives (on any thread).
class fetch_batch {
public:
    /// An empty batch.
    fetch_batch() = default;
    /// Takes the records and the buffers they view; `other` is left empty.
    fetch_batch(fetch_batch&&) noexcept = default;
    /// Takes the records and the buffers they view, releasing this batch's own.
    fetch_batch& operator=(fetch_batch&&) noexcept = default;
    fetch_batch(const fetch_batch&) = delete;
    fetch_batch& operator=(const fetch_batch&) = delete;
    ~fetch_batch() = default;

    /// Iterates the records; those of one partition in offset order.
    using const_iterator = std::vector<consumer_record>::const_iterator;
    /// The first record.
    const_iterator begin() const noexcept { return records_.begin(); }
    /// Past the last record.
    const_iterator end() const noexcept { return records_.end(); }
    /// The number of records.
    std::size_t size() const noexcept { return records_.size(); }
    /// True when the batch holds no record.
    bool empty() const noexcept { return records_.empty(); }
    /// The record at `i` (less than size()).
    const consumer_record& operator[](std::size_t i) const noexcept { return records_[i]; }

    /// What explains the error the poll completed with: the broker's message, the broker, the
    /// request, the partition (empty when the poll succeeded).
    const error_context& context() const noexcept {
        static const error_context none;
        return context_ ? *context_ : none;
    }

private:
    friend struct detail::consumer_access;
    std::vector<consumer_record> records_;
    std::vector<std::shared_ptr<const void>> owners_;  // response frames, decompressed batches
    std::shared_ptr<const error_context> context_;     // set with an error only
};

/// Called on the consumer's strand when the group moves partitions (Java's
/// ConsumerRebalanceListener). A callback may call the consumer (seek, position, async_commit,
/// ...); commits it starts are sent before the member rejoins. Empty functions are skipped.
struct rebalance_listener {
    /// Partitions given to this member; their positions are set (committed offsets) already.
    std::function<void(const std::vector<topic_partition>&)> on_assigned;
    /// Partitions taken away in an orderly rebalance: poll no longer returns their records.
    std::function<void(const std::vector<topic_partition>&)> on_revoked;
    /// Partitions lost without a rebalance (session expired, fenced): others may own them now,
    /// committing their offsets would fail.
    std::function<void(const std::vector<topic_partition>&)> on_lost;
};

// ---- Offset lookups, group metadata and the awaitable rebalance listener

/// A partition and a time, for consumer::async_offsets_for_times().
struct partition_timestamp {
    topic_partition partition;      ///< the partition to look in
    std::int64_t timestamp_ms = 0;  ///< milliseconds since the epoch
};

/// One partition's answer to an offset lookup (ListOffsets).
struct listed_offset {
    topic_partition partition;  ///< the partition asked about
    /// The offset found; nullopt from async_offsets_for_times() when no record has a timestamp
    /// at or after the one asked (Java's null). Always set by beginning and end offsets.
    std::optional<std::int64_t> offset;
    /// The found record's timestamp (async_offsets_for_times); -1 otherwise.
    std::int64_t timestamp = -1;
    /// The leader epoch the broker reported (ListOffsets v4+, KIP-320).
    std::optional<std::int32_t> leader_epoch;
    /// Field by field.
    friend bool operator==(const listed_offset&, const listed_offset&) = default;
};

/// A rebalance listener whose callbacks are coroutines: the group waits until each finishes
/// before it goes on, so that an on_revoked can `co_await consumer.async_commit()` or
/// `co_await producer.async_flush()` before the partitions move (Java's
/// ConsumerRebalanceListener, which may block in onPartitionsRevoked).
///
/// Each coroutine runs on the consumer's strand; it may call and co_await any consumer or
/// producer operation, but must not block the thread. With eager assignors on_revoked finishes
/// before JoinGroup is sent; with cooperative ones before the member rejoins to release the
/// partitions; on close before LeaveGroup. on_assigned runs when the new partitions are at their
/// committed offsets, and fetching them starts when it has finished (it may seek). on_lost is
/// started and not waited for: the partitions belong to others already. The callback object is
/// kept until its coroutine ends, so a lambda's captures stay valid. A plain rebalance_listener
/// given to a later subscribe() replaces this one.
///
/// A callback has max.poll.interval.ms (the rebalance timeout) to finish. One that does not
/// is cancelled (terminal cancellation, seen at its next co_await), logged (error level) and
/// reported once by the next poll and by last_error() as client_errc::timed_out; the
/// rebalance goes on without it. An exception it throws is caught, logged and reported the same
/// way as client_errc::internal_error (with its text in the context). Empty ones are skipped.
struct async_rebalance_listener {
    /// A callback: called with the partitions, returns the coroutine the group waits for.
    using callback = std::function<boost::asio::awaitable<void>(std::vector<topic_partition>)>;
    callback on_assigned;  ///< as rebalance_listener::on_assigned
    callback on_revoked;   ///< as rebalance_listener::on_revoked
    callback on_lost;      ///< as rebalance_listener::on_lost
};

/// The consumer's place in its group, for diagnostics.
struct group_membership {
    /// The id the coordinator gave this member (group.protocol=consumer: the id the member
    /// chose, KIP-1082).
    std::string member_id;
    /// The group's generation this member joined (group.protocol=consumer: the member epoch).
    std::int32_t generation = -1;
    /// The assignor the group uses (group.protocol=consumer: group.remote.assignor, empty for
    /// the broker's default).
    std::string protocol;
    /// This member computed the assignment (never with group.protocol=consumer).
    bool leader = false;
    /// Completed joins (group.protocol=consumer: assignments taken).
    std::uint64_t rebalances = 0;
};

/// One assigned partition as the consumer sees it.
struct partition_metrics {
    std::string topic;            ///< the partition's topic
    std::int32_t partition = 0;   ///< and number
    std::int64_t position = -1;            ///< next offset poll returns; -1 unknown
    std::int64_t high_watermark = -1;      ///< from the latest Fetch response; -1 none yet
    std::int64_t last_stable_offset = -1;  ///< likewise
    std::int64_t log_start_offset = -1;    ///< likewise
    /// End offset minus position (the end is the last stable offset with isolation.level=
    /// read_committed, else the high watermark), as lag(); -1 when either is unknown
    /// (Java: records-lag).
    std::int64_t lag = -1;
    bool paused = false;  ///< pause()d by the application
};

/// A snapshot of the consumer's counters.
struct consumer_stats {
    std::uint64_t records = 0;           ///< records handed out by poll
    std::uint64_t bytes = 0;             ///< record batch bytes received
    std::uint64_t fetch_requests = 0;    ///< Fetch requests sent
    std::uint64_t fetch_responses = 0;   ///< Fetch responses received
    /// Fetch requests sent in a broker's fetch session (KIP-227) as incremental requests:
    /// they list only partitions whose offset or limits changed.
    std::uint64_t incremental_fetch_requests = 0;
    /// Fetch sessions the broker dropped (FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH):
    /// the next request to that broker is full again.
    std::uint64_t fetch_session_resets = 0;
    /// ListOffsets requests sent (offset resets, seeks to a time).
    std::uint64_t list_offsets_requests = 0;
    std::uint64_t prefetched_bytes = 0;  ///< fetched bytes waiting for poll now
    /// The most prefetched_bytes has been.
    std::uint64_t prefetched_bytes_peak = 0;
    /// Metadata refreshes the consumer asked for.
    std::uint64_t metadata_refreshes_requested = 0;
    std::uint64_t commits = 0;  ///< OffsetCommit requests sent

    // Metrics (kept when metrics.enabled, the default; empty otherwise).
    /// Microseconds per Fetch request, the broker's wait for fetch.min.bytes included
    /// (Java: fetch-latency-avg/-max).
    histogram fetch_latency_us;
    /// Microseconds per OffsetCommit request answered (Java: commit-latency-avg/-max).
    histogram commit_latency_us;
    /// Milliseconds per rebalance this member went through, from its join (or the new target
    /// assignment, group.protocol=consumer) to the new assignment taken; count is the number of
    /// rebalances (Java: rebalance-latency-avg, rebalance-total).
    histogram rebalance_ms;
    /// Every assigned partition, by topic then partition.
    std::vector<partition_metrics> partitions;
    /// The largest lag of partitions (Java: records-lag-max); 0 when none is known.
    std::int64_t lag_max = 0;
    /// Every broker's connection metrics (kasio/metrics.hpp).
    std::vector<broker_metrics> brokers;
};

/// A Kafka consumer with manual assignment.
///
/// Thread safety: every member may be called from any thread. Handlers run on their associated
/// executor (the consumer's strand when they have none). Only one async_poll may be pending.
/// The synchronous members (position, pause, seek, assignment, ...) take a short lock, never
/// held while poll checks CRCs or decompresses records; a seek or pause made while a poll
/// decodes that partition wins (those records are not returned, the position stays as set).
///
/// Lifetime: the execution context of the executor must outlive the consumer; destroying it
/// stops fetching (a pending poll completes with operation_aborted). The destructor posts the
/// shutdown to the consumer's strand: the context must run once more (or async_close must have
/// completed) for the consumer's internals to be freed.
class consumer {
public:
    /// The type-erased handler async_poll stores.
    using poll_handler = boost::asio::any_completion_handler<void(error_code, fetch_batch)>;
    /// The type-erased handler of the operations that complete with an error_code only.
    using done_handler = boost::asio::any_completion_handler<void(error_code)>;

    /// Throws config_error (code client_errc::invalid_config, its info() naming the property)
    /// when cfg.validate() refuses the configuration.
    consumer(boost::asio::any_io_executor ex, consumer_config cfg);
    /// Stops fetching and frees the consumer on its strand (see the class's lifetime note); a
    /// pending poll completes with operation_aborted. A group member does not leave the group
    /// nor commit: call async_close() first.
    ~consumer();
    consumer(const consumer&) = delete;
    consumer& operator=(const consumer&) = delete;

    /// Replaces the assignment. A partition that stays keeps its position; a new one starts at
    /// auto.offset.reset (no committed offsets without a group yet).
    void assign(std::vector<topic_partition> partitions);
    /// The next record returned for tp is at offset (records already fetched are dropped).
    void seek(const topic_partition& tp, std::int64_t offset);
    /// The next records returned for these partitions are at their log start offsets (looked up
    /// with ListOffsets).
    void seek_to_beginning(std::vector<topic_partition> partitions);
    /// The next records returned for these partitions are the first written after the look-up
    /// (their end offsets, looked up with ListOffsets).
    void seek_to_end(std::vector<topic_partition> partitions);
    /// Pauses fetching and returning records of these partitions (positions are kept).
    void pause(std::vector<topic_partition> partitions);
    /// Fetches and returns records of these partitions again, from their kept positions.
    void resume(std::vector<topic_partition> partitions);
    /// The offset of the next record poll will return for tp; nullopt when not assigned or not
    /// known yet (waiting for a ListOffsets reply).
    std::optional<std::int64_t> position(const topic_partition& tp) const;
    /// The partitions assigned now (by assign() or by the group).
    std::vector<topic_partition> assignment() const;

    /// Seeks each partition to the first offset whose timestamp is >= ts_ms (ListOffsets), or to
    /// the end when there is none. Completes when all are resolved; the first error otherwise.
    ///
    /// @par Handler signature
    /// `void(kasio::error_code)`.
    ///
    /// @par Executor
    /// The handler's associated executor; the consumer's strand for a handler without one.
    ///
    /// @par Cancellation
    /// None: a cancellation signal is ignored; the ListOffsets requests are bounded by
    /// request.timeout.ms.
    template <boost::asio::completion_token_for<void(error_code)> Token = boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_seek_to_timestamp(std::vector<topic_partition> partitions, std::int64_t ts_ms,
                                                    Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code)>(
            [this](auto handler, std::vector<topic_partition> p, std::int64_t ts) {
                start_seek_to_timestamp(std::move(p), ts, done_handler(std::move(handler)));
            },
            token, std::move(partitions), ts_ms);
    }

    /// Completes with the next records (at most max.poll.records), waiting until there are some.
    ///
    /// @par Handler signature
    /// `void(kasio::error_code, kasio::fetch_batch)`. With an error, the batch is empty and
    /// fetch_batch::context() explains the error.
    ///
    /// @par Executor
    /// The handler's associated executor; the consumer's strand for a handler without one.
    ///
    /// @par Thread safety
    /// Any thread; only one async_poll may be pending at a time (a second one completes at once
    /// with asio::error::in_progress).
    ///
    /// @par Errors
    /// - broker_errc::offset_out_of_range: auto.offset.reset=none; the partition stays stopped
    ///   until a seek;
    /// - client_errc::crc_mismatch and other decoding errors: the partition's position stays at
    ///   the bad record;
    /// - client_errc::all_brokers_down: no broker could be reached (once per outage; the
    ///   consumer goes on trying);
    /// - a group error that retrying cannot fix (invalid session timeout, no common assignor,
    ///   fenced instance id, authorization): every poll until the next subscribe();
    /// - asio::error::operation_aborted: after close, or when cancelled.
    ///
    /// A batch with records is returned before an error met after them.
    ///
    /// @par Cancellation
    /// Any type; the poll completes with operation_aborted, no record is lost.
    template <boost::asio::completion_token_for<void(error_code, fetch_batch)> Token = boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_poll(Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code, fetch_batch)>(
            [this](auto handler) { start_poll(poll_handler(std::move(handler))); }, token);
    }

    /// Stops fetching and closes the connections; a pending poll completes with
    /// operation_aborted. A group member first commits (enable.auto.commit), calls on_revoked
    /// and leaves the group (a static member stays, as in Java). Completes when done.
    ///
    /// @par Handler signature
    /// `void(kasio::error_code)`.
    ///
    /// @par Executor
    /// The handler's associated executor; the consumer's strand for a handler without one.
    ///
    /// @par Cancellation
    /// Any type. The close completes at once with operation_aborted and goes on
    /// in the background (the commit, LeaveGroup and closing the connections).
    template <boost::asio::completion_token_for<void(error_code)> Token = boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_close(Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code)>(
            [this](auto handler) { start_close(done_handler(std::move(handler))); }, token);
    }

    /// Joins the group (group.id) for these topics, replacing any earlier subscription. Do not
    /// mix with assign(). The listener's callbacks run on the consumer's strand.
    void subscribe(std::vector<std::string> topics, rebalance_listener listener = {});
    /// As subscribe(), for every topic whose whole name matches the regular expression; topics
    /// created later join the subscription. group.protocol=classic: an ECMAScript expression
    /// the consumer evaluates over the metadata (as Java's subscribe(Pattern)); a new topic
    /// joins at the next metadata refresh; client_errc::invalid_config for a bad expression.
    /// group.protocol=consumer: an RE2/J expression the broker evaluates (KIP-848, as Java's
    /// subscribe(SubscriptionPattern)); a bad one fails poll with
    /// broker_errc::invalid_regular_expression.
    error_code subscribe_pattern(std::string_view pattern, rebalance_listener listener = {});
    /// Leaves the group (committing first when enable.auto.commit) and drops the assignment.
    void unsubscribe();
    /// The group membership; nullopt when not a member now.
    std::optional<group_membership> membership() const;

    /// Commits the position of every assigned partition (the offsets after the records poll
    /// has returned), or `offsets` when given. Completes when the coordinator answered: the
    /// first partition error, broker_errc::rebalance_in_progress / illegal_generation /
    /// unknown_member_id when the group moved on (Java's CommitFailedException), or
    /// client_errc::invalid_config without a group.id. Retriable coordinator errors are retried
    /// up to request.timeout.ms.
    ///
    /// @par Handler signature
    /// `void(kasio::error_code)`.
    ///
    /// @par Executor
    /// The handler's associated executor; the consumer's strand for a handler without one.
    ///
    /// @par Thread safety
    /// Any thread, also from a rebalance_listener callback (the commit is then sent before
    /// the member rejoins).
    ///
    /// @par Cancellation
    /// Any type. The commit completes at once with operation_aborted; an
    /// OffsetCommit already sent may still be applied by the coordinator.
    template <boost::asio::completion_token_for<void(error_code)> Token = boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_commit(Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code)>(
            [this](auto handler) { start_commit(std::nullopt, done_handler(std::move(handler))); }, token);
    }
    /// As async_commit(token), committing `offsets` (each the offset of the next record to
    /// consume) instead of the positions.
    template <boost::asio::completion_token_for<void(error_code)> Token = boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_commit(std::vector<partition_offset> offsets, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code)>(
            [this](auto handler, std::vector<partition_offset> o) {
                start_commit(std::move(o), done_handler(std::move(handler)));
            },
            token, std::move(offsets));
    }

    /// The type-erased handler async_committed stores.
    using committed_handler = boost::asio::any_completion_handler<void(error_code, std::vector<partition_offset>)>;
    /// The committed offsets of these partitions (offset -1 where none is), in the same order.
    /// Errors as async_commit's (retriable coordinator errors are retried up to
    /// request.timeout.ms).
    ///
    /// @par Handler signature
    /// `void(kasio::error_code, std::vector<kasio::partition_offset>)`.
    ///
    /// @par Executor
    /// The handler's associated executor; the consumer's strand for a handler without one.
    ///
    /// @par Cancellation
    /// Any type; completes at once with operation_aborted and no offsets.
    template <boost::asio::completion_token_for<void(error_code, std::vector<partition_offset>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_committed(std::vector<topic_partition> partitions, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code, std::vector<partition_offset>)>(
            [this](auto handler, std::vector<topic_partition> p) {
                start_committed(std::move(p), committed_handler(std::move(handler)));
            },
            token, std::move(partitions));
    }

    // ---- Cluster metadata, offset lookups, lag, group metadata, timed poll, awaitable listener

    /// The type-erased handler of async_metadata().
    using metadata_handler = boost::asio::any_completion_handler<void(error_code, cluster_metadata)>;
    /// The type-erased handler of the offset lookups.
    using offsets_handler = boost::asio::any_completion_handler<void(error_code, std::vector<listed_offset>)>;

    /// Asks the cluster for its brokers, controller and cluster id and, for `topics` (every topic
    /// when empty: Java's listTopics), their partitions with leader, replicas and in-sync
    /// replicas (Java's partitionsFor, librdkafka's rd_kafka_metadata). One Metadata request of
    /// its own, to the brokers known then the bootstrap servers in turn until one answers; it
    /// creates no topic and does not change which topics the consumer keeps metadata for.
    ///
    /// Handler: void(error_code, cluster_metadata), on the handler's associated executor (the
    /// consumer's strand when it has none). Thread safety: any thread.
    ///
    /// Errors: the last broker's error when none answered. A topic's own error (e.g.
    /// broker_errc::unknown_topic_or_partition) is in its topic_description::error, not the operation's.
    ///
    /// Cancellation: any type; completes at once with operation_aborted and an empty value.
    template <boost::asio::completion_token_for<void(error_code, cluster_metadata)> Token = boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_metadata(std::vector<std::string> topics, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code, cluster_metadata)>(
            [this](auto handler, std::vector<std::string> t) {
                start_metadata(std::move(t), metadata_handler(std::move(handler)));
            },
            token, std::move(topics));
    }

    /// The first offset of each partition (the log start offset: Java's beginningOffsets, the
    /// low watermark of librdkafka's query_watermark_offsets), in the order asked, from a
    /// ListOffsets to each partition's leader. The partitions need not be assigned.
    ///
    /// Handler: void(error_code, std::vector<listed_offset>), on the handler's associated
    /// executor (the consumer's strand when it has none). Thread safety: any thread.
    ///
    /// Errors (then no offsets; error_context via last_error()): broker_errc::
    /// unknown_topic_or_partition for a topic the cluster does not have or a partition past its
    /// count (at once); a partition's error that retrying cannot fix; client_errc::timed_out when
    /// retriable ones (no leader, not_leader_or_follower, ...) last request.timeout.ms; the last
    /// broker's error when no broker answers for metadata.
    ///
    /// Cancellation: any type; completes at once with operation_aborted; requests already sent
    /// are answered and dropped.
    template <boost::asio::completion_token_for<void(error_code, std::vector<listed_offset>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_beginning_offsets(std::vector<topic_partition> partitions, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code, std::vector<listed_offset>)>(
            [this](auto handler, std::vector<topic_partition> p) {
                start_list_offsets(with_timestamp(std::move(p), -2), false, offsets_handler(std::move(handler)));
            },
            token, std::move(partitions));
    }

    /// The end offset of each partition: the high watermark, or with isolation.level=
    /// read_committed the last stable offset (Java's endOffsets, librdkafka's high watermark).
    /// As async_beginning_offsets otherwise.
    template <boost::asio::completion_token_for<void(error_code, std::vector<listed_offset>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_end_offsets(std::vector<topic_partition> partitions, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code, std::vector<listed_offset>)>(
            [this](auto handler, std::vector<topic_partition> p) {
                start_list_offsets(with_timestamp(std::move(p), -1), false, offsets_handler(std::move(handler)));
            },
            token, std::move(partitions));
    }

    /// For each partition, the earliest offset whose record timestamp is at or after the time
    /// asked (Java's offsetsForTimes), in the order asked; listed_offset::offset is nullopt when
    /// there is none (a time beyond the last record). Times must be >= 0
    /// (client_errc::invalid_value otherwise, at once). As async_beginning_offsets otherwise.
    template <boost::asio::completion_token_for<void(error_code, std::vector<listed_offset>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_offsets_for_times(std::vector<partition_timestamp> query, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code, std::vector<listed_offset>)>(
            [this](auto handler, std::vector<partition_timestamp> q) {
                start_list_offsets(std::move(q), true, offsets_handler(std::move(handler)));
            },
            token, std::move(query));
    }

    /// How far the consumer is behind in an assigned partition (Java's currentLag): the end
    /// offset of the latest Fetch response for it (the high watermark; the last stable offset
    /// with read_committed) minus the position. nullopt when the partition is not assigned, its
    /// position is not known yet, or no Fetch response for it has arrived since it was assigned.
    /// Thread safety: any thread (a short lock).
    std::optional<std::int64_t> lag(const topic_partition& tp) const;

    /// The group metadata a transactional producer sends with this consumer's offsets (Java's
    /// groupMetadata()): group.id, group.instance.id, and the generation and member id of the
    /// current membership (-1 and empty while not a member, e.g. during a rebalance).
    /// Thread safety: any thread.
    consumer_group_metadata group_metadata() const;

    /// As async_poll(), but completes with an empty batch and no error when no record arrives
    /// within `timeout` (Java's poll(Duration)). Records that arrive after the timeout stay
    /// buffered for the next poll: none is lost. Errors as async_poll's; a zero timeout returns
    /// what is buffered now.
    ///
    /// Handler: void(error_code, fetch_batch), on the handler's associated executor (the
    /// consumer's strand when it has none). Cancellation: any type, as async_poll.
    template <boost::asio::completion_token_for<void(error_code, fetch_batch)> Token = boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_poll(std::chrono::milliseconds timeout, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code, fetch_batch)>(
            [this](auto handler, std::chrono::milliseconds t) { start_poll_for(t, poll_handler(std::move(handler))); },
            token, timeout);
    }

    /// As subscribe(topics, rebalance_listener), with callbacks the group waits for (see
    /// async_rebalance_listener).
    void subscribe(std::vector<std::string> topics, async_rebalance_listener listener);

    // ---- Counters and errors

    /// A snapshot of the consumer's counters. Thread safety: any thread.
    consumer_stats stats() const;
    /// The statistics the statistics callback gets (statistics.interval.ms), now, as JSON;
    /// docs/observability.md has the schema. Thread safety: any thread.
    std::string statistics_json() const;

    /// The last error an operation of this consumer completed with (poll, commit, committed),
    /// with its context (the broker's message, the broker, the request, the partition, the
    /// property at fault); empty before any. Thread safety: any thread.
    error_info last_error() const;

private:
    friend struct detail::consumer_access;
    struct impl;  // src/consumer/consumer_impl.hpp

    void start_commit(std::optional<std::vector<partition_offset>> offsets, done_handler handler);
    void start_committed(std::vector<topic_partition> partitions, committed_handler handler);
    void start_poll(poll_handler handler);
    void start_close(done_handler handler);
    void start_seek_to_timestamp(std::vector<topic_partition> partitions, std::int64_t ts, done_handler handler);
    void start_metadata(std::vector<std::string> topics, metadata_handler handler);
    void start_list_offsets(std::vector<partition_timestamp> query, bool by_time, offsets_handler handler);
    void start_poll_for(std::chrono::milliseconds timeout, poll_handler handler);
    static std::vector<partition_timestamp> with_timestamp(std::vector<topic_partition> partitions, std::int64_t ts) {
        std::vector<partition_timestamp> q;
        q.reserve(partitions.size());
        for (auto& tp : partitions) q.push_back(partition_timestamp{std::move(tp), ts});
        return q;
    }

    std::shared_ptr<impl> impl_;
};

}  // namespace kasio


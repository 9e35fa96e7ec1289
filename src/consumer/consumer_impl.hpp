#pragma once
// The consumer's shared state: the pool, the metadata refresher, the fetch planner, fetched data
// waiting for poll, the pending poll. consumer.cpp holds the public operations and poll;
// fetcher.cpp the per-broker fetch loops and ListOffsets.
//
// Threads: public calls from any thread take `mutex` to change the planner, then post a kick to
// the pool strand, where every coroutine and every completion runs. The coroutines take `mutex`
// too while they read or change the planner or the buffered data (per request or per buffered
// response, never per record). Only the strand adds to or takes from `buffered`; poll takes a
// response out under the mutex and checks CRCs and decompresses it without the mutex (a batch
// may hold 64 MiB), then commits the position only if the partition's generation and position
// are still those it started from.
#include "consumer/consumer_access.hpp"
#include "net/completion.hpp"
#include "cluster/metadata_refresher.hpp"
#include "consumer/fetch_planner.hpp"
#include "consumer/fetch_session.hpp"
#include "consumer/group/group_state.hpp"
#include "consumer/partition_reader.hpp"
#include "metrics/atomic_histogram.hpp"
#include "net/broker_pool.hpp"
#include "net/statistics.hpp"

#include <kasio/consumer.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace kasio {

namespace asio = boost::asio;

namespace consumer_detail {

}  // namespace consumer_detail


/// Fetched data of one partition, waiting for poll.
struct completed_fetch {
    topic_partition tp;
    std::shared_ptr<const std::string> topic_name;  // records view it; batches share it
    std::uint64_t generation = 0;
    std::size_t bytes = 0;
    consumer_detail::partition_reader reader;
};

struct consumer::impl : std::enable_shared_from_this<impl> {
    impl(asio::any_io_executor ex, consumer_config c);

    struct fetcher_state {
        std::unique_ptr<asio::steady_timer> wake;
        consumer_detail::fetch_session session;
        std::size_t reserved = 0;  // max_bytes of its Fetch in flight: room kept in the prefetch bound
        // Asleep because the prefetch bound had no room (others' reservations filled it): woken
        // when a reservation is given back, since no kick may follow (an empty response).
        bool waiting_for_room = false;
    };
    // In std::list: any_completion_handler's converting constructor makes a vector of these
    // copy on growth (wrapping a handler in itself) when the move is not noexcept.
    struct offsets_waiter {
        std::vector<topic_partition> partitions;
        std::vector<std::uint64_t> generations;
        done_handler handler;
        error_code error;
    };

    consumer_config cfg;
    net::broker_pool pool;
    cluster::metadata_refresher refresher;
    asio::any_io_executor strand;  // the pool strand
    consumer_detail::group_state group;  // strand only, see group_state.hpp

    mutable std::mutex mutex;  // guards the members below
    consumer_detail::fetch_planner planner;
    std::deque<completed_fetch> buffered;
    std::optional<poll_handler> poll_waiter;
    std::list<offsets_waiter> offsets_waiters;
    bool closed = false;
    error_info last_error;                 // what last_error() returns
    std::uint64_t outages_reported = 0;    // all-brokers-down outages a poll has reported

    std::unordered_map<std::string, std::shared_ptr<const std::string>> topic_names;  // interned

    // Strand only.
    std::map<std::int32_t, fetcher_state> fetchers;
    bool metadata_wait = false;  // an async_refresh that kicks the fetchers is pending
    std::uint64_t metadata_version_seen = 0;  // the metadata cache version kick() last acted on

    std::atomic<std::uint64_t> records{0}, bytes{0}, fetch_requests{0}, fetch_responses{0}, list_offsets_requests{0},
        prefetched{0}, prefetched_peak{0}, refreshes{0}, commits{0}, incremental_fetch_requests{0},
        fetch_session_resets{0};

    // Metrics (metrics.enabled); hooks null when off or none.
    client_hooks* const hooks;
    const bool metrics_on;
    metrics::atomic_histogram fetch_latency_us, commit_latency_us, rebalance_ms;
    /// A rebalance that started at `started` has ended with this member's new assignment taken.
    void rebalance_done(std::chrono::steady_clock::time_point started) noexcept;
    /// Calls on_fetch_received for what a Fetch response handed to the prefetch buffer (strand,
    /// no mutex held).
    void fetch_received(const std::vector<fetch_event>& events);

    // Statistics (statistics.interval.ms): the client's name in them, when it was made.
    const std::string stats_name;
    const std::chrono::steady_clock::time_point created;
    net::statistics_timer statistics;  // strand
    void start_statistics();
    consumer_stats stats() const;
    std::string statistics_json(const consumer_stats& s, std::optional<group_membership> membership) const;

    std::size_t prefetch_limit() const noexcept { return cfg.queued_max_kbytes * 1024; }

    /// Posts kick() to the strand (any thread).
    void post_kick();
    /// Starts fetch loops for leaders of partitions that need one and wakes them all (strand).
    void kick();
    /// Asks for a metadata refresh and kicks when it lands (strand).
    void refresh_metadata();
    /// Completes the pending poll if there is data or an error for it (strand, mutex not held).
    void try_complete_poll();
    /// Records an error an operation completes with, for last_error() (mutex not held).
    void note_error(const error_code& ec, const error_context& context = {});
    /// A group error no retry can fix: logs it, stops the membership and fails the poll with it
    /// (and every later poll, until the application subscribes again). Strand.
    void fail_group(const error_code& ec, error_context context);
    /// Completes seek_to_timestamp waiters whose partitions are resolved (mutex held).
    void check_offsets_waiters(std::list<std::pair<done_handler, error_code>>& done);
    void start_fetcher(std::int32_t node);
    static asio::awaitable<void> fetch_loop(std::shared_ptr<impl> self, std::int32_t node);
    void close_all();

    // ---- consumer groups (group_member.cpp, group_offsets.cpp); strand only.
    /// Starts the membership loop unless it runs.
    void start_group_loop();
    static asio::awaitable<void> group_loop(std::shared_ptr<impl> self);
    /// Commits (enable.auto.commit), revokes everything and sends LeaveGroup; used by
    /// unsubscribe and close.
    static asio::awaitable<void> leave_group(std::shared_ptr<impl> self);
    /// FindCoordinator for group.id: sets group.coordinator.
    static asio::awaitable<error_code> find_coordinator(std::shared_ptr<impl> self);
    static asio::awaitable<error_code> commit_offsets(std::shared_ptr<impl> self, std::vector<partition_offset> offsets);
    static asio::awaitable<std::pair<error_code, std::vector<partition_offset>>> fetch_committed(
        std::shared_ptr<impl> self, std::vector<topic_partition> partitions);
    /// The positions of these partitions (all assigned ones when null) as offsets to commit.
    std::vector<partition_offset> positions_to_commit(const std::vector<topic_partition>* only);
    /// Calls a listener callback (no mutex held).
    void notify(const std::function<void(const std::vector<topic_partition>&)>& cb,
                const std::vector<topic_partition>& parts);

    // ---- Offset lookups, timed poll and the awaitable rebalance listener (offset_lookup.cpp,
    // consumer.cpp, group/async_listener.cpp).
    /// The timed poll's timer (strand only). A timed poll is told apart from a later one by
    /// poll_seq, so that a timer firing late never completes another poll; every path that
    /// completes the pending poll cancels it, so that it holds no work on the context.
    asio::steady_timer poll_timer{strand};
    std::uint64_t poll_seq = 0;  // under mutex: counts polls made pending
    /// Said once by the next poll with no records (under mutex): a rebalance listener that
    /// threw or did not finish, or (group.protocol=consumer) a coordinator that has not
    /// answered for request.timeout.ms.
    error_info listener_error;
    /// The coroutine listener of subscribe(topics, async_rebalance_listener) (strand only).
    async_rebalance_listener async_listener;
    /// Cancels the timed poll's timer once the pending poll is completed (strand).
    void poll_done() { poll_timer.cancel(); }
    /// Runs one coroutine callback of async_listener and waits for it, at most
    /// max.poll.interval.ms; a timeout or an exception is logged and kept in listener_error.
    static asio::awaitable<void> run_async_listener(std::shared_ptr<impl> self, async_rebalance_listener::callback cb,
                                                    const char* name, std::vector<topic_partition> parts);
    /// ListOffsets for each query entry at its partition's leader, retrying what is retriable
    /// up to request.timeout.ms; `where` explains a failure.
    static asio::awaitable<std::pair<error_code, std::vector<listed_offset>>> lookup_offsets(
        std::shared_ptr<impl> self, std::vector<partition_timestamp> query, bool by_time, error_context& where);
};

}  // namespace kasio

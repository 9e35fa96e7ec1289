#pragma once
// A consumer's membership in its group: what the membership loops (group_member.cpp for the
// classic protocol, consumer_member.cpp for KIP-848's) and the offset requests
// (group_offsets.cpp) share.
//
// runs on: pool strand (every member), except `last_poll` (atomic, written by poll) and `error`
// (under the consumer's mutex, read by poll).
#include "consumer/group/assignor.hpp"
#include "protocol/primitives.hpp"

#include <kasio/consumer.hpp>

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace kasio::consumer_detail {

/// The coordinator moved or cannot be reached: look it up again (FindCoordinator).
bool coordinator_lost(const error_code& ec) noexcept;

struct group_state {
    explicit group_state(const boost::asio::any_io_executor& strand) : wake(strand) {}

    // What the application asked for.
    bool subscribed = false;
    std::vector<std::string> topics;    ///< explicit topic list (sorted, unique)
    std::optional<std::regex> pattern;  ///< or a regex over every topic in the cluster (classic)
    /// or (group.protocol=consumer) a regex the broker evaluates (RE2/J syntax)
    std::optional<std::string> broker_pattern;
    rebalance_listener listener;
    std::vector<std::unique_ptr<assignor>> assignors;  ///< in order of preference
    bool cooperative = false;                          ///< every assignor is cooperative

    // Where the group stands.
    std::int32_t coordinator = -1;  ///< node id; -1 unknown
    std::string member_id;
    std::int32_t generation = -1;  ///< classic: the generation; consumer protocol: the member epoch
    std::uint64_t incarnation = 0;  ///< counts memberships lost or left: stale work drops its result
    std::string protocol;  ///< the assignor chosen at the last join
    bool leader = false;
    bool stable = false;        ///< joined and synced; heartbeating
    bool rejoin_needed = true;
    bool loop_running = false;
    std::uint64_t rebalances = 0;
    std::vector<topic_partition> owned;        ///< the group's assignment to this member (sorted)
    std::vector<std::string> joined_topics;    ///< the subscription sent in the last JoinGroup
    topic_partition_counts assigned_counts;    ///< leader: partition counts it assigned from
    std::uint64_t metadata_version_seen = 0;   ///< cache version last checked for changes

    // KIP-848 (group.protocol=consumer).
    struct assigned_topic {
        protocol::uuid topic_id;
        std::vector<std::int32_t> partitions;
    };
    /// The newest assignment the coordinator sent that is not reconciled yet.
    std::optional<std::vector<assigned_topic>> target;
    std::uint64_t target_seq = 0;  ///< counts assignments received
    bool reconciling = false;      ///< a reconciliation runs (its own coroutine)
    bool reconciled = false;       ///< an assignment was taken since the member joined
    /// The next heartbeat carries every field (joining, after an error); otherwise only what
    /// changed since the coordinator last answered, as Java's: a full request makes the
    /// coordinator send the whole assignment back every time.
    bool send_full = true;
    std::string subscription_sent;                  ///< the subscription the coordinator has
    std::vector<topic_partition> owned_reported;    ///< what the coordinator knows this member owns
    std::chrono::steady_clock::time_point failing_since{};  ///< heartbeats fail since; {} when answered
    bool unreachable_reported = false;  ///< poll was told the coordinator does not answer
    std::chrono::milliseconds heartbeat_interval{3000};  ///< the coordinator's
    std::chrono::steady_clock::time_point next_reconcile{};  ///< after a failed reconciliation

    boost::asio::steady_timer wake;  ///< the loop's sleep; cancelled to wake it
    std::chrono::steady_clock::time_point next_heartbeat{};
    std::chrono::steady_clock::time_point next_auto_commit{};

    std::atomic<std::int64_t> last_poll_ns{0};  ///< steady clock of the last poll (any thread)
    // Under the consumer's mutex.
    error_info error;                          ///< fatal group error: every poll reports it
    std::optional<group_membership> snapshot;  ///< what membership() returns
};

}  // namespace kasio::consumer_detail

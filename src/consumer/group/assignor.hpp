#pragma once
// Partition assignors of the classic consumer group protocol, sans-io.
//
// The group leader runs one of these over every member's subscription and sends each member its
// share in SyncGroup. Names and results follow the Java client's RangeAssignor,
// RoundRobinAssignor and CooperativeStickyAssignor, so that kasio and Java/librdkafka members can
// share a group (the broker picks the first assignor every member lists).
//
// runs on: any thread; pure functions of their inputs, deterministic for equal inputs.
#include <kasio/consumer.hpp>
#include <kasio/error.hpp>
#include <kasio/record.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kasio::consumer_detail {

/// What one member told the group in JoinGroup (ConsumerProtocolSubscription).
struct member_subscription {
    std::string member_id;
    std::optional<std::string> group_instance_id;  ///< static membership (KIP-345)
    std::vector<std::string> topics;               ///< sorted, unique
    std::vector<topic_partition> owned_partitions;  ///< v1+: what it owns now (cooperative)
    std::int32_t generation = -1;                  ///< v2+: generation of owned_partitions
    std::optional<std::string> rack_id;            ///< v3+
    std::string user_data;
};

/// member id -> partitions, each list sorted by (topic, partition).
using group_assignment = std::map<std::string, std::vector<topic_partition>>;

/// topic -> partition count, for every topic some member subscribes to and the cluster has.
using topic_partition_counts = std::map<std::string, std::int32_t>;

class assignor {
public:
    virtual ~assignor() = default;
    /// The protocol name in JoinGroup: "range", "roundrobin", "cooperative-sticky".
    virtual std::string_view name() const noexcept = 0;
    /// Cooperative (incremental) rebalancing: members keep what they own across a rebalance and
    /// give up only what moves (KIP-429). Eager otherwise: everything is revoked before joining.
    virtual bool cooperative() const noexcept = 0;
    /// Every member appears in the result, possibly with an empty list. A cooperative assignor
    /// never gives a member a partition that another member still owns (it is left out, the
    /// owner revokes it and rejoins, and a follow-up rebalance assigns it).
    virtual group_assignment assign(const topic_partition_counts& partitions,
                                    const std::vector<member_subscription>& members) const = 0;
};

/// The assignor named by a `partition.assignment.strategy` entry (Java class names
/// org.apache.kafka.clients.consumer.RangeAssignor etc. accepted too); nullptr when unknown.
std::unique_ptr<assignor> make_assignor(std::string_view name);

/// ConsumerProtocolSubscription / ConsumerProtocolAssignment (the JoinGroup metadata and the
/// SyncGroup assignment bytes), encoded with the generated code for their schemas.
std::string encode_subscription(const member_subscription& s, std::int16_t version);
/// member_id / group_instance_id are not in the bytes: the caller fills them.
/// The decoder's error (client_errc::truncated, invalid_length, ...) for bytes that do not parse.
error_code decode_subscription(bytes_view bytes, member_subscription& out);
std::string encode_assignment(const std::vector<topic_partition>& partitions, std::int16_t version);
error_code decode_assignment(bytes_view bytes, std::vector<topic_partition>& out);

}  // namespace kasio::consumer_detail

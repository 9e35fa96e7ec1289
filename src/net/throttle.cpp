#include "net/throttle.hpp"

#include "protocol/messages.hpp"
#include "protocol/reader.hpp"

namespace kasio::net {
namespace {

// Where throttle_time_ms sits in each response kasio speaks and from which version the client
// must wait (KIP-219 bumped every API for this in Kafka 2.0; APIs added later wait from v0: Java
// 4.4's AbstractResponse.shouldClientThrottle is true wherever the schema has the field). In
// every API but Produce, ApiVersions and OffsetDelete it is the first field of the body whenever
// present.
struct throttle_rule {
    std::int16_t api_key;
    std::int16_t client_waits_from;  // the first version the client must honour it
    bool first_field;                // else the whole (small) response is decoded
};

constexpr throttle_rule rules[] = {
    {0, 6, false},   // Produce: after the responses array
    {1, 8, true},    // Fetch
    {2, 3, true},    // ListOffsets
    {3, 6, true},    // Metadata
    {8, 4, true},    // OffsetCommit
    {9, 4, true},    // OffsetFetch
    {10, 2, true},   // FindCoordinator
    {11, 3, true},   // JoinGroup
    {12, 2, true},   // Heartbeat
    {13, 2, true},   // LeaveGroup
    {14, 2, true},   // SyncGroup
    {18, 2, false},  // ApiVersions: after the api_keys array
    {15, 2, true},   // DescribeGroups
    {16, 2, true},   // ListGroups
    {19, 3, true},   // CreateTopics
    {20, 2, true},   // DeleteTopics
    {21, 1, true},   // DeleteRecords
    {22, 1, true},   // InitProducerId
    {24, 1, true},   // AddPartitionsToTxn
    {25, 1, true},   // AddOffsetsToTxn
    {26, 1, true},   // EndTxn
    {28, 1, true},   // TxnOffsetCommit
    {29, 1, true},   // DescribeAcls
    {30, 1, true},   // CreateAcls
    {31, 1, true},   // DeleteAcls
    {32, 2, true},   // DescribeConfigs
    {35, 1, true},   // DescribeLogDirs
    {37, 1, true},   // CreatePartitions
    {42, 1, true},   // DeleteGroups
    {43, 0, true},   // ElectLeaders
    {44, 0, true},   // IncrementalAlterConfigs
    {45, 0, true},   // AlterPartitionReassignments
    {46, 0, true},   // ListPartitionReassignments
    {47, 0, false},  // OffsetDelete: after the error code
    {50, 0, true},   // DescribeUserScramCredentials
    {51, 0, true},   // AlterUserScramCredentials
    {60, 0, true},   // DescribeCluster
    {61, 0, true},   // DescribeProducers
    {65, 0, true},   // DescribeTransactions
    {66, 0, true},   // ListTransactions
    {68, 0, true},   // ConsumerGroupHeartbeat
    {69, 0, true},   // ConsumerGroupDescribe
};

template <class Response>
std::int32_t decoded_throttle(const response_frame& frame) {
    Response r;
    if (decode_response(frame, r)) return 0;
    return r.throttle_time_ms;
}

}  // namespace

std::int32_t client_throttle_ms(const response_frame& frame) {
    for (const throttle_rule& rule : rules) {
        if (rule.api_key != frame.api_key) continue;
        if (frame.api_version < rule.client_waits_from) return 0;
        std::int32_t ms = 0;
        if (rule.first_field) {
            protocol::reader r(frame.body());
            ms = r.read_int32();
            if (!r.ok()) return 0;
        } else if (frame.api_key == protocol::msg::produce_response::api_key) {
            ms = decoded_throttle<protocol::msg::produce_response>(frame);
        } else if (frame.api_key == protocol::msg::offset_delete_response::api_key) {
            ms = decoded_throttle<protocol::msg::offset_delete_response>(frame);
        } else {
            ms = decoded_throttle<protocol::msg::api_versions_response>(frame);
        }
        return ms > 0 ? ms : 0;
    }
    return 0;
}

}  // namespace kasio::net

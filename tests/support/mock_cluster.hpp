// A librdkafka 2.14 mock cluster for kasio's integration tests, benchmarks and demos.
// Test code only: the kasio library never links librdkafka.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kasio::test {

/// One entry of a broker's error stack: the error the next matching request gets, and how long
/// the broker waits before answering it.
struct error_rtt {
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    int rtt_ms = 0;
};

/// One member's partitions in a consumer-protocol group's target assignment (KIP-848).
struct member_target {
    std::string member_id;
    std::vector<std::pair<std::string, int32_t>> partitions;  ///< (topic, partition)
};

/// A request the cluster saw while request tracking was on.
struct tracked_request {
    int32_t broker_id = 0;
    int16_t api_key = 0;
    int64_t timestamp_us = 0;
};

/// Owns an rd_kafka_t (producer type, used only to own the mock) and an
/// rd_kafka_mock_cluster_t with brokers 1..N listening on 127.0.0.1.
///
/// Thread safety: every method may be called from any thread; librdkafka runs the cluster on
/// its own thread and serialises the commands. Methods return librdkafka's error code
/// (RD_KAFKA_RESP_ERR_NO_ERROR on success; RD_KAFKA_RESP_ERR__UNKNOWN_BROKER and friends on bad
/// arguments). The constructor throws std::runtime_error if the cluster cannot be created.
/// Lifetime: clients using bootstrap() must be destroyed before the cluster.
class mock_cluster {
public:
    explicit mock_cluster(int brokers = 3);
    ~mock_cluster();
    mock_cluster(const mock_cluster&) = delete;
    mock_cluster& operator=(const mock_cluster&) = delete;

    /// "host:port,host:port,...", the real listeners (unaffected by set_advertised_listener).
    [[nodiscard]] const std::string& bootstrap() const noexcept { return bootstrap_; }
    [[nodiscard]] int broker_count() const noexcept { return brokers_; }
    [[nodiscard]] rd_kafka_mock_cluster_t* native() const noexcept { return cluster_; }

    // Topics and partitions.
    rd_kafka_resp_err_t create_topic(std::string_view name, int partitions, int replication = 1);
    /// Every following request naming the topic fails with err (NO_ERROR clears it).
    void set_topic_error(std::string_view topic, rd_kafka_resp_err_t err);
    rd_kafka_resp_err_t set_leader(std::string_view topic, int32_t partition, int32_t broker);
    /// Fetches go to this follower (KIP-392) when the client sets client.rack.
    rd_kafka_resp_err_t set_follower(std::string_view topic, int32_t partition, int32_t broker);
    rd_kafka_resp_err_t set_follower_watermarks(std::string_view topic, int32_t partition,
                                                int64_t low, int64_t high);
    /// The next Metadata responses for the partition report this leader and epoch, once each.
    rd_kafka_resp_err_t push_leader_response(std::string_view topic, int32_t partition,
                                             int32_t leader, int32_t leader_epoch);

    // Brokers.
    /// Closes the broker's connections and refuses new ones; leadership does not move.
    rd_kafka_resp_err_t broker_down(int32_t broker);
    rd_kafka_resp_err_t broker_up(int32_t broker);
    rd_kafka_resp_err_t set_rtt(int32_t broker, int rtt_ms);
    rd_kafka_resp_err_t set_rack(int32_t broker, std::string_view rack);
    /// Metadata advertises host:port for the broker; its listener stays where it is (used to
    /// put a proxy in front of a broker).
    void set_advertised_listener(int32_t broker, std::string_view host, int port);
    rd_kafka_resp_err_t set_coordinator(std::string_view key_type, std::string_view key,
                                        int32_t broker);  // key_type: "group" or "transaction"
    rd_kafka_resp_err_t decommission_broker(int32_t broker);
    rd_kafka_resp_err_t add_broker(int32_t broker);

    // Error injection.
    /// The next requests of api_key, on any broker, fail with errors in order.
    void push_request_errors(int16_t api_key, std::span<const rd_kafka_resp_err_t> errors);
    void push_request_errors(int16_t api_key, std::initializer_list<rd_kafka_resp_err_t> errors) {
        push_request_errors(api_key, std::span{errors.begin(), errors.size()});
    }
    void clear_request_errors(int16_t api_key);
    /// The next requests of api_key to this broker get these errors and delays, in order.
    /// Entries are pushed one by one: a request arriving meanwhile may take an early entry.
    rd_kafka_resp_err_t broker_push_request_error_rtts(int32_t broker, int16_t api_key,
                                                       std::span<const error_rtt> entries);
    rd_kafka_resp_err_t broker_push_request_error_rtts(int32_t broker, int16_t api_key,
                                                       std::initializer_list<error_rtt> entries) {
        return broker_push_request_error_rtts(broker, api_key,
                                              std::span{entries.begin(), entries.size()});
    }
    /// Entries left on the broker's stack for api_key, or -1 for an unknown broker.
    [[nodiscard]] long broker_error_stack_count(int32_t broker, int16_t api_key) const;

    // Protocol versions and groups.
    /// What ApiVersions advertises for api_key (max -1: not advertised).
    rd_kafka_resp_err_t set_apiversion(int16_t api_key, int16_t min_version, int16_t max_version);
    void set_group_initial_rebalance_delay(int32_t delay_ms);
    /// librdkafka 2.14's mock advertises the flexible versions of the group membership APIs but
    /// parses their arrays with the pre-flexible layout (and LeaveGroup v3+ as v0-2), closing
    /// the connection; librdkafka itself never sends them. Offers only what it reads correctly:
    /// JoinGroup 0-5, SyncGroup 0-3, Heartbeat 0-3, LeaveGroup 0-1 (what librdkafka uses).
    rd_kafka_resp_err_t offer_parsable_group_versions();
    // KIP-848 consumer groups (ConsumerGroupHeartbeat v1, the only version the mock serves).
    /// group.consumer.heartbeat.interval.ms: the interval heartbeat responses tell members
    /// (default 3000); a group takes it at its members' next heartbeat.
    void set_group_consumer_heartbeat_interval(int interval_ms);
    /// group.consumer.session.timeout.ms: a member that sent no heartbeat for this long is
    /// removed from its group (default 30000; checked once a second).
    void set_group_consumer_session_timeout(int timeout_ms);
    /// Replaces the target assignment of a consumer-protocol group the cluster has seen (no-op
    /// otherwise): members not listed get nothing, and the group stops computing its own range
    /// assignment (a member that rejoins gets none) until reset_consumer_target_assignment().
    void set_consumer_target_assignment(std::string_view group, std::span<const member_target> members);
    /// The group computes its range assignment again.
    void reset_consumer_target_assignment(std::string_view group);
    /// KIP-714: metrics the brokers ask clients to push, and how often.
    rd_kafka_resp_err_t set_telemetry(std::span<const std::string> metrics,
                                      int64_t push_interval_ms);

    // Request tracking.
    void start_request_tracking();
    void stop_request_tracking();
    [[nodiscard]] std::vector<tracked_request> requests() const;
    void clear_requests();

private:
    int brokers_;
    rd_kafka_t* rk_ = nullptr;
    rd_kafka_mock_cluster_t* cluster_ = nullptr;
    std::string bootstrap_;
};

}  // namespace kasio::test

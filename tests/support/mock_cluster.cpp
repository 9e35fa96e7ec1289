#include "mock_cluster.hpp"

#include <stdexcept>

namespace kasio::test {

namespace {

// librdkafka wants NUL-terminated strings; string_view arguments are copied once here.
std::string c_str(std::string_view s) { return std::string{s}; }

}  // namespace

mock_cluster::mock_cluster(int brokers) : brokers_(brokers) {
    if (brokers < 1) throw std::invalid_argument("mock_cluster: at least one broker");
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    // The owner never connects anywhere; its "no bootstrap.servers" notice is noise.
    if (rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof errstr) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "client.id", "kasio-mock-cluster", errstr, sizeof errstr) !=
            RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(std::string{"mock_cluster: "} + errstr);
    }
    // rd_kafka_new takes ownership of conf on success only.
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (rk_ == nullptr) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(std::string{"mock_cluster: rd_kafka_new: "} + errstr);
    }
    cluster_ = rd_kafka_mock_cluster_new(rk_, brokers);
    if (cluster_ == nullptr) {
        rd_kafka_destroy(rk_);
        throw std::runtime_error("mock_cluster: rd_kafka_mock_cluster_new failed");
    }
    bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

mock_cluster::~mock_cluster() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(rk_);
}

rd_kafka_resp_err_t mock_cluster::create_topic(std::string_view name, int partitions,
                                               int replication) {
    return rd_kafka_mock_topic_create(cluster_, c_str(name).c_str(), partitions, replication);
}

void mock_cluster::set_topic_error(std::string_view topic, rd_kafka_resp_err_t err) {
    rd_kafka_mock_topic_set_error(cluster_, c_str(topic).c_str(), err);
}

rd_kafka_resp_err_t mock_cluster::set_leader(std::string_view topic, int32_t partition,
                                             int32_t broker) {
    return rd_kafka_mock_partition_set_leader(cluster_, c_str(topic).c_str(), partition, broker);
}

rd_kafka_resp_err_t mock_cluster::set_follower(std::string_view topic, int32_t partition,
                                               int32_t broker) {
    return rd_kafka_mock_partition_set_follower(cluster_, c_str(topic).c_str(), partition, broker);
}

rd_kafka_resp_err_t mock_cluster::set_follower_watermarks(std::string_view topic, int32_t partition,
                                                          int64_t low, int64_t high) {
    return rd_kafka_mock_partition_set_follower_wmarks(cluster_, c_str(topic).c_str(), partition,
                                                       low, high);
}

rd_kafka_resp_err_t mock_cluster::push_leader_response(std::string_view topic, int32_t partition,
                                                       int32_t leader, int32_t leader_epoch) {
    return rd_kafka_mock_partition_push_leader_response(cluster_, c_str(topic).c_str(), partition,
                                                        leader, leader_epoch);
}

rd_kafka_resp_err_t mock_cluster::broker_down(int32_t broker) {
    return rd_kafka_mock_broker_set_down(cluster_, broker);
}

rd_kafka_resp_err_t mock_cluster::broker_up(int32_t broker) {
    return rd_kafka_mock_broker_set_up(cluster_, broker);
}

rd_kafka_resp_err_t mock_cluster::set_rtt(int32_t broker, int rtt_ms) {
    return rd_kafka_mock_broker_set_rtt(cluster_, broker, rtt_ms);
}

rd_kafka_resp_err_t mock_cluster::set_rack(int32_t broker, std::string_view rack) {
    return rd_kafka_mock_broker_set_rack(cluster_, broker, c_str(rack).c_str());
}

void mock_cluster::set_advertised_listener(int32_t broker, std::string_view host, int port) {
    rd_kafka_mock_broker_set_host_port(cluster_, broker, c_str(host).c_str(), port);
}

rd_kafka_resp_err_t mock_cluster::set_coordinator(std::string_view key_type, std::string_view key,
                                                  int32_t broker) {
    return rd_kafka_mock_coordinator_set(cluster_, c_str(key_type).c_str(), c_str(key).c_str(),
                                         broker);
}

rd_kafka_resp_err_t mock_cluster::decommission_broker(int32_t broker) {
    return rd_kafka_mock_broker_decommission(cluster_, broker);
}

rd_kafka_resp_err_t mock_cluster::add_broker(int32_t broker) {
    return rd_kafka_mock_broker_add(cluster_, broker);
}

void mock_cluster::push_request_errors(int16_t api_key,
                                       std::span<const rd_kafka_resp_err_t> errors) {
    rd_kafka_mock_push_request_errors_array(cluster_, api_key, errors.size(), errors.data());
}

void mock_cluster::clear_request_errors(int16_t api_key) {
    rd_kafka_mock_clear_request_errors(cluster_, api_key);
}

rd_kafka_resp_err_t mock_cluster::broker_push_request_error_rtts(
    int32_t broker, int16_t api_key, std::span<const error_rtt> entries) {
    // The C API is variadic only; one call per entry keeps the order (the stack is a FIFO).
    for (const error_rtt& e : entries) {
        const rd_kafka_resp_err_t err = rd_kafka_mock_broker_push_request_error_rtts(
            cluster_, broker, api_key, 1, e.err, e.rtt_ms);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return err;
    }
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

long mock_cluster::broker_error_stack_count(int32_t broker, int16_t api_key) const {
    size_t count = 0;
    if (rd_kafka_mock_broker_error_stack_cnt(cluster_, broker, api_key, &count) !=
        RD_KAFKA_RESP_ERR_NO_ERROR)
        return -1;
    return static_cast<long>(count);
}

rd_kafka_resp_err_t mock_cluster::set_apiversion(int16_t api_key, int16_t min_version,
                                                 int16_t max_version) {
    return rd_kafka_mock_set_apiversion(cluster_, api_key, min_version, max_version);
}

rd_kafka_resp_err_t mock_cluster::offer_parsable_group_versions() {
    const struct {
        int16_t key, min, max;
    } group_apis[] = {
        {11, 0, 5},  // JoinGroup
        {14, 0, 3},  // SyncGroup
        {12, 0, 3},  // Heartbeat
        {13, 0, 1},  // LeaveGroup
    };
    for (const auto& api : group_apis)
        if (auto err = set_apiversion(api.key, api.min, api.max)) return err;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

void mock_cluster::set_group_initial_rebalance_delay(int32_t delay_ms) {
    rd_kafka_mock_group_initial_rebalance_delay_ms(cluster_, delay_ms);
}

void mock_cluster::set_group_consumer_heartbeat_interval(int interval_ms) {
    rd_kafka_mock_set_group_consumer_heartbeat_interval_ms(cluster_, interval_ms);
}

void mock_cluster::set_group_consumer_session_timeout(int timeout_ms) {
    rd_kafka_mock_set_group_consumer_session_timeout_ms(cluster_, timeout_ms);
}

void mock_cluster::set_consumer_target_assignment(std::string_view group,
                                                  std::span<const member_target> members) {
    std::vector<char*> ids;
    std::vector<rd_kafka_topic_partition_list_t*> lists;
    for (const member_target& m : members) {
        // Copied by librdkafka; the const_cast only satisfies its char** parameter.
        ids.push_back(const_cast<char*>(m.member_id.c_str()));
        lists.push_back(rd_kafka_topic_partition_list_new(static_cast<int>(m.partitions.size())));
        for (const auto& [topic, partition] : m.partitions)
            rd_kafka_topic_partition_list_add(lists.back(), topic.c_str(), partition);
    }
    // The mock fills in the topic ids from the names.
    rd_kafka_mock_cgrp_consumer_target_assignment_t* target =
        rd_kafka_mock_cgrp_consumer_target_assignment_new(ids.data(), static_cast<int>(ids.size()),
                                                          lists.data());
    for (auto* l : lists) rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_mock_cgrp_consumer_target_assignment(cluster_, c_str(group).c_str(), target);
    rd_kafka_mock_cgrp_consumer_target_assignment_destroy(target);
}

void mock_cluster::reset_consumer_target_assignment(std::string_view group) {
    rd_kafka_mock_cgrp_consumer_target_assignment(cluster_, c_str(group).c_str(), nullptr);
}

rd_kafka_resp_err_t mock_cluster::set_telemetry(std::span<const std::string> metrics,
                                                int64_t push_interval_ms) {
    std::vector<char*> names;
    names.reserve(metrics.size());
    // librdkafka copies the names; the const_cast only satisfies its char** parameter.
    for (const std::string& m : metrics) names.push_back(const_cast<char*>(m.c_str()));
    rd_kafka_resp_err_t err =
        rd_kafka_mock_telemetry_set_requested_metrics(cluster_, names.data(), names.size());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return err;
    return rd_kafka_mock_telemetry_set_push_interval(cluster_, push_interval_ms);
}

void mock_cluster::start_request_tracking() { rd_kafka_mock_start_request_tracking(cluster_); }

void mock_cluster::stop_request_tracking() { rd_kafka_mock_stop_request_tracking(cluster_); }

std::vector<tracked_request> mock_cluster::requests() const {
    size_t count = 0;
    rd_kafka_mock_request_t** reqs = rd_kafka_mock_get_requests(cluster_, &count);
    std::vector<tracked_request> out;
    out.reserve(count);
    for (size_t i = 0; i < count; ++i)
        out.push_back({rd_kafka_mock_request_id(reqs[i]), rd_kafka_mock_request_api_key(reqs[i]),
                       rd_kafka_mock_request_timestamp(reqs[i])});
    rd_kafka_mock_request_destroy_array(reqs, count);
    return out;
}

void mock_cluster::clear_requests() { rd_kafka_mock_clear_requests(cluster_); }

}  // namespace kasio::test

// The mock cluster wrapper works with librdkafka's own clients: what the integration tests
// build on.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mock_cluster_fixture.hpp"

namespace {

using kasio::test::mock_cluster_test;

struct rk_deleter {
    void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using rk_ptr = std::unique_ptr<rd_kafka_t, rk_deleter>;

struct message_deleter {
    void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using message_ptr = std::unique_ptr<rd_kafka_message_t, message_deleter>;

// Delivery reports count successes into the int the producer's opaque points to.
void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) ++*static_cast<int*>(opaque);
}

rk_ptr make_client(rd_kafka_type_t type, const std::string& bootstrap,
                   std::vector<std::pair<std::string, std::string>> props,
                   int* delivered = nullptr) {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    props.emplace_back("bootstrap.servers", bootstrap);
    for (const auto& [name, value] : props) {
        if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) !=
            RD_KAFKA_CONF_OK) {
            ADD_FAILURE() << name << ": " << errstr;
            rd_kafka_conf_destroy(conf);
            return nullptr;
        }
    }
    if (delivered != nullptr) {
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
        rd_kafka_conf_set_opaque(conf, delivered);
    }
    rd_kafka_t* rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
    if (rk == nullptr) {
        ADD_FAILURE() << "rd_kafka_new: " << errstr;
        rd_kafka_conf_destroy(conf);
    }
    return rk_ptr{rk};
}

std::string as_string(const void* p, size_t n) {
    return p == nullptr ? std::string{} : std::string{static_cast<const char*>(p), n};
}

TEST_F(mock_cluster_test, records_produced_by_librdkafka_are_consumed_back) {
    ASSERT_EQ(cluster().create_topic("roundtrip", 1, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    constexpr int count = 5;

    int delivered = 0;
    rk_ptr producer =
        make_client(RD_KAFKA_PRODUCER, cluster().bootstrap(), {{"linger.ms", "0"}}, &delivered);
    ASSERT_TRUE(producer);
    for (int i = 0; i < count; ++i) {
        const std::string key = "key-" + std::to_string(i);
        const std::string value = "value-" + std::to_string(i);
        const std::string header = "h" + std::to_string(i);
        ASSERT_EQ(
            rd_kafka_producev(
                producer.get(), RD_KAFKA_V_TOPIC("roundtrip"), RD_KAFKA_V_PARTITION(0),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key.data(), key.size()),
                RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                RD_KAFKA_V_HEADER("trace", header.data(), static_cast<ssize_t>(header.size())),
                RD_KAFKA_V_TIMESTAMP(1'700'000'000'000 + i), RD_KAFKA_V_END),
            RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    ASSERT_EQ(rd_kafka_flush(producer.get(), 10'000), RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(delivered, count);

    rk_ptr consumer =
        make_client(RD_KAFKA_CONSUMER, cluster().bootstrap(),
                    {{"group.id", "roundtrip-test"}, {"enable.auto.commit", "false"}});
    ASSERT_TRUE(consumer);
    rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(assignment, "roundtrip", 0)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
    ASSERT_EQ(rd_kafka_assign(consumer.get(), assignment), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(assignment);

    std::vector<message_ptr> received;
    for (int polls = 0; polls < 100 && received.size() < count; ++polls) {
        message_ptr m{rd_kafka_consumer_poll(consumer.get(), 100)};
        if (!m) continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
        ASSERT_EQ(m->err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_message_errstr(m.get());
        received.push_back(std::move(m));
    }
    ASSERT_EQ(received.size(), static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
        rd_kafka_message_t* m = received[static_cast<size_t>(i)].get();
        EXPECT_EQ(m->offset, i);
        EXPECT_EQ(as_string(m->key, m->key_len), "key-" + std::to_string(i));
        EXPECT_EQ(as_string(m->payload, m->len), "value-" + std::to_string(i));
        rd_kafka_timestamp_type_t ts_type;
        EXPECT_EQ(rd_kafka_message_timestamp(m, &ts_type), 1'700'000'000'000 + i);
        rd_kafka_headers_t* headers = nullptr;
        ASSERT_EQ(rd_kafka_message_headers(m, &headers), RD_KAFKA_RESP_ERR_NO_ERROR);
        const void* hvalue = nullptr;
        size_t hsize = 0;
        ASSERT_EQ(rd_kafka_header_get_last(headers, "trace", &hvalue, &hsize),
                  RD_KAFKA_RESP_ERR_NO_ERROR);
        EXPECT_EQ(as_string(hvalue, hsize), "h" + std::to_string(i));
    }
    rd_kafka_consumer_close(consumer.get());
}

TEST_F(mock_cluster_test, tracks_requests_by_api_key) {
    ASSERT_EQ(cluster().create_topic("tracked", 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    cluster().start_request_tracking();
    rk_ptr producer = make_client(RD_KAFKA_PRODUCER, cluster().bootstrap(), {});
    ASSERT_TRUE(producer);
    ASSERT_EQ(rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC("tracked"),
                                RD_KAFKA_V_VALUE(const_cast<char*>("v"), 1), RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(rd_kafka_flush(producer.get(), 10'000), RD_KAFKA_RESP_ERR_NO_ERROR);
    const auto reqs = cluster().requests();
    constexpr int16_t produce = 0;
    EXPECT_TRUE(std::any_of(reqs.begin(), reqs.end(), [](const kasio::test::tracked_request& r) {
        return r.api_key == produce;
    }));
}

TEST_F(mock_cluster_test, broker_down_and_up_succeed_for_known_brokers) {
    EXPECT_EQ(cluster().broker_down(2), RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(cluster().broker_up(2), RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(cluster().set_rtt(3, 50), RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_NE(cluster().broker_down(99), RD_KAFKA_RESP_ERR_NO_ERROR);
}

TEST_F(mock_cluster_test, set_apiversion_accepts_known_api_keys_only) {
    constexpr int16_t produce = 0;
    EXPECT_EQ(cluster().set_apiversion(produce, 0, 7), RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_NE(cluster().set_apiversion(10'000, 0, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
}

TEST_F(mock_cluster_test, error_stack_counts_pushed_entries) {
    constexpr int16_t fetch = 1;
    ASSERT_EQ(
        cluster().broker_push_request_error_rtts(
            1, fetch,
            {{RD_KAFKA_RESP_ERR_NOT_LEADER_OR_FOLLOWER, 0}, {RD_KAFKA_RESP_ERR_NO_ERROR, 10}}),
        RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(cluster().broker_error_stack_count(1, fetch), 2);
    EXPECT_EQ(cluster().broker_error_stack_count(42, fetch), -1);
}

}  // namespace

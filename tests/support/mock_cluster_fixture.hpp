// GoogleTest fixture for integration tests against librdkafka's mock cluster.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "mock_cluster.hpp"

namespace kasio::test {

/// Each test gets a fresh cluster (3 brokers unless the derived fixture passes another count),
/// so injected errors and downed brokers never leak into the next test. The cluster lives until
/// the fixture's destructor, after the derived fixture's members (clients) are gone.
///
///   class producer_failover : public kasio::test::mock_cluster_test {};
///   TEST_F(producer_failover, retries_on_leader_change) {
///     ASSERT_EQ(cluster().create_topic("t", 3), RD_KAFKA_RESP_ERR_NO_ERROR);
///     ... cfg.bootstrap_servers = {cluster().bootstrap()}; ...
///   }
class mock_cluster_test : public ::testing::Test {
protected:
    explicit mock_cluster_test(int brokers = 3) : brokers_(brokers) {}

    void SetUp() override {
        cluster_ = std::make_unique<mock_cluster>(brokers_);
        // Group joins complete at once instead of after the 3 s broker default.
        cluster_->set_group_initial_rebalance_delay(0);
    }

    mock_cluster& cluster() { return *cluster_; }

private:
    int brokers_;
    std::unique_ptr<mock_cluster> cluster_;
};

}  // namespace kasio::test

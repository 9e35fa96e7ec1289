// The broker pool against librdkafka 2.14.2's mock cluster: a broker taken down while a request
// is in flight fails it with a retriable error; brought back up, the pool connects again by
// itself and requests succeed. Addresses come from a bootstrap metadata refresh.
#include "cluster/metadata_refresher.hpp"
#include "net/broker_pool.hpp"
#include "protocol/messages.hpp"

#include "mock_cluster_fixture.hpp"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <optional>

namespace kasio::net {
namespace {

using protocol::msg::metadata_request;
using protocol::msg::metadata_response;

template <class Pred>
bool run_until(asio::io_context& io, Pred pred, int max_steps = 200000) {
    for (int i = 0; i < max_steps && !pred(); ++i) {
        if (io.stopped()) io.restart();
        if (io.run_one_for(std::chrono::seconds(10)) == 0) break;
    }
    return pred();
}

// For conditions another thread makes true (the mock's): io may have nothing to run meanwhile,
// so each step waits at most 5 ms before looking again; 4000 steps bound a hang.
template <class Pred>
bool run_until_external(asio::io_context& io, Pred pred) {
    for (int i = 0; i < 4000 && !pred(); ++i) {
        if (io.stopped()) io.restart();
        io.run_one_for(std::chrono::milliseconds(5));
    }
    return pred();
}

struct result {
    error_code ec;
    response_frame frame;
};

class pool_mock : public test::mock_cluster_test {
protected:
    void SetUp() override {
        mock_cluster_test::SetUp();
        pool_config pc;
        // Bounds in case the downed broker accepted and then ignored us; not expected to fire.
        pc.connection.connect_timeout = std::chrono::seconds(10);
        pc.connection.request_timeout = std::chrono::seconds(10);
        pool.emplace(io.get_executor(), pc);
        cluster::refresher_config rc;
        rc.bootstrap_servers = {cluster().bootstrap()};
        refresher.emplace(*pool, rc);
        std::optional<error_code> done;
        refresher->async_refresh([&](error_code ec) { done = ec; });
        refresher->start();
        ASSERT_TRUE(run_until(io, [&] { return done.has_value(); }));
        ASSERT_FALSE(*done) << done->message();
    }

    void TearDown() override {
        refresher.reset();
        pool.reset();
        io.poll();
    }

    result request(std::int32_t node, purpose p) {
        std::optional<result> r;
        pool->async_request(node, p, metadata_request{}, [&](error_code ec, response_frame f) { r = result{ec, std::move(f)}; });
        EXPECT_TRUE(run_until(io, [&] { return r.has_value(); }));
        return r.value_or(result{asio::error::timed_out, {}});
    }

    bool broker_saw_metadata(std::int32_t node) {
        for (const auto& r : cluster().requests()) {
            if (r.broker_id == node && r.api_key == metadata_request::api_key) return true;
        }
        return false;
    }

    asio::io_context io;
    std::optional<broker_pool> pool;
    std::optional<cluster::metadata_refresher> refresher;
};

TEST_F(pool_mock, broker_down_fails_in_flight_request_and_broker_up_reconnects) {
    ASSERT_FALSE(request(2, purpose::bulk).ec);

    // A request the broker holds for a while (its rtt), so that it is in flight at the down.
    ASSERT_EQ(cluster().set_rtt(2, 60000), RD_KAFKA_RESP_ERR_NO_ERROR);
    cluster().start_request_tracking();
    std::optional<result> in_flight;
    pool->async_request(2, purpose::bulk, metadata_request{},
                        [&](error_code ec, response_frame f) { in_flight = result{ec, std::move(f)}; });
    // The mock thread records the request: look for it from here, stepping io meanwhile.
    ASSERT_TRUE(run_until_external(io, [&] { return broker_saw_metadata(2); }));
    ASSERT_EQ(cluster().broker_down(2), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(run_until(io, [&] { return in_flight.has_value(); }));
    EXPECT_EQ(in_flight->ec, client_errc::connection_closed);
    EXPECT_TRUE(is_retriable(in_flight->ec));

    // Down: requests fail, retriably, and never hang.
    const result while_down = request(2, purpose::bulk);
    EXPECT_TRUE(while_down.ec.failed());
    EXPECT_TRUE(is_retriable(while_down.ec)) << while_down.ec.message();

    // Other brokers are not affected.
    EXPECT_FALSE(request(1, purpose::bulk).ec);

    ASSERT_EQ(cluster().set_rtt(2, 0), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().broker_up(2), RD_KAFKA_RESP_ERR_NO_ERROR);
    // The first attempt may still meet the reconnect backoff's end or a failure counted before
    // the broker came up; a few attempts at most, each a real request.
    result up;
    int attempts = 0;
    for (; attempts < 20; ++attempts) {
        up = request(2, purpose::bulk);
        if (!up.ec) break;
        EXPECT_TRUE(is_retriable(up.ec)) << up.ec.message();
    }
    ASSERT_FALSE(up.ec) << up.ec.message();
    EXPECT_LE(attempts, 2);
    metadata_response m;
    EXPECT_FALSE(decode_response(up.frame, m));
    EXPECT_EQ(m.brokers.size(), 3u);
}

TEST_F(pool_mock, refresh_skips_a_downed_broker) {
    ASSERT_EQ(cluster().broker_down(1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().broker_down(2), RD_KAFKA_RESP_ERR_NO_ERROR);
    std::optional<error_code> done;
    refresher->async_refresh([&](error_code ec) { done = ec; });
    ASSERT_TRUE(run_until(io, [&] { return done.has_value(); }));
    EXPECT_FALSE(*done) << done->message();
}

}  // namespace
}  // namespace kasio::net

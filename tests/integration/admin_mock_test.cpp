// The admin client's unhappy paths, where a real broker cannot be made to fail on demand:
// retriable errors injected by librdkafka's mock cluster are retried until the operation
// succeeds; one that retrying cannot fix ends its item at once; an unreachable cluster is
// reported after default.api.timeout.ms; cancelling and destroying complete the operation with
// operation_aborted. Plus the configuration's refusals and the topic id's text form.
#include "mock_cluster_fixture.hpp"

#include "io_thread.hpp"

#include <kasio/admin.hpp>
#include <kasio/broker_errc.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <optional>

namespace kasio::test {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

constexpr std::int16_t list_offsets_key = 2, offset_fetch_key = 9;

// A handler that hands (error_code, items) to a future (Boost 1.81's use_future cannot wrap
// as_tuple).
template <class T>
struct outcome {
    std::promise<std::pair<error_code, std::vector<T>>> promise;
    std::future<std::pair<error_code, std::vector<T>>> future = promise.get_future();
    auto handler() {
        return [this](error_code ec, std::vector<T> items) { promise.set_value({ec, std::move(items)}); };
    }
};

class admin_mock : public mock_cluster_test {
protected:
    void SetUp() override {
        mock_cluster_test::SetUp();
        ASSERT_EQ(cluster().create_topic("adm", 3, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    }

    // Every admin of a test is destroyed by now: its closing work must finish, leaving
    // nothing behind (a context stopped while a client closes would leak what it was doing).
    void TearDown() override {
        EXPECT_TRUE(io.drain(std::chrono::seconds(20))) << "an admin left work running after it was destroyed";
        mock_cluster_test::TearDown();
    }

    admin_config config() {
        admin_config cfg;
        cfg.bootstrap_servers = {cluster().bootstrap()};
        cfg.retry_backoff = milliseconds(10);
        cfg.default_api_timeout = milliseconds(10000);
        return cfg;
    }

    io_thread io;
};

std::vector<offset_query> latest_of_all() {
    return {{{"adm", 0}, offset_spec::latest()}, {{"adm", 1}, offset_spec::latest()}, {{"adm", 2}, offset_spec::latest()}};
}

TEST_F(admin_mock, retriable_leader_errors_are_retried_until_the_offsets_come) {
    admin a(io.io().get_executor(), config());
    cluster().push_request_errors(list_offsets_key, {RD_KAFKA_RESP_ERR_NOT_LEADER_OR_FOLLOWER,
                                                     RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
                                                     RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT});
    outcome<partition_offsets> r;
    a.async_list_offsets(latest_of_all(), r.handler());
    auto [ec, out] = r.future.get();
    EXPECT_FALSE(ec) << ec.message() << ": " << out.at(0).message;
    ASSERT_EQ(out.size(), 3u);
    for (const auto& o : out) {
        EXPECT_FALSE(o.error) << o.message;
        EXPECT_EQ(o.offset, 0);
    }
}

TEST_F(admin_mock, an_error_retrying_cannot_fix_ends_the_item_at_once) {
    admin a(io.io().get_executor(), config());
    // One per leader: the three partitions' leaders are three brokers, asked one request each.
    cluster().push_request_errors(list_offsets_key, {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                                     RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                                     RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED});
    const auto started = std::chrono::steady_clock::now();
    outcome<partition_offsets> r;
    a.async_list_offsets(latest_of_all(), r.handler());
    auto [ec, out] = r.future.get();
    EXPECT_EQ(ec, broker_errc::topic_authorization_failed);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5)) << "not retried";
    ASSERT_EQ(out.size(), 3u);
    for (const auto& o : out) {
        EXPECT_EQ(o.error, broker_errc::topic_authorization_failed);
        EXPECT_FALSE(o.message.empty());
    }
    EXPECT_EQ(a.last_error().code, broker_errc::topic_authorization_failed);
}

TEST_F(admin_mock, coordinator_errors_are_retried_for_group_offsets) {
    admin a(io.io().get_executor(), config());
    outcome<partition_outcome> alter;
    a.async_alter_consumer_group_offsets("g1", {{"adm", 0, 42, "meta"}}, alter.handler());
    auto [aec, altered] = alter.future.get();
    ASSERT_FALSE(aec) << aec.message() << ": " << altered.at(0).message;
    cluster().push_request_errors(offset_fetch_key, {RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
                                                     RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
                                                     RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE});
    outcome<committed_offset> r;
    a.async_list_consumer_group_offsets("g1", {{"adm", 0}}, r.handler());
    auto [ec, out] = r.future.get();
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].offset, 42);
    EXPECT_EQ(out[0].metadata, "meta");
}

TEST_F(admin_mock, an_unreachable_cluster_is_reported_after_the_api_timeout) {
    // A port nobody listens on: every connection is refused.
    asio::io_context probe;
    asio::ip::tcp::acceptor acceptor(probe, {asio::ip::make_address("127.0.0.1"), 0});
    const auto port = acceptor.local_endpoint().port();
    acceptor.close();
    admin_config cfg;
    cfg.bootstrap_servers = {"127.0.0.1:" + std::to_string(port)};
    cfg.default_api_timeout = milliseconds(1500);
    cfg.retry_backoff = milliseconds(50);
    admin a(io.io().get_executor(), cfg);
    const auto started = std::chrono::steady_clock::now();
    outcome<created_topic> r;
    a.async_create_topics({new_topic{"t", 1, 1, {}, {}}}, r.handler());
    auto [ec, out] = r.future.get();
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(ec, client_errc::timed_out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].error, client_errc::timed_out);
    EXPECT_NE(out[0].message.find("default.api.timeout.ms (1500 ms)"), std::string::npos) << out[0].message;
    EXPECT_NE(out[0].message.find("last error"), std::string::npos) << out[0].message;
    EXPECT_GE(took, milliseconds(1300));
    EXPECT_LT(took, std::chrono::seconds(10));
}

TEST_F(admin_mock, a_cancelled_operation_completes_at_once_with_operation_aborted) {
    for (int b = 1; b <= 3; ++b) cluster().broker_down(b);
    admin a(io.io().get_executor(), config());
    asio::cancellation_signal cancel;
    outcome<partition_offsets> r;
    a.async_list_offsets(latest_of_all(), asio::bind_cancellation_slot(cancel.slot(), r.handler()));
    asio::post(io.io(), [&] { cancel.emit(asio::cancellation_type::terminal); });
    ASSERT_EQ(r.future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    auto [ec, out] = r.future.get();
    EXPECT_EQ(ec, asio::error::operation_aborted);
    EXPECT_TRUE(out.empty());
}

TEST_F(admin_mock, destroying_the_admin_completes_its_pending_operations) {
    for (int b = 1; b <= 3; ++b) cluster().broker_down(b);
    // Its own io_context, run on this thread: once the admin is gone and its operation has
    // completed, nothing of it may be left running (run() returns: no work left behind).
    asio::io_context own;
    std::optional<std::pair<error_code, std::vector<partition_offsets>>> got;
    {
        admin a(own.get_executor(), config());
        a.async_list_offsets(latest_of_all(), [&](error_code ec, std::vector<partition_offsets> out) {
            got.emplace(ec, std::move(out));
        });
        own.run_for(std::chrono::milliseconds(200));  // the operation is under way
    }
    own.restart();
    own.run_for(std::chrono::seconds(10));
    EXPECT_TRUE(own.stopped()) << "work was left behind after the admin was destroyed";
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->first, asio::error::operation_aborted);
    for (const auto& o : got->second) EXPECT_EQ(o.error, asio::error::operation_aborted);
}

TEST(admin_config, refuses_what_an_admin_does_not_take_naming_the_property) {
    admin_config cfg;
    error_context why;
    EXPECT_FALSE(cfg.set("default.api.timeout.ms", "5000", why));
    EXPECT_EQ(cfg.default_api_timeout, milliseconds(5000));
    EXPECT_FALSE(cfg.set("request.timeout.ms", "7000", why));
    EXPECT_EQ(cfg.connection.request_timeout, milliseconds(7000));
    EXPECT_EQ(cfg.set("linger.ms", "5", why), client_errc::invalid_config);
    EXPECT_EQ(why.message, "linger.ms is a producer property, not an admin one");
    EXPECT_EQ(cfg.set("default.api.timeout.ms", "0", why), client_errc::invalid_config);
    EXPECT_EQ(why.property, "default.api.timeout.ms");
    EXPECT_EQ(cfg.get("default.api.timeout.ms"), "5000");
    EXPECT_EQ(cfg.get("group.id"), std::nullopt);

    asio::io_context io;
    EXPECT_THROW(admin(io.get_executor(), admin_config{}), config_error) << "no bootstrap.servers";
    admin_config bad;
    bad.bootstrap_servers = {"localhost:9092"};
    bad.default_api_timeout = milliseconds(-1);
    try {
        admin a(io.get_executor(), bad);
        ADD_FAILURE() << "a negative default.api.timeout.ms was taken";
    } catch (const config_error& e) {
        EXPECT_EQ(e.info().context.property, "default.api.timeout.ms");
    }
}

TEST(admin_types, topic_ids_print_as_java_does_and_parse_back) {
    uuid id;
    for (std::size_t i = 0; i < 16; ++i) id.bytes[i] = static_cast<std::uint8_t>(i);
    EXPECT_EQ(id.to_string(), "AAECAwQFBgcICQoLDA0ODw");  // base64url, no padding (Java's Uuid.toString)
    EXPECT_EQ(uuid::parse("AAECAwQFBgcICQoLDA0ODw"), id);
    uuid ones;
    ones.bytes.fill(0xff);
    EXPECT_EQ(ones.to_string(), "_____________________w");
    EXPECT_EQ(uuid::parse(ones.to_string()), ones);
    EXPECT_EQ(uuid::parse("AAECAwQFBgcICQoLDA0OD"), std::nullopt) << "21 characters";
    EXPECT_EQ(uuid::parse("AAECAwQFBgcICQoLDA0OD+"), std::nullopt) << "not URL-safe base64";
    EXPECT_EQ(uuid::parse("AAECAwQFBgcICQoLDA0ODx"), std::nullopt) << "padding bits set";
    EXPECT_TRUE(uuid{}.is_nil());
    EXPECT_EQ(uuid{}.to_string(), "AAAAAAAAAAAAAAAAAAAAAA");
}

}  // namespace
}  // namespace kasio::test

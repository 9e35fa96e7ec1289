// The transactional producer's unhappy paths against librdkafka's mock cluster, which answers
// chosen error codes on demand (a real broker cannot): coordinator errors retried, refusals
// that end the producer, errors that make the transaction abortable and the abort that
// recovers from them, an unreachable coordinator reported after max.block.ms. The mock
// finalizes no features, so this is transaction version 1 (the real cluster tests both).
#include "mock_cluster_fixture.hpp"

#include "io_thread.hpp"

#include <kasio/broker_errc.hpp>
#include <kasio/producer.hpp>

#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <future>
#include <string>

namespace kasio::test {
namespace {

namespace asio = boost::asio;

constexpr std::int16_t produce_key = 0, find_coordinator_key = 10, init_producer_id_key = 22,
                       add_partitions_key = 24, end_txn_key = 26;

class transactions_mock : public mock_cluster_test {
protected:
    void SetUp() override {
        mock_cluster_test::SetUp();
        ASSERT_EQ(cluster().create_topic("txn", 3, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    }

    producer_config config(std::string id = "txn-1") {
        producer_config cfg;
        cfg.bootstrap_servers = {cluster().bootstrap()};
        cfg.transactional_id = std::move(id);
        cfg.retry_backoff = std::chrono::milliseconds(10);
        return cfg;
    }

    // The error an operation completed with (use_future throws it).
    static error_code result(std::future<void> f) {
        try {
            f.get();
            return {};
        } catch (const boost::system::system_error& e) {
            return e.code();
        }
    }

    // Sends `n` records to "txn" and returns the first error among their deliveries.
    static error_code send(producer& p, int n) {
        std::vector<std::future<delivery>> done;
        for (int i = 0; i < n; ++i) {
            record r;
            r.topic = "txn";
            r.value = bytes_of("v");
            done.push_back(p.async_send(r, asio::use_future));
        }
        error_code first;
        for (auto& f : done) {
            try {
                f.get();
            } catch (const boost::system::system_error& e) {
                if (!first) first = e.code();
            }
        }
        return first;
    }

    io_thread io_;
};

TEST_F(transactions_mock, coordinator_errors_are_retried_until_the_transaction_commits) {
    cluster().push_request_errors(find_coordinator_key, {RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE});
    cluster().push_request_errors(init_producer_id_key, {RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
                                                         RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
                                                         RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS});
    producer p(io_.io().get_executor(), config());
    ASSERT_EQ(result(p.async_init_transactions(asio::use_future)), error_code{}) << p.last_error().describe();
    ASSERT_EQ(p.begin_transaction(), error_code{});
    cluster().push_request_errors(add_partitions_key, {RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS,
                                                       RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE});
    EXPECT_EQ(send(p, 10), error_code{});
    cluster().push_request_errors(end_txn_key, {RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
                                                RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS});
    EXPECT_EQ(result(p.async_commit_transaction(asio::use_future)), error_code{}) << p.last_error().describe();
    EXPECT_EQ(p.transaction_state(), transaction_state::ready);
}

TEST_F(transactions_mock, a_refused_transactional_id_ends_the_producer_and_every_call_says_so) {
    cluster().push_request_errors(init_producer_id_key, {RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED});
    producer p(io_.io().get_executor(), config());
    EXPECT_EQ(result(p.async_init_transactions(asio::use_future)), broker_errc::transactional_id_authorization_failed);
    EXPECT_EQ(p.transaction_state(), transaction_state::fatal_error);
    EXPECT_EQ(p.last_error().context.api, "InitProducerId");
    EXPECT_EQ(p.begin_transaction(), broker_errc::transactional_id_authorization_failed);
    EXPECT_EQ(send(p, 1), broker_errc::transactional_id_authorization_failed);
    EXPECT_EQ(result(p.async_abort_transaction(asio::use_future)), broker_errc::transactional_id_authorization_failed);
}

TEST_F(transactions_mock, a_fenced_commit_is_fatal) {
    producer p(io_.io().get_executor(), config());
    ASSERT_EQ(result(p.async_init_transactions(asio::use_future)), error_code{});
    ASSERT_EQ(p.begin_transaction(), error_code{});
    EXPECT_EQ(send(p, 5), error_code{});
    cluster().push_request_errors(end_txn_key, {RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH});
    EXPECT_EQ(result(p.async_commit_transaction(asio::use_future)), broker_errc::producer_fenced);
    EXPECT_EQ(p.transaction_state(), transaction_state::fatal_error);
    EXPECT_NE(p.last_error().context.message.find("fenced"), std::string::npos) << p.last_error().describe();
}

TEST_F(transactions_mock, a_failed_record_makes_the_transaction_abortable_and_the_abort_recovers) {
    producer p(io_.io().get_executor(), config());
    ASSERT_EQ(result(p.async_init_transactions(asio::use_future)), error_code{});
    ASSERT_EQ(p.begin_transaction(), error_code{});
    EXPECT_EQ(send(p, 5), error_code{});
    cluster().push_request_errors(produce_key, {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE});
    EXPECT_EQ(send(p, 1), broker_errc::message_too_large);
    EXPECT_EQ(p.transaction_state(), transaction_state::abortable_error);
    // Sends fail until the abort; the commit fails with what broke the transaction.
    EXPECT_EQ(send(p, 1), client_errc::invalid_transaction_state);
    EXPECT_EQ(result(p.async_commit_transaction(asio::use_future)), broker_errc::message_too_large);
    ASSERT_EQ(result(p.async_abort_transaction(asio::use_future)), error_code{}) << p.last_error().describe();
    EXPECT_EQ(p.transaction_state(), transaction_state::ready);
    ASSERT_EQ(p.begin_transaction(), error_code{});
    EXPECT_EQ(send(p, 5), error_code{});
    EXPECT_EQ(result(p.async_commit_transaction(asio::use_future)), error_code{}) << p.last_error().describe();
    EXPECT_EQ(p.stats().transactions_committed, 1u);
    EXPECT_EQ(p.stats().transactions_aborted, 1u);
}

TEST_F(transactions_mock, a_partition_the_coordinator_refuses_fails_its_records_and_abort_recovers) {
    producer p(io_.io().get_executor(), config());
    ASSERT_EQ(result(p.async_init_transactions(asio::use_future)), error_code{});
    ASSERT_EQ(p.begin_transaction(), error_code{});
    cluster().push_request_errors(add_partitions_key, {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED});
    // One record: a second one sent after the refusal had made the transaction abortable would
    // be refused itself (invalid_transaction_state), and last_error() would name that instead.
    record r;
    r.topic = "txn";
    r.value = bytes_of("v");
    std::promise<std::pair<error_code, delivery>> failed;
    p.async_send(r, [&](error_code ec, const delivery& d) { failed.set_value({ec, d}); });
    const auto [ec, d] = failed.get_future().get();
    EXPECT_EQ(ec, broker_errc::topic_authorization_failed);
    ASSERT_TRUE(d.context) << "the failed record does not say why";
    EXPECT_EQ(d.context->api, "AddPartitionsToTxn");
    EXPECT_EQ(p.transaction_state(), transaction_state::abortable_error);
    EXPECT_EQ(p.last_error().context.api, "AddPartitionsToTxn") << p.last_error().describe();
    ASSERT_EQ(result(p.async_abort_transaction(asio::use_future)), error_code{}) << p.last_error().describe();
    ASSERT_EQ(p.begin_transaction(), error_code{});
    EXPECT_EQ(send(p, 3), error_code{});
    EXPECT_EQ(result(p.async_commit_transaction(asio::use_future)), error_code{});
}

TEST_F(transactions_mock, an_unreachable_coordinator_is_reported_after_max_block_ms_and_init_can_be_called_again) {
    producer_config cfg = config();
    cfg.max_block = std::chrono::milliseconds(1000);
    if (std::getenv("KASIO_TEST_DEBUG")) (void)cfg.set("debug", "protocol");
    std::vector<rd_kafka_resp_err_t> unavailable(400, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE);
    cluster().push_request_errors(find_coordinator_key, unavailable);
    producer p(io_.io().get_executor(), cfg);
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(result(p.async_init_transactions(asio::use_future)), client_errc::timed_out);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    // The operation goes on in the background until its deadline; calling again joins it (or
    // starts it again) and succeeds once the coordinator answers.
    EXPECT_NE(p.transaction_state(), transaction_state::ready);
    EXPECT_NE(p.last_error().context.message.find("max.block.ms"), std::string::npos) << p.last_error().describe();
    cluster().clear_request_errors(find_coordinator_key);
    EXPECT_EQ(result(p.async_init_transactions(asio::use_future)), error_code{}) << p.last_error().describe();
    EXPECT_EQ(p.transaction_state(), transaction_state::ready);
}

TEST_F(transactions_mock, a_record_refused_at_send_makes_the_transaction_abortable) {
    producer_config cfg = config();
    cfg.max_request_size = 2000;
    producer p(io_.io().get_executor(), cfg);
    ASSERT_EQ(result(p.async_init_transactions(asio::use_future)), error_code{});
    ASSERT_EQ(p.begin_transaction(), error_code{});
    EXPECT_EQ(send(p, 4), error_code{});
    record big;
    big.topic = "txn";
    const std::string value(3000, 'x');
    big.value = bytes_of(value);
    try {
        p.async_send(big, asio::use_future).get();
        ADD_FAILURE() << "a record over max.request.size was accepted";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), broker_errc::message_too_large);
    }
    EXPECT_EQ(p.last_error().context.property, "max.request.size") << p.last_error().describe();
    EXPECT_EQ(p.transaction_state(), transaction_state::abortable_error);
    EXPECT_EQ(result(p.async_commit_transaction(asio::use_future)), broker_errc::message_too_large);
    EXPECT_EQ(result(p.async_abort_transaction(asio::use_future)), error_code{});
}

TEST_F(transactions_mock, destroying_the_producer_completes_a_commit_waiting_for_its_records) {
    auto p = std::make_unique<producer>(io_.io().get_executor(), config());  // max.block.ms 60 s
    ASSERT_EQ(result(p->async_init_transactions(asio::use_future)), error_code{});
    ASSERT_EQ(p->begin_transaction(), error_code{});
    EXPECT_EQ(send(*p, 1), error_code{});  // the partition joined the transaction
    std::vector<rd_kafka_resp_err_t> busy(100000, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
    cluster().push_request_errors(produce_key, busy);  // retried, never delivered
    record r;
    r.topic = "txn";
    r.value = bytes_of("v");
    std::future<delivery> stuck = p->async_send(r, asio::use_future);
    std::future<void> commit = p->async_commit_transaction(asio::use_future);
    p.reset();
    // Long before max.block.ms: the commit fails with the producer, so does the record.
    ASSERT_EQ(commit.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    EXPECT_EQ(result(std::move(commit)), client_errc::connection_closed);
    ASSERT_EQ(stuck.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    EXPECT_THROW(stuck.get(), boost::system::system_error);
    cluster().clear_request_errors(produce_key);
}

TEST_F(transactions_mock, close_aborts_the_open_transaction_and_fails_what_it_had_not_sent) {
    producer_config cfg = config();
    cfg.linger = std::chrono::milliseconds(60000);  // the records stay queued
    producer p(io_.io().get_executor(), cfg);
    ASSERT_EQ(result(p.async_init_transactions(asio::use_future)), error_code{});
    ASSERT_EQ(p.begin_transaction(), error_code{});
    std::vector<std::future<delivery>> sent;
    for (int i = 0; i < 3; ++i) {
        record r;
        r.topic = "txn";
        r.value = bytes_of("v");
        sent.push_back(p.async_send(r, asio::use_future));
    }
    EXPECT_EQ(result(p.async_close(std::chrono::seconds(30), asio::use_future)), client_errc::transaction_aborted)
        << p.last_error().describe();
    for (auto& f : sent) {
        try {
            f.get();
            ADD_FAILURE() << "a record of the aborted transaction was delivered";
        } catch (const boost::system::system_error& e) {
            EXPECT_EQ(e.code(), client_errc::transaction_aborted);
        }
    }
}

}  // namespace
}  // namespace kasio::test

// The transactional producer's rules without a broker: Java's verdict per API and error, the
// state transitions begin_transaction and errors make, and the partition gate.
#include "producer/transaction_manager.hpp"

#include <kasio/broker_errc.hpp>

#include <gtest/gtest.h>

namespace kasio::detail::producer {
namespace {

TEST(transaction_rules, coordinator_errors_follow_the_java_handlers) {
    // Coordinator moved or unreachable: look it up again, for every API.
    for (const txn_api api : {txn_api::init_producer_id, txn_api::add_partitions, txn_api::add_offsets,
                              txn_api::txn_offset_commit, txn_api::end_txn}) {
        EXPECT_EQ(classify(api, broker_errc::not_coordinator), txn_verdict::find_coordinator);
        EXPECT_EQ(classify(api, broker_errc::coordinator_not_available), txn_verdict::find_coordinator);
        EXPECT_EQ(classify(api, client_errc::connection_closed), txn_verdict::find_coordinator);
        EXPECT_EQ(classify(api, broker_errc::concurrent_transactions), txn_verdict::retry);
        EXPECT_EQ(classify(api, broker_errc::coordinator_load_in_progress), txn_verdict::retry);
        EXPECT_EQ(classify(api, broker_errc::producer_fenced), txn_verdict::fatal);
        EXPECT_EQ(classify(api, broker_errc::invalid_producer_epoch), txn_verdict::fatal);
        EXPECT_EQ(classify(api, broker_errc::transactional_id_authorization_failed), txn_verdict::fatal);
        EXPECT_EQ(classify(api, broker_errc::transaction_abortable), txn_verdict::abortable);
        EXPECT_EQ(classify(api, client_errc::internal_error), txn_verdict::fatal);
    }
    EXPECT_EQ(classify(txn_api::add_partitions, broker_errc::topic_authorization_failed), txn_verdict::abortable);
    EXPECT_EQ(classify(txn_api::add_partitions, broker_errc::invalid_txn_state), txn_verdict::fatal);
    EXPECT_EQ(classify(txn_api::end_txn, broker_errc::unknown_producer_id), txn_verdict::abortable);
    EXPECT_EQ(classify(txn_api::end_txn, broker_errc::invalid_txn_state), txn_verdict::fatal);
    EXPECT_EQ(classify(txn_api::add_offsets, broker_errc::group_authorization_failed), txn_verdict::abortable);
    // A member that lost its generation cannot commit: abort and consume again (KIP-447).
    EXPECT_EQ(classify(txn_api::txn_offset_commit, broker_errc::illegal_generation), txn_verdict::abortable);
    EXPECT_EQ(classify(txn_api::txn_offset_commit, broker_errc::unknown_member_id), txn_verdict::abortable);
    EXPECT_EQ(classify(txn_api::txn_offset_commit, broker_errc::fenced_instance_id), txn_verdict::abortable);
    EXPECT_EQ(classify(txn_api::txn_offset_commit, broker_errc::request_timed_out), txn_verdict::find_coordinator);
    EXPECT_EQ(classify(txn_api::init_producer_id, broker_errc::cluster_authorization_failed), txn_verdict::fatal);
    EXPECT_EQ(classify(txn_api::init_producer_id, broker_errc::invalid_transaction_timeout), txn_verdict::fatal);

    EXPECT_EQ(fatal_code(broker_errc::invalid_producer_epoch), broker_errc::producer_fenced);
    EXPECT_EQ(fatal_code(broker_errc::invalid_txn_state), broker_errc::invalid_txn_state);
    EXPECT_TRUE(is_fatal_batch_error(broker_errc::producer_fenced));
    EXPECT_TRUE(is_fatal_batch_error(broker_errc::transactional_id_authorization_failed));
    EXPECT_FALSE(is_fatal_batch_error(broker_errc::invalid_producer_epoch));  // Produce: abortable (KIP-588)
    EXPECT_FALSE(is_fatal_batch_error(broker_errc::out_of_order_sequence_number));
}

TEST(transaction_manager, begin_only_from_ready_and_errors_stick_until_the_transaction_ends) {
    transaction_manager t("tx");
    EXPECT_EQ(t.state(), transaction_state::uninitialized);
    EXPECT_EQ(t.try_begin(), client_errc::invalid_transaction_state);
    t.set_state(transaction_state::ready);
    EXPECT_EQ(t.try_begin(), error_code{});
    EXPECT_EQ(t.state(), transaction_state::in_transaction);
    EXPECT_EQ(t.try_begin(), client_errc::invalid_transaction_state);

    t.set_abortable(error_info{broker_errc::not_enough_replicas, {}});
    t.set_abortable(error_info{broker_errc::message_too_large, {}});  // the first cause is kept
    EXPECT_EQ(t.state(), transaction_state::abortable_error);
    EXPECT_EQ(t.last_error().code, broker_errc::not_enough_replicas);
    EXPECT_EQ(t.try_begin(), client_errc::invalid_transaction_state);

    // While aborting, failures of the dropped records do not turn the state back.
    t.set_state(transaction_state::aborting);
    t.set_abortable(error_info{client_errc::transaction_aborted, {}});
    EXPECT_EQ(t.state(), transaction_state::aborting);
    t.end_transaction();
    t.set_state(transaction_state::ready);
    EXPECT_FALSE(t.last_error().code);

    t.set_fatal(error_info{broker_errc::producer_fenced, {}});
    t.set_abortable(error_info{broker_errc::not_enough_replicas, {}});
    EXPECT_EQ(t.state(), transaction_state::fatal_error);
    EXPECT_EQ(t.last_error().code, broker_errc::producer_fenced);
}

TEST(transaction_manager, a_partition_is_sent_to_only_after_it_was_added) {
    transaction_manager t("tx");
    const std::string topic = "orders";
    EXPECT_FALSE(t.started());
    EXPECT_FALSE(t.may_send({topic, 0}));
    EXPECT_FALSE(t.may_send({topic, 0}));  // asked twice, queued once
    EXPECT_FALSE(t.may_send({topic, 1}));
    ASSERT_TRUE(t.has_pending());
    const auto first = t.take_pending();
    EXPECT_EQ(first.size(), 2u);
    EXPECT_TRUE(t.adding());
    EXPECT_FALSE(t.may_send({topic, 0}));
    EXPECT_FALSE(t.has_pending());  // in flight, not queued again

    t.add_failed(first, true);  // retriable: back in the queue
    EXPECT_TRUE(t.has_pending());
    const auto second = t.take_pending();
    t.added(second);
    EXPECT_TRUE(t.may_send({topic, 0}));
    EXPECT_TRUE(t.may_send({topic, 1}));
    EXPECT_TRUE(t.started());

    t.add_group("g");
    EXPECT_TRUE(t.group_added("g"));
    t.end_transaction();
    EXPECT_FALSE(t.started());
    EXPECT_FALSE(t.group_added("g"));
    EXPECT_FALSE(t.may_send({topic, 0}));  // every transaction adds its partitions again
}

}  // namespace
}  // namespace kasio::detail::producer

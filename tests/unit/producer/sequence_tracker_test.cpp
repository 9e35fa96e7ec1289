// Idempotence rules, one test per rule of the Java client's TransactionManager / Sender.
#include "accumulator_test_support.hpp"
#include "producer/sequence_tracker.hpp"

#include <kasio/broker_errc.hpp>

#include <memory>

namespace kasio::detail::producer {
namespace {

using namespace test;

const topic_partition_view tp0{"t", 0};
const topic_partition_view tp1{"t", 1};

error_code err(broker_errc e) { return make_error_code(e); }

class sequence_tracker_test : public ::testing::Test {
protected:
    void SetUp() override { seq.set_producer_id({1000, 5}); }

    producer_batch& batch(topic_partition_view tp, int records) {
        auto b = std::make_unique<producer_batch>(tp, 1 << 20, t0);
        for (int i = 0; i < records; ++i) {
            delivery_handler none;
            EXPECT_TRUE(b->try_append(0, std::nullopt, bytes_of("v"), {}, none));
        }
        batches.push_back(std::move(b));
        return *batches.back();
    }
    // A batch drained as drain() does it.
    producer_batch& send(topic_partition_view tp, int records) {
        producer_batch& b = batch(tp, records);
        EXPECT_TRUE(seq.can_drain(b));
        seq.assign(b);
        return b;
    }
    batch_verdict fail(producer_batch& b, broker_errc e, bool attempts_left = true, std::int64_t lso = 0) {
        return seq.on_error(b, err(e), lso, attempts_left, false);
    }

    sequence_tracker seq;
    std::vector<std::unique_ptr<producer_batch>> batches;
};

TEST(sequence_numbers, increment_wraps_past_int32_max_to_zero) {
    EXPECT_EQ(increment_sequence(0, 5), 5);
    EXPECT_EQ(increment_sequence(INT32_MAX - 1, 5), 3);
    EXPECT_EQ(increment_sequence(INT32_MAX, 1), 0);
}

TEST(sequence_tracker_no_id, nothing_drains_until_a_producer_id_is_set) {
    sequence_tracker seq;
    producer_batch b(tp0, 1024, t0);
    EXPECT_TRUE(seq.needs_producer_id());
    EXPECT_FALSE(seq.can_drain(b));
    seq.set_producer_id({1, 0});
    EXPECT_FALSE(seq.needs_producer_id());
    EXPECT_TRUE(seq.can_drain(b));
}

TEST_F(sequence_tracker_test, sequences_are_consecutive_per_partition_from_zero) {
    producer_batch& a = send(tp0, 5);
    producer_batch& b = send(tp0, 3);
    producer_batch& c = send(tp1, 2);
    EXPECT_EQ(a.base_sequence(), 0);
    EXPECT_EQ(b.base_sequence(), 5);
    EXPECT_EQ(b.last_sequence(), 7);
    EXPECT_EQ(c.base_sequence(), 0);
    EXPECT_EQ(a.producer_id(), 1000);
    EXPECT_EQ(a.producer_epoch(), 5);
    EXPECT_EQ(seq.next_sequence(tp0), 8);
    EXPECT_EQ(seq.in_flight(tp0), 2u);
    seq.assign(a);  // a batch with a sequence keeps it
    EXPECT_EQ(a.base_sequence(), 0);
    EXPECT_EQ(seq.next_sequence(tp0), 8);
}

TEST_F(sequence_tracker_test, success_acknowledges_up_to_the_batchs_last_sequence) {
    producer_batch& a = send(tp0, 5);
    producer_batch& b = send(tp0, 3);
    EXPECT_EQ(seq.last_acked_sequence(tp0), std::nullopt);
    seq.on_success(a, 100);
    EXPECT_EQ(seq.last_acked_sequence(tp0), 4);
    seq.on_success(b, 105);
    EXPECT_EQ(seq.last_acked_sequence(tp0), 7);
    EXPECT_EQ(seq.in_flight(tp0), 0u);
}

TEST_F(sequence_tracker_test, unassign_gives_the_sequence_back) {
    send(tp0, 5);
    producer_batch& b = send(tp0, 3);
    seq.unassign(b);
    EXPECT_FALSE(b.has_sequence());
    EXPECT_EQ(seq.next_sequence(tp0), 5);
    EXPECT_EQ(seq.in_flight(tp0), 1u);
}

TEST_F(sequence_tracker_test, a_retriable_error_retries_with_the_same_sequence_and_retries_go_in_order) {
    producer_batch& a = send(tp0, 5);
    producer_batch& b = send(tp0, 3);
    EXPECT_EQ(fail(a, broker_errc::not_leader_or_follower), batch_verdict::retry);
    // b follows a failed batch: the broker says out of order; b is not the next expected
    // sequence, so it is retried as is, without an epoch bump.
    EXPECT_EQ(fail(b, broker_errc::out_of_order_sequence_number), batch_verdict::retry);
    EXPECT_FALSE(seq.epoch_bump_pending());
    EXPECT_EQ(a.base_sequence(), 0);
    EXPECT_EQ(b.base_sequence(), 5);
    EXPECT_FALSE(seq.can_drain(b));  // only the first in flight may go
    EXPECT_TRUE(seq.can_drain(a));
    seq.on_success(a, 0);
    EXPECT_TRUE(seq.can_drain(b));
}

TEST_F(sequence_tracker_test, out_of_order_on_the_next_expected_batch_bumps_the_epoch_and_resequences) {
    producer_batch& a = send(tp0, 5);
    producer_batch& b = send(tp0, 3);
    producer_batch& c = send(tp0, 2);
    seq.on_success(a, 0);
    // b is right after the last acked sequence: a real gap on the broker.
    EXPECT_EQ(fail(b, broker_errc::out_of_order_sequence_number), batch_verdict::retry);
    EXPECT_TRUE(seq.epoch_bump_pending());
    EXPECT_FALSE(seq.bump_epoch_if_needed());  // no new producer id needed
    EXPECT_EQ(seq.identity(), (producer_identity{1000, 6}));
    // The batches in flight belong to their Produce calls: the tracker rewrites only its own
    // record of them; each takes it when handed back (here, as drain or a response would).
    EXPECT_EQ(b.base_sequence(), 5);
    EXPECT_FALSE(b.sequence_reset());
    seq.sync(b);
    seq.sync(c);
    EXPECT_EQ(b.base_sequence(), 0);
    EXPECT_EQ(b.producer_epoch(), 6);
    EXPECT_TRUE(b.sequence_reset());
    EXPECT_EQ(c.base_sequence(), 3);
    EXPECT_EQ(seq.next_sequence(tp0), 5);
    EXPECT_EQ(seq.last_acked_sequence(tp0), std::nullopt);
    // c comes back out of order too (b is not written yet): a re-sequenced batch is retried.
    EXPECT_EQ(fail(c, broker_errc::out_of_order_sequence_number), batch_verdict::retry);
    EXPECT_FALSE(seq.epoch_bump_pending());
    EXPECT_EQ(send(tp0, 1).base_sequence(), 5);
}

TEST_F(sequence_tracker_test, a_batch_failed_with_attempts_left_bumps_the_epoch_for_its_partition) {
    producer_batch& a = send(tp0, 5);
    producer_batch& b = send(tp0, 3);
    producer_batch& other = send(tp1, 2);
    EXPECT_EQ(fail(a, broker_errc::invalid_record), batch_verdict::fail);
    EXPECT_EQ(seq.in_flight(tp0), 1u);
    EXPECT_TRUE(seq.epoch_bump_pending());
    seq.bump_epoch_if_needed();
    seq.sync(b);
    seq.sync(other);
    EXPECT_EQ(b.base_sequence(), 0);  // the hole a left is closed under the new epoch
    EXPECT_EQ(b.producer_epoch(), 6);
    EXPECT_EQ(other.producer_epoch(), 5);  // other partitions keep theirs until drained
    EXPECT_FALSE(other.sequence_reset());
}

TEST_F(sequence_tracker_test, a_batch_out_of_attempts_fails_without_touching_sequences) {
    producer_batch& a = send(tp0, 5);
    send(tp0, 3);
    // The broker may have written a: reusing its sequence could duplicate it.
    EXPECT_EQ(fail(a, broker_errc::not_leader_or_follower, false), batch_verdict::fail);
    EXPECT_FALSE(seq.epoch_bump_pending());
    EXPECT_EQ(seq.next_sequence(tp0), 8);
}

TEST_F(sequence_tracker_test, a_batch_past_delivery_timeout_fails_even_with_attempts_left) {
    producer_batch& a = send(tp0, 5);
    EXPECT_EQ(seq.on_error(a, err(broker_errc::request_timed_out), -1, true, true), batch_verdict::fail);
    EXPECT_TRUE(seq.epoch_bump_pending());  // attempts were left: Java adjusts sequences
}

TEST_F(sequence_tracker_test, duplicate_sequence_counts_as_success_without_an_offset) {
    producer_batch& a = send(tp0, 5);
    EXPECT_EQ(fail(a, broker_errc::duplicate_sequence_number), batch_verdict::duplicate);
    EXPECT_EQ(seq.last_acked_sequence(tp0), 4);
    EXPECT_EQ(seq.in_flight(tp0), 0u);
    EXPECT_FALSE(seq.epoch_bump_pending());
}

TEST_F(sequence_tracker_test, unknown_producer_id_without_a_log_start_offset_is_retried_as_is) {
    producer_batch& a = send(tp0, 5);
    EXPECT_EQ(fail(a, broker_errc::unknown_producer_id, true, -1), batch_verdict::retry);
    EXPECT_FALSE(seq.epoch_bump_pending());
}

TEST_F(sequence_tracker_test, unknown_producer_id_bumps_the_epoch_and_retries_from_zero) {
    producer_batch& a = send(tp0, 5);
    seq.on_success(a, 100);
    producer_batch& b = send(tp0, 3);
    EXPECT_EQ(fail(b, broker_errc::unknown_producer_id, true, 200), batch_verdict::retry);
    ASSERT_TRUE(seq.epoch_bump_pending());
    seq.bump_epoch_if_needed();
    seq.sync(b);
    EXPECT_EQ(b.base_sequence(), 0);
    EXPECT_EQ(b.producer_epoch(), 6);
    // Its answer under the old epoch comes back the same: a re-sequenced batch just retries.
    EXPECT_EQ(fail(b, broker_errc::unknown_producer_id, true, 200), batch_verdict::retry);
    EXPECT_FALSE(seq.epoch_bump_pending());
}

TEST_F(sequence_tracker_test, unknown_producer_id_out_of_attempts_restarts_the_partition_at_zero) {
    producer_batch& a = send(tp0, 5);
    EXPECT_EQ(fail(a, broker_errc::unknown_producer_id, false, 0), batch_verdict::fail);
    EXPECT_FALSE(seq.epoch_bump_pending());
    EXPECT_EQ(send(tp0, 2).base_sequence(), 0);
}

TEST_F(sequence_tracker_test, an_expired_batch_is_resolved_by_a_later_success) {
    producer_batch& a = send(tp0, 5);
    producer_batch& b = send(tp0, 3);
    seq.on_expired(a);
    EXPECT_TRUE(seq.has_unresolved_sequence(tp0));
    EXPECT_FALSE(seq.can_drain(batch(tp0, 1)));  // new batches wait for the verdict
    seq.on_success(b, 105);                      // b written: so was a
    seq.maybe_resolve_sequences();
    EXPECT_FALSE(seq.has_unresolved_sequence(tp0));
    EXPECT_FALSE(seq.epoch_bump_pending());
    EXPECT_EQ(send(tp0, 1).base_sequence(), 8);
}

TEST_F(sequence_tracker_test, an_expired_batch_nothing_confirmed_bumps_the_epoch) {
    producer_batch& a = send(tp0, 5);
    seq.on_expired(a);
    seq.maybe_resolve_sequences();
    EXPECT_FALSE(seq.has_unresolved_sequence(tp0));
    EXPECT_TRUE(seq.epoch_bump_pending());
    seq.bump_epoch_if_needed();
    EXPECT_EQ(send(tp0, 1).base_sequence(), 0);
}

TEST_F(sequence_tracker_test, out_of_order_right_after_an_unresolved_batch_bumps_the_epoch) {
    producer_batch& a = send(tp0, 5);
    producer_batch& b = send(tp0, 3);
    producer_batch& c = send(tp0, 2);
    seq.on_expired(a);
    // b is the batch right after the expired one: a's fate is now known (lost).
    EXPECT_EQ(fail(b, broker_errc::out_of_order_sequence_number), batch_verdict::retry);
    EXPECT_TRUE(seq.epoch_bump_pending());
    seq.bump_epoch_if_needed();
    EXPECT_FALSE(seq.has_unresolved_sequence(tp0));
    seq.sync(b);
    seq.sync(c);
    EXPECT_EQ(b.base_sequence(), 0);
    EXPECT_EQ(c.base_sequence(), 3);
}

TEST_F(sequence_tracker_test, new_batches_wait_for_batches_in_flight_under_an_older_epoch) {
    producer_batch& a = send(tp0, 5);
    producer_batch& b = send(tp1, 2);
    seq.on_success(a, 0);
    producer_batch& a2 = send(tp0, 1);
    EXPECT_EQ(fail(a2, broker_errc::out_of_order_sequence_number), batch_verdict::retry);
    seq.bump_epoch_if_needed();
    producer_batch& next_b = batch(tp1, 1);
    EXPECT_FALSE(seq.can_drain(next_b));  // b is still in flight under epoch 5
    seq.on_success(b, 0);
    EXPECT_TRUE(seq.can_drain(next_b));
    seq.assign(next_b);
    EXPECT_EQ(next_b.base_sequence(), 0);
    EXPECT_EQ(next_b.producer_epoch(), 6);
}

TEST_F(sequence_tracker_test, a_fatal_error_stops_all_draining) {
    producer_batch& a = send(tp0, 5);
    EXPECT_EQ(fail(a, broker_errc::producer_fenced), batch_verdict::fail);
    EXPECT_EQ(seq.fatal_error(), err(broker_errc::producer_fenced));
    EXPECT_FALSE(seq.can_drain(batch(tp1, 1)));
    EXPECT_FALSE(seq.needs_producer_id());
    EXPECT_FALSE(seq.bump_epoch_if_needed());
}

TEST_F(sequence_tracker_test, an_exhausted_epoch_takes_a_new_producer_id) {
    seq.set_producer_id({1000, INT16_MAX});
    producer_batch& a = send(tp0, 5);
    producer_batch& b = send(tp0, 3);
    seq.on_success(a, 0);
    EXPECT_EQ(fail(b, broker_errc::out_of_order_sequence_number), batch_verdict::retry);
    EXPECT_TRUE(seq.bump_epoch_if_needed());  // InitProducerId needed
    EXPECT_FALSE(seq.can_drain(b));
    seq.set_producer_id({2000, 0});
    seq.sync(b);
    EXPECT_EQ(b.producer_id(), 2000);
    EXPECT_EQ(b.producer_epoch(), 0);
    EXPECT_EQ(b.base_sequence(), 0);
    EXPECT_TRUE(seq.can_drain(b));
}

TEST_F(sequence_tracker_test, a_rewrite_reaches_a_batch_held_back_by_its_owner_and_forgets_nothing_when_it_is_gone) {
    producer_batch& a = send(tp0, 5);
    producer_batch& b = send(tp0, 3);
    seq.on_success(a, 0);
    EXPECT_EQ(fail(b, broker_errc::out_of_order_sequence_number), batch_verdict::retry);
    seq.bump_epoch_if_needed();
    // b is owned elsewhere (queued for its retry); the tracker holds only its id and state.
    EXPECT_EQ(b.producer_epoch(), 5);
    EXPECT_TRUE(seq.can_drain(b));  // takes the new state first
    EXPECT_EQ(b.producer_epoch(), 6);
    EXPECT_EQ(b.base_sequence(), 0);
    EXPECT_TRUE(b.sequence_reset());
    // Its owner drops it (expired): the tracker keeps nothing that could point at it.
    seq.on_expired(b);
    EXPECT_EQ(seq.in_flight(tp0), 0u);
    batches.clear();
    seq.maybe_resolve_sequences();
    seq.bump_epoch_if_needed();
    EXPECT_EQ(send(tp0, 1).base_sequence(), 0);
}

TEST_F(sequence_tracker_test, a_forgotten_partition_still_gives_its_batches_in_flight_the_state_they_were_due) {
    producer_batch& a = send(tp0, 5);
    producer_batch& b = send(tp0, 3);
    producer_batch& c = send(tp0, 2);
    seq.on_success(a, 0);
    EXPECT_EQ(fail(b, broker_errc::out_of_order_sequence_number), batch_verdict::retry);
    seq.bump_epoch_if_needed();  // c is due sequence 3 under epoch 6, not yet taken
    // b then runs out of attempts on UNKNOWN_PRODUCER_ID: the partition is forgotten.
    EXPECT_EQ(fail(b, broker_errc::unknown_producer_id, false, 0), batch_verdict::fail);
    EXPECT_EQ(seq.in_flight(tp0), 0u);
    seq.sync(c);
    EXPECT_EQ(c.producer_epoch(), 6);
    EXPECT_EQ(c.base_sequence(), 3);
    EXPECT_TRUE(c.sequence_reset());
}

}  // namespace
}  // namespace kasio::detail::producer

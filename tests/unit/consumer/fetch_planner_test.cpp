// fetch_planner, sans-io: assignment and auto.offset.reset, seek generations, pause, fetching
// ahead of poll while responses are buffered.
#include "consumer/fetch_planner.hpp"

#include <kasio/broker_errc.hpp>

#include <gtest/gtest.h>

namespace kasio::consumer_detail {
namespace {

const topic_partition t0{"t", 0};
const topic_partition t1{"t", 1};

TEST(fetch_planner, new_partitions_wait_for_a_reset_to_the_policy) {
    fetch_planner p(offset_reset::earliest);
    p.assign({t0});
    const auto* s = p.find(t0);
    ASSERT_NE(s, nullptr);
    EXPECT_TRUE(s->reset_pending);
    EXPECT_EQ(s->reset_timestamp, earliest_timestamp);
    EXPECT_FALSE(p.fetchable(*s, clock::now()));
    EXPECT_TRUE(p.needs_list_offsets(*s, clock::now()));
    fetch_planner latest(offset_reset::latest);
    latest.assign({t0});
    EXPECT_EQ(latest.find(t0)->reset_timestamp, latest_timestamp);
}

TEST(fetch_planner, reset_none_reports_offset_out_of_range_until_a_seek) {
    fetch_planner p(offset_reset::none);
    p.assign({t0});
    auto* s = p.find(t0);
    EXPECT_EQ(s->error, broker_errc::offset_out_of_range);
    EXPECT_TRUE(s->error_sticky);
    EXPECT_FALSE(p.needs_list_offsets(*s, clock::now()));
    p.seek(t0, 42);
    EXPECT_FALSE(s->error);
    EXPECT_TRUE(p.fetchable(*s, clock::now()));
    p.out_of_range(t0);
    EXPECT_EQ(s->error, broker_errc::offset_out_of_range);
}

TEST(fetch_planner, out_of_range_resets_with_the_policy_and_drops_old_data) {
    fetch_planner p(offset_reset::earliest);
    p.assign({t0});
    p.seek(t0, 100);
    auto* s = p.find(t0);
    const auto gen = s->generation;
    fetch_planner::buffered_response(*s, 150);
    p.out_of_range(t0);
    EXPECT_TRUE(s->reset_pending);
    EXPECT_EQ(s->reset_timestamp, earliest_timestamp);
    EXPECT_EQ(s->buffered, 0u);
    EXPECT_EQ(s->fetch_offset, -1);
    EXPECT_GT(s->generation, gen);
}

TEST(fetch_planner, seek_bumps_the_generation_and_keeps_other_partitions) {
    fetch_planner p(offset_reset::latest);
    p.assign({t0, t1});
    p.seek(t0, 5);
    const auto gen = p.find(t0)->generation;
    p.seek(t0, 7);
    EXPECT_GT(p.find(t0)->generation, gen);
    EXPECT_EQ(p.find(t0)->position, 7);
    p.assign({t0});  // t0 stays with its position; t1 goes
    EXPECT_EQ(p.find(t0)->position, 7);
    EXPECT_EQ(p.find(t1), nullptr);
}

TEST(fetch_planner, paused_partitions_are_not_fetched_and_lose_their_buffered_data) {
    fetch_planner p(offset_reset::latest);
    p.assign({t0});
    p.seek(t0, 5);
    auto* s = p.find(t0);
    fetch_planner::buffered_response(*s, 9);
    const auto gen = s->generation;
    p.pause(t0, true);
    EXPECT_EQ(s->buffered, 0u);
    EXPECT_GT(s->generation, gen);
    EXPECT_FALSE(p.fetchable(*s, clock::now()));
    p.pause(t0, false);
    EXPECT_TRUE(p.fetchable(*s, clock::now()));
    EXPECT_EQ(s->position, 5);
    EXPECT_EQ(s->fetch_offset, 5);  // fetched again from the position
}

TEST(fetch_planner, a_partition_backing_off_is_fetchable_only_afterwards) {
    fetch_planner p(offset_reset::latest);
    p.assign({t0});
    p.seek(t0, 0);
    auto* s = p.find(t0);
    const auto now = clock::now();
    s->retry_after = now + std::chrono::milliseconds(100);
    EXPECT_FALSE(p.fetchable(*s, now));
    EXPECT_TRUE(p.fetchable(*s, now + std::chrono::milliseconds(100)));
}

// A Fetch naming only drained partitions waits fetch.max.wait.ms at a broker when they are at
// their end, while the others' data waits: partitions are fetched on while responses are buffered.
TEST(fetch_planner, a_partition_is_fetched_on_from_the_end_of_its_buffered_responses) {
    fetch_planner p(offset_reset::latest);
    p.assign({t0});
    p.seek(t0, 5);
    auto* s = p.find(t0);
    EXPECT_EQ(s->fetch_offset, 5);
    fetch_planner::buffered_response(*s, 20);
    fetch_planner::buffered_response(*s, 31);
    EXPECT_EQ(s->buffered, 2u);
    EXPECT_TRUE(p.fetchable(*s, clock::now()));
    EXPECT_EQ(s->fetch_offset, 31);
    EXPECT_EQ(s->position, 5);  // poll moves the position, fetches do not
    s->position = 20;
    fetch_planner::consumed_response(*s);
    s->position = 31;
    fetch_planner::consumed_response(*s);
    EXPECT_EQ(s->buffered, 0u);
    EXPECT_EQ(s->fetch_offset, 31);
    EXPECT_TRUE(p.fetchable(*s, clock::now()));
}

TEST(fetch_planner, a_response_whose_end_is_unknown_stops_fetching_until_poll_has_read_it) {
    fetch_planner p(offset_reset::latest);
    p.assign({t0});
    p.seek(t0, 5);
    auto* s = p.find(t0);
    fetch_planner::buffered_response(*s, 12);
    fetch_planner::buffered_response(*s, -1);  // e.g. one batch larger than the fetch allowed
    EXPECT_FALSE(p.fetchable(*s, clock::now()));
    s->position = 12;
    fetch_planner::consumed_response(*s);
    EXPECT_FALSE(p.fetchable(*s, clock::now()));
    s->position = 14;
    fetch_planner::consumed_response(*s);
    EXPECT_TRUE(p.fetchable(*s, clock::now()));
    EXPECT_EQ(s->fetch_offset, 14);
}

TEST(fetch_planner, restart_drops_buffered_responses_and_fetches_from_the_position) {
    fetch_planner p(offset_reset::latest);
    p.assign({t0, t1});
    p.seek(t0, 5);
    p.seek(t1, 7);
    auto* s = p.find(t0);
    fetch_planner::buffered_response(*s, 20);
    fetch_planner::buffered_response(*s, 30);
    fetch_planner::buffered_response(*p.find(t1), 9);
    const auto gen = s->generation;
    s->position = 11;  // poll read part of the first response
    fetch_planner::restart(*s);
    EXPECT_GT(s->generation, gen);  // the buffered responses are stale now
    EXPECT_EQ(s->buffered, 0u);
    EXPECT_EQ(s->fetch_offset, 11);
    EXPECT_EQ(s->position, 11);
    EXPECT_EQ(p.find(t1)->buffered, 1u);
    EXPECT_EQ(p.find(t1)->fetch_offset, 9);
}

TEST(fetch_planner, seek_and_reset_drop_buffered_responses) {
    fetch_planner p(offset_reset::latest);
    p.assign({t0});
    p.seek(t0, 5);
    auto* s = p.find(t0);
    fetch_planner::buffered_response(*s, 20);
    p.seek(t0, 100);
    EXPECT_EQ(s->buffered, 0u);
    EXPECT_EQ(s->fetch_offset, 100);
    fetch_planner::buffered_response(*s, 120);
    p.request_reset(t0, earliest_timestamp);
    EXPECT_EQ(s->buffered, 0u);
    EXPECT_EQ(s->fetch_offset, -1);
    EXPECT_FALSE(p.fetchable(*s, clock::now()));
}

}  // namespace
}  // namespace kasio::consumer_detail

#pragma once
// What both membership loops do to the member's partitions: the classic protocol's
// (group_member.cpp) and KIP-848's (consumer_member.cpp). runs on: pool strand.
#include "consumer/consumer_access.hpp"

#include <kasio/topic_partition.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <vector>

namespace kasio::consumer_detail {

/// Orders partitions by topic, then partition (the order `owned` is kept in).
bool tp_less(const topic_partition& a, const topic_partition& b);
/// a minus b; both sorted by tp_less.
std::vector<topic_partition> minus(const std::vector<topic_partition>& a, const std::vector<topic_partition>& b);
/// Stops returning records of `parts`, commits their positions (enable.auto.commit), tells the
/// application and drops them from the assignment.
boost::asio::awaitable<void> revoke(std::shared_ptr<consumer_impl> self, std::vector<topic_partition> parts);
/// A poll is waiting for records (max.poll.interval.ms: it counts as polling, as Java's poll()
/// keeps the member alive while it blocks).
bool poll_waiting(consumer_impl& self);
/// max.poll.interval.ms: the application has not polled for that long (a poll waiting for
/// records counts as polling: the interval starts again). `last_poll`: the last poll's start.
bool poll_interval_expired(consumer_impl& self, std::chrono::steady_clock::time_point now,
                           std::chrono::steady_clock::time_point last_poll);
/// enable.auto.commit: once auto.commit.interval.ms has passed, commits every position in a
/// coroutine of its own (a failure is logged and kept for last_error()). False when automatic
/// commits are off (the loop need not wake for them).
bool auto_commit_if_due(consumer_impl& self, std::chrono::steady_clock::time_point now);
/// Copies what membership() reports (under the mutex: any thread reads it).
void publish(consumer_impl& self);
/// The partitions are gone without a rebalance (the member was fenced or dropped): the
/// application must not commit them. Clears the member id and generation; on_lost.
void lose(consumer_impl& self);
/// Takes `added` into the assignment at their committed offsets (the planner, metadata), tells
/// the application (on_assigned, waiting for a coroutine listener) and starts fetching them.
/// operation_aborted when the member stopped meanwhile; an OffsetFetch error as is.
boost::asio::awaitable<error_code> acquire(std::shared_ptr<consumer_impl> self, std::vector<topic_partition> added,
                                           std::vector<topic_partition> assignment);

/// group.protocol=consumer: the membership loop (consumer_member.cpp), run in place of the
/// classic one by consumer::impl::group_loop.
boost::asio::awaitable<void> heartbeat_loop(std::shared_ptr<consumer_impl> self);
/// group.protocol=consumer: revokes everything (committing first when enable.auto.commit) and
/// leaves with epoch -1, or -2 for a static member (it keeps its assignment for the session
/// timeout, as a classic static member that does not send LeaveGroup).
boost::asio::awaitable<void> leave_consumer_group(std::shared_ptr<consumer_impl> self);

}  // namespace kasio::consumer_detail

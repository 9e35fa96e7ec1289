// Fetch sessions (KIP-227), sans-io: full and incremental requests, and the ways a session ends.
#include "consumer/fetch_session.hpp"

#include <kasio/broker_errc.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace kasio::consumer_detail {
namespace {

fetch_partition_request part(int p, std::int64_t offset) {
    fetch_partition_request r;
    r.tp = {"t", p};
    r.fetch_offset = offset;
    r.max_bytes = 1000;
    return r;
}

std::vector<int> ids(const std::vector<fetch_partition_request>& v) {
    std::vector<int> out;
    for (const auto& p : v) out.push_back(p.tp.partition);
    std::sort(out.begin(), out.end());
    return out;
}

TEST(fetch_session, first_request_is_full_and_asks_for_a_session) {
    fetch_session s;
    auto r = s.build({part(0, 5), part(1, 7)});
    EXPECT_TRUE(r.full);
    EXPECT_EQ(r.session_id, 0);
    EXPECT_EQ(r.epoch, 0);
    EXPECT_EQ(ids(r.partitions), (std::vector<int>{0, 1}));
    EXPECT_TRUE(r.forgotten.empty());
}

TEST(fetch_session, broker_without_sessions_keeps_full_requests_with_session_id_0) {
    fetch_session s;
    s.build({part(0, 5), part(1, 7)});
    s.on_response({}, 0);  // what librdkafka's mock answers: no session
    EXPECT_FALSE(s.incremental());
    auto r = s.build({part(0, 5), part(1, 7)});
    EXPECT_TRUE(r.full);
    EXPECT_EQ(r.session_id, 0);
    EXPECT_EQ(r.epoch, 0);
    EXPECT_EQ(ids(r.partitions), (std::vector<int>{0, 1}));
}

TEST(fetch_session, granted_session_sends_only_changed_partitions_and_forgets_removed_ones) {
    fetch_session s;
    s.build({part(0, 5), part(1, 7), part(2, 9)});
    s.on_response({}, 1234);
    ASSERT_TRUE(s.incremental());
    // Partition 0 advanced, 1 unchanged, 2 left (buffered or paused), 3 is new.
    auto r = s.build({part(0, 6), part(1, 7), part(3, 0)});
    EXPECT_FALSE(r.full);
    EXPECT_EQ(r.session_id, 1234);
    EXPECT_EQ(r.epoch, 1);
    EXPECT_EQ(ids(r.partitions), (std::vector<int>{0, 3}));
    EXPECT_EQ(ids(r.forgotten), (std::vector<int>{2}));
    s.on_response({}, 1234);
    EXPECT_EQ(s.epoch(), 2);
    EXPECT_EQ(s.session_size(), 3u);
    // Nothing changed: an empty incremental request (the broker answers for the session).
    auto r2 = s.build({part(0, 6), part(1, 7), part(3, 0)});
    EXPECT_TRUE(r2.partitions.empty());
    EXPECT_TRUE(r2.forgotten.empty());
    EXPECT_EQ(r2.epoch, 2);
}

TEST(fetch_session, a_changed_leader_epoch_or_max_bytes_resends_the_partition) {
    fetch_session s;
    s.build({part(0, 5), part(1, 7)});
    s.on_response({}, 99);
    auto p0 = part(0, 5);
    p0.leader_epoch = 3;
    auto p1 = part(1, 7);
    p1.max_bytes = 2000;
    auto r = s.build({p0, p1});
    EXPECT_EQ(ids(r.partitions), (std::vector<int>{0, 1}));
}

TEST(fetch_session, session_id_not_found_starts_a_new_session_from_scratch) {
    fetch_session s;
    s.build({part(0, 5)});
    s.on_response({}, 42);
    s.build({part(0, 6)});
    s.on_response(broker_errc::fetch_session_id_not_found, 0);
    auto r = s.build({part(0, 6)});
    EXPECT_TRUE(r.full);
    EXPECT_EQ(r.session_id, 0);
    EXPECT_EQ(r.epoch, 0);
}

TEST(fetch_session, invalid_epoch_closes_the_session_and_asks_for_a_new_one) {
    fetch_session s;
    s.build({part(0, 5)});
    s.on_response({}, 42);
    s.build({part(0, 6)});
    s.on_response(broker_errc::invalid_fetch_session_epoch, 42);
    auto r = s.build({part(0, 6)});
    EXPECT_TRUE(r.full);
    EXPECT_EQ(r.session_id, 42);  // epoch 0 on the old id: close it, make a new one
    EXPECT_EQ(r.epoch, 0);
    EXPECT_EQ(ids(r.partitions), (std::vector<int>{0}));
}

TEST(fetch_session, lost_response_makes_the_next_request_full) {
    fetch_session s;
    s.build({part(0, 5)});
    s.on_response({}, 42);
    s.build({part(0, 6)});
    s.on_failure();
    auto r = s.build({part(0, 6)});
    EXPECT_TRUE(r.full);
    EXPECT_EQ(r.epoch, 0);
}

TEST(fetch_session, epoch_follows_each_incremental_response_and_a_changed_id_resets) {
    fetch_session s;
    s.build({part(0, 5)});
    s.on_response({}, 42);
    for (int i = 0; i < 3; ++i) {
        s.build({part(0, 5)});
        s.on_response({}, 42);
    }
    EXPECT_EQ(s.epoch(), 4);
    s.build({part(0, 5)});
    s.on_response({}, 43);  // not ours: start over
    EXPECT_FALSE(s.incremental());
}

}  // namespace
}  // namespace kasio::consumer_detail

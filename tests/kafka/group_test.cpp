// Consumer groups on the real cluster, kasio and the Java client in one group: two kasio members
// and a Java member share a topic under range, roundrobin and cooperative-sticky through a
// leave, a join, the Java member SIGKILLed (the coordinator drops it after session.timeout.ms)
// and the group coordinator's broker killed. Every record is processed at least once, no
// partition is owned by two members at once, and the commits land. A static member
// (group.instance.id) that restarts within the session timeout gets its partitions back
// without a rebalance.
#include "group_support.hpp"
#include "kafka_cluster.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace kasio::test::kafka {
namespace {

constexpr int partitions = 6;
constexpr std::size_t wave = 2000;

class group_real_kafka : public ::testing::TestWithParam<const char*> {};

TEST_P(group_real_kafka, kasio_and_java_members_share_partitions_through_leave_join_kill_and_coordinator_loss) {
    const std::string assignor = GetParam();
    const std::string topic = unique_topic(std::string("group-") + assignor);
    const std::string group = topic + "-g";
    create_topic(topic, partitions);
    cluster_restorer restore;
    group_world w(topic, partitions);

    w.add_kasio("kasio-a", group, assignor);
    w.add_kasio("kasio-b", group, assignor);
    w.add_java("java", group, assignor);
    ASSERT_TRUE(w.wait_owners({"kasio-a", "kasio-b", "java"})) << w.describe();
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();

    // A member leaves: the other two take its partitions.
    w.close_kasio("kasio-b");
    ASSERT_TRUE(w.wait_owners({"kasio-a", "java"})) << w.describe();
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();

    // A member joins.
    w.add_kasio("kasio-c", group, assignor);
    ASSERT_TRUE(w.wait_owners({"kasio-a", "kasio-c", "java"})) << w.describe();
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();

    // The Java member is SIGKILLed: its partitions move once its session times out.
    w.kill_java("java");
    ASSERT_TRUE(w.wait_owners({"kasio-a", "kasio-c"})) << w.describe();
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();

    // The coordinator's broker is killed: the group moves to another broker and goes on.
    const int coordinator = w.coordinator(group);
    ASSERT_GT(coordinator, 0);
    broker_action("kill", coordinator);
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();
    broker_action("start-broker", coordinator);
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();

    w.close_all();
    EXPECT_EQ(w.double_ownerships(), 0u) << w.describe();
    EXPECT_EQ(w.unprocessed(), 0u);
    // Commits land: what the group committed is the end of every partition.
    const auto committed = w.committed(group);
    const auto ends = w.end_offsets();
    EXPECT_EQ(committed, ends) << w.describe();
    std::cout << assignor << ": " << w.summary() << "\n";
    if (std::getenv("KASIO_TEST_VERBOSE")) std::cout << w.describe();
}

INSTANTIATE_TEST_SUITE_P(assignors, group_real_kafka, ::testing::Values("range", "roundrobin", "cooperative-sticky"));

TEST(group_real_kafka_static, static_member_restarting_within_the_session_timeout_causes_no_rebalance) {
    const std::string topic = unique_topic("static");
    const std::string group = topic + "-g";
    create_topic(topic, partitions);
    group_world w(topic, partitions);
    w.add_java("java", group, "range");
    w.add_kasio("kasio-static", group, "range", "instance-1");
    ASSERT_TRUE(w.wait_owners({"kasio-static", "java"})) << w.describe();
    const auto before = w.owned_by("kasio-static");
    const std::size_t java_events = w.assignment_events("java");

    // Closing a static member does not leave the group; the same instance id comes back.
    w.close_kasio("kasio-static");
    w.add_kasio("kasio-static-2", group, "range", "instance-1");
    ASSERT_TRUE(w.wait_owners({"kasio-static-2", "java"})) << w.describe();
    EXPECT_EQ(w.owned_by("kasio-static-2"), before);
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();
    // The Java member saw no revocation or new assignment: no rebalance happened.
    EXPECT_EQ(w.assignment_events("java"), java_events) << w.describe();
    w.close_all();
}

}  // namespace
}  // namespace kasio::test::kafka

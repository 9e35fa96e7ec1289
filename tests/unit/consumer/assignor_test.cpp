// The partition assignors: the examples documented in the Java client's javadoc, and for
// cooperative-sticky, balance / stickiness / cooperation properties over seeded random groups
// whose members join and leave.
#include "consumer/group/assignor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <set>

namespace kasio::consumer_detail {
namespace {

using parts = std::vector<topic_partition>;

topic_partition tp(std::string topic, std::int32_t p) {
    return {std::move(topic), p};
}

member_subscription member(std::string id, std::vector<std::string> topics) {
    member_subscription m;
    m.member_id = std::move(id);
    m.topics = std::move(topics);
    return m;
}

group_assignment run(std::string_view name, const topic_partition_counts& counts,
                     const std::vector<member_subscription>& members) {
    auto a = make_assignor(name);
    EXPECT_NE(a, nullptr) << name;
    return a ? a->assign(counts, members) : group_assignment{};
}

double test_scale() {
    const char* s = std::getenv("KASIO_TEST_SCALE");
    const double v = s ? std::atof(s) : 1.0;
    return v > 0 ? v : 1.0;
}

TEST(assignor, names_and_java_class_names_are_accepted) {
    for (auto [name, expect, coop] : {std::tuple{"range", "range", false},
                                      {"org.apache.kafka.clients.consumer.RangeAssignor", "range", false},
                                      {"roundrobin", "roundrobin", false},
                                      {"org.apache.kafka.clients.consumer.RoundRobinAssignor", "roundrobin", false},
                                      {"cooperative-sticky", "cooperative-sticky", true},
                                      {"org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
                                       "cooperative-sticky", true}}) {
        auto a = make_assignor(name);
        ASSERT_NE(a, nullptr) << name;
        EXPECT_EQ(a->name(), expect);
        EXPECT_EQ(a->cooperative(), coop);
    }
    EXPECT_EQ(make_assignor("sticky"), nullptr);
    EXPECT_EQ(make_assignor(""), nullptr);
}

TEST(assignor, range_javadoc_example) {
    const auto out = run("range", {{"t0", 3}, {"t1", 3}}, {member("C0", {"t0", "t1"}), member("C1", {"t0", "t1"})});
    EXPECT_EQ(out.at("C0"), (parts{tp("t0", 0), tp("t0", 1), tp("t1", 0), tp("t1", 1)}));
    EXPECT_EQ(out.at("C1"), (parts{tp("t0", 2), tp("t1", 2)}));
}

TEST(assignor, range_puts_static_members_first_by_instance_id) {
    member_subscription a = member("a", {"t"});
    member_subscription z = member("z", {"t"});
    z.group_instance_id = "i0";  // static: ordered before every dynamic member
    const auto out = run("range", {{"t", 3}}, {a, z});
    EXPECT_EQ(out.at("z"), (parts{tp("t", 0), tp("t", 1)}));
    EXPECT_EQ(out.at("a"), (parts{tp("t", 2)}));
}

TEST(assignor, range_splits_each_topic_among_its_subscribers) {
    const auto out = run("range", {{"t0", 5}, {"t1", 2}, {"gone", 4}},
                         {member("A", {"t0"}), member("B", {"t0", "t1"}), member("C", {"t1", "missing"})});
    EXPECT_EQ(out.at("A"), (parts{tp("t0", 0), tp("t0", 1), tp("t0", 2)}));
    EXPECT_EQ(out.at("B"), (parts{tp("t0", 3), tp("t0", 4), tp("t1", 0)}));
    EXPECT_EQ(out.at("C"), (parts{tp("t1", 1)}));
}

TEST(assignor, roundrobin_javadoc_example) {
    const auto out =
        run("roundrobin", {{"t0", 3}, {"t1", 3}}, {member("C1", {"t0", "t1"}), member("C0", {"t0", "t1"})});
    EXPECT_EQ(out.at("C0"), (parts{tp("t0", 0), tp("t0", 2), tp("t1", 1)}));
    EXPECT_EQ(out.at("C1"), (parts{tp("t0", 1), tp("t1", 0), tp("t1", 2)}));
}

TEST(assignor, roundrobin_javadoc_unequal_subscriptions_example) {
    const auto out = run("roundrobin", {{"t0", 1}, {"t1", 2}, {"t2", 3}},
                         {member("C0", {"t0"}), member("C1", {"t0", "t1"}), member("C2", {"t0", "t1", "t2"})});
    EXPECT_EQ(out.at("C0"), (parts{tp("t0", 0)}));
    EXPECT_EQ(out.at("C1"), (parts{tp("t1", 0)}));
    EXPECT_EQ(out.at("C2"), (parts{tp("t1", 1), tp("t2", 0), tp("t2", 1), tp("t2", 2)}));
}

TEST(assignor, every_member_appears_even_without_partitions) {
    for (const char* name : {"range", "roundrobin", "cooperative-sticky"}) {
        const auto out = run(name, {{"t", 1}}, {member("a", {"t"}), member("b", {"t"}), member("c", {"unknown"})});
        EXPECT_EQ(out.size(), 3u) << name;
        EXPECT_EQ(out.at("a").size() + out.at("b").size(), 1u) << name;
        EXPECT_TRUE(out.at("c").empty()) << name;
    }
    EXPECT_TRUE(run("roundrobin", {{"t", 4}}, {}).empty());
}

TEST(assignor, cooperative_sticky_first_assignment_is_balanced) {
    const auto out = run("cooperative-sticky", {{"t0", 3}, {"t1", 3}},
                         {member("C0", {"t0", "t1"}), member("C1", {"t0", "t1"})});
    EXPECT_EQ(out.at("C0").size(), 3u);
    EXPECT_EQ(out.at("C1").size(), 3u);
}

TEST(assignor, cooperative_sticky_new_member_gets_partitions_after_the_owner_revokes) {
    member_subscription a = member("A", {"t"});
    a.owned_partitions = {tp("t", 0), tp("t", 1), tp("t", 2), tp("t", 3)};
    a.generation = 3;
    member_subscription b = member("B", {"t"});
    auto out = run("cooperative-sticky", {{"t", 4}}, {a, b});
    // A keeps two; the two moving to B are held back until A has revoked them.
    EXPECT_EQ(out.at("A").size(), 2u);
    EXPECT_TRUE(out.at("B").empty());

    a.owned_partitions = out.at("A");
    a.generation = b.generation = 4;
    out = run("cooperative-sticky", {{"t", 4}}, {a, b});
    EXPECT_EQ(out.at("A"), a.owned_partitions);
    EXPECT_EQ(out.at("B").size(), 2u);
}

TEST(assignor, cooperative_sticky_ignores_claims_of_an_older_generation) {
    member_subscription stale = member("A", {"t"});  // missed a rebalance, still lists p0 and p1
    stale.owned_partitions = {tp("t", 0), tp("t", 1)};
    stale.generation = 4;
    member_subscription fresh = member("B", {"t"});
    fresh.owned_partitions = {tp("t", 1)};
    fresh.generation = 5;
    const auto out = run("cooperative-sticky", {{"t", 2}}, {stale, fresh});
    EXPECT_EQ(out.at("B"), (parts{tp("t", 1)}));  // the newer claim wins
    EXPECT_EQ(out.at("A"), (parts{tp("t", 0)}));
}

TEST(assignor, cooperative_sticky_withholds_partitions_claimed_twice_in_one_generation) {
    member_subscription a = member("A", {"t"});
    member_subscription b = member("B", {"t"});
    a.owned_partitions = b.owned_partitions = {tp("t", 0)};
    a.generation = b.generation = 2;
    const auto out = run("cooperative-sticky", {{"t", 2}}, {a, b});
    // Whoever gets t-0 does not hold it alone: the other claimant must revoke first.
    for (const auto& [id, list] : out)
        EXPECT_EQ(std::count(list.begin(), list.end(), tp("t", 0)), 0) << id;
}

// ---- randomized cooperative-sticky groups ---------------------------------------------------

/// A group whose members apply each cooperative assignment (they own what they are given) and
/// rejoin. Checks every round's result.
class sticky_group {
public:
    explicit sticky_group(std::mt19937_64& g) : g_(g) {}

    topic_partition_counts counts;
    std::vector<member_subscription> members;
    bool equal_subscriptions = true;

    void add_member() {
        member_subscription m = member("m" + std::to_string(next_id_++), {});
        for (const auto& entry : counts)
            if (equal_subscriptions || g_() % 2 == 0) m.topics.push_back(entry.first);
        if (m.topics.empty()) m.topics.push_back(counts.begin()->first);
        m.generation = generation_;
        members.push_back(std::move(m));
    }

    void remove_member() {
        if (members.size() > 1) members.erase(members.begin() + static_cast<std::ptrdiff_t>(g_() % members.size()));
    }

    /// One rebalance; returns how many partitions were left out (held back for revocation).
    std::size_t rebalance() {
        const group_assignment out = run("cooperative-sticky", counts, members);
        check(out);
        std::size_t assigned = 0;
        for (const auto& entry : out) assigned += entry.second.size();
        ++generation_;
        previous_.clear();
        for (member_subscription& m : members) {
            previous_[m.member_id] = m.owned_partitions;
            m.owned_partitions = out.at(m.member_id);
            m.generation = generation_;
        }
        return total_partitions() - assigned;
    }

    std::size_t total_partitions() const {
        std::set<std::string> subscribed;
        for (const auto& m : members) subscribed.insert(m.topics.begin(), m.topics.end());
        std::size_t n = 0;
        for (const auto& [topic, count] : counts) n += subscribed.count(topic) ? static_cast<std::size_t>(count) : 0;
        return n;
    }

    /// One member missed the last rebalance: it still lists what it owned before, with the
    /// generation it had then (its claims must lose to newer ones).
    void miss_last_rebalance() {
        if (previous_.empty()) return;
        const std::size_t i = g_() % members.size();
        auto it = previous_.find(members[i].member_id);
        if (it == previous_.end()) return;
        members[i].owned_partitions = it->second;
        members[i].generation = generation_ - 1;
    }

    /// Partitions can grow (never shrink, as in Kafka).
    void grow_topic() {
        auto it = counts.begin();
        std::advance(it, static_cast<std::ptrdiff_t>(g_() % counts.size()));
        it->second += static_cast<std::int32_t>(1 + g_() % 4);
    }

private:
    void check(const group_assignment& out) {
        ASSERT_EQ(out.size(), members.size());
        std::map<std::pair<std::string, std::int32_t>, std::string> holder;
        for (const member_subscription& m : members) {
            const parts& list = out.at(m.member_id);
            for (const topic_partition& p : list) {
                // Assigned once, to a subscriber, and existing.
                ASSERT_TRUE(holder.emplace(std::pair{p.topic, p.partition}, m.member_id).second) << p.topic << p.partition;
                ASSERT_TRUE(std::count(m.topics.begin(), m.topics.end(), p.topic));
                ASSERT_LT(p.partition, counts.at(p.topic));
            }
        }
        // Cooperative: nothing another member owns is handed over in the same round.
        for (const member_subscription& m : members)
            for (const topic_partition& p : m.owned_partitions) {
                auto it = holder.find({p.topic, p.partition});
                ASSERT_TRUE(it == holder.end() || it->second == m.member_id)
                    << p.topic << "-" << p.partition << " owned by " << m.member_id << " given to " << it->second;
            }
        if (!equal_subscriptions) return;
        // Sticky: owners lose no more partitions than the balanced quotas force. The best any
        // assignor can keep: the (total % members) members owning most may keep quota + 1.
        const std::size_t total = total_partitions();
        const std::size_t base = total / members.size(), extra = total % members.size();
        std::vector<std::size_t> owned;
        std::size_t lost = 0;
        for (const auto& [id, valid] : valid_claims()) {
            owned.push_back(valid.size());
            const parts& list = out.at(id);
            for (const topic_partition& p : valid) lost += std::find(list.begin(), list.end(), p) == list.end();
        }
        std::sort(owned.rbegin(), owned.rend());
        std::size_t best_lost = 0;
        for (std::size_t i = 0; i < owned.size(); ++i) {
            const std::size_t quota = base + (i < extra ? 1 : 0);
            best_lost += owned[i] > quota ? owned[i] - quota : 0;
        }
        EXPECT_EQ(lost, best_lost);
    }

    /// The claims that count (the newest generation's sole claimant), by member.
    std::map<std::string, parts> valid_claims() const {
        std::map<std::pair<std::string, std::int32_t>, std::vector<const member_subscription*>> claimants;
        for (const member_subscription& m : members)
            for (const topic_partition& p : m.owned_partitions) claimants[{p.topic, p.partition}].push_back(&m);
        std::map<std::string, parts> out;
        for (const member_subscription& m : members) out[m.member_id];
        for (const auto& entry : claimants) {
            std::int32_t newest = -1;
            for (const member_subscription* m : entry.second) newest = std::max(newest, m->generation);
            const member_subscription* owner = nullptr;
            int at_newest = 0;
            for (const member_subscription* m : entry.second)
                if (m->generation == newest) {
                    owner = m;
                    ++at_newest;
                }
            if (at_newest == 1) out[owner->member_id].push_back({entry.first.first, entry.first.second});
        }
        return out;
    }

    std::mt19937_64& g_;
    std::map<std::string, parts> previous_;  // what each member owned before the last rebalance
    int next_id_ = 0;
    std::int32_t generation_ = 1;
};

std::size_t min_count(const std::vector<member_subscription>& ms) {
    std::size_t n = SIZE_MAX;
    for (const auto& m : ms) n = std::min(n, m.owned_partitions.size());
    return n;
}
std::size_t max_count(const std::vector<member_subscription>& ms) {
    std::size_t n = 0;
    for (const auto& m : ms) n = std::max(n, m.owned_partitions.size());
    return n;
}

TEST(assignor, cooperative_sticky_random_groups_stay_balanced_and_sticky) {
    std::mt19937_64 g(20261123);
    const int scenarios = std::max(20, static_cast<int>(300 * test_scale()));
    for (int s = 0; s < scenarios; ++s) {
        SCOPED_TRACE("scenario " + std::to_string(s));
        sticky_group grp(g);
        for (int t = 0, topics = 1 + static_cast<int>(g() % 4); t < topics; ++t)
            grp.counts["t" + std::to_string(t)] = static_cast<std::int32_t>(1 + g() % 12);
        for (int m = 0, n = 1 + static_cast<int>(g() % 6); m < n; ++m) grp.add_member();
        for (int event = 0; event < 5; ++event) {
            const auto kind = g() % 5;
            switch (kind) {
            case 0: grp.add_member(); break;
            case 1: grp.remove_member(); break;
            case 2: grp.grow_topic(); break;
            case 3: grp.miss_last_rebalance(); break;
            default:
                grp.add_member();
                grp.remove_member();
            }
            grp.rebalance();  // the adjusted round: moves are held back
            if (::testing::Test::HasFatalFailure()) return;
            if (kind == 3) {
                // The stale member learns its real assignment only now: one more round for it
                // to revoke what it listed but no longer owns.
                grp.rebalance();
                if (::testing::Test::HasFatalFailure()) return;
            }
            // The follow-up round, the owners having revoked: everything is assigned.
            EXPECT_EQ(grp.rebalance(), 0u);
            if (::testing::Test::HasFatalFailure()) return;
            EXPECT_LE(max_count(grp.members) - min_count(grp.members), 1u);
        }
    }
}

TEST(assignor, cooperative_sticky_random_unequal_subscriptions_converge) {
    std::mt19937_64 g(77);
    const int scenarios = std::max(20, static_cast<int>(200 * test_scale()));
    for (int s = 0; s < scenarios; ++s) {
        SCOPED_TRACE("scenario " + std::to_string(s));
        sticky_group grp(g);
        grp.equal_subscriptions = false;
        for (int t = 0, topics = 2 + static_cast<int>(g() % 4); t < topics; ++t)
            grp.counts["t" + std::to_string(t)] = static_cast<std::int32_t>(1 + g() % 10);
        for (int m = 0, n = 2 + static_cast<int>(g() % 5); m < n; ++m) grp.add_member();
        for (int event = 0; event < 4; ++event) {
            if (g() % 2) grp.add_member();
            else grp.remove_member();
            // Held-back partitions get assigned in the rounds that follow; a few rounds settle it.
            std::size_t left_out = 1;
            for (int round = 0; round < 4 && left_out != 0; ++round) {
                left_out = grp.rebalance();
                if (::testing::Test::HasFatalFailure()) return;
            }
            EXPECT_EQ(left_out, 0u);
            // Settled and balanced: no partition could go to a subscriber with two fewer.
            for (const member_subscription& a : grp.members) {
                for (const topic_partition& p : a.owned_partitions) {
                    for (const member_subscription& b : grp.members) {
                        if (!std::count(b.topics.begin(), b.topics.end(), p.topic)) continue;
                        EXPECT_LE(a.owned_partitions.size(), b.owned_partitions.size() + 1)
                            << a.member_id << " could give " << p.topic << "-" << p.partition << " to " << b.member_id;
                    }
                }
            }
        }
    }
}

}  // namespace
}  // namespace kasio::consumer_detail

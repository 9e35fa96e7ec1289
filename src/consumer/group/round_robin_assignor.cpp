// The round-robin assignor (Java's RoundRobinAssignor): every partition of every subscribed
// topic, by topic then partition, dealt in turn to the members in member order; a member not
// subscribed to the partition's topic is skipped (the turn passes on, as Java's circular
// iterator does). Even with equal subscriptions counts then differ by at most one.
#include "consumer/group/assignor_impl.hpp"

#include <set>

namespace kasio::consumer_detail {
namespace {

class round_robin_assignor final : public assignor {
public:
    std::string_view name() const noexcept override { return "roundrobin"; }
    bool cooperative() const noexcept override { return false; }

    group_assignment assign(const topic_partition_counts& partitions,
                            const std::vector<member_subscription>& members) const override {
        group_assignment out = empty_assignment(members);
        if (members.empty()) return out;
        std::vector<const member_subscription*> ordered;
        for (const member_subscription& m : members) ordered.push_back(&m);
        std::sort(ordered.begin(), ordered.end(),
                  [](const member_subscription* a, const member_subscription* b) { return member_less(*a, *b); });

        // Sorted union of the subscriptions (std::set): only topics someone subscribes to, so
        // the search for a subscriber below always ends.
        std::set<std::string> topics;
        for (const member_subscription& m : members) topics.insert(m.topics.begin(), m.topics.end());

        std::size_t next = 0;  // the member whose turn it is
        for (const std::string& topic : topics) {
            auto it = partitions.find(topic);
            if (it == partitions.end()) continue;
            for (std::int32_t p = 0; p < it->second; ++p) {
                while (!subscribes(*ordered[next], topic)) next = (next + 1) % ordered.size();
                out[ordered[next]->member_id].push_back({topic, p});
                next = (next + 1) % ordered.size();
            }
        }
        sort_lists(out);
        return out;
    }
};

}  // namespace

std::unique_ptr<assignor> make_round_robin_assignor() {
    return std::make_unique<round_robin_assignor>();
}

}  // namespace kasio::consumer_detail

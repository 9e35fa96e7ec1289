// The range assignor (Java's RangeAssignor): each topic on its own. The members subscribed to
// the topic, in member order, take contiguous ranges of its partitions; the first
// (partitions % members) of them take one extra. Topics are independent, so with equal
// subscriptions the first members get the extra partition of every topic (Java's documented
// imbalance: C0 gets t0p0,t0p1,t1p0,t1p1 and C1 t0p2,t1p2).
#include "consumer/group/assignor_impl.hpp"

namespace kasio::consumer_detail {
namespace {

class range_assignor final : public assignor {
public:
    std::string_view name() const noexcept override { return "range"; }
    bool cooperative() const noexcept override { return false; }

    group_assignment assign(const topic_partition_counts& partitions,
                            const std::vector<member_subscription>& members) const override {
        group_assignment out = empty_assignment(members);
        std::vector<const member_subscription*> ordered;
        for (const member_subscription& m : members) ordered.push_back(&m);
        std::sort(ordered.begin(), ordered.end(),
                  [](const member_subscription* a, const member_subscription* b) { return member_less(*a, *b); });

        std::vector<const member_subscription*> subscribers;
        for (const auto& [topic, count] : partitions) {
            subscribers.clear();
            for (const member_subscription* m : ordered)
                if (subscribes(*m, topic)) subscribers.push_back(m);
            if (subscribers.empty() || count <= 0) continue;
            const auto n = static_cast<std::int32_t>(subscribers.size());
            const std::int32_t per_member = count / n;
            const std::int32_t extra = count % n;
            for (std::int32_t i = 0; i < n; ++i) {
                const std::int32_t start = per_member * i + std::min(i, extra);
                const std::int32_t length = per_member + (i < extra ? 1 : 0);
                auto& list = out[subscribers[static_cast<std::size_t>(i)]->member_id];
                for (std::int32_t p = start; p < start + length; ++p) list.push_back({topic, p});
            }
        }
        sort_lists(out);
        return out;
    }
};

}  // namespace

std::unique_ptr<assignor> make_range_assignor() {
    return std::make_unique<range_assignor>();
}

}  // namespace kasio::consumer_detail

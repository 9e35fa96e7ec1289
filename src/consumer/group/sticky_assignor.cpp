// The cooperative-sticky assignor (Java's CooperativeStickyAssignor, KIP-429), in three steps:
//
//  1. Sticky: each partition stays with its current owner when that owner is still a member,
//     still subscribed to the topic, and its claim is valid. A claim is valid when no other
//     member claims the partition with a newer generation (a member that missed a rebalance
//     still lists what it owned before, KIP-792) and no other member claims it in the same
//     generation (an inconsistent state: nobody keeps it, as in Java).
//  2. Balanced: unowned partitions go to the least loaded subscriber (topics with the fewest
//     subscribers first, so the constrained ones are placed while there is choice); then, while
//     some member holds a partition that a subscriber with at least two fewer partitions could
//     take, one such partition moves (preferring partitions the member did not own before).
//     Every move lowers the sum of squared counts, so this ends; at the end no partition can move
//     to make counts more even, and with equal subscriptions counts differ by at most one.
//  3. Cooperative: a partition given to anyone but its valid owner while some member claims it
//     (even with a stale generation: it may still be consuming) is left out. The claimant sees
//     it missing from its assignment, revokes it and rejoins; the follow-up rebalance assigns
//     it, now unowned.
#include "consumer/group/assignor_impl.hpp"

#include <map>
#include <set>

namespace kasio::consumer_detail {
namespace {

/// Working state of one assignment: members in member order, topics by index.
class sticky_state {
public:
    sticky_state(const topic_partition_counts& partitions, const std::vector<member_subscription>& members) {
        for (const member_subscription& m : members) members_.push_back(&m);
        std::sort(members_.begin(), members_.end(),
                  [](const member_subscription* a, const member_subscription* b) { return member_less(*a, *b); });
        std::set<std::string> subscribed;
        for (const member_subscription& m : members) subscribed.insert(m.topics.begin(), m.topics.end());
        for (const std::string& topic : subscribed) {
            auto it = partitions.find(topic);
            if (it == partitions.end() || it->second <= 0) continue;
            topic_index_.emplace(topic, static_cast<int>(topics_.size()));
            topics_.push_back({topic, it->second, {}, {}, {}});
        }
        for (int m = 0; m < member_count(); ++m)
            for (const std::string& topic : members_[static_cast<std::size_t>(m)]->topics)
                if (auto it = topic_index_.find(topic); it != topic_index_.end()) {
                    auto& subs = topics_[static_cast<std::size_t>(it->second)].subscribers;
                    if (subs.empty() || subs.back() != m) subs.push_back(m);
                }
        for (topic_state& t : topics_) {
            t.holder.assign(static_cast<std::size_t>(t.count), -1);
            t.kept.assign(static_cast<std::size_t>(t.count), false);
        }
        held_.resize(members_.size());
        counts_.assign(members_.size(), 0);
    }

    /// Step 1: valid owners keep their partitions.
    void keep_owned() {
        for (int m = 0; m < member_count(); ++m) {
            const member_subscription& s = *members_[static_cast<std::size_t>(m)];
            for (const topic_partition& tp : s.owned_partitions) {
                auto it = topic_index_.find(tp.topic);
                if (it == topic_index_.end() || tp.partition < 0 ||
                    tp.partition >= topics_[static_cast<std::size_t>(it->second)].count)
                    continue;
                auto& c = claims_[{it->second, tp.partition}];
                if (c.empty() || c.back().member != m) c.push_back({m, s.generation});  // listed twice: one claim
            }
        }
        for (const auto& [key, c] : claims_) {
            std::int32_t newest = c.front().generation;
            for (const claim& x : c) newest = std::max(newest, x.generation);
            int owner = -1;
            int at_newest = 0;
            for (const claim& x : c)
                if (x.generation == newest) {
                    owner = x.member;
                    ++at_newest;
                }
            const topic_state& t = topics_[static_cast<std::size_t>(key.first)];
            if (at_newest != 1 || !std::binary_search(t.subscribers.begin(), t.subscribers.end(), owner)) continue;
            give(key.first, key.second, owner);
            topics_[static_cast<std::size_t>(key.first)].kept[static_cast<std::size_t>(key.second)] = true;
        }
    }

    /// Step 2a: every partition without a holder goes to its least loaded subscriber.
    void assign_unowned() {
        std::vector<int> order(topics_.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
            return topics_[static_cast<std::size_t>(a)].subscribers.size() <
                   topics_[static_cast<std::size_t>(b)].subscribers.size();
        });
        for (int t : order)
            for (std::int32_t p = 0; p < topics_[static_cast<std::size_t>(t)].count; ++p)
                if (topics_[static_cast<std::size_t>(t)].holder[static_cast<std::size_t>(p)] < 0)
                    give(t, p, least_loaded(t, -1));
    }

    /// Step 2b: moves partitions from loaded members to subscribers with two or more fewer.
    void balance() {
        std::vector<int> order(members_.size());
        while (true) {
            for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
            std::stable_sort(order.begin(), order.end(),
                             [&](int a, int b) { return count(a) > count(b); });
            bool moved = false;
            for (int from : order) {
                // Best move out of `from`: a partition it did not own first, then the widest gap.
                int best_topic = -1, best_to = -1;
                bool best_fresh = false;
                int best_gap = 1;
                for (const auto& [t, parts] : held_[static_cast<std::size_t>(from)]) {
                    if (parts.empty()) continue;
                    const int to = least_loaded(t, from);
                    if (to < 0) continue;
                    const int gap = count(from) - count(to);
                    if (gap <= 1) continue;
                    const bool fresh = has_fresh(t, parts);
                    if (best_topic < 0 || fresh > best_fresh || (fresh == best_fresh && gap > best_gap)) {
                        best_topic = t;
                        best_to = to;
                        best_fresh = fresh;
                        best_gap = gap;
                    }
                }
                if (best_topic < 0) continue;
                move_one(best_topic, from, best_to);
                moved = true;
                break;
            }
            if (!moved) return;
        }
    }

    /// Step 3: the assignment without the partitions that change hands while another member
    /// still claims them. A partition stays with its valid owner (step 1) even when a stale
    /// claim exists; any other holder gets it only when nobody else claims it.
    group_assignment cooperative_result() const {
        group_assignment out;
        for (int m = 0; m < member_count(); ++m) {
            auto& list = out[members_[static_cast<std::size_t>(m)]->member_id];
            for (const auto& [t, parts] : held_[static_cast<std::size_t>(m)])
                for (std::int32_t p : parts)
                    if (!transfers_from_claimant(t, p, m)) list.push_back({topics_[static_cast<std::size_t>(t)].name, p});
        }
        sort_lists(out);
        return out;
    }

private:
    struct claim {
        int member;
        std::int32_t generation;
    };

    bool transfers_from_claimant(int t, std::int32_t p, int holder) const {
        if (topics_[static_cast<std::size_t>(t)].kept[static_cast<std::size_t>(p)]) return false;
        auto it = claims_.find({t, p});
        if (it == claims_.end()) return false;
        return std::any_of(it->second.begin(), it->second.end(), [&](const claim& c) { return c.member != holder; });
    }

    struct topic_state {
        std::string name;
        std::int32_t count;
        std::vector<int> subscribers;  // member indices, ascending
        std::vector<int> holder;       // by partition: member index, -1 when unassigned
        std::vector<bool> kept;        // by partition: held by its previous owner (step 1)
    };

    int member_count() const { return static_cast<int>(members_.size()); }
    int count(int m) const { return counts_[static_cast<std::size_t>(m)]; }

    void give(int t, std::int32_t p, int m) {
        topics_[static_cast<std::size_t>(t)].holder[static_cast<std::size_t>(p)] = m;
        held_[static_cast<std::size_t>(m)][t].push_back(p);
        ++counts_[static_cast<std::size_t>(m)];
    }

    /// The subscriber of topic t with the fewest partitions (first in member order on ties),
    /// other than `except`; -1 when there is none.
    int least_loaded(int t, int except) const {
        int best = -1;
        for (int m : topics_[static_cast<std::size_t>(t)].subscribers)
            if (m != except && (best < 0 || count(m) < count(best))) best = m;
        return best;
    }

    bool has_fresh(int t, const std::vector<std::int32_t>& parts) const {
        const auto& kept = topics_[static_cast<std::size_t>(t)].kept;
        return std::any_of(parts.begin(), parts.end(), [&](std::int32_t p) { return !kept[static_cast<std::size_t>(p)]; });
    }

    /// Moves one partition of topic t from `from` to `to`: the last one `from` did not own
    /// before if any, else its last one.
    void move_one(int t, int from, int to) {
        auto& parts = held_[static_cast<std::size_t>(from)][t];
        const auto& kept = topics_[static_cast<std::size_t>(t)].kept;
        auto pick = parts.end() - 1;
        for (auto it = parts.rbegin(); it != parts.rend(); ++it)
            if (!kept[static_cast<std::size_t>(*it)]) {
                pick = std::prev(it.base());
                break;
            }
        const std::int32_t p = *pick;
        parts.erase(pick);
        --counts_[static_cast<std::size_t>(from)];
        topics_[static_cast<std::size_t>(t)].kept[static_cast<std::size_t>(p)] = false;
        give(t, p, to);
    }

    std::vector<const member_subscription*> members_;
    std::map<std::string, int> topic_index_;
    std::vector<topic_state> topics_;
    std::vector<std::map<int, std::vector<std::int32_t>>> held_;  // by member: topic index -> partitions
    std::vector<int> counts_;
    std::map<std::pair<int, std::int32_t>, std::vector<claim>> claims_;  // (topic, partition) -> claimants
};

class cooperative_sticky_assignor final : public assignor {
public:
    std::string_view name() const noexcept override { return "cooperative-sticky"; }
    bool cooperative() const noexcept override { return true; }

    group_assignment assign(const topic_partition_counts& partitions,
                            const std::vector<member_subscription>& members) const override {
        sticky_state s(partitions, members);
        s.keep_owned();
        s.assign_unowned();
        s.balance();
        return s.cooperative_result();
    }
};

}  // namespace

std::unique_ptr<assignor> make_cooperative_sticky_assignor() {
    return std::make_unique<cooperative_sticky_assignor>();
}

}  // namespace kasio::consumer_detail

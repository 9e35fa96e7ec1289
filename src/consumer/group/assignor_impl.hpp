#pragma once
// Internals shared by the assignors (range, roundrobin, cooperative-sticky) and the consumer
// protocol codec: orderings that must match the Java client's, and the concrete assignors'
// factories behind make_assignor().
#include "consumer/group/assignor.hpp"

#include <algorithm>

namespace kasio::consumer_detail {

/// By topic, then partition: the order of every list in a group_assignment.
inline bool partition_less(const topic_partition& a, const topic_partition& b) {
    return a.topic != b.topic ? a.topic < b.topic : a.partition < b.partition;
}

/// Java's MemberInfo order, which decides who gets the extra partitions in range and the
/// round-robin order: static members (KIP-345) first by group.instance.id, then the others by
/// member id.
inline bool member_less(const member_subscription& a, const member_subscription& b) {
    if (a.group_instance_id && b.group_instance_id) {
        if (*a.group_instance_id != *b.group_instance_id) return *a.group_instance_id < *b.group_instance_id;
        return a.member_id < b.member_id;
    }
    if (a.group_instance_id || b.group_instance_id) return a.group_instance_id.has_value();
    return a.member_id < b.member_id;
}

inline bool subscribes(const member_subscription& m, const std::string& topic) {
    return std::find(m.topics.begin(), m.topics.end(), topic) != m.topics.end();
}

/// Every member with an empty list.
inline group_assignment empty_assignment(const std::vector<member_subscription>& members) {
    group_assignment out;
    for (const member_subscription& m : members) out[m.member_id];
    return out;
}

inline void sort_lists(group_assignment& a) {
    for (auto& entry : a) std::sort(entry.second.begin(), entry.second.end(), partition_less);
}

std::unique_ptr<assignor> make_range_assignor();
std::unique_ptr<assignor> make_round_robin_assignor();
std::unique_ptr<assignor> make_cooperative_sticky_assignor();

}  // namespace kasio::consumer_detail

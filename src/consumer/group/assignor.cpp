// make_assignor(): `partition.assignment.strategy` entries, by protocol name or Java class name.
#include "consumer/group/assignor_impl.hpp"

namespace kasio::consumer_detail {

std::unique_ptr<assignor> make_assignor(std::string_view name) {
    if (name == "range" || name == "org.apache.kafka.clients.consumer.RangeAssignor") return make_range_assignor();
    if (name == "roundrobin" || name == "org.apache.kafka.clients.consumer.RoundRobinAssignor")
        return make_round_robin_assignor();
    if (name == "cooperative-sticky" || name == "org.apache.kafka.clients.consumer.CooperativeStickyAssignor")
        return make_cooperative_sticky_assignor();
    return nullptr;
}

}  // namespace kasio::consumer_detail

#pragma once
// The route() callables of send_per_node that look brokers up: partition leaders (one Metadata
// request per round for the topics still pending) and a group's coordinator (one
// FindCoordinator per round).
//
// runs on: pool strand.
#include "admin/admin_state.hpp"

#include <kasio/topic_partition.hpp>

#include <functional>
#include <string>
#include <vector>

namespace kasio::admin_detail {

/// Routes item i to the leader of partition_of(i).
class leader_router {
public:
    leader_router(state_ptr self, std::function<const topic_partition&(std::size_t)> partition_of)
        : self_(std::move(self)), partition_of_(std::move(partition_of)) {}

    asio::awaitable<void> operator()(const std::vector<std::size_t>& idx, std::vector<node_pick>& picks);

private:
    state_ptr self_;
    std::function<const topic_partition&(std::size_t)> partition_of_;
};

/// Routes every item to the coordinator of one group.
class group_router {
public:
    group_router(state_ptr self, std::string group) : self_(std::move(self)), group_(std::move(group)) {}

    asio::awaitable<void> operator()(const std::vector<std::size_t>& idx, std::vector<node_pick>& picks);

private:
    state_ptr self_;
    std::string group_;
};

}  // namespace kasio::admin_detail

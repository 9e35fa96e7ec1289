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

/// Routes item i to the coordinator of group_of(i) (one FindCoordinator per group per round).
class group_router {
public:
    group_router(state_ptr self, std::function<const std::string&(std::size_t)> group_of)
        : self_(std::move(self)), group_of_(std::move(group_of)) {}
    /// Every item to the coordinator of `group`.
    group_router(state_ptr self, std::string group)
        : self_(std::move(self)), one_(std::move(group)), group_of_([this](std::size_t) -> const std::string& { return one_; }) {}
    group_router(const group_router&) = delete;
    group_router& operator=(const group_router&) = delete;

    asio::awaitable<void> operator()(const std::vector<std::size_t>& idx, std::vector<node_pick>& picks);

private:
    state_ptr self_;
    std::string one_;
    std::function<const std::string&(std::size_t)> group_of_;
};

/// Routes item i to broker nodes[i] (operations every broker answers for itself).
class broker_router {
public:
    explicit broker_router(const std::vector<std::int32_t>& nodes) : nodes_(nodes) {}

    asio::awaitable<void> operator()(const std::vector<std::size_t>& idx, std::vector<node_pick>& picks) {
        for (std::size_t k = 0; k < idx.size(); ++k) picks[k].node = nodes_[idx[k]];
        co_return;
    }

private:
    const std::vector<std::int32_t>& nodes_;
};

/// The node ids of every broker the cluster lists (after a metadata refresh when none is
/// known); empty with the refresh's error when none answered.
asio::awaitable<std::pair<error_code, std::vector<std::int32_t>>> all_brokers(admin_state& self);

}  // namespace kasio::admin_detail

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

/// Routes item i to the coordinator of key_of(i), a group or a transactional id (one
/// FindCoordinator per key per round).
class coordinator_router {
public:
    coordinator_router(state_ptr self, cluster::coordinator_type type, std::function<const std::string&(std::size_t)> key_of)
        : self_(std::move(self)), type_(type), key_of_(std::move(key_of)) {}
    /// Every item to the coordinator of one group.
    coordinator_router(state_ptr self, std::string group)
        : self_(std::move(self)), type_(cluster::coordinator_type::group), one_(std::move(group)),
          key_of_([this](std::size_t) -> const std::string& { return one_; }) {}
    coordinator_router(const coordinator_router&) = delete;
    coordinator_router& operator=(const coordinator_router&) = delete;

    asio::awaitable<void> operator()(const std::vector<std::size_t>& idx, std::vector<node_pick>& picks);

private:
    state_ptr self_;
    cluster::coordinator_type type_;
    std::string one_;
    std::function<const std::string&(std::size_t)> key_of_;
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

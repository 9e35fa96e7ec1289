// runs on: pool strand.
#include "admin/routers.hpp"

#include <kasio/broker_errc.hpp>

#include <algorithm>
#include <map>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // coroutine frames: see admin.cpp
#endif

namespace kasio::admin_detail {

asio::awaitable<void> leader_router::operator()(const std::vector<std::size_t>& idx, std::vector<node_pick>& picks) {
    std::vector<std::string> topics;
    for (std::size_t i : idx) topics.push_back(partition_of_(i).topic);
    std::sort(topics.begin(), topics.end());
    topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
    error_context where;
    auto [ec, md] = co_await self_->metadata(topics, where);
    for (std::size_t k = 0; k < idx.size(); ++k) {
        const topic_partition& tp = partition_of_(idx[k]);
        node_pick& pick = picks[k];
        if (ec) {
            pick = node_pick{ec, -1, where.message};
            continue;
        }
        const topic_description* t = md.topic(tp.topic);
        if (t == nullptr) {
            pick = node_pick{client_errc::incomplete_response, -1, "the Metadata response left the topic out"};
        } else if (t->error) {
            pick = node_pick{t->error, -1, "Metadata for topic " + tp.topic + ": " + t->error.message()};
        } else {
            auto p = std::find_if(t->partitions.begin(), t->partitions.end(),
                                  [&](const partition_description& d) { return d.partition == tp.partition; });
            if (p == t->partitions.end())
                pick = node_pick{broker_errc::unknown_topic_or_partition, -1,
                                 "topic " + tp.topic + " has " + std::to_string(t->partitions.size()) +
                                     " partitions, not partition " + std::to_string(tp.partition)};
            else if (p->leader < 0)
                pick = node_pick{broker_errc::leader_not_available, -1, "the partition has no leader now"};
            else
                pick = node_pick{{}, p->leader, {}};
        }
    }
}

asio::awaitable<void> coordinator_router::operator()(const std::vector<std::size_t>& idx, std::vector<node_pick>& picks) {
    std::map<std::string, node_pick> found;
    for (std::size_t k = 0; k < idx.size(); ++k) {
        const std::string& key = key_of_(idx[k]);
        auto it = found.find(key);
        if (it == found.end()) {
            node_pick pick = co_await self_->coordinator(type_, key);
            it = found.emplace(key, std::move(pick)).first;
        }
        picks[k] = it->second;
    }
}

asio::awaitable<std::pair<error_code, std::vector<std::int32_t>>> all_brokers(admin_state& self) {
    error_code ec;
    if (self.refresher.cache().brokers().empty()) std::tie(ec) = co_await self.refresher.async_refresh(net::nothrow_awaitable);
    std::vector<std::int32_t> out;
    for (const auto& b : self.refresher.cache().brokers()) out.push_back(b.node_id);
    if (out.empty() && !ec) ec = client_errc::all_brokers_down;
    co_return std::pair{out.empty() ? ec : error_code{}, std::move(out)};
}

}  // namespace kasio::admin_detail

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// Per-partition fetch state; see fetch_planner.hpp.
#include "consumer/fetch_planner.hpp"

#include <kasio/broker_errc.hpp>

#include <unordered_set>

namespace kasio::consumer_detail {

void fetch_planner::start_reset(partition_state& s, std::int64_t ts) {
    s.position = -1;
    s.fetch_offset = -1;
    s.reset_pending = true;
    s.reset_timestamp = ts;
    s.buffered = 0;
    s.error = {};
    s.error_sticky = false;
    s.retry_after = {};
    ++s.generation;
}

void fetch_planner::assign(const std::vector<topic_partition>& partitions) {
    std::unordered_set<topic_partition> keep(partitions.begin(), partitions.end());
    std::erase_if(parts_, [&](const auto& kv) { return !keep.contains(kv.first); });
    for (const auto& tp : partitions) {
        auto [it, added] = parts_.try_emplace(tp);
        if (!added) continue;
        if (policy_ == offset_reset::none) {
            it->second.error = broker_errc::offset_out_of_range;
            it->second.error_sticky = true;
        } else {
            start_reset(it->second, policy_ == offset_reset::earliest ? earliest_timestamp : latest_timestamp);
        }
    }
}

void fetch_planner::seek(const topic_partition& tp, std::int64_t offset) {
    auto* s = find(tp);
    if (!s) return;
    s->position = offset;
    s->fetch_offset = offset;
    s->reset_pending = false;
    s->buffered = 0;
    s->error = {};
    s->error_sticky = false;
    s->retry_after = {};
    ++s->generation;
}

void fetch_planner::request_reset(const topic_partition& tp, std::int64_t ts) {
    if (auto* s = find(tp)) start_reset(*s, ts);
}

void fetch_planner::out_of_range(const topic_partition& tp) {
    auto* s = find(tp);
    if (!s) return;
    if (policy_ == offset_reset::none) {
        s->error = broker_errc::offset_out_of_range;
        s->error_sticky = true;
        return;
    }
    start_reset(*s, policy_ == offset_reset::earliest ? earliest_timestamp : latest_timestamp);
}

void fetch_planner::pause(const topic_partition& tp, bool paused) {
    auto* s = find(tp);
    if (!s || s->paused == paused) return;
    s->paused = paused;
    if (paused) {
        // Buffered data is dropped and fetched again after resume, from the same position.
        restart(*s);
    }
}

partition_state* fetch_planner::find(const topic_partition& tp) {
    auto it = parts_.find(tp);
    return it == parts_.end() ? nullptr : &it->second;
}

const partition_state* fetch_planner::find(const topic_partition& tp) const {
    auto it = parts_.find(tp);
    return it == parts_.end() ? nullptr : &it->second;
}

std::vector<topic_partition> fetch_planner::assignment() const {
    std::vector<topic_partition> out;
    out.reserve(parts_.size());
    for (const auto& kv : parts_) out.push_back(kv.first);
    return out;
}

}  // namespace kasio::consumer_detail

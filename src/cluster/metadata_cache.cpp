#include "cluster/metadata_cache.hpp"

#include <kasio/broker_errc.hpp>

#include <algorithm>

namespace kasio::cluster {
namespace {

using response_topic = protocol::msg::metadata_response::metadata_response_topic;
using response_partition = response_topic::metadata_response_partition;

// Brokers before 2.4 (Metadata < v9) could report an epoch ahead of their own metadata during a
// reassignment; trusting it would fence the client out (Java: MetadataResponse.hasReliableLeaderEpochs).
constexpr std::int16_t first_reliable_epoch_version = 9;

error_code broker_error(std::int16_t code) {
    return code == 0 ? error_code{} : make_error_code(static_cast<broker_errc>(code));
}

// Errors another refresh may clear: the same test as the Java client's InvalidMetadataException
// (leader elections, moved leaders, replicas catching up), but not UNKNOWN_TOPIC_OR_PARTITION,
// which a refresh only clears once someone creates the topic.
bool refresh_may_help(const error_code& ec) {
    return ec && ec != broker_errc::unknown_topic_or_partition && is_retriable(ec);
}

partition_metadata to_partition(const response_partition& p, bool reliable_epochs) {
    partition_metadata m;
    m.partition = p.partition_index;
    m.leader = p.leader_id;
    m.leader_epoch = reliable_epochs ? p.leader_epoch : -1;
    m.error = broker_error(p.error_code);
    m.replicas = p.replica_nodes;
    m.isr = p.isr_nodes;
    m.offline_replicas = p.offline_replicas;
    return m;
}

const partition_metadata* find_partition(const std::vector<partition_metadata>& ps, std::int32_t id) {
    // Partition ids are dense (0..n-1) in practice: try the direct index first.
    if (id >= 0 && static_cast<std::size_t>(id) < ps.size() && ps[static_cast<std::size_t>(id)].partition == id)
        return &ps[static_cast<std::size_t>(id)];
    auto it = std::lower_bound(ps.begin(), ps.end(), id,
                               [](const partition_metadata& p, std::int32_t v) { return p.partition < v; });
    return it != ps.end() && it->partition == id ? &*it : nullptr;
}

}  // namespace

apply_result metadata_cache::apply(const protocol::msg::metadata_response& response, std::int16_t version,
                                   const std::vector<std::string>* requested, clock::time_point now) {
    apply_result result;
    const bool reliable_epochs = version >= first_reliable_epoch_version;

    brokers_.clear();
    brokers_.reserve(response.brokers.size());
    for (const auto& b : response.brokers) brokers_.push_back({b.node_id, b.host, b.port, b.rack});
    std::sort(brokers_.begin(), brokers_.end(), [](const auto& a, const auto& b) { return a.node_id < b.node_id; });
    cluster_id_ = response.cluster_id;
    controller_id_ = response.controller_id;

    std::set<std::string, std::less<>> seen;
    for (const auto& t : response.topics) {
        if (!t.name || t.name->empty()) continue;  // v12 may name topics by id only; kasio asks by name
        seen.insert(*t.name);
        update_topic(t, reliable_epochs, result);
    }
    if (requested == nullptr) {
        // An all-topics answer lists every topic: the ones it leaves out are gone.
        for (auto it = topics_.begin(); it != topics_.end();) {
            if (seen.contains(it->first)) {
                ++it;
                continue;
            }
            unknown_.insert(it->first);
            it = topics_.erase(it);
        }
    }
    last_update_ = now;
    ++version_;
    return result;
}

void metadata_cache::update_topic(const response_topic& t, bool reliable_epochs, apply_result& result) {
    const error_code topic_ec = broker_error(t.error_code);
    if (topic_ec == broker_errc::unknown_topic_or_partition) {
        topics_.erase(*t.name);
        unknown_.insert(*t.name);
        return;
    }
    if (refresh_may_help(topic_ec)) result.refresh_soon = true;
    unknown_.erase(*t.name);
    auto [it, inserted] = topics_.try_emplace(*t.name);
    topic_entry& entry = it->second;
    topic_metadata& meta = entry.meta;
    meta.name = *t.name;
    meta.topic_id = t.topic_id;
    meta.is_internal = t.is_internal;
    meta.error = topic_ec;
    // A topic error comes without usable partitions: keep the ones known (Java does the same).
    if (topic_ec) return;

    std::vector<partition_metadata> next;
    next.reserve(t.partitions.size());
    for (const auto& p : t.partitions) {
        partition_metadata fresh = to_partition(p, reliable_epochs);
        const partition_metadata* old = find_partition(meta.partitions, fresh.partition);
        if (refresh_may_help(fresh.error)) result.refresh_soon = true;
        if (fresh.leader_epoch >= 0) {
            auto seen = entry.seen_epoch.find(fresh.partition);
            if (seen != entry.seen_epoch.end() && fresh.leader_epoch < seen->second) {
                // Stale (KIP-320): keep what we had; a newer broker will answer next time.
                ++result.stale_partitions;
                result.refresh_soon = true;
                if (old != nullptr) next.push_back(*old);
                continue;
            }
            entry.seen_epoch[fresh.partition] = fresh.leader_epoch;
        } else {
            entry.seen_epoch.erase(fresh.partition);
        }
        if (old == nullptr || old->leader != fresh.leader || old->leader_epoch != fresh.leader_epoch)
            ++result.leader_changes;
        next.push_back(std::move(fresh));
    }
    std::sort(next.begin(), next.end(), [](const auto& a, const auto& b) { return a.partition < b.partition; });
    meta.partitions = std::move(next);
}

bool metadata_cache::note_leader_epoch(std::string_view topic, std::int32_t partition, std::int32_t epoch) {
    if (epoch < 0) return false;
    auto it = topics_.find(topic);
    if (it == topics_.end()) return false;
    auto [seen, inserted] = it->second.seen_epoch.try_emplace(partition, epoch);
    if (inserted) return true;
    if (epoch <= seen->second) return false;
    seen->second = epoch;
    return true;
}

const broker_metadata* metadata_cache::broker(std::int32_t node_id) const noexcept {
    auto it = std::lower_bound(brokers_.begin(), brokers_.end(), node_id,
                               [](const broker_metadata& b, std::int32_t id) { return b.node_id < id; });
    return it != brokers_.end() && it->node_id == node_id ? &*it : nullptr;
}

const topic_metadata* metadata_cache::topic(std::string_view name) const noexcept {
    auto it = topics_.find(name);
    return it == topics_.end() ? nullptr : &it->second.meta;
}

const partition_metadata* metadata_cache::partition(std::string_view topic_name, std::int32_t id) const noexcept {
    const topic_metadata* t = topic(topic_name);
    return t == nullptr ? nullptr : find_partition(t->partitions, id);
}

std::int32_t metadata_cache::leader(std::string_view topic_name, std::int32_t id) const noexcept {
    const partition_metadata* p = partition(topic_name, id);
    return p == nullptr ? -1 : p->leader;
}

std::int32_t metadata_cache::leader_epoch(std::string_view topic_name, std::int32_t id) const noexcept {
    auto it = topics_.find(topic_name);
    if (it == topics_.end()) return -1;
    auto seen = it->second.seen_epoch.find(id);
    return seen == it->second.seen_epoch.end() ? -1 : seen->second;
}

std::optional<std::size_t> metadata_cache::partition_count(std::string_view topic_name) const noexcept {
    const topic_metadata* t = topic(topic_name);
    if (t == nullptr || t->partitions.empty()) return std::nullopt;
    return t->partitions.size();
}

bool metadata_cache::is_unknown(std::string_view topic_name) const noexcept { return unknown_.contains(topic_name); }

std::vector<std::string> metadata_cache::topic_names() const {
    std::vector<std::string> out;
    out.reserve(topics_.size());
    for (const auto& [name, entry] : topics_) out.push_back(name);
    std::sort(out.begin(), out.end());
    return out;
}

const topic_metadata* metadata_cache::topic_by_id(const protocol::uuid& id) const noexcept {
    if (id.is_nil()) return nullptr;
    for (const auto& [name, entry] : topics_)
        if (entry.meta.topic_id == id) return &entry.meta;
    return nullptr;
}

}  // namespace kasio::cluster

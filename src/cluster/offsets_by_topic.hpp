#pragma once
// Offsets laid out as the commit requests want them (OffsetCommit, TxnOffsetCommit): one entry
// per topic, in the order topics first appear, each with its partitions' offsets.
#include <kasio/topic_partition.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace kasio::cluster {

/// The newest OffsetCommit and OffsetFetch version that names topics by name: v10 (KIP-848)
/// names them by topic id only, which the callers do not fill, so they cap their requests here.
inline constexpr std::int16_t offsets_by_name_max_version = 9;

/// Appends `offsets` to a request's topic array (`Topics`: a vector of structs with `name` and
/// `partitions`, whose items have partition_index, committed_offset and committed_metadata).
template <class Topics>
void add_offsets_by_topic(Topics& topics, const std::vector<partition_offset>& offsets) {
    std::map<std::string, std::size_t> index;
    for (const partition_offset& o : offsets) {
        auto [it, added] = index.try_emplace(o.topic, topics.size());
        if (added) topics.emplace_back().name = o.topic;
        auto& p = topics[it->second].partitions.emplace_back();
        p.partition_index = o.partition;
        p.committed_offset = o.offset;
        p.committed_metadata = o.metadata;
    }
}

}  // namespace kasio::cluster

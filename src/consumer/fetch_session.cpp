// Fetch session bookkeeping (KIP-227); see fetch_session.hpp.
#include "consumer/fetch_session.hpp"

#include <kasio/broker_errc.hpp>

namespace kasio::consumer_detail {

fetch_session_request fetch_session::build(const std::vector<fetch_partition_request>& wanted) {
    fetch_session_request req;
    req.session_id = id_;
    req.epoch = epoch_;
    req.full = !incremental();
    pending_.clear();
    for (const auto& p : wanted)
        pending_[p.tp] = cached{p.fetch_offset, p.leader_epoch, p.max_bytes, p.topic_id};
    pending_full_ = req.full;
    if (req.full) {
        req.partitions = wanted;
        return req;
    }
    for (const auto& p : wanted) {
        auto it = partitions_.find(p.tp);
        if (it == partitions_.end() || it->second.fetch_offset != p.fetch_offset ||
            it->second.leader_epoch != p.leader_epoch || it->second.max_bytes != p.max_bytes)
            req.partitions.push_back(p);
    }
    for (const auto& [tp, c] : partitions_) {
        if (!pending_.contains(tp)) req.forgotten.push_back({tp, c.topic_id, c.fetch_offset, c.leader_epoch, c.max_bytes});
    }
    return req;
}

void fetch_session::on_response(error_code ec, std::int32_t response_session_id) {
    if (ec) {
        // FETCH_SESSION_ID_NOT_FOUND: the broker forgot it; start over. Other errors (e.g.
        // INVALID_FETCH_SESSION_EPOCH): close the old session with a full request asking anew.
        if (ec == broker_errc::fetch_session_id_not_found) id_ = 0;
        epoch_ = 0;
        partitions_.clear();
        return;
    }
    if (pending_full_) {
        // session_id 0: the broker keeps no session; stay with full requests (epoch 0).
        id_ = response_session_id;
        epoch_ = response_session_id == 0 ? 0 : 1;
        partitions_ = response_session_id == 0 ? partition_map{} : std::move(pending_);
        return;
    }
    if (response_session_id != id_) {
        id_ = 0;
        epoch_ = 0;
        partitions_.clear();
        return;
    }
    partitions_ = std::move(pending_);
    // Epochs wrap to 1: 0 means "new session" and -1 "no session" (FetchMetadata.nextEpoch).
    epoch_ = epoch_ == INT32_MAX ? 1 : epoch_ + 1;
}

void fetch_session::on_failure() {
    epoch_ = 0;
    partitions_.clear();
}

}  // namespace kasio::consumer_detail

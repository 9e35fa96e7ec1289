#pragma once
// The client side of one broker's fetch session (KIP-227), sans-io.
//
// The first request of a session is full: session_id 0 (or the old id, to close it), epoch 0
// ("create a session"), every partition. A broker that grants a session answers with a non-zero
// session_id; later requests are incremental (epoch 1, 2, ...): they list only partitions that
// are new or whose fetch offset, leader epoch or max bytes changed, and name the partitions to
// drop in forgotten_topics_data. A broker that answers a full request with session_id 0 keeps no
// session (librdkafka 2.14's mock does so: it echoes the request's id): every request stays full,
// as the protocol allows. Errors reset the session (FETCH_SESSION_ID_NOT_FOUND: a new one from
// scratch; others: close the old one and ask for a new one), as Java's FetchSessionHandler.
//
// runs on: its owner's (the fetcher's) strand; no I/O, no clock.
#include "protocol/primitives.hpp"

#include <kasio/consumer.hpp>
#include <kasio/error.hpp>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace kasio::consumer_detail {

/// What a Fetch request says about one partition.
struct fetch_partition_request {
    topic_partition tp;
    protocol::uuid topic_id{};
    std::int64_t fetch_offset = 0;
    std::int32_t leader_epoch = -1;
    std::int32_t max_bytes = 0;
};

/// One request's session fields and partition lists.
struct fetch_session_request {
    std::int32_t session_id = 0;
    std::int32_t epoch = 0;
    bool full = true;
    std::vector<fetch_partition_request> partitions;  ///< to list in `topics`
    std::vector<fetch_partition_request> forgotten;   ///< to list in forgotten_topics_data
};

class fetch_session {
public:
    /// The request for the partitions to fetch now (`wanted`). Call on_response() or
    /// on_failure() before the next build().
    fetch_session_request build(const std::vector<fetch_partition_request>& wanted);

    /// The response to the last built request arrived: its top-level error_code and session_id.
    void on_response(error_code top_level_error, std::int32_t response_session_id);
    /// The last built request got no response (connection lost, timeout).
    void on_failure();

    std::int32_t session_id() const noexcept { return id_; }
    std::int32_t epoch() const noexcept { return epoch_; }
    /// True when requests are incremental (a session was granted).
    bool incremental() const noexcept { return id_ != 0 && epoch_ > 0; }
    /// The partitions the broker holds in the session (empty without one).
    std::size_t session_size() const noexcept { return partitions_.size(); }

private:
    struct cached {
        std::int64_t fetch_offset = 0;
        std::int32_t leader_epoch = -1;
        std::int32_t max_bytes = 0;
        protocol::uuid topic_id{};
    };
    using partition_map = std::unordered_map<topic_partition, cached>;

    std::int32_t id_ = 0;
    std::int32_t epoch_ = 0;
    partition_map partitions_;  // the broker's view after the last successful response
    partition_map pending_;     // the view after the request in flight
    bool pending_full_ = true;
};

}  // namespace kasio::consumer_detail

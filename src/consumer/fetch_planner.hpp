#pragma once
// Per-partition fetch state of a consumer and the choice of what to fetch, sans-io.
//
// A partition is fetchable when it is assigned, not paused, has a known position and a known
// fetch offset, is not in a Fetch already and is not backing off after an error. Fetched data
// waiting for poll does not stop it: as librdkafka, the consumer keeps fetching ahead, each Fetch
// continuing where the last buffered response of the partition ends (fetch_offset), while the
// consumer's prefetched bytes stay below queued.max.messages.kbytes (the fetcher checks that).
// Fetching only drained partitions instead made a Fetch name just the partitions at their end,
// which the broker holds for fetch.max.wait.ms while the others' data waits: the consumer stalled.
//
// Positions advance only when poll hands records out; a seek, reset or pause bumps the
// partition's generation so that data fetched for the old position is dropped, and fetching
// starts over at the position. Poll checks that each buffered response starts at the position
// (restart() when not: nothing is skipped or repeated, whatever a broker answers).
//
// runs on: whatever holds the consumer's state mutex; no I/O, no clock of its own.
#include <kasio/consumer.hpp>
#include <kasio/error.hpp>

#include <chrono>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace kasio::consumer_detail {

using clock = std::chrono::steady_clock;

/// ListOffsets timestamps (Kafka's ListOffsetsRequest constants).
inline constexpr std::int64_t latest_timestamp = -1;
inline constexpr std::int64_t earliest_timestamp = -2;

struct partition_state {
    std::int64_t position = -1;       ///< next offset poll returns; -1 unknown (reset pending)
    /// Next offset to fetch: the position when nothing is buffered, else the end of the last
    /// buffered response; -1 unknown (reset pending, or that end could not be told: wait for poll).
    std::int64_t fetch_offset = -1;
    bool reset_pending = false;       ///< a ListOffsets must set the position
    std::int64_t reset_timestamp = latest_timestamp;
    bool paused = false;
    bool fetching = false;            ///< named in a Fetch or ListOffsets in flight
    std::uint32_t buffered = 0;       ///< fetched responses waiting for poll
    std::uint64_t generation = 0;     ///< bumped by every seek / reset / pause
    clock::time_point retry_after{};  ///< backing off after an error until then
    error_code error;                 ///< reported by the next poll
    bool error_sticky = false;        ///< kept until a seek (offset_out_of_range with reset none)
    std::int64_t high_watermark = -1;
    std::int64_t last_stable_offset = -1;
    std::int64_t log_start_offset = -1;
};

class fetch_planner {
public:
    explicit fetch_planner(offset_reset policy = offset_reset::latest) : policy_(policy) {}

    /// Replaces the assignment; kept partitions keep their state, new ones wait for a reset
    /// (auto.offset.reset; with `none` they report offset_out_of_range... as Java's
    /// NoOffsetForPartitionException, via error).
    void assign(const std::vector<topic_partition>& partitions);
    void seek(const topic_partition& tp, std::int64_t offset);
    /// Asks for a ListOffsets at ts (earliest_timestamp, latest_timestamp or a time).
    void request_reset(const topic_partition& tp, std::int64_t ts);
    /// OFFSET_OUT_OF_RANGE for a fetch at the current generation: reset per policy or stop.
    void out_of_range(const topic_partition& tp);
    void pause(const topic_partition& tp, bool paused);

    partition_state* find(const topic_partition& tp);
    const partition_state* find(const topic_partition& tp) const;
    bool fetchable(const partition_state& s, clock::time_point now) const noexcept {
        return !s.paused && s.position >= 0 && s.fetch_offset >= 0 && !s.reset_pending && !s.fetching && !s.error &&
               now >= s.retry_after;
    }
    /// A response with records fetched at s.fetch_offset is buffered; they end before `end`
    /// (fetched_end_offset(); -1 unknown: the partition waits until poll has read them).
    static void buffered_response(partition_state& s, std::int64_t end) noexcept {
        ++s.buffered;
        s.fetch_offset = end;
    }
    /// Poll has read all of a buffered response of the partition.
    static void consumed_response(partition_state& s) noexcept {
        if (s.buffered > 0) --s.buffered;
        if (s.buffered == 0 && s.fetch_offset < 0 && !s.reset_pending) s.fetch_offset = s.position;
    }
    /// Drops what is buffered or in flight for the partition and fetches again from the
    /// position (after a decoding error, or a response that does not start at the position).
    static void restart(partition_state& s) noexcept {
        s.buffered = 0;
        s.fetch_offset = s.position;
        ++s.generation;
    }
    bool needs_list_offsets(const partition_state& s, clock::time_point now) const noexcept {
        return s.reset_pending && !s.fetching && now >= s.retry_after;
    }
    std::unordered_map<topic_partition, partition_state>& partitions() noexcept { return parts_; }
    const std::unordered_map<topic_partition, partition_state>& partitions() const noexcept { return parts_; }
    std::vector<topic_partition> assignment() const;
    offset_reset policy() const noexcept { return policy_; }

private:
    void start_reset(partition_state& s, std::int64_t ts);

    offset_reset policy_;
    std::unordered_map<topic_partition, partition_state> parts_;
};

}  // namespace kasio::consumer_detail

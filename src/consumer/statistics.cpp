// The consumer's statistics JSON (statistics.interval.ms, consumer::statistics_json()); the
// schema is in docs/observability.md.
#include "consumer/consumer_impl.hpp"
#include "net/statistics.hpp"

#include <kasio/consumer.hpp>

namespace kasio {

std::string consumer::impl::statistics_json(const consumer_stats& s, std::optional<group_membership> membership) const {
    std::string out;
    out.reserve(4096);
    metrics::json_writer w(out);
    w.begin_object();
    net::write_header(w, stats_name, cfg.connection.client_id, "consumer", created);
    w.member("rxmsgs", s.records).member("rxmsg_bytes", s.bytes);
    net::write_brokers(w, s.brokers);
    // librdkafka's topics -> partitions, with the consumer's fields.
    w.key("topics").begin_object();
    for (std::size_t i = 0; i < s.partitions.size();) {
        const std::string& topic = s.partitions[i].topic;
        w.key(topic).begin_object();
        w.member("topic", topic);
        w.key("partitions").begin_object();
        for (; i < s.partitions.size() && s.partitions[i].topic == topic; ++i) {
            const partition_metrics& p = s.partitions[i];
            w.key(std::to_string(p.partition)).begin_object();
            w.member("partition", p.partition);
            w.member("app_offset", p.position).member("hi_offset", p.high_watermark);
            w.member("ls_offset", p.last_stable_offset).member("lo_offset", p.log_start_offset);
            w.member("consumer_lag", p.lag).member("paused", p.paused);
            w.end_object();
        }
        w.end_object();
        w.end_object();
    }
    w.end_object();
    if (membership) {
        w.key("cgrp").begin_object();
        w.member("state", membership->member_id.empty() ? "joining" : "up");
        w.member("member_id", membership->member_id).member("generation", membership->generation);
        w.member("rebalance_cnt", s.rebalance_ms.count);
        w.window("rebalance_latency", s.rebalance_ms);
        w.member("assignment_size", static_cast<std::uint64_t>(s.partitions.size()));
        w.end_object();
    }
    w.key("consumer").begin_object();
    w.member("records", s.records).member("bytes", s.bytes);
    w.member("fetch_requests", s.fetch_requests).member("fetch_responses", s.fetch_responses);
    w.member("incremental_fetch_requests", s.incremental_fetch_requests);
    w.member("fetch_session_resets", s.fetch_session_resets);
    w.member("list_offsets_requests", s.list_offsets_requests);
    w.member("prefetched_bytes", s.prefetched_bytes).member("prefetched_bytes_peak", s.prefetched_bytes_peak);
    w.member("commits", s.commits).member("consumer_lag_max", s.lag_max);
    w.window("fetch_latency", s.fetch_latency_us);
    w.window("commit_latency", s.commit_latency_us);
    w.end_object();
    w.end_object();
    return out;
}

}  // namespace kasio

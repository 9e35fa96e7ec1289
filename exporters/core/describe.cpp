// producer_stats and consumer_stats as metric families. The names, kinds and units here are the
// table in docs/observability-exporters.md: change both together.
#include "family_builder.hpp"

#include <kasio/exporters/metric_family.hpp>

namespace kasio::exporters {

namespace {

using detail::family_builder;
using detail::ms;
using detail::us;

void describe_errors(family_builder& b, std::string_view name, std::string_view help,
                     const std::vector<std::pair<error_code, std::uint64_t>>& errors) {
    for (const auto& [ec, n] : errors) b.counter(name, "1", help, n, {{"error", ec.message()}});
}

// One broker's families (group broker): labels node_id and address (several bootstrap
// addresses share node_id -1), then api for the per-API ones.
void describe_broker(family_builder& b, const broker_metrics& m) {
    b.scope({{"node_id", std::int64_t{m.node_id}}, {"address", m.address}});
    b.counter("connection-creation-total", "1", "Connections set up.", m.connects);
    b.counter("connection-creation-failure-total", "1",
              "Connection attempts that failed (resolve, TCP, TLS, SASL, ApiVersions).", m.connect_failures);
    b.counter("connection-close-total", "1", "Connections that were up and closed.", m.disconnects);
    b.gauge("connection-count", "1", "1 while a connection to the broker is up.", std::int64_t{m.connected});
    b.counter("request-total", "1", "Requests written.", m.requests);
    b.counter("response-total", "1", "Responses read.", m.responses);
    b.counter("request-timeout-total", "1", "Requests that got no answer within their timeout.",
              m.request_timeouts);
    b.counter("outgoing-byte-total", "By", "Bytes of request frames written.", m.bytes_out);
    b.counter("incoming-byte-total", "By", "Bytes of response frames read.", m.bytes_in);
    b.gauge("in-flight-requests", "1", "Requests written and not yet answered.", static_cast<std::int64_t>(m.in_flight));
    b.gauge("waiting-requests", "1", "Requests queued in the client for a connection.",
            static_cast<std::int64_t>(m.waiting));
    b.histogram("request-latency", "s", "Time from a request's write to its response.", m.latency_us,
                latency_bounds(), us);
    b.histogram("throttle-time", "s", "throttle_time_ms of the responses that carried one (KIP-219).",
                m.throttle_ms, latency_bounds(), ms);
    describe_errors(b, "request-error-total", "Requests that ended without a response, by error.", m.errors);
    for (const auto& a : m.apis) {
        b.scope({{"node_id", std::int64_t{m.node_id}}, {"address", m.address}, {"api", api_name(a.api_key)}});
        b.counter("api-request-total", "1", "Requests of one API completed (answered or failed).", a.requests);
        b.counter("api-request-error-total", "1", "Requests of one API that ended without a response.", a.errors);
        b.counter("api-outgoing-byte-total", "By", "Bytes of one API's request frames.", a.bytes_out);
        b.counter("api-incoming-byte-total", "By", "Bytes of one API's response frames.", a.bytes_in);
        b.histogram("api-request-latency", "s", "Time from a request's write to its response, per API.",
                    a.latency_us, latency_bounds(), us);
    }
    b.scope({});
}

std::vector<metric_family> describe_brokers(const std::vector<broker_metrics>& brokers, const client_info& client) {
    family_builder b(metric_group::broker, client);
    for (const auto& m : brokers) describe_broker(b, m);
    return b.take();
}

}  // namespace

std::vector<metric_family> describe(const producer_stats& s, const client_info& client) {
    family_builder b(metric_group::producer, client);
    b.counter("record-send-total", "1", "Records accepted by async_send.", s.records_sent);
    b.counter("record-delivered-total", "1", "Records acknowledged (or written, acks=0).", s.records_delivered);
    b.counter("record-error-total", "1", "Records completed with an error, rejected sends included.",
              s.records_failed);
    b.counter("batch-send-total", "1", "Batches put in Produce requests, retries included.", s.batches);
    b.counter("batch-retry-total", "1", "Batches put back for a retry.", s.retries);
    b.counter("produce-request-total", "1", "Produce requests sent.", s.requests);
    b.counter("byte-total", "By", "Record batch bytes sent (compressed), retries included.", s.bytes);
    b.counter("uncompressed-byte-total", "By", "Record batch bytes sent before compression.",
              s.uncompressed_bytes);
    b.gauge("compression-rate", "1", "Compressed bytes per uncompressed byte sent (0 before any batch).",
            s.compression_ratio());
    b.scaled_counter("produce-throttle-time-total", "s", "Time the brokers throttled this producer (KIP-219).",
                     s.throttled_ms, ms);
    b.counter("transaction-commit-total", "1", "Transactions committed.", s.transactions_committed);
    b.counter("transaction-abort-total", "1", "Transactions aborted.", s.transactions_aborted);
    b.counter("callback-error-total", "1", "Delivery callbacks that threw.", s.callback_errors);
    describe_errors(b, "batch-error-total", "Batches that came back with an error (retried or failed), by error.",
                    s.batch_errors);
    b.gauge("buffer-used-bytes", "By", "buffer.memory in use by batches.", static_cast<std::int64_t>(s.buffer_bytes));
    if (client.buffer_memory) {
        const auto total = static_cast<std::int64_t>(client.buffer_memory);
        b.gauge("buffer-total-bytes", "By", "buffer.memory.", total);
        b.gauge("buffer-available-bytes", "By", "buffer.memory not in use by batches.",
                total - static_cast<std::int64_t>(s.buffer_bytes));
    }
    b.gauge("waiting-bytes", "By", "Bytes of sends waiting for memory or metadata.",
            static_cast<std::int64_t>(s.waiting_bytes));
    b.gauge("waiting-sends", "1", "Sends waiting for memory or metadata.", static_cast<std::int64_t>(s.waiting_sends));
    b.histogram("batch-size", "By", "Bytes per batch sent, compressed.", s.batch_bytes, size_bounds(), 1);
    b.histogram("records-per-batch", "1", "Records per batch sent.", s.batch_records, count_bounds(), 1);
    b.histogram("record-queue-time", "s", "Time from a batch's first record to the batch's first send.",
                s.queue_time_us, latency_bounds(), us);
    b.histogram("delivery-latency", "s", "Time from a batch's first record to its completion.",
                s.delivery_latency_us, latency_bounds(), us);
    auto out = b.take();
    merge_families(out, describe_brokers(s.brokers, client));
    return out;
}

std::vector<metric_family> describe(const consumer_stats& s, const client_info& client) {
    family_builder b(metric_group::consumer, client);
    b.counter("records-consumed-total", "1", "Records handed out by poll.", s.records);
    b.counter("bytes-consumed-total", "By", "Record batch bytes received.", s.bytes);
    b.counter("fetch-total", "1", "Fetch requests sent.", s.fetch_requests);
    b.counter("fetch-response-total", "1", "Fetch responses received.", s.fetch_responses);
    b.counter("incremental-fetch-total", "1", "Fetch requests sent as incremental fetch-session requests (KIP-227).",
              s.incremental_fetch_requests);
    b.counter("fetch-session-reset-total", "1", "Fetch sessions the broker dropped.", s.fetch_session_resets);
    b.counter("list-offsets-total", "1", "ListOffsets requests sent.", s.list_offsets_requests);
    b.counter("metadata-refresh-total", "1", "Metadata refreshes the consumer asked for.",
              s.metadata_refreshes_requested);
    b.counter("commit-total", "1", "OffsetCommit requests sent.", s.commits);
    b.gauge("prefetched-bytes", "By", "Fetched bytes waiting for poll.", static_cast<std::int64_t>(s.prefetched_bytes));
    b.gauge("prefetched-bytes-max", "By", "The most prefetched-bytes has been.",
            static_cast<std::int64_t>(s.prefetched_bytes_peak));
    b.histogram("fetch-latency", "s", "Time per Fetch request, the broker's wait for fetch.min.bytes included.",
                s.fetch_latency_us, latency_bounds(), us);
    b.histogram("commit-latency", "s", "Time per OffsetCommit request answered.", s.commit_latency_us,
                latency_bounds(), us);
    b.counter("rebalance-total", "1", "Rebalances this member went through.", s.rebalance_ms.count);
    b.histogram("rebalance-latency", "s", "Time per rebalance, from the join to the new assignment taken.",
                s.rebalance_ms, latency_bounds(), ms);
    b.gauge("records-lag-max", "1", "The largest lag of the assigned partitions (0 when none is known).",
            s.lag_max);
    for (const auto& p : s.partitions) {
        std::vector<metric_label> tp{{"topic", p.topic}, {"partition", std::int64_t{p.partition}}};
        if (p.lag >= 0) b.gauge("records-lag", "1", "End offset minus position, per partition.", p.lag, tp);
        if (p.position >= 0 && p.log_start_offset >= 0)
            b.gauge("records-lead", "1", "Position minus log start offset, per partition.",
                    p.position - p.log_start_offset, tp);
    }
    auto out = b.take();
    merge_families(out, describe_brokers(s.brokers, client));
    return out;
}

}  // namespace kasio::exporters

// The producer's statistics JSON (statistics.interval.ms, producer::statistics_json()); the
// schema is in docs/observability.md.
#include "net/statistics.hpp"
#include "producer/producer_impl.hpp"

namespace kasio {

std::string producer::impl::statistics_json() const {
    const producer_stats s = stats();
    std::string out;
    out.reserve(4096);
    metrics::json_writer w(out);
    w.begin_object();
    net::write_header(w, stats_name, cfg.connection.client_id, "producer", created);
    // librdkafka's: records and bytes in the producer's queues (accepted, not completed).
    const std::uint64_t done = s.records_delivered + s.records_failed;
    w.member("msg_cnt", s.records_sent > done ? s.records_sent - done : 0);
    w.member("msg_size", static_cast<std::uint64_t>(s.buffer_bytes));
    w.member("msg_size_max", static_cast<std::uint64_t>(cfg.buffer_memory));
    w.member("txmsgs", s.records_delivered).member("txmsg_bytes", s.bytes);
    net::write_brokers(w, s.brokers);
    w.key("producer").begin_object();
    w.member("records_sent", s.records_sent).member("records_delivered", s.records_delivered);
    w.member("records_failed", s.records_failed).member("batches", s.batches).member("requests", s.requests);
    w.member("bytes", s.bytes).member("uncompressed_bytes", s.uncompressed_bytes);
    w.member("compression_ratio", s.compression_ratio());
    w.member("retries", s.retries).member("throttled_ms", s.throttled_ms);
    w.member("buffer_bytes", static_cast<std::uint64_t>(s.buffer_bytes));
    w.member("waiting_sends", static_cast<std::uint64_t>(s.waiting_sends));
    w.member("waiting_bytes", static_cast<std::uint64_t>(s.waiting_bytes));
    w.member("callback_errors", s.callback_errors);
    w.member("transactions_committed", s.transactions_committed);
    w.member("transactions_aborted", s.transactions_aborted);
    w.window("batchcnt", s.batch_records);
    w.window("batchsize", s.batch_bytes);
    w.window("int_latency", s.queue_time_us);
    w.window("delivery_latency", s.delivery_latency_us);
    net::write_errors(w, "errors", s.batch_errors);
    w.end_object();
    w.end_object();
    return out;
}

}  // namespace kasio

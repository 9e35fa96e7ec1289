// rdkafka-perf: kasio-perf's twin on librdkafka 2.14, the reference in tests/bench/compare.sh.
// Same command line, same payload, same RESULT line (examples/perf_common.hpp):
//
//   rdkafka-perf produce|consume --brokers B --topic T --count N --size S [--key-size K]
//                [--codec C] [--acks A] [--linger-ms L] [--batch-size B] [-X name=value]...
//
// For a fair comparison librdkafka runs with the Java client's defaults, which kasio keeps,
// where librdkafka's own differ (perf_common.hpp adds acks, idempotence, linger and batch size):
//   partitioner=murmur2_random        Java's: murmur2 of the key, spread for null keys (librdkafka
//                                     keeps a null-key partition for sticky.partitioning.linger.ms,
//                                     Java/kasio until a batch is full, KIP-794)
//   batch.size=16384                  Java's per-partition batch (librdkafka's default is 1 MB)
//   queue.buffering.max.kbytes=32768  Java's buffer.memory (32 MiB) bounds what is queued;
//   queue.buffering.max.messages      Java has no record count limit, so this one is lifted.
// Records are produced with RD_KAFKA_MSG_F_COPY: like kasio's send(), the caller's bytes need
// only live until the call returns, so librdkafka copies them once, as kasio does.
#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "perf_common.hpp"

namespace {

struct producer_state {
    perf::latency_record* latencies = nullptr;
    std::int64_t delivered = 0;
    std::int64_t failed = 0;
    std::uint64_t bytes = 0;
    rd_kafka_resp_err_t first_error = RD_KAFKA_RESP_ERR_NO_ERROR;
};

// Runs inside rd_kafka_poll()/rd_kafka_flush() on the calling thread.
extern "C" void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto& st = *static_cast<producer_state*>(opaque);
    const auto id = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(m->_private));
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        st.latencies->delivered(id, perf::clock::now());
        ++st.delivered;
        st.bytes += m->len + m->key_len;
    } else {
        st.latencies->failed(id);
        ++st.failed;
        if (st.first_error == RD_KAFKA_RESP_ERR_NO_ERROR) st.first_error = m->err;
    }
}

bool set(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
    char err[512];
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
        std::fprintf(stderr, "rdkafka-perf: property %s=%s: %s\n", name.c_str(), value.c_str(), err);
        return false;
    }
    return true;
}

struct rk_deleter {
    void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using rk_ptr = std::unique_ptr<rd_kafka_t, rk_deleter>;

// Makes the client; `conf` is consumed in every case.
rk_ptr make_client(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
    char err[512];
    rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
    if (rk == nullptr) {
        std::fprintf(stderr, "rdkafka-perf: rd_kafka_new: %s\n", err);
        return nullptr;
    }
    return rk_ptr{rk};
}

int run_produce(const perf::options& opt) {
    const perf::payload values(opt.size);
    perf::latency_record latencies(opt.count);
    producer_state st;
    st.latencies = &latencies;

    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    bool ok = set(conf, "bootstrap.servers", opt.brokers) && set(conf, "partitioner", "murmur2_random") &&
              set(conf, "queue.buffering.max.kbytes", "32768") &&
              set(conf, "queue.buffering.max.messages", "2147483647");
    for (const auto& [name, value] : opt.properties) ok = ok && set(conf, name, value);
    if (!ok) {
        rd_kafka_conf_destroy(conf);
        return 2;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, &st);
    rk_ptr rk = make_client(RD_KAFKA_PRODUCER, conf);
    if (!rk) return 2;
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk.get(), opt.topic.c_str(), nullptr);

    std::vector<char> key(opt.key_size);
    perf::progress meter("produce");
    perf::result res;
    res.mode = "produce";
    res.msgs = opt.count;
    const std::int64_t window = perf::window(opt);

    const auto start = perf::clock::now();
    for (std::int64_t i = 0; i < opt.count; ++i) {
        const auto id = static_cast<std::uint64_t>(i);
        perf::write_key(key.data(), key.size(), id);
        void* value = const_cast<std::uint8_t*>(values.value(id));  // F_COPY: only read
        while (i - (st.delivered + st.failed) >= window) rd_kafka_poll(rk.get(), 1);
        if (opt.rate > 0) {
            // --rate: serve reports (each as it arrives: rd_kafka_poll returns on one) until this
            // record is due. Under a millisecond to go it still waits 1 ms at most: polling with
            // 0 would spin and bill librdkafka for it, sleeping would hold its reports back.
            const auto at = perf::due(opt, start, i);
            for (auto now = perf::clock::now(); now < at; now = perf::clock::now()) {
                const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(at - now).count();
                rd_kafka_poll(rk.get(), std::max(1, static_cast<int>(ms)));
            }
        }
        for (;;) {
            latencies.sent(id, perf::clock::now());
            if (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, value, opt.size,
                                 opt.key_size ? key.data() : nullptr, opt.key_size,
                                 reinterpret_cast<void*>(static_cast<std::uintptr_t>(id))) == 0)
                break;
            const rd_kafka_resp_err_t err = rd_kafka_last_error();
            if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                std::fprintf(stderr, "rdkafka-perf: produce: %s\n", rd_kafka_err2str(err));
                latencies.failed(id);
                ++st.failed;
                break;
            }
            rd_kafka_poll(rk.get(), 1);  // queue full (not with the window): serve reports
        }
        if ((i & 1023) == 0) {
            rd_kafka_poll(rk.get(), 0);
            meter.update(st.delivered, opt.count, perf::clock::now());
        }
    }
    // Wait for every report. A run that stops making progress for 30 s gives up on the rest.
    std::int64_t last_done = -1;
    auto last_change = perf::clock::now();
    while (rd_kafka_outq_len(rk.get()) > 0) {
        rd_kafka_poll(rk.get(), 100);
        const auto now = perf::clock::now();
        meter.update(st.delivered, opt.count, now);
        if (st.delivered + st.failed != last_done) {
            last_done = st.delivered + st.failed;
            last_change = now;
        } else if (now - last_change > std::chrono::seconds(30)) {
            std::fprintf(stderr, "rdkafka-perf: no delivery report for 30 s, giving up\n");
            break;
        }
    }
    res.secs = std::chrono::duration<double>(perf::clock::now() - start).count();
    meter.finish();
    rd_kafka_topic_destroy(rkt);
    rk.reset();  // outside the timed part, but its CPU counts (read in print_result)

    res.ok = st.delivered;
    res.failed = opt.count - st.delivered;
    res.bytes = st.bytes;
    res.p50_ms = latencies.quantile_ms(0.50);
    res.p99_ms = latencies.quantile_ms(0.99);
    if (st.first_error != RD_KAFKA_RESP_ERR_NO_ERROR)
        std::fprintf(stderr, "rdkafka-perf: %lld records failed, first error: %s\n",
                     static_cast<long long>(st.failed), rd_kafka_err2str(st.first_error));
    perf::print_result(res);
    return res.failed == 0 ? 0 : 1;
}

int run_consume(const perf::options& opt) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    // assign() needs a consumer group handle in librdkafka, though it joins no group: a group
    // id of its own, and nothing committed.
    const std::string group = "rdkafka-perf-" + std::to_string(getpid());
    bool ok = set(conf, "bootstrap.servers", opt.brokers) && set(conf, "group.id", group) &&
              set(conf, "enable.auto.commit", "false") && set(conf, "enable.auto.offset.store", "false");
    for (const auto& [name, value] : opt.properties) ok = ok && set(conf, name, value);
    if (!ok) {
        rd_kafka_conf_destroy(conf);
        return 2;
    }
    rk_ptr rk = make_client(RD_KAFKA_CONSUMER, conf);
    if (!rk) return 2;

    // Every partition of the topic, from the beginning.
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk.get(), opt.topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk.get(), 0, rkt, &md, 10000);
    rd_kafka_topic_destroy(rkt);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        std::fprintf(stderr, "rdkafka-perf: metadata for %s: %s\n", opt.topic.c_str(),
                     rd_kafka_err2str(err ? err : md->topics[0].err));
        if (md) rd_kafka_metadata_destroy(md);
        return 1;
    }
    const int partitions = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p)
        rd_kafka_topic_partition_list_add(parts, opt.topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;

    perf::progress meter("consume");
    perf::result res;
    res.mode = "consume";
    res.msgs = opt.count;

    const auto start = perf::clock::now();
    err = rd_kafka_assign(rk.get(), parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        std::fprintf(stderr, "rdkafka-perf: assign: %s\n", rd_kafka_err2str(err));
        return 1;
    }
    // The batch call is librdkafka's fastest consumer path; kasio's poll hands out a batch too.
    rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(rk.get());
    std::vector<rd_kafka_message_t*> batch(500);  // Java's (and kasio's) max.poll.records
    auto last_record = perf::clock::now();
    while (res.ok < opt.count) {
        const ssize_t n = rd_kafka_consume_batch_queue(queue, 100, batch.data(), batch.size());
        const auto now = perf::clock::now();
        for (ssize_t i = 0; i < n; ++i) {
            rd_kafka_message_t* m = batch[static_cast<std::size_t>(i)];
            if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                if (res.ok < opt.count) {
                    ++res.ok;
                    res.bytes += m->len + m->key_len;
                }
                last_record = now;
            } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                std::fprintf(stderr, "rdkafka-perf: consume: %s\n", rd_kafka_message_errstr(m));
            }
            rd_kafka_message_destroy(m);
        }
        meter.update(res.ok, opt.count, now);
        if (now - last_record > std::chrono::seconds(30)) {
            std::fprintf(stderr, "rdkafka-perf: no record for 30 s, giving up\n");
            break;
        }
    }
    res.secs = std::chrono::duration<double>(perf::clock::now() - start).count();
    meter.finish();
    rd_kafka_queue_destroy(queue);
    rd_kafka_consumer_close(rk.get());
    rk.reset();

    res.failed = opt.count - res.ok;
    perf::print_result(res);
    return res.failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    perf::options opt;
    std::string error;
    if (!perf::parse_options(argc, argv, opt, error)) {
        std::fprintf(stderr, "rdkafka-perf: %s\n", error.c_str());
        perf::print_usage("rdkafka-perf");
        return 2;
    }
    if (opt.help) {
        perf::print_usage("rdkafka-perf", stdout);
        return 0;
    }
    return opt.mode == "produce" ? run_produce(opt) : run_consume(opt);
}

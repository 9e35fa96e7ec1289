#include "rdkafka_reader.hpp"

#include <memory>

namespace kasio::test {

std::optional<std::string_view> read_record::header(const char* name) const {
    if (headers == nullptr) return std::nullopt;
    const void* v = nullptr;
    std::size_t n = 0;
    if (rd_kafka_header_get_last(headers, name, &v, &n) != RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
    return std::string_view(static_cast<const char*>(v), v != nullptr ? n : 0);
}

std::int32_t rdkafka_murmur2_partition(std::string_view key, std::int32_t partitions) {
    // The topic handle is consulted only for null keys (random among available partitions).
    return rd_kafka_msg_partitioner_murmur2_random(nullptr, key.data(), key.size(), partitions, nullptr, nullptr);
}

std::string read_all(const std::string& bootstrap, const std::string& topic, std::int32_t partitions,
                     const std::function<void(const read_record&)>& on_record, std::chrono::milliseconds timeout) {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    const char* settings[][2] = {
        {"bootstrap.servers", bootstrap.c_str()}, {"group.id", "kasio-rdkafka-reader"},
        {"enable.auto.commit", "false"},          {"log_level", "3"},
        {"fetch.wait.max.ms", "10"},              {"check.crcs", "true"},
        {"enable.partition.eof", "false"},
    };
    for (const auto& kv : settings) {
        if (rd_kafka_conf_set(conf, kv[0], kv[1], errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            return std::string("rdkafka_reader: ") + errstr;
        }
    }
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (rk == nullptr) {
        rd_kafka_conf_destroy(conf);
        return std::string("rdkafka_reader: rd_kafka_new: ") + errstr;
    }
    std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> guard(rk, [](rd_kafka_t* k) {
        rd_kafka_consumer_close(k);
        rd_kafka_destroy(k);
    });
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto left_ms = [&] {
        return static_cast<int>(std::max<std::int64_t>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
                   .count()));
    };
    std::vector<std::int64_t> high(static_cast<std::size_t>(partitions)), next(high.size());
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
    std::size_t pending = 0;
    for (std::int32_t p = 0; p < partitions; ++p) {
        std::int64_t lo = 0, hi = 0;
        const auto err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &lo, &hi, left_ms());
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_topic_partition_list_destroy(list);
            return "rdkafka_reader: watermarks of partition " + std::to_string(p) + ": " + rd_kafka_err2str(err);
        }
        const auto i = static_cast<std::size_t>(p);
        high[i] = hi;
        next[i] = lo;
        if (lo < hi) ++pending;
        rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = lo;
    }
    const auto aerr = rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (aerr != RD_KAFKA_RESP_ERR_NO_ERROR) return std::string("rdkafka_reader: assign: ") + rd_kafka_err2str(aerr);
    while (pending > 0) {
        if (left_ms() == 0) return "rdkafka_reader: timed out with " + std::to_string(pending) + " partitions unread";
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
        if (m == nullptr) continue;
        std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> mg(m, rd_kafka_message_destroy);
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
            return std::string("rdkafka_reader: ") + rd_kafka_message_errstr(m);
        }
        const auto i = static_cast<std::size_t>(m->partition);
        if (m->partition < 0 || m->partition >= partitions || m->offset >= high[i]) continue;
        read_record r;
        r.partition = m->partition;
        r.offset = m->offset;
        rd_kafka_timestamp_type_t tstype;
        r.timestamp = rd_kafka_message_timestamp(m, &tstype);
        if (m->key != nullptr) r.key = std::string_view(static_cast<const char*>(m->key), m->key_len);
        if (m->payload != nullptr) r.value = std::string_view(static_cast<const char*>(m->payload), m->len);
        rd_kafka_headers_t* h = nullptr;
        if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR) r.headers = h;
        on_record(r);
        next[i] = m->offset + 1;
        if (next[i] == high[i]) --pending;
    }
    return {};
}

}  // namespace kasio::test

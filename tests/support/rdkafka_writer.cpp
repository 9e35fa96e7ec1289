// librdkafka producer helper for consumer tests; see rdkafka_writer.hpp.
#include "rdkafka_writer.hpp"

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <charconv>
#include <stdexcept>

namespace kasio::test {
namespace {

void set(rd_kafka_conf_t* conf, const char* name, const std::string& value) {
    char err[256];
    if (rd_kafka_conf_set(conf, name, value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
        throw std::runtime_error(std::string("rdkafka_writer: ") + name + ": " + err);
}

struct delivery_counts {
    std::atomic<std::size_t> ok{0};
    std::atomic<std::size_t> failed{0};
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* c = static_cast<delivery_counts*>(opaque);
    if (m->err) ++c->failed;
    else ++c->ok;
}

}  // namespace

std::string expected_key(std::size_t i) { return "k" + std::to_string(i); }

std::string expected_value(std::size_t i, std::size_t size) {
    std::string v = "v" + std::to_string(i) + ":";
    v.reserve(size);
    // A pattern that depends on i, compressible but not constant.
    for (std::size_t j = v.size(); j < size; ++j) v.push_back(static_cast<char>('a' + (i + j) % 26));
    v.resize(size);
    return v;
}

std::optional<std::size_t> parse_key(std::string_view key) {
    if (key.size() < 2 || key[0] != 'k') return std::nullopt;
    std::size_t v = 0;
    auto [p, ec] = std::from_chars(key.data() + 1, key.data() + key.size(), v);
    if (ec != std::errc{} || p != key.data() + key.size()) return std::nullopt;
    return v;
}

std::size_t produce_records(const std::string& bootstrap, const std::string& topic, std::size_t count,
                            const writer_options& opts) {
    delivery_counts counts;
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", bootstrap);
    set(conf, "compression.codec", opts.codec);
    set(conf, "linger.ms", std::to_string(opts.linger_ms));
    set(conf, "batch.num.messages", std::to_string(opts.batch_num_messages));
    set(conf, "queue.buffering.max.messages", "2000000");
    set(conf, "queue.buffering.max.kbytes", "2097151");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, &counts);
    char err[256];
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(std::string("rdkafka_writer: ") + err);
    }
    std::string value;
    for (std::size_t n = 0; n < count; ++n) {
        const std::size_t i = opts.first + n;
        const std::string key = expected_key(i);
        value = expected_value(i, opts.value_size);
        const std::string seq = std::to_string(i);
        rd_kafka_headers_t* hdrs = nullptr;
        if (opts.headers) {
            hdrs = rd_kafka_headers_new(2);
            rd_kafka_header_add(hdrs, "seq", -1, seq.data(), static_cast<ssize_t>(seq.size()));
            rd_kafka_header_add(hdrs, "null", -1, nullptr, 0);
        }
        for (;;) {
            // rd_kafka_produceva: the RD_KAFKA_V_* macros use GNU statement expressions.
            rd_kafka_vu_t vus[7];
            vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
            vus[0].u.cstr = topic.c_str();
            vus[1].vtype = RD_KAFKA_VTYPE_PARTITION;
            vus[1].u.i32 = static_cast<int32_t>(i % static_cast<std::size_t>(opts.partitions));
            vus[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
            vus[2].u.i = RD_KAFKA_MSG_F_COPY;
            vus[3].vtype = RD_KAFKA_VTYPE_VALUE;
            vus[3].u.mem = {value.data(), value.size()};
            vus[4].vtype = RD_KAFKA_VTYPE_KEY;
            vus[4].u.mem = {opts.keys ? const_cast<char*>(key.data()) : nullptr, opts.keys ? key.size() : 0};
            vus[5].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
            vus[5].u.i64 = opts.base_timestamp + static_cast<std::int64_t>(i);
            vus[6].vtype = RD_KAFKA_VTYPE_HEADERS;
            vus[6].u.headers = hdrs;
            rd_kafka_error_t* error = rd_kafka_produceva(rk, vus, hdrs ? 7 : 6);
            const rd_kafka_resp_err_t e = error ? rd_kafka_error_code(error) : RD_KAFKA_RESP_ERR_NO_ERROR;
            if (error) rd_kafka_error_destroy(error);
            if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                rd_kafka_poll(rk, 10);
                continue;
            }
            if (e) {
                if (hdrs) rd_kafka_headers_destroy(hdrs);
                ++counts.failed;
            }
            break;
        }
        if (n % 10000 == 0) rd_kafka_poll(rk, 0);
    }
    while (rd_kafka_outq_len(rk) > 0) rd_kafka_poll(rk, 50);
    rd_kafka_destroy(rk);
    return counts.ok;
}

}  // namespace kasio::test

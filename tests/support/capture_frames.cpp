// kasio-capture-frames: records Kafka protocol frames written by another implementation
// (librdkafka 2.14.2 as client, its mock cluster as broker) as golden data for kasio's codecs.
//
//   kasio-capture-frames --out tests/data/golden [--verbose] [--only-cap N]
//
// Each session starts a 1-broker mock cluster and a frame_proxy in front of it; the broker
// advertises the proxy (rd_kafka_mock_broker_set_host_port), so bootstrap and broker
// connections all pass through it. librdkafka clients then run the scenarios below. The first
// session leaves the broker's versions alone; each later one caps every API's max version at
// `cap` (its min if that is higher) so librdkafka negotiates older versions. The first request/
// response pair per (api, version) wins and is written as
//   <api_key:02>_<api_name>_v<version>_request.bin / _response.bin
// (frames without the 4-byte length prefix). The records field of the first Produce v3+
// request per codec is written as record_batch_<codec>.bin, with record_batch_<codec>.txt
// listing the records it must decode to (checked by reading them back with librdkafka before
// anything is written). README.md is regenerated with the list. Pairs whose mock response is
// known to be malformed keep only the request (README lists why). --verbose shows librdkafka's
// protocol debug log; --only-cap N runs the uncapped session and cap N only (debugging).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "frame_proxy.hpp"
#include "golden_data.hpp"
#include "mock_cluster.hpp"

namespace {

namespace fs = std::filesystem;
using namespace kasio::test;

bool verbose = false;

// ---- what was captured -------------------------------------------------------------------

struct capture_store {
    struct pair {
        std::vector<uint8_t> request;
        std::vector<uint8_t> response;
    };
    struct batch {
        int16_t produce_version = 0;
        std::vector<uint8_t> records;
    };
    std::mutex mutex;  // written by proxy and librdkafka threads, read by main between sessions
    std::map<std::pair<int16_t, int16_t>, pair> pairs;
    std::map<std::string, batch> batches;  // by codec
    // (api, version) whose mock response librdkafka failed to parse: a mock bug, not golden.
    std::map<std::pair<int16_t, int16_t>, std::string> rejected;

    void add_pair(const request_header& h, std::span<const uint8_t> req,
                  std::span<const uint8_t> resp) {
        std::lock_guard lock(mutex);
        // KIP-511: a broker refusing an ApiVersions version answers in the v0 format (correlation
        // id, error_code, int32 count, count * 6 bytes); the mock does not for flexible versions.
        constexpr int16_t api_versions = 18;
        if (h.api_key == api_versions && resp.size() >= 6 && read_be16(resp.data() + 4) != 0) {
            const bool v0_format =
                resp.size() >= 10 && read_be32(resp.data() + 6) >= 0 &&
                resp.size() == 10 + 6 * static_cast<size_t>(read_be32(resp.data() + 6));
            if (!v0_format)
                rejected.try_emplace({h.api_key, h.api_version},
                                     "the mock's UNSUPPORTED_VERSION reply is not in the v0 format "
                                     "Kafka uses (KIP-511)");
        }
        pairs.try_emplace({h.api_key, h.api_version},
                          pair{{req.begin(), req.end()}, {resp.begin(), resp.end()}});
    }

    void add_produce(const request_header& h, std::span<const uint8_t> req) {
        if (h.api_key != 0 || h.api_version < 3) return;  // RecordBatch (magic 2) needs Produce v3+
        std::vector<std::pair<std::string, std::span<const uint8_t>>> found =
            produce_records(h, req);
        std::lock_guard lock(mutex);
        for (const auto& [topic, records] : found) {
            constexpr size_t magic_offset = 16;  // base_offset, batch_length, leader_epoch, magic
            if (records.size() <= magic_offset || records[magic_offset] != 2) continue;
            for (const golden_codec& c : golden_codecs)
                if (topic == golden_topic(c))
                    batches.try_emplace(c.name,
                                        batch{h.api_version, {records.begin(), records.end()}});
        }
    }
};

capture_store* the_store = nullptr;  // for on_log, which gets no usable opaque

// librdkafka's name for an API in its logs: Kafka's CamelCase name, but "ApiVersion".
std::string librdkafka_api_name(int16_t api_key) {
    if (api_key == 18) return "ApiVersion";
    std::string out;
    bool upper = true;
    for (char c : api_name(api_key)) {
        if (c == '_') {
            upper = true;
        } else {
            out += upper ? static_cast<char>(c - 'a' + 'A') : c;
            upper = false;
        }
    }
    return out;
}

// "Protocol read buffer underflow for Produce v5 at ..." (or "parse failure"): librdkafka could
// not parse a response, so the mock wrote it wrong for that version.
void note_parse_failure(std::string_view msg) {
    for (std::string_view marker :
         {"Protocol read buffer underflow for ", "Protocol parse failure for "}) {
        const size_t at = msg.find(marker);
        if (at == std::string_view::npos) continue;
        std::string_view rest = msg.substr(at + marker.size());
        const size_t space = rest.find(" v");
        if (space == std::string_view::npos) return;
        const std::string_view name = rest.substr(0, space);
        const int version = std::atoi(std::string{rest.substr(space + 2, 6)}.c_str());
        for (int16_t key = 0; key < 100; ++key) {
            if (librdkafka_api_name(key) != name) continue;
            std::lock_guard lock(the_store->mutex);
            // From the marker on: the thread and broker prefix holds ephemeral ports.
            the_store->rejected.try_emplace({key, static_cast<int16_t>(version)},
                                            std::string{msg.substr(at)});
            return;
        }
    }
}

// ---- sessions ----------------------------------------------------------------------------

using api_ranges = std::map<int16_t, std::pair<int16_t, int16_t>>;  // api -> (min, max)

struct rk_deleter {
    void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using rk_ptr = std::unique_ptr<rd_kafka_t, rk_deleter>;

void on_log(const rd_kafka_t*, int level, const char* fac, const char* msg) {
    note_parse_failure(msg);
    if (verbose) std::cerr << "  librdkafka[" << level << "] " << fac << ": " << msg << '\n';
}

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) ++*static_cast<int*>(opaque);
}

struct session {
    mock_cluster cluster{1};
    capture_store& store;
    frame_proxy proxy;  // after cluster: destroyed first
    std::string bootstrap;

    // caps: the mock's ranges, each max lowered to `cap` (not below min); raised: per-API caps
    // used instead.
    session(capture_store& s, const api_ranges* caps, int cap, const std::map<int16_t, int>& raised)
        : store(s),
          proxy(
              cluster.bootstrap(),
              [&s](const request_header& h, std::span<const uint8_t> req,
                   std::span<const uint8_t> resp) { s.add_pair(h, req, resp); },
              [&s](const request_header& h, std::span<const uint8_t> req) {
                  s.add_produce(h, req);
              }),
          bootstrap("127.0.0.1:" + std::to_string(proxy.port())) {
        cluster.set_advertised_listener(1, "127.0.0.1", proxy.port());
        cluster.set_group_initial_rebalance_delay(0);
        cluster.start_request_tracking();
        const std::string metrics[] = {"org.apache.kafka."};
        cluster.set_telemetry(metrics, 200);  // KIP-714: GetTelemetrySubscriptions, PushTelemetry
        for (const golden_codec& c : golden_codecs) cluster.create_topic(golden_topic(c), 1, 1);
        if (caps != nullptr) {
            for (const auto& [api, range] : *caps) {
                const auto r = raised.find(api);
                const int api_cap = r == raised.end() ? cap : r->second;
                const int16_t max =
                    static_cast<int16_t>(std::clamp<int>(api_cap, range.first, range.second));
                cluster.set_apiversion(api, range.first, max);
            }
        }
    }

    rk_ptr client(rd_kafka_type_t type, std::vector<std::pair<std::string, std::string>> props,
                  void* opaque = nullptr) {
        char errstr[512];
        rd_kafka_conf_t* conf = rd_kafka_conf_new();
        props.insert(props.begin(),
                     {{"bootstrap.servers", bootstrap}, {"client.id", "kasio-golden"}});
        // Old capped versions make some scenarios fail; they should fail fast.
        if (type == RD_KAFKA_PRODUCER) props.emplace_back("message.timeout.ms", "3000");
        if (verbose) props.emplace_back("debug", "protocol,msg,feature");
        for (const auto& [name, value] : props) {
            if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) !=
                RD_KAFKA_CONF_OK) {
                std::cerr << "config " << name << ": " << errstr << '\n';
                rd_kafka_conf_destroy(conf);
                return nullptr;
            }
        }
        rd_kafka_conf_set_log_cb(conf, on_log);
        if (type == RD_KAFKA_PRODUCER) rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
        rd_kafka_conf_set_opaque(conf, opaque);
        rd_kafka_t* rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
        if (rk == nullptr) {
            std::cerr << "rd_kafka_new: " << errstr << '\n';
            rd_kafka_conf_destroy(conf);
        }
        return rk_ptr{rk};
    }

    bool seen(int16_t api_key) const {
        const auto reqs = cluster.requests();
        return std::any_of(reqs.begin(), reqs.end(),
                           [&](const tracked_request& r) { return r.api_key == api_key; });
    }
};

// Produces the golden records into partition 0 and waits for their delivery reports.
void produce_golden(rd_kafka_t* rk, const std::string& topic) {
    for (const golden_record& r : golden_records()) {
        rd_kafka_headers_t* headers = rd_kafka_headers_new(r.headers.size());
        for (const golden_header& h : r.headers)
            rd_kafka_header_add(headers, h.key.c_str(), -1, h.value ? h.value->data() : nullptr,
                                h.value ? static_cast<ssize_t>(h.value->size()) : 0);
        // The RD_KAFKA_V_* macros do not parenthesise their arguments: plain variables only.
        const void* key = r.key ? r.key->data() : nullptr;
        const size_t key_size = r.key ? r.key->size() : 0;
        void* value = r.value ? const_cast<char*>(r.value->data()) : nullptr;
        const size_t value_size = r.value ? r.value->size() : 0;
        const char* topic_name = topic.c_str();
        const rd_kafka_resp_err_t err = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(topic_name), RD_KAFKA_V_PARTITION(0),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_size),
            RD_KAFKA_V_VALUE(value, value_size), RD_KAFKA_V_HEADERS(headers),
            RD_KAFKA_V_TIMESTAMP(r.timestamp), RD_KAFKA_V_END);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_headers_destroy(headers);  // producev takes ownership only on success
            if (verbose) std::cerr << "  produce: " << rd_kafka_err2str(err) << '\n';
        }
    }
    rd_kafka_flush(rk, 5000);
}

std::string error_text(rd_kafka_error_t* error) {
    std::string text = error != nullptr ? rd_kafka_error_string(error) : "ok";
    if (error != nullptr) rd_kafka_error_destroy(error);
    return text;
}

// Metadata, ApiVersions, Produce with every codec (keys, values, headers, timestamps).
std::string scenario_codecs(session& s) {
    std::string result;
    for (const golden_codec& c : golden_codecs) {
        int delivered = 0;
        rk_ptr rk = s.client(RD_KAFKA_PRODUCER,
                             {{"compression.codec", c.name}, {"linger.ms", "100"}}, &delivered);
        if (!rk) return "client failed";
        produce_golden(rk.get(), golden_topic(c));
        result += std::string{c.name} + "=" + std::to_string(delivered) + " ";
    }
    return result;
}

std::optional<std::string> bytes_of(const void* p, size_t n) {
    if (p == nullptr) return std::nullopt;
    return std::string{static_cast<const char*>(p), n};
}

// What record_batch_<codec>.txt promises: librdkafka reads each codec's batch back as exactly
// golden_records(). Returns an empty string when all match.
std::string verify_golden_topics(session& s) {
    std::string problems;
    for (const golden_codec& c : golden_codecs) {
        rk_ptr rk = s.client(RD_KAFKA_CONSUMER, {{"group.id", "kasio-golden-verify"},
                                                 {"enable.auto.commit", "false"},
                                                 {"fetch.wait.max.ms", "50"}});
        if (!rk) return "client failed";
        rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(parts, golden_topic(c).c_str(), 0)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_assign(rk.get(), parts);
        rd_kafka_topic_partition_list_destroy(parts);
        const std::vector<golden_record>& expected = golden_records();
        size_t i = 0;
        for (int polls = 0; polls < 100 && i < expected.size(); ++polls) {
            rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 100);
            if (m == nullptr) continue;
            if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                const golden_record& want = expected[i++];
                rd_kafka_timestamp_type_t type;
                bool same = m->offset == want.offset_delta &&
                            rd_kafka_message_timestamp(m, &type) == want.timestamp &&
                            bytes_of(m->key, m->key_len) == want.key &&
                            bytes_of(m->payload, m->len) == want.value;
                rd_kafka_headers_t* headers = nullptr;
                rd_kafka_message_headers(m, &headers);
                const size_t count = headers == nullptr ? 0 : rd_kafka_header_cnt(headers);
                same = same && count == want.headers.size();
                for (size_t h = 0; same && h < count; ++h) {
                    const char* name = nullptr;
                    const void* value = nullptr;
                    size_t size = 0;
                    rd_kafka_header_get_all(headers, h, &name, &value, &size);
                    same = name == want.headers[h].key &&
                           bytes_of(value, size) == want.headers[h].value;
                }
                if (!same)
                    problems += std::string{c.name} + " record " + std::to_string(i - 1) + "; ";
            }
            rd_kafka_message_destroy(m);
        }
        if (i < expected.size()) problems += std::string{c.name} + ": too few records; ";
        rd_kafka_consumer_close(rk.get());
    }
    return problems;
}

// InitProducerId without a transactional id, sequence numbers in the batch.
std::string scenario_idempotent(session& s) {
    int delivered = 0;
    rk_ptr rk = s.client(RD_KAFKA_PRODUCER, {{"enable.idempotence", "true"}}, &delivered);
    if (!rk) return "client failed";
    produce_golden(rk.get(), golden_topic(golden_codecs[0]));
    return "delivered " + std::to_string(delivered);
}

// FindCoordinator(transaction), InitProducerId, AddOffsetsToTxn, FindCoordinator(group),
// TxnOffsetCommit, EndTxn; then AddPartitionsToTxn and a transactional Produce. The offsets-only
// transaction comes first: below Produce v3 / Fetch v4 produce fails and aborts a transaction.
std::string scenario_transactional(session& s) {
    int delivered = 0;
    rk_ptr rk = s.client(
        RD_KAFKA_PRODUCER,
        {{"transactional.id", "kasio-golden-txn"}, {"transaction.timeout.ms", "5000"}}, &delivered);
    if (!rk) return "client failed";
    rd_kafka_error_t* error = rd_kafka_init_transactions(rk.get(), 3000);
    if (error != nullptr) return "init: " + error_text(error);
    const std::string topic = golden_topic(golden_codecs[0]);
    std::string result;
    for (bool produce : {false, true}) {
        if ((error = rd_kafka_begin_transaction(rk.get())) != nullptr)
            return result + "begin: " + error_text(error);
        if (produce) produce_golden(rk.get(), topic);
        rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(offsets, topic.c_str(), 0)->offset = produce ? 2 : 1;
        rd_kafka_consumer_group_metadata_t* group =
            rd_kafka_consumer_group_metadata_new("kasio-golden");
        error = rd_kafka_send_offsets_to_transaction(rk.get(), offsets, group, 3000);
        rd_kafka_consumer_group_metadata_destroy(group);
        rd_kafka_topic_partition_list_destroy(offsets);
        if (error != nullptr) return result + "send_offsets: " + error_text(error);
        result += "commit: " + error_text(rd_kafka_commit_transaction(rk.get(), 3000)) + "; ";
    }
    return result;
}

// Polls until done() or max_polls polls of 100 ms.
template <typename Done>
int poll_until(rd_kafka_t* rk, int max_polls, Done&& done) {
    int consumed = 0;
    for (int i = 0; i < max_polls && !done(consumed); ++i) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
        if (m == nullptr) continue;
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) ++consumed;
        rd_kafka_message_destroy(m);
    }
    return consumed;
}

// Classic group: FindCoordinator, JoinGroup, SyncGroup, OffsetFetch, ListOffsets, Fetch,
// OffsetCommit, Heartbeat, OffsetForLeaderEpoch (after a leader epoch bump), LeaveGroup.
std::string scenario_group_consumer(session& s) {
    rk_ptr rk = s.client(RD_KAFKA_CONSUMER, {{"group.id", "kasio-golden"},
                                             {"auto.offset.reset", "earliest"},
                                             {"enable.auto.commit", "false"},
                                             {"heartbeat.interval.ms", "100"},
                                             {"topic.metadata.refresh.interval.ms", "200"},
                                             {"fetch.wait.max.ms", "50"}});
    if (!rk) return "client failed";
    const std::string topic = golden_topic(golden_codecs[0]);
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk.get(), topics);
    rd_kafka_topic_partition_list_destroy(topics);

    const int consumed = poll_until(rk.get(), 60, [](int n) { return n >= 1; });
    rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(offsets, topic.c_str(), 0)->offset = consumed;
    const rd_kafka_resp_err_t commit = rd_kafka_commit(rk.get(), offsets, 0);
    rd_kafka_topic_partition_list_destroy(offsets);
    constexpr int16_t heartbeat = 12, offset_for_leader_epoch = 23, push_telemetry = 72;
    poll_until(rk.get(), 30, [&](int) { return s.seen(heartbeat) && s.seen(push_telemetry); });
    // A new leader epoch makes librdkafka validate its position (KIP-320).
    s.cluster.set_leader(topic, 0, 1);
    poll_until(rk.get(), 30, [&](int) { return s.seen(offset_for_leader_epoch); });
    rd_kafka_consumer_close(rk.get());
    return "consumed " + std::to_string(consumed) + ", commit " + rd_kafka_err2name(commit);
}

// KIP-848 group: ConsumerGroupHeartbeat.
std::string scenario_kip848_consumer(session& s) {
    rk_ptr rk = s.client(RD_KAFKA_CONSUMER, {{"group.id", "kasio-golden-848"},
                                             {"group.protocol", "consumer"},
                                             {"auto.offset.reset", "earliest"},
                                             {"fetch.wait.max.ms", "50"}});
    if (!rk) return "client failed";
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, golden_topic(golden_codecs[0]).c_str(),
                                      RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk.get(), topics);
    rd_kafka_topic_partition_list_destroy(topics);
    const int consumed = poll_until(rk.get(), 60, [](int n) { return n >= 1; });
    rd_kafka_consumer_close(rk.get());
    return "consumed " + std::to_string(consumed);
}

void run_session(capture_store& store, const api_ranges* caps, int cap,
                 const std::map<int16_t, int>& raised = {}) {
    session s(store, caps, cap, raised);
    std::string label = caps == nullptr ? "uncapped" : "cap " + std::to_string(cap);
    for (const auto& [api, api_cap] : raised)
        label += " (" + api_name(api) + " " + std::to_string(api_cap) + ")";
    std::cerr << label << ": codecs " << scenario_codecs(s) << '\n';
    if (caps == nullptr) {
        const std::string problems = verify_golden_topics(s);
        if (!problems.empty())
            throw std::runtime_error("golden records read back wrong: " + problems);
    }
    std::cerr << label << ": idempotent " << scenario_idempotent(s) << '\n';
    std::cerr << label << ": transactional " << scenario_transactional(s) << '\n';
    std::cerr << label << ": group consumer " << scenario_group_consumer(s) << '\n';
    // KIP-848 clients need Metadata v12 (topic ids); librdkafka asserts on less. The mock offers
    // ConsumerGroupHeartbeat v1 only, so one uncapped session captures all there is.
    if (caps == nullptr)
        std::cerr << label << ": kip-848 consumer " << scenario_kip848_consumer(s) << '\n';
}

// The mock's own ranges, from the first ApiVersions v0-2 response captured (non-flexible;
// librdkafka falls back to v0 when the mock refuses v3).
std::optional<api_ranges> mock_ranges(capture_store& store) {
    std::lock_guard lock(store.mutex);
    for (int16_t v = 2; v >= 0; --v) {
        auto it = store.pairs.find({18, v});
        if (it == store.pairs.end()) continue;
        const std::vector<uint8_t>& r = it->second.response;
        if (r.size() < 10 || read_be16(r.data() + 4) != 0) continue;  // correlation id, error_code
        const int32_t n = read_be32(r.data() + 6);
        if (n < 0 || r.size() < 10 + 6 * static_cast<size_t>(n)) continue;
        api_ranges ranges;
        for (int32_t i = 0; i < n; ++i) {
            const uint8_t* e = r.data() + 10 + 6 * i;
            ranges[read_be16(e)] = {read_be16(e + 2), read_be16(e + 4)};
        }
        return ranges;
    }
    return std::nullopt;
}

void write_file(const fs::path& path, std::span<const uint8_t> bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
    fs::path out_dir;
    std::optional<int> only_cap;  // debugging: one capped session after the uncapped one
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--out" && i + 1 < argc) {
            out_dir = argv[++i];
        } else if (arg == "--verbose") {
            verbose = true;
        } else if (arg == "--only-cap" && i + 1 < argc) {
            only_cap = std::stoi(argv[++i]);
        } else {
            std::cerr << "usage: " << argv[0] << " --out <dir> [--verbose] [--only-cap N]\n";
            return 2;
        }
    }
    if (out_dir.empty()) {
        std::cerr << "usage: " << argv[0] << " --out <dir> [--verbose] [--only-cap N]\n";
        return 2;
    }

    try {
        capture_store store;
        the_store = &store;
        run_session(store, nullptr, 0);
        const std::optional<api_ranges> ranges = mock_ranges(store);
        if (!ranges) {
            for (const auto& [key, pair] : store.pairs)
                std::cerr << "captured " << api_file_stem(key.first, key.second) << '\n';
            throw std::runtime_error("no ApiVersions v0-2 response without error captured");
        }
        int16_t top = 0;
        for (const auto& [api, range] : *ranges) top = std::max(top, range.second);
        for (int cap = 0; cap < top; ++cap) {
            if (only_cap && cap != *only_cap) continue;
            // librdkafka writes RecordBatches (magic 2) only if Produce >= 3 AND Fetch >= 4; so
            // that Produce v3 is first captured with one, cap 3 runs once with Fetch at 4 before
            // the plain run (which still captures Fetch v3).
            constexpr int16_t fetch = 1, offset_commit = 8, find_coordinator = 10;
            if (cap == 3) run_session(store, &*ranges, cap, {{fetch, 4}});
            run_session(store, &*ranges, cap);
            // Transactions need FindCoordinator v1+ (key type) and librdkafka's group consumer (so
            // LeaveGroup) needs OffsetCommit v1+: a second cap-0 run reaches EndTxn,
            // TxnOffsetCommit and LeaveGroup v0.
            if (cap == 0)
                run_session(store, &*ranges, cap, {{find_coordinator, 1}, {offset_commit, 1}});
        }

        fs::create_directories(out_dir);
        for (const fs::directory_entry& e : fs::directory_iterator(out_dir)) {
            const std::string name = e.path().filename().string();
            if (name.ends_with("_request.bin") || name.ends_with("_response.bin") ||
                name.starts_with("record_batch_"))
                fs::remove(e.path());
        }
        golden_index index;
        for (const auto& [key, reason] : store.rejected) {
            std::cerr << "rejected " << api_file_stem(key.first, key.second) << ": " << reason
                      << '\n';
            index.rejected.push_back({key.first, key.second, reason});
        }
        for (const auto& [key, pair] : store.pairs) {
            // librdkafka wrote the request, so it stays golden when the mock's response is not.
            const bool response_ok = !store.rejected.contains(key);
            const std::string stem = api_file_stem(key.first, key.second);
            write_file(out_dir / (stem + "_request.bin"), pair.request);
            if (response_ok) write_file(out_dir / (stem + "_response.bin"), pair.response);
            index.pairs.push_back({key.first, key.second, stem, response_ok});
        }
        for (const auto& [codec, batch] : store.batches) {
            write_file(out_dir / ("record_batch_" + codec + ".bin"), batch.records);
            std::ofstream txt(out_dir / ("record_batch_" + codec + ".txt"), std::ios::trunc);
            txt << golden_records_text(codec, batch.produce_version);
            index.batches.push_back({codec, batch.produce_version});
        }
        std::ofstream readme(out_dir / "README.md", std::ios::trunc);
        readme << golden_readme(index);
        std::cerr << "wrote " << index.pairs.size() << " request/response pairs and "
                  << store.batches.size() << " record batches to " << out_dir << '\n';
        for (const auto& p : index.pairs) std::cout << p.stem << '\n';
    } catch (const std::exception& e) {
        std::cerr << argv[0] << ": " << e.what() << '\n';
        return 1;
    }
    return 0;
}

#include "golden_data.hpp"

#include <cstdio>
#include <sstream>

namespace kasio::test {

std::string golden_topic(const golden_codec& codec) { return std::string{"golden-"} + codec.name; }

const std::vector<golden_record>& golden_records() {
    // Repetitive values so every codec really compresses; fixed timestamps so batches are
    // reproducible apart from what librdkafka chooses (CRC follows from the bytes).
    static const std::string filler =
        "kasio-golden-payload-kasio-golden-payload-kasio-golden-payload";
    static const std::vector<golden_record> records = {
        {0, 1'700'000'000'000, "key-0", "value-0:" + filler, {{"trace", "t-0"}}},
        {1, 1'700'000'000'001, "key-1", "value-1:" + filler, {{"trace", "t-1"}, {"empty", ""}}},
        {2, 1'700'000'000'002, std::nullopt, "value-2:" + filler, {}},
        {3, 1'700'000'000'003, "key-3", std::nullopt, {{"tombstone", std::nullopt}}},
        {4, 1'700'000'001'000, "key-4", "", {{"trace", "t-4"}, {"trace", "t-4-again"}}},
    };
    return records;
}

namespace {

std::string quoted(const std::optional<std::string>& s) { return s ? '"' + *s + '"' : "null"; }

}  // namespace

std::string golden_records_text(std::string_view codec, int16_t produce_version) {
    std::ostringstream out;
    out << "# record_batch_" << codec << ".bin: the records field of a Produce v" << produce_version
        << " request written by librdkafka 2.14.2\n"
        << "# (compression.codec=" << codec << ", one RecordBatch, magic 2, partition 0, "
        << golden_records().size() << " records). One line per record:\n"
        << "# offset_delta=N timestamp=MS key=K value=V headers=COUNT [name=V]...\n"
        << "# K, V: \"text\" (no spaces or quotes inside) or null. Timestamps are CreateTime ms.\n";
    for (const golden_record& r : golden_records()) {
        out << "offset_delta=" << r.offset_delta << " timestamp=" << r.timestamp
            << " key=" << quoted(r.key) << " value=" << quoted(r.value)
            << " headers=" << r.headers.size();
        for (const golden_header& h : r.headers) out << ' ' << h.key << '=' << quoted(h.value);
        out << '\n';
    }
    return out.str();
}

std::string api_name(int16_t api_key) {
    static constexpr const char* names[] = {"produce",
                                            "fetch",
                                            "list_offsets",
                                            "metadata",
                                            "leader_and_isr",
                                            "stop_replica",
                                            "update_metadata",
                                            "controlled_shutdown",
                                            "offset_commit",
                                            "offset_fetch",
                                            "find_coordinator",
                                            "join_group",
                                            "heartbeat",
                                            "leave_group",
                                            "sync_group",
                                            "describe_groups",
                                            "list_groups",
                                            "sasl_handshake",
                                            "api_versions",
                                            "create_topics",
                                            "delete_topics",
                                            "delete_records",
                                            "init_producer_id",
                                            "offset_for_leader_epoch",
                                            "add_partitions_to_txn",
                                            "add_offsets_to_txn",
                                            "end_txn",
                                            "write_txn_markers",
                                            "txn_offset_commit",
                                            "describe_acls",
                                            "create_acls",
                                            "delete_acls",
                                            "describe_configs",
                                            "alter_configs",
                                            "alter_replica_log_dirs",
                                            "describe_log_dirs",
                                            "sasl_authenticate",
                                            "create_partitions",
                                            "create_delegation_token",
                                            "renew_delegation_token",
                                            "expire_delegation_token",
                                            "describe_delegation_token",
                                            "delete_groups",
                                            "elect_leaders",
                                            "incremental_alter_configs",
                                            "alter_partition_reassignments",
                                            "list_partition_reassignments",
                                            "offset_delete",
                                            "describe_client_quotas",
                                            "alter_client_quotas",
                                            "describe_user_scram_credentials",
                                            "alter_user_scram_credentials",
                                            "vote",
                                            "begin_quorum_epoch",
                                            "end_quorum_epoch",
                                            "describe_quorum",
                                            "alter_partition",
                                            "update_features",
                                            "envelope",
                                            "fetch_snapshot",
                                            "describe_cluster",
                                            "describe_producers",
                                            "broker_registration",
                                            "broker_heartbeat",
                                            "unregister_broker",
                                            "describe_transactions",
                                            "list_transactions",
                                            "allocate_producer_ids",
                                            "consumer_group_heartbeat",
                                            "consumer_group_describe",
                                            "controller_registration",
                                            "get_telemetry_subscriptions",
                                            "push_telemetry",
                                            "assign_replicas_to_dirs",
                                            // Kafka 4.1 renamed ListClientMetricsResources (KIP-1142).
                                            "list_config_resources",
                                            "describe_topic_partitions",
                                            "share_group_heartbeat",
                                            "share_group_describe",
                                            "share_fetch",
                                            "share_acknowledge",
                                            "add_raft_voter",
                                            "remove_raft_voter",
                                            "update_raft_voter",
                                            "initialize_share_group_state",
                                            "read_share_group_state",
                                            "write_share_group_state",
                                            "delete_share_group_state",
                                            "read_share_group_state_summary",
                                            "streams_group_heartbeat",
                                            "streams_group_describe",
                                            "describe_share_group_offsets",
                                            "alter_share_group_offsets",
                                            "delete_share_group_offsets"};
    if (api_key >= 0 && static_cast<size_t>(api_key) < std::size(names)) return names[api_key];
    return "api_" + std::to_string(api_key);
}

std::string api_file_stem(int16_t api_key, int16_t version) {
    char key[8];
    std::snprintf(key, sizeof key, "%02d", static_cast<int>(api_key));
    return std::string{key} + "_" + api_name(api_key) + "_v" + std::to_string(version);
}

namespace {

// Bounds-checked reads with a sticky failure flag; values read after a failure are zero.
struct cursor {
    std::span<const uint8_t> data;
    size_t pos = 0;
    bool ok = true;

    bool need(size_t n) {
        if (ok && data.size() - pos < n) ok = false;
        return ok;
    }
    int16_t i16() {
        if (!need(2)) return 0;
        pos += 2;
        return read_be16(data.data() + pos - 2);
    }
    int32_t i32() {
        if (!need(4)) return 0;
        pos += 4;
        return read_be32(data.data() + pos - 4);
    }
    uint32_t uvarint() {
        uint32_t value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (!need(1)) return 0;
            const uint8_t b = data[pos++];
            value |= uint32_t{b & 0x7fu} << shift;
            if ((b & 0x80) == 0) return value;
        }
        ok = false;
        return 0;
    }
    std::span<const uint8_t> take(size_t n) {
        if (!need(n)) return {};
        pos += n;
        return data.subspan(pos - n, n);
    }
    // Length of a (nullable) string/bytes/array; -1 for null. Compact forms store length + 1.
    int64_t length(bool compact, bool wide) {
        if (compact) return static_cast<int64_t>(uvarint()) - 1;
        return wide ? i32() : i16();
    }
    std::string string(bool compact) {
        const int64_t n = length(compact, false);
        if (n <= 0) return {};
        const auto s = take(static_cast<size_t>(n));
        return {s.begin(), s.end()};
    }
    std::span<const uint8_t> bytes(bool compact) {
        const int64_t n = length(compact, true);
        return n <= 0 ? std::span<const uint8_t>{} : take(static_cast<size_t>(n));
    }
    void skip_tags() {
        for (uint32_t n = uvarint(); ok && n > 0; --n) {
            uvarint();  // tag
            take(uvarint());
        }
    }
};

}  // namespace

std::vector<std::pair<std::string, std::span<const uint8_t>>> produce_records(
    const request_header& header, std::span<const uint8_t> frame) {
    std::vector<std::pair<std::string, std::span<const uint8_t>>> out;
    // v13 names topics by id (KIP-516); v0-2 carry MessageSets, not RecordBatches.
    if (header.api_key != 0 || header.api_version < 3 || header.api_version > 12) return out;
    const bool flexible = header.api_version >= 9;
    cursor c{frame};
    c.take(8);        // api_key, api_version, correlation_id
    c.string(false);  // client_id: never compact (request header v1 and v2)
    if (flexible) c.skip_tags();
    c.string(flexible);  // transactional_id
    c.i16();             // acks
    c.i32();             // timeout_ms
    for (int64_t topics = c.length(flexible, true); c.ok && topics > 0; --topics) {
        const std::string topic = c.string(flexible);
        for (int64_t parts = c.length(flexible, true); c.ok && parts > 0; --parts) {
            c.i32();  // partition index
            const std::span<const uint8_t> records = c.bytes(flexible);
            if (flexible) c.skip_tags();
            if (c.ok) out.emplace_back(topic, records);
        }
        if (flexible) c.skip_tags();
    }
    if (!c.ok) out.clear();
    return out;
}

std::string golden_readme(const golden_index& index) {
    std::ostringstream out;
    out << R"(# Golden Kafka frames

Generated by `kasio-capture-frames` (tests/support/capture_frames.cpp); do not edit by hand.

## Origin

Both sides are librdkafka 2.14.2 (Debian source package 2.14.2-1, built by
`tests/support/build_librdkafka.sh`): its client library wrote every request, its **mock
cluster** (`rdkafka_mock.h`) wrote every response. Responses therefore show what librdkafka's
mock sends, not necessarily what an Apache Kafka broker sends (e.g. the mock fills fewer
optional fields). A loopback proxy (tests/support/frame_proxy.cpp) sat in front of the single
mock broker, which advertised the proxy, so every connection went through it. Older versions
come from sessions where the mock's advertised max version of every API was capped
(`rd_kafka_mock_set_apiversion`) at 0, 1, 2, ...; the first pair per (API, version) was kept.

Regenerate (the output changes: ports, ids and timings differ from run to run):

    prefix=$(tests/support/build_librdkafka.sh | tail -1)
    cmake -S . -B build -DKASIO_RDKAFKA_PREFIX="$prefix"
    cmake --build build --target kasio-golden-frames
    # or: build/tests/support/kasio-capture-frames --out tests/data/golden

## Files

`<api_key>_<api_name>_v<version>_request.bin` and `..._response.bin`: one frame each, without
the 4-byte length prefix, so a request starts with its header (api_key, api_version,
correlation_id, client_id "kasio-golden"[, tagged fields]) and a response with its correlation
id (then tagged fields for flexible versions, except ApiVersions: KIP-511 keeps header v0).

`record_batch_<codec>.bin`: the `records` field of the first Produce v3+ request for that codec
(one RecordBatch, magic 2, non-idempotent: producer id -1). `record_batch_<codec>.txt` lists
the records it decodes to, one per line:

    offset_delta=N timestamp=MS key=K value=V headers=COUNT [name=V]...

where K and V are `"text"` (never containing spaces or quotes) or `null`; `""` is empty.

## Notes (librdkafka 2.14.2)

- Some responses carry error codes; they are golden too (decode them, do not assume success).
  Produce v0-v2 requests carry MessageSets (magic 0/1), which the mock refuses with
  UNSUPPORTED_VERSION (35); Fetch v0-v3 responses hold no records for the same reason.
- librdkafka writes RecordBatches only with Produce v3+ and Fetch v4+, so Produce v3 comes from
  a session with Fetch capped at 4 instead of 3. Likewise EndTxn, TxnOffsetCommit and
  LeaveGroup v0 come from a cap-0 session with FindCoordinator and OffsetCommit at 1.
- ApiVersions: librdkafka sends v3 first and falls back to v0 when refused; v1 and v2 never
  occur, and the mock (max v2) refuses v3 with a reply that is not Kafka's v0 format.
- Produce v5: the mock writes log_start_offset from v6 on (Kafka: v5), so its v5 response is
  4 bytes short.
- Missing versions are above librdkafka's client maximum (JoinGroup 5, SyncGroup 3, Heartbeat
  3, LeaveGroup 1, FindCoordinator 2, AddPartitionsToTxn 0, AddOffsetsToTxn 0) or the mock's
  (OffsetFetch 6, OffsetForLeaderEpoch 2 only, ConsumerGroupHeartbeat 1 only, InitProducerId
  4). The mock implements no admin APIs (CreateTopics, DeleteTopics, DescribeConfigs, ...)
  and no SASL, so none are here.

## Captured pairs

| API | key | version | files |
|-----|-----|---------|-------|
)";
    for (const auto& p : index.pairs)
        out << "| " << api_name(p.api_key) << " | " << p.api_key << " | " << p.version << " | `"
            << p.stem << (p.has_response ? "_{request,response}.bin`" : "_request.bin` (see below)")
            << " |\n";
    out << "\n## Record batches\n\n| codec | from Produce version |\n|-------|------|\n";
    for (const auto& b : index.batches)
        out << "| " << b.codec << " | " << b.produce_version << " |\n";
    if (!index.rejected.empty()) {
        out << "\n## Responses left out\n\nThe mock's response deviates from the protocol for "
               "these "
               "(found by librdkafka's\nparser or by the capture tool's checks), so only the "
               "request "
               "is kept:\n\n";
        for (const auto& r : index.rejected)
            out << "- " << api_name(r.api_key) << " v" << r.version << ": `" << r.reason << "`\n";
    }
    return out.str();
}

}  // namespace kasio::test

// Golden vectors: message bodies (no header, no size prefix) that other Kafka implementations
// publish in their unit tests (IBM/sarama, tulios/kafkajs, kafka-protocol-rs), and hand-built
// ones from the protocol guide for versions nobody published. They fill the (API, version)
// pairs librdkafka's captures in tests/data/golden cannot reach. Format and origins:
// tests/data/golden_vectors/README.md.
//
// Every vector must decode at its version (and at each `same-bytes-at` version) with no byte
// left over, and re-encode to the same bytes with encoded_size() equal to its length; a few
// decoded fields per API are checked by name, so a codec that round-trips garbage consistently
// still fails.
#include "protocol/messages_testing.hpp"
#include "protocol/reader.hpp"
#include "protocol/writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace kasio::protocol {
namespace {

namespace fs = std::filesystem;

struct golden_vector {
    std::string stem;  // file name without .hex
    std::int16_t api_key = 0;
    std::string api_name;
    bool is_request = false;
    std::vector<std::int16_t> versions;  // the file name's first, then `same-bytes-at`
    byte_buffer bytes;
};

struct vector_set {
    std::vector<golden_vector> vectors;
    std::vector<std::string> problems;  // malformed files, reported by a test
};

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Parses one .hex file; returns "" or what is wrong with it.
std::string parse_vector(const fs::path& path, golden_vector& v) {
    static const std::regex name(R"(^(\d+)_([a-z0-9_]+?)_v(\d+)_(request|response)(_\d+)?\.hex$)");
    const std::string file = path.filename().string();
    std::smatch m;
    if (!std::regex_match(file, m, name)) return "file name is not <key>_<api>_v<version>_<request|response>[_<n>].hex";
    v.stem = path.stem().string();
    v.api_key = static_cast<std::int16_t>(std::stoi(m[1]));
    v.api_name = m[2];
    v.versions = {static_cast<std::int16_t>(std::stoi(m[3]))};
    v.is_request = m[4] == "request";

    std::ifstream in(path);
    bool has_origin = false, has_note = false;
    std::string line;
    std::string digits;
    while (std::getline(in, line)) {
        const auto hash = line.find('#');
        if (hash != std::string::npos) {
            const std::string comment = line.substr(hash + 1);
            has_origin |= comment.rfind(" origin: ", 0) == 0;
            has_note |= comment.rfind(" note: ", 0) == 0;
            if (comment.rfind(" same-bytes-at:", 0) == 0) {
                std::istringstream more(comment.substr(15));
                for (int x; more >> x;) v.versions.push_back(static_cast<std::int16_t>(x));
            }
            line.resize(hash);
        }
        for (char c : line) {
            if (c == ' ' || c == '\t' || c == '\r') continue;
            if (hex_digit(c) < 0) return std::string("not a hex digit: '") + c + "'";
            digits += c;
        }
    }
    if (!has_origin || !has_note) return "needs '# origin:' and '# note:' lines";
    if (digits.size() % 2 != 0) return "odd number of hex digits";
    for (std::size_t i = 0; i < digits.size(); i += 2)
        v.bytes.push_back(static_cast<std::uint8_t>(hex_digit(digits[i]) * 16 + hex_digit(digits[i + 1])));
    return "";
}

const vector_set& all_vectors() {
    static const vector_set set = [] {
        vector_set s;
        const fs::path dir = fs::path(KASIO_TEST_DATA_DIR) / "golden_vectors";
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.path().extension() == ".hex") files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        for (const fs::path& p : files) {
            golden_vector v;
            if (std::string problem = parse_vector(p, v); !problem.empty())
                s.problems.push_back(p.filename().string() + ": " + problem);
            else
                s.vectors.push_back(std::move(v));
        }
        return s;
    }();
    return set;
}

const golden_vector* find_vector(std::string_view stem) {
    for (const golden_vector& v : all_vectors().vectors)
        if (v.stem == stem) return &v;
    return nullptr;
}

/// Decodes, checks and re-encodes `v` at `version` through the type registry; "" or a failure.
std::string round_trip(const golden_vector& v, std::int16_t version) {
    const testing::message_type* type = testing::find_message_type(v.api_key, v.is_request);
    if (type == nullptr) return "kasio has no schema for api key " + std::to_string(v.api_key);
    if (type->api_name != v.api_name) return "api key " + std::to_string(v.api_key) + " is " + std::string(type->api_name);
    if (version < type->min_version || version > type->max_version) return "version outside kasio's range";
    auto msg = type->make();
    reader r(v.bytes);
    if (error_code ec = msg->read(r, version))
        return "decode: " + ec.message() + " at byte " + std::to_string(v.bytes.size() - r.remaining());
    if (r.remaining() != 0) return std::to_string(r.remaining()) + " bytes left after decoding";
    if (msg->size(version) != v.bytes.size())
        return "encoded_size " + std::to_string(msg->size(version)) + " != " + std::to_string(v.bytes.size());
    byte_buffer again;
    writer w(again);
    msg->write(w, version);
    if (again != v.bytes) {
        std::size_t at = 0;
        while (at < again.size() && at < v.bytes.size() && again[at] == v.bytes[at]) ++at;
        return "re-encoding differs from byte " + std::to_string(at) + " (" + std::to_string(again.size()) +
               " vs " + std::to_string(v.bytes.size()) + " bytes)";
    }
    return "";
}

/// The vector `stem` decoded as T at its own version (or `version`); failures are reported.
template <class T>
T decoded(std::string_view stem, std::int16_t version = -1) {
    T msg{};
    const golden_vector* v = find_vector(stem);
    if (v == nullptr) {
        ADD_FAILURE() << "no vector " << stem;
        return msg;
    }
    EXPECT_EQ(v->api_key, T::api_key) << stem;
    reader r(v->bytes);
    const error_code ec = decode(r, msg, version < 0 ? v->versions.front() : version);
    EXPECT_FALSE(ec) << stem << ": " << ec.message();
    EXPECT_EQ(r.remaining(), 0u) << stem;
    return msg;
}

byte_buffer bytes_of(std::string_view s) { return byte_buffer(s.begin(), s.end()); }
std::optional<std::string> str(const char* s) { return std::string(s); }

TEST(golden_vectors, files_are_well_formed) {
    const vector_set& set = all_vectors();
    for (const std::string& p : set.problems) ADD_FAILURE() << p;
    EXPECT_GT(set.vectors.size(), 0u);
}

TEST(golden_vectors, every_vector_decodes_and_re_encodes_identically) {
    int checked = 0;
    for (const golden_vector& v : all_vectors().vectors)
        for (std::int16_t version : v.versions) {
            EXPECT_EQ(round_trip(v, version), "") << v.stem << " at v" << version;
            ++checked;
        }
    EXPECT_GT(checked, 0);
}

// The pairs librdkafka's captures cannot reach (tests/data/golden/README.md): each needs a
// request vector and a response vector here, at that version or as `same-bytes-at`.
TEST(golden_vectors, cover_the_pairs_the_captures_miss) {
    struct range { std::int16_t key, first, last; bool request = true, response = true; };
    const range needed[] = {
        {19, 0, 7}, {20, 0, 6}, {32, 0, 4}, {17, 0, 1}, {36, 0, 2},
        {18, 1, 2}, {18, 3, 3, false, true},
        {2, 8, 8}, {9, 7, 9}, {10, 3, 4}, {11, 6, 9}, {12, 4, 4}, {13, 2, 5}, {14, 4, 5},
        {24, 1, 4}, {25, 1, 3}, {26, 2, 3},
    };
    std::set<std::tuple<int, int, bool>> have;
    for (const golden_vector& v : all_vectors().vectors)
        for (std::int16_t version : v.versions) have.emplace(v.api_key, version, v.is_request);
    for (const range& r : needed)
        for (int version = r.first; version <= r.last; ++version) {
            EXPECT_TRUE(!r.request || have.count({r.key, version, true})) << "api " << r.key << " v" << version << " request";
            EXPECT_TRUE(!r.response || have.count({r.key, version, false})) << "api " << r.key << " v" << version << " response";
        }
}

// ---------------------------------------------------------------- decoded fields, per API

TEST(golden_vectors, create_topics_vectors_decode_to_the_documented_values) {
    auto v0 = decoded<msg::create_topics_request>("19_create_topics_v0_request");
    ASSERT_EQ(v0.topics.size(), 1u);
    EXPECT_EQ(v0.topics[0].name, "topic");
    EXPECT_EQ(v0.topics[0].num_partitions, -1);
    EXPECT_EQ(v0.topics[0].replication_factor, -1);
    ASSERT_EQ(v0.topics[0].assignments.size(), 1u);
    EXPECT_EQ(v0.topics[0].assignments[0].broker_ids, (std::vector<std::int32_t>{0, 1, 2}));
    ASSERT_EQ(v0.topics[0].configs.size(), 1u);
    EXPECT_EQ(v0.topics[0].configs[0].name, "retention.ms");
    EXPECT_EQ(v0.topics[0].configs[0].value, str("-1"));
    EXPECT_EQ(v0.timeout_ms, 100);
    EXPECT_TRUE(decoded<msg::create_topics_request>("19_create_topics_v1_request").validate_only);

    auto v5 = decoded<msg::create_topics_request>("19_create_topics_v5_request", 7);
    EXPECT_EQ(v5.topics, v0.topics);
    EXPECT_TRUE(v5.validate_only);

    auto js = decoded<msg::create_topics_request>("19_create_topics_v2_request", 3);
    ASSERT_EQ(js.topics.size(), 2u);
    EXPECT_EQ(js.topics[1].name, "test-topic-3d6c53af2e0f9b1d1757-55492-cbde2344-d9d3-4ad7-b408-996cda13e6e5");
    EXPECT_EQ(js.topics[1].num_partitions, 1);
    EXPECT_EQ(js.timeout_ms, 5000);
    EXPECT_FALSE(js.validate_only);
    EXPECT_EQ(decoded<msg::create_topics_request>("19_create_topics_v1_request_2", 4).topics[0].num_partitions, -1);

    auto r0 = decoded<msg::create_topics_response>("19_create_topics_v0_response");
    ASSERT_EQ(r0.topics.size(), 1u);
    EXPECT_EQ(r0.topics[0].name, "topic");
    EXPECT_EQ(r0.topics[0].error_code, 42);
    auto r2 = decoded<msg::create_topics_response>("19_create_topics_v2_response");
    EXPECT_EQ(r2.throttle_time_ms, 100);
    EXPECT_EQ(r2.topics.at(0).error_message, str("msg"));
    EXPECT_EQ(decoded<msg::create_topics_response>("19_create_topics_v0_response_2").topics.size(), 2u);

    auto r5 = decoded<msg::create_topics_response>("19_create_topics_v5_response");
    ASSERT_EQ(r5.topics.size(), 2u);
    EXPECT_EQ(r5.topics[0].num_partitions, 3);
    ASSERT_TRUE(r5.topics[0].configs.has_value());
    ASSERT_EQ(r5.topics[0].configs->size(), 2u);
    EXPECT_EQ((*r5.topics[0].configs)[0].name, "cleanup.policy");
    EXPECT_EQ((*r5.topics[0].configs)[0].value, str("compact"));
    EXPECT_EQ((*r5.topics[0].configs)[1].config_source, 5);
    EXPECT_FALSE(r5.topics[1].configs.has_value());
    EXPECT_EQ(r5.topics[1].topic_config_error_code, 29);
    EXPECT_TRUE(r5.topics[1].unknown_tagged.empty());

    auto r7 = decoded<msg::create_topics_response>("19_create_topics_v7_response");
    ASSERT_EQ(r7.topics.size(), 1u);
    EXPECT_EQ(r7.topics[0].topic_id.bytes[0], 0x5c);
    EXPECT_EQ(r7.topics[0].topic_id.bytes[15], 0x0d);
    EXPECT_EQ(r7.topics[0].error_message, str(""));
    ASSERT_TRUE(r7.topics[0].configs.has_value() && r7.topics[0].configs->size() == 1);
    EXPECT_FALSE((*r7.topics[0].configs)[0].value.has_value());
    EXPECT_TRUE((*r7.topics[0].configs)[0].is_sensitive);
}

TEST(golden_vectors, delete_topics_vectors_decode_to_the_documented_values) {
    auto v0 = decoded<msg::delete_topics_request>("20_delete_topics_v0_request");
    EXPECT_EQ(v0.topic_names, (std::vector<std::string>{"topic1"}));
    EXPECT_EQ(v0.timeout_ms, 9);
    EXPECT_EQ(decoded<msg::delete_topics_request>("20_delete_topics_v1_request").topic_names.size(), 2u);
    auto v4 = decoded<msg::delete_topics_request>("20_delete_topics_v4_request");
    EXPECT_EQ(v4.topic_names, (std::vector<std::string>{"orders", "payments"}));
    EXPECT_EQ(v4.timeout_ms, 30000);
    auto v6 = decoded<msg::delete_topics_request>("20_delete_topics_v6_request");
    ASSERT_EQ(v6.topics.size(), 2u);
    EXPECT_EQ(v6.topics[0].name, str("orders"));
    EXPECT_TRUE(v6.topics[0].topic_id.is_nil());
    EXPECT_FALSE(v6.topics[1].name.has_value());
    EXPECT_EQ(v6.topics[1].topic_id.bytes[0], 1);
    EXPECT_EQ(v6.topics[1].topic_id.bytes[15], 16);

    auto r1 = decoded<msg::delete_topics_response>("20_delete_topics_v1_response", 3);
    EXPECT_EQ(r1.throttle_time_ms, 100);
    ASSERT_EQ(r1.responses.size(), 1u);
    EXPECT_EQ(r1.responses[0].name, str("topic"));
    auto r5 = decoded<msg::delete_topics_response>("20_delete_topics_v5_response");
    ASSERT_EQ(r5.responses.size(), 1u);
    EXPECT_EQ(r5.responses[0].error_code, 89);
    EXPECT_EQ(r5.responses[0].error_message, str("msg"));
    auto r6 = decoded<msg::delete_topics_response>("20_delete_topics_v6_response");
    ASSERT_EQ(r6.responses.size(), 1u);
    EXPECT_EQ(r6.responses[0].topic_id.bytes[0], 1);
    EXPECT_EQ(r6.responses[0].topic_id.bytes[15], 16);
    auto js = decoded<msg::delete_topics_response>("20_delete_topics_v1_response_2");
    ASSERT_EQ(js.responses.size(), 2u);
    EXPECT_EQ(js.responses[1].name, str("test-topic-386ea404396d663a8042-56298-e6e26331-de25-48d8-90b6-4710cd0b618b"));
}

TEST(golden_vectors, describe_configs_vectors_decode_to_the_documented_values) {
    auto v0 = decoded<msg::describe_configs_request>("32_describe_configs_v0_request");
    ASSERT_EQ(v0.resources.size(), 1u);
    EXPECT_EQ(v0.resources[0].resource_type, 2);
    EXPECT_EQ(v0.resources[0].resource_name, "foo");
    EXPECT_EQ(v0.resources[0].configuration_keys, (std::vector<std::string>{"segment.ms"}));
    EXPECT_EQ(decoded<msg::describe_configs_request>("32_describe_configs_v0_request_2").resources.size(), 2u);
    auto all = decoded<msg::describe_configs_request>("32_describe_configs_v0_request_3");
    ASSERT_EQ(all.resources.size(), 1u);
    EXPECT_FALSE(all.resources[0].configuration_keys.has_value());
    EXPECT_TRUE(decoded<msg::describe_configs_request>("32_describe_configs_v1_request").include_synonyms);
    auto v3 = decoded<msg::describe_configs_request>("32_describe_configs_v3_request");
    EXPECT_TRUE(v3.include_documentation);
    ASSERT_EQ(v3.resources.size(), 2u);
    EXPECT_EQ(v3.resources[1].resource_type, 4);
    EXPECT_FALSE(v3.resources[1].configuration_keys.has_value());
    auto v4 = decoded<msg::describe_configs_request>("32_describe_configs_v4_request");
    EXPECT_EQ(v4.resources, v3.resources);
    EXPECT_FALSE(v4.include_documentation);

    auto r0 = decoded<msg::describe_configs_response>("32_describe_configs_v0_response_2");
    ASSERT_EQ(r0.results.size(), 1u);
    ASSERT_EQ(r0.results[0].configs.size(), 1u);
    EXPECT_EQ(r0.results[0].error_message, str(""));
    EXPECT_EQ(r0.results[0].configs[0].name, "segment.ms");
    EXPECT_EQ(r0.results[0].configs[0].value, str("1000"));
    EXPECT_TRUE(r0.results[0].configs[0].is_default);
    auto r3 = decoded<msg::describe_configs_response>("32_describe_configs_v3_response");
    ASSERT_TRUE(r3.results.size() == 1 && r3.results[0].configs.size() == 1);
    const auto& c3 = r3.results[0].configs[0];
    EXPECT_EQ(c3.config_source, 4);
    ASSERT_EQ(c3.synonyms.size(), 1u);
    EXPECT_EQ(c3.synonyms[0].name, "log.segment.ms");
    EXPECT_EQ(c3.synonyms[0].source, 4);
    EXPECT_EQ(c3.config_type, 3);
    EXPECT_EQ(c3.documentation, str("the docs"));
    EXPECT_EQ(decoded<msg::describe_configs_response>("32_describe_configs_v4_response").results, r3.results);
    auto js = decoded<msg::describe_configs_response>("32_describe_configs_v1_response_2", 2);
    ASSERT_TRUE(js.results.size() == 1 && js.results[0].configs.size() == 2);
    EXPECT_FALSE(js.results[0].error_message.has_value());
    EXPECT_EQ(js.results[0].configs[0].synonyms.at(0).value, str("producer"));
    EXPECT_EQ(js.results[0].configs[1].value, str("604800000"));
    EXPECT_TRUE(js.results[0].configs[1].synonyms.empty());
}

TEST(golden_vectors, sasl_vectors_decode_to_the_documented_values) {
    EXPECT_EQ(decoded<msg::sasl_handshake_request>("17_sasl_handshake_v0_request", 1).mechanism, "foo");
    auto hs = decoded<msg::sasl_handshake_response>("17_sasl_handshake_v0_response", 1);
    EXPECT_EQ(hs.error_code, 0);
    EXPECT_EQ(hs.mechanisms, (std::vector<std::string>{"foo"}));

    EXPECT_EQ(decoded<msg::sasl_authenticate_request>("36_sasl_authenticate_v0_request").auth_bytes, bytes_of("foo"));
    EXPECT_EQ(decoded<msg::sasl_authenticate_request>("36_sasl_authenticate_v0_request_2", 1).auth_bytes,
              bytes_of(std::string_view("\0test\0testtest", 14)));
    EXPECT_EQ(decoded<msg::sasl_authenticate_request>("36_sasl_authenticate_v2_request").auth_bytes,
              bytes_of(std::string_view("\0alice\0secret", 13)));
    auto r0 = decoded<msg::sasl_authenticate_response>("36_sasl_authenticate_v0_response");
    EXPECT_EQ(r0.error_code, 58);
    EXPECT_EQ(r0.error_message, str("err"));
    EXPECT_EQ(r0.auth_bytes, bytes_of("msg"));
    auto r1 = decoded<msg::sasl_authenticate_response>("36_sasl_authenticate_v1_response");
    EXPECT_FALSE(r1.error_message.has_value());
    EXPECT_TRUE(r1.auth_bytes.empty());
    EXPECT_EQ(r1.session_lifetime_ms, 360000);
    auto scram = decoded<msg::sasl_authenticate_response>("36_sasl_authenticate_v1_response_2");
    ASSERT_EQ(scram.auth_bytes.size(), 96u);
    EXPECT_EQ(std::string(scram.auth_bytes.begin(), scram.auth_bytes.begin() + 2), "r=");
    EXPECT_EQ(decoded<msg::sasl_authenticate_response>("36_sasl_authenticate_v2_response").error_code, 58);
    auto r2 = decoded<msg::sasl_authenticate_response>("36_sasl_authenticate_v2_response_2");
    EXPECT_EQ(r2.auth_bytes, bytes_of("v=dGVzdA=="));
    EXPECT_EQ(r2.session_lifetime_ms, 3600000);
}

TEST(golden_vectors, api_versions_vectors_decode_to_the_documented_values) {
    auto q3 = decoded<msg::api_versions_request>("18_api_versions_v3_request");
    EXPECT_EQ(q3.client_software_name, "sarama");
    EXPECT_EQ(q3.client_software_version, "0.10.0");
    auto java = decoded<msg::api_versions_request>("18_api_versions_v3_request_2");
    EXPECT_EQ(java.client_software_name, "apache-kafka-java");
    EXPECT_EQ(java.client_software_version, "2.8.0");

    auto fallback = decoded<msg::api_versions_response>("18_api_versions_v0_response");
    EXPECT_EQ(fallback.error_code, 35);
    ASSERT_EQ(fallback.api_keys.size(), 1u);
    EXPECT_EQ(fallback.api_keys[0].api_key, 18);
    EXPECT_EQ(fallback.api_keys[0].max_version, 3);
    auto r1 = decoded<msg::api_versions_response>("18_api_versions_v1_response", 2);
    ASSERT_EQ(r1.api_keys.size(), 34u);
    EXPECT_EQ(r1.api_keys[1].api_key, 1);
    EXPECT_EQ(r1.api_keys[1].max_version, 5);
    EXPECT_EQ(r1.api_keys[7].min_version, 1);
    EXPECT_EQ(r1.api_keys[33].api_key, 33);
    auto r3 = decoded<msg::api_versions_response>("18_api_versions_v3_response");
    ASSERT_EQ(r3.api_keys.size(), 1u);
    EXPECT_EQ(r3.api_keys[0].api_key, 3);
    EXPECT_EQ(r3.api_keys[0].min_version, 2);
    EXPECT_EQ(r3.finalized_features_epoch, -1);  // tag 1 absent: Kafka's default
    auto tagged = decoded<msg::api_versions_response>("18_api_versions_v3_response_2");
    ASSERT_EQ(tagged.supported_features.size(), 1u);
    EXPECT_EQ(tagged.supported_features[0].name, "metadata.version");
    EXPECT_EQ(tagged.supported_features[0].max_version, 19);
    EXPECT_EQ(tagged.finalized_features_epoch, 42);
    ASSERT_EQ(tagged.finalized_features.size(), 1u);
    EXPECT_EQ(tagged.finalized_features[0].min_version_level, 19);
    EXPECT_TRUE(tagged.zk_migration_ready);
    EXPECT_TRUE(tagged.unknown_tagged.empty());
}

TEST(golden_vectors, list_offsets_and_offset_fetch_vectors_decode_to_the_documented_values) {
    auto lo = decoded<msg::list_offsets_request>("02_list_offsets_v8_request");
    EXPECT_EQ(lo.isolation_level, 1);
    ASSERT_TRUE(lo.topics.size() == 1 && lo.topics[0].partitions.size() == 2);
    EXPECT_EQ(lo.topics[0].partitions[0].timestamp, -4);
    EXPECT_EQ(lo.topics[0].partitions[0].current_leader_epoch, 7);
    auto lr = decoded<msg::list_offsets_response>("02_list_offsets_v8_response");
    ASSERT_TRUE(lr.topics.size() == 1 && lr.topics[0].partitions.size() == 2);
    EXPECT_EQ(lr.topics[0].partitions[0].offset, 1234);
    EXPECT_EQ(lr.topics[0].partitions[1].error_code, 6);

    auto q7 = decoded<msg::offset_fetch_request>("09_offset_fetch_v7_request");
    EXPECT_EQ(q7.group_id, "g1");
    ASSERT_TRUE(q7.topics.has_value() && q7.topics->size() == 1);
    EXPECT_EQ((*q7.topics)[0].partition_indexes, (std::vector<std::int32_t>{0, 2}));
    EXPECT_TRUE(q7.require_stable);
    EXPECT_FALSE(decoded<msg::offset_fetch_request>("09_offset_fetch_v7_request_2").topics.has_value());
    auto q9 = decoded<msg::offset_fetch_request>("09_offset_fetch_v9_request");
    ASSERT_EQ(q9.groups.size(), 2u);
    EXPECT_EQ(q9.groups[0].member_id, str("m-1"));
    EXPECT_EQ(q9.groups[0].member_epoch, 5);
    EXPECT_FALSE(q9.groups[1].member_id.has_value());
    EXPECT_FALSE(q9.groups[1].topics.has_value());
    EXPECT_FALSE(decoded<msg::offset_fetch_request>("09_offset_fetch_v8_request").groups.at(1).topics.has_value());

    auto sarama = decoded<msg::offset_fetch_response>("09_offset_fetch_v6_response", 7);
    EXPECT_EQ(sarama.throttle_time_ms, 9);
    EXPECT_EQ(sarama.error_code, 42);
    auto r7 = decoded<msg::offset_fetch_response>("09_offset_fetch_v7_response");
    ASSERT_TRUE(r7.topics.size() == 1 && r7.topics[0].partitions.size() == 2);
    EXPECT_EQ(r7.topics[0].partitions[0].committed_leader_epoch, 3);
    EXPECT_EQ(r7.topics[0].partitions[0].metadata, str("m"));
    EXPECT_FALSE(r7.topics[0].partitions[1].metadata.has_value());
    auto r8 = decoded<msg::offset_fetch_response>("09_offset_fetch_v8_response");
    ASSERT_EQ(r8.groups.size(), 2u);
    EXPECT_EQ(r8.groups[0].topics.at(0).partitions.at(0).committed_offset, 42);
    EXPECT_EQ(r8.groups[1].error_code, 16);
    EXPECT_EQ(decoded<msg::offset_fetch_response>("09_offset_fetch_v9_response").groups.at(0).error_code, 113);
}

TEST(golden_vectors, find_coordinator_vectors_decode_to_the_documented_values) {
    auto q3 = decoded<msg::find_coordinator_request>("10_find_coordinator_v3_request");
    EXPECT_EQ(q3.key, "txn-1");
    EXPECT_EQ(q3.key_type, 1);
    auto r3 = decoded<msg::find_coordinator_response>("10_find_coordinator_v3_response");
    EXPECT_EQ(r3.node_id, 2);
    EXPECT_EQ(r3.host, "broker-2.example");
    EXPECT_EQ(r3.port, 9092);
    EXPECT_FALSE(r3.error_message.has_value());
    EXPECT_EQ(decoded<msg::find_coordinator_request>("10_find_coordinator_v4_request").coordinator_keys,
              (std::vector<std::string>{"g1", "g2"}));
    auto r4 = decoded<msg::find_coordinator_response>("10_find_coordinator_v4_response");
    ASSERT_EQ(r4.coordinators.size(), 2u);
    EXPECT_EQ(r4.coordinators[0].host, "b1");
    EXPECT_EQ(r4.coordinators[1].node_id, -1);
    EXPECT_EQ(r4.coordinators[1].error_code, 15);
    EXPECT_EQ(r4.coordinators[1].error_message, str("loading"));
}

TEST(golden_vectors, join_group_and_heartbeat_vectors_decode_to_the_documented_values) {
    auto q6 = decoded<msg::join_group_request>("11_join_group_v6_request", 7);
    EXPECT_EQ(q6.rebalance_timeout_ms, 300000);
    EXPECT_FALSE(q6.group_instance_id.has_value());
    ASSERT_EQ(q6.protocols.size(), 1u);
    EXPECT_EQ(q6.protocols[0].metadata, (byte_buffer{0, 1, 2}));
    auto q8 = decoded<msg::join_group_request>("11_join_group_v8_request");
    EXPECT_EQ(q8.group_instance_id, str("inst-1"));
    EXPECT_EQ(q8.reason, str("rejoin after poll timeout"));
    EXPECT_FALSE(decoded<msg::join_group_request>("11_join_group_v9_request").reason.has_value());
    auto r6 = decoded<msg::join_group_response>("11_join_group_v6_response");
    EXPECT_EQ(r6.protocol_name, str("range"));
    ASSERT_EQ(r6.members.size(), 2u);
    EXPECT_EQ(r6.members[1].group_instance_id, str("inst-2"));
    auto r7 = decoded<msg::join_group_response>("11_join_group_v7_response", 8);
    EXPECT_EQ(r7.error_code, 79);
    EXPECT_FALSE(r7.protocol_type.has_value());
    EXPECT_FALSE(r7.protocol_name.has_value());
    EXPECT_EQ(r7.member_id, "m-3");
    auto r9 = decoded<msg::join_group_response>("11_join_group_v9_response");
    EXPECT_TRUE(r9.skip_assignment);
    EXPECT_EQ(r9.protocol_type, str("consumer"));
    EXPECT_EQ(r9.members.at(0).metadata, (byte_buffer{7}));

    EXPECT_EQ(decoded<msg::heartbeat_request>("12_heartbeat_v4_request").group_instance_id, str("inst-1"));
    auto hb = decoded<msg::heartbeat_request>("12_heartbeat_v4_request_2");
    EXPECT_EQ(hb.generation_id, 7);
    EXPECT_FALSE(hb.group_instance_id.has_value());
    auto hr = decoded<msg::heartbeat_response>("12_heartbeat_v4_response");
    EXPECT_EQ(hr.throttle_time_ms, 5);
    EXPECT_EQ(hr.error_code, 27);
}

TEST(golden_vectors, leave_and_sync_group_vectors_decode_to_the_documented_values) {
    EXPECT_EQ(decoded<msg::leave_group_request>("13_leave_group_v2_request").member_id,
              "test-c598169a5d8dbedcb806-30919-ff1f3c53-1855-4c04-aadf-12d298160f5c-b41b37f8-6482-47c5-811e-e658ab656a75");
    auto q3 = decoded<msg::leave_group_request>("13_leave_group_v3_request");
    ASSERT_EQ(q3.members.size(), 2u);
    EXPECT_FALSE(q3.members[0].group_instance_id.has_value());
    EXPECT_EQ(q3.members[1].group_instance_id, str("gid"));
    EXPECT_EQ(decoded<msg::leave_group_request>("13_leave_group_v4_request").members, q3.members);
    auto q5 = decoded<msg::leave_group_request>("13_leave_group_v5_request");
    ASSERT_EQ(q5.members.size(), 2u);
    EXPECT_EQ(q5.members[0].reason, str("the consumer is being closed"));
    EXPECT_FALSE(q5.members[1].reason.has_value());
    EXPECT_EQ(decoded<msg::leave_group_response>("13_leave_group_v1_response", 2).throttle_time_ms, 100);
    auto r3 = decoded<msg::leave_group_response>("13_leave_group_v3_response");
    ASSERT_EQ(r3.members.size(), 2u);
    EXPECT_EQ(r3.members[1].error_code, 25);
    EXPECT_EQ(decoded<msg::leave_group_response>("13_leave_group_v4_response", 5).members, r3.members);
    auto js = decoded<msg::leave_group_response>("13_leave_group_v3_response_2");
    ASSERT_EQ(js.members.size(), 1u);
    EXPECT_EQ(js.members[0].member_id, "test-42962f68-e801-4cd8-b359-2d862ebb4d05");
    EXPECT_FALSE(js.members[0].group_instance_id.has_value());

    auto s4 = decoded<msg::sync_group_request>("14_sync_group_v4_request");
    EXPECT_EQ(s4.group_instance_id, str("inst-1"));
    ASSERT_EQ(s4.assignments.size(), 2u);
    EXPECT_EQ(s4.assignments[0].assignment, (byte_buffer{0, 1, 2, 3}));
    EXPECT_TRUE(s4.assignments[1].assignment.empty());
    auto s5 = decoded<msg::sync_group_request>("14_sync_group_v5_request");
    EXPECT_EQ(s5.protocol_type, str("consumer"));
    EXPECT_EQ(s5.protocol_name, str("range"));
    EXPECT_EQ(decoded<msg::sync_group_response>("14_sync_group_v4_response").assignment, (byte_buffer{0, 1, 2, 3}));
    auto sr5 = decoded<msg::sync_group_response>("14_sync_group_v5_response");
    EXPECT_EQ(sr5.protocol_name, str("range"));
    EXPECT_EQ(sr5.assignment, (byte_buffer{9, 8}));
}

TEST(golden_vectors, transaction_vectors_decode_to_the_documented_values) {
    auto a0 = decoded<msg::add_partitions_to_txn_request>("24_add_partitions_to_txn_v0_request", 2);
    EXPECT_EQ(a0.v3_and_below_transactional_id, "txn");
    EXPECT_EQ(a0.v3_and_below_producer_id, 8000);
    ASSERT_EQ(a0.v3_and_below_topics.size(), 1u);
    EXPECT_EQ(a0.v3_and_below_topics[0].partitions, (std::vector<std::int32_t>{1}));
    EXPECT_EQ(decoded<msg::add_partitions_to_txn_request>("24_add_partitions_to_txn_v3_request").v3_and_below_topics,
              a0.v3_and_below_topics);
    auto js = decoded<msg::add_partitions_to_txn_request>("24_add_partitions_to_txn_v1_request");
    EXPECT_EQ(js.v3_and_below_producer_id, 1001);
    EXPECT_EQ(js.v3_and_below_topics.at(0).partitions, (std::vector<std::int32_t>{0, 1, 2, 3}));
    auto a4 = decoded<msg::add_partitions_to_txn_request>("24_add_partitions_to_txn_v4_request");
    ASSERT_EQ(a4.transactions.size(), 1u);
    EXPECT_TRUE(a4.transactions[0].verify_only);
    EXPECT_EQ(a4.transactions[0].topics.at(0).partitions, (std::vector<std::int32_t>{1, 2}));
    auto ar0 = decoded<msg::add_partitions_to_txn_response>("24_add_partitions_to_txn_v0_response");
    EXPECT_EQ(ar0.throttle_time_ms, 100);
    EXPECT_EQ(ar0.results_by_topic_v3_and_below.at(0).results_by_partition.at(0).partition_error_code, 48);
    EXPECT_EQ(decoded<msg::add_partitions_to_txn_response>("24_add_partitions_to_txn_v1_response")
                  .results_by_topic_v3_and_below.at(0).results_by_partition.size(),
              2u);
    EXPECT_EQ(decoded<msg::add_partitions_to_txn_response>("24_add_partitions_to_txn_v3_response")
                  .results_by_topic_v3_and_below.at(0).results_by_partition.at(1).partition_error_code,
              48);
    auto ar4 = decoded<msg::add_partitions_to_txn_response>("24_add_partitions_to_txn_v4_response");
    ASSERT_EQ(ar4.results_by_transaction.size(), 1u);
    EXPECT_EQ(ar4.results_by_transaction[0].transactional_id, "txn");
    EXPECT_EQ(ar4.results_by_transaction[0].topic_results.at(0).results_by_partition.at(1).partition_error_code, 48);

    EXPECT_EQ(decoded<msg::add_offsets_to_txn_request>("25_add_offsets_to_txn_v0_request").group_id, "groupid");
    auto o1 = decoded<msg::add_offsets_to_txn_request>("25_add_offsets_to_txn_v1_request");
    EXPECT_EQ(o1.transactional_id, "test-transactional-id");
    EXPECT_EQ(o1.producer_id, 1001);
    EXPECT_EQ(o1.group_id, "foobar");
    EXPECT_EQ(decoded<msg::add_offsets_to_txn_request>("25_add_offsets_to_txn_v3_request").producer_id, 8000);
    EXPECT_EQ(decoded<msg::add_offsets_to_txn_response>("25_add_offsets_to_txn_v0_response", 2).error_code, 47);
    EXPECT_EQ(decoded<msg::add_offsets_to_txn_response>("25_add_offsets_to_txn_v3_response").error_code, 90);

    auto e0 = decoded<msg::end_txn_request>("26_end_txn_v0_request", 2);
    EXPECT_EQ(e0.transactional_id, "txn");
    EXPECT_EQ(e0.producer_epoch, 1);
    EXPECT_TRUE(e0.committed);
    auto e3 = decoded<msg::end_txn_request>("26_end_txn_v3_request");
    EXPECT_EQ(e3, e0);
    EXPECT_EQ(decoded<msg::end_txn_response>("26_end_txn_v0_response", 2).error_code, 49);
    auto er3 = decoded<msg::end_txn_response>("26_end_txn_v3_response");
    EXPECT_EQ(er3.throttle_time_ms, 100);
    EXPECT_EQ(er3.error_code, 0);
}

// Each API with vectors here has field checks above; a new API's vectors need them too.
TEST(golden_vectors, every_api_has_field_checks) {
    const std::set<int> checked = {2, 9, 10, 11, 12, 13, 14, 17, 18, 19, 20, 24, 25, 26, 32, 36};
    for (const golden_vector& v : all_vectors().vectors)
        EXPECT_TRUE(checked.count(v.api_key)) << v.stem << ": no field checks for api key " << v.api_key;
}

}  // namespace
}  // namespace kasio::protocol

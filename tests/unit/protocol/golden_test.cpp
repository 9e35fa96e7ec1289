// Golden frames captured from librdkafka against its mock cluster (tests/data/golden, written by
// tests/support/capture_frames.cpp; origin in tests/data/golden/README.md). Each
// `<api_key>_<api_name>_v<version>_{request,response}.bin` holds one frame without its 4-byte
// size prefix: header, then body. kasio must decode it with no bytes left over and re-encode
// exactly the same bytes. Two exceptions are explicit, not silent: files of APIs kasio has no
// schema for are listed and left out, and frames the mock is known to get wrong must fail in
// exactly the known way (and the frame without the fault must round-trip).
//
// Golden frames of the Java client (kafka-clients 4.4.0, mostly its Admin) against a real Kafka
// 4.4 broker (tests/data/golden_java, written by tests/support/capture_java_frames.cpp; origin in
// its README.md) get the same check, more strictly: a frame of an API kasio has no schema for,
// or above kasio's max version, fails the test unless it is in the expected lists below, and
// those lists must match exactly (a schema that lands makes its entry stale: the test fails
// until the entry is removed).
#include "protocol/headers.hpp"
#include "protocol/messages_testing.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <regex>

namespace kasio::protocol {
namespace {

namespace fs = std::filesystem;

struct golden_file {
    fs::path path;
    std::int16_t api_key;
    std::string api_name;
    std::int16_t version;
    bool is_request;
};

/// The frames in tests/data/<subdir>, sorted by file name.
std::vector<golden_file> golden_files(std::string_view subdir) {
    std::vector<golden_file> out;
    const fs::path dir = fs::path(KASIO_TEST_DATA_DIR) / subdir;
    if (!fs::is_directory(dir)) return out;
    static const std::regex name(R"(^(\d+)_([a-z0-9_]+)_v(\d+)_(request|response)\.bin$)");
    for (const auto& entry : fs::directory_iterator(dir)) {
        std::smatch m;
        std::string file = entry.path().filename().string();
        if (!std::regex_match(file, m, name)) continue;  // record batches, README, listings
        out.push_back({entry.path(), static_cast<std::int16_t>(std::stoi(m[1])), m[2],
                       static_cast<std::int16_t>(std::stoi(m[3])), m[4] == "request"});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    return out;
}

byte_buffer read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return byte_buffer(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// A fault of librdkafka 2.14.2's mock cluster in a captured frame.
struct known_fault {
    std::string_view file;
    std::string_view problem;  // what check() must report
    std::size_t extra_bytes;   // bytes to drop from the end for the frame to be correct
};

// The mock writes an empty tagged-field section at the end of flexible Metadata responses
// twice (once in its Metadata handler, once when sending any flexible response), so they end
// with one 0x00 byte too many.
constexpr known_fault known_faults[] = {
    {"03_metadata_v9_response.bin", "1 trailing bytes", 1},
    {"03_metadata_v10_response.bin", "1 trailing bytes", 1},
    {"03_metadata_v11_response.bin", "1 trailing bytes", 1},
    {"03_metadata_v12_response.bin", "1 trailing bytes", 1},
};

const known_fault* fault_of(const golden_file& f) {
    for (const known_fault& k : known_faults)
        if (f.path.filename() == k.file) return &k;
    return nullptr;
}

/// Decodes header + body of `f` and re-encodes them; returns a failure description or "".
std::string check(const golden_file& f, const byte_buffer& frame) {
    const auto* type = testing::find_message_type(f.api_key, f.is_request);
    if (type->api_name != f.api_name) return "api key " + std::to_string(f.api_key) + " is " + std::string(type->api_name);
    if (f.version < type->min_version || f.version > type->max_version)
        return "version outside kasio's " + std::to_string(type->min_version) + "-" + std::to_string(type->max_version);

    reader r(frame);
    byte_buffer again;
    writer w(again);
    if (f.is_request) {
        request_header h;
        if (error_code ec = decode_request_header(r, h)) return "request header: " + ec.message();
        if (h.api_key != f.api_key || h.api_version != f.version)
            return "header says api " + std::to_string(h.api_key) + " v" + std::to_string(h.api_version);
        encode(w, h, request_header_version(f.api_key, f.version));
    } else {
        response_header h;
        std::int16_t hv = response_header_version(f.api_key, f.version);
        if (error_code ec = decode(r, h, hv)) return "response header: " + ec.message();
        encode(w, h, hv);
    }
    auto body = type->make();
    if (error_code ec = body->read(r, f.version))
        return "body: " + ec.message() + " at byte " + std::to_string(frame.size() - r.remaining());
    if (r.remaining() != 0) return std::to_string(r.remaining()) + " trailing bytes";
    body->write(w, f.version);
    if (again != frame) {
        std::size_t at = 0;
        while (at < again.size() && at < frame.size() && again[at] == frame[at]) ++at;
        return "re-encoding differs from byte " + std::to_string(at) + " (" + std::to_string(again.size()) +
               " vs " + std::to_string(frame.size()) + " bytes)";
    }
    return "";
}

TEST(protocol_golden, captured_frames_decode_and_re_encode_identically) {
    auto files = golden_files("golden");
    if (files.empty()) GTEST_SKIP() << "no golden frames in " KASIO_TEST_DATA_DIR "/golden yet";
    int checked = 0;
    std::string without_schema;
    for (const golden_file& f : files) {
        const std::string name = f.path.filename().string();
        if (testing::find_message_type(f.api_key, f.is_request) == nullptr) {
            without_schema += " " + name;
            continue;
        }
        ++checked;
        byte_buffer frame = read_all(f.path);
        if (const known_fault* k = fault_of(f)) {
            EXPECT_EQ(check(f, frame), k->problem) << name << ": the known mock fault changed";
            ASSERT_GE(frame.size(), k->extra_bytes);
            frame.resize(frame.size() - k->extra_bytes);
        }
        EXPECT_EQ(check(f, frame), "") << name;
    }
    EXPECT_GT(checked, 0);
    if (!without_schema.empty()) std::cout << "golden frames of APIs kasio has no schema for:" << without_schema << '\n';
}

// APIs in golden_java that kasio has no schema for (yet).
const std::set<std::string> java_expected_without_schema = {
    "alter_client_quotas",        // 49
    "describe_client_quotas",     // 48
    "describe_quorum",            // 55
    "describe_topic_partitions",  // 75 (Admin.describeTopics since Kafka 3.8)
    "list_config_resources",      // 74
    "write_txn_markers",          // 27 (Admin.abortTransaction)
};

// APIs whose kasio schema stops below the versions kafka-clients 4.4 sends to a 4.4 broker ->
// kasio's max version: their frames above it are not checked.
const std::map<std::string, std::int16_t> java_expected_above_max = {
    {"add_offsets_to_txn", 3},
    {"fetch", 16},
    {"find_coordinator", 4},
    {"init_producer_id", 4},
    {"metadata", 12},
    {"produce", 12},
    {"txn_offset_commit", 5},
};

TEST(protocol_golden_java, captured_frames_decode_and_re_encode_identically) {
    const std::vector<golden_file> files = golden_files("golden_java");
    ASSERT_FALSE(files.empty()) << "no golden frames in " KASIO_TEST_DATA_DIR "/golden_java";
    int checked = 0;
    std::set<std::string> without_schema;
    std::map<std::string, std::int16_t> above_max;  // api name -> kasio's max
    for (const golden_file& f : files) {
        const auto* type = testing::find_message_type(f.api_key, f.is_request);
        if (type == nullptr) {
            without_schema.insert(f.api_name);
            continue;
        }
        if (f.version > type->max_version) {
            above_max[f.api_name] = type->max_version;
            continue;
        }
        ++checked;
        EXPECT_EQ(check(f, read_all(f.path)), "") << f.path.filename().string();
    }
    EXPECT_GT(checked, 0);

    // Printed as the lists above should read, so that updating them is a copy.
    std::string listed;
    for (const std::string& name : without_schema) listed += "\n    \"" + name + "\",";
    EXPECT_EQ(without_schema, java_expected_without_schema)
        << "APIs of golden_java without a schema in kasio; java_expected_without_schema should be:"
        << listed;
    listed.clear();
    for (const auto& [name, max] : above_max) listed += "\n    {\"" + name + "\", " + std::to_string(max) + "},";
    EXPECT_EQ(above_max, java_expected_above_max)
        << "APIs of golden_java with frames above kasio's max version; java_expected_above_max should be:"
        << listed;
}

}  // namespace
}  // namespace kasio::protocol

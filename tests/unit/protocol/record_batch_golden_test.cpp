// Batches written by librdkafka, captured by tests/support/capture_frames.cpp into
// tests/data/golden/ (origin and regeneration in the README there): record_batch_<codec>.bin
// is the records field of a Produce request, record_batch_<codec>.txt lists its records, one
// line each after '#' comments:
//   offset_delta=N timestamp=MS key=K value=V headers=COUNT [name=V]...
// where K and V are "text" (no spaces or quotes inside) or null. The Produce v0-v2 request
// frames there carry the same records as librdkafka's legacy MessageSets (magic 0 and 1).
#include "protocol/reader.hpp"
#include "protocol/record_batch_decoder.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace kasio::protocol {
namespace {

struct expected_header {
    std::string key;
    std::optional<std::string> value;
};
struct expected_record {
    std::int64_t offset_delta = 0;
    std::int64_t timestamp = 0;
    std::optional<std::string> key, value;
    std::vector<expected_header> headers;
};

std::filesystem::path golden_dir() { return std::filesystem::path(KASIO_TEST_DATA_DIR) / "golden"; }

// "name=value" -> value, after checking the name.
std::string field(const std::string& token, std::string_view name) {
    EXPECT_TRUE(token.starts_with(std::string(name) + "=")) << "expected " << name << "=, got " << token;
    const auto eq = token.find('=');
    return eq == std::string::npos ? std::string() : token.substr(eq + 1);
}

std::optional<std::string> quoted(const std::string& s) {
    if (s == "null") return std::nullopt;
    EXPECT_TRUE(s.size() >= 2 && s.front() == '"' && s.back() == '"') << s;
    if (s.size() < 2) return std::string();
    return s.substr(1, s.size() - 2);
}

std::vector<expected_record> read_expected(const std::filesystem::path& path) {
    std::vector<expected_record> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line.front() == '#') continue;
        std::istringstream tokens(line);
        std::vector<std::string> t{std::istream_iterator<std::string>(tokens), std::istream_iterator<std::string>()};
        if (t.size() < 5) {
            ADD_FAILURE() << path << ": short line: " << line;
            continue;
        }
        expected_record r;
        r.offset_delta = std::stoll(field(t[0], "offset_delta"));
        r.timestamp = std::stoll(field(t[1], "timestamp"));
        r.key = quoted(field(t[2], "key"));
        r.value = quoted(field(t[3], "value"));
        const auto count = std::stoul(field(t[4], "headers"));
        EXPECT_EQ(t.size(), 5 + count) << line;
        for (std::size_t i = 5; i < t.size(); ++i) {
            const auto eq = t[i].find('=');
            r.headers.push_back({t[i].substr(0, eq), quoted(eq == std::string::npos ? "" : t[i].substr(eq + 1))});
        }
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The records field of the one partition in a Produce v0-v2 request frame (header v1:
// api_key, api_version, correlation_id, client_id; body: acks, timeout_ms, then
// [topic name, [partition, records]]).
bytes_view produce_records(bytes_view frame) {
    reader r(frame);
    r.skip(8);
    r.read_nullable_string_view(false);  // client_id
    r.skip(6);                           // acks, timeout_ms
    EXPECT_EQ(r.read_int32(), 1);        // topics
    r.read_nullable_string_view(false);
    EXPECT_EQ(r.read_int32(), 1);        // partitions
    r.skip(4);
    const auto records = r.read_nullable_bytes_view(false);
    EXPECT_TRUE(r.ok() && records && r.remaining() == 0);
    return records.value_or(bytes_view{});
}

std::optional<std::string> str(const std::optional<bytes_view>& b) {
    if (!b) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(b->data()), b->size());
}

TEST(record_batch_golden, librdkafka_batches_decode_to_the_listed_records) {
    int found = 0;
    for (auto c : {compression::codec::none, compression::codec::gzip, compression::codec::snappy,
                   compression::codec::lz4, compression::codec::zstd}) {
        const std::string name(compression::to_string(c));
        const auto bin = golden_dir() / ("record_batch_" + name + ".bin");
        if (!std::filesystem::exists(bin)) continue;
        ++found;
        SCOPED_TRACE(bin.string());
        const std::vector<std::uint8_t> blob = read_file(bin);
        const auto expected = read_expected(golden_dir() / ("record_batch_" + name + ".txt"));
        ASSERT_FALSE(expected.empty()) << "no records listed for " << name;

        record_batch_decoder d(blob);
        byte_buffer scratch;
        ASSERT_TRUE(d.next_batch(scratch)) << d.error().message();
        EXPECT_EQ(d.header().magic, 2);
        EXPECT_EQ(d.header().codec(), c);
        EXPECT_EQ(d.header().records_count, static_cast<std::int32_t>(expected.size()));
        std::size_t i = 0;
        record_view r;
        while (d.next_record(r)) {
            ASSERT_LT(i, expected.size());
            const expected_record& e = expected[i++];
            EXPECT_EQ(r.offset - d.header().base_offset, e.offset_delta);
            EXPECT_EQ(r.timestamp, e.timestamp);
            EXPECT_EQ(str(r.key), e.key);
            EXPECT_EQ(str(r.value), e.value);
            ASSERT_EQ(r.headers.size(), e.headers.size());
            std::size_t j = 0;
            for (const record_header_view& h : r.headers) {
                EXPECT_EQ(h.key, e.headers[j].key);
                EXPECT_EQ(str(h.value), e.headers[j].value);
                ++j;
            }
        }
        EXPECT_EQ(i, expected.size());
        EXPECT_FALSE(d.next_batch(scratch));
        EXPECT_FALSE(d.error()) << d.error().message();
        EXPECT_FALSE(d.incomplete_tail());
    }
    if (found == 0) GTEST_SKIP() << "no golden batches in " << golden_dir() << " (tests/support/capture_frames.cpp)";
}

TEST(record_batch_golden, librdkafka_legacy_message_sets_decode_to_the_listed_records) {
    const auto expected_path = golden_dir() / "record_batch_none.txt";
    if (!std::filesystem::exists(expected_path)) GTEST_SKIP() << "no golden data in " << golden_dir();
    const auto expected = read_expected(expected_path);
    ASSERT_FALSE(expected.empty());
    // Produce v0 and v1 carry magic 0, v2 magic 1 (KIP-32 timestamps).
    for (int version = 0; version <= 2; ++version) {
        const auto path = golden_dir() / ("00_produce_v" + std::to_string(version) + "_request.bin");
        SCOPED_TRACE(path.string());
        ASSERT_TRUE(std::filesystem::exists(path));
        const std::vector<std::uint8_t> frame = read_file(path);
        record_batch_decoder d(produce_records(frame));
        byte_buffer scratch;
        std::size_t i = 0;
        while (d.next_batch(scratch)) {
            EXPECT_EQ(d.header().magic, version == 2 ? 1 : 0);
            EXPECT_EQ(d.header().records_count, 1);  // uncompressed: one message per entry
            record_view r;
            while (d.next_record(r)) {
                ASSERT_LT(i, expected.size());
                const expected_record& e = expected[i++];
                // librdkafka numbers the messages of a request from 0.
                EXPECT_EQ(r.offset, e.offset_delta);
                EXPECT_EQ(r.timestamp, version == 2 ? e.timestamp : -1);
                EXPECT_EQ(str(r.key), e.key);
                EXPECT_EQ(str(r.value), e.value);
                EXPECT_TRUE(r.headers.empty());  // headers need magic 2
            }
        }
        EXPECT_FALSE(d.error()) << d.error().message();
        EXPECT_FALSE(d.incomplete_tail());
        EXPECT_EQ(i, expected.size());
    }
}

}  // namespace
}  // namespace kasio::protocol

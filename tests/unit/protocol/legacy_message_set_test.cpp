// Legacy message sets (magic v0/v1) through record_batch_decoder: messages written out by
// hand (CRC literals from Python's zlib.crc32), compressed wrappers with absolute (v0) and
// relative (v1, KIP-31) inner offsets, and the ways a legacy entry can be corrupt.
#include "protocol/legacy_message_set.hpp"

#include "compression/codec.hpp"
#include "protocol/record_batch_builder.hpp"
#include "protocol/record_batch_decoder.hpp"
#include "protocol/writer.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

namespace kasio::protocol {
namespace {

using bytes = std::vector<std::uint8_t>;
using compression::codec;

const bytes v0_message = {
    0, 0, 0, 0, 0, 0, 0, 7,   // offset 7
    0, 0, 0, 20,              // message_size
    0xA4, 0xCD, 0xAB, 0x3A,   // crc32 of the rest
    0,                        // magic 0
    0,                        // attributes: no codec
    0, 0, 0, 1, 'k',          // key "k"
    0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o',  // value "hello"
};

const bytes v1_message = {
    0, 0, 0, 0, 0, 0, 0, 8,   // offset 8
    0, 0, 0, 24,              // message_size
    0xE8, 0xC3, 0xD4, 0x6D,   // crc32
    1,                        // magic 1
    0,                        // attributes: CreateTime, no codec
    0, 0, 0x01, 0x1F, 0x71, 0xFB, 0x04, 0xCB,  // timestamp 1234567890123
    0xFF, 0xFF, 0xFF, 0xFF,   // key null
    0, 0, 0, 2, 'v', '1',     // value "v1"
};

bytes_view bv(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

std::string str(const std::optional<bytes_view>& b) {
    if (!b) return "<null>";
    return {reinterpret_cast<const char*>(b->data()), b->size()};
}

// A legacy entry built field by field, with a correct CRC unless told otherwise.
bytes message(std::int8_t magic, std::int8_t attributes, std::int64_t offset, std::int64_t timestamp,
              std::optional<bytes_view> key, std::optional<bytes_view> value) {
    byte_buffer body;
    body.reserve(256);  // GCC 12 -O2 gives a false -Wstringop-overflow for writes into an empty vector
    writer w(body);
    w.write_int8(magic);
    w.write_int8(attributes);
    if (magic == 1) w.write_int64(timestamp);
    w.write_int32(key ? static_cast<std::int32_t>(key->size()) : -1);
    if (key) w.write_raw(*key);
    w.write_int32(value ? static_cast<std::int32_t>(value->size()) : -1);
    if (value) w.write_raw(*value);

    byte_buffer out;
    out.reserve(256);
    writer e(out);
    e.write_int64(offset);
    e.write_int32(static_cast<std::int32_t>(4 + body.size()));
    e.write_uint32(static_cast<std::uint32_t>(::crc32(0, body.data(), static_cast<uInt>(body.size()))));
    e.write_raw(body);
    return out;
}

bytes wrapper(std::int8_t magic, codec c, std::int8_t extra_attributes, std::int64_t offset, std::int64_t timestamp,
              const bytes& inner_set) {
    byte_buffer compressed;
    EXPECT_FALSE(compression::compress(c, inner_set, compressed));
    return message(magic, static_cast<std::int8_t>(static_cast<int>(c) | extra_attributes), offset, timestamp,
                   std::nullopt, bytes_view(compressed));
}

bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

struct decoded_record {
    std::int64_t offset, timestamp;
    std::string key, value;
};
struct decoded {
    std::vector<record_batch_header> headers;
    std::vector<decoded_record> records;
    error_code ec;
    bool tail = false;
};
decoded decode_all(bytes_view blob, decode_options opts = {}) {
    decoded out;
    record_batch_decoder d(blob, opts);
    byte_buffer scratch;
    while (d.next_batch(scratch)) {
        out.headers.push_back(d.header());
        record_view r;
        while (d.next_record(r)) {
            EXPECT_TRUE(r.headers.empty());
            out.records.push_back({r.offset, r.timestamp, str(r.key), str(r.value)});
        }
    }
    out.ec = d.error();
    out.tail = d.incomplete_tail();
    return out;
}

TEST(legacy_message_set, hand_built_v0_and_v1_messages_decode) {
    const auto out = decode_all(concat({v0_message, v1_message}));
    ASSERT_FALSE(out.ec) << out.ec.message();
    ASSERT_EQ(out.records.size(), 2u);
    EXPECT_EQ(out.records[0].offset, 7);
    EXPECT_EQ(out.records[0].timestamp, -1);
    EXPECT_EQ(out.records[0].key, "k");
    EXPECT_EQ(out.records[0].value, "hello");
    EXPECT_EQ(out.records[1].offset, 8);
    EXPECT_EQ(out.records[1].timestamp, 1234567890123);
    EXPECT_EQ(out.records[1].key, "<null>");
    EXPECT_EQ(out.records[1].value, "v1");

    ASSERT_EQ(out.headers.size(), 2u);
    const record_batch_header& h0 = out.headers[0];
    EXPECT_EQ(h0.magic, 0);
    EXPECT_EQ(h0.base_offset, 7);
    EXPECT_EQ(h0.last_offset(), 7);
    EXPECT_EQ(h0.records_count, 1);
    EXPECT_EQ(h0.crc, 0xA4CDAB3Au);
    EXPECT_EQ(h0.batch_length, 20);
    EXPECT_EQ(h0.producer_id, -1);
    EXPECT_FALSE(h0.is_control());
    EXPECT_EQ(out.headers[1].magic, 1);
    EXPECT_EQ(out.headers[1].base_timestamp, 1234567890123);
}

TEST(legacy_message_set, parse_legacy_message_reads_the_fields) {
    legacy_message m;
    ASSERT_FALSE(parse_legacy_message(v1_message, true, m));
    EXPECT_EQ(m.offset, 8);
    EXPECT_EQ(m.message_size, 24);
    EXPECT_EQ(m.magic, 1);
    EXPECT_EQ(m.timestamp, 1234567890123);
    EXPECT_FALSE(m.key);
    EXPECT_EQ(str(m.value), "v1");
}

TEST(legacy_message_set, compressed_v1_wrapper_has_relative_inner_offsets) {
    // Inner offsets 0..2 relative; the wrapper carries the absolute offset of the last: 42.
    const bytes inner = concat({message(1, 0, 0, 1000, bv("a"), bv("one")), message(1, 0, 1, 1001, std::nullopt, bv("two")),
                                message(1, 0, 2, 999, bv("c"), std::nullopt)});
    for (codec c : {codec::gzip, codec::snappy, codec::lz4}) {
        SCOPED_TRACE(std::string(compression::to_string(c)));
        const auto out = decode_all(concat({wrapper(1, c, 0, 42, 1001, inner), v0_message}));
        ASSERT_FALSE(out.ec) << out.ec.message();
        ASSERT_EQ(out.records.size(), 4u);
        EXPECT_EQ(out.records[0].offset, 40);
        EXPECT_EQ(out.records[1].offset, 41);
        EXPECT_EQ(out.records[2].offset, 42);
        EXPECT_EQ(out.records[0].timestamp, 1000);  // CreateTime: each inner message's own
        EXPECT_EQ(out.records[2].timestamp, 999);
        EXPECT_EQ(out.records[0].value, "one");
        EXPECT_EQ(out.records[1].key, "<null>");
        EXPECT_EQ(out.records[2].value, "<null>");
        const record_batch_header& h = out.headers.at(0);
        EXPECT_EQ(h.codec(), c);
        EXPECT_EQ(h.base_offset, 40);
        EXPECT_EQ(h.last_offset(), 42);
        EXPECT_EQ(h.records_count, 3);
        EXPECT_EQ(h.base_timestamp, 1000);
        EXPECT_EQ(h.max_timestamp, 1001);
        EXPECT_EQ(out.records[3].offset, 7);
    }
}

TEST(legacy_message_set, log_append_time_wrapper_stamps_its_inner_records) {
    const bytes inner = concat({message(1, 0, 0, 1000, bv("a"), bv("one")), message(1, 0, 1, 1001, bv("b"), bv("two"))});
    const auto out = decode_all(wrapper(1, codec::gzip, 0x08, 11, 5555, inner));
    ASSERT_FALSE(out.ec) << out.ec.message();
    ASSERT_EQ(out.records.size(), 2u);
    EXPECT_EQ(out.records[0].timestamp, 5555);
    EXPECT_EQ(out.records[1].timestamp, 5555);
    EXPECT_EQ(out.records[0].offset, 10);
    EXPECT_EQ(out.headers.at(0).ts_type(), timestamp_type::log_append_time);
}

TEST(legacy_message_set, compressed_v0_wrapper_has_absolute_inner_offsets) {
    const bytes inner = concat({message(0, 0, 100, -1, bv("a"), bv("x")), message(0, 0, 101, -1, bv("b"), bv("y"))});
    const auto out = decode_all(wrapper(0, codec::gzip, 0, 101, -1, inner));
    ASSERT_FALSE(out.ec) << out.ec.message();
    ASSERT_EQ(out.records.size(), 2u);
    EXPECT_EQ(out.records[0].offset, 100);
    EXPECT_EQ(out.records[1].offset, 101);
    EXPECT_EQ(out.records[0].timestamp, -1);
    EXPECT_EQ(out.headers.at(0).base_offset, 100);
    EXPECT_EQ(out.headers.at(0).last_offset(), 101);
    EXPECT_EQ(out.headers.at(0).records_count, 2);
}

TEST(legacy_message_set, v1_wrapper_at_offset_zero_keeps_relative_offsets) {
    // Some librdkafka producers leave the wrapper offset at 0 (Kafka accepts it).
    const bytes inner = concat({message(1, 0, 0, 1, bv("a"), bv("x")), message(1, 0, 1, 2, bv("b"), bv("y"))});
    const auto out = decode_all(wrapper(1, codec::gzip, 0, 0, 2, inner));
    ASSERT_FALSE(out.ec) << out.ec.message();
    ASSERT_EQ(out.records.size(), 2u);
    EXPECT_EQ(out.records[0].offset, 0);
    EXPECT_EQ(out.records[1].offset, 1);
}

TEST(legacy_message_set, legacy_and_v2_entries_mix_in_one_blob) {
    record_batch_builder b(1 << 10);
    ASSERT_TRUE(b.append(5, bv("k2"), bv("from v2")));
    error_code ec;
    const bytes_view v2 = b.finish(codec::none, ec);
    ASSERT_FALSE(ec);
    const auto out = decode_all(concat({v0_message, bytes(v2.begin(), v2.end()), v1_message}));
    ASSERT_FALSE(out.ec) << out.ec.message();
    ASSERT_EQ(out.records.size(), 3u);
    EXPECT_EQ(out.records[1].value, "from v2");
    EXPECT_EQ(out.records[1].timestamp, 5);
    EXPECT_EQ(out.records[2].value, "v1");
    ASSERT_EQ(out.headers.size(), 3u);
    EXPECT_EQ(out.headers[1].magic, 2);
}

TEST(legacy_message_set, every_prefix_is_a_clean_end_or_an_incomplete_tail) {
    const bytes inner = concat({message(1, 0, 0, 1, bv("a"), bv("x")), message(1, 0, 1, 2, bv("b"), bv("y"))});
    const bytes w = wrapper(1, codec::snappy, 0, 9, 2, inner);
    const bytes blob = concat({v1_message, w});
    for (std::size_t n = 0; n <= blob.size(); ++n) {
        const auto out = decode_all(bytes_view(blob).first(n));
        ASSERT_FALSE(out.ec) << n << ": " << out.ec.message();
        EXPECT_EQ(out.tail, n != 0 && n != v1_message.size() && n != blob.size()) << n;
    }
}

TEST(legacy_message_set, corrupt_messages_are_errors) {
    bytes bad_crc = v0_message;
    bad_crc.back() ^= 1;
    EXPECT_EQ(decode_all(bad_crc).ec, client_errc::crc_mismatch);
    EXPECT_FALSE(decode_all(bad_crc, {.check_crcs = false}).ec);

    // Key length one more than there is: the value length then overruns the message.
    bytes long_key = v0_message;
    long_key[21] = 2;
    EXPECT_EQ(decode_all(long_key, {.check_crcs = false}).ec, client_errc::invalid_length);
    // Value shorter than the message: bytes left over inside it.
    bytes short_value = v0_message;
    short_value[26] = 4;
    EXPECT_EQ(decode_all(short_value, {.check_crcs = false}).ec, client_errc::invalid_length);
    // Key length -2.
    bytes negative_key = v0_message;
    negative_key[18] = negative_key[19] = negative_key[20] = 0xFF;
    negative_key[21] = 0xFE;
    EXPECT_EQ(decode_all(negative_key, {.check_crcs = false}).ec, client_errc::invalid_length);
    // A v1 message shorter than the v1 overhead.
    bytes short_v1 = v0_message;
    short_v1[16] = 1;
    EXPECT_EQ(decode_all(short_v1, {.check_crcs = false}).ec, client_errc::invalid_length);
    // zstd is not a legacy codec.
    EXPECT_EQ(decode_all(message(1, 4, 0, 0, std::nullopt, bv("x"))).ec, client_errc::unsupported_codec);
}

TEST(legacy_message_set, inconsistent_wrappers_are_errors) {
    const bytes one = message(1, 0, 0, 1, bv("a"), bv("x"));
    // Nested compression.
    EXPECT_EQ(decode_all(wrapper(1, codec::gzip, 0, 5, 1, wrapper(1, codec::gzip, 0, 0, 1, one))).ec,
              client_errc::invalid_value);
    // Null value in a wrapper.
    EXPECT_EQ(decode_all(message(1, 1, 5, 1, std::nullopt, std::nullopt)).ec, client_errc::invalid_value);
    // No inner message.
    EXPECT_EQ(decode_all(wrapper(1, codec::gzip, 0, 5, 1, {})).ec, client_errc::invalid_value);
    // v1 wrapper offset below the last relative offset.
    const bytes three = concat({one, message(1, 0, 1, 1, bv("b"), bv("y")), message(1, 0, 7, 1, bv("c"), bv("z"))});
    EXPECT_EQ(decode_all(wrapper(1, codec::gzip, 0, 5, 1, three)).ec, client_errc::invalid_value);
    // A partial inner message: the wrapper is complete, so this is corruption.
    EXPECT_EQ(decode_all(wrapper(1, codec::gzip, 0, 5, 1, bytes(one.begin(), one.end() - 1))).ec,
              client_errc::truncated);
    // A corrupt inner CRC.
    bytes bad_inner = one;
    bad_inner.back() ^= 1;
    EXPECT_EQ(decode_all(wrapper(1, codec::gzip, 0, 5, 1, bad_inner)).ec, client_errc::crc_mismatch);
    // Garbage where compressed data belongs.
    EXPECT_EQ(decode_all(message(1, 1, 5, 1, std::nullopt, bv("not gzip at all"))).ec,
              client_errc::decompression_failed);
    // Over the decompression cap.
    const bytes big_inner = message(1, 0, 0, 1, std::nullopt, bv(std::string(10'000, 'x')));
    EXPECT_EQ(decode_all(wrapper(1, codec::gzip, 0, 0, 1, big_inner), {.max_decompressed_size = 5000}).ec,
              client_errc::decompressed_size_limit);
}

}  // namespace
}  // namespace kasio::protocol

// Record batch v2 decoding: a batch written out byte by byte from the spec (KIP-98, Kafka's
// DefaultRecordBatch/DefaultRecord), then every way the decoder must refuse or stop.
// The CRC literals were computed independently (a bitwise CRC-32C in Python).
#include "protocol/record_batch_decoder.hpp"

#include "compression/codec.hpp"
#include "protocol/crc32c.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace kasio::protocol {
namespace {

using bytes = std::vector<std::uint8_t>;

// Base offset 100, leader epoch 5, CreateTime, no codec, producer 7 / epoch 1 / sequence 3,
// timestamps 1000..1005, two records.
const bytes hand_built_batch = {
    0, 0, 0, 0, 0, 0, 0, 100,  // base_offset 100
    0, 0, 0, 70,               // batch_length: 82 - 12
    0, 0, 0, 5,                // partition_leader_epoch 5
    2,                         // magic
    0x68, 0x86, 0x11, 0xD0,    // crc (CRC-32C of the 61 bytes below)
    0, 0,                      // attributes: CreateTime, none
    0, 0, 0, 1,                // last_offset_delta 1
    0, 0, 0, 0, 0, 0, 0x03, 0xE8,  // base_timestamp 1000
    0, 0, 0, 0, 0, 0, 0x03, 0xED,  // max_timestamp 1005
    0, 0, 0, 0, 0, 0, 0, 7,    // producer_id 7
    0, 1,                      // producer_epoch 1
    0, 0, 0, 3,                // base_sequence 3
    0, 0, 0, 2,                // records_count 2
    // record 0: length 9 | attributes | ts delta 0 | offset delta 0 | key "k" | value "v1" | 0 headers
    0x12, 0x00, 0x00, 0x00, 0x02, 'k', 0x04, 'v', '1', 0x00,
    // record 1: length 10 | attributes | ts delta 5 | offset delta 1 | key null | value "" | 1 header h=x
    0x14, 0x00, 0x0A, 0x02, 0x01, 0x00, 0x02, 0x02, 'h', 0x02, 'x',
};

// A transaction marker: a control batch (attributes transactional | control) holding one
// COMMIT record, key = version 0 | type 1, value = version 0 | coordinator epoch 4.
const bytes commit_marker = {
    0, 0, 0, 0, 0, 0, 0, 50,  // base_offset 50
    0, 0, 0, 66,              // batch_length
    0xFF, 0xFF, 0xFF, 0xFF,   // partition_leader_epoch -1
    2,                        // magic
    0x8D, 0x2A, 0xFB, 0x99,   // crc
    0x00, 0x30,               // attributes: transactional (0x10) | control (0x20)
    0, 0, 0, 0,               // last_offset_delta
    0, 0, 0, 0, 0, 0, 0x07, 0xD0,  // base_timestamp 2000
    0, 0, 0, 0, 0, 0, 0x07, 0xD0,  // max_timestamp 2000
    0, 0, 0, 0, 0, 0, 0, 9,   // producer_id 9
    0, 2,                     // producer_epoch 2
    0xFF, 0xFF, 0xFF, 0xFF,   // base_sequence -1
    0, 0, 0, 1,               // records_count 1
    0x20, 0x00, 0x00, 0x00,   // length 16 | attributes | ts delta | offset delta
    0x08, 0, 0, 0, 1,         // key (4 bytes): version 0, type 1 (commit)
    0x0C, 0, 0, 0, 0, 0, 4,   // value (6 bytes): version 0, coordinator epoch 4
    0x00,                     // no headers
};

std::string str(const std::optional<bytes_view>& b) {
    if (!b) return "<null>";
    return {reinterpret_cast<const char*>(b->data()), b->size()};
}

bytes concat(const bytes& a, const bytes& b) {
    bytes out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

void put32(bytes& b, std::size_t at, std::int32_t v) {
    for (int i = 0; i < 4; ++i) b[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(static_cast<std::uint32_t>(v) >> (24 - 8 * i));
}
void put16(bytes& b, std::size_t at, std::int16_t v) {
    b[at] = static_cast<std::uint8_t>(static_cast<std::uint16_t>(v) >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}
// After editing a batch, make its CRC right again so the decoder looks past it.
void fix_crc(bytes& b) {
    const std::uint32_t crc = crc32c(0, bytes_view(b).subspan(batch_v2::attributes_at));
    put32(b, batch_v2::crc_at, static_cast<std::int32_t>(crc));
}
// Replaces the records section [61, end) and fixes length and CRC.
bytes with_records(const bytes& batch, const bytes& records) {
    bytes b(batch_v2::header_size + records.size());
    std::copy_n(batch.begin(), batch_v2::header_size, b.begin());
    std::copy(records.begin(), records.end(), b.begin() + batch_v2::header_size);
    put32(b, batch_v2::length_at, static_cast<std::int32_t>(b.size() - batch_v2::log_overhead));
    fix_crc(b);
    return b;
}

// Decodes a whole blob; returns the error (empty when it ended cleanly or at a tail).
struct decoded {
    std::vector<record_batch_header> headers;
    std::vector<std::string> values;
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
        while (d.next_record(r)) out.values.push_back(str(r.value));
    }
    out.ec = d.error();
    out.tail = d.incomplete_tail();
    return out;
}

TEST(record_batch_decoder, hand_built_batch_decodes_to_its_fields) {
    record_batch_decoder d(hand_built_batch);
    byte_buffer scratch;
    ASSERT_TRUE(d.next_batch(scratch)) << d.error().message();
    const record_batch_header& h = d.header();
    EXPECT_EQ(h.base_offset, 100);
    EXPECT_EQ(h.batch_length, 70);
    EXPECT_EQ(h.partition_leader_epoch, 5);
    EXPECT_EQ(h.magic, 2);
    EXPECT_EQ(h.crc, 0x688611D0u);
    EXPECT_EQ(h.codec(), compression::codec::none);
    EXPECT_EQ(h.ts_type(), timestamp_type::create_time);
    EXPECT_FALSE(h.is_transactional());
    EXPECT_FALSE(h.is_control());
    EXPECT_FALSE(h.has_delete_horizon());
    EXPECT_EQ(h.last_offset_delta, 1);
    EXPECT_EQ(h.last_offset(), 101);
    EXPECT_EQ(h.base_timestamp, 1000);
    EXPECT_EQ(h.max_timestamp, 1005);
    EXPECT_EQ(h.producer_id, 7);
    EXPECT_EQ(h.producer_epoch, 1);
    EXPECT_EQ(h.base_sequence, 3);
    EXPECT_EQ(h.records_count, 2);
    EXPECT_EQ(d.batch_bytes().size(), hand_built_batch.size());

    record_view r;
    ASSERT_TRUE(d.next_record(r));
    EXPECT_EQ(r.offset, 100);
    EXPECT_EQ(r.timestamp, 1000);
    EXPECT_EQ(str(r.key), "k");
    EXPECT_EQ(str(r.value), "v1");
    EXPECT_TRUE(r.headers.empty());
    // Zero copy: the value views the input.
    EXPECT_EQ(r.value->data(), hand_built_batch.data() + 68);

    ASSERT_TRUE(d.next_record(r));
    EXPECT_EQ(r.offset, 101);
    EXPECT_EQ(r.timestamp, 1005);
    EXPECT_FALSE(r.key.has_value());
    ASSERT_TRUE(r.value.has_value());
    EXPECT_TRUE(r.value->empty());
    ASSERT_EQ(r.headers.size(), 1u);
    auto it = r.headers.begin();
    EXPECT_EQ(it->key, "h");
    EXPECT_EQ(str(it->value), "x");
    EXPECT_EQ(++it, r.headers.end());

    EXPECT_FALSE(d.next_record(r));
    EXPECT_FALSE(d.next_batch(scratch));
    EXPECT_FALSE(d.error());
    EXPECT_FALSE(d.incomplete_tail());
    EXPECT_EQ(d.position(), hand_built_batch.size());
    EXPECT_TRUE(scratch.empty());  // nothing compressed, nothing copied
}

TEST(record_batch_decoder, control_batch_is_recognised_and_its_marker_parsed) {
    const auto out = decode_all(concat(commit_marker, hand_built_batch));
    ASSERT_FALSE(out.ec) << out.ec.message();
    ASSERT_EQ(out.headers.size(), 2u);
    EXPECT_TRUE(out.headers[0].is_control());
    EXPECT_TRUE(out.headers[0].is_transactional());
    EXPECT_EQ(out.headers[0].producer_id, 9);

    record_batch_decoder d(commit_marker);
    byte_buffer scratch;
    ASSERT_TRUE(d.next_batch(scratch));
    record_view r;
    ASSERT_TRUE(d.next_record(r));
    control_record c;
    ASSERT_FALSE(parse_control_record(r, c));
    EXPECT_EQ(c.version, 0);
    EXPECT_TRUE(c.is_commit());
    EXPECT_FALSE(c.is_abort());
    EXPECT_EQ(r.offset, 50);
}

TEST(record_batch_decoder, control_record_with_a_short_key_or_negative_version_is_invalid) {
    control_record c;
    record_view r;
    EXPECT_EQ(parse_control_record(r, c), client_errc::invalid_value);  // null key
    const std::uint8_t short_key[] = {0, 0, 0};
    r.key = bytes_view(short_key);
    EXPECT_EQ(parse_control_record(r, c), client_errc::invalid_value);
    const std::uint8_t negative_version[] = {0xFF, 0xFF, 0, 0};
    r.key = bytes_view(negative_version);
    EXPECT_EQ(parse_control_record(r, c), client_errc::invalid_value);
    const std::uint8_t abort_v1[] = {0, 1, 0, 0, 0xAA};  // a newer version still parses
    r.key = bytes_view(abort_v1);
    ASSERT_FALSE(parse_control_record(r, c));
    EXPECT_TRUE(c.is_abort());
}

TEST(record_batch_decoder, log_append_time_gives_every_record_the_max_timestamp) {
    bytes b = hand_built_batch;
    put16(b, batch_v2::attributes_at, batch_attributes::log_append_time);
    fix_crc(b);
    record_batch_decoder d(b);
    byte_buffer scratch;
    ASSERT_TRUE(d.next_batch(scratch));
    EXPECT_EQ(d.header().ts_type(), timestamp_type::log_append_time);
    record_view r;
    while (d.next_record(r)) EXPECT_EQ(r.timestamp, 1005);
    EXPECT_FALSE(d.error());
}

TEST(record_batch_decoder, corrupted_byte_fails_the_crc_unless_crc_checks_are_off) {
    for (std::size_t at : {std::size_t{21}, std::size_t{40}, std::size_t{68}, hand_built_batch.size() - 1}) {
        bytes b = hand_built_batch;
        b[at] ^= 0x01;
        EXPECT_EQ(decode_all(b).ec, client_errc::crc_mismatch) << at;
    }
    bytes b = hand_built_batch;
    b[batch_v2::crc_at + 3] ^= 0x80;
    EXPECT_EQ(decode_all(b).ec, client_errc::crc_mismatch);
    EXPECT_FALSE(decode_all(b, {.check_crcs = false}).ec);
}

TEST(record_batch_decoder, partition_leader_epoch_is_outside_the_crc) {
    bytes b = hand_built_batch;
    put32(b, batch_v2::partition_leader_epoch_at, 12345);
    const auto out = decode_all(b);
    ASSERT_FALSE(out.ec);
    EXPECT_EQ(out.headers.at(0).partition_leader_epoch, 12345);
}

TEST(record_batch_decoder, every_prefix_is_a_clean_end_or_an_incomplete_tail) {
    const bytes blob = concat(commit_marker, hand_built_batch);
    for (std::size_t n = 0; n <= blob.size(); ++n) {
        const auto out = decode_all(bytes_view(blob).first(n));
        ASSERT_FALSE(out.ec) << "prefix " << n << ": " << out.ec.message();
        const bool at_boundary = n == 0 || n == commit_marker.size() || n == blob.size();
        EXPECT_EQ(out.tail, !at_boundary) << n;
        EXPECT_EQ(out.headers.size(), n >= blob.size() ? 2u : n >= commit_marker.size() ? 1u : 0u) << n;
    }
}

TEST(record_batch_decoder, incomplete_tail_reports_where_it_starts) {
    const bytes blob = concat(hand_built_batch, bytes(hand_built_batch.begin(), hand_built_batch.begin() + 30));
    record_batch_decoder d(blob);
    byte_buffer scratch;
    ASSERT_TRUE(d.next_batch(scratch));
    EXPECT_FALSE(d.next_batch(scratch));  // skips the unread records, then meets the tail
    EXPECT_TRUE(d.incomplete_tail());
    EXPECT_FALSE(d.error());
    EXPECT_EQ(d.position(), hand_built_batch.size());
}

TEST(record_batch_decoder, records_cut_short_inside_a_complete_batch_are_errors) {
    // Shorten the records section at every point, with length and CRC made consistent.
    const bytes records(hand_built_batch.begin() + batch_v2::header_size, hand_built_batch.end());
    for (std::size_t n = 0; n < records.size(); ++n) {
        const auto out = decode_all(with_records(hand_built_batch, bytes(records.begin(), records.begin() + static_cast<std::ptrdiff_t>(n))));
        EXPECT_TRUE(out.ec == client_errc::truncated || out.ec == client_errc::invalid_length) << n << ": " << out.ec.message();
        EXPECT_FALSE(out.tail);
    }
}

TEST(record_batch_decoder, record_count_that_lies_is_an_error) {
    bytes more = hand_built_batch;
    put32(more, batch_v2::records_count_at, 3);
    fix_crc(more);
    EXPECT_EQ(decode_all(more).ec, client_errc::truncated);

    bytes fewer = hand_built_batch;
    put32(fewer, batch_v2::records_count_at, 1);
    fix_crc(fewer);
    const auto out = decode_all(fewer);
    EXPECT_EQ(out.ec, client_errc::trailing_bytes);
    EXPECT_TRUE(out.values.empty());  // the record before the leftover bytes is not delivered

    bytes negative = hand_built_batch;
    put32(negative, batch_v2::records_count_at, -1);
    fix_crc(negative);
    EXPECT_EQ(decode_all(negative).ec, client_errc::invalid_length);

    bytes huge = hand_built_batch;
    put32(huge, batch_v2::records_count_at, 0x7FFFFFFF);
    fix_crc(huge);
    EXPECT_EQ(decode_all(huge).ec, client_errc::truncated);  // refused before iterating
}

TEST(record_batch_decoder, record_length_that_disagrees_with_its_fields_is_invalid_length) {
    const bytes record1 = {0x14, 0x00, 0x0A, 0x02, 0x01, 0x00, 0x02, 0x02, 'h', 0x02, 'x'};
    auto with_first = [&](bytes r0) {
        bytes all = r0;
        all.insert(all.end(), record1.begin(), record1.end());
        return decode_all(with_records(hand_built_batch, all)).ec;
    };
    // Declared 10, fields take 9 (the next record's first byte gets swallowed).
    EXPECT_EQ(with_first({0x14, 0x00, 0x00, 0x00, 0x02, 'k', 0x04, 'v', '1', 0x00}), client_errc::invalid_length);
    // Declared 8, fields take 9.
    EXPECT_EQ(with_first({0x10, 0x00, 0x00, 0x00, 0x02, 'k', 0x04, 'v', '1', 0x00}), client_errc::invalid_length);
    // Negative record length.
    EXPECT_EQ(with_first({0x01, 0x00, 0x00, 0x00, 0x02, 'k', 0x04, 'v', '1', 0x00}), client_errc::invalid_length);
    // Key length -2.
    EXPECT_EQ(with_first({0x12, 0x00, 0x00, 0x00, 0x03, 'k', 0x04, 'v', '1', 0x00}), client_errc::invalid_length);
    // Key length 5 past the record.
    EXPECT_EQ(with_first({0x12, 0x00, 0x00, 0x00, 0x0A, 'k', 0x04, 'v', '1', 0x00}), client_errc::invalid_length);
    // Negative header count.
    EXPECT_EQ(with_first({0x12, 0x00, 0x00, 0x00, 0x02, 'k', 0x04, 'v', '1', 0x01}), client_errc::invalid_length);
    // One header announced, none there.
    EXPECT_EQ(with_first({0x12, 0x00, 0x00, 0x00, 0x02, 'k', 0x04, 'v', '1', 0x02}), client_errc::invalid_length);
    // A record length longer than the records left: truncated.
    EXPECT_EQ(with_first({0x7E, 0x00, 0x00, 0x00, 0x02, 'k', 0x04, 'v', '1', 0x00}), client_errc::truncated);
    // A timestamp delta of ten continuation bytes (a varlong has at most ten bytes in all).
    EXPECT_EQ(with_first({0x18, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00}),
              client_errc::invalid_varint);
}

TEST(record_batch_decoder, null_header_key_is_invalid) {
    const bytes records = {0x12, 0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x01, 0x02, 'x'};  // header key -1
    bytes b = with_records(hand_built_batch, records);
    put32(b, batch_v2::records_count_at, 1);
    fix_crc(b);
    EXPECT_EQ(decode_all(b).ec, client_errc::invalid_length);
}

TEST(record_batch_decoder, empty_batch_has_no_records_but_advances_the_offset) {
    bytes b(hand_built_batch.begin(), hand_built_batch.begin() + batch_v2::header_size);
    put32(b, batch_v2::length_at, static_cast<std::int32_t>(batch_v2::header_size - batch_v2::log_overhead));
    put32(b, batch_v2::records_count_at, 0);
    fix_crc(b);
    const auto out = decode_all(concat(b, hand_built_batch));
    ASSERT_FALSE(out.ec);
    ASSERT_EQ(out.headers.size(), 2u);
    EXPECT_EQ(out.headers[0].records_count, 0);
    EXPECT_EQ(out.headers[0].last_offset(), 101);
    EXPECT_EQ(out.values.size(), 2u);
}

TEST(record_batch_decoder, framing_errors) {
    bytes short_length = hand_built_batch;
    put32(short_length, batch_v2::length_at, 13);
    EXPECT_EQ(decode_all(short_length).ec, client_errc::invalid_length);
    // Enough for a legacy message but not for a v2 header.
    bytes short_v2 = hand_built_batch;
    put32(short_v2, batch_v2::length_at, 48);
    EXPECT_EQ(decode_all(short_v2).ec, client_errc::invalid_length);
    bytes negative = hand_built_batch;
    put32(negative, batch_v2::length_at, -5);
    EXPECT_EQ(decode_all(negative).ec, client_errc::invalid_length);
    bytes magic3 = hand_built_batch;
    magic3[batch_v2::magic_at] = 3;
    EXPECT_EQ(decode_all(magic3).ec, client_errc::unsupported_magic);
    bytes codec7 = hand_built_batch;
    put16(codec7, batch_v2::attributes_at, 7);
    fix_crc(codec7);
    EXPECT_EQ(decode_all(codec7).ec, client_errc::unsupported_codec);
}

TEST(record_batch_decoder, errors_are_sticky) {
    bytes bad = hand_built_batch;
    bad[70] ^= 0xFF;
    const bytes blob = concat(bad, hand_built_batch);
    record_batch_decoder d(blob);
    byte_buffer scratch;
    EXPECT_FALSE(d.next_batch(scratch));
    EXPECT_EQ(d.error(), client_errc::crc_mismatch);
    EXPECT_FALSE(d.next_batch(scratch));
    record_view r;
    EXPECT_FALSE(d.next_record(r));
}

TEST(record_batch_decoder, corrupt_compressed_records_fail_with_the_codec_error) {
    for (auto c : {compression::codec::gzip, compression::codec::snappy, compression::codec::lz4,
                   compression::codec::zstd}) {
        bytes b = with_records(hand_built_batch, {0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});
        put16(b, batch_v2::attributes_at, static_cast<std::int16_t>(c));
        fix_crc(b);
        EXPECT_EQ(decode_all(b).ec, client_errc::decompression_failed) << compression::to_string(c);
    }
}

TEST(record_batch_decoder, decompressed_size_is_capped) {
    const bytes records(hand_built_batch.begin() + batch_v2::header_size, hand_built_batch.end());
    byte_buffer compressed;
    ASSERT_FALSE(compression::compress(compression::codec::zstd, records, compressed));
    bytes b = with_records(hand_built_batch, compressed);
    put16(b, batch_v2::attributes_at, static_cast<std::int16_t>(compression::codec::zstd));
    fix_crc(b);
    EXPECT_FALSE(decode_all(b, {.max_decompressed_size = records.size()}).ec);
    EXPECT_EQ(decode_all(b, {.max_decompressed_size = records.size() - 1}).ec, client_errc::decompressed_size_limit);
}

TEST(record_batch_decoder, compressed_records_view_the_scratch_buffer) {
    const bytes records(hand_built_batch.begin() + batch_v2::header_size, hand_built_batch.end());
    byte_buffer compressed;
    ASSERT_FALSE(compression::compress(compression::codec::gzip, records, compressed));
    bytes b = with_records(hand_built_batch, compressed);
    put16(b, batch_v2::attributes_at, static_cast<std::int16_t>(compression::codec::gzip));
    fix_crc(b);
    record_batch_decoder d(b);
    byte_buffer scratch;
    ASSERT_TRUE(d.next_batch(scratch));
    EXPECT_EQ(d.header().codec(), compression::codec::gzip);
    EXPECT_EQ(scratch, records);
    record_view r;
    ASSERT_TRUE(d.next_record(r));
    EXPECT_GE(r.value->data(), scratch.data());
    EXPECT_LT(r.value->data(), scratch.data() + scratch.size());
    EXPECT_EQ(str(r.value), "v1");
}

}  // namespace
}  // namespace kasio::protocol

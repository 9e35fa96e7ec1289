// record_batch_builder: exact bytes for one record (computed here with the generic writer),
// round trips through the decoder for every codec, size limits, and re-sequencing a
// sealed batch.
#include "protocol/record_batch_builder.hpp"

#include "protocol/crc32c.hpp"
#include "protocol/record_batch_decoder.hpp"
#include "protocol/writer.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace kasio::protocol {
namespace {

using compression::codec;

constexpr codec all_codecs[] = {codec::none, codec::gzip, codec::snappy, codec::lz4, codec::zstd};

bytes_view bv(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

std::optional<std::string> str(const std::optional<bytes_view>& b) {
    if (!b) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(b->data()), b->size());
}

struct test_header {
    std::string key;
    std::optional<std::string> value;
};
struct test_record {
    std::int64_t timestamp;
    std::optional<std::string> key, value;
    std::vector<test_header> headers;
};

std::optional<bytes_view> opt(const std::optional<std::string>& s) {
    if (!s) return std::nullopt;
    return bv(*s);
}

bool append(record_batch_builder& b, const test_record& r) {
    std::vector<record_header_view> hs;
    for (const auto& h : r.headers) hs.push_back({h.key, opt(h.value)});
    return b.append(r.timestamp, opt(r.key), opt(r.value), hs);
}

std::vector<test_record> sample_records() {
    std::vector<test_record> v;
    const std::int64_t t0 = 1'700'000'000'000;
    v.push_back({t0, std::nullopt, std::nullopt, {}});
    v.push_back({t0 - 5, "", "", {}});  // timestamps may go backwards: a negative delta
    v.push_back({t0 + 1000, "k", std::string(1000, 'v'), {{"a", "1"}, {"", std::nullopt}, {"b", ""}}});
    std::mt19937 rng(42);
    for (int i = 0; i < 200; ++i) {
        test_record r{t0 + static_cast<std::int64_t>(rng() % 100'000), std::nullopt, std::nullopt, {}};
        if (rng() % 4 != 0) r.key = std::to_string(rng() % 1000);
        if (rng() % 8 != 0) r.value = std::string(rng() % 300, static_cast<char>('a' + rng() % 26));
        for (unsigned h = rng() % 3; h > 0; --h) r.headers.push_back({std::to_string(h), "x"});
        v.push_back(std::move(r));
    }
    return v;
}

TEST(record_batch_builder, one_record_matches_an_independently_computed_layout) {
    record_batch_builder b(1 << 20);
    b.set_producer_state(42, 3, 17);
    const std::int64_t ts = 1'700'000'000'123;
    const record_header_view hs[] = {{"h1", bv("v")}, {"h2", std::nullopt}};
    ASSERT_TRUE(b.append(ts, bv("key"), bv("value"), hs));
    error_code ec;
    const bytes_view got = b.finish(codec::none, ec);
    ASSERT_FALSE(ec);

    byte_buffer body;
    body.reserve(256);  // GCC 12 -O2 gives a false -Wstringop-overflow for writes into an empty vector
    writer r(body);
    r.write_int8(0);      // attributes
    r.write_varlong(0);   // timestamp delta
    r.write_varint(0);    // offset delta
    r.write_varint(3);
    r.write_raw(bv("key"));
    r.write_varint(5);
    r.write_raw(bv("value"));
    r.write_varint(2);    // headers
    r.write_varint(2);
    r.write_raw(bv("h1"));
    r.write_varint(1);
    r.write_raw(bv("v"));
    r.write_varint(2);
    r.write_raw(bv("h2"));
    r.write_varint(-1);

    byte_buffer expected;
    expected.reserve(256);
    writer w(expected);
    w.write_int64(0);                   // base_offset
    const std::size_t length_at = w.reserve_int32();
    w.write_int32(-1);                  // partition_leader_epoch
    w.write_int8(2);                    // magic
    const std::size_t crc_at = w.reserve_int32();
    w.write_int16(0);                   // attributes
    w.write_int32(0);                   // last_offset_delta
    w.write_int64(ts);                  // base_timestamp
    w.write_int64(ts);                  // max_timestamp
    w.write_int64(42);                  // producer_id
    w.write_int16(3);                   // producer_epoch
    w.write_int32(17);                  // base_sequence
    w.write_int32(1);                   // records_count
    w.write_varint(static_cast<std::int32_t>(body.size()));
    w.write_raw(body);
    w.patch_int32(length_at, static_cast<std::int32_t>(expected.size() - 12));
    w.patch_int32(crc_at, static_cast<std::int32_t>(detail::crc32c_portable(0, bytes_view(expected).subspan(21))));

    EXPECT_EQ(byte_buffer(got.begin(), got.end()), expected);
    EXPECT_EQ(b.batch().data(), got.data());
}

TEST(record_batch_builder, round_trips_through_the_decoder_for_every_codec) {
    const auto records = sample_records();
    for (codec c : all_codecs) {
        SCOPED_TRACE(std::string(compression::to_string(c)));
        record_batch_builder b(1 << 20);
        for (const auto& r : records) ASSERT_TRUE(append(b, r));
        error_code ec;
        const bytes_view batch = b.finish(c, ec);
        ASSERT_FALSE(ec) << ec.message();

        record_batch_decoder d(batch);
        byte_buffer scratch;
        ASSERT_TRUE(d.next_batch(scratch)) << d.error().message();
        const record_batch_header& h = d.header();
        EXPECT_EQ(h.codec(), c);
        EXPECT_EQ(h.base_offset, 0);
        EXPECT_EQ(h.partition_leader_epoch, -1);
        EXPECT_EQ(h.records_count, static_cast<std::int32_t>(records.size()));
        EXPECT_EQ(h.last_offset_delta, static_cast<std::int32_t>(records.size() - 1));
        EXPECT_EQ(h.base_timestamp, records.front().timestamp);
        std::int64_t max_ts = records.front().timestamp;
        for (const auto& r : records) max_ts = std::max(max_ts, r.timestamp);
        EXPECT_EQ(h.max_timestamp, max_ts);
        EXPECT_EQ(h.producer_id, -1);
        EXPECT_EQ(h.producer_epoch, -1);
        EXPECT_EQ(h.base_sequence, -1);
        EXPECT_FALSE(h.is_transactional());
        EXPECT_EQ(static_cast<std::size_t>(h.batch_length) + 12, batch.size());

        record_view r;
        for (std::size_t i = 0; i < records.size(); ++i) {
            ASSERT_TRUE(d.next_record(r)) << i << ": " << d.error().message();
            EXPECT_EQ(r.offset, static_cast<std::int64_t>(i));
            EXPECT_EQ(r.timestamp, records[i].timestamp);
            EXPECT_EQ(str(r.key), records[i].key);
            EXPECT_EQ(str(r.value), records[i].value);
            ASSERT_EQ(r.headers.size(), records[i].headers.size());
            std::size_t j = 0;
            for (const record_header_view& hv : r.headers) {
                EXPECT_EQ(hv.key, records[i].headers[j].key);
                EXPECT_EQ(str(hv.value), records[i].headers[j].value);
                ++j;
            }
        }
        EXPECT_FALSE(d.next_record(r));
        EXPECT_FALSE(d.next_batch(scratch));
        EXPECT_FALSE(d.error());
        EXPECT_FALSE(d.incomplete_tail());
    }
}

TEST(record_batch_builder, compression_shrinks_a_repetitive_batch) {
    for (codec c : {codec::gzip, codec::snappy, codec::lz4, codec::zstd}) {
        record_batch_builder b(1 << 20);
        for (int i = 0; i < 100; ++i) ASSERT_TRUE(b.append(i, bv("same-key"), bv(std::string(100, 'z'))));
        error_code ec;
        EXPECT_LT(b.finish(c, ec).size(), b.size_bytes() / 4) << compression::to_string(c);
        EXPECT_FALSE(ec);
    }
}

TEST(record_batch_builder, refuses_a_record_past_the_size_limit_except_the_first) {
    const std::string big(500, 'x');
    record_batch_builder b(200);
    EXPECT_TRUE(b.append(1, std::nullopt, bv(big)));  // first: always accepted
    const std::size_t size = b.size_bytes();
    EXPECT_GT(size, 200u);
    EXPECT_FALSE(b.append(2, std::nullopt, bv("y")));
    EXPECT_EQ(b.size_bytes(), size);
    EXPECT_EQ(b.record_count(), 1);

    // A record that lands exactly on the limit fits; one more byte does not.
    record_batch_builder exact(61 + 7 + 7);  // two 7-byte records (null key, null value)
    EXPECT_TRUE(exact.append(0, std::nullopt, std::nullopt));
    EXPECT_TRUE(exact.append(0, std::nullopt, std::nullopt));
    EXPECT_FALSE(exact.append(0, std::nullopt, std::nullopt));
    EXPECT_EQ(exact.size_bytes(), 75u);
}

TEST(record_batch_builder, producer_state_can_be_patched_after_finish) {
    for (codec c : {codec::none, codec::zstd}) {
        record_batch_builder b(1 << 20);
        b.set_producer_state(1000, 0, 0);
        ASSERT_TRUE(b.append(5, bv("k"), bv("v")));
        ASSERT_TRUE(b.append(6, bv("k"), bv("w")));
        error_code ec;
        const bytes_view first = b.finish(c, ec);
        ASSERT_FALSE(ec);
        const std::vector<std::uint8_t> before(first.begin(), first.end());

        b.set_producer_state(1000, 1, 57);  // retried under a bumped epoch
        b.set_transactional(true);
        const bytes_view after = b.batch();
        ASSERT_EQ(after.size(), before.size());

        record_batch_decoder d(after);
        byte_buffer scratch;
        ASSERT_TRUE(d.next_batch(scratch)) << d.error().message();  // CRC checked
        EXPECT_EQ(d.header().producer_id, 1000);
        EXPECT_EQ(d.header().producer_epoch, 1);
        EXPECT_EQ(d.header().base_sequence, 57);
        EXPECT_TRUE(d.header().is_transactional());
        EXPECT_EQ(d.header().codec(), c);
        record_view r;
        ASSERT_TRUE(d.next_record(r));
        ASSERT_TRUE(d.next_record(r));
        EXPECT_EQ(str(r.value), "w");
    }
}

TEST(record_batch_builder, transactional_flag_set_before_finish) {
    record_batch_builder b(1 << 20);
    b.set_transactional(true);
    b.set_producer_state(3, 4, 5);
    ASSERT_TRUE(b.append(0, std::nullopt, bv("v")));
    error_code ec;
    record_batch_decoder d(b.finish(codec::lz4, ec));
    ASSERT_FALSE(ec);
    byte_buffer scratch;
    ASSERT_TRUE(d.next_batch(scratch));
    EXPECT_TRUE(d.header().is_transactional());
    EXPECT_EQ(d.header().attributes, batch_attributes::transactional | static_cast<std::int16_t>(codec::lz4));
    EXPECT_EQ(d.header().producer_id, 3);
}

TEST(record_batch_builder, finish_needs_an_open_non_empty_batch) {
    record_batch_builder b(1 << 20);
    error_code ec;
    EXPECT_TRUE(b.finish(codec::none, ec).empty());
    EXPECT_EQ(ec, client_errc::invalid_value);
    ASSERT_TRUE(b.append(0, std::nullopt, bv("v")));
    EXPECT_FALSE(b.finish(codec::none, ec).empty());
    EXPECT_FALSE(ec);
    EXPECT_FALSE(b.append(1, std::nullopt, bv("late")));
    EXPECT_TRUE(b.finish(codec::none, ec).empty());
    EXPECT_EQ(ec, client_errc::invalid_value);
}

TEST(record_batch_builder, bad_compression_level_leaves_the_batch_open) {
    record_batch_builder b(1 << 20);
    ASSERT_TRUE(b.append(0, bv("k"), bv("v")));
    error_code ec;
    EXPECT_TRUE(b.finish(codec::gzip, 42, ec).empty());
    EXPECT_EQ(ec, client_errc::invalid_config);
    EXPECT_FALSE(b.finished());
    EXPECT_TRUE(b.append(1, bv("k"), bv("v2")));
    EXPECT_FALSE(b.finish(codec::gzip, 9, ec).empty());
    EXPECT_FALSE(ec);
    EXPECT_EQ(b.record_count(), 2);
}

TEST(record_batch_builder, reset_starts_a_new_batch) {
    record_batch_builder b(1 << 20);
    ASSERT_TRUE(b.append(100, bv("k"), bv("old")));
    error_code ec;
    b.finish(codec::snappy, ec);
    ASSERT_FALSE(ec);
    b.reset();
    EXPECT_TRUE(b.empty());
    EXPECT_TRUE(b.batch().empty());
    ASSERT_TRUE(b.append(200, bv("k"), bv("new")));
    record_batch_decoder d(b.finish(codec::none, ec));
    byte_buffer scratch;
    ASSERT_TRUE(d.next_batch(scratch));
    EXPECT_EQ(d.header().base_timestamp, 200);
    EXPECT_EQ(d.header().records_count, 1);
    record_view r;
    ASSERT_TRUE(d.next_record(r));
    EXPECT_EQ(str(r.value), "new");
}

}  // namespace
}  // namespace kasio::protocol

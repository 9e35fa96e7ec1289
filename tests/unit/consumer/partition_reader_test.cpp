// partition_reader, sans-io, on hand-built batches: the fetch offset, control batches,
// read_committed against a Fetch response's aborted_transactions, compressed batches whose
// buffers outlive the reader, legacy message sets and CRC errors; fetched_end_offset, where the
// consumer fetches on before poll has read a response.
#include "consumer/partition_reader.hpp"

#include "protocol/crc32c.hpp"
#include "protocol/record_batch_builder.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace kasio::consumer_detail {
namespace {

using protocol::byte_buffer;

bytes_view bv(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }
std::string str(const std::optional<bytes_view>& b) {
    return b ? std::string(reinterpret_cast<const char*>(b->data()), b->size()) : "<null>";
}

void put_be64(std::uint8_t* p, std::int64_t v) {
    for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<std::uint8_t>(v & 0xff);
}

struct batch_spec {
    std::int64_t base_offset = 0;
    int records = 1;
    std::int64_t producer_id = -1;
    bool transactional = false;
    bool control = false;
    bool abort_marker = true;  // for control batches: abort (true) or commit marker
    compression::codec codec = compression::codec::none;
};

// One v2 batch as a broker stores it: base offset set, attributes patched, CRC recomputed.
byte_buffer make_batch(const batch_spec& s) {
    protocol::record_batch_builder b(1 << 20);
    for (int i = 0; i < s.records; ++i) {
        if (s.control) {
            const std::uint8_t key[4] = {0, 0, 0, static_cast<std::uint8_t>(s.abort_marker ? 0 : 1)};
            const std::uint8_t value[6] = {0, 0, 0, 0, 0, 5};
            b.append(1000 + i, bytes_view(key, 4), bytes_view(value, 6));
        } else {
            const std::string v = "r" + std::to_string(s.base_offset + i);
            b.append(1000 + i, bv("key"), bv(v));
        }
    }
    if (s.producer_id >= 0) b.set_producer_state(s.producer_id, 0, 0);
    b.set_transactional(s.transactional);
    error_code ec;
    auto sealed = b.finish(s.codec, ec);
    EXPECT_FALSE(ec);
    byte_buffer out(sealed.begin(), sealed.end());
    put_be64(out.data(), s.base_offset);
    if (s.control) {
        out[protocol::batch_v2::attributes_at + 1] |= 0x20;
        const std::uint32_t crc = protocol::crc32c(0, bytes_view(out).subspan(protocol::batch_v2::attributes_at));
        for (int i = 0; i < 4; ++i) out[protocol::batch_v2::crc_at + i] = static_cast<std::uint8_t>(crc >> (24 - 8 * i));
    }
    return out;
}

byte_buffer concat(std::initializer_list<byte_buffer> parts) {
    byte_buffer out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

std::vector<std::int64_t> read_all(partition_reader& r, std::size_t step = 1000) {
    std::vector<consumer_record> out;
    std::vector<std::shared_ptr<const void>> owners;
    while (!r.done()) {
        if (r.read(step, "t", 0, out, owners) == 0 && !r.done()) break;
    }
    std::vector<std::int64_t> offsets;
    for (const auto& c : out) offsets.push_back(c.offset);
    return offsets;
}

partition_reader reader(const byte_buffer& blob, std::int64_t fetch_offset, bool read_committed = false,
                        std::vector<aborted_transaction> aborted = {}) {
    return partition_reader(nullptr, bytes_view(blob), fetch_offset, {}, read_committed, std::move(aborted));
}

TEST(partition_reader, records_before_the_fetch_offset_are_skipped) {
    const auto blob = concat({make_batch({.base_offset = 0, .records = 5}), make_batch({.base_offset = 5, .records = 2})});
    auto r = reader(blob, 3);
    EXPECT_EQ(read_all(r), (std::vector<std::int64_t>{3, 4, 5, 6}));
    EXPECT_EQ(r.next_offset(), 7);
    EXPECT_FALSE(r.error());
}

TEST(partition_reader, fields_are_views_of_the_record) {
    const auto blob = make_batch({.base_offset = 10, .records = 2});
    auto r = reader(blob, 10);
    std::vector<consumer_record> out;
    std::vector<std::shared_ptr<const void>> owners;
    ASSERT_EQ(r.read(10, "topic", 3, out, owners), 2u);
    EXPECT_EQ(out[0].topic, "topic");
    EXPECT_EQ(out[0].partition, 3);
    EXPECT_EQ(str(out[0].key), "key");
    EXPECT_EQ(str(out[1].value), "r11");
    EXPECT_EQ(out[1].timestamp, 1001);
    EXPECT_EQ(out[1].timestamp_type, timestamp_kind::create_time);
    // The value views the blob itself: no copy.
    EXPECT_GE(out[1].value->data(), blob.data());
    EXPECT_LT(out[1].value->data(), blob.data() + blob.size());
}

// Producer 1's transaction at offsets 0-1 aborts (marker at 4); producer 2's at 2-3 commits
// (marker at 5); producer 1 then writes a new transaction at 6-7.
byte_buffer transactions() {
    return concat({make_batch({.base_offset = 0, .records = 2, .producer_id = 1, .transactional = true}),
                   make_batch({.base_offset = 2, .records = 2, .producer_id = 2, .transactional = true}),
                   make_batch({.base_offset = 4, .producer_id = 1, .transactional = true, .control = true}),
                   make_batch({.base_offset = 5, .producer_id = 2, .transactional = true, .control = true,
                               .abort_marker = false}),
                   make_batch({.base_offset = 6, .records = 2, .producer_id = 1, .transactional = true})});
}

TEST(partition_reader, read_committed_drops_aborted_transactions_and_all_markers) {
    const auto blob = transactions();
    auto r = reader(blob, 0, true, {{1, 0}});
    EXPECT_EQ(read_all(r), (std::vector<std::int64_t>{2, 3, 6, 7}));
    EXPECT_EQ(r.next_offset(), 8);
}

TEST(partition_reader, read_committed_without_aborted_transactions_keeps_every_data_batch) {
    const auto blob = transactions();
    auto r = reader(blob, 0, true, {});
    EXPECT_EQ(read_all(r), (std::vector<std::int64_t>{0, 1, 2, 3, 6, 7}));
}

TEST(partition_reader, read_uncommitted_returns_aborted_records_but_never_markers) {
    const auto blob = transactions();
    auto r = reader(blob, 0, false, {{1, 0}});
    EXPECT_EQ(read_all(r), (std::vector<std::int64_t>{0, 1, 2, 3, 6, 7}));
    EXPECT_EQ(r.next_offset(), 8);
}

TEST(partition_reader, a_trailing_marker_still_advances_the_next_offset) {
    const auto blob = concat({make_batch({.base_offset = 0, .records = 1}),
                              make_batch({.base_offset = 1, .producer_id = 1, .transactional = true, .control = true})});
    auto r = reader(blob, 0);
    EXPECT_EQ(read_all(r), (std::vector<std::int64_t>{0}));
    EXPECT_EQ(r.next_offset(), 2);
}

TEST(partition_reader, compressed_records_outlive_the_reader_through_their_owners) {
    for (auto c : {compression::codec::gzip, compression::codec::snappy, compression::codec::lz4, compression::codec::zstd}) {
        const auto blob = concat({make_batch({.base_offset = 0, .records = 4, .codec = c}),
                                  make_batch({.base_offset = 4, .records = 4, .codec = c})});
        std::vector<consumer_record> first, second;
        std::vector<std::shared_ptr<const void>> owners1, owners2;
        {
            auto r = reader(blob, 0);
            // Reads split inside the first batch and across the second.
            EXPECT_EQ(r.read(3, "t", 0, first, owners1), 3u);
            EXPECT_EQ(r.read(10, "t", 0, second, owners2), 5u);
            EXPECT_TRUE(r.done());
        }
        ASSERT_EQ(first.size(), 3u);
        ASSERT_EQ(second.size(), 5u);
        EXPECT_EQ(str(first[2].value), "r2");
        EXPECT_EQ(str(second[0].value), "r3");  // still the first batch's buffer, kept by owners2
        EXPECT_EQ(str(second[4].value), "r7");
        EXPECT_FALSE(owners1.empty());
        EXPECT_FALSE(owners2.empty());
    }
}

TEST(partition_reader, legacy_v0_and_v1_messages_are_read) {
    const byte_buffer blob = {
        0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 20, 0xA4, 0xCD, 0xAB, 0x3A, 0, 0,
        0, 0, 0, 1, 'k', 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o',  // v0, offset 7
        0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 24, 0xE8, 0xC3, 0xD4, 0x6D, 1, 0,
        0, 0, 0x01, 0x1F, 0x71, 0xFB, 0x04, 0xCB, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 2, 'v', '1',  // v1, offset 8
    };
    auto r = reader(blob, 7);
    std::vector<consumer_record> out;
    std::vector<std::shared_ptr<const void>> owners;
    ASSERT_EQ(r.read(10, "t", 0, out, owners), 2u);
    EXPECT_FALSE(r.error());
    EXPECT_EQ(out[0].offset, 7);
    EXPECT_EQ(str(out[0].value), "hello");
    EXPECT_EQ(out[0].timestamp_type, timestamp_kind::none);
    EXPECT_EQ(out[1].offset, 8);
    EXPECT_FALSE(out[1].key);
    EXPECT_EQ(out[1].timestamp, 1234567890123);
    EXPECT_EQ(out[1].timestamp_type, timestamp_kind::create_time);
    EXPECT_EQ(r.next_offset(), 9);
}

TEST(partition_reader, crc_mismatch_stops_at_the_bad_batch_after_the_good_records) {
    auto bad = make_batch({.base_offset = 2, .records = 2});
    bad.back() ^= 0x01;
    const auto blob = concat({make_batch({.base_offset = 0, .records = 2}), bad});
    auto r = reader(blob, 0);
    EXPECT_EQ(read_all(r), (std::vector<std::int64_t>{0, 1}));
    EXPECT_EQ(r.error(), client_errc::crc_mismatch);
    EXPECT_EQ(r.next_offset(), 2);  // the consumer's position stays at the bad batch
}

TEST(partition_reader, a_partial_trailing_batch_is_left_for_the_next_fetch) {
    auto blob = concat({make_batch({.base_offset = 0, .records = 2}), make_batch({.base_offset = 2, .records = 2})});
    blob.resize(blob.size() - 5);
    auto r = reader(blob, 0);
    EXPECT_EQ(read_all(r), (std::vector<std::int64_t>{0, 1}));
    EXPECT_FALSE(r.error());
    EXPECT_EQ(r.next_offset(), 2);
    EXPECT_FALSE(r.stuck());
}

TEST(partition_reader, a_first_batch_larger_than_the_fetch_is_reported_as_stuck) {
    auto blob = make_batch({.base_offset = 0, .records = 2});
    blob.resize(blob.size() - 5);
    auto r = reader(blob, 0);
    EXPECT_TRUE(read_all(r).empty());
    EXPECT_TRUE(r.stuck());
}

// The consumer fetches on from fetched_end_offset() before poll reads the blob; poll then
// expects the reader to end exactly there (else it fetches again from the position).
TEST(fetched_end_offset, is_where_the_reader_of_the_whole_blob_ends) {
    auto partial = concat({make_batch({.base_offset = 0, .records = 2}), make_batch({.base_offset = 2, .records = 2})});
    partial.resize(partial.size() - 5);
    const byte_buffer legacy = {
        0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 20, 0xA4, 0xCD, 0xAB, 0x3A, 0, 0,
        0, 0, 0, 1, 'k', 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o',
        0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 24, 0xE8, 0xC3, 0xD4, 0x6D, 1, 0,
        0, 0, 0x01, 0x1F, 0x71, 0xFB, 0x04, 0xCB, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 2, 'v', '1',
    };
    const struct {
        byte_buffer blob;
        std::int64_t fetch_offset;
        bool read_committed;
        std::int64_t end;
    } cases[] = {
        {concat({make_batch({.base_offset = 0, .records = 5}), make_batch({.base_offset = 5, .records = 2})}), 3, false, 7},
        {transactions(), 0, true, 8},
        {concat({make_batch({.base_offset = 0, .records = 1}),
                 make_batch({.base_offset = 1, .producer_id = 1, .transactional = true, .control = true})}),
         0, false, 2},
        {concat({make_batch({.base_offset = 10, .records = 3, .codec = compression::codec::lz4}),
                 make_batch({.base_offset = 13, .records = 3, .codec = compression::codec::zstd})}),
         11, false, 16},
        {partial, 0, false, 2},
        {legacy, 7, false, 9},
    };
    for (const auto& c : cases) {
        auto r = partition_reader(nullptr, bytes_view(c.blob), c.fetch_offset, {}, c.read_committed,
                                  c.read_committed ? std::vector<aborted_transaction>{{1, 0}} : std::vector<aborted_transaction>{});
        read_all(r, 2);
        EXPECT_FALSE(r.error());
        EXPECT_EQ(r.next_offset(), c.end);
        EXPECT_EQ(fetched_end_offset(bytes_view(c.blob), c.fetch_offset), c.end);
    }
}

TEST(fetched_end_offset, counts_a_compacted_batch_to_its_last_offset) {
    // Compaction keeps a batch's last offset delta when it removes its last records.
    auto blob = make_batch({.base_offset = 20, .records = 2});
    for (int i = 0; i < 4; ++i) blob[protocol::batch_v2::last_offset_delta_at + i] = i == 3 ? 9 : 0;
    EXPECT_EQ(fetched_end_offset(bytes_view(blob), 20), 30);
}

TEST(fetched_end_offset, is_unknown_without_a_complete_batch_after_the_fetch_offset) {
    auto cut = make_batch({.base_offset = 0, .records = 2});
    cut.resize(cut.size() - 5);
    EXPECT_EQ(fetched_end_offset(bytes_view(cut), 0), -1);  // the stuck case: poll reports it
    const auto old = make_batch({.base_offset = 0, .records = 2});
    EXPECT_EQ(fetched_end_offset(bytes_view(old), 2), -1);
    EXPECT_EQ(fetched_end_offset(bytes_view(old), 1), 2);
    EXPECT_EQ(fetched_end_offset({}, 0), -1);
}

TEST(fetched_end_offset, stops_at_framing_that_poll_will_reject) {
    auto bad = make_batch({.base_offset = 2, .records = 2});
    for (int i = 0; i < 4; ++i) bad[protocol::batch_v2::length_at + i] = i == 3 ? 3 : 0;  // below any minimum
    const auto blob = concat({make_batch({.base_offset = 0, .records = 2}), bad, make_batch({.base_offset = 4})});
    EXPECT_EQ(fetched_end_offset(bytes_view(blob), 0), 2);
    auto magic = make_batch({.base_offset = 0, .records = 2});
    magic[protocol::batch_v2::magic_at] = 3;
    EXPECT_EQ(fetched_end_offset(bytes_view(magic), 0), -1);
    auto huge = make_batch({.base_offset = std::numeric_limits<std::int64_t>::max() - 1, .records = 2});
    EXPECT_EQ(fetched_end_offset(bytes_view(huge), 0), -1);  // the last offset would overflow
}

}  // namespace
}  // namespace kasio::consumer_detail

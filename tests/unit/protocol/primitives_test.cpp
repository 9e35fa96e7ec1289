// Round trips of every primitive through writer and reader: property tests with a fixed-seed
// RNG plus the extremes, and a few exact encodings from the Kafka protocol guide.
#include "protocol/reader.hpp"
#include "protocol/writer.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <random>

namespace kasio::protocol {
namespace {

using rng = std::mt19937_64;

/// Random value biased towards the edges: extremes, small values, full-range bits.
template <class T>
T edgy(rng& g) {
    switch (g() % 4) {
    case 0: return std::numeric_limits<T>::min();
    case 1: return std::numeric_limits<T>::max();
    case 2: return static_cast<T>(static_cast<std::int64_t>(g() % 256) - 128);
    default: return static_cast<T>(g());
    }
}

std::string random_string(rng& g, std::size_t max_len) {
    std::string s(g() % (max_len + 1), '\0');
    for (char& c : s) c = static_cast<char>(g());  // any byte: strings are not validated as UTF-8
    return s;
}

byte_buffer encode_with(auto&& fn) {
    byte_buffer buf;
    writer w(buf);
    fn(w);
    return buf;
}

TEST(protocol_primitives, fixed_width_values_round_trip) {
    rng g(1);
    for (int i = 0; i < 5000; ++i) {
        auto i8 = edgy<std::int8_t>(g);
        auto i16 = edgy<std::int16_t>(g);
        auto u16 = edgy<std::uint16_t>(g);
        auto i32 = edgy<std::int32_t>(g);
        auto u32 = edgy<std::uint32_t>(g);
        auto i64 = edgy<std::int64_t>(g);
        bool b = (g() & 1) != 0;
        std::uint64_t bits = g();
        double d;
        std::memcpy(&d, &bits, sizeof d);  // any bit pattern, NaNs included
        byte_buffer buf = encode_with([&](writer& w) {
            w.write_int8(i8);
            w.write_int16(i16);
            w.write_uint16(u16);
            w.write_int32(i32);
            w.write_uint32(u32);
            w.write_int64(i64);
            w.write_bool(b);
            w.write_float64(d);
        });
        ASSERT_EQ(buf.size(), 1u + 2 + 2 + 4 + 4 + 8 + 1 + 8);
        reader r(buf);
        EXPECT_EQ(r.read_int8(), i8);
        EXPECT_EQ(r.read_int16(), i16);
        EXPECT_EQ(r.read_uint16(), u16);
        EXPECT_EQ(r.read_int32(), i32);
        EXPECT_EQ(r.read_uint32(), u32);
        EXPECT_EQ(r.read_int64(), i64);
        EXPECT_EQ(r.read_bool(), b);
        double back = r.read_float64();
        EXPECT_EQ(std::memcmp(&back, &d, sizeof d), 0);
        EXPECT_TRUE(r.ok());
        EXPECT_EQ(r.remaining(), 0u);
    }
}

TEST(protocol_primitives, integers_are_big_endian) {
    byte_buffer buf = encode_with([](writer& w) {
        w.write_int16(0x0102);
        w.write_int32(0x03040506);
        w.write_int64(0x0708090a0b0c0d0e);
        w.write_float64(1.0);  // IEEE 754: 3f f0 00 ...
    });
    const byte_buffer expected = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
                                  0x0c, 0x0d, 0x0e, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(buf, expected);
}

TEST(protocol_primitives, any_nonzero_byte_reads_as_true) {
    const byte_buffer buf = {0x00, 0x01, 0x7f, 0xff};
    reader r(buf);
    EXPECT_FALSE(r.read_bool());
    EXPECT_TRUE(r.read_bool());
    EXPECT_TRUE(r.read_bool());
    EXPECT_TRUE(r.read_bool());
}

TEST(protocol_primitives, varints_round_trip_with_predicted_sizes) {
    rng g(2);
    std::vector<std::int32_t> i32s = {0, 1, -1, 63, -64, 64, -65, 8191, -8192, 8192,
                                      std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()};
    std::vector<std::int64_t> i64s = {0, 1, -1, std::numeric_limits<std::int64_t>::min(),
                                      std::numeric_limits<std::int64_t>::max(), std::int64_t{1} << 62};
    std::vector<std::uint32_t> u32s = {0, 127, 128, 16383, 16384, std::numeric_limits<std::uint32_t>::max()};
    for (int i = 0; i < 3000; ++i) {
        i32s.push_back(edgy<std::int32_t>(g));
        i64s.push_back(edgy<std::int64_t>(g));
        u32s.push_back(static_cast<std::uint32_t>(g() >> (g() % 32)));
    }
    for (auto v : i32s) {
        byte_buffer buf = encode_with([&](writer& w) { w.write_varint(v); });
        ASSERT_EQ(buf.size(), varint_size(v)) << v;
        ASSERT_LE(buf.size(), 5u);
        reader r(buf);
        ASSERT_EQ(r.read_varint(), v);
        ASSERT_TRUE(r.ok() && r.remaining() == 0);
    }
    for (auto v : i64s) {
        byte_buffer buf = encode_with([&](writer& w) { w.write_varlong(v); });
        ASSERT_EQ(buf.size(), varlong_size(v)) << v;
        ASSERT_LE(buf.size(), 10u);
        reader r(buf);
        ASSERT_EQ(r.read_varlong(), v);
        ASSERT_TRUE(r.ok() && r.remaining() == 0);
    }
    for (auto v : u32s) {
        byte_buffer buf = encode_with([&](writer& w) { w.write_uvarint(v); });
        ASSERT_EQ(buf.size(), uvarint_size(v)) << v;
        reader r(buf);
        ASSERT_EQ(r.read_uvarint(), v);
        ASSERT_TRUE(r.ok() && r.remaining() == 0);
    }
}

TEST(protocol_primitives, varint_encodings_match_the_protocol_guide) {
    // Zig-zag: 0 -> 0, -1 -> 1, 1 -> 2, -64 -> 127, 64 -> 128 (two bytes).
    EXPECT_EQ(encode_with([](writer& w) { w.write_varint(0); }), (byte_buffer{0x00}));
    EXPECT_EQ(encode_with([](writer& w) { w.write_varint(-1); }), (byte_buffer{0x01}));
    EXPECT_EQ(encode_with([](writer& w) { w.write_varint(1); }), (byte_buffer{0x02}));
    EXPECT_EQ(encode_with([](writer& w) { w.write_varint(-64); }), (byte_buffer{0x7f}));
    EXPECT_EQ(encode_with([](writer& w) { w.write_varint(64); }), (byte_buffer{0x80, 0x01}));
    EXPECT_EQ(encode_with([](writer& w) { w.write_uvarint(300); }), (byte_buffer{0xac, 0x02}));
    EXPECT_EQ(encode_with([](writer& w) { w.write_uvarint(0xffffffff); }), (byte_buffer{0xff, 0xff, 0xff, 0xff, 0x0f}));
    EXPECT_EQ(encode_with([](writer& w) { w.write_varlong(std::numeric_limits<std::int64_t>::min()); }),
              (byte_buffer{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
}

TEST(protocol_primitives, strings_round_trip_classic_compact_and_nullable) {
    rng g(3);
    for (int i = 0; i < 2000; ++i) {
        std::string s = random_string(g, i % 10 == 0 ? 300 : 20);  // 300: two-byte compact length
        bool compact = (g() & 1) != 0;
        std::optional<std::string> ns;
        if (g() % 3 != 0) ns = random_string(g, 20);
        byte_buffer buf = encode_with([&](writer& w) {
            w.write_string(s, compact);
            w.write_nullable_string(ns, compact);
        });
        std::size_t expected = length_prefix_size(static_cast<std::int32_t>(s.size()), compact, 2) + s.size() +
                               length_prefix_size(ns ? static_cast<std::int32_t>(ns->size()) : -1, compact, 2) +
                               (ns ? ns->size() : 0);
        ASSERT_EQ(buf.size(), expected);
        reader r(buf);
        EXPECT_EQ(r.read_string(compact), s);
        EXPECT_EQ(r.read_nullable_string(compact), ns);
        EXPECT_TRUE(r.ok());
        EXPECT_EQ(r.remaining(), 0u);
    }
}

TEST(protocol_primitives, null_string_encodings) {
    EXPECT_EQ(encode_with([](writer& w) { w.write_nullable_string(std::nullopt, false); }), (byte_buffer{0xff, 0xff}));
    EXPECT_EQ(encode_with([](writer& w) { w.write_nullable_string(std::nullopt, true); }), (byte_buffer{0x00}));
    EXPECT_EQ(encode_with([](writer& w) { w.write_string("", true); }), (byte_buffer{0x01}));
    EXPECT_EQ(encode_with([](writer& w) { w.write_string("ab", false); }), (byte_buffer{0x00, 0x02, 'a', 'b'}));
}

TEST(protocol_primitives, bytes_round_trip_classic_and_compact) {
    rng g(4);
    for (int i = 0; i < 2000; ++i) {
        byte_buffer b(g() % 200);
        for (auto& c : b) c = static_cast<std::uint8_t>(g());
        bool compact = (g() & 1) != 0;
        byte_buffer buf = encode_with([&](writer& w) {
            w.write_bytes(b, compact);
            w.write_bytes_length(-1, compact);  // null
        });
        ASSERT_EQ(buf.size(), length_prefix_size(static_cast<std::int32_t>(b.size()), compact, 4) + b.size() +
                                  length_prefix_size(-1, compact, 4));
        reader r(buf);
        auto v = r.read_nullable_bytes_view(compact);
        ASSERT_TRUE(v.has_value());
        EXPECT_TRUE(std::equal(v->begin(), v->end(), b.begin(), b.end()));
        EXPECT_FALSE(r.read_nullable_bytes_view(compact).has_value());
        EXPECT_TRUE(r.ok());
        EXPECT_EQ(r.remaining(), 0u);
    }
}

TEST(protocol_primitives, arrays_round_trip_classic_and_compact) {
    rng g(5);
    for (int i = 0; i < 2000; ++i) {
        std::vector<std::int32_t> a(g() % 40);
        for (auto& x : a) x = edgy<std::int32_t>(g);
        bool compact = (g() & 1) != 0;
        byte_buffer buf = encode_with([&](writer& w) {
            w.write_array_length(static_cast<std::int32_t>(a.size()), compact);
            for (auto x : a) w.write_int32(x);
            w.write_array_length(-1, compact);
        });
        reader r(buf);
        std::int32_t n = r.read_array_length(compact, 4);
        ASSERT_EQ(n, static_cast<std::int32_t>(a.size()));
        for (auto x : a) EXPECT_EQ(r.read_int32(), x);
        EXPECT_EQ(r.read_array_length(compact, 4), -1);
        EXPECT_TRUE(r.ok());
        EXPECT_EQ(r.remaining(), 0u);
    }
}

TEST(protocol_primitives, uuids_round_trip) {
    rng g(6);
    for (int i = 0; i < 500; ++i) {
        uuid u;
        for (auto& b : u.bytes) b = static_cast<std::uint8_t>(g());
        byte_buffer buf = encode_with([&](writer& w) { w.write_uuid(u); });
        ASSERT_EQ(buf.size(), 16u);
        EXPECT_TRUE(std::equal(buf.begin(), buf.end(), u.bytes.begin()));
        reader r(buf);
        EXPECT_EQ(r.read_uuid(), u);
        EXPECT_TRUE(r.ok());
    }
    EXPECT_TRUE(uuid{}.is_nil());
}

TEST(protocol_primitives, patched_int32_slot_holds_the_value) {
    byte_buffer buf;
    writer w(buf);
    std::size_t at = w.reserve_int32();
    w.write_int8(7);
    w.patch_int32(at, 0x01020304);
    EXPECT_EQ(buf, (byte_buffer{0x01, 0x02, 0x03, 0x04, 0x07}));
}

}  // namespace
}  // namespace kasio::protocol

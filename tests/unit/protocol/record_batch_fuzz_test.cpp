// Bounded random-mutation fuzzing of record_batch_decoder (fixed seeds, so failures
// reproduce): v2 batches of every codec, legacy messages and wrappers, mutated by bit flips,
// boundary bytes, truncation, insertion and duplication. The decoder must never crash or
// over-read (run under ASan/UBSan to see it), and every view it returns must lie inside the
// input or the scratch buffer.
#include "protocol/record_batch_builder.hpp"
#include "protocol/record_batch_decoder.hpp"
#include "protocol/writer.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>
#include <vector>

namespace kasio::protocol {
namespace {

using bytes = std::vector<std::uint8_t>;
using compression::codec;

bytes_view bv(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

bytes v2_batch(codec c, int records, std::uint32_t seed) {
    std::mt19937 rng(seed);
    record_batch_builder b(1 << 20);
    const record_header_view headers[] = {{"h", bv("1")}, {"n", std::nullopt}};
    for (int i = 0; i < records; ++i) {
        const std::string value(rng() % 40, 'v');
        b.append(1000 + i, i % 3 == 0 ? std::nullopt : std::optional(bv("key")), bv(value),
                 i % 2 == 0 ? std::span<const record_header_view>(headers) : std::span<const record_header_view>{});
    }
    error_code ec;
    const bytes_view out = b.finish(c, ec);
    EXPECT_FALSE(ec);
    return {out.begin(), out.end()};
}

bytes legacy(std::int8_t magic, std::int8_t attributes, std::int64_t offset, std::optional<bytes_view> value) {
    byte_buffer body;
    body.reserve(256);  // GCC 12 -O2 gives a false -Wstringop-overflow for writes into an empty vector
    writer w(body);
    w.write_int8(magic);
    w.write_int8(attributes);
    if (magic == 1) w.write_int64(77);
    w.write_int32(1);
    w.write_raw(bv("k"));
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

bytes legacy_wrapper(codec c) {
    bytes inner;
    for (int i = 0; i < 4; ++i) {
        const bytes m = legacy(1, 0, i, bv("value"));
        inner.insert(inner.end(), m.begin(), m.end());
    }
    byte_buffer compressed;
    EXPECT_FALSE(compression::compress(c, inner, compressed));
    return legacy(1, static_cast<std::int8_t>(c), 10, bytes_view(compressed));
}

std::vector<bytes> corpus() {
    std::vector<bytes> v;
    for (codec c : {codec::none, codec::gzip, codec::snappy, codec::lz4, codec::zstd}) {
        bytes blob = v2_batch(c, 5, 1);
        const bytes second = v2_batch(codec::none, 3, 2);
        blob.insert(blob.end(), second.begin(), second.end());
        v.push_back(std::move(blob));
    }
    v.push_back(legacy_wrapper(codec::gzip));
    v.push_back(legacy_wrapper(codec::lz4));
    bytes plain = legacy(0, 0, 3, bv("abc"));
    const bytes v1 = legacy(1, 0, 4, std::nullopt);
    plain.insert(plain.end(), v1.begin(), v1.end());
    v.push_back(std::move(plain));
    return v;
}

void mutate(bytes& b, std::mt19937& rng) {
    static constexpr std::uint8_t interesting[] = {0x00, 0x01, 0x02, 0x7F, 0x80, 0xFE, 0xFF};
    const int steps = 1 + static_cast<int>(rng() % 3);
    for (int s = 0; s < steps && !b.empty(); ++s) {
        const std::size_t at = rng() % b.size();
        switch (rng() % 6) {
        case 0: b[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8)); break;
        case 1: b[at] = interesting[rng() % std::size(interesting)]; break;
        case 2: b[at] = static_cast<std::uint8_t>(rng()); break;
        case 3: b.resize(at); break;
        case 4: b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(rng())); break;
        case 5: {
            const std::size_t n = std::min<std::size_t>(1 + rng() % 16, b.size() - at);
            const bytes chunk(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + n));
            b.insert(b.begin() + static_cast<std::ptrdiff_t>(rng() % b.size()), chunk.begin(), chunk.end());
            break;
        }
        }
    }
}

bool inside(bytes_view v, bytes_view a, const byte_buffer& b) {
    if (v.empty()) return true;
    auto within = [&](const std::uint8_t* lo, std::size_t n) {
        return v.data() >= lo && v.data() + v.size() <= lo + n;
    };
    return within(a.data(), a.size()) || within(b.data(), b.size());
}

// Decodes everything; returns the number of records seen (and checks every view).
std::size_t exercise(bytes_view blob, bool check_crcs) {
    record_batch_decoder d(blob, {.check_crcs = check_crcs, .max_decompressed_size = 1 << 16});
    byte_buffer scratch;
    std::size_t records = 0;
    while (d.next_batch(scratch)) {
        EXPECT_LE(d.position(), blob.size());
        record_view r;
        while (d.next_record(r)) {
            ++records;
            EXPECT_TRUE(!r.key || inside(*r.key, blob, scratch));
            EXPECT_TRUE(!r.value || inside(*r.value, blob, scratch));
            std::size_t n = 0;
            for (const record_header_view& h : r.headers) {
                EXPECT_TRUE(inside(bv(h.key), blob, scratch));
                EXPECT_TRUE(!h.value || inside(*h.value, blob, scratch));
                ++n;
            }
            EXPECT_EQ(n, r.headers.size());
            if (d.header().is_control()) {
                control_record c;
                (void)parse_control_record(r, c);
            }
        }
    }
    EXPECT_FALSE(d.error() && d.incomplete_tail());
    return records;
}

TEST(record_batch_fuzz, random_mutations_never_crash_or_escape_the_buffers) {
    const auto seeds = corpus();
    for (const bytes& s : seeds) ASSERT_GT(exercise(s, true), 0u);  // the corpus itself is valid

    std::mt19937 rng(0x6b6173);
    std::size_t decoded_records = 0;
    for (int i = 0; i < 6000; ++i) {
        bytes b = seeds[static_cast<std::size_t>(i) % seeds.size()];
        mutate(b, rng);
        // CRCs off: otherwise almost every mutation stops at the checksum.
        decoded_records += exercise(b, false);
        exercise(b, true);
    }
    EXPECT_GT(decoded_records, 0u);
}

}  // namespace
}  // namespace kasio::protocol

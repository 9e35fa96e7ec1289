// The hot paths allocate nothing per record: appending to a builder whose buffer has room,
// and decoding records (with or without headers) of an uncompressed or already
// decompressed batch. Counted with a replaced global operator new (this test binary only).
#include "protocol/record_batch_builder.hpp"
#include "protocol/record_batch_decoder.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

namespace {
std::atomic<long> allocations{0};
}

void* operator new(std::size_t n) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace kasio::protocol {
namespace {

bytes_view bv(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

TEST(record_batch_allocations, none_per_record_when_appending_and_decoding) {
    for (auto c : {compression::codec::none, compression::codec::zstd}) {
        record_batch_builder b(1 << 20);
        b.reserve(1 << 20);
        const std::string value(100, 'v');
        const record_header_view headers[] = {{"trace-id", bv("abc")}, {"empty", std::nullopt}};

        const long before_append = allocations.load();
        for (int i = 0; i < 1000; ++i) {
            ASSERT_TRUE(b.append(i, bv("key-000000"), bv(value), i % 2 == 0 ? std::span<const record_header_view>(headers)
                                                                             : std::span<const record_header_view>{}));
        }
        EXPECT_EQ(allocations.load() - before_append, 0);

        error_code ec;
        const bytes_view batch = b.finish(c, ec);
        ASSERT_FALSE(ec);

        byte_buffer scratch;
        scratch.reserve(1 << 20);
        record_batch_decoder d(batch);
        ASSERT_TRUE(d.next_batch(scratch));  // a codec may allocate its context once per thread
        const long before_decode = allocations.load();
        record_view r;
        int count = 0;
        std::size_t header_bytes = 0;
        while (d.next_record(r)) {
            for (const auto& h : r.headers) header_bytes += h.key.size();
            ++count;
        }
        EXPECT_EQ(allocations.load() - before_decode, 0);
        EXPECT_EQ(count, 1000);
        EXPECT_EQ(header_bytes, 500u * (8 + 5));
        EXPECT_FALSE(d.error());
    }
}

}  // namespace
}  // namespace kasio::protocol

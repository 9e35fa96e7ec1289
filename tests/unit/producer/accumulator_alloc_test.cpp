// Once batches are warm (recycled from the accumulator's pool), sending costs no heap
// allocation per record: appending (encoding plus completion slot), ready, drain with
// sequence numbers, and completion. Counted with a replaced global operator new (this test
// binary only).
#include "accumulator_test_support.hpp"
#include "producer/sequence_tracker.hpp"

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

namespace kasio::detail::producer {
namespace {

using namespace test;

constexpr std::int32_t partitions = 64;

struct workload {
    accumulator& acc;
    sequence_tracker& seq;
    std::vector<std::string> keys;
    std::string value = std::string(100, 'v');
    record_header headers[2] = {{"trace-id", bytes_of("abc")}, {"empty", std::nullopt}};
    std::vector<topic_partition_view> parts, ready;
    std::vector<batch_ptr> drained;
    long delivered = 0;

    workload(accumulator& a, sequence_tracker& s) : acc(a), seq(s) {
        for (int i = 0; i < 1000; ++i) keys.push_back("key-" + std::to_string(100000 + i));  // 10 bytes
        for (std::int32_t p = 0; p < partitions; ++p) parts.push_back({"t", p});
        ready.reserve(partitions);
        drained.reserve(partitions);
    }

    // Appends n records (keyed, every other one with headers), then drains and completes all.
    void round(int n, time_point now) {
        for (int i = 0; i < n; ++i) {
            record r = make_record("t", std::nullopt, keys[static_cast<std::size_t>(i) % keys.size()], value);
            if (i % 2 == 0) r.headers = headers;
            const append_result res =
                acc.append(r, partitions, 1000, now, [this](error_code ec, const delivery&) { delivered += !ec; });
            ASSERT_EQ(res.status, append_status::appended);
        }
        ready.clear();
        acc.ready(now + 5ms, ready);
        for (;;) {
            drained.clear();
            std::size_t cursor = 0;
            acc.drain(parts, cursor, 1 << 20, now + 5ms, drained);
            if (drained.empty()) break;
            for (batch_ptr& b : drained) {
                seq.on_success(*b, 0);
                acc.complete(std::move(b), 0);
            }
        }
    }
};

TEST(accumulator_allocations, none_per_record_once_batches_are_warm) {
    sequence_tracker seq;
    seq.set_producer_id({7, 0});
    accumulator acc({}, &seq);
    workload w(acc, seq);
    w.round(20000, t0);  // warm: batches, slot vectors, queues, sequence entries
    w.round(20000, t0 + 10ms);
    const long before = allocations.load();
    for (int i = 0; i < 5; ++i) w.round(20000, t0 + 20ms + i * 10ms);
    EXPECT_EQ(allocations.load() - before, 0);
    EXPECT_EQ(w.delivered, 7 * 20000);
    EXPECT_EQ(acc.memory_used(), 0u);
}

TEST(accumulator_allocations, a_small_handler_is_stored_inline_and_a_large_one_on_the_heap) {
    struct large {
        char pad[64];
        void operator()(error_code, const delivery&) && {}
    };
    int calls = 0;
    const long before = allocations.load();
    {
        delivery_handler small = [&calls, x = 1L, y = 2L](error_code, const delivery&) { calls += int(x + y); };
        delivery_handler moved = std::move(small);
        moved({}, {});
    }
    EXPECT_EQ(allocations.load() - before, 0);
    EXPECT_EQ(calls, 3);
    EXPECT_FALSE(delivery_handler::fits_inline<large>);
    {
        delivery_handler big = large{};
        big({}, {});
        EXPECT_FALSE(static_cast<bool>(big));
    }
    EXPECT_EQ(allocations.load() - before, 1);
}

}  // namespace
}  // namespace kasio::detail::producer

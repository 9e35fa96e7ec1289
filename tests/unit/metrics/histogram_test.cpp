#include "metrics/atomic_histogram.hpp"

#include <kasio/metrics.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

namespace kasio {
namespace {

TEST(histogram, every_value_falls_in_the_bucket_whose_bounds_hold_it) {
    std::vector<std::uint64_t> values{0, 1, 7, 8, 9, 15, 16, 17, 100, 1000, 123456, (1ull << 35) + 12345};
    std::mt19937_64 rng(7);
    for (int i = 0; i < 10000; ++i) values.push_back(rng() >> (rng() % 60 + 4));
    for (const std::uint64_t v : values) {
        const std::size_t b = histogram::bucket_of(v);
        ASSERT_LT(b, histogram::bucket_count);
        if (v >= (std::uint64_t{1} << 36)) {
            EXPECT_EQ(b, histogram::bucket_count - 1) << v;
            continue;
        }
        EXPECT_LE(histogram::bucket_lower(b), v) << v;
        EXPECT_LT(v, histogram::bucket_upper(b)) << v;
    }
}

TEST(histogram, buckets_are_contiguous_and_at_most_an_eighth_of_their_lower_bound_wide) {
    for (std::size_t i = 0; i + 1 < histogram::bucket_count; ++i) {
        EXPECT_EQ(histogram::bucket_upper(i), histogram::bucket_lower(i + 1)) << i;
        const std::uint64_t lo = histogram::bucket_lower(i), width = histogram::bucket_upper(i) - lo;
        if (lo >= 8) {
            EXPECT_LE(width * 8, lo) << i;
        }
        EXPECT_EQ(histogram::bucket_of(lo), i);
        EXPECT_EQ(histogram::bucket_of(histogram::bucket_upper(i) - 1), i);
    }
}

TEST(histogram, percentiles_are_within_a_sixteenth_of_the_exact_ones) {
    histogram h;
    std::vector<std::uint64_t> values;
    std::mt19937_64 rng(11);
    std::lognormal_distribution<double> latency(8.0, 1.5);  // ~3 ms median, long tail
    for (int i = 0; i < 100000; ++i) values.push_back(static_cast<std::uint64_t>(latency(rng)));
    for (const auto v : values) h.record(v);
    std::sort(values.begin(), values.end());
    for (const double q : {0.5, 0.9, 0.99, 0.999}) {
        const auto exact = values[static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size()))) - 1];
        const auto got = h.percentile(q);
        EXPECT_NEAR(static_cast<double>(got), static_cast<double>(exact), static_cast<double>(exact) / 16.0 + 1.0) << q;
    }
    EXPECT_EQ(h.count, values.size());
    EXPECT_EQ(h.min, values.front());
    EXPECT_EQ(h.max, values.back());
    EXPECT_EQ(h.percentile(0.0), values.front());
    EXPECT_EQ(h.percentile(1.0), values.back());
}

TEST(histogram, an_empty_one_reads_zero_and_merging_adds_up) {
    histogram empty;
    EXPECT_EQ(empty.percentile(0.99), 0u);
    EXPECT_EQ(empty.mean(), 0.0);
    histogram a, b;
    for (std::uint64_t v = 10; v < 20; ++v) a.record(v);
    for (std::uint64_t v = 1000; v < 1010; ++v) b.record(v);
    histogram m;
    m.merge(empty);
    m.merge(a);
    m.merge(b);
    EXPECT_EQ(m.count, 20u);
    EXPECT_EQ(m.min, 10u);
    EXPECT_EQ(m.max, 1009u);
    EXPECT_EQ(m.sum, a.sum + b.sum);
    EXPECT_LT(m.percentile(0.5), 20u);
    EXPECT_GE(m.percentile(0.51), 1000u - 1000u / 16);  // within its bucket's half width
}

TEST(atomic_histogram, records_from_several_threads_add_up_exactly) {
    metrics::atomic_histogram h;
    constexpr int threads = 4, per_thread = 50000;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&h, t] {
            for (int i = 0; i < per_thread; ++i) h.record(static_cast<std::uint64_t>(t * per_thread + i));
        });
    }
    for (auto& th : pool) th.join();
    histogram out;
    h.add_to(out);
    constexpr std::uint64_t n = threads * per_thread;
    EXPECT_EQ(out.count, n);
    EXPECT_EQ(out.sum, n * (n - 1) / 2);
    EXPECT_EQ(out.min, 0u);
    EXPECT_EQ(out.max, n - 1);
    std::uint64_t in_buckets = 0;
    for (const auto c : out.buckets) in_buckets += c;
    EXPECT_EQ(in_buckets, n);
}

}  // namespace
}  // namespace kasio

// The reconnect backoff: the Java client's formula, checked at fixed jitter points, then the
// sequence a seeded instance produces.
#include "net/backoff.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace kasio::net {
namespace {

using std::chrono::milliseconds;

TEST(backoff, first_delay_is_reconnect_backoff_ms_within_twenty_percent) {
    const backoff_config cfg;  // 50 ms .. 1000 ms, jitter 0.2
    EXPECT_EQ(backoff::compute(cfg, 0, 0.0), milliseconds(40));
    EXPECT_EQ(backoff::compute(cfg, 0, 0.5), milliseconds(50));
    EXPECT_EQ(backoff::compute(cfg, 0, 0.9999), milliseconds(59));
}

TEST(backoff, doubles_per_failure_until_reconnect_backoff_max_ms) {
    const backoff_config cfg;
    const std::vector<long> expected = {50, 100, 200, 400, 800, 1000, 1000};
    for (std::uint32_t n = 0; n < expected.size(); ++n)
        EXPECT_EQ(backoff::compute(cfg, n, 0.5).count(), expected[n]) << "after " << n << " failures";
}

TEST(backoff, at_the_cap_jitter_only_shortens) {
    const backoff_config cfg;
    EXPECT_EQ(backoff::compute(cfg, 10, 0.0), milliseconds(800));
    EXPECT_EQ(backoff::compute(cfg, 10, 0.9999), milliseconds(1000));
}

TEST(backoff, huge_failure_counts_do_not_overflow) {
    const backoff_config cfg;
    EXPECT_EQ(backoff::compute(cfg, 4000000000u, 0.5), milliseconds(1000));
}

TEST(backoff, max_not_above_initial_gives_initial_without_jitter) {
    backoff_config cfg;
    cfg.initial = milliseconds(300);
    cfg.max = milliseconds(100);
    EXPECT_EQ(backoff::compute(cfg, 0, 0.0), milliseconds(300));
    EXPECT_EQ(backoff::compute(cfg, 5, 0.9), milliseconds(300));
}

TEST(backoff, zero_jitter_is_exact) {
    backoff_config cfg;
    cfg.jitter = 0;
    EXPECT_EQ(backoff::compute(cfg, 2, 0.0), milliseconds(200));
    EXPECT_EQ(backoff::compute(cfg, 2, 0.9), milliseconds(200));
}

TEST(backoff, next_stays_in_the_jitter_band_and_counts_failures) {
    const backoff_config cfg;
    backoff b(cfg, 42);
    for (std::uint32_t n = 0; n < 20; ++n) {
        const double term = std::min(50.0 * std::pow(2.0, n), 1000.0);
        const auto d = b.next().count();
        EXPECT_GE(d, static_cast<long>(term * 0.8) - 1) << n;
        EXPECT_LE(d, static_cast<long>(std::min(term * 1.2, 1000.0))) << n;
    }
    EXPECT_EQ(b.failures(), 20u);
}

TEST(backoff, reset_starts_again_from_initial) {
    backoff b({}, 7);
    for (int i = 0; i < 8; ++i) b.next();
    b.reset();
    EXPECT_EQ(b.failures(), 0u);
    const auto d = b.next();
    EXPECT_GE(d, milliseconds(40));
    EXPECT_LT(d, milliseconds(60));
}

TEST(backoff, different_seeds_spread_reconnects) {
    backoff a({}, 1), b({}, 2);
    int differ = 0;
    for (int i = 0; i < 10; ++i) differ += a.next() != b.next();
    EXPECT_GT(differ, 0);
}

}  // namespace
}  // namespace kasio::net

#pragma once
// A histogram (kasio::histogram's buckets) that several threads may record into and another may
// copy at any time: every field is a relaxed atomic, so a record costs a few uncontended
// atomic adds and never a lock. A snapshot taken while records land is not one instant's
// (count may be one ahead of the buckets); each field is exact.
//
// runs on: any thread.
#include <kasio/metrics.hpp>

#include <array>
#include <atomic>
#include <cstdint>

namespace kasio::metrics {

class atomic_histogram {
public:
    void record(std::uint64_t v) noexcept {
        buckets_[histogram::bucket_of(v)].fetch_add(1, std::memory_order_relaxed);
        count_.fetch_add(1, std::memory_order_relaxed);
        sum_.fetch_add(v, std::memory_order_relaxed);
        // min and max change rarely once warm: load first, exchange only when beaten.
        auto lo = min_.load(std::memory_order_relaxed);
        while (v < lo && !min_.compare_exchange_weak(lo, v, std::memory_order_relaxed)) {}
        auto hi = max_.load(std::memory_order_relaxed);
        while (v > hi && !max_.compare_exchange_weak(hi, v, std::memory_order_relaxed)) {}
    }

    /// Adds what was recorded to `out` (merge: several recorders into one histogram).
    void add_to(histogram& out) const noexcept;

    std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_{0};
    std::atomic<std::uint64_t> min_{~std::uint64_t{0}};
    std::atomic<std::uint64_t> max_{0};
    std::array<std::atomic<std::uint64_t>, histogram::bucket_count> buckets_{};
};

}  // namespace kasio::metrics

#include "metrics/atomic_histogram.hpp"

#include <kasio/metrics.hpp>

#include <algorithm>
#include <cmath>

namespace kasio {

void histogram::merge(const histogram& o) noexcept {
    if (o.count == 0) return;
    min = count == 0 ? o.min : std::min(min, o.min);
    max = std::max(max, o.max);
    count += o.count;
    sum += o.sum;
    for (std::size_t i = 0; i < bucket_count; ++i) buckets[i] += o.buckets[i];
}

std::uint64_t histogram::percentile(double q) const noexcept {
    if (count == 0) return 0;
    if (q <= 0.0) return min;  // exact at the ends: no bucket to guess within
    if (q >= 1.0) return max;
    // The rank of the value asked for, 1-based: the smallest value with at least q of the
    // values at or below it.
    const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
        seen += buckets[i];
        if (seen < rank) continue;
        const std::uint64_t lo = bucket_lower(i);
        const std::uint64_t hi = i + 1 < bucket_count ? bucket_upper(i) : max + 1;
        const std::uint64_t mid = lo + (hi - lo - 1) / 2;
        return std::clamp(mid, min, max);
    }
    return max;  // the buckets lag count (a snapshot taken while recording)
}

namespace metrics {

void atomic_histogram::add_to(histogram& out) const noexcept {
    histogram h;
    h.count = count_.load(std::memory_order_relaxed);
    if (h.count == 0) return;
    h.sum = sum_.load(std::memory_order_relaxed);
    h.min = min_.load(std::memory_order_relaxed);
    h.max = max_.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < histogram::bucket_count; ++i) h.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
    out.merge(h);
}

}  // namespace metrics
}  // namespace kasio

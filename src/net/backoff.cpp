#include "net/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kasio::net {

backoff::backoff(backoff_config cfg, std::uint64_t seed) : cfg_(cfg), state_(seed) {}

backoff::duration backoff::next() noexcept {
    const duration d = compute(cfg_, failures_, next_unit());
    if (failures_ < std::numeric_limits<std::uint32_t>::max()) ++failures_;
    return d;
}

backoff::duration backoff::compute(const backoff_config& cfg, std::uint32_t failures, double unit) noexcept {
    const double initial = static_cast<double>(std::max<std::int64_t>(cfg.initial.count(), 0));
    const double max = static_cast<double>(cfg.max.count());
    if (max <= initial || cfg.multiplier <= 1.0) return cfg.initial;
    // The exponent stops growing once the term reaches max, so a long outage cannot overflow.
    const double exp_max = std::log(max / std::max(initial, 1.0)) / std::log(cfg.multiplier);
    const double term = initial * std::pow(cfg.multiplier, std::min(static_cast<double>(failures), exp_max));
    const double jitter = std::clamp(cfg.jitter, 0.0, 0.999);
    const double factor = 1.0 - jitter + 2.0 * jitter * std::clamp(unit, 0.0, 1.0);
    const double value = std::min(term * factor, max);
    return duration(static_cast<duration::rep>(value));
}

double backoff::next_unit() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53;  // 53 random bits: [0, 1)
}

}  // namespace kasio::net

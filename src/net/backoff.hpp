#pragma once
// Sans-io exponential backoff with jitter, the Java client's formula (ExponentialBackoff, used
// for reconnect.backoff.ms / reconnect.backoff.max.ms):
//
//   delay(failures) = initial * multiplier^min(failures, e) * uniform(1 - jitter, 1 + jitter),
//   capped at max, where e = log(max / initial) / log(multiplier)
//
// so the first delay after a failure is initial +-20%, each further failure doubles it, and
// from about max on it stays within [max * (1 - jitter), max]. The jitter spreads the
// reconnects of many clients after a broker restart. When max <= initial the delay is initial,
// without jitter (as in the Java client).
//
// No clock, no I/O: the caller adds the delay to its own `now`.
// runs on: its owner's strand (not thread-safe).
#include <chrono>
#include <cstdint>

namespace kasio::net {

struct backoff_config {
    std::chrono::milliseconds initial{50};  ///< reconnect.backoff.ms
    std::chrono::milliseconds max{1000};    ///< reconnect.backoff.max.ms
    double multiplier = 2.0;                ///< > 1
    double jitter = 0.2;                    ///< in [0, 1)
};

class backoff {
public:
    using duration = std::chrono::milliseconds;

    /// `seed` picks the jitter sequence: give each instance its own (from a random source) so
    /// that clients do not retry in step.
    explicit backoff(backoff_config cfg = {}, std::uint64_t seed = 0);

    /// Counts one more failure and returns how long to wait before the next attempt.
    duration next() noexcept;
    /// After a success: the next failure waits `initial` (+- jitter) again.
    void reset() noexcept { failures_ = 0; }
    /// Failures counted since the last reset().
    std::uint32_t failures() const noexcept { return failures_; }
    const backoff_config& config() const noexcept { return cfg_; }

    /// The delay after `failures` earlier failures, `unit` in [0, 1) choosing the point in the
    /// jitter range (0: 1 - jitter, 0.5: no jitter). Pure: what next() computes.
    static duration compute(const backoff_config& cfg, std::uint32_t failures, double unit) noexcept;

private:
    double next_unit() noexcept;  // splitmix64: small state, good enough for jitter

    backoff_config cfg_;
    std::uint32_t failures_ = 0;
    std::uint64_t state_;
};

}  // namespace kasio::net

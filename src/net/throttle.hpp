#pragma once
// Client-side quota throttling (KIP-219).
//
// Since Kafka 2.0 a broker over a client's quota answers at once with throttle_time_ms > 0 and
// mutes the connection for that long; the client must send nothing more on it meanwhile, or
// the request just waits in the broker's socket buffer. Older response versions mean the broker
// already delayed the response itself, so the client must not wait again: which versions ask
// the client to wait is per API (the Java client's AbstractResponse.shouldClientThrottle).
//
// runs on: its owner's strand (no I/O, no clock: times come from the caller).
#include "net/response_frame.hpp"

#include <chrono>
#include <cstdint>

namespace kasio::net {

/// The throttle_time_ms of a response the client must honour, read from the frame without
/// decoding all of it; 0 when the API or version has none, when the broker delayed the response
/// itself (pre-KIP-219 versions), or when the body is too short to hold it.
std::int32_t client_throttle_ms(const response_frame& frame);

/// Until when requests on one connection wait because of throttling.
class throttle_window {
public:
    using clock = std::chrono::steady_clock;

    /// A response that arrived at `now` asked for `throttle_ms` of quiet. Windows only grow:
    /// a shorter throttle from a response read later never cuts an earlier one short.
    void on_response(clock::time_point now, std::int32_t throttle_ms) noexcept {
        if (throttle_ms <= 0) return;
        const auto until = now + std::chrono::milliseconds(throttle_ms);
        if (until > until_) until_ = until;
    }
    /// May a request be sent at `now`?
    bool open(clock::time_point now) const noexcept { return now >= until_; }
    /// When requests may be sent again (the past when they may now).
    clock::time_point until() const noexcept { return until_; }
    void clear() noexcept { until_ = {}; }

private:
    clock::time_point until_{};
};

}  // namespace kasio::net

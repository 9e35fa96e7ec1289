#pragma once
// Output side of the streaming decoders (gzip, lz4, zstd): appends to the caller's vector in
// growing windows and never lets it hold more than max_out + 1 new bytes. The one byte past the
// cap is how a decoder proves the output is too large without a second probing call.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace kasio::compression::detail {

class bounded_output {
public:
    /// `expected`: a guess of the output size, used for the first window only (clamped).
    bounded_output(std::vector<std::uint8_t>& out, std::size_t max_out,
                   std::size_t expected) noexcept
        : out_(out),
          base_(out.size()),
          max_out_(max_out),
          limit_(max_out == SIZE_MAX ? SIZE_MAX : max_out + 1),
          expected_(expected) {}

    /// Writable bytes right after those produced so far: at least min(want, room left), more
    /// when growing geometrically. Empty only when the limit is reached. Invalidated by the
    /// next call (the vector may reallocate).
    std::span<std::uint8_t> window(std::size_t want) {
        const std::size_t room = limit_ - produced_;
        if (room == 0) return {};
        std::size_t ready = out_.size() - base_ - produced_;
        if (ready < std::min(want, room)) {
            // Grow by at least `want`, to twice what exists, to the first guess; never past
            // the limit. reserve() first so the vector does not pick a larger capacity itself.
            std::size_t target = std::max({produced_ + std::min(want, room), 2 * produced_,
                                           std::min(expected_, limit_)});
            target = std::min(target, limit_);
            if (out_.capacity() < base_ + target) out_.reserve(base_ + target);
            out_.resize(base_ + target);
            ready = target - produced_;
        }
        return {out_.data() + base_ + produced_, ready};
    }

    void commit(std::size_t n) noexcept { produced_ += n; }
    std::size_t produced() const noexcept { return produced_; }
    bool exceeded() const noexcept { return produced_ > max_out_; }

    /// Success: trims `out` to what was produced.
    void finish() noexcept { out_.resize(base_ + produced_); }
    /// Failure: gives `out` back its size on entry.
    void rollback() noexcept { out_.resize(base_); }

private:
    std::vector<std::uint8_t>& out_;
    std::size_t base_;
    std::size_t max_out_;
    std::size_t limit_;
    std::size_t expected_;
    std::size_t produced_ = 0;
};

}  // namespace kasio::compression::detail

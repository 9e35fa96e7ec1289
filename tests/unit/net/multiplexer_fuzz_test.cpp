// A bounded random-mutation fuzz of the multiplexer's response parser, run as an ordinary test:
// fixed seeds, a fixed number of cases, so a failure replays exactly (the case's seed is in the
// message). Each case puts requests in flight, builds the byte stream a broker would answer
// with, damages it (flipped bytes, cut-off ends, huge or negative lengths, garbage, wrong
// correlation ids) and feeds it in random-sized reads.
//
// What must hold whatever the bytes: no crash or sanitizer report; no read buffer larger than
// max_frame_size (a hostile length allocates nothing); a broken stream closes the multiplexer
// with a client_errc and fails every request still pending; every request completes at most
// once, and all of them once the stream ends in an error; answered ones complete in order.
#include "net/multiplexer.hpp"

#include "protocol/writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <string>

namespace kasio::net {
namespace {

using protocol::byte_buffer;
using clock = multiplexer::clock;

constexpr std::size_t max_frame = 4096;
constexpr std::size_t read_chunk = 64;  // small: frames often span reads and take the direct path

byte_buffer request_frame() {
    byte_buffer out;
    protocol::writer w(out);
    const auto at = w.reserve_int32();
    w.write_int16(3);
    w.write_int16(4);
    w.write_int32(0);
    w.write_string("f", false);
    w.patch_int32(at, static_cast<std::int32_t>(out.size() - 4));
    return out;
}

void append_frame(byte_buffer& out, std::int32_t correlation_id, std::size_t body_size, std::mt19937& rng) {
    protocol::writer w(out);
    w.write_int32(static_cast<std::int32_t>(4 + body_size));
    w.write_int32(correlation_id);
    for (std::size_t i = 0; i < body_size; ++i) w.write_uint8(static_cast<std::uint8_t>(rng()));
}

void put_int32(byte_buffer& b, std::size_t at, std::uint32_t v) {
    if (at + 4 > b.size()) return;
    const std::uint32_t be = protocol::to_big_endian(v);
    std::memcpy(b.data() + at, &be, 4);
}

// Damages a well-formed stream in one of several ways (or leaves it alone).
void mutate(byte_buffer& s, std::mt19937& rng) {
    auto pick = [&](std::size_t n) { return n == 0 ? std::size_t{0} : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
    switch (rng() % 9) {
    case 0: break;  // intact
    case 1:         // flip a few bytes
        for (int i = 0, n = 1 + static_cast<int>(rng() % 4); i < n && !s.empty(); ++i)
            s[pick(s.size())] ^= static_cast<std::uint8_t>(1 + rng() % 255);
        break;
    case 2: s.resize(pick(s.size() + 1)); break;                     // cut off
    case 3: put_int32(s, pick(s.size()), 0x7fffffffu); break;        // 2^31-1 length somewhere
    case 4: put_int32(s, pick(s.size()), 0x80000000u + rng() % 16); break;  // negative
    case 5: put_int32(s, pick(s.size()), static_cast<std::uint32_t>(max_frame + 1 + rng() % 100)); break;
    case 6: {  // garbage inserted
        const std::size_t at = pick(s.size() + 1);
        byte_buffer junk(1 + rng() % 32);
        for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), junk.begin(), junk.end());
        break;
    }
    case 7: s.assign(rng() % 200, 0); for (auto& b : s) b = static_cast<std::uint8_t>(rng()); break;  // all garbage
    default: put_int32(s, 4, rng()); break;                          // first correlation id wrong
    }
}

TEST(multiplexer_fuzz, damaged_response_streams_fail_cleanly_with_bounded_buffers) {
    constexpr int cases = 3000;
    int broken = 0, intact = 0;
    for (int c = 0; c < cases; ++c) {
        const auto seed = static_cast<std::uint32_t>(c) * 2654435761u + 1;
        std::mt19937 rng(seed);
        SCOPED_TRACE("case " + std::to_string(c) + " seed " + std::to_string(seed));

        multiplexer m({.max_in_flight = 1 + rng() % 8, .max_frame_size = max_frame, .read_chunk = read_chunk});
        const std::size_t requests = 1 + rng() % 12;
        std::vector<std::int32_t> ids;
        for (std::size_t i = 0; i < requests; ++i) ids.push_back(m.enqueue(request_frame(), {3, 4, 0, true}));
        std::vector<completion> done;
        // Only what fits in flight is written (the oldest first); the broker answers those.
        m.prepare_write(clock::now());
        m.commit_write(done);
        ASSERT_TRUE(done.empty());
        const std::vector<std::int32_t> written(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(m.in_flight()));

        byte_buffer stream;
        for (auto id : written) append_frame(stream, id, rng() % (rng() % 4 == 0 ? 2 * max_frame : 300), rng);
        mutate(stream, rng);

        error_code ec;
        std::size_t pos = 0;
        while (pos < stream.size() && !ec) {
            auto dst = m.prepare_read();
            ASSERT_FALSE(dst.empty());
            ASSERT_LE(dst.size(), std::max(max_frame, read_chunk));
            const std::size_t n = std::min<std::size_t>({dst.size(), stream.size() - pos, 1 + rng() % 200});
            std::memcpy(dst.data(), stream.data() + pos, n);
            pos += n;
            ec = m.commit_read(n, done);
        }

        std::map<std::int32_t, int> times;
        for (const auto& d : done) ++times[d.correlation_id];
        for (const auto& [id, n] : times) {
            EXPECT_EQ(n, 1) << "correlation id " << id;
            EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << "unknown id " << id;
        }
        // Answers arrive in request order: successful completions are a prefix of `written`.
        std::size_t ok = 0;
        for (const auto& d : done) {
            if (d.ec) continue;
            ASSERT_LT(ok, written.size());
            EXPECT_EQ(d.correlation_id, written[ok]);
            EXPECT_LE(d.frame.data.size(), max_frame);
            ++ok;
        }
        if (ec) {
            ++broken;
            EXPECT_EQ(ec.category(), client_category()) << ec.message();
            EXPECT_TRUE(m.is_closed());
            EXPECT_EQ(times.size(), requests) << "every request completes once the stream breaks";
            EXPECT_TRUE(m.prepare_read().empty());
        } else {
            ++intact;
            EXPECT_FALSE(m.is_closed());
            EXPECT_EQ(m.in_flight() + ok, written.size());
            // Closing now fails exactly the requests still pending.
            m.close(client_errc::connection_closed, done);
            times.clear();
            for (const auto& d : done) ++times[d.correlation_id];
            EXPECT_EQ(times.size(), requests);
        }
    }
    // The mutations must exercise both outcomes, or the test proves little.
    EXPECT_GT(broken, cases / 4);
    EXPECT_GT(intact, cases / 20);
}

TEST(multiplexer_fuzz, length_of_2_pow_31_minus_1_is_refused_before_allocating) {
    multiplexer m({.max_in_flight = 1, .max_frame_size = max_frame, .read_chunk = read_chunk});
    m.enqueue(request_frame(), {3, 4, 0, true});
    std::vector<completion> done;
    m.prepare_write(clock::now());
    m.commit_write(done);
    auto dst = m.prepare_read();
    const std::uint8_t huge[4] = {0x7f, 0xff, 0xff, 0xff};
    std::memcpy(dst.data(), huge, 4);
    EXPECT_EQ(m.commit_read(4, done), client_errc::frame_too_large);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].ec, client_errc::frame_too_large);
}

}  // namespace
}  // namespace kasio::net

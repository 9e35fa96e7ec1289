// net::multiplexer correlation-id dispatch: N requests in flight on one connection (N = 1, 5,
// 100), then their N responses arrive in one read and are matched to their requests.
//
//   multiplexer_dispatch/N    only the read side, timed per iteration around commit_read(): cutting
//                             the frames and matching each to its request (ns per response:
//                             divide the time by N, or read items_per_second)
//   multiplexer_round_trip/N  the whole cycle per request: enqueue, one gather-write, dispatch
#include "net/multiplexer.hpp"

#include "protocol/writer.hpp"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstring>
#include <vector>

namespace {

using kasio::net::completion;
using kasio::net::multiplexer;
using kasio::protocol::byte_buffer;

const kasio::net::request_info metadata_v4{.api_key = 3, .api_version = 4, .response_header_version = 0};

// A request frame: size, header v1 (api_key, api_version, correlation id 0, client id), body.
byte_buffer request_frame() {
    byte_buffer out;
    kasio::protocol::writer w(out);
    const auto at = w.reserve_int32();
    w.write_int16(metadata_v4.api_key);
    w.write_int16(metadata_v4.api_version);
    w.write_int32(0);
    w.write_string("bench", false);
    w.write_int32(0);  // an empty topic array
    w.patch_int32(at, static_cast<std::int32_t>(out.size() - 4));
    return out;
}

constexpr std::size_t response_body = 32;
constexpr std::size_t response_size = 4 + 4 + response_body;  // size, correlation id, body

// n response frames back to back; their correlation ids are patched in per round.
byte_buffer responses(std::size_t n) {
    byte_buffer out(n * response_size, 0);
    for (std::size_t i = 0; i < n; ++i) {
        std::uint8_t* p = out.data() + i * response_size;
        const std::uint32_t size = kasio::protocol::to_big_endian(static_cast<std::uint32_t>(response_size - 4));
        std::memcpy(p, &size, 4);
    }
    return out;
}

void set_correlation_id(byte_buffer& bytes, std::size_t i, std::int32_t id) {
    const std::uint32_t be = kasio::protocol::to_big_endian(static_cast<std::uint32_t>(id));
    std::memcpy(bytes.data() + i * response_size + 4, &be, 4);
}

// Queues n requests and writes them: n requests in flight, their ids patched into `bytes`.
void put_in_flight(multiplexer& m, std::size_t n, byte_buffer& bytes, std::vector<completion>& done) {
    for (std::size_t i = 0; i < n; ++i) set_correlation_id(bytes, i, m.enqueue(request_frame(), metadata_v4));
    while (m.want_write()) {
        benchmark::DoNotOptimize(m.prepare_write(multiplexer::clock::now()).data());
        m.commit_write(done);
    }
}

// Feeds the bytes as the socket would hand them over; returns the completions made.
std::size_t dispatch(multiplexer& m, const byte_buffer& bytes, std::vector<completion>& done) {
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        auto into = m.prepare_read();
        const std::size_t n = std::min(into.size(), bytes.size() - pos);
        std::memcpy(into.data(), bytes.data() + pos, n);
        pos += n;
        if (m.commit_read(n, done)) return 0;
    }
    return done.size();
}

void multiplexer_dispatch(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    multiplexer m({.max_in_flight = n});
    byte_buffer bytes = responses(n);
    std::vector<completion> done;
    done.reserve(n);
    for (auto _ : state) {
        done.clear();
        put_in_flight(m, n, bytes, done);
        done.clear();
        const auto start = std::chrono::steady_clock::now();
        const std::size_t got = dispatch(m, bytes, done);
        const auto end = std::chrono::steady_clock::now();
        if (got != n) {
            state.SkipWithError("a response was not matched to its request");
            break;
        }
        benchmark::DoNotOptimize(done.data());
        state.SetIterationTime(std::chrono::duration<double>(end - start).count());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void multiplexer_round_trip(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    multiplexer m({.max_in_flight = n});
    byte_buffer bytes = responses(n);
    std::vector<completion> done;
    done.reserve(n);
    for (auto _ : state) {
        done.clear();
        put_in_flight(m, n, bytes, done);
        done.clear();
        if (dispatch(m, bytes, done) != n) {
            state.SkipWithError("a response was not matched to its request");
            break;
        }
        benchmark::DoNotOptimize(done.data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

}  // namespace

BENCHMARK(multiplexer_dispatch)->Arg(1)->Arg(5)->Arg(100)->UseManualTime();
BENCHMARK(multiplexer_round_trip)->Arg(1)->Arg(5)->Arg(100);

// CRC-32C throughput: the SSE4.2 three-stream path against the slicing-by-8 table, on a
// batch-sized buffer and on 1 MiB.
#include "protocol/crc32c.hpp"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

namespace {

using namespace kasio::protocol;

std::vector<std::uint8_t> random_bytes(std::size_t n) {
    std::mt19937_64 rng(1);
    std::vector<std::uint8_t> v(n);
    for (auto& b : v) b = static_cast<std::uint8_t>(rng());
    return v;
}

void crc32c_hardware(benchmark::State& state) {
    if (!detail::crc32c_hardware_available()) {
        state.SkipWithError("no CRC-32C instruction on this CPU");
        return;
    }
    const auto data = random_bytes(static_cast<std::size_t>(state.range(0)));
    std::uint32_t crc = 0;
    for (auto _ : state) {
        crc = detail::crc32c_hardware(crc, data);
        benchmark::DoNotOptimize(crc);
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}

void crc32c_portable(benchmark::State& state) {
    const auto data = random_bytes(static_cast<std::size_t>(state.range(0)));
    std::uint32_t crc = 0;
    for (auto _ : state) {
        crc = detail::crc32c_portable(crc, data);
        benchmark::DoNotOptimize(crc);
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}

BENCHMARK(crc32c_hardware)->Arg(1 << 10)->Arg(16 << 10)->Arg(1 << 20);
BENCHMARK(crc32c_portable)->Arg(1 << 10)->Arg(16 << 10)->Arg(1 << 20);

}  // namespace

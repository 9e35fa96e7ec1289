// Codec throughput on a 1 MiB batch of text-like records, the shape of a typical produce
// batch. Bytes/second count uncompressed bytes in both directions; "ratio" is input/output.
#include "compression/codec.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using kasio::compression::codec;

constexpr std::size_t payload_size = 1024 * 1024;

// JSON-ish log lines: repeated keys, a small vocabulary, random ids and timestamps.
const std::vector<std::uint8_t>& payload() {
    static const std::vector<std::uint8_t> bytes = [] {
        static constexpr std::array<std::string_view, 6> events = {
            "page_view", "add_to_cart", "checkout", "login", "search", "purchase"};
        static constexpr std::array<std::string_view, 4> agents = {
            "Mozilla/5.0 (X11; Linux x86_64)", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1)",
            "okhttp/4.12.0", "python-requests/2.31"};
        std::mt19937 rng(42);
        std::string text;
        std::uint64_t ts = 1700000000000;
        while (text.size() < payload_size) {
            ts += rng() % 40;
            text += R"({"ts":)" + std::to_string(ts) + R"(,"user_id":)" +
                    std::to_string(rng() % 100000) + R"(,"session":")" + std::to_string(rng()) +
                    R"(","event":")" + std::string(events[rng() % events.size()]) +
                    R"(","agent":")" + std::string(agents[rng() % agents.size()]) +
                    R"(","amount":)" + std::to_string(rng() % 100000 / 100.0) + "}\n";
        }
        text.resize(payload_size);
        return std::vector<std::uint8_t>(text.begin(), text.end());
    }();
    return bytes;
}

void bm_compress(benchmark::State& state, codec c) {
    const auto& in = payload();
    std::vector<std::uint8_t> out;
    for (auto _ : state) {
        out.clear();  // keeps capacity, as a producer reusing its batch buffer would
        if (kasio::compression::compress(c, in, out)) state.SkipWithError("compress failed");
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in.size()));
    state.counters["ratio"] = static_cast<double>(in.size()) / static_cast<double>(out.size());
}

void bm_decompress(benchmark::State& state, codec c) {
    const auto& in = payload();
    std::vector<std::uint8_t> wire;
    if (kasio::compression::compress(c, in, wire)) state.SkipWithError("compress failed");
    std::vector<std::uint8_t> out;
    for (auto _ : state) {
        out.clear();
        if (kasio::compression::decompress(c, wire, out, in.size())) {
            state.SkipWithError("decompress failed");
        }
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in.size()));
    state.counters["ratio"] = static_cast<double>(in.size()) / static_cast<double>(wire.size());
}

BENCHMARK_CAPTURE(bm_compress, none, codec::none);
BENCHMARK_CAPTURE(bm_compress, gzip, codec::gzip);
BENCHMARK_CAPTURE(bm_compress, snappy, codec::snappy);
BENCHMARK_CAPTURE(bm_compress, lz4, codec::lz4);
BENCHMARK_CAPTURE(bm_compress, zstd, codec::zstd);

BENCHMARK_CAPTURE(bm_decompress, none, codec::none);
BENCHMARK_CAPTURE(bm_decompress, gzip, codec::gzip);
BENCHMARK_CAPTURE(bm_decompress, snappy, codec::snappy);
BENCHMARK_CAPTURE(bm_decompress, lz4, codec::lz4);
BENCHMARK_CAPTURE(bm_decompress, zstd, codec::zstd);

}  // namespace

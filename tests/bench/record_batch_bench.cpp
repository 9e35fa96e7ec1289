// Record batch v2 encode and decode: 1,000 records of a 10-byte key and a 100-byte value,
// per codec (the argument is the codec id). Values are words from a small vocabulary, so
// codecs have something to compress without the data being trivially repetitive.
#include "protocol/record_batch_builder.hpp"
#include "protocol/record_batch_decoder.hpp"

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

namespace {

using namespace kasio::protocol;
using kasio::compression::codec;

constexpr int records_per_batch = 1000;

struct sample {
    std::vector<std::string> keys, values;
    sample() {
        static const char* const words[] = {"order", "user", "created", "updated", "price", "EUR", "item",
                                            "id", "quantity", "status", "shipped", "pending", "42", "1337"};
        std::mt19937 rng(7);
        for (int i = 0; i < records_per_batch; ++i) {
            keys.push_back(std::to_string(1'000'000'000 + rng() % 1'000'000'000));  // 10 digits
            std::string v;
            while (v.size() < 100) {
                v += words[rng() % std::size(words)];
                v += ' ';
            }
            values.push_back(v.substr(0, 100));
        }
    }
};

const sample& data() {
    static const sample s;
    return s;
}

bytes_view bv(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

void fill(record_batch_builder& b) {
    const sample& s = data();
    for (int i = 0; i < records_per_batch; ++i)
        b.append(1'700'000'000'000 + i, bv(s.keys[static_cast<std::size_t>(i)]), bv(s.values[static_cast<std::size_t>(i)]));
}

void encode(benchmark::State& state) {
    const auto c = static_cast<codec>(state.range(0));
    record_batch_builder b(4 << 20);
    std::size_t uncompressed = 0, sealed = 0;
    for (auto _ : state) {
        b.reset();
        fill(b);
        kasio::error_code ec;
        const bytes_view out = b.finish(c, ec);
        if (ec) {
            state.SkipWithError(ec.message().c_str());
            return;
        }
        uncompressed = b.size_bytes();
        sealed = out.size();
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(state.iterations() * records_per_batch);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(uncompressed));
    std::string label(kasio::compression::to_string(c));
    label += ", batch ";
    label += std::to_string(sealed);
    label += " B";
    state.SetLabel(label);
}

void decode(benchmark::State& state) {
    const auto c = static_cast<codec>(state.range(0));
    record_batch_builder b(4 << 20);
    fill(b);
    kasio::error_code ec;
    const bytes_view batch = b.finish(c, ec);
    if (ec) {
        state.SkipWithError(ec.message().c_str());
        return;
    }
    byte_buffer scratch;
    for (auto _ : state) {
        record_batch_decoder d(batch);
        std::size_t bytes = 0;
        while (d.next_batch(scratch)) {
            record_view r;
            while (d.next_record(r)) bytes += r.value->size() + r.key->size();
        }
        if (d.error()) {
            state.SkipWithError(d.error().message().c_str());
            return;
        }
        benchmark::DoNotOptimize(bytes);
    }
    state.SetItemsProcessed(state.iterations() * records_per_batch);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(b.size_bytes()));
    state.SetLabel(std::string(kasio::compression::to_string(c)));
}

BENCHMARK(encode)->DenseRange(0, 4);
BENCHMARK(decode)->DenseRange(0, 4);

}  // namespace

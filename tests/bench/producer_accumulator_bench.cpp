// The producer's client-side CPU per record before any I/O: choosing the partition and
// encoding into the open batch (append), and the same with the sender's share (ready, drain,
// completion of every record, idempotent sequences). 100-byte values, 10-byte keys, 64
// partitions, no compression (codecs are measured in compression_bench).
//   --benchmark_filter='accumulator|partitioner'
#include "producer/accumulator.hpp"
#include "producer/partitioner.hpp"
#include "producer/sequence_tracker.hpp"

#include <benchmark/benchmark.h>

#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace kasio;
using namespace kasio::detail::producer;

constexpr std::int32_t partitions = 64;

struct sample {
    std::vector<std::string> keys;
    std::string value;
    sample() : value(100, 'v') {
        std::mt19937 rng(11);
        for (int i = 0; i < 4096; ++i) keys.push_back(std::to_string(1'000'000'000 + rng() % 1'000'000'000));
        std::uniform_int_distribution<int> letter('a', 'z');
        for (char& c : value) c = static_cast<char>(letter(rng));
    }
};

const sample& data() {
    static const sample s;
    return s;
}

// The sender's side: everything ready is drained, sealed and completed.
struct sender {
    accumulator& acc;
    sequence_tracker* seq;
    std::vector<topic_partition_view> parts, ready;
    std::vector<batch_ptr> drained;
    std::size_t cursor = 0;

    sender(accumulator& a, sequence_tracker* s) : acc(a), seq(s) {
        for (std::int32_t p = 0; p < partitions; ++p) parts.push_back({"bench", p});
    }
    void run(time_point now) {
        for (;;) {
            drained.clear();
            acc.drain(parts, cursor, 1 << 20, now, drained);
            if (drained.empty()) return;
            for (batch_ptr& b : drained) {
                if (seq != nullptr) seq->on_success(*b, 0);
                acc.complete(std::move(b), 0);
            }
        }
    }
};

struct counter {
    std::int64_t delivered = 0;
};

// append() alone; the batches are drained outside the timing when memory runs out.
void BM_accumulator_append(benchmark::State& state) {
    const sample& s = data();
    accumulator acc({});
    sender snd(acc, nullptr);
    counter c;
    const time_point now{};
    std::size_t i = 0;
    for (auto _ : state) {
        record r;
        r.topic = "bench";
        r.key = bytes_of(s.keys[i++ & 4095]);
        r.value = bytes_of(s.value);
        auto res = acc.append(r, partitions, 1'700'000'000'000, now,
                              [&c](error_code ec, const delivery&) { c.delivered += !ec; });
        if (res.status == append_status::would_block) {
            state.PauseTiming();
            snd.run(now);
            state.ResumeTiming();
            res = acc.append(r, partitions, 1'700'000'000'000, now,
                             [&c](error_code ec, const delivery&) { c.delivered += !ec; });
        }
        benchmark::DoNotOptimize(res);
    }
    snd.run(now);
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * 110);
}
BENCHMARK(BM_accumulator_append);

// append() plus the sender's share: ready, drain (sealing), completion callbacks, and with
// range(0) = 1 the idempotent sequence bookkeeping.
void BM_accumulator_append_drain_complete(benchmark::State& state) {
    const sample& s = data();
    sequence_tracker seq;
    seq.set_producer_id({1, 0});
    const bool idempotent = state.range(0) != 0;
    accumulator acc({}, idempotent ? &seq : nullptr);
    sender snd(acc, idempotent ? &seq : nullptr);
    counter c;
    time_point now{};
    std::size_t i = 0;
    for (auto _ : state) {
        record r;
        r.topic = "bench";
        r.key = bytes_of(s.keys[i & 4095]);
        r.value = bytes_of(s.value);
        const auto res = acc.append(r, partitions, 1'700'000'000'000, now,
                                    [&c](error_code ec, const delivery&) { c.delivered += !ec; });
        benchmark::DoNotOptimize(res);
        if ((++i & 1023) == 0) {  // a sender iteration every 1024 records
            now += std::chrono::milliseconds(1);
            snd.ready.clear();
            acc.ready(now, snd.ready);
            snd.run(now);
        }
    }
    acc.begin_flush();
    snd.run(now);
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * 110);
    state.counters["delivered"] = static_cast<double>(c.delivered);
}
BENCHMARK(BM_accumulator_append_drain_complete)->Arg(0)->Arg(1);

// Several threads appending at once to one accumulator (distinct keys, so mostly distinct
// partitions); a thread that finds memory exhausted drains, as the sender would.
void BM_accumulator_append_threads(benchmark::State& state) {
    static accumulator* acc = nullptr;
    static sender* snd = nullptr;
    static std::mutex drain_mu;
    if (state.thread_index() == 0) {
        acc = new accumulator({});
        snd = new sender(*acc, nullptr);
    }
    const sample& s = data();
    std::size_t i = static_cast<std::size_t>(state.thread_index()) * 1024;
    const time_point now{};
    for (auto _ : state) {
        record r;
        r.topic = "bench";
        r.key = bytes_of(s.keys[i++ & 4095]);
        r.value = bytes_of(s.value);
        auto res = acc->append(r, partitions, 1'700'000'000'000, now, {});
        while (res.status == append_status::would_block) {
            {
                std::lock_guard lock(drain_mu);
                snd->run(now);
            }
            res = acc->append(r, partitions, 1'700'000'000'000, now, {});
        }
    }
    state.SetItemsProcessed(state.iterations());
    if (state.thread_index() == 0) {
        snd->run(now);
        delete snd;
        delete acc;
    }
}
BENCHMARK(BM_accumulator_append_threads)->Threads(1)->Threads(2)->UseRealTime();

void BM_partitioner_murmur2(benchmark::State& state) {
    const sample& s = data();
    std::size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(murmur2_partition(bytes_of(s.keys[i++ & 4095]), partitions));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_partitioner_murmur2);

void BM_partitioner_sticky_null_key(benchmark::State& state) {
    const partitioner part;
    partitioner_state st(1);
    record r;
    r.topic = "bench";
    r.value = bytes_of(data().value);
    for (auto _ : state) {
        const std::int32_t p = part.partition(r, partitions, st);
        part.on_appended(st, p, partitions, 110, true);
        benchmark::DoNotOptimize(p);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_partitioner_sticky_null_key);

}  // namespace

// Partitioners: murmur2 as Kafka's Utils.murmur2, KIP-794 uniform sticky, round-robin.
#include "producer/partitioner.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace kasio::detail::producer {

std::int32_t murmur2(bytes_view data) noexcept {
    // Unsigned arithmetic gives Java's wrapping int multiply and >>> exactly.
    constexpr std::uint32_t seed = 0x9747b28c;
    constexpr std::uint32_t m = 0x5bd1e995;
    const auto length = static_cast<std::uint32_t>(data.size());  // Java: int length
    std::uint32_t h = seed ^ length;
    const std::uint8_t* p = data.data();
    const std::size_t blocks = data.size() / 4;
    for (std::size_t i = 0; i < blocks; ++i, p += 4) {
        std::uint32_t k = static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
                          static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
        k *= m;
        k ^= k >> 24;
        k *= m;
        h *= m;
        h ^= k;
    }
    switch (data.size() % 4) {
    case 3: h ^= static_cast<std::uint32_t>(p[2]) << 16; [[fallthrough]];
    case 2: h ^= static_cast<std::uint32_t>(p[1]) << 8; [[fallthrough]];
    case 1:
        h ^= p[0];
        h *= m;
        break;
    default: break;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return static_cast<std::int32_t>(h);
}

namespace {

constexpr std::uint64_t pack(std::int32_t partition, std::uint64_t produced) noexcept {
    return static_cast<std::uint64_t>(partition + 1) << 32 | produced;
}

constexpr std::int32_t sticky_of(std::uint64_t word) noexcept { return static_cast<std::int32_t>(word >> 32) - 1; }

// splitmix64 over a shared counter: a thread-safe, seedable random sequence.
std::uint64_t next_random(std::atomic<std::uint64_t>& state) noexcept {
    std::uint64_t z = state.fetch_add(0x9e3779b97f4a7c15ULL, std::memory_order_relaxed) + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

}  // namespace

partitioner::partitioner(partitioner_config cfg) : cfg_(std::move(cfg)) {
    cfg_.sticky_batch_size = std::max<std::size_t>(cfg_.sticky_batch_size, 1);
}

std::int32_t partitioner::random_partition(std::int32_t partition_count, partitioner_state& st) noexcept {
    // As BuiltInPartitioner: toPositive(random int) % count.
    const auto r = static_cast<std::int32_t>(static_cast<std::uint32_t>(next_random(st.random_)));
    return to_positive(r) % partition_count;
}

std::int32_t partitioner::partition(const record& r, std::int32_t partition_count, partitioner_state& st) const {
    if (partition_count < 1) return -1;
    switch (cfg_.kind) {
    case partitioner_kind::sticky_murmur2:
        return r.key ? murmur2_partition(*r.key, partition_count) : sticky_partition(partition_count, st);
    case partitioner_kind::round_robin: {
        const std::uint32_t n = st.round_robin_.fetch_add(1, std::memory_order_relaxed);
        return to_positive(static_cast<std::int32_t>(n)) % partition_count;
    }
    case partitioner_kind::custom: {
        if (!cfg_.function) return -1;
        const std::int32_t p = cfg_.function(r, partition_count);
        return p >= 0 && p < partition_count ? p : -1;
    }
    }
    return -1;
}

std::int32_t partitioner::sticky_partition(std::int32_t partition_count, partitioner_state& st) const noexcept {
    std::uint64_t word = st.sticky_.load(std::memory_order_acquire);
    for (;;) {
        const std::int32_t current = sticky_of(word);
        // A partition past the count: metadata shrank under us (a recreated topic); pick again.
        if (current >= 0 && current < partition_count) return current;
        const std::uint64_t next = pack(random_partition(partition_count, st), 0);
        if (st.sticky_.compare_exchange_weak(word, next, std::memory_order_acq_rel)) return sticky_of(next);
    }
}

bool partitioner::on_appended(partitioner_state& st, std::int32_t partition, std::int32_t partition_count,
                              std::size_t bytes, bool switch_allowed) const noexcept {
    const std::uint64_t batch = cfg_.sticky_batch_size;
    std::uint64_t word = st.sticky_.load(std::memory_order_acquire);
    for (;;) {
        if (sticky_of(word) != partition || partition_count < 1) return false;
        // Saturate: the byte count lives in the low 32 bits.
        const std::uint64_t produced =
            std::min<std::uint64_t>((word & 0xffffffffULL) + bytes, std::numeric_limits<std::uint32_t>::max());
        const bool enough = (produced >= batch && switch_allowed) || produced >= 2 * batch;
        const std::uint64_t next = enough ? pack(random_partition(partition_count, st), 0) : pack(partition, produced);
        if (st.sticky_.compare_exchange_weak(word, next, std::memory_order_acq_rel)) return enough;
    }
}

}  // namespace kasio::detail::producer

#include "soak_ledger.hpp"

#include "rdkafka_reader.hpp"

#include <malloc.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>

namespace kasio::soak {

namespace {

std::optional<std::uint64_t> parse_seq(std::string_view key) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), v);
    if (ec != std::errc{} || end != key.data() + key.size()) return std::nullopt;
    return v;
}

}  // namespace

ledger::ledger(std::size_t capacity) : state(capacity), processed(capacity) {
    // Touch every page now: the memory check compares later samples with the first minute's.
    std::fill(state.begin(), state.end(), sent_state::failed);
    std::fill(state.begin(), state.end(), sent_state::unsent);
    std::fill(processed.begin(), processed.end(), std::uint8_t{1});
    std::fill(processed.begin(), processed.end(), std::uint8_t{0});
}

std::uint64_t ledger::unprocessed() const noexcept {
    std::uint64_t n = 0;
    for (std::uint64_t s = 0; s < next; ++s)
        n += state[s] == sent_state::acked && processed[s] == 0;
    return n;
}

bool ledger::on_consumed(std::string_view key) noexcept {
    ++consumed;
    const auto seq = parse_seq(key);
    if (!seq || *seq >= next) {
        ++bad_keys;
        return false;
    }
    if (processed[*seq] < 255) ++processed[*seq];
    return true;
}

std::string value_of(std::uint64_t seq) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "kasio-soak-%020llu.", static_cast<unsigned long long>(seq));
    return buf;
}

log_check check_log(const ledger& l, const std::string& bootstrap, const std::string& topic,
                    std::int32_t partitions) {
    log_check c;
    std::vector<std::uint8_t> copies(l.capacity());
    std::vector<std::int64_t> high(static_cast<std::size_t>(partitions), -1);
    std::vector<std::int64_t> first_offset(static_cast<std::size_t>(partitions), -1);
    c.error = test::read_all(
        bootstrap, topic, partitions,
        [&](const test::read_record& r) {
            ++c.records;
            const auto p = static_cast<std::size_t>(r.partition);
            if (first_offset[p] < 0) first_offset[p] = r.offset;
            const auto seq = r.key ? parse_seq(*r.key) : std::nullopt;
            if (!seq || *seq >= l.next) {
                ++c.corrupt;
                return;
            }
            if (!r.value || *r.value != value_of(*seq)) ++c.corrupt;
            if (*seq % static_cast<std::uint64_t>(partitions) != p) ++c.misplaced;
            if (copies[*seq] > 0)
                ++c.duplicated;
            else if (static_cast<std::int64_t>(*seq) < high[p])
                ++c.reordered;
            if (copies[*seq] < 255) ++copies[*seq];
            high[p] = std::max(high[p], static_cast<std::int64_t>(*seq));
        },
        std::chrono::seconds(900));
    for (const auto o : first_offset) c.truncated_partitions += o > 0;
    for (std::uint64_t s = 0; s < l.next; ++s) {
        const bool acked = l.state[s] == sent_state::acked;
        c.lost += acked && copies[s] == 0;
        c.failed_but_written += l.state[s] == sent_state::failed && copies[s] > 0;
        c.unprocessed += acked && l.processed[s] == 0;
        if (l.processed[s] > 1) c.redelivered += l.processed[s] - 1u;
    }
    return c;
}

std::uint64_t rss_monitor::rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
    }
    return 0;
}

std::uint64_t rss_monitor::heap_kib() {
    const struct mallinfo2 mi = mallinfo2();
    return (mi.uordblks + mi.hblkhd) / 1024;
}

void rss_monitor::sample(double seconds) {
    // Free pages glibc keeps after a burst (a rebalance re-reading thousands of records) would
    // raise the RSS for good without any live allocation behind them; hand them back first so
    // that the samples follow what the process holds.
    malloc_trim(0);
    samples_.push_back({seconds, rss_kib(), heap_kib()});
}

rss_monitor::summary rss_monitor::summarize(double duration_s) const {
    summary s;
    if (samples_.empty()) return s;
    s.start = samples_.front().kib;
    s.end = samples_.back().kib;
    s.heap_start = samples_.front().heap_kib;
    s.heap_end = samples_.back().heap_kib;
    s.window_s = std::min(60.0, duration_s / 3);
    for (const auto& p : samples_) {
        s.max = std::max(s.max, p.kib);
        if (p.t <= s.window_s) {
            s.first_window_max = std::max(s.first_window_max, p.kib);
            s.heap_first_window_max = std::max(s.heap_first_window_max, p.heap_kib);
        }
        if (p.t >= duration_s - s.window_s) {
            s.last_window_max = std::max(s.last_window_max, p.kib);
            s.heap_last_window_max = std::max(s.heap_last_window_max, p.heap_kib);
        }
    }
    auto growth = [](std::uint64_t first, std::uint64_t last) {
        return first > 0 ? static_cast<double>(last) / static_cast<double>(first) - 1 : 0.0;
    };
    s.growth = growth(s.first_window_max, s.last_window_max);
    s.heap_growth = growth(s.heap_first_window_max, s.heap_last_window_max);
    return s;
}

}  // namespace kasio::soak

#include <kasio/exporters/metric_family.hpp>

#include <algorithm>
#include <array>
#include <iterator>

namespace kasio::exporters {

std::string_view to_string(metric_group g) noexcept {
    switch (g) {
    case metric_group::producer: return "producer";
    case metric_group::consumer: return "consumer";
    case metric_group::broker: return "broker";
    }
    return "unknown";
}

std::string metric_label::text() const {
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
    return std::to_string(std::get<std::int64_t>(value));
}

namespace {

constexpr std::array<double, 17> latency{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                         0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30};
constexpr std::array<double, 11> sizes{64,       256,       1024,       4096,       16384,      65536,
                                       262144.0, 1048576.0, 4194304.0, 16777216.0, 67108864.0};
constexpr std::array<double, 9> counts{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536};

}  // namespace

std::span<const double> latency_bounds() noexcept { return latency; }
std::span<const double> size_bounds() noexcept { return sizes; }
std::span<const double> count_bounds() noexcept { return counts; }

coarse_histogram rebucket(const histogram& h, std::span<const double> bounds, double scale) {
    coarse_histogram out;
    out.bounds.assign(bounds.begin(), bounds.end());
    out.counts.assign(bounds.size() + 1, 0);
    out.count = h.count;
    out.sum = static_cast<double>(h.sum) * scale;
    out.min = static_cast<double>(h.min) * scale;
    out.max = static_cast<double>(h.max) * scale;
    for (std::size_t i = 0; i < histogram::bucket_count; ++i) {
        if (h.buckets[i] == 0) continue;
        // The middle of the integers the bucket holds (a bucket of width 1 is its one value).
        const auto lo = histogram::bucket_lower(i);
        const auto hi = i + 1 < histogram::bucket_count ? histogram::bucket_upper(i) - 1 : lo;
        const double middle = (static_cast<double>(lo) + static_cast<double>(hi)) / 2 * scale;
        // The tolerance keeps a middle equal to a bound in that bound's bucket despite rounding.
        const auto j = std::lower_bound(bounds.begin(), bounds.end(), middle,
                                        [](double bound, double v) { return bound * (1 + 1e-9) < v; });
        out.counts[static_cast<std::size_t>(j - bounds.begin())] += h.buckets[i];
    }
    return out;
}

void merge_families(std::vector<metric_family>& into, std::vector<metric_family> more) {
    for (auto& f : more) {
        auto it = std::find_if(into.begin(), into.end(),
                               [&](const metric_family& g) { return g.group == f.group && g.name == f.name; });
        if (it == into.end()) {
            into.push_back(std::move(f));
            continue;
        }
        it->points.insert(it->points.end(), std::make_move_iterator(f.points.begin()),
                          std::make_move_iterator(f.points.end()));
    }
}

}  // namespace kasio::exporters

#include <kasio/exporters/prometheus.hpp>

#include <algorithm>
#include <limits>
#include <string_view>

namespace kasio::exporters {

namespace {

std::vector<std::string> words_of(std::string_view name) {
    std::vector<std::string> words;
    std::size_t start = 0;
    while (start <= name.size()) {
        const auto end = std::min(name.find('-', start), name.size());
        words.emplace_back(name.substr(start, end - start));
        start = end + 1;
    }
    return words;
}

::prometheus::MetricType type_of(metric_kind k) {
    switch (k) {
    case metric_kind::counter: return ::prometheus::MetricType::Counter;
    case metric_kind::gauge: return ::prometheus::MetricType::Gauge;
    case metric_kind::histogram: return ::prometheus::MetricType::Histogram;
    }
    return ::prometheus::MetricType::Untyped;
}

double number(const metric_point& p) {
    if (const auto* i = std::get_if<std::int64_t>(&p.value)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&p.value)) return *d;
    return 0;
}

void set_histogram(::prometheus::ClientMetric& m, const coarse_histogram& h) {
    m.histogram.sample_count = h.count;
    m.histogram.sample_sum = h.sum;
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < h.counts.size(); ++i) {
        cumulative += h.counts[i];
        // The serializer writes the buckets given and no other: the last is +Inf (le="+Inf").
        const double bound = i < h.bounds.size() ? h.bounds[i] : std::numeric_limits<double>::infinity();
        m.histogram.bucket.push_back({cumulative, bound});
    }
}

}  // namespace

std::string prometheus_name(const metric_family& f) {
    auto words = words_of(f.name);
    if (f.kind == metric_kind::counter && words.size() > 1 && words.back() == "total") words.pop_back();
    for (auto& w : words)
        if (w == "byte") w = "bytes";
    const auto has = [&](std::string_view w) { return std::find(words.begin(), words.end(), w) != words.end(); };
    if (f.unit == "By" && !has("bytes")) words.emplace_back("bytes");
    if (f.unit == "s" && !has("seconds")) words.emplace_back("seconds");
    if (f.kind == metric_kind::counter) words.emplace_back("total");
    std::string out = "kasio_";
    out += to_string(f.group);
    for (const auto& w : words) out += "_" + w;
    return out;
}

std::vector<::prometheus::MetricFamily> to_prometheus(std::span<const metric_family> families) {
    std::vector<::prometheus::MetricFamily> out;
    out.reserve(families.size());
    for (const auto& f : families) {
        ::prometheus::MetricFamily pf;
        pf.name = prometheus_name(f);
        pf.help = f.help;
        pf.type = type_of(f.kind);
        for (const auto& p : f.points) {
            ::prometheus::ClientMetric m;
            for (const auto& l : p.labels) m.label.push_back({l.name, l.text()});
            if (const auto* h = std::get_if<coarse_histogram>(&p.value))
                set_histogram(m, *h);
            else if (f.kind == metric_kind::counter)
                m.counter.value = number(p);
            else
                m.gauge.value = number(p);
            pf.metric.push_back(std::move(m));
        }
        out.push_back(std::move(pf));
    }
    return out;
}

prometheus_collector::prometheus_collector(std::shared_ptr<metric_sources> sources) : sources_(std::move(sources)) {}

std::vector<::prometheus::MetricFamily> prometheus_collector::Collect() const {
    const auto families = sources_->collect();
    return to_prometheus(families);
}

}  // namespace kasio::exporters

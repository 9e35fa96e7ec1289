#include "family_builder.hpp"

#include <algorithm>
#include <limits>

namespace kasio::exporters::detail {

namespace {

// Counters are unsigned in kasio and signed in OTLP; 2^63 is out of reach in practice.
std::int64_t to_int(std::uint64_t v) {
    return static_cast<std::int64_t>(std::min<std::uint64_t>(v, std::numeric_limits<std::int64_t>::max()));
}

}  // namespace

family_builder::family_builder(metric_group group, const client_info& client)
    : group_(group), client_{{"client_id", client.client_id}, {"client_name", client.name}} {}

void family_builder::add(std::string_view name, metric_kind kind, std::string_view unit, std::string_view help,
                         metric_point point, std::vector<metric_label> extra) {
    auto it = std::find_if(families_.begin(), families_.end(), [&](const metric_family& f) { return f.name == name; });
    if (it == families_.end()) {
        families_.push_back({group_, std::string(name), kind, std::string(unit), std::string(help), {}});
        it = families_.end() - 1;
    }
    point.labels = client_;
    point.labels.insert(point.labels.end(), scope_.begin(), scope_.end());
    point.labels.insert(point.labels.end(), std::make_move_iterator(extra.begin()), std::make_move_iterator(extra.end()));
    it->points.push_back(std::move(point));
}

void family_builder::counter(std::string_view name, std::string_view unit, std::string_view help, std::uint64_t v,
                             std::vector<metric_label> extra) {
    add(name, metric_kind::counter, unit, help, {{}, to_int(v)}, std::move(extra));
}

void family_builder::scaled_counter(std::string_view name, std::string_view unit, std::string_view help,
                                    std::uint64_t v, double scale) {
    add(name, metric_kind::counter, unit, help, {{}, static_cast<double>(v) * scale}, {});
}

void family_builder::gauge(std::string_view name, std::string_view unit, std::string_view help, std::int64_t v,
                           std::vector<metric_label> extra) {
    add(name, metric_kind::gauge, unit, help, {{}, v}, std::move(extra));
}

void family_builder::gauge(std::string_view name, std::string_view unit, std::string_view help, double v) {
    add(name, metric_kind::gauge, unit, help, {{}, v}, {});
}

void family_builder::histogram(std::string_view name, std::string_view unit, std::string_view help,
                               const kasio::histogram& h, std::span<const double> bounds, double scale) {
    add(name, metric_kind::histogram, unit, help, {{}, rebucket(h, bounds, scale)}, {});
}

}  // namespace kasio::exporters::detail

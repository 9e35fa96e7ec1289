#pragma once
// Builds the families of one client: every point gets the client's labels first, a family is
// made the first time its name is used, later points join it.
#include <kasio/exporters/metric_family.hpp>

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace kasio::exporters::detail {

class family_builder {
public:
    family_builder(metric_group group, const client_info& client);

    /// Labels to add to the next points (node_id, topic, ...) after the client's.
    void scope(std::vector<metric_label> labels) { scope_ = std::move(labels); }

    void counter(std::string_view name, std::string_view unit, std::string_view help, std::uint64_t v,
                 std::vector<metric_label> extra = {});
    /// A counter kept in a source unit, exported after multiplying by `scale` (ms -> s).
    void scaled_counter(std::string_view name, std::string_view unit, std::string_view help, std::uint64_t v,
                        double scale);
    void gauge(std::string_view name, std::string_view unit, std::string_view help, std::int64_t v,
               std::vector<metric_label> extra = {});
    void gauge(std::string_view name, std::string_view unit, std::string_view help, double v);
    void histogram(std::string_view name, std::string_view unit, std::string_view help, const kasio::histogram& h,
                   std::span<const double> bounds, double scale);

    std::vector<metric_family> take() { return std::move(families_); }

private:
    void add(std::string_view name, metric_kind kind, std::string_view unit, std::string_view help,
             metric_point point, std::vector<metric_label> extra);

    metric_group group_;
    std::vector<metric_label> client_;
    std::vector<metric_label> scope_;
    std::vector<metric_family> families_;
};

/// Microseconds, milliseconds to seconds.
inline constexpr double us = 1e-6;
inline constexpr double ms = 1e-3;

}  // namespace kasio::exporters::detail

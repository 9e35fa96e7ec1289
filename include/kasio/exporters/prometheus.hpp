#pragma once
/// @file
/// Prometheus exporter: a prometheus-cpp Collectable that snapshots kasio clients at each
/// scrape. Register it with a prometheus::Exposer (or any prometheus-cpp registry user):
///
/// @code
///   auto sources = std::make_shared<kasio::exporters::metric_sources>();
///   sources->add_producer({"my-app", "orders-producer"}, [&p] { return std::optional(p.stats()); });
///   auto collector = std::make_shared<kasio::exporters::prometheus_collector>(sources);
///   prometheus::Exposer exposer("127.0.0.1:9464");
///   exposer.RegisterCollectable(collector);
/// @endcode
///
/// Target kasio_prometheus (not part of the kasio library; needs prometheus-cpp).
#include <kasio/exporters/metric_family.hpp>
#include <kasio/exporters/metric_sources.hpp>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace kasio::exporters {

/// The Prometheus name of a family: kasio_<group>_ then the name with dashes as underscores,
/// "byte" as "bytes", the unit added when the name lacks it (_seconds, _bytes) and _total last
/// on counters ("outgoing-byte-total" of a broker: kasio_broker_outgoing_bytes_total).
std::string prometheus_name(const metric_family& f);

/// The families in prometheus-cpp's form (histograms cumulative, up to +Inf).
std::vector<::prometheus::MetricFamily> to_prometheus(std::span<const metric_family> families);

/// Collects the clients of a metric_sources at every scrape.
///
/// Thread safety: Collect() may run on any thread (the Exposer's), concurrently with changes to
/// the sources.
class prometheus_collector final : public ::prometheus::Collectable {
public:
    /// Collects from `sources` (shared: the application keeps adding and removing clients).
    explicit prometheus_collector(std::shared_ptr<metric_sources> sources);

    /// Snapshots every source and renders its families.
    std::vector<::prometheus::MetricFamily> Collect() const override;

private:
    std::shared_ptr<metric_sources> sources_;
};

}  // namespace kasio::exporters

#pragma once
/// @file
/// OTLP exporter: kasio clients' metrics as OpenTelemetry metrics, POSTed as JSON (OTLP/HTTP,
/// protobuf's JSON mapping) to a collector's /v1/metrics. No OpenTelemetry SDK: the JSON comes
/// from otlp_json() and Boost.Beast sends it.
///
/// @code
///   kasio::exporters::otlp_options o;
///   o.endpoint = "http://127.0.0.1:4318/v1/metrics";
///   kasio::exporters::otlp_exporter exporter(io.get_executor(), sources, o);
///   exporter.start();                                   // every o.interval, errors logged
///   auto ec = co_await exporter.async_export(asio::as_tuple(asio::use_awaitable));  // one now
/// @endcode
///
/// Target kasio_otlp (not part of the kasio library).
#include <kasio/detail/nodiscard_op.hpp>
#include <kasio/error.hpp>
#include <kasio/exporters/metric_family.hpp>
#include <kasio/exporters/metric_sources.hpp>
#include <kasio/log.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace kasio::exporters {

namespace detail {
struct otlp_state;  // exporters/otlp/otlp_exporter.cpp
}  // namespace detail

/// Errors of the OTLP exporter besides the network's (boost::asio::error, boost::beast::http::error)
/// and kasio's (client_errc::timed_out: no connection, or no response, within the timeout).
enum class otlp_errc : int {
    ok = 0,
    invalid_endpoint,  ///< otlp_options::endpoint is not "http://host:port[/path]"
    http_status,       ///< the collector answered with a status other than 2xx (logged with its body)
};

/// The category of otlp_errc ("kasio.otlp").
const boost::system::error_category& otlp_category() noexcept;

/// An otlp_errc as an error_code.
inline error_code make_error_code(otlp_errc e) noexcept { return {static_cast<int>(e), otlp_category()}; }

/// Attribute key and value (resource attributes: service.name, ...).
using otlp_attribute = std::pair<std::string, std::string>;

/// Renders an ExportMetricsServiceRequest in OTLP's JSON form: one resource (its attributes),
/// one scope ("kasio" and the library's version), a metric per family named after its group and
/// name ("kasio.producer.record-send-total"). Counters are cumulative monotonic sums, histograms
/// cumulative with explicit bounds; the points start at start_unix_nano (when the exporter
/// started) and are taken at unix_nano.
std::string otlp_json(std::span<const metric_family> families, std::span<const otlp_attribute> resource,
                      std::uint64_t start_unix_nano, std::uint64_t unix_nano);

/// How and where otlp_exporter sends.
struct otlp_options {
    /// The collector's URL; the path defaults to /v1/metrics. Plain http only.
    std::string endpoint = "http://127.0.0.1:4318/v1/metrics";
    /// Time between two exports of start().
    std::chrono::milliseconds interval{10000};
    /// Longest wait for resolving and connecting, and again for sending and the response.
    std::chrono::milliseconds timeout{10000};
    /// Resource attributes; OpenTelemetry wants service.name.
    std::vector<otlp_attribute> resource{{"service.name", "kasio"}};
    /// Where failed exports are logged (warning level).
    log_config log;
};

/// Sends the metrics of a metric_sources to an OTLP/HTTP collector, once (async_export) or
/// every interval (start).
///
/// Thread safety: every member may be called from any thread. The exporter works on a strand
/// of the executor it is given; the execution context must outlive it. Each export opens its
/// own connection and ends within twice the timeout.
class otlp_exporter {
public:
    /// Throws nothing: a bad endpoint fails each export with otlp_errc::invalid_endpoint.
    otlp_exporter(boost::asio::any_io_executor ex, std::shared_ptr<metric_sources> sources, otlp_options options);
    /// Stops the periodic exports (an export under way still finishes on its strand).
    ~otlp_exporter();
    otlp_exporter(const otlp_exporter&) = delete;
    otlp_exporter& operator=(const otlp_exporter&) = delete;

    /// Collects the sources now and sends them; completes with no error once the collector
    /// answered 2xx, else with the connection's error, client_errc::timed_out or
    /// otlp_errc::http_status. Not cancellable: the timeout bounds it. The handler runs on its
    /// associated executor (the exporter's strand when it has none).
    template <boost::asio::completion_token_for<void(error_code)> Token = boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_export(Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code)>(
            // The state, not `this`: a deferred operation may be started after the exporter is gone.
            [state = state_](auto handler) { start_export(state, export_handler(std::move(handler))); }, token);
    }

    /// Exports every options.interval until stop() or destruction, logging each failure.
    void start();
    /// Ends the periodic exports.
    void stop();

    /// Exports that failed so far (periodic and one-shot).
    std::uint64_t failures() const noexcept;
    /// The last export's result.
    error_code last_error() const;

private:
    using export_handler = boost::asio::any_completion_handler<void(error_code)>;
    static void start_export(std::shared_ptr<detail::otlp_state> s, export_handler h);

    std::shared_ptr<detail::otlp_state> state_;
};

}  // namespace kasio::exporters

namespace boost::system {
template <> struct is_error_code_enum<kasio::exporters::otlp_errc> : std::true_type {};
}  // namespace boost::system

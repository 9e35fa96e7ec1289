#pragma once
// The connections of one client to its brokers, shared by its producer, consumer and admin.
//
// Brokers are keyed by node id (addresses come from metadata through set_broker()); the
// bootstrap addresses a client starts from have their own entries, keyed by "host:port", since
// their node ids are not known yet. Each broker gets a connection per purpose: a broker answers
// one request per connection at a time, in order, so a request it holds for long (a long poll)
// would hold up every request queued behind it (franz-go's broker.go keeps produce, fetch and
// group connections apart for this reason). Bulk requests may spread over
// connections.per.broker connections, round-robin. The pool does not know what the requests
// mean: the caller picks the purpose and, for a request the broker holds longer than
// request.timeout.ms, the timeout (request_options).
//
// Connections are made on first use. A lost connection is made again on the next request, not
// before reconnect.backoff.ms (doubling, +-20% jitter, up to reconnect.backoff.max.ms: backoff.hpp)
// after the loss or the last failed attempt. A request waits for at most one connection
// attempt: if it fails, the requests waiting for it fail with its error, and the caller decides
// whether to retry, elsewhere or later. After a response with throttle_time_ms (KIP-219) the
// connection sends nothing more until the throttle ends; requests wait in the pool meanwhile.
// A connection idle for connections.max.idle.ms is closed. Requests waiting for one connection
// are bounded (pool_config::max_queued_requests): a broker that cannot be reached makes callers
// fail at once rather than queue without bound.
//
// runs on: pool strand (every member below is posted there unless it says otherwise).
#include "net/backoff.hpp"
#include "net/connection.hpp"

#include <kasio/config.hpp>
#include <kasio/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kasio::config {
struct property;
struct parsed_value;
}  // namespace kasio::config

namespace kasio::net {

/// Which of a broker's connections a request goes on: a pool key, chosen by the caller, so that
/// requests that must not wait behind one another do not share a connection.
enum class purpose : std::uint8_t {
    bulk,       ///< connections.per.broker connections, used round-robin (the producer's data)
    long_poll,  ///< one connection for requests the broker parks up to a wait time (fetches)
    general,    ///< one connection for short requests (metadata, admin, bootstrap)
    blocking,   ///< one connection for requests the broker may hold long (a group's JoinGroup),
                ///< so that `general` traffic never queues behind them
};

std::string_view to_string(purpose p) noexcept;

/// Configuration of a broker_pool; its names, ranges and defaults are rows of the property table.
struct pool_config {
    /// Every connection's configuration (client.id, request.timeout.ms, ...).
    connection_config connection;
    /// `connections.per.broker`: `bulk` connections per broker, used round-robin (1..128).
    std::size_t connections_per_broker = 1;
    /// `reconnect.backoff.ms` / `reconnect.backoff.max.ms` (0..3600000 each).
    backoff_config reconnect;
    /// `connections.max.idle.ms`: a connection with nothing queued or in flight for this long is
    /// closed (0 keeps it forever; Java's default).
    std::chrono::milliseconds connections_max_idle{540000};
    /// Requests that may wait for one connection (while it connects, backs off after a failure
    /// or is throttled). A request beyond it completes at once with client_errc::queue_full, so a
    /// broker that is down cannot grow memory without bound; callers back off and retry. The
    /// pool never uses less than connection.max_in_flight, so a caller that keeps at most
    /// max.in.flight.requests.per.connection requests per connection is never refused. Not a
    /// Kafka property (neither the Java client nor librdkafka bounds this queue by count).
    std::size_t max_queued_requests = 1000;

    /// Sets a member by its Kafka property name (the property table, src/config); the
    /// connection's names set `connection`. client_errc::invalid_config for an unknown name or a
    /// bad value, `why` naming it.
    error_code set(std::string_view kafka_name, std::string_view value, error_context& why);
    error_code set(std::string_view kafka_name, std::string_view value);
};

/// Sets the member of `c` (or of c.connection) that a parsed row of the property table names;
/// false when it is not a pool or connection property.
bool apply(pool_config& c, const config::property& row, const config::parsed_value& v);

/// The state of one pooled connection, for choosing a broker (metadata_refresher).
enum class connection_state : std::uint8_t {
    unknown,     ///< no such broker
    idle,        ///< no connection; the next request connects at once
    backoff,     ///< no connection; the next attempt waits for the reconnect backoff
    connecting,  ///< resolving, connecting or negotiating
    ready,       ///< connected
};

/// The counters of one pooled connection (a broker's bulk#i, long_poll, general or blocking one),
/// summed over every connection it has had: requests, responses and bytes add up; in_flight and
/// last_rtt are the current connection's (0 when there is none); peak_in_flight is the most seen.
struct pooled_connection_stats {
    std::int32_t node_id = -1;  ///< -1 for a bootstrap address
    std::string address;        ///< "host:port"
    purpose p = purpose::general;
    std::size_t index = 0;      ///< which bulk connection (0 for the others)
    bool connected = false;     ///< a connection is ready now
    std::uint64_t connects = 0; ///< connection attempts so far
    connection_stats counters;
};

/// Connections to the brokers of one cluster.
///
/// Thread safety: every member may be called from any thread, except state(), which must run on
/// the pool's strand (get_executor()). Handlers run on their own associated executor (the pool
/// strand when they have none).
///
/// Lifetime: destroying the pool closes every connection; pending requests complete with
/// client_errc::connection_closed. The execution context must outlive the pool object.
class broker_pool {
public:
    using executor_type = asio::any_io_executor;
    using request_handler = connection::request_handler;
    /// Issues a request on a connection once the pool has one ready (type-erased encoder).
    using issue_fn = std::function<void(connection&, request_handler)>;

    broker_pool(executor_type ex, pool_config cfg);
    ~broker_pool();
    broker_pool(const broker_pool&) = delete;
    broker_pool& operator=(const broker_pool&) = delete;

    /// The pool strand.
    executor_type get_executor() const noexcept;
    const pool_config& config() const noexcept;

    /// Sets the address of broker node_id (from a Metadata response). A changed address closes
    /// that broker's connections (requests on them fail with connection_closed); the next
    /// request connects to the new one.
    void set_broker(std::int32_t node_id, std::string host, std::int32_t port);

    /// Sends `request` to broker node_id on its `p` connection, connecting first if needed, and
    /// completes with the response frame (decode it with decode_response()). The request is
    /// copied into the operation and encoded when the connection is ready, at its negotiated
    /// version: buffers it only points to (records) must live until completion.
    ///
    /// Errors: broker_errc::broker_not_available (no address known for node_id),
    /// client_errc::queue_full (max_queued_requests already wait for that connection), the error
    /// of the connection attempt this request waited for (client_errc::connection_closed for
    /// socket errors, timed_out, a broker error from ApiVersions), then whatever connection::
    /// async_request completes with; asio::error::operation_aborted when cancelled. The pool's
    /// own failures (queue_full, a failed connection attempt) say which connection of which
    /// broker and why in the frame's `failure`.
    ///
    /// Cancellation: while waiting in the pool (for a connection, a backoff or a throttle) any
    /// type removes the request; once handed to the connection, as connection::async_request.
    template <class Request,
              asio::completion_token_for<void(error_code, response_frame)> CompletionToken = asio::deferred_t>
    auto async_request(std::int32_t node_id, purpose p, Request request, CompletionToken&& token = {}) {
        return async_request(node_id, p, std::move(request), request_options{}, std::forward<CompletionToken>(token));
    }

    /// As above, with the options of this one request (its timeout: connection::async_request).
    template <class Request,
              asio::completion_token_for<void(error_code, response_frame)> CompletionToken = asio::deferred_t>
    auto async_request(std::int32_t node_id, purpose p, Request request, request_options options,
                       CompletionToken&& token = {}) {
        return asio::async_initiate<CompletionToken, void(error_code, response_frame)>(
            [impl = impl_](auto handler, std::int32_t node, purpose pp, Request r, request_options o) {
                start_request(impl, node, {}, pp, make_issuer(std::move(r), o), request_handler(std::move(handler)));
            },
            token, node_id, p, std::move(request), options);
    }

    /// As async_request, to a bootstrap address "host:port" (general purpose), before any node id
    /// is known. Errors as above, plus client_errc::invalid_config for a malformed address.
    template <class Request,
              asio::completion_token_for<void(error_code, response_frame)> CompletionToken = asio::deferred_t>
    auto async_bootstrap_request(std::string address, Request request, CompletionToken&& token = {}) {
        return asio::async_initiate<CompletionToken, void(error_code, response_frame)>(
            [impl = impl_](auto handler, std::string a, Request r) {
                start_request(impl, -1, std::move(a), purpose::general, make_issuer(std::move(r), {}),
                              request_handler(std::move(handler)));
            },
            token, std::move(address), std::move(request));
    }

    /// The state of broker node_id's first `p` connection.
    /// runs on: pool strand (call it only from there).
    connection_state state(std::int32_t node_id, purpose p) const;

    /// Closes every connection; pending and later requests complete with connection_closed.
    void close();

    /// Every broker's metrics (connections, requests, latency by API, throttle, errors), brokers
    /// by node id then bootstrap addresses; empty when connection.metrics_enabled is false.
    /// May be called from any thread: it reads atomics and takes no strand.
    std::vector<broker_metrics> metrics() const;

    /// Completes with the counters of every connection made so far (requests, bytes, in-flight,
    /// round-trip time), brokers by node id then bootstrap addresses. A snapshot: counters of
    /// connections on other strands move on meanwhile.
    ///
    /// Cancellation: none (it completes at once on the pool strand).
    template <asio::completion_token_for<void(std::vector<pooled_connection_stats>)> CompletionToken =
                  asio::deferred_t>
    auto async_stats(CompletionToken&& token = {}) {
        return asio::async_initiate<CompletionToken, void(std::vector<pooled_connection_stats>)>(
            [impl = impl_](auto handler) { start_stats(impl, stats_handler(std::move(handler))); }, token);
    }

    struct impl;

private:
    template <class Request>
    static issue_fn make_issuer(Request r, request_options o) {
        return [r = std::move(r), o](connection& c, request_handler h) { c.async_request(r, o, std::move(h)); };
    }

    using stats_handler = asio::any_completion_handler<void(std::vector<pooled_connection_stats>)>;
    static void start_stats(const std::shared_ptr<impl>& impl, stats_handler handler);

    // node_id >= 0 with an empty bootstrap address, or a bootstrap address.
    static void start_request(const std::shared_ptr<impl>& impl, std::int32_t node_id, std::string bootstrap,
                              purpose p, issue_fn issue, request_handler handler);

    std::shared_ptr<impl> impl_;
};

/// Splits "host:port" (IPv6 hosts in brackets: "[::1]:9092"); false when malformed.
bool split_host_port(std::string_view address, std::string& host, std::string& port);

}  // namespace kasio::net

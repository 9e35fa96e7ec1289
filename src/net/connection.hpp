#pragma once
// A connection to one Kafka broker: TCP, the ApiVersions handshake, then pipelined requests.
//
// The I/O runs in C++20 coroutines on the connection's strand, all in connection.cpp: a writer
// gather-writes the frames the multiplexer coalesces, a reader cuts responses into frames and
// completes their waiters, a timer expires requests. The templates below only encode a request
// and hand the frame and a type-erased handler (asio::any_completion_handler) to non-template
// functions, so Asio's machinery compiles once.
#include "net/broker_metrics.hpp"
#include "net/response_frame.hpp"
#include "protocol/headers.hpp"
#include "protocol/primitives.hpp"

#include <kasio/config.hpp>
#include <kasio/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace kasio::net {

namespace asio = boost::asio;

/// A snapshot of one connection's counters.
struct connection_stats {
    std::uint64_t requests = 0;           ///< requests put on the wire
    std::uint64_t responses = 0;          ///< responses delivered to their waiter
    std::uint64_t bytes_out = 0;
    std::uint64_t bytes_in = 0;
    std::uint32_t in_flight = 0;          ///< written, not yet answered
    std::uint32_t peak_in_flight = 0;     ///< the most ever written and not yet answered at once
    std::chrono::microseconds last_rtt{}; ///< write finished -> response parsed, last response
    std::uint64_t peak_read_buffer_bytes = 0;  ///< the most the read side ever held allocated
    std::uint64_t reauthentications = 0;  ///< completed SASL re-authentications (KIP-368)
};

/// What a caller may set for one request.
struct request_options {
    /// How long the response may take, counted from when the request is queued on the
    /// connection; 0 takes the connection's request_timeout (`request.timeout.ms`). A caller whose
    /// request the broker holds on purpose for longer (a JoinGroup waits for the whole rebalance)
    /// says so here: the connection does not know what its requests mean.
    std::chrono::milliseconds timeout{0};
    /// The newest version of the API this request may use; -1: the negotiated one. For APIs
    /// whose newest versions are not for clients (AddPartitionsToTxn v4+ is broker to broker).
    std::int16_t max_version = -1;
};

/// One TCP connection to one broker.
///
/// Executors: the connection makes a strand from the executor it is given and runs all its
/// work there; completion handlers run on their own associated executor (the strand when they
/// have none).
///
/// Thread safety: every member may be called from any thread. negotiated_version returns -1
/// until async_connect has negotiated, then a fixed table.
///
/// Lifetime: destroying the connection closes it; operations still pending complete with an
/// error (nothing hangs). Its internals live on until the last of its coroutines has returned,
/// so the executor's execution context must outlive the connection object. A closed connection
/// stays closed: make a new one to reconnect.
class connection {
public:
    using executor_type = asio::any_io_executor;
    using request_handler = asio::any_completion_handler<void(error_code, response_frame)>;
    using connect_handler = asio::any_completion_handler<void(error_code)>;

    /// `counters`: where this connection records its broker's metrics (the pool shares one per
    /// broker); nullptr records none. Hooks (cfg.hooks) are called when cfg.metrics_enabled.
    connection(executor_type ex, connection_config cfg, std::shared_ptr<broker_counters> counters = nullptr);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// The connection's strand.
    executor_type get_executor() const noexcept;

    /// Resolves host, connects (TCP_NODELAY, socket buffer sizes), does the TLS handshake
    /// (security.protocol ssl / sasl_ssl; host is the name the certificate must carry), then
    /// negotiates API versions with ApiVersions and authenticates (sasl_plaintext / sasl_ssl:
    /// SaslHandshake v1 + SaslAuthenticate, KIP-152). Completes with client_errc::timed_out after
    /// connect_timeout for the whole set-up; with a broker_errc when the broker refuses
    /// ApiVersions; certificate_verify_failed (unknown CA, expired, wrong host: the reason is
    /// logged at error level), tls_handshake_failed, invalid_config (unreadable TLS files or key
    /// password, a SCRAM username or password SASLprep refuses);
    /// broker_errc::sasl_authentication_failed / unsupported_sasl_mechanism; not_kafka_peer
    /// (the peer answered HTTP, or TLS to a plaintext connection: logged at warning level with
    /// which).
    ///
    /// Resolving: a numeric host (IPv4 or IPv6 literal) is connected to directly; a host name
    /// goes through asio's resolver, whose io_context then runs one internal thread for the
    /// blocking name look-ups (getaddrinfo).
    ///
    /// Re-authentication (KIP-368): when the broker grants the session a lifetime
    /// (SaslAuthenticate v1+ session_lifetime_ms), the connection authenticates again on the
    /// same socket at a random point between 85 % and 95 % of it, between requests: requests
    /// already written are answered first, ones issued meanwhile wait and then go out in order.
    /// A failed re-authentication closes the connection with its error (see async_wait_closed).
    ///
    /// Cancellation: terminal (the connection is closed).
    template <asio::completion_token_for<void(error_code)> CompletionToken = asio::deferred_t>
    auto async_connect(std::string host, std::string port, CompletionToken&& token = {}) {
        return asio::async_initiate<CompletionToken, void(error_code)>(
            [impl = impl_](auto handler, std::string h, std::string p) {
                start_connect(impl, std::move(h), std::move(p), connect_handler(std::move(handler)));
            },
            token, std::move(host), std::move(port));
    }

    /// Sends a request at the negotiated version of its API and completes with its response
    /// frame; decode it with decode_response<Request's response type>(). The request is encoded
    /// before this returns: it need not outlive the call.
    ///
    /// Errors: client_errc::no_common_version (the broker and kasio share no version of the API),
    /// timed_out (request_timeout, or the request_options' timeout), connection_closed (the socket
    /// was lost; also before async_connect completed), frame_too_large / correlation_id_mismatch /
    /// not_kafka_peer (the connection is closed), broker_errc::sasl_authentication_failed (a
    /// re-authentication it waited for failed: the connection is closed),
    /// asio::error::operation_aborted (cancelled).
    ///
    /// A request the broker does not answer (protocol::expects_response: a Produce with
    /// acks = 0) completes as soon as it is written, with an empty frame
    /// (data empty; header.correlation_id, api_key and api_version set). Write errors still
    /// complete it with connection_closed; nothing says whether the broker appended it.
    ///
    /// Cancellation: terminal and partial: the wait ends at once; a request already written is
    /// abandoned (the broker may act on it; its response is dropped). total: only while the
    /// request is not yet written.
    template <class Request,
              asio::completion_token_for<void(error_code, response_frame)> CompletionToken = asio::deferred_t>
    auto async_request(const Request& request, CompletionToken&& token = {}) {
        return async_request(request, request_options{}, std::forward<CompletionToken>(token));
    }

    /// As above, with the options of this one request (its timeout).
    template <class Request,
              asio::completion_token_for<void(error_code, response_frame)> CompletionToken = asio::deferred_t>
    auto async_request(const Request& request, request_options options, CompletionToken&& token = {}) {
        std::int16_t version = negotiated_version(Request::api_key);
        if (options.max_version >= 0 && version > options.max_version) version = options.max_version;
        protocol::byte_buffer frame = take_frame_buffer();  // correlation id 0: the multiplexer assigns it
        if (version >= 0) protocol::encode_request_frame(frame, request, version, 0, client_id());
        const bool expects_response = protocol::expects_response(request);
        return asio::async_initiate<CompletionToken, void(error_code, response_frame)>(
            [impl = impl_](auto handler, protocol::byte_buffer f, std::int16_t key, std::int16_t v, bool answered,
                           request_options o) {
                start_request(impl, std::move(f), key, v, answered, o, request_handler(std::move(handler)));
            },
            token, std::move(frame), Request::api_key, version, expects_response, options);
    }

    /// Completes once the connection has closed, with the reason: client_errc::connection_closed
    /// (socket lost, close(), destruction), timed_out (set-up or a written request timed out),
    /// frame_too_large / correlation_id_mismatch / not_kafka_peer (a broken stream), the set-up
    /// error, the
    /// re-authentication's error (broker_errc::sasl_authentication_failed, ...), or
    /// asio::error::operation_aborted (connect cancelled). At once when it already is closed.
    /// Owners use it to learn of a lost connection without a request in flight.
    ///
    /// Cancellation: none; it completes at the latest when the connection object is destroyed.
    template <asio::completion_token_for<void(error_code)> CompletionToken = asio::deferred_t>
    auto async_wait_closed(CompletionToken&& token = {}) {
        return asio::async_initiate<CompletionToken, void(error_code)>(
            [impl = impl_](auto handler) { start_wait_closed(impl, connect_handler(std::move(handler))); }, token);
    }

    /// The version async_request uses for api_key, or -1 when there is none (not connected
    /// yet, or no common version).
    std::int16_t negotiated_version(std::int16_t api_key) const noexcept;

    connection_stats stats() const noexcept;

    /// Closes the socket; every pending operation completes with connection_closed, and so does
    /// every later one.
    void close();

    struct impl;

private:
    std::string_view client_id() const noexcept;
    // An empty buffer to encode a request frame into: one a written frame left (its capacity
    // kept), else a new one. Any thread.
    protocol::byte_buffer take_frame_buffer();

    static void start_connect(const std::shared_ptr<impl>& impl, std::string host, std::string port,
                              connect_handler handler);
    static void start_wait_closed(const std::shared_ptr<impl>& impl, connect_handler handler);
    // frame empty: no version to send at.
    static void start_request(const std::shared_ptr<impl>& impl, protocol::byte_buffer frame,
                              std::int16_t api_key, std::int16_t version, bool expects_response,
                              request_options options, request_handler handler);

    std::shared_ptr<impl> impl_;
};

}  // namespace kasio::net

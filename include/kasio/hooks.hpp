#pragma once
/// @file
/// Hooks: callbacks an application registers to see what a client does on the wire (as
/// franz-go's hooks): connections made and lost, requests written, responses read, producer
/// batches delivered, fetched partitions received. For metrics a client does not keep, tracing,
/// or tests.
///
/// Register an object derived from client_hooks in connection_config::hooks (every client has
/// one). Each member has an empty default: override what you need.
///
/// Where they run: the connection hooks (on_connect ... on_response_read) on the strand of the
/// connection concerned, on_batch_delivered on the producer's strand, on_fetch_received on the
/// consumer's. With an io_context run by one thread that is that thread; with several, hooks of
/// different connections may run at the same time, so an object registered with several
/// connections must be thread-safe. A hook must not block: the client's I/O waits for it.
///
/// Cost: none when no hooks are registered (one pointer test per request or batch). With hooks,
/// one virtual call per request, response, batch or fetched partition, never per record; the
/// views they get point into the client's buffers and live only during the call.
///
/// A hook that throws is caught, logged at error level and counted in hook_errors of the
/// client's stats; the client goes on.
#include <kasio/error.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kasio {

/// The broker a connection hook is about.
struct broker_ref {
    std::int32_t node_id = -1;  ///< -1 for a bootstrap address
    std::string_view address;   ///< "host:port"
};

/// A request put on the wire (its write completed).
struct request_event {
    broker_ref broker;                ///< where it went
    std::int16_t api_key = 0;         ///< Kafka's API key (0 Produce, 1 Fetch, ...)
    std::int16_t api_version = 0;     ///< the version it was written at
    std::int32_t correlation_id = 0;  ///< its id on the connection
    std::size_t bytes = 0;  ///< the frame, size prefix included
};

/// A request ended: its response was read (ec clear), or it ended without one (timed out,
/// connection lost, cancelled).
struct response_event {
    broker_ref broker;                ///< where the request went
    std::int16_t api_key = 0;         ///< Kafka's API key
    std::int16_t api_version = 0;     ///< the request's version
    std::int32_t correlation_id = 0;  ///< the request's id on the connection
    std::size_t bytes = 0;                    ///< the response frame, size prefix included; 0 without one
    std::chrono::microseconds latency{0};     ///< from the write to the response
    error_code ec;  ///< why it ended without a response; clear when answered
};

/// A producer batch completed: acknowledged (ec clear), or failed for good (not called for a
/// batch put back for a retry).
struct batch_event {
    std::string_view topic;       ///< the batch's topic
    std::int32_t partition = 0;   ///< and partition
    std::int64_t base_offset = -1;   ///< -1 when failed or acks=0
    std::size_t records = 0;         ///< records in it
    std::size_t bytes = 0;           ///< the record batch on the wire (compressed)
    std::size_t uncompressed_bytes = 0;  ///< its records before compression
    std::uint32_t attempts = 0;      ///< Produce requests it went in (1: no retry)
    std::chrono::microseconds latency{0};  ///< from its first record's send to this completion
    error_code ec;  ///< why it failed; clear when acknowledged
};

/// A partition's data in a fetch response, handed to the consumer's prefetch buffer.
struct fetch_event {
    std::string_view topic;         ///< the partition's topic
    std::int32_t partition = 0;     ///< and number
    std::int32_t node_id = -1;      ///< the broker it came from
    std::size_t bytes = 0;          ///< record batch bytes
    std::int64_t high_watermark = -1;  ///< the partition's, as the response said
    std::int64_t fetch_offset = 0;  ///< the offset asked for
    error_code ec;                  ///< the partition's error code, if any
};

/// Override what you need; see the file comment for where and when they run.
class client_hooks {
public:
    virtual ~client_hooks() = default;

    /// A connection was set up (ec clear: ready for requests) or failed to be (ec: why).
    /// `took` is the set-up's time (resolve, TCP, TLS, ApiVersions, SASL).
    virtual void on_connect(const broker_ref& broker, error_code ec, std::chrono::microseconds took) {
        (void)broker, (void)ec, (void)took;
    }
    /// A connection that was ready closed; `why` as connection::async_wait_closed's.
    virtual void on_disconnect(const broker_ref& broker, error_code why) { (void)broker, (void)why; }
    /// A request's frame was written to the socket (once its write completed).
    virtual void on_request_written(const request_event& e) { (void)e; }
    /// A request ended: answered, or failed without a response.
    virtual void on_response_read(const response_event& e) { (void)e; }
    /// A producer batch was acknowledged or failed for good.
    virtual void on_batch_delivered(const batch_event& e) { (void)e; }
    /// A fetched partition's records went to the consumer's prefetch buffer.
    virtual void on_fetch_received(const fetch_event& e) { (void)e; }
};

}  // namespace kasio

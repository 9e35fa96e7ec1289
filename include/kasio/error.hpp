#pragma once
/// @file
/// Error codes: kasio::error_code is Boost.System's, so `co_await` throws it as
/// boost::system::system_error and it converts to std::error_code.
///
/// Two categories: client_errc for conditions kasio detects itself, broker_errc for the
/// error codes a Kafka broker returns (value = the Kafka protocol code, generated from
/// src/protocol/schema/errors.ks). Ask is_retriable()/is_fatal(); never parse messages.
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <cstdint>
#include <string>
#include <type_traits>

namespace kasio {

/// The error type of every kasio operation: Boost.System's, so `co_await` throws it as
/// boost::system::system_error, and it converts to std::error_code.
using error_code = boost::system::error_code;
/// The category type behind client_category() and broker_category().
using error_category = boost::system::error_category;

/// Conditions detected by kasio itself (not sent by a broker).
enum class client_errc : int {
    ok = 0,
    truncated,                 ///< input ended before the value it announced
    invalid_length,            ///< a negative, oversized or inconsistent length field
    invalid_varint,            ///< a varint longer than its type allows
    invalid_value,             ///< a value outside the range the protocol allows
    crc_mismatch,              ///< record batch / message CRC does not match its bytes
    unsupported_magic,         ///< record format (magic byte) kasio does not read
    unsupported_version,       ///< message version outside what kasio implements
    no_common_version,         ///< broker and kasio share no version of an API
    unsupported_codec,         ///< compression codec id unknown or not built in
    compression_failed,        ///< a codec library reported an error while compressing
    decompression_failed,      ///< compressed data is corrupt or truncated
    decompressed_size_limit,   ///< decompressing would exceed the configured limit
    frame_too_large,           ///< a response frame larger than receive.message.max.bytes
    correlation_id_mismatch,   ///< a response nobody is waiting for
    trailing_bytes,            ///< bytes left over after a complete message
    timed_out,                 ///< a client-side timeout expired
    connection_closed,         ///< the connection closed with requests in flight
    invalid_config,            ///< a configuration name or value is not valid
    tls_handshake_failed,      ///< the TLS handshake failed (protocol, cipher, bad client key)
    certificate_verify_failed, ///< the broker's certificate was refused (CA, expiry, host name)
    all_brokers_down,          ///< no broker could be reached (librdkafka's _ALL_BROKERS_DOWN)
    not_kafka_peer,            ///< the peer does not speak Kafka (HTTP, TLS on a plaintext port, ...)
    buffer_exhausted,          ///< buffer.memory stayed full for max.block.ms (Java's BufferExhaustedException)
    metadata_timeout,          ///< the topic was not in the cluster's metadata within max.block.ms
    callback_failed,           ///< an application callback threw; the context says which
    internal_error,            ///< an exception stopped one of kasio's loops (logged with its text)
    incomplete_response,       ///< a broker's response left out a partition or item the request named
    invalid_partition,         ///< a record names a partition the topic does not have
    queue_full,                ///< too many requests already wait for a connection to that broker
    invalid_transaction_state, ///< the call is not allowed in the producer's transaction state
    transaction_aborted,       ///< the record's transaction was aborted before the record was sent
};

/// The category of client_errc codes (name "kasio.client"). Thread safety: any thread.
const error_category& client_category() noexcept;

/// Makes client_errc usable as an error_code (`error_code ec = client_errc::timed_out;`).
inline error_code make_error_code(client_errc e) noexcept {
    return {static_cast<int>(e), client_category()};
}

/// Error codes returned by Kafka brokers; enumerators are generated (broker_errc.hpp).
enum class broker_errc : int;

/// The category of broker_errc codes; message() gives Kafka's name and description of the code.
/// Thread safety: any thread.
const error_category& broker_category() noexcept;

/// Makes broker_errc usable as an error_code (`ec == broker_errc::not_leader_or_follower`).
inline error_code make_error_code(broker_errc e) noexcept {
    return {static_cast<int>(e), broker_category()};
}

/// True when retrying the same operation may succeed (Kafka's RetriableException set, plus
/// client conditions such as a timed-out request or a closed connection).
bool is_retriable(const error_code& ec) noexcept;

/// True when a broker error means the client's metadata (leaders, topics) is out of date, so
/// that it is refreshed before the retry: Java's InvalidMetadataException family (flag
/// `metadata` in src/protocol/schema/errors.ks). Every such code is also retriable.
bool needs_metadata_refresh(const error_code& ec) noexcept;

/// True when the client instance cannot continue (e.g. a fenced producer).
bool is_fatal(const error_code& ec) noexcept;

/// What explains an error beyond its code, as Boost.MySQL's diagnostics: the broker's own
/// error_message and where the error arose. Any field may be empty (-1 for numbers).
struct error_context {
    std::string message;          ///< the broker's error_message, or kasio's explanation
    std::string broker;           ///< "host:port" of the broker that answered or was tried
    std::int32_t node_id = -1;    ///< that broker's node id, when known
    std::string api;              ///< the Kafka request, e.g. "JoinGroup"
    /// The topic concerned, when one is.
    std::string topic;
    /// The partition of `topic` concerned, when one is.
    std::int32_t partition = -1;
    std::string property;         ///< the configuration property at fault, e.g. "linger.ms"

    /// One line for a log or an exception: the code's message, then the context, e.g.
    /// "invalid_session_timeout: <Kafka's description>: <the broker's message> (JoinGroup, broker
    /// localhost:9092 id 1)".
    std::string describe(const error_code& ec) const;
    /// True when no field says anything (the numbers are not looked at).
    bool empty() const noexcept {
        return message.empty() && broker.empty() && api.empty() && topic.empty() && property.empty();
    }
};

/// An error code with its context: what configuration checks and last_error() return.
struct error_info {
    /// What happened; empty (success) when nothing did.
    error_code code;
    /// What explains it.
    error_context context;

    /// True when `code` holds an error.
    explicit operator bool() const noexcept { return static_cast<bool>(code); }
    /// One line for a log: context.describe(code).
    std::string describe() const { return context.describe(code); }
};

/// Thrown by a client's constructor when its configuration is refused (an out-of-range value set
/// in the struct, a conflict between properties). what() names the property and its range;
/// code() is client_errc::invalid_config. Call the configuration's validate() to check first.
class config_error : public boost::system::system_error {
public:
    /// Takes the refused configuration's code and context; what() is info.describe().
    explicit config_error(error_info info)
        : boost::system::system_error(info.code), what_(info.describe()), info_(std::move(info)) {}
    /// The property and its fault in one line, e.g. "invalid configuration: linger.ms: 1000000 is out of range 0..900000".
    const char* what() const noexcept override { return what_.c_str(); }
    /// The code (client_errc::invalid_config) and its context (`context.property` names the property).
    const error_info& info() const noexcept { return info_; }

private:
    std::string what_;
    error_info info_;
};

}  // namespace kasio

namespace boost::system {
template <> struct is_error_code_enum<kasio::client_errc> : std::true_type {};
template <> struct is_error_code_enum<kasio::broker_errc> : std::true_type {};
}  // namespace boost::system

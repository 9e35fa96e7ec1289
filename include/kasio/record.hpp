#pragma once
/// @file
/// The record a producer sends and the report of its delivery.
///
/// A record only views its bytes: send() copies them once, straight into the open batch of
/// the record's partition (the wire format, Kafka's DefaultRecord), and does not keep the
/// views. The caller keeps topic, key, value and headers alive until send() returns, not
/// until delivery.
#include <kasio/error.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace kasio {

/// A non-owning view of bytes (keys, values, header values).
using bytes_view = std::span<const std::uint8_t>;

/// The bytes of a string (no copy; the view lives as long as the string's storage).
inline bytes_view bytes_of(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// One record header. Kafka allows repeated keys; a header key is never null on the wire.
struct record_header {
    /// The header's name (any bytes; not null).
    std::string_view key;
    std::optional<bytes_view> value;  ///< nullopt: a null value
};

/// A record to send. Views only: valid until send() returns.
struct record {
    /// The topic to send to (required).
    std::string_view topic;
    /// The partition; nullopt lets the producer's partitioner choose (murmur2 of the key as
    /// the Java client does, KIP-794 uniform sticky partitioning for a null key).
    std::optional<std::int32_t> partition;
    std::optional<bytes_view> key;    ///< nullopt: a null key
    std::optional<bytes_view> value;  ///< nullopt: a null value (a tombstone on compacted topics)
    /// Sent in this order; keys may repeat.
    std::span<const record_header> headers;
    /// Milliseconds since the Unix epoch (CreateTime); nullopt: the producer's wall clock at send.
    std::optional<std::int64_t> timestamp;
};

/// Where a record landed.
struct delivery {
    /// The record's partition; -1 when it failed before one was chosen.
    std::int32_t partition = -1;
    /// -1 when unknown: acks=0, a failed record, or a retry the broker recognised as a
    /// duplicate of a batch it had already written (DUPLICATE_SEQUENCE_NUMBER).
    std::int64_t offset = -1;
    /// The record's CreateTime, or the broker's LogAppendTime when the topic uses it.
    std::int64_t timestamp = -1;
    /// With an error: what explains it (the broker's error_message, the broker, the topic and
    /// partition, the request). Shared by the records of one batch; null on success.
    std::shared_ptr<const error_context> context;
};

}  // namespace kasio

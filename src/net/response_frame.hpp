#pragma once
// One response as it came off the wire: the owning buffer plus its decoded header.
#include "protocol/headers.hpp"
#include "protocol/primitives.hpp"
#include "protocol/reader.hpp"

#include <kasio/error.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace kasio::net {

/// The bytes of one response frame (after the 4-byte length), owned here, and what the
/// multiplexer learnt while matching it: the request's api key and version tell the caller how
/// to decode body().
struct response_frame {
    protocol::byte_buffer data;       ///< response header + body
    protocol::response_header header;
    std::int16_t api_key = -1;
    std::int16_t api_version = -1;    ///< the version the request was sent at
    std::size_t body_offset = 0;      ///< where the body starts in data (after the header)
    /// When the request failed before reaching a broker (the pool refused it or could not
    /// connect): which broker and connection, and why; null otherwise. Shared and immutable: one
    /// failure is often every queued request's, and a frame stays small on the hot path.
    std::shared_ptr<const error_context> failure;

    protocol::bytes_view body() const noexcept {
        return protocol::bytes_view(data).subspan(body_offset);
    }
};

/// Decodes the body of a response frame at the version its request was sent at.
///
/// Bytes after the body are ignored, as the Java client, librdkafka and franz-go do: librdkafka
/// 2.14's mock cluster ends flexible Metadata responses with a second empty tagged-field byte
/// (the handler writes one and rd_kafka_mock_connection_send_response adds another).
template <class Response>
error_code decode_response(const response_frame& frame, Response& out) {
    protocol::reader r(frame.body());
    if (auto ec = decode(r, out, frame.api_version)) return ec;
    return r.error();
}

}  // namespace kasio::net

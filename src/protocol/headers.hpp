#pragma once
// Kafka request and response headers, and whole frames (size + header + body).
//
// Request header v0: api_key, api_version, correlation_id; v1 adds client_id (a nullable
// classic string, still classic in v2); v2 (flexible requests, KIP-482) adds tagged fields.
// Response header v0: correlation_id; v1 (flexible responses) adds tagged fields, except for
// ApiVersions, whose responses always use v0 so that a broker can answer a client whose request
// version it does not know (KIP-511).
#include "protocol/codegen/runtime/message_support.hpp"
#include "protocol/reader.hpp"
#include "protocol/writer.hpp"

#include <kasio/error.hpp>

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kasio::protocol {

struct request_header {
    std::int16_t api_key = 0;
    std::int16_t api_version = 0;
    std::int32_t correlation_id = 0;
    std::optional<std::string> client_id;  ///< v1+
    unknown_tagged_fields unknown_tagged;  ///< v2
    friend bool operator==(const request_header&, const request_header&) = default;
};

struct response_header {
    std::int32_t correlation_id = 0;
    unknown_tagged_fields unknown_tagged;  ///< v1
    friend bool operator==(const response_header&, const response_header&) = default;
};

/// 2 when request `api_version` of `api_key` is flexible, else 1 (also for unknown APIs).
std::int16_t request_header_version(std::int16_t api_key, std::int16_t api_version) noexcept;
/// 1 when the response is flexible, else 0; always 0 for ApiVersions (KIP-511).
std::int16_t response_header_version(std::int16_t api_key, std::int16_t api_version) noexcept;

/// Header codecs for an explicit header version (request 0-2, response 0-1).
std::size_t encoded_size(const request_header& h, std::int16_t header_version);
void encode(writer& w, const request_header& h, std::int16_t header_version);
error_code decode(reader& r, request_header& h, std::int16_t header_version);
std::size_t encoded_size(const response_header& h, std::int16_t header_version);
void encode(writer& w, const response_header& h, std::int16_t header_version);
error_code decode(reader& r, response_header& h, std::int16_t header_version);

/// Reads a request header whose version follows from its own api_key and api_version (how a
/// broker reads it).
error_code decode_request_header(reader& r, request_header& h);

/// The correlation id at the start of a response frame (after the size prefix), to route the
/// frame before knowing its type; nullopt when the frame is shorter than 4 bytes.
std::optional<std::int32_t> peek_correlation_id(bytes_view frame) noexcept;

namespace detail {
std::size_t request_header_size(std::int16_t header_version, std::optional<std::string_view> client_id) noexcept;
void write_request_header(writer& w, std::int16_t header_version, std::int16_t api_key, std::int16_t api_version,
                          std::int32_t correlation_id, std::optional<std::string_view> client_id);
std::size_t response_header_size(std::int16_t header_version) noexcept;
void write_response_header(writer& w, std::int16_t header_version, std::int32_t correlation_id);

template <class Message>
constexpr bool is_flexible(std::int16_t version) noexcept {
    return Message::first_flexible_version >= 0 && version >= Message::first_flexible_version;
}
}  // namespace detail

/// Appends a request frame: 4-byte size, request header, body. Reserves once (with room to
/// spare, for reuse).
/// Precondition: Request::min_version <= version <= Request::max_version; client_id at most
/// 32767 bytes.
template <class Request>
void encode_request_frame(byte_buffer& out, const Request& body, std::int16_t version, std::int32_t correlation_id,
                          std::optional<std::string_view> client_id) {
    assert(version >= Request::min_version && version <= Request::max_version);
    const std::int16_t hv = detail::is_flexible<Request>(version) ? 2 : 1;
    const std::size_t size = detail::request_header_size(hv, client_id) + encoded_size(body, version);
    // A quarter more when it must grow: callers reuse frame buffers, and the next request of
    // about this size then fits without a new allocation.
    if (const std::size_t need = out.size() + 4 + size; need > out.capacity()) out.reserve(need + need / 4);
    writer w(out);
    w.write_int32(static_cast<std::int32_t>(size));
    detail::write_request_header(w, hv, Request::api_key, version, correlation_id, client_id);
    encode(w, body, version);
}

/// Whether the broker answers `request`: every request does but a Produce with acks = 0, which
/// the broker appends without a word (the Java client and librdkafka expect nothing either).
template <class Request>
bool expects_response(const Request& request) noexcept {
    if constexpr (Request::api_key == 0 && requires { request.acks; }) return request.acks != 0;
    return true;
}

/// Appends a response frame: 4-byte size, response header, body (what a broker sends).
template <class Response>
void encode_response_frame(byte_buffer& out, const Response& body, std::int16_t version, std::int32_t correlation_id) {
    assert(version >= Response::min_version && version <= Response::max_version);
    const std::int16_t hv = response_header_version(Response::api_key, version);
    const std::size_t size = detail::response_header_size(hv) + encoded_size(body, version);
    out.reserve(out.size() + 4 + size);
    writer w(out);
    w.write_int32(static_cast<std::int32_t>(size));
    detail::write_response_header(w, hv, correlation_id);
    encode(w, body, version);
}

/// Decodes a response frame without its size prefix: header, then body in `version`; fails
/// with client_errc::trailing_bytes when bytes are left over. Records in `body` are views into
/// `frame`.
template <class Response>
error_code decode_response_frame(bytes_view frame, response_header& header, Response& body, std::int16_t version) {
    reader r(frame);
    if (auto ec = decode(r, header, response_header_version(Response::api_key, version))) return ec;
    if (auto ec = decode(r, body, version)) return ec;
    if (r.remaining() != 0) return make_error_code(client_errc::trailing_bytes);
    return {};
}

/// Decodes a request frame without its size prefix (what a broker receives). Fails with
/// client_errc::invalid_value when the header names another API.
template <class Request>
error_code decode_request_frame(bytes_view frame, request_header& header, Request& body) {
    reader r(frame);
    if (auto ec = decode_request_header(r, header)) return ec;
    if (header.api_key != Request::api_key) return make_error_code(client_errc::invalid_value);
    if (auto ec = decode(r, body, header.api_version)) return ec;
    if (r.remaining() != 0) return make_error_code(client_errc::trailing_bytes);
    return {};
}

}  // namespace kasio::protocol

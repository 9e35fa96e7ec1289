#include "protocol/headers.hpp"

#include "protocol/api_table.hpp"

namespace kasio::protocol {
namespace {

constexpr std::int16_t api_versions_key = 18;

bool is_flexible(std::int16_t api_key, std::int16_t api_version) noexcept {
    const api_info* api = find_api(api_key);
    return api != nullptr && api->first_flexible_version >= 0 && api_version >= api->first_flexible_version;
}

std::size_t tagged_section_size(const unknown_tagged_fields& u) noexcept {
    return uvarint_size(u.size()) + detail::unknown_tagged_size(u);
}

void write_tagged_section(writer& w, const unknown_tagged_fields& u) {
    w.write_uvarint(u.size());
    detail::tag_writer(w, u).finish();
}

void read_tagged_section(reader& r, unknown_tagged_fields& u) {
    detail::read_tagged_fields(r, u, [](std::uint32_t, reader&) { return false; });
}

// Everything after api_key and api_version.
void read_request_header_rest(reader& r, request_header& h, std::int16_t header_version) {
    h.correlation_id = r.read_int32();
    if (header_version >= 1) h.client_id = r.read_nullable_string(false);  // classic, even in v2
    if (header_version >= 2) read_tagged_section(r, h.unknown_tagged);
}

}  // namespace

std::int16_t request_header_version(std::int16_t api_key, std::int16_t api_version) noexcept {
    return is_flexible(api_key, api_version) ? 2 : 1;
}

std::int16_t response_header_version(std::int16_t api_key, std::int16_t api_version) noexcept {
    if (api_key == api_versions_key) return 0;  // KIP-511
    return is_flexible(api_key, api_version) ? 1 : 0;
}

namespace detail {

std::size_t request_header_size(std::int16_t header_version, std::optional<std::string_view> client_id) noexcept {
    std::size_t n = 8;
    if (header_version >= 1) n += 2 + (client_id ? client_id->size() : 0);
    if (header_version >= 2) n += 1;  // no tagged fields
    return n;
}

void write_request_header(writer& w, std::int16_t header_version, std::int16_t api_key, std::int16_t api_version,
                          std::int32_t correlation_id, std::optional<std::string_view> client_id) {
    w.write_int16(api_key);
    w.write_int16(api_version);
    w.write_int32(correlation_id);
    if (header_version >= 1) {
        assert((!client_id || client_id->size() <= 32767) && "client.id is at most 32767 bytes");
        if (client_id) w.write_string(*client_id, false);
        else w.write_string_length(-1, false);
    }
    if (header_version >= 2) w.write_uvarint(0);
}

std::size_t response_header_size(std::int16_t header_version) noexcept { return header_version >= 1 ? 5 : 4; }

void write_response_header(writer& w, std::int16_t header_version, std::int32_t correlation_id) {
    w.write_int32(correlation_id);
    if (header_version >= 1) w.write_uvarint(0);
}

}  // namespace detail

std::size_t encoded_size(const request_header& h, std::int16_t header_version) {
    std::size_t n = 8;
    if (header_version >= 1) n += detail::field_size(h.client_id, false);
    if (header_version >= 2) n += tagged_section_size(h.unknown_tagged);
    return n;
}

void encode(writer& w, const request_header& h, std::int16_t header_version) {
    assert(header_version >= 0 && header_version <= 2);
    w.buffer().reserve(w.position() + encoded_size(h, header_version));
    w.write_int16(h.api_key);
    w.write_int16(h.api_version);
    w.write_int32(h.correlation_id);
    if (header_version >= 1) detail::write_field(w, h.client_id, false, true);
    if (header_version >= 2) write_tagged_section(w, h.unknown_tagged);
}

error_code decode(reader& r, request_header& h, std::int16_t header_version) {
    if (header_version < 0 || header_version > 2) return make_error_code(client_errc::unsupported_version);
    h = request_header{};
    h.api_key = r.read_int16();
    h.api_version = r.read_int16();
    read_request_header_rest(r, h, header_version);
    return r.error();
}

error_code decode_request_header(reader& r, request_header& h) {
    h = request_header{};
    h.api_key = r.read_int16();
    h.api_version = r.read_int16();
    read_request_header_rest(r, h, request_header_version(h.api_key, h.api_version));
    return r.error();
}

std::size_t encoded_size(const response_header& h, std::int16_t header_version) {
    return 4 + (header_version >= 1 ? tagged_section_size(h.unknown_tagged) : 0);
}

void encode(writer& w, const response_header& h, std::int16_t header_version) {
    assert(header_version >= 0 && header_version <= 1);
    w.buffer().reserve(w.position() + encoded_size(h, header_version));
    w.write_int32(h.correlation_id);
    if (header_version >= 1) write_tagged_section(w, h.unknown_tagged);
}

error_code decode(reader& r, response_header& h, std::int16_t header_version) {
    if (header_version < 0 || header_version > 1) return make_error_code(client_errc::unsupported_version);
    h = response_header{};
    h.correlation_id = r.read_int32();
    if (header_version >= 1) read_tagged_section(r, h.unknown_tagged);
    return r.error();
}

std::optional<std::int32_t> peek_correlation_id(bytes_view frame) noexcept {
    if (frame.size() < 4) return std::nullopt;
    reader r(frame.first(4));
    return r.read_int32();
}

}  // namespace kasio::protocol

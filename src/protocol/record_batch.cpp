// Record headers and control records (shared by all batch formats).
#include "protocol/record_batch.hpp"

#include "protocol/record_batch_wire.hpp"

namespace kasio::protocol {

void headers_view::iterator::decode() noexcept {
    // The bytes were validated when the record was decoded, so these reads cannot fail.
    reader r(rest_);
    const auto key = detail::read_varbytes(r);
    current_.key = key ? detail::as_string_view(*key) : std::string_view{};
    current_.value = detail::read_varbytes(r);
    rest_ = r.rest();
}

error_code validate_record_headers(bytes_view raw, std::int32_t count) noexcept {
    // Each header takes at least two bytes (two one-byte lengths): a huge count fails here
    // before any loop runs.
    if (count == 0 && raw.empty()) return {};
    if (count < 0 || static_cast<std::size_t>(count) > raw.size() / 2) return client_errc::invalid_length;
    reader r(raw);
    for (std::int32_t i = 0; i < count && r.ok(); ++i) {
        const auto key = detail::read_varbytes(r);
        if (r.ok() && !key) r.fail(client_errc::invalid_length);  // header keys are never null
        detail::read_varbytes(r);
    }
    if (!r.ok()) {
        // A varint running past the record's end disagrees with the record's length.
        return r.error() == client_errc::truncated ? make_error_code(client_errc::invalid_length) : r.error();
    }
    if (r.remaining() != 0) return client_errc::invalid_length;
    return {};
}

error_code parse_control_record(const record_view& r, control_record& out) noexcept {
    if (!r.key || r.key->size() < 4) return client_errc::invalid_value;
    const auto version = detail::load_be<std::int16_t>(r.key->data());
    if (version < 0) return client_errc::invalid_value;
    out.version = version;
    out.type = detail::load_be<std::int16_t>(r.key->data() + 2);
    return {};
}

}  // namespace kasio::protocol

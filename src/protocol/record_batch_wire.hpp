#pragma once
// Small wire helpers shared by the record batch encoder and decoders (internal header).
#include "protocol/reader.hpp"

#include <cstring>
#include <optional>

namespace kasio::protocol::detail {

/// Writes v big-endian at p (patching a header in place; the buffer is already sized).
template <class T>
inline void store_be(std::uint8_t* p, T v) noexcept {
    using U = std::make_unsigned_t<T>;
    U be = to_big_endian(static_cast<U>(v));
    std::memcpy(p, &be, sizeof be);
}

template <class T>
inline T load_be(const std::uint8_t* p) noexcept {
    using U = std::make_unsigned_t<T>;
    U be;
    std::memcpy(&be, p, sizeof be);
    return static_cast<T>(from_big_endian(be));
}

/// Unsigned LEB128 at p (room for uvarint_size(v) bytes); returns the end.
inline std::uint8_t* put_uvarint(std::uint8_t* p, std::uint64_t v) noexcept {
    while (v >= 0x80) {
        *p++ = static_cast<std::uint8_t>(v | 0x80);
        v >>= 7;
    }
    *p++ = static_cast<std::uint8_t>(v);
    return p;
}

/// Size of a varint-length-prefixed nullable field (the length -1 for null takes one byte).
inline std::size_t varbytes_size(std::size_t n) noexcept {
    return varint_size(static_cast<std::int32_t>(n)) + n;
}

inline std::uint8_t* put_varbytes(std::uint8_t* p, const std::uint8_t* data, std::size_t n) noexcept {
    p = put_uvarint(p, zigzag32(static_cast<std::int32_t>(n)));
    if (n != 0) std::memcpy(p, data, n);
    return p + n;
}

inline std::uint8_t* put_null_varbytes(std::uint8_t* p) noexcept {
    *p++ = 1;  // zigzag(-1)
    return p;
}

/// A varint-length-prefixed nullable field inside a record (its length already checked):
/// -1 is null; a length below -1 or past the record's end is invalid_length, since it
/// disagrees with the record's own declared size.
inline std::optional<bytes_view> read_varbytes(reader& r) noexcept {
    const std::int32_t n = r.read_varint();
    if (!r.ok()) return std::nullopt;
    if (n < 0) {
        if (n != -1) r.fail(client_errc::invalid_length);
        return std::nullopt;
    }
    if (static_cast<std::size_t>(n) > r.remaining()) {
        r.fail(client_errc::invalid_length);
        return std::nullopt;
    }
    return r.read_raw(static_cast<std::size_t>(n));
}

/// Two's complement addition without signed overflow (hostile deltas must not be UB).
inline std::int64_t wrapping_add(std::int64_t a, std::int64_t b) noexcept {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

inline std::int64_t wrapping_sub(std::int64_t a, std::int64_t b) noexcept {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}

inline std::string_view as_string_view(bytes_view b) noexcept {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace kasio::protocol::detail

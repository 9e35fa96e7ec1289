#pragma once
// Types shared by the wire reader/writer and the generated messages.
#include <array>
#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace kasio::protocol {

/// A non-owning view of bytes; the owner of the buffer keeps it alive.
using bytes_view = std::span<const std::uint8_t>;
using byte_buffer = std::vector<std::uint8_t>;

/// Kafka's UUID (topic ids): 16 raw bytes, the all-zero value meaning "none".
struct uuid {
    std::array<std::uint8_t, 16> bytes{};
    friend bool operator==(const uuid&, const uuid&) = default;
    bool is_nil() const noexcept { return *this == uuid{}; }
};

/// A tagged field kasio does not know (KIP-482); kept so a message re-encodes unchanged.
struct unknown_tagged_field {
    std::uint32_t tag = 0;
    byte_buffer data;
    friend bool operator==(const unknown_tagged_field&, const unknown_tagged_field&) = default;
};
using unknown_tagged_fields = std::vector<unknown_tagged_field>;

inline constexpr std::size_t uvarint_size(std::uint64_t v) noexcept {
    std::size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}
inline constexpr std::uint32_t zigzag32(std::int32_t v) noexcept {
    return (static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31);
}
inline constexpr std::uint64_t zigzag64(std::int64_t v) noexcept {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
inline constexpr std::int32_t unzigzag32(std::uint32_t v) noexcept {
    return static_cast<std::int32_t>((v >> 1) ^ (~(v & 1) + 1));
}
inline constexpr std::int64_t unzigzag64(std::uint64_t v) noexcept {
    return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
}
inline constexpr std::size_t varint_size(std::int32_t v) noexcept { return uvarint_size(zigzag32(v)); }
inline constexpr std::size_t varlong_size(std::int64_t v) noexcept { return uvarint_size(zigzag64(v)); }

}  // namespace kasio::protocol

namespace kasio::protocol {

/// Converts between host order and Kafka's big-endian order (the same operation both ways).
template <class T>
constexpr T from_big_endian(T v) noexcept {
    static_assert(std::is_unsigned_v<T>);
    static_assert(std::endian::native == std::endian::little, "kasio assumes a little-endian host");
    if constexpr (sizeof(T) == 1) return v;
    else if constexpr (sizeof(T) == 2) return __builtin_bswap16(v);
    else if constexpr (sizeof(T) == 4) return __builtin_bswap32(v);
    else return __builtin_bswap64(v);
}
template <class T>
constexpr T to_big_endian(T v) noexcept { return from_big_endian(v); }

}  // namespace kasio::protocol

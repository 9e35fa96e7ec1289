#pragma once
// Big-endian writer appending to a byte buffer the caller owns.
//
// Messages compute their encoded size first (encoded_size) so the buffer is reserved once;
// the writer itself never fails: a value that cannot be represented (a string over 32767
// bytes in a classic string) is the encoder's responsibility to reject before writing.
#include "protocol/primitives.hpp"

#include <cstring>
#include <optional>
#include <string_view>

namespace kasio::protocol {

class writer {
public:
    explicit writer(byte_buffer& out) noexcept : out_(out) {}

    std::size_t position() const noexcept { return out_.size(); }
    byte_buffer& buffer() noexcept { return out_; }

    void write_int8(std::int8_t v) { out_.push_back(static_cast<std::uint8_t>(v)); }
    void write_uint8(std::uint8_t v) { out_.push_back(v); }
    void write_bool(bool v) { out_.push_back(v ? 1 : 0); }
    void write_int16(std::int16_t v) { fixed(static_cast<std::uint16_t>(v)); }
    void write_uint16(std::uint16_t v) { fixed(v); }
    void write_int32(std::int32_t v) { fixed(static_cast<std::uint32_t>(v)); }
    void write_uint32(std::uint32_t v) { fixed(v); }
    void write_int64(std::int64_t v) { fixed(static_cast<std::uint64_t>(v)); }
    void write_float64(double d) {
        std::uint64_t bits;
        std::memcpy(&bits, &d, sizeof d);
        fixed(bits);
    }

    void write_uvarint(std::uint64_t v) {
        std::uint8_t tmp[10];
        std::size_t n = 0;
        while (v >= 0x80) {
            tmp[n++] = static_cast<std::uint8_t>(v | 0x80);
            v >>= 7;
        }
        tmp[n++] = static_cast<std::uint8_t>(v);
        out_.insert(out_.end(), tmp, tmp + n);
    }
    void write_varint(std::int32_t v) { write_uvarint(zigzag32(v)); }
    void write_varlong(std::int64_t v) { write_uvarint(zigzag64(v)); }

    void write_uuid(const uuid& u) { out_.insert(out_.end(), u.bytes.begin(), u.bytes.end()); }
    void write_raw(bytes_view b) { out_.insert(out_.end(), b.begin(), b.end()); }

    /// Length prefixes; -1 is null. Compact lengths are written as N+1 (0 = null).
    void write_string_length(std::int32_t n, bool compact) {
        if (compact) write_uvarint(static_cast<std::uint32_t>(n + 1));
        else write_int16(static_cast<std::int16_t>(n));
    }
    void write_bytes_length(std::int32_t n, bool compact) {
        if (compact) write_uvarint(static_cast<std::uint32_t>(n + 1));
        else write_int32(n);
    }
    void write_array_length(std::int32_t n, bool compact) { write_bytes_length(n, compact); }

    void write_string(std::string_view s, bool compact) {
        write_string_length(static_cast<std::int32_t>(s.size()), compact);
        write_raw({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
    }
    void write_nullable_string(const std::optional<std::string>& s, bool compact) {
        if (!s) write_string_length(-1, compact);
        else write_string(*s, compact);
    }
    void write_bytes(bytes_view b, bool compact) {
        write_bytes_length(static_cast<std::int32_t>(b.size()), compact);
        write_raw(b);
    }

    /// Reserves a 4-byte slot (e.g. a length) to fill in later with patch_int32.
    std::size_t reserve_int32() {
        out_.resize(out_.size() + 4);
        return out_.size() - 4;
    }
    void patch_int32(std::size_t at, std::int32_t v) noexcept {
        std::uint32_t be = to_big_endian(static_cast<std::uint32_t>(v));
        std::memcpy(out_.data() + at, &be, 4);
    }

private:
    template <class T>
    void fixed(T v) {
        // resize + memcpy rather than insert: g++ 12 -O2 reports a false -Wstringop-overflow
        // for a small insert into an empty vector.
        T be = to_big_endian(v);
        const std::size_t at = out_.size();
        out_.resize(at + sizeof(T));
        std::memcpy(out_.data() + at, &be, sizeof(T));
    }

    byte_buffer& out_;
};

/// Encoded sizes of length prefixes, matching writer's.
inline constexpr std::size_t length_prefix_size(std::int32_t n, bool compact, std::size_t classic) noexcept {
    return compact ? uvarint_size(static_cast<std::uint32_t>(n + 1)) : classic;
}

}  // namespace kasio::protocol

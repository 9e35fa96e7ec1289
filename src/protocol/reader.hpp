#pragma once
// Bounds-checked big-endian reader over a byte span, with a sticky error.
//
// After the first failure every read returns a zero value and the error stays: callers
// decode a whole structure and check ok() once at the end (franz-go's kbin does the same).
// A length is always checked against the bytes left before anything is allocated, so a
// hostile length costs nothing.
#include "protocol/primitives.hpp"

#include <kasio/error.hpp>

#include <cstring>
#include <optional>
#include <string_view>

namespace kasio::protocol {

class reader {
public:
    explicit reader(bytes_view data) noexcept : data_(data) {}

    bool ok() const noexcept { return error_ == client_errc::ok; }
    error_code error() const noexcept { return ok() ? error_code{} : make_error_code(error_); }
    std::size_t remaining() const noexcept { return data_.size() - pos_; }
    std::size_t position() const noexcept { return pos_; }
    bytes_view rest() const noexcept { return data_.subspan(pos_); }

    /// Records the first failure; later reads return zero values.
    void fail(client_errc e) noexcept {
        if (ok()) error_ = e;
        pos_ = data_.size();
    }

    std::int8_t read_int8() noexcept { return static_cast<std::int8_t>(fixed<std::uint8_t>()); }
    std::uint8_t read_uint8() noexcept { return fixed<std::uint8_t>(); }
    std::int16_t read_int16() noexcept { return static_cast<std::int16_t>(fixed<std::uint16_t>()); }
    std::uint16_t read_uint16() noexcept { return fixed<std::uint16_t>(); }
    std::int32_t read_int32() noexcept { return static_cast<std::int32_t>(fixed<std::uint32_t>()); }
    std::uint32_t read_uint32() noexcept { return fixed<std::uint32_t>(); }
    std::int64_t read_int64() noexcept { return static_cast<std::int64_t>(fixed<std::uint64_t>()); }
    double read_float64() noexcept {
        std::uint64_t bits = fixed<std::uint64_t>();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;
    }
    /// Kafka booleans are one byte; any non-zero value is true (as in the Java client).
    bool read_bool() noexcept { return fixed<std::uint8_t>() != 0; }

    std::uint32_t read_uvarint() noexcept { return static_cast<std::uint32_t>(uvarint_bits(32)); }
    std::uint64_t read_uvarlong() noexcept { return uvarint_bits(64); }
    std::int32_t read_varint() noexcept { return unzigzag32(read_uvarint()); }
    std::int64_t read_varlong() noexcept { return unzigzag64(read_uvarlong()); }

    uuid read_uuid() noexcept {
        uuid u;
        if (take(16)) std::memcpy(u.bytes.data(), data_.data() + pos_ - 16, 16);
        return u;
    }

    /// A view of the next n bytes (empty on failure).
    bytes_view read_raw(std::size_t n) noexcept {
        if (!take(n)) return {};
        return data_.subspan(pos_ - n, n);
    }
    void skip(std::size_t n) noexcept { take(n); }

    /// Length of a string/bytes/array: int16/int32 classic, or unsigned varint N+1 (compact).
    /// Returns -1 for null; fails when the length is below -1 or exceeds what is left
    /// (for arrays, count * min_element_size must fit in what is left).
    std::int32_t read_string_length(bool compact) noexcept {
        return checked_length(compact ? compact_length() : read_int16(), 1);
    }
    std::int32_t read_bytes_length(bool compact) noexcept {
        return checked_length(compact ? compact_length() : read_int32(), 1);
    }
    std::int32_t read_array_length(bool compact, std::size_t min_element_size) noexcept {
        return checked_length(compact ? compact_length() : read_int32(), min_element_size);
    }

    std::optional<std::string_view> read_nullable_string_view(bool compact) noexcept {
        std::int32_t n = read_string_length(compact);
        if (n < 0) return std::nullopt;
        bytes_view b = read_raw(static_cast<std::size_t>(n));
        return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
    }
    std::string read_string(bool compact) {
        std::int32_t n = read_string_length(compact);
        if (n < 0) {
            if (ok()) fail(client_errc::invalid_length);  // null where the schema forbids it
            return {};
        }
        bytes_view b = read_raw(static_cast<std::size_t>(n));
        return std::string(reinterpret_cast<const char*>(b.data()), b.size());
    }
    std::optional<std::string> read_nullable_string(bool compact) {
        auto v = read_nullable_string_view(compact);
        if (!v) return std::nullopt;
        return std::string(*v);
    }
    std::optional<bytes_view> read_nullable_bytes_view(bool compact) noexcept {
        std::int32_t n = read_bytes_length(compact);
        if (n < 0) return std::nullopt;
        return read_raw(static_cast<std::size_t>(n));
    }

private:
    template <class T>
    T fixed() noexcept {
        if (!take(sizeof(T))) return 0;
        T v;
        std::memcpy(&v, data_.data() + pos_ - sizeof(T), sizeof(T));
        return from_big_endian(v);
    }

    bool take(std::size_t n) noexcept {
        if (n > remaining()) {
            fail(client_errc::truncated);
            return false;
        }
        pos_ += n;
        return true;
    }

    // An unsigned varint of at most `bits` bits: at most ceil(bits / 7) bytes, and the last
    // byte may not carry bits beyond `bits` (else 2^32 would silently read as 0).
    std::uint64_t uvarint_bits(int bits) noexcept {
        const int max_bytes = (bits + 6) / 7;
        std::uint64_t v = 0;
        for (int i = 0; i < max_bytes; ++i) {
            if (!take(1)) return 0;
            std::uint8_t b = data_[pos_ - 1];
            const int shift = 7 * i;
            if (i == max_bytes - 1 && ((b & 0x80) != 0 || (b & 0x7f) >> (bits - shift) != 0)) break;
            v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return v;
        }
        fail(client_errc::invalid_varint);
        return 0;
    }

    // Compact lengths are N+1 with 0 meaning null.
    std::int64_t compact_length() noexcept { return static_cast<std::int64_t>(read_uvarint()) - 1; }

    std::int32_t checked_length(std::int64_t n, std::size_t min_element_size) noexcept {
        if (!ok()) return 0;
        if (n < -1 || (n > 0 && static_cast<std::uint64_t>(n) * min_element_size > remaining())) {
            fail(n < -1 ? client_errc::invalid_length : client_errc::truncated);
            return 0;
        }
        return static_cast<std::int32_t>(n);
    }

    bytes_view data_;
    std::size_t pos_ = 0;
    client_errc error_ = client_errc::ok;
};

}  // namespace kasio::protocol

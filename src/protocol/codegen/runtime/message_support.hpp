#pragma once
// Runtime support for the message codecs kasio-codegen generates (build dir:
// generated/src/protocol/messages/*.cpp). One overload per member type keeps the generated code
// short and uniform: field_size / write_field / read_field for scalars, strings, bytes and
// records; array_* and *_opt_struct take a callable for the elements.
//
// Conventions: `flex` selects the compact encodings of flexible versions (KIP-482);
// `nullable` says whether the field may be null in the version being encoded. A null value in a
// version where the field is not nullable is written as empty (arrays, strings, bytes) or as a
// default-constructed struct; decoding a null there fails with client_errc::invalid_length.
#include "protocol/reader.hpp"
#include "protocol/writer.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kasio::protocol::detail {

// ---- sizes --------------------------------------------------------------------------------

inline std::size_t length_size(std::size_t n, bool flex, std::size_t classic) noexcept {
    return length_prefix_size(static_cast<std::int32_t>(n), flex, classic);
}

constexpr std::size_t field_size(bool, bool) noexcept { return 1; }
constexpr std::size_t field_size(std::int8_t, bool) noexcept { return 1; }
constexpr std::size_t field_size(std::int16_t, bool) noexcept { return 2; }
constexpr std::size_t field_size(std::uint16_t, bool) noexcept { return 2; }
constexpr std::size_t field_size(std::int32_t, bool) noexcept { return 4; }
constexpr std::size_t field_size(std::uint32_t, bool) noexcept { return 4; }
constexpr std::size_t field_size(std::int64_t, bool) noexcept { return 8; }
constexpr std::size_t field_size(double, bool) noexcept { return 8; }
constexpr std::size_t field_size(const uuid&, bool) noexcept { return 16; }
// A null has the size of an empty value in both encodings (-1 vs 0; compact 0 vs 1).
inline std::size_t field_size(const std::string& s, bool flex) noexcept { return length_size(s.size(), flex, 2) + s.size(); }
inline std::size_t field_size(const std::optional<std::string>& s, bool flex) noexcept {
    return s ? field_size(*s, flex) : length_size(0, flex, 2);
}
inline std::size_t field_size(bytes_view b, bool flex) noexcept { return length_size(b.size(), flex, 4) + b.size(); }
inline std::size_t field_size(const byte_buffer& b, bool flex) noexcept { return field_size(bytes_view(b), flex); }
inline std::size_t field_size(const std::optional<byte_buffer>& b, bool flex) noexcept {
    return b ? field_size(*b, flex) : length_size(0, flex, 4);
}
inline std::size_t field_size(const std::optional<bytes_view>& b, bool flex) noexcept {
    return b ? field_size(*b, flex) : length_size(0, flex, 4);
}

template <class T, class F>
std::size_t array_size(const std::vector<T>& a, bool flex, F&& elem) {
    std::size_t n = length_size(a.size(), flex, 4);
    for (const T& e : a) n += elem(e);
    return n;
}
template <class T, class F>
std::size_t array_size(const std::optional<std::vector<T>>& a, bool flex, F&& elem) {
    return a ? array_size(*a, flex, elem) : length_size(0, flex, 4);
}

/// A nullable struct carries a one-byte marker where it is nullable (int8 -1/1 untagged,
/// unsigned varint 0/1 inside a tagged field, as Kafka's generator does).
template <class T, class F>
std::size_t opt_struct_size(const std::optional<T>& s, bool nullable, F&& size) {
    if (s) return (nullable ? 1 : 0) + size(*s);
    return nullable ? 1 : size(T{});
}

inline std::size_t tagged_size(std::uint32_t tag, std::size_t payload) noexcept {
    return uvarint_size(tag) + uvarint_size(payload) + payload;
}
inline std::size_t unknown_tagged_size(const unknown_tagged_fields& u) noexcept {
    std::size_t n = 0;
    for (const auto& f : u) n += tagged_size(f.tag, f.data.size());
    return n;
}

// ---- writing ------------------------------------------------------------------------------

inline void write_field(writer& w, bool x, bool, bool = false) { w.write_bool(x); }
inline void write_field(writer& w, std::int8_t x, bool, bool = false) { w.write_int8(x); }
inline void write_field(writer& w, std::int16_t x, bool, bool = false) { w.write_int16(x); }
inline void write_field(writer& w, std::uint16_t x, bool, bool = false) { w.write_uint16(x); }
inline void write_field(writer& w, std::int32_t x, bool, bool = false) { w.write_int32(x); }
inline void write_field(writer& w, std::uint32_t x, bool, bool = false) { w.write_uint32(x); }
inline void write_field(writer& w, std::int64_t x, bool, bool = false) { w.write_int64(x); }
inline void write_field(writer& w, double x, bool, bool = false) { w.write_float64(x); }
inline void write_field(writer& w, const uuid& x, bool, bool = false) { w.write_uuid(x); }
inline void write_field(writer& w, const std::string& s, bool flex, bool = false) {
    assert(s.size() <= 32767 && "Kafka strings are at most 32767 bytes");
    w.write_string(s, flex);
}
inline void write_field(writer& w, const std::optional<std::string>& s, bool flex, bool nullable) {
    if (s) write_field(w, *s, flex);
    else w.write_string_length(nullable ? -1 : 0, flex);
}
inline void write_field(writer& w, const byte_buffer& b, bool flex, bool = false) { w.write_bytes(b, flex); }
inline void write_field(writer& w, const std::optional<byte_buffer>& b, bool flex, bool nullable) {
    if (b) w.write_bytes(*b, flex);
    else w.write_bytes_length(nullable ? -1 : 0, flex);
}
inline void write_field(writer& w, const std::optional<bytes_view>& b, bool flex, bool nullable) {
    if (b) w.write_bytes(*b, flex);
    else w.write_bytes_length(nullable ? -1 : 0, flex);
}

template <class T, class F>
void write_array(writer& w, const std::vector<T>& a, bool flex, bool, F&& elem) {
    w.write_array_length(static_cast<std::int32_t>(a.size()), flex);
    for (const T& e : a) elem(e);
}
template <class T, class F>
void write_array(writer& w, const std::optional<std::vector<T>>& a, bool flex, bool nullable, F&& elem) {
    if (a) write_array(w, *a, flex, nullable, elem);
    else w.write_array_length(nullable ? -1 : 0, flex);
}

template <class T, class F>
void write_opt_struct(writer& w, const std::optional<T>& s, bool nullable, bool varint_marker, F&& write) {
    if (nullable) {
        if (varint_marker) w.write_uvarint(s ? 1 : 0);
        else w.write_int8(s ? 1 : -1);
    }
    if (s) write(*s);
    else if (!nullable) write(T{});
}

/// Writes the tagged-field entries of one struct in ascending tag order, merging the known
/// fields (written by the caller after next()) with the unknown ones kept from decoding.
/// Precondition: `unknown` is sorted by tag and uses no tag a known field uses (decode
/// guarantees both).
class tag_writer {
public:
    tag_writer(writer& w, const unknown_tagged_fields& unknown) noexcept : w_(w), unknown_(unknown) {
        assert(std::is_sorted(unknown.begin(), unknown.end(),
                              [](const auto& a, const auto& b) { return a.tag < b.tag; }));
    }
    /// Starts a known field: flushes the unknown fields with smaller tags, writes tag and size.
    void next(std::uint32_t tag, std::size_t size) {
        flush_below(tag);
        w_.write_uvarint(tag);
        w_.write_uvarint(size);
    }
    void finish() { flush_below(UINT32_MAX + std::uint64_t{1}); }

private:
    void flush_below(std::uint64_t tag) {
        for (; next_ < unknown_.size() && unknown_[next_].tag < tag; ++next_) {
            const auto& f = unknown_[next_];
            w_.write_uvarint(f.tag);
            w_.write_uvarint(f.data.size());
            w_.write_raw(f.data);
        }
    }

    writer& w_;
    const unknown_tagged_fields& unknown_;
    std::size_t next_ = 0;
};

// ---- reading ------------------------------------------------------------------------------

inline void read_field(reader& r, bool& x, bool, bool = false) { x = r.read_bool(); }
inline void read_field(reader& r, std::int8_t& x, bool, bool = false) { x = r.read_int8(); }
inline void read_field(reader& r, std::int16_t& x, bool, bool = false) { x = r.read_int16(); }
inline void read_field(reader& r, std::uint16_t& x, bool, bool = false) { x = r.read_uint16(); }
inline void read_field(reader& r, std::int32_t& x, bool, bool = false) { x = r.read_int32(); }
inline void read_field(reader& r, std::uint32_t& x, bool, bool = false) { x = r.read_uint32(); }
inline void read_field(reader& r, std::int64_t& x, bool, bool = false) { x = r.read_int64(); }
inline void read_field(reader& r, double& x, bool, bool = false) { x = r.read_float64(); }
inline void read_field(reader& r, uuid& x, bool, bool = false) { x = r.read_uuid(); }
inline void read_field(reader& r, std::string& s, bool flex, bool = false) { s = r.read_string(flex); }
inline void read_field(reader& r, std::optional<std::string>& s, bool flex, bool nullable) {
    auto v = r.read_nullable_string_view(flex);
    if (!r.ok()) return;
    if (v) s.emplace(*v);
    else if (nullable) s.reset();
    else r.fail(client_errc::invalid_length);
}
/// Records: a view into the reader's buffer, not a copy (the caller keeps the buffer alive).
inline void read_field(reader& r, std::optional<bytes_view>& b, bool flex, bool nullable) {
    auto v = r.read_nullable_bytes_view(flex);
    if (!r.ok()) return;
    if (v) b = *v;
    else if (nullable) b.reset();
    else r.fail(client_errc::invalid_length);
}
inline void read_field(reader& r, std::optional<byte_buffer>& b, bool flex, bool nullable) {
    auto v = r.read_nullable_bytes_view(flex);
    if (!r.ok()) return;
    if (v) b.emplace(v->begin(), v->end());
    else if (nullable) b.reset();
    else r.fail(client_errc::invalid_length);
}
inline void read_field(reader& r, byte_buffer& b, bool flex, bool = false) {
    auto v = r.read_nullable_bytes_view(flex);
    if (!r.ok()) return;
    if (v) b.assign(v->begin(), v->end());
    else r.fail(client_errc::invalid_length);
}

/// Reads an array; `min_element` is a lower bound on one element's encoded size, so the
/// count is checked against the bytes left before anything is reserved.
template <class T, class F>
void read_array(reader& r, std::vector<T>& a, bool flex, bool, std::size_t min_element, F&& elem) {
    std::int32_t n = r.read_array_length(flex, min_element);
    if (!r.ok()) return;
    if (n < 0) {
        r.fail(client_errc::invalid_length);
        return;
    }
    a.clear();
    a.reserve(static_cast<std::size_t>(n));
    for (std::int32_t i = 0; i < n && r.ok(); ++i) elem(a.emplace_back());
}
template <class T, class F>
void read_array(reader& r, std::optional<std::vector<T>>& a, bool flex, bool nullable, std::size_t min_element,
                F&& elem) {
    std::int32_t n = r.read_array_length(flex, min_element);
    if (!r.ok()) return;
    if (n < 0) {
        if (nullable) a.reset();
        else r.fail(client_errc::invalid_length);
        return;
    }
    auto& v = a.emplace();
    v.reserve(static_cast<std::size_t>(n));
    for (std::int32_t i = 0; i < n && r.ok(); ++i) elem(v.emplace_back());
}

template <class T, class F>
void read_opt_struct(reader& r, std::optional<T>& s, bool nullable, bool varint_marker, F&& read) {
    if (nullable) {
        bool null = varint_marker ? r.read_uvarint() == 0 : r.read_int8() < 0;
        if (!r.ok()) return;
        if (null) {
            s.reset();
            return;
        }
    }
    // emplace(T{}), not emplace(): clang takes a struct nested in the message (its default
    // member initializers not yet parsed where the message declares the optional) as not
    // default-constructible and keeps that answer; moving a T in needs no default constructor.
    read(s.emplace(T{}));
}

/// Reads a tagged-field section (KIP-482): a count, then (tag, size, payload) entries in
/// strictly ascending tag order. `known(tag, payload_reader)` decodes a tag it knows and
/// returns true; the payload must be consumed exactly. Other tags are kept in `unknown`.
template <class F>
void read_tagged_fields(reader& r, unknown_tagged_fields& unknown, F&& known) {
    std::uint32_t count = r.read_uvarint();
    std::int64_t last = -1;
    for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
        std::uint32_t tag = r.read_uvarint();
        std::uint32_t size = r.read_uvarint();
        bytes_view payload = r.read_raw(size);
        if (!r.ok()) return;
        if (static_cast<std::int64_t>(tag) <= last) {
            r.fail(client_errc::invalid_value);  // out of order or repeated
            return;
        }
        last = tag;
        reader sub(payload);
        if (known(tag, sub)) {
            if (!sub.ok()) {
                // Reading past the payload means its size field was wrong.
                auto e = static_cast<client_errc>(sub.error().value());
                r.fail(e == client_errc::truncated ? client_errc::invalid_length : e);
            } else if (sub.remaining() != 0) {
                r.fail(client_errc::invalid_length);
            }
        } else {
            unknown.push_back({tag, byte_buffer(payload.begin(), payload.end())});
        }
    }
}

/// Content equality for records views (std::span has no operator==).
inline bool records_equal(const std::optional<bytes_view>& a, const std::optional<bytes_view>& b) noexcept {
    if (!a || !b) return !a && !b;
    return std::equal(a->begin(), a->end(), b->begin(), b->end());
}

}  // namespace kasio::protocol::detail

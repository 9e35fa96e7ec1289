#pragma once
// Test-only support (library kasio_protocol_testing): random values for the generated
// fill_random() functions, and a type-erased registry of every generated message type so tests
// and fuzzers can iterate all (message type, version) pairs.
//
// Random values: integers mix small values, extremes and full-range bits; doubles are finite
// (NaN would break operator==); strings and bytes are 0-8 long, arrays hold 0-3 elements,
// nullable values are null one time in four (only in versions where they may be null), and
// flexible structs sometimes get unknown tagged fields with tags their schema does not use.
//
// Records storage: `records` fields get random bytes kept in a thread_local arena. The views
// stay valid on that thread until clear_random_records(); tests call it between iterations so
// memory stays bounded.
#include "protocol/codegen/runtime/message_support.hpp"

#include <kasio/error.hpp>

#include <concepts>
#include <initializer_list>
#include <limits>
#include <memory>
#include <random>
#include <span>
#include <string_view>

namespace kasio::protocol::testing {

using rng = std::mt19937_64;

/// Copies `bytes` into the calling thread's arena and returns a view valid until
/// clear_random_records() on that thread.
bytes_view store_random_records(bytes_view bytes);
void clear_random_records() noexcept;

inline bool one_in(rng& g, unsigned n) { return g() % n == 0; }

template <std::integral T>
void random_field(T& x, rng& g, bool = false) {
    if constexpr (std::same_as<T, bool>) {
        x = (g() & 1) != 0;
    } else {
        switch (g() % 4) {
        case 0: x = static_cast<T>(g() % 8); break;
        case 1: {
            const T extremes[] = {std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), static_cast<T>(-1)};
            x = extremes[g() % 3];
            break;
        }
        default: x = static_cast<T>(g()); break;
        }
    }
}
void random_field(double& x, rng& g, bool = false);
void random_field(uuid& x, rng& g, bool = false);
void random_field(std::string& s, rng& g, bool = false);
void random_field(std::optional<std::string>& s, rng& g, bool nullable);
void random_field(byte_buffer& b, rng& g, bool = false);
void random_field(std::optional<byte_buffer>& b, rng& g, bool nullable);
/// Records: random bytes (not a valid record batch) in the thread_local arena.
void random_field(std::optional<bytes_view>& b, rng& g, bool nullable);

template <class T, class F>
void random_array(std::vector<T>& a, rng& g, bool, F&& fill) {
    a.clear();
    for (auto n = g() % 4; n > 0; --n) fill(a.emplace_back());
}
template <class T, class F>
void random_array(std::optional<std::vector<T>>& a, rng& g, bool nullable, F&& fill) {
    if (nullable && one_in(g, 4)) a.reset();
    else random_array(a.emplace(), g, false, fill);
}
template <class T, class F>
void random_opt_struct(std::optional<T>& s, rng& g, bool nullable, F&& fill) {
    if (nullable && one_in(g, 4)) s.reset();
    else fill(s.emplace(T{}));  // see read_opt_struct
}

/// Sometimes adds 1-2 unknown tagged fields (sorted, tags not in `known`).
void random_unknown_tags(unknown_tagged_fields& u, rng& g, std::initializer_list<std::uint32_t> known);

/// One generated message type behind a virtual interface.
class erased_message {
public:
    virtual ~erased_message() = default;
    virtual void fill(std::int16_t version, rng& g) = 0;
    virtual std::size_t size(std::int16_t version) const = 0;
    virtual void write(writer& w, std::int16_t version) const = 0;
    virtual error_code read(reader& r, std::int16_t version) = 0;
    /// Same type and operator== holds.
    virtual bool equals(const erased_message& other) const = 0;
    virtual std::unique_ptr<erased_message> clone() const = 0;
    /// The top-level unknown tagged fields; nullptr when the API has no flexible version.
    virtual unknown_tagged_fields* unknown_tagged() noexcept = 0;
};

template <class T>
class erased_impl final : public erased_message {
public:
    void fill(std::int16_t version, rng& g) override { fill_random(value, version, g); }
    std::size_t size(std::int16_t version) const override { return encoded_size(value, version); }
    void write(writer& w, std::int16_t version) const override { encode(w, value, version); }
    error_code read(reader& r, std::int16_t version) override { return decode(r, value, version); }
    bool equals(const erased_message& other) const override {
        const auto* o = dynamic_cast<const erased_impl*>(&other);
        return o != nullptr && o->value == value;
    }
    std::unique_ptr<erased_message> clone() const override { return std::make_unique<erased_impl>(*this); }
    unknown_tagged_fields* unknown_tagged() noexcept override {
        if constexpr (requires { value.unknown_tagged; }) return &value.unknown_tagged;
        else return nullptr;
    }

    T value;
};

/// A request or response type, or a data schema (is_data: api_key -1, api_name is the data
/// name, is_request false).
struct message_type {
    std::int16_t api_key;
    std::string_view api_name;
    bool is_request;
    std::int16_t min_version;
    std::int16_t max_version;
    std::int16_t first_flexible_version;  ///< -1: none
    std::unique_ptr<erased_message> (*make)();
    bool is_data;

    bool is_flexible(std::int16_t v) const noexcept { return first_flexible_version >= 0 && v >= first_flexible_version; }
};

template <class T>
std::unique_ptr<erased_message> make_erased() {
    return std::make_unique<erased_impl<T>>();
}

/// The registry entry of T; `make` is make_erased<T>, instantiated in T's own generated
/// *_testing.cpp so the registry's translation unit stays small.
template <class T>
constexpr message_type message_type_of(std::unique_ptr<erased_message> (*make)()) {
    return {T::api_key,     T::api_name, requires { typename T::response_type; }, T::min_version, T::max_version,
            T::first_flexible_version, make, false};
}

/// The registry entry of the data schema T.
template <class T>
constexpr message_type data_type_of(std::unique_ptr<erased_message> (*make)()) {
    return {-1, T::data_name, false, T::min_version, T::max_version, T::first_flexible_version, make, true};
}

/// Every generated request and response type (generated: messages_testing.cpp).
std::span<const message_type> all_message_types() noexcept;

/// Every generated data schema type (schema files with a `data` header).
std::span<const message_type> all_data_types() noexcept;

/// The request or response type of `api_key`, or nullptr.
const message_type* find_message_type(std::int16_t api_key, bool is_request) noexcept;

/// Calls f(type, version) for every message type, then every data schema type, and every
/// version each has: the codec properties the tests check hold for both.
template <class F>
void for_each_message_version(F&& f) {
    for (auto types : {all_message_types(), all_data_types()})
        for (const message_type& t : types)
            for (int v = t.min_version; v <= t.max_version; ++v) f(t, static_cast<std::int16_t>(v));
}

}  // namespace kasio::protocol::testing

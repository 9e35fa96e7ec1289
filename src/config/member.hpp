// A row of the property table bound to the member that holds it, both ways: assign() stores a
// parsed value (set()), render() writes the member in the text set() takes (get(), dump()).
// Each client's configuration maps rows to members once (its visit function); these overloads
// do the rest by the member's type and the row's value type.
#pragma once

#include "config/properties.hpp"

#include <chrono>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace kasio::config {

inline void assign(std::chrono::milliseconds& m, const property&, const parsed_value& v) {
    m = std::chrono::milliseconds(v.number);
}
inline std::string render(const std::chrono::milliseconds& m, const property&) { return std::to_string(m.count()); }

inline void assign(std::string& m, const property& row, const parsed_value& v) {
    m = row.type == value_type::enumeration ? std::string(choice_name(row, v.number)) : std::string(v.text);
}
inline std::string render(const std::string& m, const property&) { return m; }

// bootstrap.servers (one comma-separated string) and list rows (choice names).
inline void assign(std::vector<std::string>& m, const property& row, const parsed_value& v) {
    m.clear();
    if (row.type != value_type::list) {
        m.emplace_back(v.text);
        return;
    }
    for (const std::int64_t item : v.items) m.emplace_back(choice_name(row, item));
}
inline std::string render(const std::vector<std::string>& m, const property&) {
    std::string out;
    for (const std::string& s : m) out += (out.empty() ? "" : ",") + s;
    return out;
}

// Numbers, booleans and enumerations; a list row over an enum is a set of flag bits (debug).
template <class T>
    requires(std::is_arithmetic_v<T> || std::is_enum_v<T>)
void assign(T& m, const property& row, const parsed_value& v) {
    if constexpr (std::is_same_v<T, bool>) {
        m = v.number != 0;
    } else if constexpr (std::is_enum_v<T>) {
        std::int64_t bits = v.number;
        if (row.type == value_type::list) {
            bits = 0;
            for (const std::int64_t item : v.items) bits |= item;
        }
        m = static_cast<T>(bits);
    } else {
        m = static_cast<T>(v.number);
    }
}
template <class T>
    requires(std::is_arithmetic_v<T> || std::is_enum_v<T>)
std::string render(const T& m, const property& row) {
    const auto n = static_cast<std::int64_t>(m);
    if (row.type == value_type::list) {  // flag bits: the single-bit choices set in them
        std::string out;
        for (const choice& c : row.choices)
            if (c.value != 0 && (c.value & (c.value - 1)) == 0 && (n & c.value) == c.value)
                out += (out.empty() ? "" : ",") + std::string(c.text);
        return out;
    }
    if (row.type == value_type::enumeration) return std::string(choice_name(row, n));
    if constexpr (std::is_same_v<T, bool>) return m ? "true" : "false";
    if constexpr (std::is_same_v<T, int>)
        if (m == INT_MIN) return {};  // "unset" (compression.level)
    return std::to_string(n);
}

// Unset until set (enable.idempotence): rendered empty.
template <class T>
void assign(std::optional<T>& m, const property& row, const parsed_value& v) {
    T value{};
    assign(value, row, v);
    m = std::move(value);
}
template <class T>
std::string render(const std::optional<T>& m, const property& row) {
    return m ? render(*m, row) : std::string();
}

/// For a configuration's visit(c, id, f): calls f with the member `id` names. Used by set()
/// (assign) and get() (render) so that the two cannot disagree.
struct assign_member {
    const property& row;
    const parsed_value& value;
    template <class T>
    bool operator()(T& member) const {
        assign(member, row, value);
        return true;
    }
};

struct render_member {
    const property& row;
    std::string& out;
    template <class T>
    bool operator()(const T& member) const {
        out = render(member, row);
        return true;
    }
};

}  // namespace kasio::config

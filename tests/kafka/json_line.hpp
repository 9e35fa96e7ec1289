// A small JSON reader for the Java reference peer's output (one object per line): enough JSON
// for what the peer prints (objects, arrays, strings with escapes, integers, null, booleans).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kasio::test::kafka {

struct json {
    enum class kind { null, boolean, number, string, array, object };
    kind type = kind::null;
    bool flag = false;
    std::int64_t number = 0;
    std::string text;
    std::vector<json> items;
    std::map<std::string, json, std::less<>> fields;

    bool is_null() const { return type == kind::null; }
    /// The field, or a null value when absent.
    const json& operator[](std::string_view name) const;
    std::int64_t as_int() const { return number; }
    const std::string& as_string() const { return text; }
};

/// Parses one JSON document; nullopt when it is not valid JSON.
std::optional<json> parse_json(std::string_view text);

/// Base64 as text (kasio's own codec, src/net/scram.hpp); decode returns nullopt for invalid text.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

/// A JSON string literal for text (quotes and escapes added).
std::string json_quote(std::string_view text);

}  // namespace kasio::test::kafka

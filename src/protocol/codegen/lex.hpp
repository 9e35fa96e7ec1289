#pragma once
// Splits a *.ks file into lines of tokens: comments stripped, indentation measured.
#include <optional>
#include <string>
#include <vector>

namespace kasio::codegen {

struct token {
    std::string text;     // unescaped contents for quoted strings
    bool quoted = false;  // written in double quotes
};

struct source_line {
    int line = 0;    // 1-based
    int indent = 0;  // leading spaces
    std::vector<token> tokens;
};

/// Non-blank, non-comment lines of `text`. Tabs in indentation and unterminated strings are
/// errors (schema_error with `file:line`).
std::vector<source_line> lex(const std::string& file, const std::string& text);

/// Decimal (or 0x hex) integer with an optional sign; nullopt if `s` is not one or overflows.
std::optional<long long> parse_integer(const std::string& s);

/// snake_case identifier: [a-z][a-z0-9_]*.
bool is_snake_identifier(const std::string& s);

/// A C++ keyword or a name the generated code uses unqualified.
bool is_reserved_cpp_name(const std::string& s);

}  // namespace kasio::codegen

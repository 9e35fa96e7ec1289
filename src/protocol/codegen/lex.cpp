#include "lex.hpp"

#include "model.hpp"

#include <cerrno>
#include <cstdlib>
#include <set>

namespace kasio::codegen {

std::vector<source_line> lex(const std::string& file, const std::string& text) {
    std::vector<source_line> out;
    int line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string raw = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (!raw.empty() && raw.back() == '\r') raw.pop_back();

        source_line sl;
        sl.line = line_no;
        std::size_t i = 0;
        while (i < raw.size() && (raw[i] == ' ' || raw[i] == '\t')) {
            if (raw[i] == '\t') throw schema_error(file, line_no, "tab in indentation (use two spaces per level)");
            ++i;
        }
        sl.indent = static_cast<int>(i);
        while (i < raw.size()) {
            char c = raw[i];
            if (c == ' ' || c == '\t') {
                ++i;
                continue;
            }
            if (c == '#') break;
            token t;
            if (c == '"') {
                t.quoted = true;
                ++i;
                bool closed = false;
                while (i < raw.size()) {
                    char d = raw[i++];
                    if (d == '"') {
                        closed = true;
                        break;
                    }
                    if (d == '\\') {
                        if (i >= raw.size()) break;
                        char e = raw[i++];
                        if (e == 'n') t.text += '\n';
                        else if (e == 't') t.text += '\t';
                        else if (e == '"' || e == '\\') t.text += e;
                        else throw schema_error(file, line_no, std::string("unknown escape \\") + e + " in string");
                        continue;
                    }
                    t.text += d;
                }
                if (!closed) throw schema_error(file, line_no, "unterminated string");
            } else {
                while (i < raw.size() && raw[i] != ' ' && raw[i] != '\t' && raw[i] != '#') {
                    if (raw[i] == '"') throw schema_error(file, line_no, "unexpected '\"' inside a word");
                    t.text += raw[i++];
                }
            }
            sl.tokens.push_back(std::move(t));
        }
        if (!sl.tokens.empty()) out.push_back(std::move(sl));
        if (end == text.size()) break;
    }
    return out;
}

std::optional<long long> parse_integer(const std::string& s) {
    if (s.empty()) return std::nullopt;
    std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    int base = 10;
    if (s.size() > i + 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) base = 16;
    std::size_t digits = base == 16 ? i + 2 : i;
    if (digits >= s.size()) return std::nullopt;
    for (std::size_t k = digits; k < s.size(); ++k) {
        char c = s[k];
        bool ok = (c >= '0' && c <= '9') ||
                  (base == 16 && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
        if (!ok) return std::nullopt;
    }
    errno = 0;
    char* endp = nullptr;
    // strtoll handles the sign and the 0x prefix itself for base 16.
    long long v = std::strtoll(s.c_str(), &endp, base);
    if (errno == ERANGE || endp != s.c_str() + s.size()) return std::nullopt;
    return v;
}

bool is_snake_identifier(const std::string& s) {
    if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

bool is_reserved_cpp_name(const std::string& s) {
    static const std::set<std::string> names = {
        // C++20 keywords and alternative tokens that are valid snake_case identifiers.
        "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case",
        "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const",
        "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await", "co_return",
        "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast", "else", "enum",
        "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if", "inline", "int",
        "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or",
        "or_eq", "private", "protected", "public", "register", "reinterpret_cast", "requires", "return",
        "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct", "switch",
        "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
        "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
        // Names the generated structs use unqualified.
        "std", "uuid", "byte_buffer", "bytes_view", "unknown_tagged_fields", "unknown_tagged",
    };
    return names.count(s) != 0;
}

}  // namespace kasio::codegen

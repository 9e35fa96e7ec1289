#include "json_line.hpp"

#include "net/scram.hpp"

#include <charconv>
#include <cstdio>

namespace kasio::test::kafka {
namespace {

const json null_value;

struct parser {
    std::string_view in;
    std::size_t pos = 0;
    bool ok = true;

    void skip_space() {
        while (pos < in.size() && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\n' || in[pos] == '\r')) ++pos;
    }
    bool eat(char c) {
        skip_space();
        if (pos < in.size() && in[pos] == c) {
            ++pos;
            return true;
        }
        return false;
    }
    bool literal(std::string_view word) {
        if (in.substr(pos, word.size()) != word) return false;
        pos += word.size();
        return true;
    }

    std::string string_body() {  // after the opening quote
        std::string out;
        while (pos < in.size() && in[pos] != '"') {
            char c = in[pos++];
            if (c != '\\') {
                out.push_back(c);
                continue;
            }
            if (pos >= in.size()) break;
            c = in[pos++];
            switch (c) {
            case 'n': out.push_back('\n'); break;
            case 't': out.push_back('\t'); break;
            case 'r': out.push_back('\r'); break;
            case 'b': out.push_back('\b'); break;
            case 'f': out.push_back('\f'); break;
            case 'u': {
                unsigned cp = 0;
                if (pos + 4 > in.size() || std::from_chars(in.data() + pos, in.data() + pos + 4, cp, 16).ec != std::errc{}) {
                    ok = false;
                    return out;
                }
                pos += 4;
                // The peer escapes only control characters; keep the code point as UTF-8.
                if (cp < 0x80) {
                    out.push_back(static_cast<char>(cp));
                } else if (cp < 0x800) {
                    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
                    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
                } else {
                    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
                    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
                    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
                }
                break;
            }
            default: out.push_back(c);
            }
        }
        if (!eat('"')) ok = false;
        return out;
    }

    json value(int depth) {
        json v;
        skip_space();
        if (depth > 32 || pos >= in.size()) {
            ok = false;
            return v;
        }
        const char c = in[pos];
        if (c == '{') {
            ++pos;
            v.type = json::kind::object;
            if (eat('}')) return v;
            do {
                if (!eat('"')) {
                    ok = false;
                    return v;
                }
                std::string name = string_body();
                if (!eat(':')) {
                    ok = false;
                    return v;
                }
                v.fields[std::move(name)] = value(depth + 1);
            } while (ok && eat(','));
            if (!eat('}')) ok = false;
        } else if (c == '[') {
            ++pos;
            v.type = json::kind::array;
            if (eat(']')) return v;
            do v.items.push_back(value(depth + 1));
            while (ok && eat(','));
            if (!eat(']')) ok = false;
        } else if (c == '"') {
            ++pos;
            v.type = json::kind::string;
            v.text = string_body();
        } else if (literal("null")) {
        } else if (literal("true") || literal("false")) {
            v.type = json::kind::boolean;
            v.flag = in[pos - 1] == 'e' && in[pos - 2] == 'u';
        } else {
            v.type = json::kind::number;
            const auto r = std::from_chars(in.data() + pos, in.data() + in.size(), v.number);
            if (r.ec != std::errc{}) {
                ok = false;
                return v;
            }
            pos = static_cast<std::size_t>(r.ptr - in.data());
            // Fractions are not used by the peer; skip them.
            while (pos < in.size() && (in[pos] == '.' || in[pos] == 'e' || in[pos] == 'E' || in[pos] == '+' ||
                                       in[pos] == '-' || (in[pos] >= '0' && in[pos] <= '9')))
                ++pos;
        }
        return v;
    }
};

}  // namespace

const json& json::operator[](std::string_view name) const {
    const auto it = fields.find(name);
    return it == fields.end() ? null_value : it->second;
}

std::optional<json> parse_json(std::string_view text) {
    parser p{text};
    json v = p.value(0);
    p.skip_space();
    if (!p.ok || p.pos != text.size()) return std::nullopt;
    return v;
}

std::string base64_encode(std::string_view bytes) {
    return net::base64_encode(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

std::optional<std::string> base64_decode(std::string_view text) {
    std::vector<std::uint8_t> out;
    if (!net::base64_decode(text, out)) return std::nullopt;
    return std::string(out.begin(), out.end());
}

std::string json_quote(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out += buf;
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
    return out;
}

}  // namespace kasio::test::kafka

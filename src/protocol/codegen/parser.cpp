#include "parser.hpp"

#include "lex.hpp"

#include <climits>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>

namespace kasio::codegen {
namespace {

constexpr int open_end = std::numeric_limits<int>::max();  // "N+" before clamping

struct parser {
    const std::string& file;
    api_def api;
    int header_line = 1;

    [[noreturn]] void fail(int line, const std::string& msg) const { throw schema_error(file, line, msg); }

    /// As written in a schema; a range reaching the message's last version shows as "N+".
    std::string show(version_range r) const {
        if (r.empty()) return "none";
        if (r.hi == open_end || (r.hi == api.versions.hi && r.lo != r.hi)) return std::to_string(r.lo) + "+";
        if (r.lo == r.hi) return std::to_string(r.lo);
        return std::to_string(r.lo) + "-" + std::to_string(r.hi);
    }

    std::string message_versions() const {
        return std::to_string(api.versions.lo) + "-" + std::to_string(api.versions.hi);
    }

    int version_number(int line, const std::string& s) const {
        auto v = parse_integer(s);
        if (!v || s[0] == '-' || s[0] == '+' || *v > SHRT_MAX)
            fail(line, "bad version number '" + s + "'");
        return static_cast<int>(*v);
    }

    /// `N+`, `N-M`, `N` or `none`; nullopt when `s` is not a version spec at all.
    std::optional<version_range> try_versions(int line, const std::string& s) const {
        if (s == "none") return version_range::none();
        if (s.empty() || !(s[0] >= '0' && s[0] <= '9')) return std::nullopt;
        if (s.back() == '+') return version_range{version_number(line, s.substr(0, s.size() - 1)), open_end};
        if (auto dash = s.find('-'); dash != std::string::npos) {
            version_range r{version_number(line, s.substr(0, dash)), version_number(line, s.substr(dash + 1))};
            if (r.empty()) fail(line, "empty version range '" + s + "'");
            return r;
        }
        int v = version_number(line, s);
        return version_range{v, v};
    }

    version_range versions(int line, const std::vector<token>& t, std::size_t i, const char* what) const {
        if (i >= t.size() || t[i].quoted) fail(line, std::string("expected a version spec after '") + what + "'");
        auto r = try_versions(line, t[i].text);
        if (!r) fail(line, "bad version spec '" + t[i].text + "' after '" + what + "' (N+, N-M, N or none)");
        return *r;
    }

    // --- header --------------------------------------------------------------------------

    /// `<N>+` or `none` after 'flexible', checked against the message versions.
    void parse_flexible(int line, const token& t) {
        if (t.text == "none") {
            api.first_flexible = -1;
            return;
        }
        auto f = try_versions(line, t.text);
        if (!f || f->hi != open_end) fail(line, "flexible must be '<N>+' or 'none'");
        if (!api.versions.contains(f->lo))
            fail(line, "first flexible version " + std::to_string(f->lo) + " is outside versions " + message_versions());
        api.first_flexible = f->lo;
    }

    /// `data <name> versions <min>-<max> flexible <N>+|none`: a struct that is not a request or
    /// response by itself (Kafka's "type": "data"), encoded inside another message's bytes.
    void parse_data_header(const source_line& l) {
        const auto& t = l.tokens;
        header_line = l.line;
        const std::string form = "data <name> versions <min>-<max> flexible <N>+|none";
        if (t.size() < 6) fail(l.line, "incomplete header: " + form);
        api.is_data = true;
        api.key = -1;
        if (!is_snake_identifier(t[1].text)) fail(l.line, "data name '" + t[1].text + "' is not snake_case");
        api.name = t[1].text;
        if (t[2].text != "versions") fail(l.line, "expected 'versions' after the data name");
        api.versions = versions(l.line, t, 3, "versions");
        if (api.versions.empty() || api.versions.hi == open_end)
            fail(l.line, "message versions must be a closed range such as 0-3");
        if (t[4].text != "flexible") fail(l.line, "expected 'flexible <N>+|none' after the versions");
        parse_flexible(l.line, t[5]);
        if (t.size() > 6) fail(l.line, "unexpected '" + t[6].text + "' at the end of the header (" + form + ")");
    }

    void parse_header(const source_line& l) {
        const auto& t = l.tokens;
        if (l.indent == 0 && t[0].text == "data") return parse_data_header(l);
        if (l.indent != 0 || t[0].text != "api")
            fail(l.line, "expected the header line: api <key> <name> versions <min>-<max> flexible <N>+|none "
                         "(or data <name> versions <min>-<max> flexible <N>+|none)");
        header_line = l.line;
        if (t.size() < 7) fail(l.line, "incomplete header: api <key> <name> versions <min>-<max> flexible <N>+|none");
        auto key = parse_integer(t[1].text);
        if (!key || *key < 0 || *key > SHRT_MAX) fail(l.line, "bad api key '" + t[1].text + "'");
        api.key = static_cast<int>(*key);
        if (!is_snake_identifier(t[2].text)) fail(l.line, "api name '" + t[2].text + "' is not snake_case");
        api.name = t[2].text;
        if (t[3].text != "versions") fail(l.line, "expected 'versions' after the api name");
        api.versions = versions(l.line, t, 4, "versions");
        if (api.versions.empty() || api.versions.hi == open_end)
            fail(l.line, "message versions must be a closed range such as 0-3");
        if (t[5].text != "flexible") fail(l.line, "expected 'flexible <N>+|none' after the versions");
        parse_flexible(l.line, t[6]);
        std::size_t i = 7;
        if (i < t.size() && t[i].text == "route") {
            if (i + 1 >= t.size()) fail(l.line, "expected any|leader|coordinator|controller after 'route'");
            const std::string& r = t[i + 1].text;
            if (r == "any") api.rt = route::any;
            else if (r == "leader") api.rt = route::leader;
            else if (r == "coordinator") api.rt = route::coordinator;
            else if (r == "controller") api.rt = route::controller;
            else fail(l.line, "unknown route '" + r + "' (any, leader, coordinator, controller)");
            i += 2;
        }
        if (i < t.size()) fail(l.line, "unexpected '" + t[i].text + "' at the end of the header");
    }

    // --- fields --------------------------------------------------------------------------

    static std::optional<prim> primitive(const std::string& s) {
        static const std::map<std::string, prim> names = {
            {"bool", prim::bool_},     {"int8", prim::int8},       {"int16", prim::int16},
            {"int32", prim::int32},    {"int64", prim::int64},     {"uint16", prim::uint16},
            {"uint32", prim::uint32},  {"float64", prim::float64}, {"string", prim::string},
            {"bytes", prim::bytes},    {"records", prim::records}, {"uuid", prim::uuid},
        };
        auto it = names.find(s);
        if (it == names.end()) return std::nullopt;
        return it->second;
    }

    field_type parse_type(int line, const std::string& s) const {
        field_type ft;
        std::string elem = s;
        if (s.rfind("[]", 0) == 0) {
            ft.array = true;
            elem = s.substr(2);
        }
        if (auto p = primitive(elem)) {
            ft.p = *p;
            if (ft.array && *p == prim::records) fail(line, "arrays of records are not supported");
            return ft;
        }
        if (!is_snake_identifier(elem)) fail(line, "unknown type '" + s + "' (a primitive, []T, or a snake_case struct name)");
        ft.is_struct = true;
        ft.struct_name = elem;
        return ft;
    }

    default_value parse_default(int line, const token& t) const {
        default_value d;
        if (t.quoted) {
            d.k = default_value::kind::string;
            d.text = t.text;
        } else if (t.text == "null") {
            d.k = default_value::kind::null;
        } else if (t.text == "true" || t.text == "false") {
            d.k = default_value::kind::boolean;
            d.boolean = t.text == "true";
        } else if (auto i = parse_integer(t.text)) {
            d.k = default_value::kind::integer;
            d.integer = *i;
        } else {
            char* end = nullptr;
            std::strtod(t.text.c_str(), &end);
            if (t.text.empty() || end != t.text.c_str() + t.text.size())
                fail(line, "bad default '" + t.text + "' (integer, true/false, null, or a quoted string)");
            d.k = default_value::kind::floating;
            d.text = t.text;
        }
        return d;
    }

    static bool nullable_type(const field_type& ft) {
        return ft.array || ft.is_struct || ft.p == prim::string || ft.p == prim::bytes || ft.p == prim::records;
    }

    void check_default(int line, const field& f) const {
        const default_value& d = *f.def;
        using k = default_value::kind;
        if (d.k == k::null) {
            if (f.nullable.empty()) fail(line, "default null but the field is never nullable");
            return;
        }
        if (f.type.array || f.type.is_struct) fail(line, "arrays and structs take no default other than null");
        auto in_range = [&](long long lo, long long hi) {
            if (d.k != k::integer) fail(line, "the default of an integer field must be an integer");
            if (d.integer < lo || d.integer > hi) fail(line, "default " + std::to_string(d.integer) + " out of range");
        };
        switch (f.type.p) {
        case prim::bool_:
            if (d.k != k::boolean) fail(line, "the default of a bool field must be true or false");
            break;
        case prim::int8: in_range(-128, 127); break;
        case prim::int16: in_range(SHRT_MIN, SHRT_MAX); break;
        case prim::int32: in_range(INT_MIN, INT_MAX); break;
        case prim::int64: in_range(LLONG_MIN, LLONG_MAX); break;
        case prim::uint16: in_range(0, 65535); break;
        case prim::uint32: in_range(0, 4294967295LL); break;
        case prim::float64:
            if (d.k != k::integer && d.k != k::floating) fail(line, "the default of a float64 field must be a number");
            break;
        case prim::string:
            if (d.k != k::string) fail(line, "the default of a string field must be a quoted string or null");
            break;
        case prim::bytes:
        case prim::records:
        case prim::uuid: fail(line, "bytes, records and uuid fields take no default other than null");
        }
    }

    /// Parses `<name> <type> [<versions>] [nullable V] [tag N] [tagged V] [default X]`.
    field parse_field(const source_line& l, version_range parent_versions) const {
        const auto& t = l.tokens;
        field f;
        f.line = l.line;
        if (t.size() < 2) fail(l.line, "expected '<name> <type> ...'");
        if (t[0].quoted || !is_snake_identifier(t[0].text)) fail(l.line, "field name '" + t[0].text + "' is not snake_case");
        f.name = t[0].text;
        if (t[1].quoted) fail(l.line, "expected a type after the field name");
        f.type = parse_type(l.line, t[1].text);

        std::size_t i = 2;
        version_range raw{api.versions.lo, open_end};
        if (i < t.size() && !t[i].quoted) {
            if (auto r = try_versions(l.line, t[i].text)) {
                raw = *r;
                ++i;
            }
        }
        std::optional<version_range> raw_nullable, raw_tagged;
        std::set<std::string> seen;
        while (i < t.size()) {
            const std::string& kw = t[i].text;
            if (t[i].quoted || (kw != "nullable" && kw != "tag" && kw != "tagged" && kw != "default"))
                fail(l.line, "unexpected '" + kw + "' (expected nullable, tag, tagged or default)");
            if (!seen.insert(kw).second) fail(l.line, "'" + kw + "' given twice");
            if (i + 1 >= t.size()) fail(l.line, "expected a value after '" + kw + "'");
            if (kw == "nullable") {
                raw_nullable = versions(l.line, t, i + 1, "nullable");
            } else if (kw == "tagged") {
                raw_tagged = versions(l.line, t, i + 1, "tagged");
            } else if (kw == "tag") {
                auto n = parse_integer(t[i + 1].text);
                if (t[i + 1].quoted || !n || *n < 0 || *n > INT_MAX) fail(l.line, "bad tag '" + t[i + 1].text + "'");
                f.tag = static_cast<std::uint32_t>(*n);
            } else {
                f.def = parse_default(l.line, t[i + 1]);
            }
            i += 2;
        }

        // Versions are absolute message versions; clamp to the message and the parent.
        if (raw.empty()) fail(l.line, "field '" + f.name + "' has no versions");
        if (raw.lo > api.versions.hi || (raw.hi != open_end && raw.hi > api.versions.hi))
            fail(l.line, "field versions " + show(raw) + " exceed the message versions " + message_versions());
        f.versions = raw.intersect(api.versions).intersect(parent_versions);
        if (f.versions.empty())
            fail(l.line, "field '" + f.name + "' (versions " + show(raw) + ") is never present: its parent has versions " +
                             show(parent_versions));
        if (raw_nullable) {
            if (!nullable_type(f.type)) fail(l.line, "only string, bytes, records, array and struct fields can be nullable");
            f.nullable = raw_nullable->intersect(f.versions);
        }
        if (raw_tagged && !f.tag) fail(l.line, "'tagged' without 'tag'");
        if (f.tag) {
            f.tagged = raw_tagged ? raw_tagged->intersect(f.versions) : f.versions;
            if (f.tagged.empty()) fail(l.line, "tagged field '" + f.name + "' is never tagged in its versions");
            if (!api.flexible().covers(f.tagged))
                fail(l.line, "field '" + f.name + "' is tagged in versions " + show(f.tagged) +
                                 " but the message is only flexible in " + show(api.flexible()));
            if (f.tagged.hi != f.versions.hi) fail(l.line, "tagged versions must extend to the field's last version");
            if (!f.type.array && !f.type.is_struct && f.type.p == prim::records)
                fail(l.line, "records fields cannot be tagged");
        }
        if (f.def) check_default(l.line, f);
        f.cpp_name = is_reserved_cpp_name(f.name) ? f.name + "_" : f.name;
        return f;
    }

    // --- structure -----------------------------------------------------------------------

    /// Parses the fields of one message (lines [begin, end)) into `root`. `base` is the nesting
    /// level of column 1: 0 in API files (fields sit under 'request'/'response'), 1 in data files
    /// (top-level fields start at column 1).
    void parse_body(const std::vector<source_line>& lines, std::size_t begin, std::size_t end, struct_def& root,
                    int base = 0) {
        // stack[d] is the struct receiving fields at indentation level d + 1.
        std::vector<struct_def*> stack{&root};
        const field* last = nullptr;  // last field parsed, to detect a struct without fields
        int last_level = 0;
        for (std::size_t k = begin; k < end; ++k) {
            const source_line& l = lines[k];
            if (l.indent % 2 != 0) fail(l.line, "indentation must be a multiple of two spaces");
            int level = l.indent / 2 + base;
            if (level == 0) fail(l.line, "field lines must be indented under 'request' or 'response'");
            if (last && last->type.is_struct && level <= last_level)
                fail(last->line, "struct field '" + last->name + "' has no fields indented below it");
            if (level > static_cast<int>(stack.size()))
                fail(l.line, last && !last->type.is_struct
                                 ? "only struct fields may have fields indented below them"
                                 : "indented too deep");
            stack.resize(static_cast<std::size_t>(level));
            struct_def& parent = *stack.back();
            field f = parse_field(l, parent.versions);
            for (const field& other : parent.fields) {
                if (other.name == f.name) fail(l.line, "duplicate field '" + f.name + "'");
                if (f.tag && other.tag && *other.tag == *f.tag)
                    fail(l.line, "tag " + std::to_string(*f.tag) + " already used by '" + other.name + "'");
            }
            if (f.type.is_struct) {
                for (const field& other : parent.fields)
                    if (other.type.is_struct && other.type.struct_name == f.type.struct_name)
                        fail(l.line, "struct '" + f.type.struct_name + "' is already defined by field '" + other.name +
                                         "' in the same scope");
                f.child = std::make_unique<struct_def>();
                f.child->name = f.type.struct_name;
                f.child->versions = f.versions;
                f.child->line = l.line;
                f.child->has_unknown_tagged = !f.versions.intersect(api.flexible()).empty();
            }
            parent.fields.push_back(std::move(f));
            last = &parent.fields.back();
            last_level = level;
            if (last->child) stack.push_back(last->child.get());
        }
        if (last && last->type.is_struct)
            fail(last->line, "struct field '" + last->name + "' has no fields indented below it");
    }

    /// Gives every struct its C++ name: the schema name, unless a sibling member, one of its own
    /// members (a class may not have a data member of its own name: ListTransactions'
    /// transaction_state holds a transaction_state string), an enclosing struct or a reserved name
    /// would clash with it (then `<name>_type`).
    void name_structs(struct_def& s, std::vector<std::string>& enclosing) {
        for (field& f : s.fields) {
            if (!f.child) continue;
            std::string n = f.child->name;
            bool clash = is_reserved_cpp_name(n);
            for (const field& m : s.fields) clash = clash || m.cpp_name == n;
            for (const field& m : f.child->fields) clash = clash || m.cpp_name == n;
            for (const std::string& e : enclosing) clash = clash || e == n;
            f.child->cpp_name = clash ? n + "_type" : n;
            f.child->qualified = s.qualified + "::" + f.child->cpp_name;
            enclosing.push_back(f.child->cpp_name);
            name_structs(*f.child, enclosing);
            enclosing.pop_back();
        }
    }

    void check_top_level_names(const struct_def& root) const {
        static const std::set<std::string> statics = {"api_key", "api_name", "min_version", "max_version",
                                                      "first_flexible_version", "response_type"};
        static const std::set<std::string> data_statics = {"data_name", "min_version", "max_version",
                                                           "first_flexible_version"};
        for (const field& f : root.fields)
            if ((api.is_data ? data_statics : statics).count(f.cpp_name))
                fail(f.line, "top-level field '" + f.name + "' clashes with a generated static member");
    }

    /// A data schema: one struct, its fields from the line after the header on.
    void parse_data_body(const std::vector<source_line>& lines) {
        if (lines.size() < 2) fail(lines[0].line, "data schema without fields");
        message_def& m = api.request;
        m.is_request = false;
        m.root.name = api.name;
        m.root.cpp_name = api.name;
        m.root.qualified = api.name;
        m.root.versions = api.versions;
        m.root.line = lines[0].line;
        m.root.has_unknown_tagged = api.first_flexible >= 0;
        parse_body(lines, 1, lines.size(), m.root, 1);
        check_top_level_names(m.root);
        std::vector<std::string> enclosing{m.root.cpp_name};
        name_structs(m.root, enclosing);
    }

    void parse(const std::vector<source_line>& lines) {
        if (lines.empty()) fail(1, "empty schema file");
        parse_header(lines[0]);
        if (api.is_data) return parse_data_body(lines);
        std::optional<std::size_t> req, resp;
        for (std::size_t k = 1; k < lines.size(); ++k) {
            const source_line& l = lines[k];
            if (l.indent != 0) continue;
            const std::string& w = l.tokens[0].text;
            if (l.tokens.size() != 1 || (w != "request" && w != "response"))
                fail(l.line, "expected 'request' or 'response' at column 1, got '" + w + "'");
            auto& slot = w == "request" ? req : resp;
            if (slot) fail(l.line, "'" + w + "' given twice");
            slot = k;
        }
        if (!req) fail(lines[0].line, "missing 'request' section");
        if (!resp) fail(lines[0].line, "missing 'response' section");
        if (std::min(*req, *resp) > 1) fail(lines[1].line, "field line before the 'request' section");
        for (bool is_req : {true, false}) {
            std::size_t start = is_req ? *req : *resp;
            std::size_t other = is_req ? *resp : *req;
            std::size_t begin = start + 1;
            std::size_t end = other > start ? other : lines.size();
            message_def& m = is_req ? api.request : api.response;
            m.is_request = is_req;
            m.root.name = api.name + (is_req ? "_request" : "_response");
            m.root.cpp_name = m.root.name;
            m.root.qualified = m.root.name;
            m.root.versions = api.versions;
            m.root.line = lines[begin - 1].line;
            m.root.has_unknown_tagged = api.first_flexible >= 0;
            parse_body(lines, begin, end, m.root);
            check_top_level_names(m.root);
            std::vector<std::string> enclosing{m.root.cpp_name};
            name_structs(m.root, enclosing);
        }
    }
};

std::string file_stem(const std::string& path) {
    std::size_t slash = path.find_last_of('/');
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    std::size_t dot = base.rfind(".ks");
    return dot == std::string::npos ? base : base.substr(0, dot);
}

}  // namespace

api_def parse_api(const std::string& path, const std::string& text) {
    parser p{path, {}};
    p.api.file = path;
    p.parse(lex(path, text));
    // NN_name.ks (name.ks for data) must agree with the header, so build rules can name outputs
    // from the file name.
    std::string stem = file_stem(path);
    if (p.api.is_data) {
        if (stem != p.api.name)
            throw schema_error(path, p.header_line, "file name must be <name>.ks matching the header (data " + p.api.name + ")");
        return std::move(p.api);
    }
    std::size_t us = stem.find('_');
    auto key = us == std::string::npos ? std::nullopt : parse_integer(stem.substr(0, us));
    if (!key || *key != p.api.key || stem.substr(us + 1) != p.api.name)
        throw schema_error(path, p.header_line, "file name must be <key>_<name>.ks matching the header (api " +
                                        std::to_string(p.api.key) + " " + p.api.name + ")");
    return std::move(p.api);
}

std::vector<error_def> parse_errors(const std::string& path, const std::string& text) {
    std::vector<error_def> out;
    std::map<int, int> codes;          // code -> line
    std::map<std::string, int> names;  // name -> line
    for (const source_line& l : lex(path, text)) {
        const auto& t = l.tokens;
        const char* form = "expected: error <code> <snake_name> [retriable] [metadata] \"<message>\"";
        if (l.indent != 0 || t.size() < 4 || t.size() > 6 || t[0].quoted || t[0].text != "error")
            throw schema_error(path, l.line, form);
        error_def e;
        e.line = l.line;
        auto code = parse_integer(t[1].text);
        if (t[1].quoted || !code || *code < SHRT_MIN || *code > SHRT_MAX)
            throw schema_error(path, l.line, "bad error code '" + t[1].text + "'");
        e.code = static_cast<int>(*code);
        if (t[2].quoted || !is_snake_identifier(t[2].text))
            throw schema_error(path, l.line, "error name '" + t[2].text + "' is not snake_case");
        e.name = is_reserved_cpp_name(t[2].text) ? t[2].text + "_" : t[2].text;
        for (std::size_t i = 3; i + 1 < t.size(); ++i) {
            bool* flag = nullptr;
            if (!t[i].quoted && t[i].text == "retriable") flag = &e.retriable;
            else if (!t[i].quoted && t[i].text == "metadata") flag = &e.metadata;
            if (flag == nullptr || *flag) throw schema_error(path, l.line, form);
            *flag = true;
        }
        if (!t.back().quoted) throw schema_error(path, l.line, form);
        e.message = t.back().text;
        if (auto [it, fresh] = codes.emplace(e.code, l.line); !fresh)
            throw schema_error(path, l.line, "code " + t[1].text + " already defined on line " + std::to_string(it->second));
        if (auto [it, fresh] = names.emplace(e.name, l.line); !fresh)
            throw schema_error(path, l.line, "name " + e.name + " already defined on line " + std::to_string(it->second));
        out.push_back(std::move(e));
    }
    auto require = [&](int code, const char* name) {
        auto it = codes.find(code);
        if (it == codes.end() || names.find(name) == names.end() || names.at(name) != it->second)
            throw schema_error(path, 1, "code " + std::to_string(code) + " must be named " + name);
    };
    require(-1, "unknown_server_error");
    require(0, "none");
    return out;
}

}  // namespace kasio::codegen

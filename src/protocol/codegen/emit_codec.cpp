// Emits src/protocol/messages/<name>.cpp: for every struct (children first) three overloads in
// an anonymous namespace, size_ / write_ / read_, each taking the message version at run time,
// then the public encoded_size / encode / decode of the two top-level structs.
#include "emit.hpp"

#include <algorithm>

namespace kasio::codegen {
namespace {

/// "a && b" without redundant "true".
std::string conj(const std::string& a, const std::string& b) {
    if (a == "true") return b;
    if (b == "true") return a;
    return a + " && " + b;
}

/// Versions in which `f` is a regular (untagged) field.
version_range untagged_versions(const field& f) {
    return f.tag ? version_range{f.versions.lo, f.tagged.lo - 1} : f.versions;
}

/// Tagged fields of `s` in ascending tag order (the order they are written in).
std::vector<const field*> tagged_fields(const struct_def& s) {
    std::vector<const field*> v;
    for (const field& f : s.fields)
        if (f.tag) v.push_back(&f);
    std::sort(v.begin(), v.end(), [](const field* a, const field* b) { return *a->tag < *b->tag; });
    return v;
}

class codec_emitter {
public:
    codec_emitter(const api_def& api, code& c) : api_(api), c_(c) {}

    void run() {
        c_();
        for (const message_def* m : api_.messages())
            for_each_struct_postorder(m->root, [&](const struct_def& s) { collect_min_sizes(s); });
        for (const message_def* m : api_.messages())
            for_each_struct_postorder(m->root, [&](const struct_def& s) { emit_struct(s); });
    }

private:
    // ---- array length bounds ----------------------------------------------------------------

    /// Registers the minimum element size of each array field: a constant, or a per-version table.
    void collect_min_sizes(const struct_def& s) {
        for (const field& f : s.fields) {
            if (!f.type.array) continue;
            std::vector<std::size_t> mins;
            for (int v = api_.versions.lo; v <= api_.versions.hi; ++v)
                mins.push_back(f.versions.contains(v) ? min_element_size(api_, f, v) : 0);
            std::size_t first = min_element_size(api_, f, f.versions.lo);
            bool constant = std::all_of(mins.begin(), mins.end(), [&](std::size_t m) { return m == 0 || m == first; });
            if (constant) {
                min_expr_[&f] = std::to_string(first);
                continue;
            }
            std::string name = "min_size_" + std::to_string(tables_.size());
            std::string line = "constexpr std::size_t " + name + "[] = {";
            for (std::size_t i = 0; i < mins.size(); ++i) line += (i ? ", " : "") + std::to_string(std::max<std::size_t>(mins[i], 1));
            line += "};  // " + s.qualified + "::" + f.cpp_name + ", by version";
            c_(line);
            tables_.push_back(name);
            min_expr_[&f] = name + "[v - " + std::to_string(api_.versions.lo) + "]";
        }
    }

    // ---- per-field expressions ------------------------------------------------------------

    std::string nullable_cond(const field& f) const {
        return f.optional_member() ? version_cond(f.nullable, f.versions) : "false";
    }

    std::string size_expr(const field& f) const {
        std::string m = "x." + f.cpp_name;
        if (f.type.array) {
            std::string elem = f.type.is_struct ? "size_(e, v)" : "field_size(e, flex)";
            return "array_size(" + m + ", flex, [&](const auto& e) { return " + elem + "; })";
        }
        if (f.type.is_struct) {
            if (!f.optional_member()) return "size_(" + m + ", v)";
            return "opt_struct_size(" + m + ", " + nullable_cond(f) + ", [&](const auto& e) { return size_(e, v); })";
        }
        return "field_size(" + m + ", flex)";
    }

    std::string write_stmt(const field& f, bool tagged) const {
        std::string m = "x." + f.cpp_name;
        if (f.type.array) {
            std::string elem = f.type.is_struct ? "write_(w, e, v)" : "write_field(w, e, flex)";
            return "write_array(w, " + m + ", flex, " + nullable_cond(f) + ", [&](const auto& e) { " + elem + "; });";
        }
        if (f.type.is_struct) {
            if (!f.optional_member()) return "write_(w, " + m + ", v);";
            return "write_opt_struct(w, " + m + ", " + nullable_cond(f) + ", " + (tagged ? "true" : "false") +
                   ", [&](const auto& e) { write_(w, e, v); });";
        }
        return "write_field(w, " + m + ", flex, " + nullable_cond(f) + ");";
    }

    std::string read_stmt(const field& f, const std::string& rd, bool tagged) const {
        std::string m = "x." + f.cpp_name;
        if (f.type.array) {
            std::string elem = f.type.is_struct ? "read_(" + rd + ", e, v)" : "read_field(" + rd + ", e, flex)";
            return "read_array(" + rd + ", " + m + ", flex, " + nullable_cond(f) + ", " + min_expr_.at(&f) +
                   ", [&](auto& e) { " + elem + "; });";
        }
        if (f.type.is_struct) {
            if (!f.optional_member()) return "read_(" + rd + ", " + m + ", v);";
            return "read_opt_struct(" + rd + ", " + m + ", " + nullable_cond(f) + ", " + (tagged ? "true" : "false") +
                   ", [&](auto& e) { read_(" + rd + ", e, v); });";
        }
        return "read_field(" + rd + ", " + m + ", flex, " + nullable_cond(f) + ");";
    }

    /// True when a tagged field differs from its default, i.e. must be written.
    std::string non_default(const field& f) const {
        std::string m = "x." + f.cpp_name;
        return "!(" + m + " == decltype(" + m + ")(" + init_value(f, true) + "))";
    }

    /// Emits `stmt` guarded by `cond` (omitted when always true; nothing when never).
    void guarded(const std::string& cond, const std::string& stmt) {
        if (cond == "false") return;
        if (cond == "true") c_(stmt);
        else c_("if (" + cond + ") " + stmt);
    }

    // ---- per-struct functions -------------------------------------------------------------

    void begin_tagged_section(const std::string& flex) {
        if (flex == "true") c_.open("");
        else c_.open("if (flex)");
    }

    void emit_struct(const struct_def& s) {
        const std::string& q = s.qualified;
        const std::string flex = version_cond(api_.flexible(), s.versions);
        const bool tags = s.has_unknown_tagged && flex != "false";
        const auto tagged = tagged_fields(s);
        const std::string prologue = "[[maybe_unused]] const bool flex = " + flex + ";";

        c_();
        c_.open("std::size_t size_(const " + q + "& x, [[maybe_unused]] std::int16_t v)");
        c_(prologue);
        c_("std::size_t n = 0;");
        for (const field& f : s.fields)
            guarded(version_cond(untagged_versions(f), s.versions), "n += " + size_expr(f) + ";");
        if (tags) {
            begin_tagged_section(flex);
            c_("std::size_t tags = x.unknown_tagged.size();");
            c_("n += unknown_tagged_size(x.unknown_tagged);");
            for (const field* f : tagged) {
                std::string cond = conj(version_cond(f->tagged, s.versions), non_default(*f));
                c_.open("if (" + cond + ")");
                c_("++tags;");
                c_("n += tagged_size(" + std::to_string(*f->tag) + ", " + size_expr(*f) + ");");
                c_.close();
            }
            c_("n += uvarint_size(tags);");
            c_.close();
        }
        c_("return n;");
        c_.close();

        c_();
        c_.open("void write_(writer& w, const " + q + "& x, [[maybe_unused]] std::int16_t v)");
        c_(prologue);
        for (const field& f : s.fields) guarded(version_cond(untagged_versions(f), s.versions), write_stmt(f, false));
        if (tags) {
            begin_tagged_section(flex);
            std::string count = "x.unknown_tagged.size()";
            for (const field* f : tagged) {
                c_("const bool has_" + f->cpp_name + " = " + conj(version_cond(f->tagged, s.versions), non_default(*f)) + ";");
                count += " + has_" + f->cpp_name;
            }
            c_("w.write_uvarint(" + count + ");");
            c_("tag_writer tags(w, x.unknown_tagged);");
            for (const field* f : tagged) {
                c_.open("if (has_" + f->cpp_name + ")");
                c_("tags.next(" + std::to_string(*f->tag) + ", " + size_expr(*f) + ");");
                c_(write_stmt(*f, true));
                c_.close();
            }
            c_("tags.finish();");
            c_.close();
        }
        c_.close();

        c_();
        c_.open("void read_(reader& r, " + q + "& x, [[maybe_unused]] std::int16_t v)");
        c_(prologue);
        for (const field& f : s.fields) guarded(version_cond(untagged_versions(f), s.versions), read_stmt(f, "r", false));
        if (tags) {
            std::string call = flex == "true" ? "" : "if (flex) ";
            if (tagged.empty()) {
                c_(call + "read_tagged_fields(r, x.unknown_tagged, [](std::uint32_t, reader&) { return false; });");
            } else {
                c_.open(call + "read_tagged_fields(r, x.unknown_tagged, [&](std::uint32_t tag, reader& t)");
                c_.open("switch (tag)");
                for (const field* f : tagged) {
                    c_("case " + std::to_string(*f->tag) + ":");
                    std::string tc = version_cond(f->tagged, s.versions);
                    if (tc != "true") c_("    if (!(" + tc + ")) return false;");
                    c_("    " + read_stmt(*f, "t", true));
                    c_("    return true;");
                }
                c_("default: return false;");
                c_.close();
                c_.close("});");
            }
        }
        c_.close();
    }

    const api_def& api_;
    code& c_;
    std::vector<std::string> tables_;
    std::map<const field*, std::string> min_expr_;
};

void emit_public(code& c, const std::string& t) {
    c();
    c.open("std::size_t encoded_size(const " + t + "& msg, std::int16_t version)");
    c("assert(version >= " + t + "::min_version && version <= " + t + "::max_version);");
    c("return size_(msg, version);");
    c.close();
    c();
    c.open("void encode(writer& w, const " + t + "& msg, std::int16_t version)");
    c("assert(version >= " + t + "::min_version && version <= " + t + "::max_version);");
    c("w.buffer().reserve(w.position() + size_(msg, version));");
    c("write_(w, msg, version);");
    c.close();
    c();
    c.open("error_code decode(reader& r, " + t + "& msg, std::int16_t version)");
    c("if (version < " + t + "::min_version || version > " + t + "::max_version)");
    c("    return make_error_code(client_errc::unsupported_version);");
    c("msg = " + t + "{};");
    c("read_(r, msg, version);");
    c("return r.error();");
    c.close();
}

}  // namespace

void emit_message_codec(const api_def& api, file_map& out) {
    code c;
    c(banner(api.file));
    c("#include \"protocol/messages/" + api.name + ".hpp\"");
    c();
    c("#include <cassert>");
    c();
    c("namespace kasio::protocol::msg {");
    c("namespace {");
    c();
    c("using namespace ::kasio::protocol::detail;");
    codec_emitter(api, c).run();
    c();
    c("}  // namespace");
    for (const message_def* m : api.messages()) emit_public(c, m->root.cpp_name);
    c();
    c("}  // namespace kasio::protocol::msg");
    out["src/protocol/messages/" + api.name + ".cpp"] = c.str();
}

}  // namespace kasio::codegen

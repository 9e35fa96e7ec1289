// Emits src/protocol/messages/<name>.hpp: one struct per direction, nested structs as nested
// types, and the encoded_size / encode / decode declarations.
#include "emit.hpp"

namespace kasio::codegen {
namespace {

const char* route_name(route r) {
    switch (r) {
    case route::any: return "any";
    case route::leader: return "leader";
    case route::coordinator: return "coordinator";
    case route::controller: return "controller";
    }
    return "any";
}

std::string field_doc(const api_def& api, const field& f, version_range parent) {
    std::string d;
    auto add = [&](const std::string& s) { d += (d.empty() ? "" : "; ") + s; };
    if (f.versions != parent) add("versions " + show_versions(f.versions, api.versions.hi));
    if (!f.nullable.empty()) add("nullable " + show_versions(f.nullable, api.versions.hi));
    if (f.tag) {
        std::string t = "tag " + std::to_string(*f.tag);
        if (f.tagged != f.versions) t += " in " + show_versions(f.tagged, api.versions.hi);
        add(t);
    }
    if (f.cpp_name != f.name) add("schema name " + f.name);
    if (!f.type.array && !f.type.is_struct && f.type.p == prim::records)
        add("view into the decoded buffer");
    return d;
}

bool has_records(const struct_def& s) {
    for (const field& f : s.fields)
        if (!f.type.array && !f.type.is_struct && f.type.p == prim::records) return true;
    return false;
}

void emit_equality(code& c, const struct_def& s) {
    const std::string& t = s.cpp_name;
    if (!has_records(s)) {
        c("friend bool operator==(const " + t + "&, const " + t + "&) = default;");
        return;
    }
    // std::span has no operator==: records compare by content.
    c.open("friend bool operator==(const " + t + "& a, const " + t + "& b)");
    std::string expr;
    for (const field& f : s.fields) {
        bool rec = !f.type.array && !f.type.is_struct && f.type.p == prim::records;
        std::string term = rec ? "detail::records_equal(a." + f.cpp_name + ", b." + f.cpp_name + ")"
                               : "a." + f.cpp_name + " == b." + f.cpp_name;
        expr += (expr.empty() ? "" : " && ") + term;
    }
    if (s.has_unknown_tagged) expr += " && a.unknown_tagged == b.unknown_tagged";
    c("return " + expr + ";");
    c.close();
}

void emit_struct_body(code& c, const api_def& api, const struct_def& s) {
    for (const field& f : s.fields) {
        if (!f.child) continue;
        const struct_def& ch = *f.child;
        c("/// " + (f.type.array ? std::string("Element of ") : std::string("Value of ")) + f.cpp_name + ".");
        c.open("struct " + ch.cpp_name);
        emit_struct_body(c, api, ch);
        c.close("};");
        c();
    }
    for (const field& f : s.fields) {
        std::string init = init_value(f, false);
        std::string line = member_type(f, false) + " " + f.cpp_name + (init.empty() ? "{}" : " = " + init) + ";";
        std::string doc = field_doc(api, f, s.versions);
        c(doc.empty() ? line : line + "  ///< " + doc);
    }
    if (s.has_unknown_tagged)
        c("unknown_tagged_fields unknown_tagged;  ///< tags kasio does not know, re-encoded as received");
    c();
    emit_equality(c, s);
}

void emit_message_struct(code& c, const api_def& api, const message_def& m) {
    const struct_def& s = m.root;
    std::string other = api.name + (m.is_request ? "_response" : "_request");
    c("/// " + pascal(api.name) + (m.is_request ? " request" : " response") + " (api key " +
      std::to_string(api.key) + ").");
    c.open("struct " + s.cpp_name);
    c("static constexpr std::int16_t api_key = " + std::to_string(api.key) + ";");
    c("static constexpr std::string_view api_name = " + quote(api.name) + ";");
    c("static constexpr std::int16_t min_version = " + std::to_string(api.versions.lo) + ";");
    c("static constexpr std::int16_t max_version = " + std::to_string(api.versions.hi) + ";");
    c("static constexpr std::int16_t first_flexible_version = " + std::to_string(api.first_flexible) + ";");
    c(std::string("using ") + (m.is_request ? "response_type" : "request_type") + " = " + other + ";");
    c();
    emit_struct_body(c, api, s);
    c.close("};");
    c();
}

void emit_data_struct(code& c, const api_def& api) {
    const struct_def& s = api.request.root;
    c("/// " + pascal(api.name) + " (a data schema: encoded inside another message's bytes).");
    c.open("struct " + s.cpp_name);
    c("static constexpr std::string_view data_name = " + quote(api.name) + ";");
    c("static constexpr std::int16_t min_version = " + std::to_string(api.versions.lo) + ";");
    c("static constexpr std::int16_t max_version = " + std::to_string(api.versions.hi) + ";");
    c("static constexpr std::int16_t first_flexible_version = " + std::to_string(api.first_flexible) + ";");
    c();
    emit_struct_body(c, api, s);
    c.close("};");
    c();
}

void emit_declarations(code& c, const std::string& t) {
    c("/// Exactly the number of bytes encode() writes for `msg` in `version`.");
    c("std::size_t encoded_size(const " + t + "& msg, std::int16_t version);");
    c("/// Appends `msg` in `version` (reserving once). Precondition: min_version <= version <=");
    c("/// max_version. Fields absent in `version` are not written; a null where `version` does not");
    c("/// allow one is written as empty.");
    c("void encode(writer& w, const " + t + "& msg, std::int16_t version);");
    c("/// Resets `msg`, then reads it in `version`: client_errc::unsupported_version outside the");
    c("/// version range, else the reader's (sticky) error. Fields absent in `version` keep their");
    c("/// defaults.");
    c("error_code decode(reader& r, " + t + "& msg, std::int16_t version);");
    c();
}

}  // namespace

void emit_message_header(const api_def& api, file_map& out) {
    code c;
    c(banner(api.file));
    c("#pragma once");
    std::string flex = api.first_flexible < 0 ? "never flexible" : "flexible " + std::to_string(api.first_flexible) + "+";
    std::string what = api.is_data ? " (data)" : " (api key " + std::to_string(api.key) + ")";
    c("// " + pascal(api.name) + what + ": versions " + std::to_string(api.versions.lo) + "-" +
      std::to_string(api.versions.hi) + ", " + flex + (api.is_data ? "" : std::string(", route ") + route_name(api.rt)) + ".");
    c("//");
    c("// Lifetime: decoded `records` fields (std::optional<bytes_view>) point into the buffer given to");
    c("// decode(); the caller keeps that buffer alive as long as it uses them. Everything else is owned.");
    c("#include \"protocol/codegen/runtime/message_support.hpp\"");
    c();
    c("#include <kasio/error.hpp>");
    c();
    for (const char* h : {"<cstdint>", "<limits>", "<optional>", "<string>", "<string_view>", "<vector>"})
        c(std::string("#include ") + h);
    c();
    c("namespace kasio::protocol::msg {");
    c();
    if (api.is_data) {
        emit_data_struct(c, api);
        emit_declarations(c, api.request.root.cpp_name);
    } else {
        c("struct " + api.name + "_response;");
        c();
        emit_message_struct(c, api, api.request);
        emit_message_struct(c, api, api.response);
        emit_declarations(c, api.request.root.cpp_name);
        emit_declarations(c, api.response.root.cpp_name);
    }
    c("}  // namespace kasio::protocol::msg");
    out["src/protocol/messages/" + api.name + ".hpp"] = c.str();
}

}  // namespace kasio::codegen

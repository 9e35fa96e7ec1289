// Emits src/protocol/messages/<name>_testing.cpp: fill_random() for both directions of one API
// (tests only; compiled into kasio_protocol_testing).
#include "emit.hpp"

namespace kasio::codegen {
namespace {

class testing_emitter {
public:
    testing_emitter(const api_def& api, code& c) : api_(api), c_(c) {}

    void emit_struct(const struct_def& s) {
        const std::string flex = version_cond(api_.flexible(), s.versions);
        c_();
        c_.open("void fill_(" + s.qualified + "& x, [[maybe_unused]] std::int16_t v, [[maybe_unused]] std::mt19937_64& g)");
        c_("[[maybe_unused]] const bool flex = " + flex + ";");
        std::string known;
        for (const field& f : s.fields) {
            std::string cond = version_cond(f.versions, s.versions);
            if (cond == "false") continue;
            // A tagged field left at its default is not written: keep it sometimes, to cover that.
            if (f.tag && f.tagged == f.versions) cond = cond == "true" ? "!one_in(g, 4)" : cond + " && !one_in(g, 4)";
            std::string stmt = fill_stmt(f);
            c_(cond == "true" ? stmt : "if (" + cond + ") " + stmt);
            if (f.tag) known += (known.empty() ? "" : ", ") + std::to_string(*f.tag);
        }
        if (s.has_unknown_tagged && flex != "false")
            c_((flex == "true" ? std::string() : "if (flex) ") + "random_unknown_tags(x.unknown_tagged, g, {" + known + "});");
        c_.close();
    }

private:
    std::string fill_stmt(const field& f) const {
        std::string m = "x." + f.cpp_name;
        std::string nc = f.optional_member() ? version_cond(f.nullable, f.versions) : "false";
        if (f.type.array) {
            std::string elem = f.type.is_struct ? "fill_(e, v, g)" : "random_field(e, g)";
            return "random_array(" + m + ", g, " + nc + ", [&](auto& e) { " + elem + "; });";
        }
        if (f.type.is_struct) {
            if (!f.optional_member()) return "fill_(" + m + ", v, g);";
            return "random_opt_struct(" + m + ", g, " + nc + ", [&](auto& e) { fill_(e, v, g); });";
        }
        return "random_field(" + m + ", g, " + nc + ");";
    }

    const api_def& api_;
    code& c_;
};

void emit_public(code& c, const std::string& t) {
    c();
    c.open("void fill_random(" + t + "& msg, std::int16_t version, std::mt19937_64& rng)");
    c("msg = " + t + "{};");
    c("fill_(msg, version, rng);");
    c.close();
}

}  // namespace

void emit_message_testing(const api_def& api, file_map& out) {
    code c;
    c(banner(api.file));
    c("#include \"protocol/messages_testing.hpp\"");
    c();
    c("namespace kasio::protocol::msg {");
    c("namespace {");
    c();
    c("using namespace ::kasio::protocol::testing;");
    testing_emitter e(api, c);
    for (const message_def* m : api.messages())
        for_each_struct_postorder(m->root, [&](const struct_def& s) { e.emit_struct(s); });
    c();
    c("}  // namespace");
    for (const message_def* m : api.messages()) emit_public(c, m->root.cpp_name);
    c();
    c("}  // namespace kasio::protocol::msg");
    c();
    c("namespace kasio::protocol::testing {");
    c();
    for (const message_def* m : api.messages()) {
        const std::string& t = m->root.cpp_name;
        c("std::unique_ptr<erased_message> make_" + t + "() { return make_erased<msg::" + t + ">(); }");
    }
    c();
    c("}  // namespace kasio::protocol::testing");
    out["src/protocol/messages/" + api.name + "_testing.cpp"] = c.str();
}

}  // namespace kasio::codegen

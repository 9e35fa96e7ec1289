// Emits the files that span every API or error code: the umbrella messages.hpp, the test
// registry, the api table, and the broker error enum and table.
#include "emit.hpp"

#include <algorithm>

namespace kasio::codegen {
namespace {

const char* route_enumerator(route r) {
    switch (r) {
    case route::any: return "api_route::any";
    case route::leader: return "api_route::leader";
    case route::coordinator: return "api_route::coordinator";
    case route::controller: return "api_route::controller";
    }
    return "api_route::any";
}

const std::string gen = banner("src/protocol/schema/*.ks");

void emit_messages_umbrella(const schema& s, file_map& out) {
    code c;
    c(gen);
    c("#pragma once");
    c("// Every generated message type (namespace kasio::protocol::msg).");
    for (const api_def& a : s.apis) c("#include \"protocol/messages/" + a.name + ".hpp\"");
    out["src/protocol/messages.hpp"] = c.str();
}

void emit_testing_registry(const schema& s, file_map& out) {
    code h;
    h(gen);
    h("#pragma once");
    h("// Tests only (library kasio_protocol_testing): fill_random() for every message type and the");
    h("// registry behind kasio::protocol::testing::all_message_types().");
    h("#include \"protocol/codegen/runtime/testing_support.hpp\"");
    h("#include \"protocol/messages.hpp\"");
    h();
    h("#include <random>");
    h();
    h("namespace kasio::protocol::msg {");
    h();
    h("// Reset `msg`, then fill every field present in `version` with random values (see");
    h("// testing_support.hpp for the value distribution and where records bytes live).");
    for (const api_def& a : s.apis)
        for (const message_def* m : a.messages())
            h("void fill_random(" + m->root.cpp_name + "& msg, std::int16_t version, std::mt19937_64& rng);");
    h();
    h("}  // namespace kasio::protocol::msg");
    h();
    h("namespace kasio::protocol::testing {");
    h();
    h("// Factories of the type-erased messages (each defined in its API's *_testing.cpp).");
    for (const api_def& a : s.apis)
        for (const message_def* m : a.messages())
            h("std::unique_ptr<erased_message> make_" + m->root.cpp_name + "();");
    h();
    h("}  // namespace kasio::protocol::testing");
    out["src/protocol/messages_testing.hpp"] = h.str();

    code c;
    c(gen);
    c("#include \"protocol/messages_testing.hpp\"");
    c();
    c("namespace kasio::protocol::testing {");
    c("namespace {");
    c();
    c.open("constexpr message_type types[] =");
    for (const api_def& a : s.apis)
        if (!a.is_data)
            for (const message_def* m : a.messages())
                c("message_type_of<msg::" + m->root.cpp_name + ">(&make_" + m->root.cpp_name + "),");
    c.close("};");
    // Data schemas get their own list (never empty: a sentinel keeps the array valid C++).
    std::size_t data = 0;
    c.open("constexpr message_type data_types[] =");
    for (const api_def& a : s.apis)
        if (a.is_data) {
            ++data;
            c("data_type_of<msg::" + a.request.root.cpp_name + ">(&make_" + a.request.root.cpp_name + "),");
        }
    if (data == 0) c("message_type{},");
    c.close("};");
    c();
    c("}  // namespace");
    c();
    c("std::span<const message_type> all_message_types() noexcept { return types; }");
    c("std::span<const message_type> all_data_types() noexcept { return std::span(data_types).first(" +
      std::to_string(data) + "); }");
    c();
    c("}  // namespace kasio::protocol::testing");
    out["src/protocol/messages_testing.cpp"] = c.str();
}

void emit_api_table(const schema& s, file_map& out) {
    code h;
    h(gen);
    h("#pragma once");
    h("// Every API kasio implements: key, name, version range, first flexible version and where");
    h("// requests go. Sorted by key.");
    h("#include <cstdint>");
    h("#include <span>");
    h("#include <string_view>");
    h();
    h("namespace kasio::protocol {");
    h();
    h("/// Which broker a request must go to.");
    h("enum class api_route { any, leader, coordinator, controller };");
    h();
    h("struct api_info {");
    h("    std::int16_t key;");
    h("    std::string_view name;");
    h("    std::int16_t min_version;");
    h("    std::int16_t max_version;");
    h("    std::int16_t first_flexible_version;  ///< -1 when no version is flexible");
    h("    api_route route;");
    h("};");
    h();
    h("/// All APIs, sorted by key.");
    h("std::span<const api_info> all_apis() noexcept;");
    h("/// The API with `key`, or nullptr when kasio does not implement it.");
    h("const api_info* find_api(std::int16_t key) noexcept;");
    h();
    h("}  // namespace kasio::protocol");
    out["src/protocol/api_table.hpp"] = h.str();

    code c;
    c(gen);
    c("#include \"protocol/api_table.hpp\"");
    c();
    c("#include <algorithm>");
    c();
    c("namespace kasio::protocol {");
    c("namespace {");
    c();
    c.open("constexpr api_info apis[] =");
    for (const api_def& a : s.apis)
        if (!a.is_data)
            c("{" + std::to_string(a.key) + ", " + quote(a.name) + ", " + std::to_string(a.versions.lo) + ", " +
              std::to_string(a.versions.hi) + ", " + std::to_string(a.first_flexible) + ", " + route_enumerator(a.rt) +
              "},");
    c.close("};");
    c();
    c("}  // namespace");
    c();
    c("std::span<const api_info> all_apis() noexcept { return apis; }");
    c();
    c.open("const api_info* find_api(std::int16_t key) noexcept");
    c("auto it = std::lower_bound(std::begin(apis), std::end(apis), key,");
    c("                           [](const api_info& a, std::int16_t k) { return a.key < k; });");
    c("return it != std::end(apis) && it->key == key ? &*it : nullptr;");
    c.close();
    c();
    c("}  // namespace kasio::protocol");
    out["src/protocol/api_table.cpp"] = c.str();
}

}  // namespace

void emit_tables(const schema& s, file_map& out) {
    emit_messages_umbrella(s, out);
    emit_testing_registry(s, out);
    emit_api_table(s, out);
}

void emit_errors(const schema& s, file_map& out) {
    const std::string src = banner("src/protocol/schema/errors.ks");
    code h;
    h(src);
    h("#pragma once");
    h("#include <kasio/error.hpp>");
    h();
    h("namespace kasio {");
    h();
    h("/// Error codes returned by Kafka brokers; the value is Kafka's protocol code. Ask");
    h("/// is_retriable(ec) / is_fatal(ec) rather than listing codes.");
    h.open("enum class broker_errc : int");
    for (const error_def& e : s.errors) h(e.name + " = " + std::to_string(e.code) + ",  ///< " + e.message);
    h.close("};");
    h();
    h("}  // namespace kasio");
    out["include/kasio/broker_errc.hpp"] = h.str();

    code bh;
    bh(src);
    bh("#pragma once");
    bh("// Name, default message and flags of every Kafka error code.");
    bh();
    bh("namespace kasio::protocol {");
    bh();
    bh("struct broker_error_info {");
    bh("    int code;");
    bh("    const char* name;     ///< snake_case, as in broker_errc");
    bh("    const char* message;  ///< Kafka's default message");
    bh("    bool retriable;       ///< Kafka's exception for the code is a RetriableException");
    bh("    bool metadata;        ///< the client's metadata is stale: refresh it before retrying");
    bh("};");
    bh();
    bh("/// The entry for `code`, or nullptr for a code kasio does not know.");
    bh("const broker_error_info* find_broker_error(int code) noexcept;");
    bh();
    bh("}  // namespace kasio::protocol");
    out["src/protocol/broker_errors.hpp"] = bh.str();

    std::vector<const error_def*> sorted;
    for (const error_def& e : s.errors) sorted.push_back(&e);
    std::sort(sorted.begin(), sorted.end(), [](const error_def* a, const error_def* b) { return a->code < b->code; });
    code c;
    c(src);
    c("#include \"protocol/broker_errors.hpp\"");
    c();
    c("#include <algorithm>");
    c("#include <iterator>");
    c();
    c("namespace kasio::protocol {");
    c("namespace {");
    c();
    c.open("constexpr broker_error_info errors[] =");
    for (const error_def* e : sorted)
        c("{" + std::to_string(e->code) + ", " + quote(e->name) + ", " + quote(e->message) + ", " +
          (e->retriable ? "true" : "false") + ", " + (e->metadata ? "true" : "false") + "},");
    c.close("};");
    c();
    c("}  // namespace");
    c();
    c.open("const broker_error_info* find_broker_error(int code) noexcept");
    c("auto it = std::lower_bound(std::begin(errors), std::end(errors), code,");
    c("                           [](const broker_error_info& e, int k) { return e.code < k; });");
    c("return it != std::end(errors) && it->code == code ? &*it : nullptr;");
    c.close();
    c();
    c("}  // namespace kasio::protocol");
    out["src/protocol/broker_errors.cpp"] = c.str();
}

}  // namespace kasio::codegen

#pragma once
// The schema model kasio-codegen builds from *.ks files (see src/protocol/schema/README.md).
//
// Everything here is already validated and normalised by the parser: version sets are clamped
// to the message's versions (and to the parent field's), names are C++-safe, and each struct
// knows its generated C++ name. The emitters only read this model.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace kasio::codegen {

/// A malformed schema: reported as `file:line: message`, and the generator exits non-zero.
struct schema_error : std::runtime_error {
    schema_error(const std::string& file, int line, const std::string& msg)
        : std::runtime_error(file + ":" + std::to_string(line) + ": error: " + msg) {}
};

/// An inclusive range of message versions; empty when hi < lo. Kafka's version specs
/// ("3+", "0-2", "5", "none") are all contiguous ranges.
struct version_range {
    int lo = 0;
    int hi = -1;

    static version_range none() { return {}; }
    bool empty() const { return hi < lo; }
    bool contains(int v) const { return v >= lo && v <= hi; }
    version_range intersect(version_range o) const { return {std::max(lo, o.lo), std::min(hi, o.hi)}; }
    bool covers(version_range o) const { return o.empty() || (lo <= o.lo && o.hi <= hi); }
    bool operator==(const version_range&) const = default;
};

enum class prim { bool_, int8, int16, int32, int64, uint16, uint32, float64, string, bytes, records, uuid };

struct struct_def;

/// A field's type: a primitive, an array of primitives, a struct, or an array of structs.
struct field_type {
    bool array = false;
    bool is_struct = false;
    prim p = prim::int32;   // the (element) primitive when !is_struct
    std::string struct_name;  // schema name of the (element) struct when is_struct
};

/// A `default` clause, already checked against the field's type.
struct default_value {
    enum class kind { integer, floating, boolean, null, string } k = kind::integer;
    long long integer = 0;
    std::string text;  // floating (as written), string (unescaped)
    bool boolean = false;
};

struct field {
    std::string name;      // schema name
    std::string cpp_name;  // C++ member name (keywords and clashing names get a trailing '_')
    field_type type;
    version_range versions;  // where the field exists (inside the parent's versions)
    version_range nullable;  // subset of versions
    version_range tagged;    // subset of versions and of the flexible versions
    std::optional<std::uint32_t> tag;
    std::optional<default_value> def;
    int line = 0;
    std::unique_ptr<struct_def> child;  // for struct and struct-array types

    /// The C++ member is std::optional (nullable in some version; or records, always).
    bool optional_member() const {
        return (!nullable.empty() && (type.array || type.is_struct || type.p == prim::string || type.p == prim::bytes)) ||
               (!type.array && !type.is_struct && type.p == prim::records);
    }
    bool tagged_in(int v) const { return tag && tagged.contains(v); }
};

struct struct_def {
    std::string name;      // schema name (snake_case), e.g. "api_version"
    std::string cpp_name;  // C++ type name: name, or name + "_type" when it would clash
    std::string qualified;  // fully qualified from msg::, e.g. "api_versions_response::api_version"
    version_range versions;  // versions in which the struct is encoded
    bool has_unknown_tagged = false;  // exists in some flexible version
    std::vector<field> fields;
    int line = 0;
};

enum class route { any, leader, coordinator, controller };

/// One direction of an API: the top-level struct of a request or a response.
struct message_def {
    bool is_request = true;
    struct_def root;
};

/// An API (`api` header: a request and a response) or a data schema (`data` header: one struct
/// that is not a request or response by itself, e.g. the consumer protocol's JoinGroup metadata;
/// Kafka's `"type": "data"`). A data schema keeps its struct in `request` and has no key.
struct api_def {
    std::string file;  // path of the .ks file, for messages
    bool is_data = false;
    int key = 0;       // -1 for data schemas
    std::string name;  // snake_case, e.g. "api_versions"
    version_range versions;
    int first_flexible = -1;  // -1: no flexible version
    route rt = route::any;
    message_def request;
    message_def response;

    version_range flexible() const {
        return first_flexible < 0 ? version_range::none() : version_range{first_flexible, versions.hi};
    }
    bool is_flexible(int v) const { return first_flexible >= 0 && v >= first_flexible; }
    /// The top-level structs to emit: request and response, or the one struct of a data schema.
    std::vector<const message_def*> messages() const {
        if (is_data) return {&request};
        return {&request, &response};
    }
};

struct error_def {
    int code = 0;
    std::string name;
    bool retriable = false;
    bool metadata = false;  ///< refresh metadata before retrying (see errors.ks)
    std::string message;
    int line = 0;
};

struct schema {
    std::vector<api_def> apis;  // APIs sorted by key, then data schemas sorted by name
    std::vector<error_def> errors;
};

}  // namespace kasio::codegen

// ExportMetricsServiceRequest in protobuf's JSON mapping, as OTLP/HTTP accepts it: field names
// in lowerCamelCase, 64-bit integers (fixed64, int64, uint64) as decimal strings, doubles as
// numbers, enums as their numbers.
#include <kasio/exporters/otlp.hpp>
#include <kasio/version.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>

namespace kasio::exporters {

namespace {

// AggregationTemporality: AGGREGATION_TEMPORALITY_CUMULATIVE.
constexpr int cumulative = 2;

void put_string(std::string& out, std::string_view s) {
    out += '"';
    for (const char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char esc[8];
                std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(c));
                out += esc;
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

// A 64-bit integer: a JSON string (protobuf's mapping; JSON numbers lose precision past 2^53).
template <typename Int> void put_int64(std::string& out, Int v) {
    out += '"';
    out += std::to_string(v);
    out += '"';
}

// [a,b,...], each element written by put.
template <typename Range, typename Put> void put_array(std::string& out, const Range& items, Put put) {
    out += '[';
    bool first = true;
    for (const auto& item : items) {
        if (!first) out += ',';
        first = false;
        put(item);
    }
    out += ']';
}

void put_double(std::string& out, double v) {
    if (!std::isfinite(v)) {  // protobuf's JSON spells these as strings
        out += std::isnan(v) ? "\"NaN\"" : v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        return;
    }
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void put_attribute(std::string& out, std::string_view key, const std::variant<std::string, std::int64_t>& value) {
    out += "{\"key\":";
    put_string(out, key);
    out += ",\"value\":{";
    if (const auto* s = std::get_if<std::string>(&value)) {
        out += "\"stringValue\":";
        put_string(out, *s);
    } else {
        out += "\"intValue\":";
        put_int64(out, std::get<std::int64_t>(value));
    }
    out += "}}";
}

void put_point(std::string& out, const metric_point& p, std::uint64_t start, std::uint64_t now) {
    out += "{\"attributes\":";
    put_array(out, p.labels, [&](const metric_label& l) { put_attribute(out, l.name, l.value); });
    out += ",\"startTimeUnixNano\":";
    put_int64(out, start);
    out += ",\"timeUnixNano\":";
    put_int64(out, now);
    if (const auto* as_int = std::get_if<std::int64_t>(&p.value)) {
        out += ",\"asInt\":";
        put_int64(out, *as_int);
    } else if (const auto* as_double = std::get_if<double>(&p.value)) {
        out += ",\"asDouble\":";
        put_double(out, *as_double);
    } else {
        const auto& h = std::get<coarse_histogram>(p.value);
        out += ",\"count\":";
        put_int64(out, h.count);
        out += ",\"sum\":";
        put_double(out, h.sum);
        out += ",\"bucketCounts\":";
        put_array(out, h.counts, [&](std::uint64_t n) { put_int64(out, n); });
        out += ",\"explicitBounds\":";
        put_array(out, h.bounds, [&](double b) { put_double(out, b); });
        if (h.count) {  // min and max are optional: left out when nothing was recorded
            out += ",\"min\":";
            put_double(out, h.min);
            out += ",\"max\":";
            put_double(out, h.max);
        }
    }
    out += '}';
}

void put_metric(std::string& out, const metric_family& f, std::uint64_t start, std::uint64_t now) {
    out += "{\"name\":";
    put_string(out, "kasio." + std::string(to_string(f.group)) + "." + f.name);
    out += ",\"description\":";
    put_string(out, f.help);
    out += ",\"unit\":";
    put_string(out, f.unit);
    out += f.kind == metric_kind::counter ? ",\"sum\":{" : f.kind == metric_kind::gauge ? ",\"gauge\":{" : ",\"histogram\":{";
    out += "\"dataPoints\":";
    put_array(out, f.points, [&](const metric_point& p) { put_point(out, p, start, now); });
    if (f.kind != metric_kind::gauge) out += ",\"aggregationTemporality\":" + std::to_string(cumulative);
    if (f.kind == metric_kind::counter) out += ",\"isMonotonic\":true";
    out += "}}";
}

}  // namespace

std::string otlp_json(std::span<const metric_family> families, std::span<const otlp_attribute> resource,
                      std::uint64_t start_unix_nano, std::uint64_t unix_nano) {
    std::string out = R"({"resourceMetrics":[{"resource":{"attributes":)";
    put_array(out, resource, [&](const otlp_attribute& a) { put_attribute(out, a.first, a.second); });
    out += R"(},"scopeMetrics":[{"scope":{"name":"kasio","version":)";
    put_string(out, version_string);
    out += R"(},"metrics":)";
    put_array(out, families, [&](const metric_family& f) { put_metric(out, f, start_unix_nano, unix_nano); });
    out += "}]}]}";
    return out;
}

}  // namespace kasio::exporters

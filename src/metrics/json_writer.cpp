#include "metrics/json_writer.hpp"

#include <charconv>
#include <cmath>

namespace kasio::metrics {

void append_escaped(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (u < 0x20) {
                out += "\\u00";
                out += hex[u >> 4];
                out += hex[u & 15];
            } else {
                out += c;
            }
        }
    }
}

void json_writer::comma() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!first_.empty()) {
        if (!first_.back()) out_ += ',';
        first_.back() = false;
    }
}

json_writer& json_writer::begin_object() {
    comma();
    out_ += '{';
    first_.push_back(true);
    return *this;
}

json_writer& json_writer::end_object() {
    out_ += '}';
    first_.pop_back();
    return *this;
}

json_writer& json_writer::begin_array() {
    comma();
    out_ += '[';
    first_.push_back(true);
    return *this;
}

json_writer& json_writer::end_array() {
    out_ += ']';
    first_.pop_back();
    return *this;
}

json_writer& json_writer::key(std::string_view k) {
    comma();
    out_ += '"';
    append_escaped(out_, k);
    out_ += "\":";
    after_key_ = true;
    return *this;
}

json_writer& json_writer::value(std::string_view s) {
    comma();
    out_ += '"';
    append_escaped(out_, s);
    out_ += '"';
    return *this;
}

json_writer& json_writer::value(bool b) {
    comma();
    out_ += b ? "true" : "false";
    return *this;
}

json_writer& json_writer::value(std::int64_t n) {
    comma();
    char buf[24];
    out_.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
    return *this;
}

json_writer& json_writer::value(std::uint64_t n) {
    comma();
    char buf[24];
    out_.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
    return *this;
}

json_writer& json_writer::value(double d) {
    comma();
    if (!std::isfinite(d)) {  // JSON has no NaN or infinity
        out_ += "null";
        return *this;
    }
    char buf[32];
    out_.append(buf, std::to_chars(buf, buf + sizeof buf, d).ptr);
    return *this;
}

json_writer& json_writer::window(std::string_view k, const histogram& h) {
    key(k).begin_object();
    member("min", h.min).member("max", h.max);
    member("avg", static_cast<std::uint64_t>(std::llround(h.mean())));
    member("sum", h.sum).member("cnt", h.count);
    member("p50", h.percentile(0.50)).member("p75", h.percentile(0.75)).member("p90", h.percentile(0.90));
    member("p95", h.percentile(0.95)).member("p99", h.percentile(0.99)).member("p99_99", h.percentile(0.9999));
    return end_object();
}

}  // namespace kasio::metrics

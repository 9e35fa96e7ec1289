#pragma once
// A small streaming JSON writer for the statistics callback: objects, arrays, numbers and
// escaped strings appended to one std::string, commas placed by the writer. No DOM, no
// allocation beyond the output's growth.
#include <kasio/metrics.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kasio::metrics {

class json_writer {
public:
    explicit json_writer(std::string& out) : out_(out) {}

    json_writer& begin_object();
    json_writer& end_object();
    json_writer& begin_array();
    json_writer& end_array();
    /// The key of the next member (inside an object).
    json_writer& key(std::string_view k);

    json_writer& value(std::string_view s);
    json_writer& value(const char* s) { return value(std::string_view(s)); }
    json_writer& value(bool b);
    json_writer& value(std::int64_t n);
    json_writer& value(std::uint64_t n);
    json_writer& value(std::int32_t n) { return value(static_cast<std::int64_t>(n)); }
    json_writer& value(double d);

    template <class T>
    json_writer& member(std::string_view k, const T& v) {
        key(k);
        return value(v);
    }

    /// A histogram as librdkafka's "window" object: min, max, avg, sum, cnt, p50, p75, p90,
    /// p95, p99, p99_99 (whatever unit it was recorded in).
    json_writer& window(std::string_view k, const histogram& h);

private:
    void comma();
    std::string& out_;
    std::vector<bool> first_{};  // per open container: nothing written in it yet
    bool after_key_ = false;
};

/// s with JSON's escapes (quotes, backslash, control characters), without the quotes.
void append_escaped(std::string& out, std::string_view s);

}  // namespace kasio::metrics

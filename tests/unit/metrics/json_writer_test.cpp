#include "metrics/json_writer.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace kasio {
namespace {

TEST(json_writer, places_commas_and_nests) {
    std::string out;
    metrics::json_writer w(out);
    w.begin_object();
    w.member("a", std::int64_t{-1}).member("b", true);
    w.key("list").begin_array().value(std::uint64_t{1}).value("two").begin_object().end_object().end_array();
    w.key("empty").begin_object().end_object();
    w.end_object();
    EXPECT_EQ(out, R"({"a":-1,"b":true,"list":[1,"two",{}],"empty":{}})");
}

TEST(json_writer, escapes_quotes_backslashes_and_control_characters) {
    std::string out;
    metrics::json_writer w(out);
    w.begin_object().member("k\"ey", std::string_view("a\\b\n\x01\"")).end_object();
    EXPECT_EQ(out, R"({"k\"ey":"a\\b\n\u0001\""})");
}

TEST(json_writer, non_finite_numbers_become_null) {
    std::string out;
    metrics::json_writer w(out);
    w.begin_array().value(std::numeric_limits<double>::infinity()).value(0.5).end_array();
    EXPECT_EQ(out, "[null,0.5]");
}

TEST(json_writer, a_window_has_librdkafkas_fields) {
    histogram h;
    for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
    std::string out;
    metrics::json_writer w(out);
    w.begin_object().window("rtt", h).end_object();
    for (const char* field : {"\"min\":1", "\"max\":100", "\"avg\":51", "\"sum\":5050", "\"cnt\":100", "\"p50\":",
                              "\"p75\":", "\"p90\":", "\"p95\":", "\"p99\":", "\"p99_99\":"})
        EXPECT_NE(out.find(field), std::string::npos) << field << " in " << out;
}

}  // namespace
}  // namespace kasio

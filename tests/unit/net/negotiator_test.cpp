// ApiVersions negotiation fed hand-built response bodies (written field by field, not with
// kasio's encoder).
#include "net/negotiator.hpp"

#include "protocol/writer.hpp"

#include <kasio/broker_errc.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace kasio::net {
namespace {

using protocol::byte_buffer;
using protocol::msg::api_versions_request;
using protocol::msg::fetch_request;
using protocol::msg::metadata_request;
using protocol::msg::produce_request;

struct range {
    std::int16_t key, min, max;
};

// A v0-v2 body: error_code, int32 count + (key, min, max) entries, throttle_time_ms from v1.
byte_buffer classic_body(std::int16_t error, std::initializer_list<range> ranges, int version) {
    byte_buffer out;
    protocol::writer w(out);
    w.write_int16(error);
    w.write_int32(static_cast<std::int32_t>(ranges.size()));
    for (auto r : ranges) {
        w.write_int16(r.key);
        w.write_int16(r.min);
        w.write_int16(r.max);
    }
    if (version >= 1) w.write_int32(0);
    return out;
}

// A v3 body: error_code, compact array of (key, min, max, no tags), throttle, no tags.
byte_buffer flexible_body(std::int16_t error, std::initializer_list<range> ranges) {
    byte_buffer out;
    protocol::writer w(out);
    w.write_int16(error);
    w.write_uvarint(ranges.size() + 1);
    for (auto r : ranges) {
        w.write_int16(r.key);
        w.write_int16(r.min);
        w.write_int16(r.max);
        w.write_uvarint(0);
    }
    w.write_int32(0);
    w.write_uvarint(0);
    return out;
}

constexpr std::int16_t unsupported_version = 35;

TEST(negotiator, first_request_is_v3_with_client_software) {
    negotiator n;
    EXPECT_EQ(n.request_version(), 3);
    EXPECT_EQ(api_versions_request::max_version, 3);
    EXPECT_EQ(n.request().client_software_name, "kasio");
    EXPECT_FALSE(n.request().client_software_version.empty());
}

TEST(negotiator, picks_min_of_maxima_within_both_ranges) {
    negotiator n;
    error_code ec;
    auto body = flexible_body(0, {{0, 3, 9}, {1, 4, 100}, {3, 0, 5}, {18, 0, 3}, {9999, 0, 1}});
    ASSERT_EQ(n.on_response(body, ec), negotiator::result::done) << ec.message();
    const auto& t = n.versions();
    EXPECT_EQ(t.version(0), std::min<std::int16_t>(produce_request::max_version, 9));
    EXPECT_EQ(t.version(1), fetch_request::max_version);  // the broker knows newer ones
    EXPECT_EQ(t.version(3), 5);
    EXPECT_EQ(t.version(18), 3);
    EXPECT_EQ(t.version(9999), -1);  // kasio does not know it
    EXPECT_EQ(t.version(2), -1);     // the broker did not advertise it
    EXPECT_EQ(t.version(-1), -1);
    EXPECT_EQ(n.broker_ranges().size(), 5u);
}

TEST(negotiator, ranges_without_overlap_have_no_common_version) {
    negotiator n;
    error_code ec;
    // The broker only knows Metadata versions above kasio's newest.
    const auto above = static_cast<std::int16_t>(metadata_request::max_version + 1);
    auto body = flexible_body(0, {{3, above, static_cast<std::int16_t>(above + 2)}, {18, 0, 3}});
    ASSERT_EQ(n.on_response(body, ec), negotiator::result::done);
    EXPECT_EQ(n.versions().version(3), -1);
}

TEST(negotiator, unsupported_v3_with_v0_body_retries_at_broker_max) {
    negotiator n;
    error_code ec;
    // KIP-511: a broker that does not know v3 answers with a v0 body listing its ApiVersions range.
    ASSERT_EQ(n.on_response(classic_body(unsupported_version, {{18, 0, 2}}, 0), ec), negotiator::result::resend);
    EXPECT_EQ(n.request_version(), 2);
    auto body = classic_body(0, {{3, 0, 4}, {0, 0, 7}, {1, 0, 11}, {18, 0, 2}}, 2);
    ASSERT_EQ(n.on_response(body, ec), negotiator::result::done) << ec.message();
    EXPECT_EQ(n.versions().version(3), 4);
    EXPECT_EQ(n.versions().version(0), 7);
    EXPECT_EQ(n.versions().version(1), 11);
    EXPECT_EQ(n.versions().version(18), 2);
}

TEST(negotiator, unsupported_v3_without_range_retries_at_v0) {
    negotiator n;
    error_code ec;
    // Brokers before Kafka 2.4 list nothing with the error.
    ASSERT_EQ(n.on_response(classic_body(unsupported_version, {}, 0), ec), negotiator::result::resend);
    EXPECT_EQ(n.request_version(), 0);
    ASSERT_EQ(n.on_response(classic_body(0, {{3, 0, 1}, {18, 0, 0}}, 0), ec), negotiator::result::done);
    EXPECT_EQ(n.versions().version(3), 1);
}

TEST(negotiator, unsupported_v3_in_librdkafka_mock_layout_retries_at_v0) {
    // librdkafka 2.14's mock answers a v3 request it does not support with error 35, an int8
    // count of 1 (not the compact N+1), the entry without tags, and the throttle time.
    byte_buffer body{0x00, 0x23, 0x01, 0x00, 0x12, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00};
    negotiator n;
    error_code ec;
    ASSERT_EQ(n.on_response(body, ec), negotiator::result::resend);
    EXPECT_EQ(n.request_version(), 0);
}

TEST(negotiator, unsupported_range_above_ours_is_not_trusted) {
    negotiator n;
    error_code ec;
    // A range whose max is not below the rejected version cannot help: ask at v0.
    ASSERT_EQ(n.on_response(classic_body(unsupported_version, {{18, 0, 7}}, 0), ec), negotiator::result::resend);
    EXPECT_EQ(n.request_version(), 0);
}

TEST(negotiator, second_unsupported_version_fails) {
    negotiator n;
    error_code ec;
    ASSERT_EQ(n.on_response(classic_body(unsupported_version, {}, 0), ec), negotiator::result::resend);
    ASSERT_EQ(n.on_response(classic_body(unsupported_version, {}, 0), ec), negotiator::result::failed);
    EXPECT_EQ(ec, broker_errc::unsupported_version);
}

TEST(negotiator, other_broker_error_fails) {
    negotiator n;
    error_code ec;
    ASSERT_EQ(n.on_response(flexible_body(42, {}), ec), negotiator::result::failed);  // INVALID_REQUEST
    EXPECT_EQ(ec, broker_errc::invalid_request);
}

TEST(negotiator, truncated_response_fails) {
    negotiator n;
    error_code ec;
    auto body = flexible_body(0, {{3, 0, 12}, {18, 0, 3}});
    body.resize(body.size() - 5);
    EXPECT_EQ(n.on_response(body, ec), negotiator::result::failed);
    EXPECT_TRUE(ec.failed());
    EXPECT_EQ(n.on_response(byte_buffer{0x00}, ec), negotiator::result::failed);
    EXPECT_EQ(ec, client_errc::truncated);
}

TEST(negotiator, trailing_bytes_after_the_response_are_ignored) {
    negotiator n;
    error_code ec;
    auto body = flexible_body(0, {{3, 0, 12}, {18, 0, 3}});
    body.push_back(0);  // as librdkafka's mock does after flexible bodies
    ASSERT_EQ(n.on_response(body, ec), negotiator::result::done) << ec.message();
    EXPECT_EQ(n.versions().version(3), std::min<std::int16_t>(metadata_request::max_version, 12));
}

}  // namespace
}  // namespace kasio::net

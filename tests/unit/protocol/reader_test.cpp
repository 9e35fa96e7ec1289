// Reader failures: each malformed input yields one specific client_errc, reads after a failure
// return zero values, and nothing is allocated for a length the input cannot hold.
#include "protocol/messages.hpp"
#include "protocol/reader.hpp"

#include <gtest/gtest.h>

namespace kasio::protocol {
namespace {

error_code errc(client_errc e) { return make_error_code(e); }

TEST(protocol_reader, short_buffer_is_truncated_and_sticky) {
    const byte_buffer buf = {0x00, 0x00, 0x01};
    reader r(buf);
    EXPECT_EQ(r.read_int32(), 0);
    EXPECT_EQ(r.error(), errc(client_errc::truncated));
    EXPECT_EQ(r.remaining(), 0u);
    // Later reads return zero values and keep the first error.
    EXPECT_EQ(r.read_int8(), 0);
    r.fail(client_errc::invalid_value);
    EXPECT_EQ(r.error(), errc(client_errc::truncated));
}

TEST(protocol_reader, every_fixed_width_read_past_the_end_is_truncated) {
    const byte_buffer seven(7, 0xab);
    auto check = [&](auto read) {
        reader r(bytes_view(seven).first(0));
        read(r);
        EXPECT_EQ(r.error(), errc(client_errc::truncated));
    };
    check([](reader& r) { r.read_int8(); });
    check([](reader& r) { r.read_bool(); });
    check([](reader& r) { r.read_uuid(); });
    check([](reader& r) { r.read_uvarint(); });
    reader r(seven);
    EXPECT_EQ(r.read_int64(), 0);  // 7 of 8 bytes
    EXPECT_EQ(r.error(), errc(client_errc::truncated));
    reader r16(seven);
    EXPECT_EQ(r16.read_uuid(), uuid{});  // 7 of 16 bytes
    EXPECT_EQ(r16.error(), errc(client_errc::truncated));
}

TEST(protocol_reader, negative_lengths_other_than_null_are_invalid) {
    {
        const byte_buffer buf = {0xff, 0xfe, 'a'};  // classic string length -2
        reader r(buf);
        r.read_nullable_string(false);
        EXPECT_EQ(r.error(), errc(client_errc::invalid_length));
    }
    {
        const byte_buffer buf = {0xff, 0xff, 0xff, 0xfb};  // bytes length -5
        reader r(buf);
        r.read_nullable_bytes_view(false);
        EXPECT_EQ(r.error(), errc(client_errc::invalid_length));
    }
    {
        const byte_buffer buf = {0x80, 0x00, 0x00, 0x00};  // array length INT32_MIN
        reader r(buf);
        EXPECT_EQ(r.read_array_length(false, 1), 0);
        EXPECT_EQ(r.error(), errc(client_errc::invalid_length));
    }
}

TEST(protocol_reader, huge_lengths_are_truncated_before_allocating) {
    {
        const byte_buffer buf = {0x7f, 0xff, 0xff, 0xff, 1, 2, 3};  // bytes length 2^31-1
        reader r(buf);
        auto v = r.read_nullable_bytes_view(false);
        EXPECT_TRUE(!v || v->empty());
        EXPECT_EQ(r.error(), errc(client_errc::truncated));
    }
    {
        const byte_buffer buf = {0x7f, 0xff, 'a'};  // string length 32767
        reader r(buf);
        EXPECT_EQ(r.read_string(false), "");
        EXPECT_EQ(r.error(), errc(client_errc::truncated));
    }
    {
        const byte_buffer buf = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};  // compact length 2^32-2
        reader r(buf);
        EXPECT_EQ(r.read_string(true), "");
        EXPECT_EQ(r.error(), errc(client_errc::truncated));
    }
    {
        // 3 elements of at least 4 bytes cannot fit in 8 bytes.
        const byte_buffer buf = {0x00, 0x00, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 0};
        reader r(buf);
        EXPECT_EQ(r.read_array_length(false, 4), 0);
        EXPECT_EQ(r.error(), errc(client_errc::truncated));
    }
}

TEST(protocol_reader, overlong_varints_are_invalid) {
    {
        const byte_buffer buf = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01};  // 6-byte varint
        reader r(buf);
        EXPECT_EQ(r.read_varint(), 0);
        EXPECT_EQ(r.error(), errc(client_errc::invalid_varint));
    }
    {
        const byte_buffer buf = {0x80, 0x80, 0x80, 0x80, 0x10};  // 2^32: 33 bits in 5 bytes
        reader r(buf);
        EXPECT_EQ(r.read_uvarint(), 0u);
        EXPECT_EQ(r.error(), errc(client_errc::invalid_varint));
    }
    {
        const byte_buffer buf = {0xff, 0xff, 0xff, 0xff, 0x0f};  // 2^32-1 is fine
        reader r(buf);
        EXPECT_EQ(r.read_uvarint(), 0xffffffffu);
        EXPECT_TRUE(r.ok());
    }
    {
        byte_buffer buf(10, 0xff);
        buf.push_back(0x00);  // 11-byte varlong
        reader r(buf);
        EXPECT_EQ(r.read_varlong(), 0);
        EXPECT_EQ(r.error(), errc(client_errc::invalid_varint));
    }
    {
        byte_buffer buf(9, 0x80);
        buf.push_back(0x02);  // bit 64 set in the 10th byte
        reader r(buf);
        EXPECT_EQ(r.read_uvarlong(), 0u);
        EXPECT_EQ(r.error(), errc(client_errc::invalid_varint));
    }
    {
        const byte_buffer buf = {0x80, 0x80};  // continuation bit, then the input ends
        reader r(buf);
        r.read_uvarint();
        EXPECT_EQ(r.error(), errc(client_errc::truncated));
    }
}

TEST(protocol_reader, null_where_the_schema_forbids_it_is_invalid_length) {
    {
        const byte_buffer buf = {0xff, 0xff};
        reader r(buf);
        EXPECT_EQ(r.read_string(false), "");
        EXPECT_EQ(r.error(), errc(client_errc::invalid_length));
    }
    {
        // ApiVersions v3 request: client_software_name is a non-nullable compact string.
        const byte_buffer buf = {0x00, 0x01, 0x00};
        reader r(buf);
        msg::api_versions_request req;
        EXPECT_EQ(decode(r, req, 3), errc(client_errc::invalid_length));
    }
    {
        // Metadata v0 request: topics is not nullable before v1.
        const byte_buffer buf = {0xff, 0xff, 0xff, 0xff};
        reader r(buf);
        msg::metadata_request req;
        EXPECT_EQ(decode(r, req, 0), errc(client_errc::invalid_length));
        reader r1(buf);
        EXPECT_FALSE(decode(r1, req, 1));  // null = all topics from v1
        EXPECT_FALSE(req.topics.has_value());
    }
}

TEST(protocol_reader, decode_outside_the_version_range_is_unsupported_version) {
    const byte_buffer buf;
    reader r(buf);
    msg::api_versions_request req;
    EXPECT_EQ(decode(r, req, 4), errc(client_errc::unsupported_version));
    EXPECT_EQ(decode(r, req, -1), errc(client_errc::unsupported_version));
}

TEST(protocol_reader, tagged_fields_out_of_order_are_invalid) {
    // ApiVersions v3 response: error_code, api_keys (empty), throttle_time_ms, then tags 3, 1.
    const byte_buffer buf = {0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
                             0x02, 0x03, 0x01, 0x01, 0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 0};
    reader r(buf);
    msg::api_versions_response resp;
    EXPECT_EQ(decode(r, resp, 3), errc(client_errc::invalid_value));
}

TEST(protocol_reader, known_tag_with_wrong_payload_size_is_invalid_length) {
    // Tag 1 (finalized_features_epoch, int64) with a 9-byte payload: one byte left over.
    const byte_buffer longer = {0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x09, 0, 0, 0, 0, 0, 0, 0, 5, 0xee};
    reader r(longer);
    msg::api_versions_response resp;
    EXPECT_EQ(decode(r, resp, 3), errc(client_errc::invalid_length));
    // The same tag with a 4-byte payload: the int64 reads past it.
    const byte_buffer shorter = {0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x04, 0, 0, 0, 5};
    reader r2(shorter);
    EXPECT_EQ(decode(r2, resp, 3), errc(client_errc::invalid_length));
}

}  // namespace
}  // namespace kasio::protocol

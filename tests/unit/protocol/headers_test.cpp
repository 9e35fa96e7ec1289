// Request/response headers and whole frames, checked against frames written out by hand from
// the Kafka protocol guide (https://kafka.apache.org/protocol) and the 3.7 message schemas.
#include "protocol/headers.hpp"
#include "protocol/messages.hpp"

#include <gtest/gtest.h>

namespace kasio::protocol {
namespace {

error_code errc(client_errc e) { return make_error_code(e); }

byte_buffer cat(std::initializer_list<byte_buffer> parts) {
    byte_buffer out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}
byte_buffer str(std::string_view s) { return byte_buffer(s.begin(), s.end()); }

TEST(protocol_headers, header_versions_follow_flexibility) {
    EXPECT_EQ(request_header_version(18, 2), 1);
    EXPECT_EQ(request_header_version(18, 3), 2);
    EXPECT_EQ(request_header_version(3, 8), 1);
    EXPECT_EQ(request_header_version(3, 9), 2);
    EXPECT_EQ(request_header_version(9999, 0), 1);  // unknown API: classic
    EXPECT_EQ(response_header_version(3, 8), 0);
    EXPECT_EQ(response_header_version(3, 9), 1);
    EXPECT_EQ(response_header_version(1, 12), 1);
    // KIP-511: ApiVersions responses keep header v0 even in the flexible v3.
    EXPECT_EQ(response_header_version(18, 3), 0);
}

TEST(protocol_headers, only_a_produce_with_acks_0_goes_unanswered) {
    msg::produce_request produce;
    produce.acks = 0;
    EXPECT_FALSE(expects_response(produce));
    produce.acks = 1;
    EXPECT_TRUE(expects_response(produce));
    produce.acks = -1;
    EXPECT_TRUE(expects_response(produce));
    EXPECT_TRUE(expects_response(msg::metadata_request{}));
    EXPECT_TRUE(expects_response(msg::api_versions_request{}));
}

TEST(protocol_headers, api_versions_v0_request_frame) {
    msg::api_versions_request req;
    byte_buffer out;
    encode_request_frame(out, req, 0, 1, "kasio");
    const byte_buffer expected = cat({
        {0x00, 0x00, 0x00, 0x0f},  // size: 15
        {0x00, 0x12},              // api_key 18
        {0x00, 0x00},              // api_version 0
        {0x00, 0x00, 0x00, 0x01},  // correlation_id 1
        {0x00, 0x05}, str("kasio"),  // client_id: classic nullable string
        // header v1 has no tagged fields; the v0 body is empty
    });
    EXPECT_EQ(out, expected);

    request_header h;
    msg::api_versions_request back;
    EXPECT_FALSE(decode_request_frame(bytes_view(out).subspan(4), h, back));
    EXPECT_EQ(h.api_key, 18);
    EXPECT_EQ(h.api_version, 0);
    EXPECT_EQ(h.correlation_id, 1);
    EXPECT_EQ(h.client_id, "kasio");
}

TEST(protocol_headers, api_versions_v3_request_frame) {
    msg::api_versions_request req;
    req.client_software_name = "kasio";
    req.client_software_version = "0.1.0";
    byte_buffer out;
    encode_request_frame(out, req, 3, 7, "kasio");
    const byte_buffer expected = cat({
        {0x00, 0x00, 0x00, 0x1d},    // size: 16 header + 13 body
        {0x00, 0x12, 0x00, 0x03},    // api_key 18, api_version 3
        {0x00, 0x00, 0x00, 0x07},    // correlation_id 7
        {0x00, 0x05}, str("kasio"),  // client_id stays a classic string in header v2
        {0x00},                      // header tagged fields: none
        {0x06}, str("kasio"),        // client_software_name: compact string, length 5 + 1
        {0x06}, str("0.1.0"),        // client_software_version
        {0x00},                      // body tagged fields: none
    });
    EXPECT_EQ(out, expected);

    request_header h;
    msg::api_versions_request back;
    EXPECT_FALSE(decode_request_frame(bytes_view(out).subspan(4), h, back));
    EXPECT_EQ(h.api_version, 3);
    EXPECT_EQ(back, req);
}

TEST(protocol_headers, api_versions_v0_response_frame) {
    const byte_buffer frame = cat({
        {0x00, 0x00, 0x00, 0x01},              // correlation_id 1 (header v0)
        {0x00, 0x00},                          // error_code NONE
        {0x00, 0x00, 0x00, 0x02},              // api_keys: 2 elements
        {0x00, 0x00, 0x00, 0x00, 0x00, 0x08},  // Produce 0-8
        {0x00, 0x12, 0x00, 0x00, 0x00, 0x03},  // ApiVersions 0-3
    });
    response_header h;
    msg::api_versions_response resp;
    ASSERT_FALSE(decode_response_frame(frame, h, resp, 0));
    EXPECT_EQ(h.correlation_id, 1);
    EXPECT_EQ(resp.error_code, 0);
    ASSERT_EQ(resp.api_keys.size(), 2u);
    EXPECT_EQ(resp.api_keys[0].max_version, 8);
    EXPECT_EQ(resp.api_keys[1].api_key, 18);
    EXPECT_EQ(resp.api_keys[1].max_version, 3);
    EXPECT_EQ(resp.throttle_time_ms, 0);  // v1+: default

    byte_buffer out;
    encode_response_frame(out, resp, 0, 1);
    EXPECT_EQ(byte_buffer(out.begin() + 4, out.end()), frame);
}

TEST(protocol_headers, api_versions_v3_response_frame_keeps_header_v0) {
    const byte_buffer frame = cat({
        {0x00, 0x00, 0x00, 0x07},  // correlation_id 7; no header tagged fields (KIP-511)
        {0x00, 0x00},              // error_code
        {0x03},                    // api_keys: compact array, 2 elements
        {0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00},  // Produce 0-9, no tagged fields
        {0x00, 0x12, 0x00, 0x00, 0x00, 0x03, 0x00},  // ApiVersions 0-3
        {0x00, 0x00, 0x00, 0x00},  // throttle_time_ms
        {0x04},                    // 4 tagged fields, ascending tags
        {0x00, 0x08},              // tag 0 supported_features, 8 bytes:
        {0x02, 0x02}, str("x"),    //   1 element; name "x"
        {0x00, 0x01, 0x00, 0x14, 0x00},  //   min 1, max 20, no tagged fields
        {0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x2a},  // tag 1 finalized_features_epoch = 42
        {0x03, 0x01, 0x01},        // tag 3 zk_migration_ready = true
        {0x05, 0x02, 0x68, 0x69},  // tag 5: unknown to kasio, kept
    });
    response_header h;
    msg::api_versions_response resp;
    ASSERT_FALSE(decode_response_frame(frame, h, resp, 3));
    EXPECT_EQ(h.correlation_id, 7);
    ASSERT_EQ(resp.api_keys.size(), 2u);
    EXPECT_EQ(resp.api_keys[0].max_version, 9);
    ASSERT_EQ(resp.supported_features.size(), 1u);
    EXPECT_EQ(resp.supported_features[0].name, "x");
    EXPECT_EQ(resp.supported_features[0].max_version, 20);
    EXPECT_EQ(resp.finalized_features_epoch, 42);
    EXPECT_TRUE(resp.finalized_features.empty());
    EXPECT_TRUE(resp.zk_migration_ready);
    ASSERT_EQ(resp.unknown_tagged.size(), 1u);
    EXPECT_EQ(resp.unknown_tagged[0].tag, 5u);
    EXPECT_EQ(resp.unknown_tagged[0].data, str("hi"));

    byte_buffer out;
    encode_response_frame(out, resp, 3, 7);
    EXPECT_EQ(byte_buffer(out.begin() + 4, out.end()), frame);
}

TEST(protocol_headers, metadata_v12_response_frame_with_tagged_fields) {
    const byte_buffer frame = cat({
        {0x00, 0x00, 0x00, 0x2a},  // correlation_id 42
        {0x00},                    // response header v1: no tagged fields
        {0x00, 0x00, 0x00, 0x00},  // throttle_time_ms
        {0x02},                    // brokers: 1
        {0x00, 0x00, 0x00, 0x01},  //   node_id 1
        {0x0a}, str("localhost"),  //   host
        {0x00, 0x00, 0x23, 0x84},  //   port 9092
        {0x00},                    //   rack: null
        {0x00},                    //   tagged fields
        {0x05}, str("abcd"),       // cluster_id
        {0x00, 0x00, 0x00, 0x01},  // controller_id 1
        {0x02},                    // topics: 1
        {0x00, 0x00},              //   error_code
        {0x06}, str("topic"),      //   name (nullable from v12)
        {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},  // topic_id
        {0x00},                    //   is_internal
        {0x02},                    //   partitions: 1
        {0x00, 0x00},              //     error_code
        {0x00, 0x00, 0x00, 0x00},  //     partition_index 0
        {0x00, 0x00, 0x00, 0x01},  //     leader_id 1
        {0x00, 0x00, 0x00, 0x05},  //     leader_epoch 5
        {0x02, 0x00, 0x00, 0x00, 0x01},  // replica_nodes [1]
        {0x02, 0x00, 0x00, 0x00, 0x01},  // isr_nodes [1]
        {0x01},                    //     offline_replicas []
        {0x00},                    //     tagged fields
        {0x80, 0x00, 0x00, 0x00},  //   topic_authorized_operations INT32_MIN (not requested)
        {0x01, 0x06, 0x01, 0xab},  //   tagged fields: unknown tag 6, 1 byte
        {0x01, 0x07, 0x02, 0xca, 0xfe},  // top-level tagged fields: unknown tag 7, 2 bytes
    });
    response_header h;
    msg::metadata_response resp;
    ASSERT_FALSE(decode_response_frame(frame, h, resp, 12));
    EXPECT_EQ(h.correlation_id, 42);
    ASSERT_EQ(resp.brokers.size(), 1u);
    EXPECT_EQ(resp.brokers[0].host, "localhost");
    EXPECT_EQ(resp.brokers[0].port, 9092);
    EXPECT_FALSE(resp.brokers[0].rack.has_value());
    EXPECT_EQ(resp.cluster_id, "abcd");
    ASSERT_EQ(resp.topics.size(), 1u);
    const auto& t = resp.topics[0];
    EXPECT_EQ(t.name, "topic");
    EXPECT_EQ(t.topic_id.bytes[15], 16);
    ASSERT_EQ(t.partitions.size(), 1u);
    EXPECT_EQ(t.partitions[0].leader_epoch, 5);
    EXPECT_EQ(t.partitions[0].isr_nodes, std::vector<std::int32_t>{1});
    EXPECT_EQ(t.topic_authorized_operations, std::numeric_limits<std::int32_t>::min());
    ASSERT_EQ(t.unknown_tagged.size(), 1u);
    EXPECT_EQ(t.unknown_tagged[0].tag, 6u);
    ASSERT_EQ(resp.unknown_tagged.size(), 1u);
    EXPECT_EQ(resp.unknown_tagged[0].data, (byte_buffer{0xca, 0xfe}));
    EXPECT_EQ(resp.cluster_authorized_operations, std::numeric_limits<std::int32_t>::min());  // v8-10 only

    byte_buffer out;
    encode_response_frame(out, resp, 12, 42);
    EXPECT_EQ(byte_buffer(out.begin() + 4, out.end()), frame);
}

TEST(protocol_headers, trailing_bytes_after_the_body_are_rejected) {
    const byte_buffer frame = {0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xee};
    response_header h;
    msg::api_versions_response resp;
    EXPECT_EQ(decode_response_frame(frame, h, resp, 0), errc(client_errc::trailing_bytes));
    EXPECT_EQ(decode_response_frame(bytes_view(frame).first(frame.size() - 1), h, resp, 0), error_code{});
}

TEST(protocol_headers, request_frame_for_another_api_is_rejected) {
    msg::metadata_request req;
    byte_buffer out;
    encode_request_frame(out, req, 1, 5, std::nullopt);
    request_header h;
    msg::api_versions_request wrong;
    EXPECT_EQ(decode_request_frame(bytes_view(out).subspan(4), h, wrong), errc(client_errc::invalid_value));
    msg::metadata_request right;
    EXPECT_FALSE(decode_request_frame(bytes_view(out).subspan(4), h, right));
    EXPECT_FALSE(h.client_id.has_value());
}

TEST(protocol_headers, headers_round_trip_in_every_version) {
    request_header rq{3, 12, -5, "client", {{2, {1, 2}}, {300, {}}}};
    for (std::int16_t v = 0; v <= 2; ++v) {
        byte_buffer buf;
        writer w(buf);
        encode(w, rq, v);
        EXPECT_EQ(buf.size(), encoded_size(rq, v));
        reader r(buf);
        request_header back;
        ASSERT_FALSE(decode(r, back, v));
        EXPECT_EQ(r.remaining(), 0u);
        EXPECT_EQ(back.correlation_id, -5);
        EXPECT_EQ(back.client_id, v >= 1 ? std::optional<std::string>("client") : std::nullopt);
        EXPECT_EQ(back.unknown_tagged, v >= 2 ? rq.unknown_tagged : unknown_tagged_fields{});
    }
    response_header rs{99, {{1, {7}}}};
    for (std::int16_t v = 0; v <= 1; ++v) {
        byte_buffer buf;
        writer w(buf);
        encode(w, rs, v);
        EXPECT_EQ(buf.size(), encoded_size(rs, v));
        reader r(buf);
        response_header back;
        ASSERT_FALSE(decode(r, back, v));
        EXPECT_EQ(back.correlation_id, 99);
        EXPECT_EQ(back.unknown_tagged.size(), v >= 1 ? 1u : 0u);
    }
    const byte_buffer empty;
    reader r(empty);
    response_header back;
    EXPECT_EQ(decode(r, back, 2), errc(client_errc::unsupported_version));
}

TEST(protocol_headers, correlation_id_is_peeked_from_the_frame) {
    EXPECT_EQ(peek_correlation_id(byte_buffer{0x00, 0x00, 0x01, 0x00, 0xff}), 256);
    EXPECT_EQ(peek_correlation_id(byte_buffer{0x00, 0x00, 0x01}), std::nullopt);
}

}  // namespace
}  // namespace kasio::protocol

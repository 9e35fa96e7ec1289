// Every generated message type (and data schema) in every version: random messages survive encode -> decode ->
// encode unchanged, encoded_size is exact, unknown tagged fields are kept, and every strict
// prefix of an encoding fails to decode with client_errc::truncated.
#include "protocol/messages_testing.hpp"

#include <gtest/gtest.h>

#include <string>

namespace kasio::protocol {
namespace {

using testing::all_message_types;
using testing::erased_message;
using testing::for_each_message_version;
using testing::message_type;

std::string describe(const message_type& t, std::int16_t v) {
    return std::string(t.api_name) + (t.is_data ? "" : t.is_request ? " request" : " response") + " v" + std::to_string(v);
}

/// Encodes `m` in `v`, checking that encoded_size predicted the byte count exactly.
byte_buffer encode_checked(const erased_message& m, std::int16_t v) {
    byte_buffer buf;
    writer w(buf);
    m.write(w, v);
    EXPECT_EQ(buf.size(), m.size(v));
    return buf;
}

/// Decodes, re-encodes and compares; returns false (after reporting) on the first mismatch.
bool round_trips(const message_type& t, const erased_message& original, std::int16_t v) {
    byte_buffer buf = encode_checked(original, v);
    auto decoded = t.make();
    reader r(buf);
    error_code ec = decoded->read(r, v);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(decoded->equals(original)) << "decoded message differs from the original";
    EXPECT_EQ(encode_checked(*decoded, v), buf) << "re-encoding changed the bytes";
    return !ec && r.remaining() == 0 && decoded->equals(original);
}

TEST(protocol_messages, every_type_and_version_round_trips) {
    testing::rng g(20240601);
    int pairs = 0;
    for_each_message_version([&](const message_type& t, std::int16_t v) {
        SCOPED_TRACE(describe(t, v));
        ++pairs;
        for (int i = 0; i < 60; ++i) {
            auto m = t.make();
            m->fill(v, g);
            if (!round_trips(t, *m, v)) return;
        }
        testing::clear_random_records();
    });
    EXPECT_GT(pairs, 0);
}

TEST(protocol_messages, default_messages_round_trip_in_every_version) {
    for_each_message_version([&](const message_type& t, std::int16_t v) {
        SCOPED_TRACE(describe(t, v));
        auto m = t.make();
        round_trips(t, *m, v);
    });
}

TEST(protocol_messages, unknown_top_level_tagged_fields_survive) {
    testing::rng g(7);
    int flexible = 0;
    for_each_message_version([&](const message_type& t, std::int16_t v) {
        if (!t.is_flexible(v)) return;
        SCOPED_TRACE(describe(t, v));
        ++flexible;
        auto m = t.make();
        m->fill(v, g);
        ASSERT_NE(m->unknown_tagged(), nullptr);
        // Tags far above any Kafka uses, one needing a multi-byte varint.
        *m->unknown_tagged() = {{1000, {0xde, 0xad}}, {70000, {}}, {70001, byte_buffer(200, 0x5a)}};
        byte_buffer buf = encode_checked(*m, v);
        auto decoded = t.make();
        reader r(buf);
        ASSERT_FALSE(decoded->read(r, v));
        ASSERT_NE(decoded->unknown_tagged(), nullptr);
        EXPECT_EQ(*decoded->unknown_tagged(), *m->unknown_tagged());
        EXPECT_TRUE(decoded->equals(*m));
        EXPECT_EQ(encode_checked(*decoded, v), buf);
        testing::clear_random_records();
    });
    EXPECT_GT(flexible, 0);
}

TEST(protocol_messages, every_strict_prefix_fails_as_truncated) {
    testing::rng g(99);
    for_each_message_version([&](const message_type& t, std::int16_t v) {
        SCOPED_TRACE(describe(t, v));
        for (int i = 0; i < 2; ++i) {
            auto m = t.make();
            m->fill(v, g);
            byte_buffer buf = encode_checked(*m, v);
            for (std::size_t len = 0; len < buf.size(); ++len) {
                auto d = t.make();
                reader r(bytes_view(buf).first(len));
                error_code ec = d->read(r, v);
                if (ec != make_error_code(client_errc::truncated)) {
                    ADD_FAILURE() << "prefix of " << len << "/" << buf.size() << " bytes: " << ec.message();
                    return;
                }
            }
        }
        testing::clear_random_records();
    });
}

TEST(protocol_messages, versions_outside_the_range_are_unsupported) {
    for (auto types : {all_message_types(), testing::all_data_types()}) {
        for (const message_type& t : types) {
            auto m = t.make();
            const byte_buffer empty;
            for (std::int16_t v : {static_cast<std::int16_t>(t.min_version - 1), static_cast<std::int16_t>(t.max_version + 1)}) {
                reader r(empty);
                EXPECT_EQ(m->read(r, v), make_error_code(client_errc::unsupported_version)) << t.api_name;
            }
        }
    }
}

TEST(protocol_messages, data_schemas_are_registered_apart_from_the_apis) {
    // The consumer protocol's structs (src/protocol/schema/consumer_protocol_*.ks) are covered
    // by the loops above through for_each_message_version, but have no api key.
    std::vector<std::string_view> names;
    for (const message_type& t : testing::all_data_types()) {
        names.push_back(t.api_name);
        EXPECT_TRUE(t.is_data);
        EXPECT_EQ(t.api_key, -1);
        EXPECT_EQ(t.first_flexible_version, -1);
        EXPECT_EQ(t.max_version, 3);
    }
    EXPECT_EQ(names, (std::vector<std::string_view>{"consumer_protocol_assignment", "consumer_protocol_subscription"}));
    for (const message_type& t : all_message_types()) EXPECT_FALSE(t.is_data) << t.api_name;
}

TEST(protocol_messages, absent_fields_keep_their_defaults) {
    // Metadata v3 has no leader_epoch (v7+): decoding keeps the schema default -1, even when the
    // message decoded into held another value before.
    msg::metadata_response resp;
    resp.topics.emplace_back().partitions.emplace_back().leader_epoch = 9;
    resp.controller_id = 4;
    byte_buffer buf;
    writer w(buf);
    encode(w, resp, 3);
    msg::metadata_response back;
    back.cluster_authorized_operations = 123;
    reader r(buf);
    ASSERT_FALSE(decode(r, back, 3));
    EXPECT_EQ(back.topics.at(0).partitions.at(0).leader_epoch, -1);
    EXPECT_EQ(back.controller_id, 4);
    EXPECT_EQ(back.cluster_authorized_operations, std::numeric_limits<std::int32_t>::min());
}

TEST(protocol_messages, tagged_fields_at_their_default_are_not_written) {
    msg::api_versions_response resp;  // finalized_features_epoch defaults to -1
    byte_buffer plain;
    writer w(plain);
    encode(w, resp, 3);
    resp.finalized_features_epoch = 5;
    byte_buffer tagged;
    writer w2(tagged);
    encode(w2, resp, 3);
    // tag 1, size 8, then the int64.
    EXPECT_EQ(tagged.size(), plain.size() + 10);
}

TEST(protocol_messages, records_decode_as_views_into_the_input) {
    msg::produce_request req;
    const byte_buffer batch = {1, 2, 3, 4, 5};
    req.topic_data.emplace_back().partition_data.emplace_back().records = bytes_view(batch);
    for (std::int16_t v : {std::int16_t{3}, msg::produce_request::max_version}) {
        byte_buffer buf;
        writer w(buf);
        encode(w, req, v);
        msg::produce_request back;
        reader r(buf);
        ASSERT_FALSE(decode(r, back, v));
        const auto& rec = back.topic_data.at(0).partition_data.at(0).records;
        ASSERT_TRUE(rec.has_value());
        EXPECT_TRUE(std::equal(rec->begin(), rec->end(), batch.begin(), batch.end()));
        EXPECT_GE(rec->data(), buf.data());  // not a copy
        EXPECT_LE(rec->data() + rec->size(), buf.data() + buf.size());
    }
}

}  // namespace
}  // namespace kasio::protocol

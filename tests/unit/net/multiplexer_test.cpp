// The multiplexer without sockets: enqueue frames, take what it wants written, feed bytes,
// check completions.
#include "net/multiplexer.hpp"

#include "protocol/writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>
#include <cstring>

namespace kasio::net {
namespace {

using protocol::byte_buffer;
using clock = multiplexer::clock;

// A request frame: size, header v1 (api_key, api_version, correlation id 0, client id "t"),
// then `body_size` filler bytes.
byte_buffer request_frame(std::int16_t api_key, std::int16_t version, std::size_t body_size = 3) {
    byte_buffer out;
    protocol::writer w(out);
    const auto at = w.reserve_int32();
    w.write_int16(api_key);
    w.write_int16(version);
    w.write_int32(0);
    w.write_string("t", false);
    for (std::size_t i = 0; i < body_size; ++i) w.write_uint8(0xab);
    w.patch_int32(at, static_cast<std::int32_t>(out.size() - 4));
    return out;
}

// A response frame: size, correlation id, optional header tagged fields, body.
byte_buffer response_frame_bytes(std::int32_t correlation_id, const byte_buffer& body,
                                 const byte_buffer& header_tags = {}) {
    byte_buffer out;
    protocol::writer w(out);
    const auto at = w.reserve_int32();
    w.write_int32(correlation_id);
    w.write_raw(header_tags);
    w.write_raw(body);
    w.patch_int32(at, static_cast<std::int32_t>(out.size() - 4));
    return out;
}

std::int32_t correlation_id_in(const byte_buffer& frame) {
    std::uint32_t be;
    std::memcpy(&be, frame.data() + 8, 4);
    return static_cast<std::int32_t>(protocol::from_big_endian(be));
}

// Feeds bytes through prepare_read/commit_read in pieces of at most `step` bytes.
error_code feed(multiplexer& m, const byte_buffer& bytes, std::vector<completion>& done,
                std::size_t step = 1u << 30) {
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        auto dst = m.prepare_read();
        if (dst.empty()) return client_errc::connection_closed;
        const std::size_t n = std::min({dst.size(), bytes.size() - pos, step});
        std::memcpy(dst.data(), bytes.data() + pos, n);
        pos += n;
        if (auto ec = m.commit_read(n, done)) return ec;
    }
    return {};
}

// Writes everything the multiplexer wants written; returns the bytes "sent".
byte_buffer write_all(multiplexer& m, std::vector<completion>& done) {
    byte_buffer sent;
    while (m.want_write()) {
        for (auto b : m.prepare_write(clock::now())) sent.insert(sent.end(), b.begin(), b.end());
        m.commit_write(done);
    }
    return sent;
}

const request_info metadata_v12{3, 12, 1, true};
const request_info metadata_v4{3, 4, 0, true};

TEST(multiplexer, assigns_increasing_correlation_ids_and_writes_them_into_frames) {
    multiplexer m;
    const auto a = m.enqueue(request_frame(3, 4), metadata_v4);
    const auto b = m.enqueue(request_frame(3, 4), metadata_v4);
    EXPECT_EQ(b, a + 1);
    auto bufs = m.prepare_write(clock::now());
    ASSERT_EQ(bufs.size(), 2u);
    EXPECT_EQ(correlation_id_in(byte_buffer(bufs[0].begin(), bufs[0].end())), a);
    EXPECT_EQ(correlation_id_in(byte_buffer(bufs[1].begin(), bufs[1].end())), b);
}

TEST(multiplexer, coalesces_queued_frames_into_one_write) {
    multiplexer m;
    std::vector<completion> done;
    for (int i = 0; i < 3; ++i) m.enqueue(request_frame(3, 4, 10 + i), metadata_v4);
    ASSERT_TRUE(m.want_write());
    auto bufs = m.prepare_write(clock::now());
    ASSERT_EQ(bufs.size(), 3u);
    EXPECT_EQ(bufs[0].size(), 4u + 2 + 2 + 4 + 3 + 10);
    EXPECT_EQ(bufs[2].size(), 4u + 2 + 2 + 4 + 3 + 12);
    // Nothing more is written until the write in progress finishes.
    m.enqueue(request_frame(3, 4), metadata_v4);
    EXPECT_FALSE(m.want_write());
    m.commit_write(done);
    EXPECT_TRUE(done.empty());
    EXPECT_EQ(m.in_flight(), 3u);
    EXPECT_TRUE(m.want_write());
    EXPECT_EQ(m.prepare_write(clock::now()).size(), 1u);
}

TEST(multiplexer, in_flight_is_bounded_by_max_in_flight) {
    multiplexer m({.max_in_flight = 5});
    std::vector<completion> done;
    std::vector<std::int32_t> ids;
    for (int i = 0; i < 7; ++i) ids.push_back(m.enqueue(request_frame(3, 4), metadata_v4));
    EXPECT_EQ(m.prepare_write(clock::now()).size(), 5u);
    m.commit_write(done);
    EXPECT_EQ(m.in_flight(), 5u);
    EXPECT_EQ(m.queued(), 2u);
    EXPECT_FALSE(m.want_write());

    ASSERT_FALSE(feed(m, response_frame_bytes(ids[0], {1, 2}), done));
    ASSERT_EQ(done.size(), 1u);
    EXPECT_TRUE(m.want_write());
    EXPECT_EQ(m.prepare_write(clock::now()).size(), 1u);  // exactly the one freed slot
}

TEST(multiplexer, matches_pipelined_responses_in_order) {
    multiplexer m;
    std::vector<completion> done;
    std::vector<std::int32_t> ids;
    for (std::int16_t v = 0; v < 5; ++v)
        ids.push_back(m.enqueue(request_frame(3, v), {3, v, 0, true}));
    write_all(m, done);

    byte_buffer stream;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        auto f = response_frame_bytes(ids[i], byte_buffer(i + 1, static_cast<std::uint8_t>(i)));
        stream.insert(stream.end(), f.begin(), f.end());
    }
    // One byte at a time: frame and length boundaries fall everywhere.
    ASSERT_FALSE(feed(m, stream, done, 1));
    ASSERT_EQ(done.size(), 5u);
    for (std::size_t i = 0; i < done.size(); ++i) {
        EXPECT_FALSE(done[i].ec);
        EXPECT_EQ(done[i].correlation_id, ids[i]);
        EXPECT_EQ(done[i].frame.header.correlation_id, ids[i]);
        EXPECT_EQ(done[i].frame.api_key, 3);
        EXPECT_EQ(done[i].frame.api_version, static_cast<std::int16_t>(i));
        auto body = done[i].frame.body();
        EXPECT_EQ(body.size(), i + 1);
        EXPECT_TRUE(std::all_of(body.begin(), body.end(), [&](auto b) { return b == i; }));
    }
    EXPECT_EQ(m.in_flight(), 0u);
}

TEST(multiplexer, many_frames_in_one_read_complete_together) {
    multiplexer m;
    std::vector<completion> done;
    const auto a = m.enqueue(request_frame(3, 4), metadata_v4);
    const auto b = m.enqueue(request_frame(3, 4), metadata_v4);
    write_all(m, done);
    auto stream = response_frame_bytes(a, {7});
    auto second = response_frame_bytes(b, {8});
    stream.insert(stream.end(), second.begin(), second.end());
    ASSERT_FALSE(feed(m, stream, done));
    ASSERT_EQ(done.size(), 2u);
    EXPECT_EQ(done[1].frame.body()[0], 8);
}

TEST(multiplexer, flexible_response_header_skips_tagged_fields) {
    multiplexer m;
    std::vector<completion> done;
    const auto id = m.enqueue(request_frame(3, 12), metadata_v12);
    write_all(m, done);
    // Two unknown tagged fields: tag 0 with 2 bytes, tag 5 with 1 byte.
    const byte_buffer tags{2, 0, 2, 0xee, 0xee, 5, 1, 0xee};
    ASSERT_FALSE(feed(m, response_frame_bytes(id, {9, 9, 9}, tags), done));
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].frame.body_offset, 4u + tags.size());
    EXPECT_EQ(done[0].frame.body().size(), 3u);
    EXPECT_EQ(done[0].frame.header.unknown_tagged.size(), 2u);
}

TEST(multiplexer, truncated_flexible_response_header_closes_connection) {
    multiplexer m;
    std::vector<completion> done;
    const auto id = m.enqueue(request_frame(3, 12), metadata_v12);
    write_all(m, done);
    // One tagged field announcing 9 bytes with 1 left.
    EXPECT_EQ(feed(m, response_frame_bytes(id, {}, {1, 0, 9, 0}), done), client_errc::truncated);
    EXPECT_TRUE(m.is_closed());
}

TEST(multiplexer, reply_with_unknown_correlation_id_closes_connection) {
    multiplexer m;
    std::vector<completion> done;
    const auto a = m.enqueue(request_frame(3, 4), metadata_v4);
    const auto b = m.enqueue(request_frame(3, 4), metadata_v4);
    const auto c = m.enqueue(request_frame(3, 4), metadata_v4);  // never written
    m.prepare_write(clock::now());
    m.commit_write(done);
    m.enqueue(request_frame(3, 4), metadata_v4);
    ASSERT_TRUE(done.empty());

    EXPECT_EQ(feed(m, response_frame_bytes(4242, {1}), done), client_errc::correlation_id_mismatch);
    EXPECT_TRUE(m.is_closed());
    ASSERT_EQ(done.size(), 4u);  // a, b, c and the one queued after the write
    EXPECT_EQ(done[0].correlation_id, a);
    EXPECT_EQ(done[1].correlation_id, b);
    EXPECT_EQ(done[2].correlation_id, c);
    for (auto& d : done) EXPECT_EQ(d.ec, client_errc::correlation_id_mismatch);
    EXPECT_TRUE(m.prepare_read().empty());
}

TEST(multiplexer, reply_out_of_order_closes_connection) {
    multiplexer m;
    std::vector<completion> done;
    m.enqueue(request_frame(3, 4), metadata_v4);
    const auto b = m.enqueue(request_frame(3, 4), metadata_v4);
    write_all(m, done);
    EXPECT_EQ(feed(m, response_frame_bytes(b, {1}), done), client_errc::correlation_id_mismatch);
    EXPECT_EQ(done.size(), 2u);
}

TEST(multiplexer, reply_with_nothing_in_flight_closes_connection) {
    multiplexer m;
    std::vector<completion> done;
    EXPECT_EQ(feed(m, response_frame_bytes(0, {1}), done), client_errc::correlation_id_mismatch);
}

TEST(multiplexer, frame_over_max_is_refused_before_its_body_arrives) {
    multiplexer m({.max_in_flight = 5, .max_frame_size = 1000, .read_chunk = 64});
    std::vector<completion> done;
    const auto id = m.enqueue(request_frame(3, 4), metadata_v4);
    write_all(m, done);
    // Only the length of a 1001-byte frame arrives: refused at once, nothing is sized for it
    // (the read buffer offered never exceeds the staging chunk).
    EXPECT_LE(m.prepare_read().size(), 64u);
    const byte_buffer length{0x00, 0x00, 0x03, 0xe9};
    EXPECT_EQ(feed(m, length, done), client_errc::frame_too_large);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].correlation_id, id);
    EXPECT_EQ(done[0].ec, client_errc::frame_too_large);
}

TEST(multiplexer, frame_of_2_gib_is_refused) {
    multiplexer m;
    std::vector<completion> done;
    m.enqueue(request_frame(3, 4), metadata_v4);
    write_all(m, done);
    EXPECT_EQ(feed(m, {0x7f, 0xff, 0xff, 0xff}, done), client_errc::frame_too_large);
}

TEST(multiplexer, frame_at_max_is_accepted) {
    multiplexer m({.max_in_flight = 5, .max_frame_size = 1000, .read_chunk = 64});
    std::vector<completion> done;
    const auto id = m.enqueue(request_frame(3, 4), metadata_v4);
    write_all(m, done);
    ASSERT_FALSE(feed(m, response_frame_bytes(id, byte_buffer(996, 1)), done));
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].frame.data.size(), 1000u);
}

TEST(multiplexer, first_answer_in_http_names_a_peer_that_is_not_kafka) {
    multiplexer m;
    std::vector<completion> done;
    const auto id = m.enqueue(request_frame(18, 3), request_info{18, 3, 0, true});
    write_all(m, done);
    const std::string http = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    EXPECT_EQ(feed(m, byte_buffer(http.begin(), http.end()), done), client_errc::not_kafka_peer);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].correlation_id, id);
    EXPECT_EQ(done[0].ec, client_errc::not_kafka_peer);
    EXPECT_NE(m.failure_detail().find("HTTP"), std::string_view::npos) << m.failure_detail();
}

TEST(multiplexer, first_answer_as_a_tls_alert_names_a_tls_listener) {
    multiplexer m;
    std::vector<completion> done;
    m.enqueue(request_frame(18, 3), request_info{18, 3, 0, true});
    write_all(m, done);
    // What a TLS 1.2 listener sends to a plaintext client: alert record, fatal, protocol_version.
    EXPECT_EQ(feed(m, {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46}, done), client_errc::not_kafka_peer);
    EXPECT_NE(m.failure_detail().find("TLS"), std::string_view::npos) << m.failure_detail();
    EXPECT_NE(m.failure_detail().find("security.protocol"), std::string_view::npos);
}

TEST(multiplexer, http_after_a_kafka_answer_is_named_when_over_the_size_limit) {
    multiplexer m;
    std::vector<completion> done;
    const auto id = m.enqueue(request_frame(3, 4), metadata_v4);
    m.enqueue(request_frame(3, 4), metadata_v4);
    write_all(m, done);
    ASSERT_FALSE(feed(m, response_frame_bytes(id, {1, 2, 3}), done));
    const std::string http = "HTTP/1.1 502 Bad Gateway\r\n\r\n";
    EXPECT_EQ(feed(m, byte_buffer(http.begin(), http.end()), done), client_errc::not_kafka_peer);
    ASSERT_EQ(done.size(), 2u);
    EXPECT_FALSE(done[0].ec);
    EXPECT_EQ(done[1].ec, client_errc::not_kafka_peer);
}

TEST(multiplexer, tls_record_header_inside_tls_is_only_a_length) {
    // Under TLS the bytes are decrypted Kafka: 0x16030300 is a 369 MB length, over the limit.
    multiplexer m({.tls = true});
    std::vector<completion> done;
    m.enqueue(request_frame(18, 3), request_info{18, 3, 0, true});
    write_all(m, done);
    EXPECT_EQ(feed(m, {0x16, 0x03, 0x03, 0x00}, done), client_errc::frame_too_large);
    EXPECT_TRUE(m.failure_detail().empty());
}

TEST(multiplexer, foreign_protocol_knows_http_and_tls_record_headers_only) {
    auto sniff = [](std::array<std::uint8_t, 4> head, bool inside_tls = false) {
        return std::string(foreign_protocol(head, inside_tls));
    };
    EXPECT_NE(sniff({'H', 'T', 'T', 'P'}), "");
    EXPECT_NE(sniff({'H', 'T', 'T', 'P'}, true), "");  // an HTTPS server is no broker either
    for (std::uint8_t minor = 0; minor <= 4; ++minor) {
        EXPECT_NE(sniff({0x15, 0x03, minor, 0x00}), "") << int(minor);
        EXPECT_NE(sniff({0x16, 0x03, minor, 0x00}), "") << int(minor);
        EXPECT_EQ(sniff({0x16, 0x03, minor, 0x00}, true), "");
    }
    EXPECT_EQ(sniff({0x16, 0x03, 0x05, 0x00}), "");
    EXPECT_EQ(sniff({0x17, 0x03, 0x03, 0x00}), "");  // application data never comes first
    EXPECT_EQ(sniff({0x00, 0x00, 0x01, 0x00}), "");  // an ordinary length
    EXPECT_EQ(sniff({'h', 't', 't', 'p'}), "");
}

TEST(multiplexer, negative_or_short_length_is_invalid) {
    for (byte_buffer length : {byte_buffer{0xff, 0xff, 0xff, 0xff}, byte_buffer{0, 0, 0, 3}}) {
        multiplexer m;
        std::vector<completion> done;
        m.enqueue(request_frame(3, 4), metadata_v4);
        write_all(m, done);
        EXPECT_EQ(feed(m, length, done), client_errc::invalid_length);
        EXPECT_EQ(done.size(), 1u);
    }
}

TEST(multiplexer, large_frame_is_read_straight_into_its_buffer) {
    multiplexer m({.max_in_flight = 5, .max_frame_size = 1 << 20, .read_chunk = 64});
    std::vector<completion> done;
    const auto id = m.enqueue(request_frame(3, 4), metadata_v4);
    write_all(m, done);
    const auto bytes = response_frame_bytes(id, byte_buffer(10000, 7));
    // First read: the length and the start of the body go through the staging chunk.
    auto dst = m.prepare_read();
    ASSERT_EQ(dst.size(), 64u);
    std::memcpy(dst.data(), bytes.data(), 64);
    ASSERT_FALSE(m.commit_read(64, done));
    // The rest is offered as one span inside the frame's own buffer.
    dst = m.prepare_read();
    EXPECT_EQ(dst.size(), bytes.size() - 64);
    std::memcpy(dst.data(), bytes.data() + 64, dst.size());
    ASSERT_FALSE(m.commit_read(dst.size(), done));
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].frame.body().size(), 10000u);
    EXPECT_EQ(done[0].frame.body()[9999], 7);
}

TEST(multiplexer, cancelled_queued_request_is_never_written) {
    multiplexer m;
    std::vector<completion> done;
    const auto a = m.enqueue(request_frame(3, 4), metadata_v4);
    const auto b = m.enqueue(request_frame(3, 4), metadata_v4);
    EXPECT_EQ(m.cancel(a), multiplexer::cancel_result::removed);
    auto sent = write_all(m, done);
    EXPECT_EQ(correlation_id_in(sent), b);
    EXPECT_EQ(m.in_flight(), 1u);
    EXPECT_EQ(m.cancel(a), multiplexer::cancel_result::not_found);
}

TEST(multiplexer, reply_to_abandoned_request_is_dropped) {
    multiplexer m;
    std::vector<completion> done;
    const auto a = m.enqueue(request_frame(3, 4), metadata_v4);
    const auto b = m.enqueue(request_frame(3, 4), metadata_v4);
    write_all(m, done);
    EXPECT_EQ(m.cancel(a), multiplexer::cancel_result::abandoned);
    EXPECT_EQ(m.cancel(a), multiplexer::cancel_result::not_found);
    auto stream = response_frame_bytes(a, {1});
    auto second = response_frame_bytes(b, {2});
    stream.insert(stream.end(), second.begin(), second.end());
    ASSERT_FALSE(feed(m, stream, done));
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].correlation_id, b);
    EXPECT_EQ(m.in_flight(), 0u);
}

TEST(multiplexer, response_read_before_its_write_completes_is_matched) {
    // With several threads the reader may see the answer before the writer's completion runs.
    multiplexer m;
    std::vector<completion> done;
    const auto a = m.enqueue(request_frame(3, 4), metadata_v4);
    const auto b = m.enqueue(request_frame(3, 4), metadata_v4);
    auto bufs = m.prepare_write(clock::now());
    EXPECT_EQ(m.in_flight(), 2u);
    ASSERT_FALSE(feed(m, response_frame_bytes(a, {1}), done));
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].correlation_id, a);
    EXPECT_EQ(bufs[1].size(), request_frame(3, 4).size());  // still being written: still there
    m.commit_write(done);
    EXPECT_EQ(done.size(), 1u);
    ASSERT_FALSE(feed(m, response_frame_bytes(b, {2}), done));
    EXPECT_EQ(done.size(), 2u);
}

TEST(multiplexer, cancel_without_abandon_leaves_written_requests_alone) {
    multiplexer m;
    std::vector<completion> done;
    const auto a = m.enqueue(request_frame(3, 4), metadata_v4);
    write_all(m, done);
    const auto b = m.enqueue(request_frame(3, 4), metadata_v4);
    EXPECT_EQ(m.cancel(a, false), multiplexer::cancel_result::written);
    EXPECT_EQ(m.cancel(b, false), multiplexer::cancel_result::removed);
    ASSERT_FALSE(feed(m, response_frame_bytes(a, {1}), done));
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].correlation_id, a);
}

TEST(multiplexer, request_cancelled_while_being_written_is_abandoned) {
    multiplexer m;
    std::vector<completion> done;
    const auto a = m.enqueue(request_frame(3, 4), metadata_v4);
    auto bufs = m.prepare_write(clock::now());
    EXPECT_EQ(m.cancel(a), multiplexer::cancel_result::abandoned);
    EXPECT_EQ(bufs[0].size(), request_frame(3, 4).size());  // bytes still valid
    m.commit_write(done);
    EXPECT_EQ(m.in_flight(), 1u);
    ASSERT_FALSE(feed(m, response_frame_bytes(a, {1}), done));
    EXPECT_TRUE(done.empty());
}

TEST(multiplexer, request_without_response_completes_when_written) {
    multiplexer m;
    std::vector<completion> done;
    const auto a = m.enqueue(request_frame(0, 9), {0, 9, 1, false});
    const auto t = clock::now();
    m.prepare_write(t);
    m.commit_write(done);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].correlation_id, a);
    EXPECT_FALSE(done[0].ec);
    EXPECT_EQ(done[0].sent_at, t);
    EXPECT_EQ(m.in_flight(), 0u);
}

TEST(multiplexer, close_fails_queued_and_in_flight_requests) {
    multiplexer m({.max_in_flight = 1});
    std::vector<completion> done;
    const auto a = m.enqueue(request_frame(3, 4), metadata_v4);
    const auto b = m.enqueue(request_frame(3, 4), metadata_v4);
    const auto c = m.enqueue(request_frame(3, 4), metadata_v4);
    write_all(m, done);
    m.cancel(c);
    m.close(client_errc::connection_closed, done);
    ASSERT_EQ(done.size(), 2u);
    EXPECT_EQ(done[0].correlation_id, a);
    EXPECT_EQ(done[1].correlation_id, b);
    for (auto& d : done) EXPECT_EQ(d.ec, client_errc::connection_closed);
    m.close(client_errc::connection_closed, done);  // idempotent
    EXPECT_EQ(done.size(), 2u);
    EXPECT_FALSE(m.want_write());
}

TEST(multiplexer, close_during_write_keeps_its_bytes_until_the_write_returns) {
    multiplexer m;
    std::vector<completion> done;
    m.enqueue(request_frame(3, 4), metadata_v4);
    auto bufs = m.prepare_write(clock::now());
    m.close(client_errc::connection_closed, done);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(bufs[0].size(), request_frame(3, 4).size());
    m.commit_write(done);
    EXPECT_EQ(done.size(), 1u);
    EXPECT_EQ(m.queued(), 0u);
}

// KIP-368 re-authentication: while held, only the connection's own (priority) requests go out,
// ahead of those already queued; the rest follow in their order once the hold ends.
TEST(multiplexer, while_held_writes_only_priority_requests_and_then_the_rest_in_order) {
    multiplexer m;
    std::vector<completion> done;
    const auto in_flight = m.enqueue(request_frame(3, 4), metadata_v4);
    ASSERT_EQ(write_all(m, done).size(), request_frame(3, 4).size());
    const auto queued = m.enqueue(request_frame(3, 4), metadata_v4);
    m.hold(true);
    EXPECT_FALSE(m.want_write());
    const request_info handshake{17, 1, 0, true, true};
    const auto h = m.enqueue(request_frame(17, 1), handshake);
    const auto later = m.enqueue(request_frame(3, 4), metadata_v4);
    const byte_buffer sent = write_all(m, done);
    ASSERT_EQ(sent.size(), request_frame(17, 1).size());
    EXPECT_EQ(correlation_id_in(sent), h);
    EXPECT_EQ(m.queued(), 2u);

    // The request written before the hold is answered first, then the handshake.
    ASSERT_FALSE(feed(m, response_frame_bytes(in_flight, {}), done));
    ASSERT_FALSE(feed(m, response_frame_bytes(h, {}), done));
    ASSERT_EQ(done.size(), 2u);
    EXPECT_EQ(done[0].correlation_id, in_flight);
    EXPECT_EQ(done[1].correlation_id, h);
    EXPECT_FALSE(m.want_write());

    m.hold(false);
    ASSERT_TRUE(m.want_write());
    auto bufs = m.prepare_write(clock::now());
    ASSERT_EQ(bufs.size(), 2u);
    EXPECT_EQ(correlation_id_in(byte_buffer(bufs[0].begin(), bufs[0].end())), queued);
    EXPECT_EQ(correlation_id_in(byte_buffer(bufs[1].begin(), bufs[1].end())), later);
}

}  // namespace
}  // namespace kasio::net

// The broker connection against a scripted fake broker on loopback. One io_context runs both;
// tests step it with run_until() (no sleeps, no timing asserts).
#include "net/connection.hpp"

#include "fake_broker.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace kasio::net {
namespace {

using protocol::msg::api_versions_request;
using protocol::msg::metadata_request;
using protocol::msg::metadata_response;
using test::fake_broker;
using test::run_until;

struct result {
    error_code ec;
    response_frame frame;
};

class connection_test : public ::testing::Test {
protected:
    asio::io_context io;
    fake_broker broker{io};
    connection_config cfg;

    // Connects conn to the fake broker; returns the connect result.
    error_code connect(connection& conn) {
        std::optional<error_code> done;
        conn.async_connect("127.0.0.1", broker.port(), [&](error_code ec) { done = ec; });
        EXPECT_TRUE(run_until(io, [&] { return done.has_value(); }));
        return done.value_or(asio::error::timed_out);
    }

    // Starts a Metadata request (no topics) completing into *out.
    void send_metadata(connection& conn, std::optional<result>& out) {
        conn.async_request(metadata_request{}, [&out](error_code ec, response_frame f) {
            out = result{ec, std::move(f)};
        });
    }

    // A Metadata response whose single broker has node_id `id`.
    static metadata_response metadata(std::int32_t id) {
        metadata_response m;
        m.brokers.resize(1);
        m.brokers[0].node_id = id;
        m.brokers[0].host = "h";
        m.brokers[0].port = 9092;
        return m;
    }

    // Answers the request with metadata(id) at the request's version.
    void answer(const fake_broker::request& r, std::int32_t id) { broker.reply(r, metadata(id), r.api_version); }
};

TEST_F(connection_test, connect_negotiates_versions_with_api_versions_v3) {
    connection conn(io.get_executor(), cfg);
    ASSERT_FALSE(connect(conn));
    ASSERT_EQ(broker.received.size(), 1u);
    const auto& req = broker.received[0];
    EXPECT_EQ(req.api_key, 18);
    EXPECT_EQ(req.api_version, 3);
    EXPECT_EQ(req.header_version, 2);
    EXPECT_EQ(req.client_id, "kasio");
    api_versions_request body;
    protocol::reader r(req.body);
    ASSERT_FALSE(decode(r, body, 3));
    EXPECT_EQ(body.client_software_name, "kasio");
    EXPECT_FALSE(body.client_software_version.empty());

    EXPECT_EQ(conn.negotiated_version(18), std::min<std::int16_t>(api_versions_request::max_version, 3));
    EXPECT_EQ(conn.negotiated_version(3), std::min<std::int16_t>(metadata_request::max_version, 12));
    EXPECT_EQ(conn.negotiated_version(0), std::min<std::int16_t>(protocol::msg::produce_request::max_version, 9));
    EXPECT_EQ(conn.negotiated_version(2), -1);  // ListOffsets: not advertised
}

TEST_F(connection_test, connect_falls_back_when_broker_rejects_api_versions_v3) {
    broker.advertised = {{18, 0, 2}, {3, 0, 4}};
    connection conn(io.get_executor(), cfg);
    ASSERT_FALSE(connect(conn));
    ASSERT_EQ(broker.received.size(), 2u);
    EXPECT_EQ(broker.received[0].api_version, 3);
    EXPECT_EQ(broker.received[1].api_version, 2);  // min(3, the broker's max)
    EXPECT_EQ(broker.received[1].header_version, 1);
    EXPECT_EQ(conn.negotiated_version(18), 2);
    EXPECT_EQ(conn.negotiated_version(3), 4);
}

TEST_F(connection_test, connect_with_set_up_never_answered_times_out) {
    broker.on_request = [](const fake_broker::request&) {};
    cfg.connect_timeout = std::chrono::milliseconds(50);
    connection conn(io.get_executor(), cfg);
    EXPECT_EQ(connect(conn), client_errc::timed_out);
    EXPECT_TRUE(run_until(io, [&] { return broker.client_gone; }));
}

TEST_F(connection_test, connect_to_closed_port_fails) {
    asio::ip::tcp::acceptor closed(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = std::to_string(closed.local_endpoint().port());
    closed.close();
    connection conn(io.get_executor(), cfg);
    std::optional<error_code> done;
    conn.async_connect("127.0.0.1", port, [&](error_code ec) { done = ec; });
    ASSERT_TRUE(run_until(io, [&] { return done.has_value(); }));
    EXPECT_TRUE(done->failed());
}

// Threads of this process now (Linux: one entry per thread in /proc/self/task).
std::size_t thread_count() {
    const std::filesystem::directory_iterator tasks("/proc/self/task");
    return static_cast<std::size_t>(std::distance(begin(tasks), end(tasks)));
}

TEST_F(connection_test, numeric_address_connects_without_starting_a_thread) {
    const std::size_t before = thread_count();
    connection conn(io.get_executor(), cfg);
    ASSERT_FALSE(connect(conn));  // to 127.0.0.1
    EXPECT_EQ(thread_count(), before);
}

TEST_F(connection_test, host_name_is_resolved_on_asios_resolver_thread) {
    // The one thread the README admits to; also shows that the count above would see one.
    const std::size_t before = thread_count();
    connection conn(io.get_executor(), cfg);
    std::optional<error_code> done;
    conn.async_connect("localhost", broker.port(), [&](error_code ec) { done = ec; });
    ASSERT_TRUE(run_until(io, [&] { return done.has_value(); }));
    EXPECT_EQ(thread_count(), before + 1);
}

// A peer answering the first request with `answer`: connect fails with not_kafka_peer and the
// warning line about the close names what the peer spoke.
void expect_not_kafka_peer(asio::io_context& io, fake_broker& broker, connection_config cfg,
                           const protocol::byte_buffer& answer, std::string_view spoke) {
    std::vector<std::pair<log_level, std::string>> lines;
    ASSERT_FALSE(cfg.set("debug", "broker"));
    cfg.log.sink = [&](log_level l, std::string_view line) { lines.emplace_back(l, line); };
    broker.on_request = [&](const fake_broker::request& r) { broker.send_raw(r.connection, answer); };
    connection conn(io.get_executor(), cfg);
    std::optional<error_code> done;
    conn.async_connect("127.0.0.1", broker.port(), [&](error_code ec) { done = ec; });
    ASSERT_TRUE(run_until(io, [&] { return done.has_value(); }));
    EXPECT_EQ(*done, client_errc::not_kafka_peer) << done->message();
    const auto it = std::find_if(lines.begin(), lines.end(), [&](const auto& l) {
        return l.second.find("connection closed") != std::string::npos && l.second.find(spoke) != std::string::npos;
    });
    ASSERT_NE(it, lines.end()) << "no close line naming " << spoke;
    EXPECT_EQ(it->first, log_level::warning) << it->second;
    EXPECT_EQ(it->second.rfind("127.0.0.1:" + broker.port(), 0), 0u) << it->second;
}

TEST_F(connection_test, peer_answering_http_is_not_a_kafka_peer) {
    const std::string http = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    expect_not_kafka_peer(io, broker, cfg, protocol::byte_buffer(http.begin(), http.end()), "HTTP");
}

TEST_F(connection_test, tls_listener_reached_in_plaintext_is_not_a_kafka_peer) {
    // A TLS alert record: fatal (2), protocol_version (70), as a TLS 1.2 listener sends it.
    expect_not_kafka_peer(io, broker, cfg, {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46}, "TLS");
}

TEST_F(connection_test, pipelines_five_requests_and_matches_responses) {
    connection conn(io.get_executor(), cfg);
    ASSERT_FALSE(connect(conn));
    const auto v = conn.negotiated_version(metadata_request::api_key);
    std::vector<std::optional<result>> results(6);
    for (auto& r : results) send_metadata(conn, r);

    // All five are on the wire before any answer; the sixth waits for a free slot.
    ASSERT_TRUE(run_until(io, [&] { return broker.received.size() == 1 + 5; }));
    io.poll();
    EXPECT_EQ(broker.received.size(), 1u + 5);
    EXPECT_EQ(conn.stats().in_flight, 5u);

    for (std::size_t i = 1; i < broker.received.size(); ++i) {
        const auto& req = broker.received[i];
        EXPECT_EQ(req.api_version, v);
        answer(req, static_cast<std::int32_t>(100 + i));
    }
    ASSERT_TRUE(run_until(io, [&] { return broker.received.size() == 1 + 6; }));
    answer(broker.received.back(), 106);
    ASSERT_TRUE(run_until(io, [&] { return std::all_of(results.begin(), results.end(), [](auto& r) { return r.has_value(); }); }));

    for (std::size_t i = 0; i < results.size(); ++i) {
        ASSERT_FALSE(results[i]->ec) << results[i]->ec.message();
        metadata_response m;
        ASSERT_FALSE(decode_response(results[i]->frame, m));
        ASSERT_EQ(m.brokers.size(), 1u);
        EXPECT_EQ(m.brokers[0].node_id, static_cast<std::int32_t>(101 + i));
        EXPECT_EQ(results[i]->frame.header.correlation_id, broker.received[i + 1].correlation_id);
    }
    const auto s = conn.stats();
    EXPECT_EQ(s.requests, 7u);
    EXPECT_EQ(s.responses, 7u);
    EXPECT_EQ(s.in_flight, 0u);
    EXPECT_GT(s.bytes_out, 0u);
    EXPECT_GT(s.bytes_in, 0u);
}

TEST_F(connection_test, works_with_use_awaitable_and_deferred) {
    connection conn(io.get_executor(), cfg);
    broker.on_request = [&](const fake_broker::request& r) {
        if (r.api_key == 18) return broker.answer_api_versions(r);
        answer(r, 7);
    };
    std::optional<std::int32_t> node;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        co_await conn.async_connect("127.0.0.1", broker.port(), asio::use_awaitable);
        response_frame f = co_await conn.async_request(metadata_request{}, asio::use_awaitable);
        metadata_response m;
        if (!decode_response(f, m) && !m.brokers.empty()) node = m.brokers[0].node_id;
        f = co_await conn.async_request(metadata_request{});  // deferred, the default token
        if (!decode_response(f, m) && !m.brokers.empty()) node = *node + m.brokers[0].node_id;
    }, asio::detached);
    ASSERT_TRUE(run_until(io, [&] { return node == 14; }));
}

TEST_F(connection_test, reply_with_unknown_correlation_id_closes_connection) {
    connection conn(io.get_executor(), cfg);
    ASSERT_FALSE(connect(conn));
    std::optional<result> first, second;
    send_metadata(conn, first);
    send_metadata(conn, second);
    ASSERT_TRUE(run_until(io, [&] { return broker.received.size() == 3; }));
    const auto& req = broker.received[1];
    broker.reply(req, metadata(1), req.api_version, req.correlation_id + 1000);
    ASSERT_TRUE(run_until(io, [&] { return first && second; }));
    EXPECT_EQ(first->ec, client_errc::correlation_id_mismatch);
    EXPECT_EQ(second->ec, client_errc::correlation_id_mismatch);
    EXPECT_TRUE(run_until(io, [&] { return broker.client_gone; }));

    std::optional<result> later;
    send_metadata(conn, later);
    ASSERT_TRUE(run_until(io, [&] { return later.has_value(); }));
    EXPECT_EQ(later->ec, client_errc::connection_closed);
}

TEST_F(connection_test, frame_over_receive_message_max_bytes_is_refused) {
    cfg.receive_message_max_bytes = 1000;
    connection conn(io.get_executor(), cfg);
    ASSERT_FALSE(connect(conn));
    std::optional<result> r;
    send_metadata(conn, r);
    ASSERT_TRUE(run_until(io, [&] { return broker.received.size() == 2; }));
    // Only the length of a 1001-byte frame: refused before any of its body exists.
    broker.send_raw({0x00, 0x00, 0x03, 0xe9});
    ASSERT_TRUE(run_until(io, [&] { return r.has_value(); }));
    EXPECT_EQ(r->ec, client_errc::frame_too_large);
    EXPECT_TRUE(run_until(io, [&] { return broker.client_gone; }));
}

TEST_F(connection_test, server_closing_mid_flight_fails_all_waiters) {
    connection conn(io.get_executor(), cfg);
    ASSERT_FALSE(connect(conn));
    std::vector<std::optional<result>> results(3);
    for (auto& r : results) send_metadata(conn, r);
    ASSERT_TRUE(run_until(io, [&] { return broker.received.size() == 4; }));
    broker.close_client();
    ASSERT_TRUE(run_until(io, [&] { return std::all_of(results.begin(), results.end(), [](auto& r) { return r.has_value(); }); }));
    for (auto& r : results) {
        EXPECT_EQ(r->ec, client_errc::connection_closed);
        EXPECT_TRUE(is_retriable(r->ec));
    }
    EXPECT_EQ(conn.stats().in_flight, 0u);
}

TEST_F(connection_test, unanswered_request_times_out_and_closes_connection) {
    cfg.request_timeout = std::chrono::milliseconds(50);
    connection conn(io.get_executor(), cfg);
    ASSERT_FALSE(connect(conn));
    std::optional<result> first, second;
    send_metadata(conn, first);
    ASSERT_TRUE(run_until(io, [&] { return broker.received.size() == 2; }));
    send_metadata(conn, second);
    ASSERT_TRUE(run_until(io, [&] { return first && second; }));
    EXPECT_EQ(first->ec, client_errc::timed_out);
    // The second was behind the first on the same connection: closed with it.
    EXPECT_TRUE(second->ec == client_errc::connection_closed || second->ec == client_errc::timed_out)
        << second->ec.message();
    EXPECT_TRUE(run_until(io, [&] { return broker.client_gone; }));
}

TEST_F(connection_test, cancelled_request_completes_at_once_and_its_late_reply_is_dropped) {
    connection conn(io.get_executor(), cfg);
    ASSERT_FALSE(connect(conn));
    asio::cancellation_signal cancel;
    std::optional<result> cancelled, next;
    conn.async_request(metadata_request{},
                       asio::bind_cancellation_slot(cancel.slot(), [&](error_code ec, response_frame f) {
                           cancelled = result{ec, std::move(f)};
                       }));
    send_metadata(conn, next);
    ASSERT_TRUE(run_until(io, [&] { return broker.received.size() == 3; }));
    cancel.emit(asio::cancellation_type::terminal);
    ASSERT_TRUE(run_until(io, [&] { return cancelled.has_value(); }));
    EXPECT_EQ(cancelled->ec, asio::error::operation_aborted);

    answer(broker.received[1], 1);
    answer(broker.received[2], 2);
    ASSERT_TRUE(run_until(io, [&] { return next.has_value(); }));
    ASSERT_FALSE(next->ec);
    metadata_response m;
    ASSERT_FALSE(decode_response(next->frame, m));
    EXPECT_EQ(m.brokers.at(0).node_id, 2);
}

TEST_F(connection_test, total_cancellation_leaves_written_request_alone) {
    connection conn(io.get_executor(), cfg);
    ASSERT_FALSE(connect(conn));
    asio::cancellation_signal cancel;
    std::optional<result> r;
    conn.async_request(metadata_request{},
                       asio::bind_cancellation_slot(cancel.slot(), [&](error_code ec, response_frame f) {
                           r = result{ec, std::move(f)};
                       }));
    ASSERT_TRUE(run_until(io, [&] { return broker.received.size() == 2; }));
    cancel.emit(asio::cancellation_type::total);
    io.poll();
    EXPECT_FALSE(r.has_value());
    answer(broker.received[1], 1);
    ASSERT_TRUE(run_until(io, [&] { return r.has_value(); }));
    EXPECT_FALSE(r->ec);
}

TEST_F(connection_test, request_for_api_without_common_version_fails_without_sending) {
    broker.advertised = {{18, 0, 3}, {3, 13, 14}};  // Metadata only above kasio's max
    connection conn(io.get_executor(), cfg);
    ASSERT_FALSE(connect(conn));
    EXPECT_EQ(conn.negotiated_version(3), -1);
    std::optional<result> r;
    send_metadata(conn, r);
    ASSERT_TRUE(run_until(io, [&] { return r.has_value(); }));
    EXPECT_EQ(r->ec, client_errc::no_common_version);
    EXPECT_EQ(broker.received.size(), 1u);
}

TEST_F(connection_test, second_connect_or_connect_after_close_fails) {
    connection conn(io.get_executor(), cfg);
    ASSERT_FALSE(connect(conn));
    EXPECT_EQ(connect(conn), asio::error::already_started);
    conn.close();
    EXPECT_EQ(connect(conn), client_errc::connection_closed);
}

TEST_F(connection_test, request_before_connect_fails) {
    connection conn(io.get_executor(), cfg);
    std::optional<result> r;
    send_metadata(conn, r);
    ASSERT_TRUE(run_until(io, [&] { return r.has_value(); }));
    EXPECT_EQ(r->ec, client_errc::connection_closed);
}

TEST_F(connection_test, destroying_the_connection_fails_pending_requests) {
    std::optional<result> r;
    {
        connection conn(io.get_executor(), cfg);
        ASSERT_FALSE(connect(conn));
        send_metadata(conn, r);
        ASSERT_TRUE(run_until(io, [&] { return broker.received.size() == 2; }));
    }
    ASSERT_TRUE(run_until(io, [&] { return r.has_value(); }));
    EXPECT_EQ(r->ec, client_errc::connection_closed);
    EXPECT_TRUE(run_until(io, [&] { return broker.client_gone; }));
}

TEST_F(connection_test, produce_with_acks_0_completes_once_written_and_expects_no_response) {
    connection conn(io.get_executor(), cfg);
    ASSERT_FALSE(connect(conn));
    protocol::msg::produce_request produce;
    produce.acks = 0;
    std::optional<result> sent, meta;
    conn.async_request(produce, [&](error_code ec, response_frame f) { sent = result{ec, std::move(f)}; });
    send_metadata(conn, meta);
    ASSERT_TRUE(run_until(io, [&] { return sent.has_value() && broker.received.size() == 3; }));
    ASSERT_FALSE(sent->ec) << sent->ec.message();
    EXPECT_TRUE(sent->frame.data.empty());
    EXPECT_EQ(sent->frame.api_key, 0);
    EXPECT_EQ(sent->frame.header.correlation_id, broker.received[1].correlation_id);
    EXPECT_EQ(broker.received[1].api_key, 0);
    // The broker answers only the Metadata request: it is matched though the Produce came first.
    answer(broker.received[2], 5);
    ASSERT_TRUE(run_until(io, [&] { return meta.has_value(); }));
    ASSERT_FALSE(meta->ec) << meta->ec.message();
    EXPECT_EQ(conn.stats().in_flight, 0u);
}

TEST_F(connection_test, produce_with_acks_1_waits_for_its_response) {
    connection conn(io.get_executor(), cfg);
    ASSERT_FALSE(connect(conn));
    protocol::msg::produce_request produce;
    produce.acks = 1;
    std::optional<result> r;
    conn.async_request(produce, [&](error_code ec, response_frame f) { r = result{ec, std::move(f)}; });
    ASSERT_TRUE(run_until(io, [&] { return broker.received.size() == 2; }));
    io.poll();
    EXPECT_FALSE(r.has_value());
    broker.reply(broker.received[1], protocol::msg::produce_response{}, broker.received[1].api_version);
    ASSERT_TRUE(run_until(io, [&] { return r.has_value(); }));
    EXPECT_FALSE(r->ec);
    EXPECT_FALSE(r->frame.data.empty());
}

TEST_F(connection_test, debug_protocol_logs_one_line_per_request_and_response) {
    std::vector<std::string> lines;
    ASSERT_FALSE(cfg.set("debug", "protocol"));
    cfg.log.sink = [&](log_level, std::string_view line) { lines.emplace_back(line); };
    connection conn(io.get_executor(), cfg);
    broker.on_request = [&](const fake_broker::request& r) {
        if (r.api_key == 18) return broker.answer_api_versions(r);
        answer(r, 7);
    };
    ASSERT_FALSE(connect(conn));
    std::optional<result> r;
    send_metadata(conn, r);
    ASSERT_TRUE(run_until(io, [&] { return r.has_value(); }));
    ASSERT_EQ(lines.size(), 4u);  // ApiVersions and Metadata, each sent and received
    const auto v = std::to_string(conn.negotiated_version(3));
    const auto id = std::to_string(r->frame.header.correlation_id);
    EXPECT_NE(lines[2].find("send metadata v" + v + " cid " + id), std::string::npos) << lines[2];
    EXPECT_NE(lines[3].find("recv metadata v" + v + " cid " + id), std::string::npos) << lines[3];
    EXPECT_NE(lines[3].find("rtt"), std::string::npos) << lines[3];
    EXPECT_EQ(lines[3].rfind("127.0.0.1:" + broker.port(), 0), 0u) << lines[3];
}

}  // namespace
}  // namespace kasio::net

// A broker that misbehaves on purpose, for the network layer's robustness tests (issue 9).
//
// It listens on 127.0.0.1 (ephemeral port) and runs on the test's io_context next to the
// client. It answers ApiVersions like a real broker (unless the misbehaviour starts at the
// handshake: silence, an HTTP server, a TLS listener), then does to the first other request what its `behaviour` says: garbage, a
// truncated or absurdly sized frame, the wrong correlation id, answers out of order, silence,
// or a valid answer trickled out one byte per `trickle_interval`. Every later connection gets
// the same treatment, so a client that reconnects meets it again.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/headers.hpp"
#include "protocol/messages.hpp"
#include "protocol/reader.hpp"
#include "protocol/writer.hpp"

namespace kasio::test {

namespace asio = boost::asio;

enum class hostile_behaviour {
    garbage_http,            ///< answers like an HTTP server: "HTTP/1.1 400 ..." (length 1.2 GB)
    http_at_handshake,       ///< an HTTP server from the start: ApiVersions gets "HTTP/1.1 400 ..."
    tls_alert_at_handshake,  ///< a TLS listener: ApiVersions gets a TLS alert record, then a close
    garbage_bytes,           ///< a plausible length, then bytes that are no response
    truncated_then_close,    ///< half a frame, then closes the socket
    truncated_then_silence,  ///< half a frame, then nothing (socket stays open)
    zero_length,             ///< a frame length of 0
    negative_length,         ///< a frame length of -1
    max_length,              ///< a frame length of 2^31-1, then a few bytes
    wrong_correlation_id,    ///< a valid answer under another correlation id
    out_of_order,            ///< waits for two requests and answers the second first
    silent,                  ///< accepts and never answers anything (not even ApiVersions)
    trickle,                 ///< a valid answer, one byte per trickle_interval
};

class hostile_broker {
public:
    hostile_broker(asio::io_context& io, hostile_behaviour b)
        : behaviour(b),
          acceptor_(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        asio::co_spawn(io, accept_loop(), asio::detached);
    }
    ~hostile_broker() { stop(); }
    hostile_broker(const hostile_broker&) = delete;
    hostile_broker& operator=(const hostile_broker&) = delete;

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

    const hostile_behaviour behaviour;
    std::chrono::milliseconds trickle_interval{1000};

    std::size_t accepted = 0;        ///< connections accepted
    std::size_t requests = 0;        ///< request frames received (ApiVersions included)
    std::size_t trickled_bytes = 0;  ///< bytes the trickle has sent so far
    bool hostile_sent = false;       ///< the misbehaviour has happened at least once

    /// Closes the listener and every connection; pending trickles stop.
    void stop() {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        for (auto& s : sockets_) s->close(ignored);
    }

private:
    using socket_ptr = std::shared_ptr<asio::ip::tcp::socket>;
    struct request {
        std::int16_t api_key = 0, api_version = 0;
        std::int32_t correlation_id = 0;
    };

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, s] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            auto socket = std::make_shared<asio::ip::tcp::socket>(std::move(s));
            socket->set_option(asio::ip::tcp::no_delay(true));
            sockets_.push_back(socket);
            ++accepted;
            asio::co_spawn(acceptor_.get_executor(), serve(socket), asio::detached);
        }
    }

    asio::awaitable<void> serve(socket_ptr socket) {
        std::vector<request> held;  // out_of_order: the first request waits for the second
        for (;;) {
            std::uint8_t len[4];
            auto [e1, n1] = co_await asio::async_read(*socket, asio::buffer(len),
                                                      asio::as_tuple(asio::use_awaitable));
            if (e1) co_return;
            protocol::reader lr(protocol::bytes_view(len, 4));
            const std::int32_t size = lr.read_int32();
            if (size < 8 || size > (1 << 24)) co_return;
            protocol::byte_buffer frame(static_cast<std::size_t>(size));
            auto [e2, n2] = co_await asio::async_read(*socket, asio::buffer(frame),
                                                      asio::as_tuple(asio::use_awaitable));
            if (e2) co_return;
            ++requests;
            protocol::reader r(frame);
            request q;
            q.api_key = r.read_int16();
            q.api_version = r.read_int16();
            q.correlation_id = r.read_int32();

            if (behaviour == hostile_behaviour::silent) continue;
            if (behaviour == hostile_behaviour::http_at_handshake) {
                hostile_sent = true;
                co_await send(socket, bytes(http_400));
                continue;
            }
            if (behaviour == hostile_behaviour::tls_alert_at_handshake) {
                hostile_sent = true;
                co_await send(socket, tls_alert());
                boost::system::error_code ignored;
                socket->close(ignored);
                co_return;
            }
            if (q.api_key == protocol::msg::api_versions_request::api_key) {
                co_await send(socket, api_versions(q));
                continue;
            }
            hostile_sent = true;
            switch (behaviour) {
                case hostile_behaviour::garbage_http:
                    co_await send(socket, bytes(http_400));
                    break;
                case hostile_behaviour::garbage_bytes: {
                    protocol::byte_buffer g = length_prefix(64);
                    for (int i = 0; i < 64; ++i)
                        g.push_back(static_cast<std::uint8_t>(0xA5 ^ (i * 37)));
                    co_await send(socket, g);
                    break;
                }
                case hostile_behaviour::truncated_then_close:
                case hostile_behaviour::truncated_then_silence: {
                    protocol::byte_buffer f = metadata_answer(q);
                    f.resize(f.size() / 2);
                    co_await send(socket, f);
                    if (behaviour == hostile_behaviour::truncated_then_close) {
                        boost::system::error_code ignored;
                        socket->close(ignored);
                        co_return;
                    }
                    break;
                }
                case hostile_behaviour::zero_length:
                    co_await send(socket, length_prefix(0));
                    break;
                case hostile_behaviour::negative_length:
                    co_await send(socket, length_prefix(-1));
                    break;
                case hostile_behaviour::max_length: {
                    protocol::byte_buffer f = length_prefix(0x7fffffff);
                    const auto body = metadata_answer(q);
                    f.insert(f.end(), body.begin() + 4, body.end());
                    co_await send(socket, f);
                    break;
                }
                case hostile_behaviour::wrong_correlation_id:
                    q.correlation_id += 1000;
                    co_await send(socket, metadata_answer(q));
                    break;
                case hostile_behaviour::out_of_order:
                    held.push_back(q);
                    if (held.size() == 2) {
                        auto both = metadata_answer(held[1]);
                        const auto first = metadata_answer(held[0]);
                        both.insert(both.end(), first.begin(), first.end());
                        co_await send(socket, both);
                        held.clear();
                    }
                    break;
                case hostile_behaviour::trickle: {
                    const auto f = metadata_answer(q);
                    asio::steady_timer t(acceptor_.get_executor());
                    for (std::size_t i = 0; i < f.size(); ++i) {
                        auto [we, wn] = co_await asio::async_write(
                            *socket, asio::buffer(&f[i], 1), asio::as_tuple(asio::use_awaitable));
                        if (we) co_return;
                        ++trickled_bytes;
                        t.expires_after(trickle_interval);
                        auto [te] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
                        if (te || !socket->is_open()) co_return;
                    }
                    break;
                }
                case hostile_behaviour::silent:
                case hostile_behaviour::http_at_handshake:
                case hostile_behaviour::tls_alert_at_handshake:
                    break;
            }
        }
    }

    static asio::awaitable<void> send(socket_ptr socket, protocol::byte_buffer bytes) {
        co_await asio::async_write(*socket, asio::buffer(bytes),
                                   asio::as_tuple(asio::use_awaitable));
    }

    static constexpr std::string_view http_400 = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";

    // A TLS alert record (21), TLS 1.2, 2 bytes: fatal (2), protocol_version (70).
    static protocol::byte_buffer tls_alert() { return {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46}; }

    static protocol::byte_buffer bytes(std::string_view text) { return {text.begin(), text.end()}; }

    static protocol::byte_buffer length_prefix(std::int32_t n) {
        protocol::byte_buffer b(4);
        const auto u = static_cast<std::uint32_t>(n);
        b[0] = static_cast<std::uint8_t>(u >> 24);
        b[1] = static_cast<std::uint8_t>(u >> 16);
        b[2] = static_cast<std::uint8_t>(u >> 8);
        b[3] = static_cast<std::uint8_t>(u);
        return b;
    }

    // ApiVersions v0..3 and Metadata v0..9, as an old but sane broker would advertise.
    static protocol::byte_buffer api_versions(const request& q) {
        protocol::msg::api_versions_response resp;
        const bool supported = q.api_version <= 3;
        if (!supported) resp.error_code = 35;
        auto& a = resp.api_keys.emplace_back();
        a.api_key = 18;
        a.min_version = 0;
        a.max_version = 3;
        if (supported) {
            auto& m = resp.api_keys.emplace_back();
            m.api_key = protocol::msg::metadata_request::api_key;
            m.min_version = 0;
            m.max_version = 9;
        }
        protocol::byte_buffer frame;
        protocol::encode_response_frame(frame, resp, supported ? q.api_version : std::int16_t{0},
                                        q.correlation_id);
        return frame;
    }

    // A well-formed Metadata answer naming one broker, so that its size is realistic.
    static protocol::byte_buffer metadata_answer(const request& q) {
        protocol::msg::metadata_response resp;
        auto& b = resp.brokers.emplace_back();
        b.node_id = 1;
        b.host = "127.0.0.1";
        b.port = 9092;
        protocol::byte_buffer frame;
        protocol::encode_response_frame(frame, resp, q.api_version, q.correlation_id);
        return frame;
    }

    asio::ip::tcp::acceptor acceptor_;
    std::vector<socket_ptr> sockets_;
};

}  // namespace kasio::test

#pragma once
// A scripted broker on 127.0.0.1 (ephemeral port) for connection and pool tests.
//
// It runs on the test's io_context next to the client: the test drives both with run_until().
// It accepts any number of connections; each request remembers which one it came on, and
// replies go back on that one. What to answer is up to on_request, which by default answers
// ApiVersions from `advertised` and leaves everything else to the test.
#include "protocol/headers.hpp"
#include "protocol/messages.hpp"
#include "protocol/reader.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kasio::test {

namespace asio = boost::asio;

/// Runs the io_context one handler at a time until pred() holds; false if it never does within
/// max_steps handlers, or if nothing at all happens for 10 s (a hang, not a timing check).
template <class Pred>
bool run_until(asio::io_context& io, Pred pred, int max_steps = 100000) {
    for (int i = 0; i < max_steps && !pred(); ++i) {
        if (io.stopped()) io.restart();  // ran out of work earlier; new work may have come since
        if (io.run_one_for(std::chrono::seconds(10)) == 0) break;
    }
    return pred();
}

class fake_broker {
public:
    struct request {
        std::int16_t api_key = 0;
        std::int16_t api_version = 0;
        std::int32_t correlation_id = 0;
        std::int16_t header_version = 0;
        std::size_t connection = 0;  ///< index of the connection it came on (accept order)
        std::optional<std::string> client_id;
        protocol::byte_buffer body;
        error_code header_error;
    };
    struct range {
        std::int16_t api_key, min_version, max_version;
    };

    explicit fake_broker(asio::io_context& io)
        : acceptor_(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        asio::co_spawn(io, accept_loop(), asio::detached);
    }

    std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }

    /// Called for every request received (after it is appended to `received`).
    std::function<void(const request&)> on_request = [this](const request& r) {
        if (r.api_key == 18) answer_api_versions(r);
    };

    /// What ApiVersions advertises (ApiVersions itself included).
    std::vector<range> advertised = {{0, 3, 9}, {1, 4, 13}, {3, 0, 12}, {18, 0, 3}};
    std::vector<request> received;
    bool client_connected = false;
    bool client_gone = false;  // a client closed its side
    std::size_t accepted = 0;  // connections accepted so far
    std::size_t gone = 0;      // connections the client closed

    /// The ApiVersions answer a real broker gives: the advertised ranges, or UNSUPPORTED_VERSION
    /// with a v0 body listing only ApiVersions when the request's version is above its max
    /// (KIP-511).
    void answer_api_versions(const request& r) {
        protocol::msg::api_versions_response resp;
        std::int16_t max = -1;
        for (const auto& a : advertised) {
            if (a.api_key == 18) max = a.max_version;
        }
        const bool supported = r.api_version <= max;
        if (!supported) resp.error_code = 35;
        for (const auto& a : advertised) {
            if (!supported && a.api_key != 18) continue;
            auto& k = resp.api_keys.emplace_back();
            k.api_key = a.api_key;
            k.min_version = a.min_version;
            k.max_version = a.max_version;
        }
        reply(r, resp, supported ? r.api_version : std::int16_t{0});
    }

    /// Sends `body` as the response to r, encoded at `version`, under r's correlation id or
    /// another one.
    template <class Response>
    void reply(const request& r, const Response& body, std::int16_t version,
               std::optional<std::int32_t> correlation_id = std::nullopt) {
        protocol::byte_buffer frame;
        protocol::encode_response_frame(frame, body, version, correlation_id.value_or(r.correlation_id));
        send_raw(r.connection, frame);
    }
    /// Loopback writes of a few bytes complete at once; blocking keeps the script in order.
    void send_raw(const protocol::byte_buffer& bytes) { send_raw(sockets_.size() - 1, bytes); }
    void send_raw(std::size_t connection, const protocol::byte_buffer& bytes) {
        asio::write(*sockets_.at(connection), asio::buffer(bytes));
    }
    /// Stops listening: once its connections end, the broker leaves its io_context without work.
    void stop_accepting() {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    }
    /// Closes every connection (the listener stays: clients may connect again).
    void close_client() {
        boost::system::error_code ignored;
        for (auto& s : sockets_) s->close(ignored);
    }

private:
    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, s] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            auto socket = std::make_shared<asio::ip::tcp::socket>(std::move(s));
            socket->set_option(asio::ip::tcp::no_delay(true));  // scripted replies go out at once
            sockets_.push_back(socket);
            client_connected = true;
            ++accepted;
            asio::co_spawn(acceptor_.get_executor(), serve(socket, sockets_.size() - 1), asio::detached);
        }
    }

    asio::awaitable<void> serve(std::shared_ptr<asio::ip::tcp::socket> socket, std::size_t index) {
        for (;;) {
            std::uint8_t len[4];
            auto [e1, n1] = co_await asio::async_read(*socket, asio::buffer(len), asio::as_tuple(asio::use_awaitable));
            if (e1) break;
            protocol::reader lr(protocol::bytes_view(len, 4));
            protocol::byte_buffer frame(static_cast<std::size_t>(lr.read_int32()));
            auto [e2, n2] = co_await asio::async_read(*socket, asio::buffer(frame), asio::as_tuple(asio::use_awaitable));
            if (e2) break;
            received.push_back(parse(frame));
            received.back().connection = index;
            on_request(received.back());
        }
        client_gone = true;
        ++gone;
    }

    static request parse(const protocol::byte_buffer& frame) {
        protocol::reader r(frame);
        protocol::request_header h;
        request q;
        q.header_error = protocol::decode_request_header(r, h);
        q.api_key = h.api_key;
        q.api_version = h.api_version;
        q.correlation_id = h.correlation_id;
        q.header_version = protocol::request_header_version(h.api_key, h.api_version);
        q.client_id = h.client_id;
        auto rest = r.rest();
        q.body.assign(rest.begin(), rest.end());
        return q;
    }

    asio::ip::tcp::acceptor acceptor_;
    std::vector<std::shared_ptr<asio::ip::tcp::socket>> sockets_;
};

}  // namespace kasio::test

// A TLS terminator in front of a plaintext broker (the mock cluster), for TLS tests.
//
// It listens on 127.0.0.1 (ephemeral port), runs on the test's io_context, does the server
// side of the TLS handshake with the certificate it is given, then copies bytes both ways
// between the client and the target broker. Point the mock's advertised listener at it
// (mock_cluster::set_advertised_listener) so Metadata sends clients back through the proxy.
#pragma once

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <string>
#include <vector>

namespace kasio::test {

namespace asio = boost::asio;

class tls_proxy {
public:
    /// Serves `certificate`/`key` (PEM files); forwards to target_host:target_port. With
    /// client_ca set, clients must present a certificate signed by it.
    tls_proxy(asio::io_context& io, const std::string& certificate, const std::string& key,
              std::string target_host, std::string target_port, const std::string& client_ca = {})
        : ctx_(asio::ssl::context::tls_server),
          acceptor_(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          target_host_(std::move(target_host)),
          target_port_(std::move(target_port)) {
        ctx_.use_certificate_chain_file(certificate);
        ctx_.use_private_key_file(key, asio::ssl::context::pem);
        if (!client_ca.empty()) {
            ctx_.load_verify_file(client_ca);
            ctx_.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
        }
        asio::co_spawn(io, accept_loop(), asio::detached);
    }
    ~tls_proxy() { stop(); }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

    std::size_t handshakes_ok = 0;
    std::size_t handshakes_failed = 0;
    std::size_t bytes_forwarded = 0;  ///< client -> broker, after decryption

    void stop() {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        for (auto& s : streams_) s->lowest_layer().close(ignored);
        for (auto& s : upstreams_) s->close(ignored);
    }

private:
    using stream = asio::ssl::stream<asio::ip::tcp::socket>;

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, s] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            auto tls = std::make_shared<stream>(std::move(s), ctx_);
            streams_.push_back(tls);
            asio::co_spawn(acceptor_.get_executor(), serve(tls), asio::detached);
        }
    }

    asio::awaitable<void> serve(std::shared_ptr<stream> tls) {
        auto [hec] = co_await tls->async_handshake(asio::ssl::stream_base::server,
                                                   asio::as_tuple(asio::use_awaitable));
        if (hec) {
            ++handshakes_failed;
            boost::system::error_code ignored;
            tls->lowest_layer().close(ignored);
            co_return;
        }
        ++handshakes_ok;
        auto up = std::make_shared<asio::ip::tcp::socket>(acceptor_.get_executor());
        upstreams_.push_back(up);
        asio::ip::tcp::resolver resolver(acceptor_.get_executor());
        auto [rec, eps] = co_await resolver.async_resolve(target_host_, target_port_,
                                                          asio::as_tuple(asio::use_awaitable));
        if (rec) co_return;
        auto [cec, ep] =
            co_await asio::async_connect(*up, eps, asio::as_tuple(asio::use_awaitable));
        if (cec) co_return;
        asio::co_spawn(acceptor_.get_executor(), to_broker(tls, up), asio::detached);
        asio::co_spawn(acceptor_.get_executor(), to_client(tls, up), asio::detached);
    }

    asio::awaitable<void> to_broker(std::shared_ptr<stream> tls,
                                    std::shared_ptr<asio::ip::tcp::socket> up) {
        std::array<char, 16384> buf;
        for (;;) {
            auto [ec, n] = co_await tls->async_read_some(asio::buffer(buf),
                                                         asio::as_tuple(asio::use_awaitable));
            if (ec) break;
            bytes_forwarded += n;
            auto [wec, wn] = co_await asio::async_write(*up, asio::buffer(buf.data(), n),
                                                        asio::as_tuple(asio::use_awaitable));
            if (wec) break;
        }
        boost::system::error_code ignored;
        up->close(ignored);
        tls->lowest_layer().close(ignored);
    }

    static asio::awaitable<void> to_client(std::shared_ptr<stream> tls,
                                           std::shared_ptr<asio::ip::tcp::socket> up) {
        std::array<char, 16384> buf;
        for (;;) {
            auto [ec, n] = co_await up->async_read_some(asio::buffer(buf),
                                                        asio::as_tuple(asio::use_awaitable));
            if (ec) break;
            auto [wec, wn] = co_await asio::async_write(*tls, asio::buffer(buf.data(), n),
                                                        asio::as_tuple(asio::use_awaitable));
            if (wec) break;
        }
        boost::system::error_code ignored;
        up->close(ignored);
        tls->lowest_layer().close(ignored);
    }

    asio::ssl::context ctx_;
    asio::ip::tcp::acceptor acceptor_;
    std::string target_host_, target_port_;
    std::vector<std::shared_ptr<stream>> streams_;
    std::vector<std::shared_ptr<asio::ip::tcp::socket>> upstreams_;
};

}  // namespace kasio::test

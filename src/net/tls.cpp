// TLS context and stream set-up for broker connections.
#include "net/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

namespace kasio::net {
namespace {

// The oldest queued OpenSSL error as text, and the queue cleared.
std::string openssl_reason() {
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "unknown OpenSSL error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

}  // namespace

error_code make_tls_context(const connection_config& cfg, std::unique_ptr<asio::ssl::context>& out,
                            std::string& why) {
    ERR_clear_error();
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    const error_code invalid = client_errc::invalid_config;
    // TLS 1.2 is the oldest version Kafka brokers still enable by default (KIP-553).
    if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
        why = "cannot require TLS 1.2: " + openssl_reason();
        return invalid;
    }
    error_code ec;
    if (cfg.ssl_ca_location.empty())
        ctx->set_default_verify_paths(ec);
    else
        ctx->load_verify_file(cfg.ssl_ca_location, ec);
    if (ec) {
        why = "ssl.ca.location '" + cfg.ssl_ca_location + "': " + ec.message();
        return invalid;
    }
    ctx->set_verify_mode(asio::ssl::verify_peer, ec);
    if (cfg.ssl_certificate_location.empty() != cfg.ssl_key_location.empty()) {
        why = "ssl.certificate.location and ssl.key.location go together";
        return invalid;
    }
    if (!cfg.ssl_certificate_location.empty()) {
        // Always set: without a callback OpenSSL would prompt on the terminal for an
        // encrypted key.
        ctx->set_password_callback(
            [pw = cfg.ssl_key_password](std::size_t, asio::ssl::context::password_purpose) {
                return pw;
            },
            ec);
        ctx->use_certificate_chain_file(cfg.ssl_certificate_location, ec);
        if (ec) {
            why =
                "ssl.certificate.location '" + cfg.ssl_certificate_location + "': " + ec.message();
            return invalid;
        }
        ctx->use_private_key_file(cfg.ssl_key_location, asio::ssl::context::pem, ec);
        if (ec) {
            // OpenSSL's text says "bad decrypt" for a wrong password; the password itself never
            // appears.
            why = "ssl.key.location '" + cfg.ssl_key_location + "': " + ec.message();
            return invalid;
        }
    }
    out = std::move(ctx);
    return {};
}

error_code prepare_tls_stream(tls_stream& stream, const std::string& host, bool verify_hostname) {
    SSL* ssl = stream.native_handle();
    error_code bad;
    (void)asio::ip::make_address(host, bad);
    const bool is_ip = !bad;
    // SNI carries DNS names only (RFC 6066, section 3).
    if (!is_ip && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1)
        return client_errc::tls_handshake_failed;
    if (verify_hostname) {
        // Checked by OpenSSL while it verifies the chain: a mismatch fails the handshake with
        // X509_V_ERR_HOSTNAME_MISMATCH / X509_V_ERR_IP_ADDRESS_MISMATCH, which says why.
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        if (is_ip) {
            if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1)
                return client_errc::tls_handshake_failed;
        } else {
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            if (SSL_set1_host(ssl, host.c_str()) != 1) return client_errc::tls_handshake_failed;
        }
    }
    return {};
}

error_code tls_handshake_error(tls_stream& stream, const error_code& ec, std::string& why) {
    const long verify = SSL_get_verify_result(stream.native_handle());
    ERR_clear_error();
    if (verify != X509_V_OK) {
        why = std::string("broker certificate refused: ") + X509_verify_cert_error_string(verify);
        return client_errc::certificate_verify_failed;
    }
    why = "TLS handshake failed: " + ec.message();
    return client_errc::tls_handshake_failed;
}

std::string tls_session_info(tls_stream& stream) {
    SSL* ssl = stream.native_handle();
    return std::string(SSL_get_version(ssl)) + " " +
           SSL_CIPHER_get_name(SSL_get_current_cipher(ssl));
}

}  // namespace kasio::net

#pragma once
// TLS for broker connections (security.protocol=ssl), on Asio's OpenSSL layer.
//
// Only connection.cpp includes this: the stream type stays out of connection.hpp, so code that
// uses connections never sees OpenSSL's headers.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <kasio/config.hpp>
#include <kasio/error.hpp>
#include <memory>
#include <string>

namespace kasio::net {

namespace asio = boost::asio;

using tls_stream = asio::ssl::stream<asio::ip::tcp::socket>;

/// A client TLS context from the configuration: TLS 1.2 at least, the broker's chain checked
/// against ssl.ca.location (or the system store), the client certificate and key when set.
/// On failure returns client_errc::invalid_config and says why in `why` (file names and
/// OpenSSL's reason; never the key password).
error_code make_tls_context(const connection_config& cfg, std::unique_ptr<asio::ssl::context>& out,
                            std::string& why);

/// Prepares a stream for its handshake with `host`: SNI for a DNS name, and unless
/// ssl.endpoint.identification.algorithm=none, the name (or IP address) the certificate must
/// carry, checked by OpenSSL during the handshake.
error_code prepare_tls_stream(tls_stream& stream, const std::string& host, bool verify_hostname);

/// Maps a failed handshake to certificate_verify_failed (with OpenSSL's verify reason, such as
/// "certificate has expired" or "hostname mismatch") or tls_handshake_failed.
error_code tls_handshake_error(tls_stream& stream, const error_code& ec, std::string& why);

/// "TLSv1.3 TLS_AES_256_GCM_SHA384": the negotiated protocol and cipher, for the log.
std::string tls_session_info(tls_stream& stream);

}  // namespace kasio::net

#pragma once
// Sans-io SASL client exchanges: PLAIN (RFC 4616) and SCRAM (RFC 5802, SHA-256/512 per RFC 7677
// and KIP-84). They build the tokens the connection carries in SaslAuthenticate requests and
// check the broker's answers; no I/O, no clock.
//
// Credentials live only in these objects and in the connection_config; nothing here puts them
// in an error or a log line.
#include <chrono>
#include <cstdint>
#include <kasio/config.hpp>
#include <kasio/error.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kasio::net {

/// The PLAIN token: authzid (empty), NUL, username, NUL, password.
std::string sasl_plain_token(std::string_view username, std::string_view password);

enum class scram_hash : std::uint8_t {
    sha1,    ///< RFC 5802's own test vector only; Kafka does not offer SCRAM-SHA-1
    sha256,  ///< SCRAM-SHA-256
    sha512,  ///< SCRAM-SHA-512
};

/// SaltedPassword := Hi(password, salt, iterations) (RFC 5802): PBKDF2 with HMAC of `hash`;
/// what a SCRAM exchange proves and what AlterUserScramCredentials sends. Empty on failure.
std::vector<std::uint8_t> scram_salted_password(scram_hash hash, std::string_view password,
                                                const std::vector<std::uint8_t>& salt, int iterations);

/// n bytes from OpenSSL's random generator (salts); empty on failure.
std::vector<std::uint8_t> random_bytes(std::size_t n);

/// One SCRAM authentication, client side:
///   client_first() -> broker -> on_server_first() gives client_final -> broker ->
///   on_server_final() checks that the broker knew the password too.
/// Usernames are escaped (',' and '='). The strings are used as given: sasl_exchange passes
/// them through SASLprep first.
class scram_client {
public:
    /// nonce: printable, no ','; empty makes a random one (24 bytes of RAND_bytes, base64).
    scram_client(scram_hash hash, std::string username, std::string password,
                 std::string nonce = {});

    /// "n,,n=<user>,r=<nonce>": no channel binding, no authzid.
    std::string client_first() const;

    /// Checks the server-first message (its nonce must extend ours; at least min_iterations
    /// iterations, as the Java client demands 4096) and computes the client-final message.
    /// Errors: broker_errc::sasl_authentication_failed for a server error (e=...) or a
    /// malformed or unacceptable message.
    error_code on_server_first(std::string_view server_first, std::string& client_final);

    /// Checks the server's signature (v=...). Errors as above.
    error_code on_server_final(std::string_view server_final) const;

    /// Fewer iterations than this are refused (a broker could otherwise ask for a cheap hash).
    int min_iterations = 4096;

private:
    std::vector<std::uint8_t> hmac(const std::vector<std::uint8_t>& key,
                                   std::string_view data) const;
    std::vector<std::uint8_t> digest(const std::vector<std::uint8_t>& data) const;

    scram_hash hash_;
    std::string username_, password_, nonce_;
    std::string client_first_bare_;
    std::vector<std::uint8_t> server_signature_;
};

/// One SASL authentication as the connection carries it in SaslAuthenticate requests (KIP-152):
/// start() gives the first token, then on_response() takes each answer and gives the next
/// token until it sets done. Credentials are used as given (raw UTF-8, as Kafka does).
/// `why` receives a reason for the log; it never holds a credential.
class sasl_exchange {
public:
    sasl_exchange(sasl_mechanism mechanism, std::string_view username, std::string_view password);

    /// "PLAIN", "SCRAM-SHA-256" or "SCRAM-SHA-512", as SaslHandshake names it.
    std::string_view mechanism() const noexcept;

    /// Errors: client_errc::invalid_config (a SCRAM username or password SASLprep refuses).
    error_code start(std::string& token, std::string& why);

    /// The broker's auth_bytes for the last token. Errors: sasl_authentication_failed.
    error_code on_response(std::string_view server, std::string& token, bool& done, std::string& why);

private:
    sasl_mechanism mechanism_;
    std::string_view username_, password_;  // the connection_config's, which outlives this
    std::optional<scram_client> scram_;
    int round_ = 0;
};

/// KIP-368: when to re-authenticate a session the broker granted for `lifetime`. As the Java
/// client: at 85 % of it plus up to 10 % more (`random` in [0, 1)), which leaves room for
/// latency and clock drift and spreads the re-authentications of many connections.
std::chrono::milliseconds sasl_reauthentication_delay(std::chrono::milliseconds lifetime, double random);
/// The same with a random draw of its own (any thread).
std::chrono::milliseconds sasl_reauthentication_delay(std::chrono::milliseconds lifetime);

/// Base64 (RFC 4648, padded); decode returns false on bad input.
std::string base64_encode(const std::uint8_t* data, std::size_t size);
bool base64_decode(std::string_view text, std::vector<std::uint8_t>& out);

}  // namespace kasio::net

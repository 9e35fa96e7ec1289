// SASL PLAIN and SCRAM client exchanges (RFC 4616, RFC 5802, RFC 7677) on OpenSSL's primitives.
#include "net/scram.hpp"


#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <random>
#include <kasio/broker_errc.hpp>
#include <stdexcept>

namespace kasio::net {
namespace {

const EVP_MD* md_of(scram_hash h) {
    switch (h) {
        case scram_hash::sha1:
            return EVP_sha1();
        case scram_hash::sha256:
            return EVP_sha256();
        case scram_hash::sha512:
            return EVP_sha512();
    }
    return EVP_sha512();
}

// RFC 5802 section 5.1: ',' and '=' in a saslname.
std::string escape_username(std::string_view name) {
    std::string out;
    for (char c : name) {
        if (c == ',')
            out += "=2C";
        else if (c == '=')
            out += "=3D";
        else
            out += c;
    }
    return out;
}

// The value of attribute `key` ("r", "s", ...) in a comma-separated SCRAM message.
bool attribute(std::string_view msg, char key, std::string_view& value) {
    while (!msg.empty()) {
        const auto comma = msg.find(',');
        const std::string_view item = msg.substr(0, comma);
        if (item.size() >= 2 && item[0] == key && item[1] == '=') {
            value = item.substr(2);
            return true;
        }
        if (comma == std::string_view::npos) break;
        msg.remove_prefix(comma + 1);
    }
    return false;
}

const error_code auth_failed = broker_errc::sasl_authentication_failed;

}  // namespace

std::string sasl_plain_token(std::string_view username, std::string_view password) {
    std::string t;
    t.reserve(username.size() + password.size() + 2);
    t += '\0';
    t += username;
    t += '\0';
    t += password;
    return t;
}

std::string base64_encode(const std::uint8_t* data, std::size_t size) {
    std::string out(4 * ((size + 2) / 3), '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

bool base64_decode(std::string_view text, std::vector<std::uint8_t>& out) {
    if (text.size() % 4 != 0) return false;
    out.resize(text.size() / 4 * 3);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) return false;
    // EVP_DecodeBlock counts the padding as zero bytes.
    std::size_t len = static_cast<std::size_t>(n);
    for (std::size_t i = text.size(); i > 0 && text[i - 1] == '=' && len > 0; --i) --len;
    out.resize(len);
    return true;
}

scram_client::scram_client(scram_hash hash, std::string username, std::string password,
                           std::string nonce)
    : hash_(hash),
      username_(std::move(username)),
      password_(std::move(password)),
      nonce_(std::move(nonce)) {
    if (nonce_.empty()) {
        std::uint8_t raw[24];
        if (RAND_bytes(raw, sizeof raw) != 1) throw std::runtime_error("RAND_bytes failed");
        nonce_ = base64_encode(raw, sizeof raw);
    }
    client_first_bare_ = "n=" + escape_username(username_) + ",r=" + nonce_;
}

std::string scram_client::client_first() const { return "n,," + client_first_bare_; }

std::vector<std::uint8_t> scram_client::hmac(const std::vector<std::uint8_t>& key,
                                             std::string_view data) const {
    std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    HMAC(md_of(hash_), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
    out.resize(len);
    return out;
}

std::vector<std::uint8_t> scram_client::digest(const std::vector<std::uint8_t>& data) const {
    std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out.data(), &len, md_of(hash_), nullptr);
    out.resize(len);
    return out;
}

error_code scram_client::on_server_first(std::string_view server_first, std::string& client_final) {
    std::string_view e, r, s, i;
    if (attribute(server_first, 'e', e)) return auth_failed;
    if (!attribute(server_first, 'r', r) || !attribute(server_first, 's', s) ||
        !attribute(server_first, 'i', i))
        return auth_failed;
    // The server's nonce extends ours (RFC 5802 section 5.1).
    if (r.size() <= nonce_.size() || r.substr(0, nonce_.size()) != nonce_) return auth_failed;
    int iterations = 0;
    const auto [p, ec] = std::from_chars(i.data(), i.data() + i.size(), iterations);
    if (ec != std::errc{} || p != i.data() + i.size() || iterations < min_iterations)
        return auth_failed;
    std::vector<std::uint8_t> salt;
    if (!base64_decode(s, salt) || salt.empty()) return auth_failed;

    const std::vector<std::uint8_t> salted = scram_salted_password(hash_, password_, salt, iterations);
    if (salted.empty()) return auth_failed;

    const std::string without_proof = "c=biws,r=" + std::string(r);  // biws = base64("n,,")
    const std::string auth_message =
        client_first_bare_ + "," + std::string(server_first) + "," + without_proof;
    const auto client_key = hmac(salted, "Client Key");
    const auto stored_key = digest(client_key);
    const auto client_signature = hmac(stored_key, auth_message);
    std::vector<std::uint8_t> proof(client_key.size());
    for (std::size_t k = 0; k < proof.size(); ++k) proof[k] = client_key[k] ^ client_signature[k];
    const auto server_key = hmac(salted, "Server Key");
    server_signature_ = hmac(server_key, auth_message);
    client_final = without_proof + ",p=" + base64_encode(proof.data(), proof.size());
    return {};
}

std::vector<std::uint8_t> scram_salted_password(scram_hash hash, std::string_view password,
                                                const std::vector<std::uint8_t>& salt, int iterations) {
    const EVP_MD* md = md_of(hash);
    std::vector<std::uint8_t> salted(static_cast<std::size_t>(EVP_MD_get_size(md)));
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(), static_cast<int>(salt.size()),
                          iterations, md, static_cast<int>(salted.size()), salted.data()) != 1)
        return {};
    return salted;
}

std::vector<std::uint8_t> random_bytes(std::size_t n) {
    std::vector<std::uint8_t> out(n);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) return {};
    return out;
}

error_code scram_client::on_server_final(std::string_view server_final) const {
    std::string_view e, v;
    if (attribute(server_final, 'e', e)) return auth_failed;
    if (!attribute(server_final, 'v', v) || server_signature_.empty()) return auth_failed;
    std::vector<std::uint8_t> got;
    if (!base64_decode(v, got) || got != server_signature_) return auth_failed;
    return {};
}

sasl_exchange::sasl_exchange(sasl_mechanism mechanism, std::string_view username, std::string_view password)
    : mechanism_(mechanism), username_(username), password_(password) {}

std::string_view sasl_exchange::mechanism() const noexcept {
    switch (mechanism_) {
        case sasl_mechanism::plain:
            return "PLAIN";
        case sasl_mechanism::scram_sha_256:
            return "SCRAM-SHA-256";
        case sasl_mechanism::scram_sha_512:
            return "SCRAM-SHA-512";
    }
    return "PLAIN";
}

error_code sasl_exchange::start(std::string& token, std::string& why) {
    round_ = 0;
    scram_.reset();
    if (mechanism_ == sasl_mechanism::plain) {
        token = sasl_plain_token(username_, password_);
        return {};
    }
    // RFC 5802 asks for SASLprep; Kafka does not apply it (the Java client's and the broker's
    // ScramFormatter hash the raw UTF-8, librdkafka too), so credentials go as given: mapping
    // them would break logins that work with every other Kafka client.
    if (username_.empty()) {  // RFC 5802 section 5.1: abort rather than send an empty name
        why = "sasl.username is empty";
        return client_errc::invalid_config;
    }
    scram_.emplace(mechanism_ == sasl_mechanism::scram_sha_256 ? scram_hash::sha256 : scram_hash::sha512,
                   std::string(username_), std::string(password_));
    token = scram_->client_first();
    return {};
}

error_code sasl_exchange::on_response(std::string_view server, std::string& token, bool& done, std::string& why) {
    done = false;
    const int round = round_++;
    if (!scram_) {
        done = true;  // PLAIN: the broker's empty answer is the success
        return {};
    }
    if (round == 0) {
        if (auto ec = scram_->on_server_first(server, token)) {
            why = "unacceptable server-first message";
            return ec;
        }
        return {};
    }
    if (auto ec = scram_->on_server_final(server)) {
        why = "the broker's signature does not verify";
        return ec;
    }
    done = true;
    return {};
}

std::chrono::milliseconds sasl_reauthentication_delay(std::chrono::milliseconds lifetime, double random) {
    const double share = 0.85 + 0.10 * std::clamp(random, 0.0, 1.0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(lifetime.count()) * share));
}

std::chrono::milliseconds sasl_reauthentication_delay(std::chrono::milliseconds lifetime) {
    thread_local std::minstd_rand engine{std::random_device{}()};
    return sasl_reauthentication_delay(lifetime, std::uniform_real_distribution<double>(0.0, 1.0)(engine));
}

}  // namespace kasio::net

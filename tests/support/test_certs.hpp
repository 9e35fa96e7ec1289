// Certificates made at test run time with OpenSSL's API: a CA, server certificates signed by it
// (good, expired, for another host), and a server certificate from a CA the client does not
// know; written as PEM files into a fresh temporary directory, removed on destruction.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace kasio::test {

struct pem_pair {
    std::string certificate;  ///< path of the PEM certificate
    std::string key;          ///< path of the PEM private key
};

class test_certs {
public:
    /// Makes everything below (EC P-256 keys; a second or so at most). Throws
    /// std::runtime_error when OpenSSL fails.
    test_certs();
    ~test_certs();
    test_certs(const test_certs&) = delete;
    test_certs& operator=(const test_certs&) = delete;

    std::string ca;       ///< the CA clients trust (ssl.ca.location)
    pem_pair good;        ///< signed by ca, for localhost and 127.0.0.1, valid now
    pem_pair expired;     ///< signed by ca, for localhost and 127.0.0.1, expired yesterday
    pem_pair wrong_host;  ///< signed by ca, for wrong.example.com and 10.255.255.1 only
    pem_pair unknown_ca;  ///< for localhost and 127.0.0.1, signed by a CA nobody trusts
    pem_pair client;      ///< a client certificate signed by ca; key encrypted
    std::string client_key_password = "s3cret-Pa55word";

private:
    std::filesystem::path dir_;
};

}  // namespace kasio::test

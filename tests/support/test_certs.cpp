// Test certificates with OpenSSL's API (see test_certs.hpp).
#include "test_certs.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace kasio::test {
namespace {

struct key_free {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct x509_free {
    void operator()(X509* x) const { X509_free(x); }
};
struct bio_free {
    void operator()(BIO* b) const { BIO_free(b); }
};
using key_ptr = std::unique_ptr<EVP_PKEY, key_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("test_certs: ") + what + " failed");
}

key_ptr new_key() {
    key_ptr k(EVP_EC_gen("P-256"));
    check(k != nullptr, "EVP_EC_gen");
    return k;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    check(ext != nullptr, "X509V3_EXT_conf_nid");
    check(X509_add_ext(cert, ext, -1) == 1, "X509_add_ext");
    X509_EXTENSION_free(ext);
}

struct cert_spec {
    const char* common_name;
    bool is_ca = false;
    long not_before_s = -3600;  // relative to now
    long not_after_s = 86400;
    const char* san = nullptr;  // "DNS:localhost,IP:127.0.0.1"
    long serial = 1;
};

// Self-signed when issuer is null.
x509_ptr make_cert(EVP_PKEY* key, const cert_spec& s, X509* issuer, EVP_PKEY* issuer_key) {
    x509_ptr x(X509_new());
    check(x != nullptr, "X509_new");
    check(X509_set_version(x.get(), 2) == 1, "X509_set_version");
    check(ASN1_INTEGER_set(X509_get_serialNumber(x.get()), s.serial) == 1, "serial");
    check(X509_gmtime_adj(X509_getm_notBefore(x.get()), s.not_before_s) != nullptr, "notBefore");
    check(X509_gmtime_adj(X509_getm_notAfter(x.get()), s.not_after_s) != nullptr, "notAfter");
    check(X509_set_pubkey(x.get(), key) == 1, "X509_set_pubkey");
    X509_NAME* name = X509_get_subject_name(x.get());
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(s.common_name), -1, -1,
                                     0) == 1,
          "CN");
    check(X509_set_issuer_name(x.get(), issuer ? X509_get_subject_name(issuer) : name) == 1,
          "issuer");
    X509* signer = issuer ? issuer : x.get();
    if (s.is_ca) {
        add_ext(x.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(x.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_ext(x.get(), signer, NID_basic_constraints, "CA:FALSE");
        add_ext(x.get(), signer, NID_key_usage, "critical,digitalSignature");
        add_ext(x.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth");
    }
    add_ext(x.get(), signer, NID_subject_key_identifier, "hash");
    if (s.san) add_ext(x.get(), signer, NID_subject_alt_name, s.san);
    check(X509_sign(x.get(), issuer_key ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
    return x;
}

void write_cert(const std::string& path, X509* x) {
    std::unique_ptr<BIO, bio_free> b(BIO_new_file(path.c_str(), "w"));
    check(b != nullptr, "BIO_new_file");
    check(PEM_write_bio_X509(b.get(), x) == 1, "PEM_write_bio_X509");
}

void write_key(const std::string& path, EVP_PKEY* k, const std::string& password = {}) {
    std::unique_ptr<BIO, bio_free> b(BIO_new_file(path.c_str(), "w"));
    check(b != nullptr, "BIO_new_file");
    const EVP_CIPHER* cipher = password.empty() ? nullptr : EVP_aes_256_cbc();
    auto* pw = password.empty()
                   ? nullptr
                   : reinterpret_cast<unsigned char*>(const_cast<char*>(password.data()));
    check(PEM_write_bio_PrivateKey(b.get(), k, cipher, pw, static_cast<int>(password.size()),
                                   nullptr, nullptr) == 1,
          "PEM_write_bio_PrivateKey");
}

}  // namespace

test_certs::test_certs() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kasio-tls-XXXXXX").string();
    check(::mkdtemp(tmpl.data()) != nullptr, "mkdtemp");
    dir_ = tmpl;
    auto file = [&](const char* name) { return (dir_ / name).string(); };

    const auto ca_key = new_key();
    const auto ca_cert =
        make_cert(ca_key.get(), {.common_name = "kasio test CA", .is_ca = true}, nullptr, nullptr);
    ca = file("ca.pem");
    write_cert(ca, ca_cert.get());

    constexpr const char* here = "DNS:localhost,IP:127.0.0.1";
    auto leaf = [&](pem_pair& out, const char* stem, const cert_spec& spec, X509* issuer,
                    EVP_PKEY* issuer_key, const std::string& password = {}) {
        const auto k = new_key();
        const auto c = make_cert(k.get(), spec, issuer, issuer_key);
        out.certificate = file((std::string(stem) + ".pem").c_str());
        out.key = file((std::string(stem) + ".key").c_str());
        write_cert(out.certificate, c.get());
        write_key(out.key, k.get(), password);
    };
    leaf(good, "good", {.common_name = "localhost", .san = here, .serial = 2}, ca_cert.get(),
         ca_key.get());
    leaf(expired, "expired",
         {.common_name = "localhost",
          .not_before_s = -2 * 86400,
          .not_after_s = -86400,
          .san = here,
          .serial = 3},
         ca_cert.get(), ca_key.get());
    leaf(wrong_host, "wrong-host",
         {.common_name = "wrong.example.com",
          .san = "DNS:wrong.example.com,IP:10.255.255.1",
          .serial = 4},
         ca_cert.get(), ca_key.get());
    leaf(client, "client", {.common_name = "kasio test client", .serial = 5}, ca_cert.get(),
         ca_key.get(), client_key_password);

    const auto other_key = new_key();
    const auto other_ca =
        make_cert(other_key.get(), {.common_name = "some other CA", .is_ca = true, .serial = 6},
                  nullptr, nullptr);
    leaf(unknown_ca, "unknown-ca", {.common_name = "localhost", .san = here, .serial = 7},
         other_ca.get(), other_key.get());
}

test_certs::~test_certs() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

}  // namespace kasio::test

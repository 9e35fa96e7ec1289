// SASL PLAIN and SCRAM client exchanges against the RFC test vectors.
#include "net/scram.hpp"

#include <gtest/gtest.h>

#include <kasio/broker_errc.hpp>
#include <string>

namespace kasio::net {
namespace {

// RFC 5802 section 5: SCRAM-SHA-1, user "user", password "pencil".
TEST(scram, rfc_5802_sha1_vector) {
    scram_client c(scram_hash::sha1, "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");
    EXPECT_EQ(c.client_first(), "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
    std::string client_final;
    ASSERT_FALSE(c.on_server_first(
        "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096", client_final));
    EXPECT_EQ(client_final,
              "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
    EXPECT_FALSE(c.on_server_final("v=rmF9pqV8S7suAoZWja4dJRkFsKQ="));
}

// RFC 7677 section 3: SCRAM-SHA-256, user "user", password "pencil".
TEST(scram, rfc_7677_sha256_vector) {
    scram_client c(scram_hash::sha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
    EXPECT_EQ(c.client_first(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    std::string client_final;
    ASSERT_FALSE(c.on_server_first(
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        client_final));
    EXPECT_EQ(client_final,
              "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
              "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    EXPECT_FALSE(c.on_server_final("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
}

TEST(scram, wrong_server_signature_is_refused) {
    scram_client c(scram_hash::sha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
    std::string client_final;
    ASSERT_FALSE(c.on_server_first(
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        client_final));
    EXPECT_EQ(c.on_server_final("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
              broker_errc::sasl_authentication_failed);
    EXPECT_EQ(c.on_server_final("e=invalid-proof"), broker_errc::sasl_authentication_failed);
}

TEST(scram, server_first_that_does_not_extend_our_nonce_or_is_cheap_is_refused) {
    std::string out;
    scram_client c(scram_hash::sha512, "user", "pencil", "abc");
    EXPECT_EQ(c.on_server_first("r=xyz123,s=QSXCR+Q6sek8bf92,i=4096", out),
              broker_errc::sasl_authentication_failed);
    EXPECT_EQ(c.on_server_first("r=abc,s=QSXCR+Q6sek8bf92,i=4096", out),
              broker_errc::sasl_authentication_failed);
    EXPECT_EQ(c.on_server_first("r=abc123,s=QSXCR+Q6sek8bf92,i=1", out),
              broker_errc::sasl_authentication_failed);
    EXPECT_EQ(c.on_server_first("r=abc123,s=!!!!,i=4096", out),
              broker_errc::sasl_authentication_failed);
    EXPECT_EQ(c.on_server_first("e=unknown-user", out), broker_errc::sasl_authentication_failed);
    EXPECT_EQ(c.on_server_first("r=abc123,i=4096", out), broker_errc::sasl_authentication_failed);
    EXPECT_TRUE(out.empty());
    // Without a server-first, no signature to check against.
    EXPECT_EQ(c.on_server_final("v=rmF9pqV8S7suAoZWja4dJRkFsKQ="),
              broker_errc::sasl_authentication_failed);
}

TEST(scram, sha512_exchange_has_64_byte_proof_and_random_nonce) {
    scram_client a(scram_hash::sha512, "user", "pencil");
    scram_client b(scram_hash::sha512, "user", "pencil");
    EXPECT_NE(a.client_first(), b.client_first());
    const std::string first = a.client_first();
    const std::string nonce = first.substr(first.find(",r=") + 3);
    std::string out;
    ASSERT_FALSE(a.on_server_first("r=" + nonce + "srv,s=QSXCR+Q6sek8bf92,i=4096", out));
    std::vector<std::uint8_t> proof;
    ASSERT_TRUE(base64_decode(out.substr(out.find(",p=") + 3), proof));
    EXPECT_EQ(proof.size(), 64u);
}

TEST(scram, username_commas_and_equals_are_escaped) {
    scram_client c(scram_hash::sha256, "a,b=c", "pw", "n0nce");
    EXPECT_EQ(c.client_first(), "n,,n=a=2Cb=3Dc,r=n0nce");
}

TEST(sasl_plain, token_is_nul_user_nul_password) {
    EXPECT_EQ(sasl_plain_token("alice", "secret"), std::string("\0alice\0secret", 13));
}

TEST(base64, round_trips_with_padding) {
    for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
        const auto enc = base64_encode(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
        std::vector<std::uint8_t> dec;
        ASSERT_TRUE(base64_decode(enc, dec)) << s;
        EXPECT_EQ(std::string(dec.begin(), dec.end()), s);
    }
    EXPECT_EQ(base64_encode(reinterpret_cast<const std::uint8_t*>("foobar"), 6), "Zm9vYmFy");
    std::vector<std::uint8_t> dec;
    EXPECT_FALSE(base64_decode("abc", dec));
}

}  // namespace
}  // namespace kasio::net

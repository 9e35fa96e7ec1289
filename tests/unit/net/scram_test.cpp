// SASL PLAIN and SCRAM client exchanges against the RFC test vectors.
#include "net/scram.hpp"

#include <gtest/gtest.h>

#include <kasio/broker_errc.hpp>
#include <string>
#include <utility>

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


TEST(sasl_exchange, scram_uses_credentials_as_raw_utf8_as_kafka_does) {
    // No SASLprep: a no-break space stays one, as in the Java client's ScramFormatter.
    sasl_exchange x(sasl_mechanism::scram_sha_256, "al\u00A0ice", "pass\u00A0word");
    std::string token, why;
    ASSERT_FALSE(x.start(token, why)) << why;
    const auto r = token.find(",r=");
    EXPECT_EQ(token.substr(0, r), "n,,n=al\u00A0ice");
    const std::string nonce = token.substr(r + 3);
    const std::string server_first = "r=" + nonce + "srv,s=QSXCR+Q6sek8bf92,i=4096";
    bool done = true;
    ASSERT_FALSE(x.on_response(server_first, token, done, why));
    EXPECT_FALSE(done);

    scram_client raw(scram_hash::sha256, "al\u00A0ice", "pass\u00A0word", nonce);
    std::string expected;
    ASSERT_FALSE(raw.on_server_first(server_first, expected));
    EXPECT_EQ(token, expected);
}

TEST(sasl_exchange, an_empty_username_is_invalid_config_without_the_secret) {
    sasl_exchange empty(sasl_mechanism::scram_sha_256, "", "secret");
    std::string token, why;
    EXPECT_EQ(empty.start(token, why), client_errc::invalid_config);
    EXPECT_NE(why.find("sasl.username"), std::string::npos) << why;
    EXPECT_EQ(why.find("secret"), std::string::npos) << why;
}

TEST(sasl_exchange, plain_sends_credentials_as_given_and_is_done_after_one_answer) {
    sasl_exchange x(sasl_mechanism::plain, "alice", "pass\u00A0word");
    std::string token, why;
    ASSERT_FALSE(x.start(token, why));
    EXPECT_EQ(token, sasl_plain_token("alice", "pass\u00A0word"));
    bool done = false;
    EXPECT_FALSE(x.on_response("", token, done, why));
    EXPECT_TRUE(done);
}

TEST(sasl_reauthentication, falls_between_85_and_95_percent_of_the_session_lifetime) {
    using std::chrono::milliseconds;
    EXPECT_EQ(sasl_reauthentication_delay(milliseconds(10000), 0.0), milliseconds(8500));
    EXPECT_EQ(sasl_reauthentication_delay(milliseconds(10000), 0.25), milliseconds(8750));
    const auto latest = sasl_reauthentication_delay(milliseconds(10000), 0.9999);
    EXPECT_GE(latest, milliseconds(9490));
    EXPECT_LE(latest, milliseconds(9500));
}

}  // namespace
}  // namespace kasio::net

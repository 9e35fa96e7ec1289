// SASL on the broker connection (security.protocol=sasl_plaintext) against the fake broker,
// which plays a Kafka broker's side of PLAIN and SCRAM (its SCRAM verifier is written here on
// OpenSSL, independently of src/net/scram.cpp). Credentials never reach the log or errors.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/asio/io_context.hpp>
#include <kasio/broker_errc.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fake_broker.hpp"
#include "net/broker_pool.hpp"
#include "net/connection.hpp"
#include "net/scram.hpp"

namespace kasio::net {
namespace {

using protocol::msg::metadata_request;
using protocol::msg::metadata_response;
using protocol::msg::sasl_authenticate_request;
using protocol::msg::sasl_authenticate_response;
using protocol::msg::sasl_handshake_request;
using protocol::msg::sasl_handshake_response;
using test::fake_broker;
using test::run_until;
using bytes = std::vector<std::uint8_t>;

constexpr std::string_view user = "alice";
constexpr std::string_view password = "Tr0ub4dor&3-secret";
constexpr std::string_view salt_b64 = "QSXCR+Q6sek8bf92";

bytes hmac(const EVP_MD* md, const bytes& key, std::string_view data) {
    bytes out(EVP_MAX_MD_SIZE);
    unsigned int n = 0;
    HMAC(md, key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &n);
    out.resize(n);
    return out;
}

bytes hash(const EVP_MD* md, const bytes& data) {
    bytes out(EVP_MAX_MD_SIZE);
    unsigned int n = 0;
    EVP_Digest(data.data(), data.size(), out.data(), &n, md, nullptr);
    out.resize(n);
    return out;
}

// The broker's side of one SCRAM exchange (RFC 5802 section 3), holding what a broker stores:
// StoredKey and ServerKey, derived here from the password it was set up with.
struct scram_server {
    const EVP_MD* md;
    std::string_view mechanism;
    bytes stored_key, server_key;
    std::string client_first_bare, server_first;

    scram_server(const EVP_MD* m, std::string_view mech, std::string_view pw)
        : md(m), mechanism(mech) {
        bytes salt;
        EXPECT_TRUE(base64_decode(salt_b64, salt));
        bytes salted(static_cast<std::size_t>(EVP_MD_get_size(md)));
        PKCS5_PBKDF2_HMAC(pw.data(), static_cast<int>(pw.size()), salt.data(),
                          static_cast<int>(salt.size()), 4096, md, static_cast<int>(salted.size()),
                          salted.data());
        stored_key = hash(md, hmac(md, salted, "Client Key"));
        server_key = hmac(md, salted, "Server Key");
    }

    // Returns the answer, or nullopt when the proof is wrong.
    std::optional<std::string> on_client(std::string_view msg) {
        if (client_first_bare.empty()) {
            client_first_bare = std::string(msg.substr(3));  // after "n,,"
            const auto r = client_first_bare.find(",r=");
            server_first = "r=" + client_first_bare.substr(r + 3) +
                           "s3rv3r,s=" + std::string(salt_b64) + ",i=4096";
            return server_first;
        }
        const auto p = msg.find(",p=");
        const std::string without_proof(msg.substr(0, p));
        bytes proof;
        EXPECT_TRUE(base64_decode(msg.substr(p + 3), proof));
        const std::string auth = client_first_bare + "," + server_first + "," + without_proof;
        const bytes signature = hmac(md, stored_key, auth);
        if (proof.size() != signature.size()) return std::nullopt;
        bytes client_key(proof.size());
        for (std::size_t i = 0; i < proof.size(); ++i) client_key[i] = proof[i] ^ signature[i];
        if (hash(md, client_key) != stored_key) return std::nullopt;
        const bytes v = hmac(md, server_key, auth);
        return "v=" + base64_encode(v.data(), v.size());
    }
};

class connection_sasl : public ::testing::Test {
protected:
    void SetUp() override {
        broker.advertised = {{0, 3, 9}, {3, 0, 12}, {17, 0, 1}, {18, 0, 3}, {36, 0, 2}};
        broker.on_request = [this](const fake_broker::request& r) { serve(r); };
        ASSERT_FALSE(cfg.set("security.protocol", "SASL_PLAINTEXT"));
        ASSERT_FALSE(cfg.set("sasl.username", std::string(user)));
        ASSERT_FALSE(cfg.set("sasl.password", std::string(password)));
        ASSERT_FALSE(cfg.set("debug", "all"));
        cfg.log.sink = [this](log_level, std::string_view line) { log.emplace_back(line); };
    }

    // A broker that knows `user` with `password` (or broker_password when set). It grants the
    // first session lifetime_ms (KIP-368; 0: unlimited) and later ones no limit.
    void serve(const fake_broker::request& r) {
        switch (r.api_key) {
            case 18:
                return broker.answer_api_versions(r);
            case 17:
                ++handshakes;
                if (hold_reauthentication && handshakes == 2) {
                    held_handshake = r;
                    return;
                }
                return answer_handshake(r);
            case 36:
                return answer_authenticate(r);
            default:
                if (!authenticated) {
                    unauthenticated_requests++;
                    return;
                }
                if (defer_requests) {
                    deferred.push_back(r);
                    return;
                }
                return answer_metadata(r);
        }
    }

    void answer_handshake(const fake_broker::request& r) {
        protocol::reader body(r.body);
        sasl_handshake_request hr;
        ASSERT_FALSE(decode(body, hr, r.api_version));
        mechanism = hr.mechanism;
        sasl_handshake_response hs;
        hs.mechanisms = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};
        server.reset();
        if (hr.mechanism == "SCRAM-SHA-256")
            server.emplace(EVP_sha256(), hr.mechanism, broker_password);
        else if (hr.mechanism == "SCRAM-SHA-512")
            server.emplace(EVP_sha512(), hr.mechanism, broker_password);
        else if (hr.mechanism != "PLAIN")
            hs.error_code = 33;  // UNSUPPORTED_SASL_MECHANISM
        broker.reply(r, hs, r.api_version);
    }

    void answer_authenticate(const fake_broker::request& r) {
        ++authenticate_rounds;
        protocol::reader body(r.body);
        sasl_authenticate_request ar;
        ASSERT_FALSE(decode(body, ar, r.api_version));
        const std::string token(ar.auth_bytes.begin(), ar.auth_bytes.end());
        sasl_authenticate_response as;
        std::optional<std::string> answer;
        if (server)
            answer = server->on_client(token);
        else if (token == sasl_plain_token(user, broker_password))
            answer = "";
        if (answer) {
            as.auth_bytes.assign(answer->begin(), answer->end());
            authenticated = authenticated || !server || answer->rfind("v=", 0) == 0;
            as.session_lifetime_ms = handshakes == 1 ? lifetime_ms : 0;
        } else {
            as.error_code = 58;  // SASL_AUTHENTICATION_FAILED
            as.error_message = "Authentication failed: Invalid username or password";
        }
        broker.reply(r, as, r.api_version);
    }

    void answer_metadata(const fake_broker::request& r) {
        metadata_response m;
        m.brokers.resize(1);
        m.brokers[0].node_id = 5;
        broker.reply(r, m, r.api_version);
    }

    error_code connect_and_ask(connection& conn) {
        std::optional<error_code> done;
        conn.async_connect("127.0.0.1", broker.port(), [&](error_code ec) { done = ec; });
        EXPECT_TRUE(run_until(io, [&] { return done.has_value(); }));
        if (!done || *done) return done.value_or(asio::error::timed_out);
        std::optional<error_code> asked;
        conn.async_request(metadata_request{}, [&](error_code ec, response_frame f) {
            metadata_response m;
            asked = ec ? ec : decode_response(f, m);
        });
        EXPECT_TRUE(run_until(io, [&] { return asked.has_value(); }));
        return asked.value_or(asio::error::timed_out);
    }

    error_code connect(connection& conn) {
        std::optional<error_code> done;
        conn.async_connect("127.0.0.1", broker.port(), [&](error_code ec) { done = ec; });
        EXPECT_TRUE(run_until(io, [&] { return done.has_value(); }));
        return done.value_or(asio::error::timed_out);
    }

    // A Metadata request; its outcome lands in `outcomes` under `tag`, in completion order.
    void ask(connection& conn, int tag) {
        conn.async_request(metadata_request{}, [this, tag](error_code ec, response_frame f) {
            metadata_response m;
            outcomes.emplace_back(tag, ec ? ec : decode_response(f, m));
        });
    }

    std::vector<std::int16_t> received_api_keys() const {
        std::vector<std::int16_t> keys;
        for (const auto& r : broker.received) keys.push_back(r.api_key);
        return keys;
    }

    bool logged(std::string_view text) const {
        for (const auto& l : log) {
            if (l.find(text) != std::string::npos) return true;
        }
        return false;
    }

    void reauthentication_keeps_requests_in_order(const char* mech, const std::vector<std::int16_t>& auth_keys);

    void expect_no_credentials_in_log() {
        for (const auto& l : log) {
            EXPECT_EQ(l.find(password), std::string::npos) << l;
            EXPECT_EQ(l.find(user), std::string::npos) << l;
        }
    }

    asio::io_context io;
    fake_broker broker{io};
    connection_config cfg;
    std::vector<std::string> log;
    std::string broker_password{password};
    std::string mechanism;
    std::optional<scram_server> server;
    bool authenticated = false;
    int authenticate_rounds = 0;
    int unauthenticated_requests = 0;
    int handshakes = 0;
    std::int64_t lifetime_ms = 0;
    bool hold_reauthentication = false;  // keep the second SaslHandshake unanswered
    std::optional<fake_broker::request> held_handshake;
    bool defer_requests = false;  // keep Metadata requests unanswered
    std::vector<fake_broker::request> deferred;
    std::vector<std::pair<int, error_code>> outcomes;
};

TEST_F(connection_sasl, plain_authenticates_before_any_request) {
    connection conn(io.get_executor(), cfg);
    EXPECT_FALSE(connect_and_ask(conn));
    EXPECT_EQ(mechanism, "PLAIN");
    EXPECT_EQ(authenticate_rounds, 1);
    EXPECT_EQ(unauthenticated_requests, 0);
    expect_no_credentials_in_log();
}

TEST_F(connection_sasl, scram_sha_256_authenticates_and_checks_the_broker) {
    ASSERT_FALSE(cfg.set("sasl.mechanism", "SCRAM-SHA-256"));
    connection conn(io.get_executor(), cfg);
    EXPECT_FALSE(connect_and_ask(conn));
    EXPECT_EQ(mechanism, "SCRAM-SHA-256");
    EXPECT_EQ(authenticate_rounds, 2);
    EXPECT_TRUE(authenticated);
    expect_no_credentials_in_log();
}

TEST_F(connection_sasl, scram_sha_512_authenticates) {
    ASSERT_FALSE(cfg.set("sasl.mechanisms", "SCRAM-SHA-512"));
    connection conn(io.get_executor(), cfg);
    EXPECT_FALSE(connect_and_ask(conn));
    EXPECT_EQ(mechanism, "SCRAM-SHA-512");
    expect_no_credentials_in_log();
}

TEST_F(connection_sasl, wrong_password_is_a_clear_non_retriable_error_without_the_password) {
    for (const char* mech : {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}) {
        SCOPED_TRACE(mech);
        log.clear();
        server.reset();
        authenticated = false;
        broker_password = "the-real-one";
        ASSERT_FALSE(cfg.set("sasl.mechanism", mech));
        connection conn(io.get_executor(), cfg);
        std::optional<error_code> done;
        conn.async_connect("127.0.0.1", broker.port(), [&](error_code ec) { done = ec; });
        ASSERT_TRUE(run_until(io, [&] { return done.has_value(); }));
        EXPECT_EQ(*done, broker_errc::sasl_authentication_failed) << done->message();
        EXPECT_FALSE(is_retriable(*done));
        EXPECT_EQ(done->message().find(password), std::string::npos);
        bool said_why = false;
        for (const auto& l : log)
            said_why = said_why || l.find("Invalid username or password") != std::string::npos;
        EXPECT_TRUE(said_why);
        expect_no_credentials_in_log();
        EXPECT_EQ(unauthenticated_requests, 0);
    }
}

TEST_F(connection_sasl, broker_signature_that_does_not_verify_fails_the_connection) {
    ASSERT_FALSE(cfg.set("sasl.mechanism", "SCRAM-SHA-256"));
    // The broker accepts any proof and then signs with a key it does not really have.
    broker.on_request = [this](const fake_broker::request& r) {
        if (r.api_key != 36 || authenticate_rounds == 0) return serve(r);
        ++authenticate_rounds;
        sasl_authenticate_response as;
        const std::string forged = "v=" + std::string(44, 'A');
        as.auth_bytes.assign(forged.begin(), forged.end());
        broker.reply(r, as, r.api_version);
    };
    connection conn(io.get_executor(), cfg);
    std::optional<error_code> done;
    conn.async_connect("127.0.0.1", broker.port(), [&](error_code ec) { done = ec; });
    ASSERT_TRUE(run_until(io, [&] { return done.has_value(); }));
    EXPECT_EQ(*done, broker_errc::sasl_authentication_failed);
    expect_no_credentials_in_log();
}

TEST_F(connection_sasl, unsupported_mechanism_names_what_the_broker_offers) {
    broker.on_request = [this](const fake_broker::request& r) {
        if (r.api_key != 17) return serve(r);
        sasl_handshake_response hs;
        hs.error_code = 33;
        hs.mechanisms = {"GSSAPI"};
        broker.reply(r, hs, r.api_version);
    };
    connection conn(io.get_executor(), cfg);
    std::optional<error_code> done;
    conn.async_connect("127.0.0.1", broker.port(), [&](error_code ec) { done = ec; });
    ASSERT_TRUE(run_until(io, [&] { return done.has_value(); }));
    EXPECT_EQ(*done, broker_errc::unsupported_sasl_mechanism);
    bool named = false;
    for (const auto& l : log) named = named || l.find("GSSAPI") != std::string::npos;
    EXPECT_TRUE(named);
}

// KIP-368: a broker granting a session lifetime sees the client authenticate again on the same
// connection before it runs out. The request written before stays answered first; requests
// issued during the exchange wait and follow it in their order. The broker's 200 ms lifetime
// makes the client re-authenticate within 170..190 ms: the test waits for the broker to see
// the second SaslHandshake, not for a time.
void connection_sasl::reauthentication_keeps_requests_in_order(const char* mech,
                                                               const std::vector<std::int16_t>& auth_keys) {
    ASSERT_FALSE(cfg.set("sasl.mechanism", mech));
    lifetime_ms = 200;
    hold_reauthentication = true;
    defer_requests = true;
    connection conn(io.get_executor(), cfg);
    ASSERT_FALSE(connect(conn));
    ask(conn, 1);  // in flight when re-authentication starts
    ASSERT_TRUE(run_until(io, [&] { return deferred.size() == 1 && held_handshake.has_value(); }));
    ask(conn, 2);  // issued during re-authentication
    ask(conn, 3);
    // As a broker does: the request read before the handshake is answered before it.
    defer_requests = false;
    answer_metadata(deferred.front());
    ASSERT_TRUE(run_until(io, [&] { return outcomes.size() == 1; }));
    answer_handshake(*held_handshake);
    ASSERT_TRUE(run_until(io, [&] { return outcomes.size() == 3; }));
    ask(conn, 4);  // after it
    ASSERT_TRUE(run_until(io, [&] { return outcomes.size() == 4; }));

    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(outcomes[i].first, i + 1);
        EXPECT_FALSE(outcomes[i].second) << outcomes[i].second.message();
    }
    EXPECT_EQ(broker.accepted, 1u);  // one connection throughout
    EXPECT_EQ(handshakes, 2);
    // Nothing went out between the re-authentication's own requests.
    std::vector<std::int16_t> expected{18};
    expected.insert(expected.end(), auth_keys.begin(), auth_keys.end());
    expected.push_back(3);
    expected.insert(expected.end(), auth_keys.begin(), auth_keys.end());
    expected.insert(expected.end(), {3, 3, 3});
    EXPECT_EQ(received_api_keys(), expected);
    EXPECT_TRUE(logged("re-authentication done"));
    expect_no_credentials_in_log();
}

TEST_F(connection_sasl, plain_reauthenticates_before_the_session_expires_keeping_requests_in_order) {
    reauthentication_keeps_requests_in_order("PLAIN", {17, 36});
}

TEST_F(connection_sasl, scram_reauthenticates_before_the_session_expires_keeping_requests_in_order) {
    reauthentication_keeps_requests_in_order("SCRAM-SHA-512", {17, 36, 36});
}

TEST_F(connection_sasl, refused_reauthentication_closes_the_connection_with_sasl_authentication_failed) {
    for (const char* mech : {"PLAIN", "SCRAM-SHA-256"}) {
        SCOPED_TRACE(mech);
        log.clear();
        outcomes.clear();
        broker_password = password;
        handshakes = 0;
        held_handshake.reset();
        ASSERT_FALSE(cfg.set("sasl.mechanism", mech));
        lifetime_ms = 200;
        hold_reauthentication = true;
        connection conn(io.get_executor(), cfg);
        ASSERT_FALSE(connect(conn));
        std::optional<error_code> closed;
        conn.async_wait_closed([&](error_code ec) { closed = ec; });
        ASSERT_TRUE(run_until(io, [&] { return held_handshake.has_value(); }));
        const std::size_t seen = broker.received.size();
        ask(conn, 1);  // waits behind the re-authentication, which fails: never sent
        broker_password = "rotated";  // the account's password changed since the first session
        answer_handshake(*held_handshake);
        ASSERT_TRUE(run_until(io, [&] { return closed.has_value() && outcomes.size() == 1; }));

        EXPECT_EQ(*closed, broker_errc::sasl_authentication_failed) << closed->message();
        EXPECT_EQ(outcomes[0].second, broker_errc::sasl_authentication_failed);
        for (std::size_t i = seen; i < broker.received.size(); ++i) EXPECT_EQ(broker.received[i].api_key, 36);
        EXPECT_TRUE(logged("re-authentication failed: Authentication failed: Invalid username or password"));
        EXPECT_EQ(closed->message().find(password), std::string::npos);
        expect_no_credentials_in_log();
        // A closed connection stays closed: the owner (the broker pool) makes a new one.
        std::optional<error_code> later;
        conn.async_request(metadata_request{}, [&](error_code ec, response_frame) { later = ec; });
        ASSERT_TRUE(run_until(io, [&] { return later.has_value(); }));
        EXPECT_EQ(*later, client_errc::connection_closed);
    }
}

// The pool treats the connection a failed re-authentication closed as any lost connection: the
// next request connects again (here after the account's password was restored).
TEST_F(connection_sasl, pool_reconnects_after_a_refused_reauthentication) {
    pool_config pc;
    pc.connection = cfg;
    broker_pool pool(io.get_executor(), pc);
    pool.set_broker(1, "127.0.0.1", std::stoi(broker.port()));
    lifetime_ms = 200;
    hold_reauthentication = true;
    auto send = [&](std::optional<error_code>& out) {
        pool.async_request(1, purpose::general, metadata_request{}, [&out](error_code ec, response_frame f) {
            metadata_response m;
            out = ec ? ec : decode_response(f, m);
        });
    };
    std::optional<error_code> first, second;
    send(first);
    ASSERT_TRUE(run_until(io, [&] { return first.has_value(); }));
    ASSERT_FALSE(*first) << first->message();
    ASSERT_TRUE(run_until(io, [&] { return held_handshake.has_value(); }));
    broker_password = "rotated";
    answer_handshake(*held_handshake);
    ASSERT_TRUE(run_until(io, [&] { return broker.gone == 1; }));
    EXPECT_NE(pool.state(1, purpose::general), connection_state::ready);

    broker_password = password;
    send(second);
    ASSERT_TRUE(run_until(io, [&] { return second.has_value(); }));
    EXPECT_FALSE(*second) << second->message();
    EXPECT_EQ(broker.accepted, 2u);
    EXPECT_EQ(handshakes, 3);
    expect_no_credentials_in_log();
}

TEST_F(connection_sasl, an_empty_scram_username_fails_the_connect_as_invalid_config) {
    ASSERT_FALSE(cfg.set("sasl.mechanism", "SCRAM-SHA-256"));
    ASSERT_FALSE(cfg.set("sasl.username", ""));
    ASSERT_FALSE(cfg.set("sasl.password", "Tr0ub4dor"));
    connection conn(io.get_executor(), cfg);
    const error_code ec = connect(conn);
    EXPECT_EQ(ec, client_errc::invalid_config);
    EXPECT_EQ(handshakes, 0);  // refused before anything is sent
    EXPECT_TRUE(logged("sasl.username"));
    for (const auto& l : log) EXPECT_EQ(l.find("Tr0ub4dor"), std::string::npos) << l;
}

}  // namespace
}  // namespace kasio::net

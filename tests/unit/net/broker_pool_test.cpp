// The broker pool against scripted fake brokers on loopback: lazy connections per purpose,
// round-robin bulk connections, reconnect after loss with backoff, throttling, idle close, the
// bounded queue of waiting requests, per-request timeouts.
// One io_context runs everything; tests step it with run_until() (no sleeps, no timing asserts:
// "held back" is checked with huge delays and poll(), "eventually" with run_until()).
#include "net/broker_pool.hpp"

#include "fake_broker.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <vector>

namespace kasio::net {
namespace {

using protocol::msg::metadata_request;
using protocol::msg::metadata_response;
using test::fake_broker;
using test::run_until;
using std::chrono::milliseconds;

struct result {
    error_code ec;
    response_frame frame;
};

class broker_pool_test : public ::testing::Test {
protected:
    asio::io_context io;
    fake_broker broker{io};
    pool_config cfg;

    std::unique_ptr<broker_pool> make_pool() {
        auto pool = std::make_unique<broker_pool>(io.get_executor(), cfg);
        pool->set_broker(1, "127.0.0.1", std::stoi(broker.port()));
        return pool;
    }

    // Answers every Metadata request at once with throttle_time_ms = throttle.
    void auto_answer(std::int32_t throttle = 0) {
        broker.on_request = [this, throttle](const fake_broker::request& r) {
            if (r.api_key == 18) return broker.answer_api_versions(r);
            metadata_response m;
            m.throttle_time_ms = throttle;
            broker.reply(r, m, r.api_version);
        };
    }

    static void send(broker_pool& pool, purpose p, std::optional<result>& out, std::int32_t node = 1) {
        pool.async_request(node, p, metadata_request{},
                           [&out](error_code ec, response_frame f) { out = result{ec, std::move(f)}; });
    }

    std::size_t metadata_requests() const {
        std::size_t n = 0;
        for (const auto& r : broker.received) n += r.api_key == metadata_request::api_key;
        return n;
    }

    connection_state state(broker_pool& pool, purpose p) {
        io.poll();  // the io_context is idle afterwards: reading the strand's state is safe
        return pool.state(1, p);
    }
};

TEST_F(broker_pool_test, connects_lazily_and_reuses_the_connection) {
    auto_answer();
    auto pool = make_pool();
    io.poll();
    EXPECT_EQ(broker.accepted, 0u);
    EXPECT_EQ(state(*pool, purpose::general), connection_state::idle);

    std::optional<result> first, second;
    send(*pool, purpose::general, first);
    ASSERT_TRUE(run_until(io, [&] { return first.has_value(); }));
    ASSERT_FALSE(first->ec) << first->ec.message();
    send(*pool, purpose::general, second);
    ASSERT_TRUE(run_until(io, [&] { return second.has_value(); }));
    ASSERT_FALSE(second->ec);
    EXPECT_EQ(broker.accepted, 1u);
    EXPECT_EQ(state(*pool, purpose::general), connection_state::ready);
    metadata_response m;
    EXPECT_FALSE(decode_response(second->frame, m));
}

TEST_F(broker_pool_test, produce_is_not_stuck_behind_a_long_polling_fetch) {
    // Only requests on the produce connection are answered: the fetch one "long-polls".
    auto pool = make_pool();
    std::optional<result> fetch, produce;
    send(*pool, purpose::long_poll, fetch);
    ASSERT_TRUE(run_until(io, [&] { return metadata_requests() == 1; }));
    const auto fetch_connection = broker.received.back().connection;
    broker.on_request = [&](const fake_broker::request& r) {
        if (r.api_key == 18) return broker.answer_api_versions(r);
        if (r.connection != fetch_connection) broker.reply(r, metadata_response{}, r.api_version);
    };
    send(*pool, purpose::bulk, produce);
    ASSERT_TRUE(run_until(io, [&] { return produce.has_value(); }));
    EXPECT_FALSE(produce->ec);
    EXPECT_FALSE(fetch.has_value());
    EXPECT_EQ(broker.accepted, 2u);
}

TEST_F(broker_pool_test, each_purpose_has_its_own_connection) {
    auto_answer();
    auto pool = make_pool();
    std::vector<std::optional<result>> out(3);
    send(*pool, purpose::bulk, out[0]);
    send(*pool, purpose::long_poll, out[1]);
    send(*pool, purpose::general, out[2]);
    ASSERT_TRUE(run_until(io, [&] { return out[0] && out[1] && out[2]; }));
    for (auto& r : out) EXPECT_FALSE(r->ec);
    EXPECT_EQ(broker.accepted, 3u);
    std::set<std::size_t> used;
    for (const auto& r : broker.received) {
        if (r.api_key == metadata_request::api_key) used.insert(r.connection);
    }
    EXPECT_EQ(used.size(), 3u);
}

TEST_F(broker_pool_test, produce_goes_round_robin_over_connections_per_broker) {
    ASSERT_FALSE(cfg.set("connections.per.broker", "2"));
    auto_answer();
    auto pool = make_pool();
    std::vector<std::optional<result>> out(4);
    for (auto& r : out) send(*pool, purpose::bulk, r);
    ASSERT_TRUE(run_until(io, [&] { return std::all_of(out.begin(), out.end(), [](auto& r) { return r.has_value(); }); }));
    EXPECT_EQ(broker.accepted, 2u);
    std::vector<std::size_t> per_connection(2);
    for (const auto& r : broker.received) {
        if (r.api_key == metadata_request::api_key) ++per_connection.at(r.connection);
    }
    EXPECT_EQ(per_connection, (std::vector<std::size_t>{2, 2}));
}

TEST_F(broker_pool_test, unknown_node_fails_with_broker_not_available) {
    auto pool = make_pool();
    std::optional<result> r;
    send(*pool, purpose::general, r, 42);
    ASSERT_TRUE(run_until(io, [&] { return r.has_value(); }));
    EXPECT_EQ(r->ec, broker_errc::broker_not_available);
    EXPECT_EQ(broker.accepted, 0u);
}

TEST_F(broker_pool_test, lost_connection_is_made_again_on_next_use) {
    auto_answer();
    auto pool = make_pool();
    std::optional<result> first, second;
    send(*pool, purpose::general, first);
    ASSERT_TRUE(run_until(io, [&] { return first.has_value(); }));
    broker.close_client();
    ASSERT_TRUE(run_until(io, [&] { return pool->state(1, purpose::general) != connection_state::ready; }));
    send(*pool, purpose::general, second);
    ASSERT_TRUE(run_until(io, [&] { return second.has_value(); }));
    EXPECT_FALSE(second->ec) << second->ec.message();
    EXPECT_EQ(broker.accepted, 2u);
}

TEST_F(broker_pool_test, reconnect_waits_for_the_backoff_and_a_waiting_request_can_be_cancelled) {
    ASSERT_FALSE(cfg.set("reconnect.backoff.ms", "600000"));
    ASSERT_FALSE(cfg.set("reconnect.backoff.max.ms", "600000"));
    auto_answer();
    auto pool = make_pool();
    std::optional<result> first, waiting;
    send(*pool, purpose::general, first);
    ASSERT_TRUE(run_until(io, [&] { return first.has_value(); }));
    broker.close_client();
    ASSERT_TRUE(run_until(io, [&] { return pool->state(1, purpose::general) == connection_state::backoff; }));

    asio::cancellation_signal cancel;
    pool->async_request(1, purpose::general, metadata_request{},
                        asio::bind_cancellation_slot(cancel.slot(), [&](error_code ec, response_frame f) {
                            waiting = result{ec, std::move(f)};
                        }));
    io.poll();
    EXPECT_FALSE(waiting.has_value());
    EXPECT_EQ(broker.accepted, 1u);  // no attempt during the backoff
    cancel.emit(asio::cancellation_type::total);  // never sent: even total cancellation removes it
    ASSERT_TRUE(run_until(io, [&] { return waiting.has_value(); }));
    EXPECT_EQ(waiting->ec, asio::error::operation_aborted);
}

TEST_F(broker_pool_test, failed_connect_fails_its_requests_with_a_retriable_error_naming_the_broker_then_backs_off) {
    asio::ip::tcp::acceptor closed(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const int port = closed.local_endpoint().port();
    closed.close();
    broker_pool pool(io.get_executor(), cfg);
    pool.set_broker(7, "127.0.0.1", port);
    std::vector<std::optional<result>> out(2);
    for (auto& r : out) send(pool, purpose::general, r, 7);
    ASSERT_TRUE(run_until(io, [&] { return out[0] && out[1]; }));
    for (auto& r : out) {
        EXPECT_EQ(r->ec, client_errc::connection_closed);
        EXPECT_TRUE(is_retriable(r->ec));
        ASSERT_NE(r->frame.failure, nullptr);
        EXPECT_EQ(r->frame.failure->broker, "127.0.0.1:" + std::to_string(port));
        EXPECT_EQ(r->frame.failure->node_id, 7);
        EXPECT_NE(r->frame.failure->message.find("node 7 general: connecting failed"), std::string::npos)
            << r->frame.failure->message;
    }
    EXPECT_EQ(pool.state(7, purpose::general), connection_state::backoff);
}

TEST_F(broker_pool_test, throttled_connection_holds_its_next_request) {
    auto_answer(600000);  // ten minutes: the held request cannot go out during the test
    auto pool = make_pool();
    std::optional<result> first, held, other;
    send(*pool, purpose::general, first);
    ASSERT_TRUE(run_until(io, [&] { return first.has_value(); }));
    ASSERT_FALSE(first->ec);
    ASSERT_GE(first->frame.api_version, 6);  // KIP-219 semantics

    asio::cancellation_signal cancel;
    pool->async_request(1, purpose::general, metadata_request{},
                        asio::bind_cancellation_slot(cancel.slot(), [&](error_code ec, response_frame f) {
                            held = result{ec, std::move(f)};
                        }));
    // Another connection of the same broker is not throttled.
    send(*pool, purpose::long_poll, other);
    ASSERT_TRUE(run_until(io, [&] { return other.has_value(); }));
    io.poll();
    EXPECT_FALSE(held.has_value());
    EXPECT_EQ(metadata_requests(), 2u);
    cancel.emit(asio::cancellation_type::terminal);
    ASSERT_TRUE(run_until(io, [&] { return held.has_value(); }));
    EXPECT_EQ(held->ec, asio::error::operation_aborted);
    EXPECT_EQ(metadata_requests(), 2u);
}

TEST_F(broker_pool_test, throttled_request_goes_out_when_the_throttle_ends) {
    auto_answer(20);
    auto pool = make_pool();
    std::optional<result> first, second;
    send(*pool, purpose::general, first);
    ASSERT_TRUE(run_until(io, [&] { return first.has_value(); }));
    send(*pool, purpose::general, second);
    ASSERT_TRUE(run_until(io, [&] { return second.has_value(); }));
    EXPECT_FALSE(second->ec);
    EXPECT_EQ(broker.accepted, 1u);
}

TEST_F(broker_pool_test, idle_connection_is_closed_and_made_again_without_backoff) {
    ASSERT_FALSE(cfg.set("connections.max.idle.ms", "20"));
    auto_answer();
    auto pool = make_pool();
    std::optional<result> first, second;
    send(*pool, purpose::general, first);
    ASSERT_TRUE(run_until(io, [&] { return first.has_value(); }));
    ASSERT_TRUE(run_until(io, [&] { return broker.gone == 1; }));
    EXPECT_EQ(state(*pool, purpose::general), connection_state::idle);
    send(*pool, purpose::general, second);
    ASSERT_TRUE(run_until(io, [&] { return second.has_value(); }));
    EXPECT_FALSE(second->ec);
    EXPECT_EQ(broker.accepted, 2u);
}

TEST_F(broker_pool_test, bootstrap_addresses_have_their_own_connections) {
    auto_answer();
    auto pool = make_pool();
    std::optional<result> boot, bad;
    pool->async_bootstrap_request("127.0.0.1:" + broker.port(), metadata_request{},
                                  [&](error_code ec, response_frame f) { boot = result{ec, std::move(f)}; });
    pool->async_bootstrap_request("no-port", metadata_request{},
                                  [&](error_code ec, response_frame f) { bad = result{ec, std::move(f)}; });
    ASSERT_TRUE(run_until(io, [&] { return boot && bad; }));
    EXPECT_FALSE(boot->ec);
    EXPECT_EQ(bad->ec, client_errc::invalid_config);
    std::optional<result> node;
    send(*pool, purpose::general, node);
    ASSERT_TRUE(run_until(io, [&] { return node.has_value(); }));
    EXPECT_EQ(broker.accepted, 2u);  // same address, but node 1 is not the bootstrap entry
}

TEST_F(broker_pool_test, new_broker_address_moves_its_connections) {
    fake_broker other(io);
    auto_answer();
    other.on_request = [&](const fake_broker::request& r) {
        if (r.api_key == 18) return other.answer_api_versions(r);
        other.reply(r, metadata_response{}, r.api_version);
    };
    auto pool = make_pool();
    std::optional<result> before, after;
    send(*pool, purpose::general, before);
    ASSERT_TRUE(run_until(io, [&] { return before.has_value(); }));
    pool->set_broker(1, "127.0.0.1", std::stoi(other.port()));
    ASSERT_TRUE(run_until(io, [&] { return broker.gone == 1; }));
    send(*pool, purpose::general, after);
    ASSERT_TRUE(run_until(io, [&] { return after.has_value(); }));
    EXPECT_FALSE(after->ec);
    EXPECT_EQ(other.accepted, 1u);
}

TEST_F(broker_pool_test, destroying_the_pool_fails_in_flight_and_waiting_requests) {
    std::optional<result> in_flight;
    {
        auto pool = make_pool();
        send(*pool, purpose::general, in_flight);
        ASSERT_TRUE(run_until(io, [&] { return metadata_requests() == 1; }));
    }
    ASSERT_TRUE(run_until(io, [&] { return in_flight.has_value(); }));
    EXPECT_EQ(in_flight->ec, client_errc::connection_closed);
    EXPECT_TRUE(run_until(io, [&] { return broker.gone == 1; }));
}

TEST_F(broker_pool_test, a_full_queue_refuses_new_requests_at_once_naming_the_broker_and_why) {
    broker.on_request = [](const fake_broker::request&) {};  // never answers ApiVersions: connecting
    cfg.connection.connect_timeout = std::chrono::minutes(10);
    cfg.max_queued_requests = 2;
    cfg.connection.max_in_flight = 3;  // the bound is never below it: 3 may wait
    auto pool = make_pool();
    std::vector<std::optional<result>> queued(3);
    for (auto& r : queued) send(*pool, purpose::general, r);
    ASSERT_TRUE(run_until(io, [&] { return broker.received.size() == 1; }));  // the handshake hangs
    io.poll();
    for (const auto& r : queued) EXPECT_FALSE(r.has_value());

    std::optional<result> refused;
    send(*pool, purpose::general, refused);
    ASSERT_TRUE(run_until(io, [&] { return refused.has_value(); }));
    EXPECT_EQ(refused->ec, client_errc::queue_full);
    EXPECT_TRUE(is_retriable(refused->ec));
    ASSERT_NE(refused->frame.failure, nullptr);
    const error_context& why = *refused->frame.failure;
    EXPECT_EQ(why.broker, "127.0.0.1:" + broker.port());
    EXPECT_EQ(why.node_id, 1);
    EXPECT_NE(why.message.find("node 1 general"), std::string::npos) << why.message;
    EXPECT_NE(why.message.find("3 requests already wait"), std::string::npos) << why.message;
    EXPECT_NE(why.message.find("connecting"), std::string::npos) << why.message;
    EXPECT_NE(why.describe(refused->ec).find("broker 127.0.0.1:" + broker.port() + " id 1"), std::string::npos);

    // The bound is per connection: another purpose of the same broker still queues.
    std::optional<result> other;
    send(*pool, purpose::long_poll, other);
    io.poll();
    EXPECT_FALSE(other.has_value());
    for (const auto& r : queued) EXPECT_FALSE(r.has_value());

    // Nothing refused or queued hangs: closing fails the waiting ones.
    pool->close();
    ASSERT_TRUE(run_until(io, [&] { return queued[0] && queued[1] && queued[2] && other; }));
    for (const auto& r : queued) EXPECT_EQ(r->ec, client_errc::connection_closed);
    // The hung set-ups end as their sockets close: let them, so nothing is left to the
    // io_context's destructor (LeakSanitizer).
    while (io.poll() > 0) {
    }
}

TEST_F(broker_pool_test, the_callers_timeout_overrides_request_timeout_for_that_request) {
    // ApiVersions is answered, Metadata never: only a timeout can end the request.
    cfg.connection.request_timeout = std::chrono::minutes(10);
    auto pool = make_pool();
    std::optional<result> r;
    // Long enough for the connection's set-up on loopback (the clock starts at submission), so
    // the broker sees the request; far below request.timeout.ms.
    pool->async_request(1, purpose::blocking, metadata_request{}, request_options{milliseconds(500)},
                        [&r](error_code ec, response_frame f) { r = result{ec, std::move(f)}; });
    ASSERT_TRUE(run_until(io, [&] { return r.has_value(); }));
    EXPECT_EQ(r->ec, client_errc::timed_out);
    EXPECT_EQ(metadata_requests(), 1u);
}

TEST(pool_config, sets_pool_names_and_forwards_the_rest) {
    pool_config c;
    EXPECT_FALSE(c.set("connections.per.broker", "3"));
    EXPECT_EQ(c.connections_per_broker, 3u);
    EXPECT_FALSE(c.set("reconnect.backoff.ms", "10"));
    EXPECT_FALSE(c.set("reconnect.backoff.max.ms", "200"));
    EXPECT_EQ(c.reconnect.initial, milliseconds(10));
    EXPECT_EQ(c.reconnect.max, milliseconds(200));
    EXPECT_FALSE(c.set("connections.max.idle.ms", "0"));
    EXPECT_EQ(c.connections_max_idle, milliseconds(0));
    EXPECT_FALSE(c.set("request.timeout.ms", "1234"));
    EXPECT_EQ(c.connection.request_timeout, milliseconds(1234));
    EXPECT_EQ(c.set("connections.per.broker", "0"), client_errc::invalid_config);
    EXPECT_EQ(c.set("reconnect.backoff.ms", "-1"), client_errc::invalid_config);
    EXPECT_EQ(c.set("no.such.property", "1"), client_errc::invalid_config);
}

TEST(split_host_port, accepts_names_ipv4_and_bracketed_ipv6) {
    std::string h, p;
    ASSERT_TRUE(split_host_port("kafka-1:9092", h, p));
    EXPECT_EQ(h, "kafka-1");
    EXPECT_EQ(p, "9092");
    ASSERT_TRUE(split_host_port("[::1]:9093", h, p));
    EXPECT_EQ(h, "::1");
    EXPECT_EQ(p, "9093");
    EXPECT_FALSE(split_host_port("kafka", h, p));
    EXPECT_FALSE(split_host_port("kafka:", h, p));
    EXPECT_FALSE(split_host_port(":9092", h, p));
    EXPECT_FALSE(split_host_port("kafka:90a", h, p));
    EXPECT_FALSE(split_host_port("[::1]9092", h, p));
}

}  // namespace
}  // namespace kasio::net

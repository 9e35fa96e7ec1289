// The broker pool against hostile brokers (tests/support/hostile_broker.hpp) next to a healthy
// one (a 1-broker librdkafka mock cluster): each misbehaviour ends in a clear client_errc within
// the configured timeouts, the read side never holds more than its staging chunk plus the one
// legitimate frame (asserted from the counters), and requests to the healthy broker keep
// working, before and after (issue 5 must-show 4, issue 9).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hostile_broker.hpp"
#include "mock_cluster_fixture.hpp"
#include "net/broker_pool.hpp"
#include "protocol/messages.hpp"

namespace kasio::net {
namespace {

using protocol::msg::metadata_request;
using protocol::msg::metadata_response;
using test::hostile_behaviour;

template <class Pred>
bool run_until(asio::io_context& io, Pred pred, int max_steps = 200000) {
    for (int i = 0; i < max_steps && !pred(); ++i) {
        if (io.stopped()) io.restart();
        if (io.run_one_for(std::chrono::seconds(10)) == 0) break;
    }
    return pred();
}

struct result {
    error_code ec;
    response_frame frame;
};

struct hostile_case {
    const char* name;
    hostile_behaviour behaviour;
    client_errc expected;
    const char* log_names = nullptr;  ///< what a log line must name besides the error's message
};

void PrintTo(const hostile_case& c, std::ostream* os) { *os << c.name; }

constexpr std::int32_t hostile_node = 99;
constexpr std::int32_t healthy_node = 1;

class hostile_broker_test : public test::mock_cluster_test,
                            public ::testing::WithParamInterface<hostile_case> {
protected:
    hostile_broker_test() : mock_cluster_test(1) {}

    void SetUp() override {
        mock_cluster_test::SetUp();
        hostile.emplace(io, GetParam().behaviour);
        hostile->trickle_interval = std::chrono::milliseconds(100);
        pool_config pc;
        // Short, so that the silent and trickling brokers cost little test time.
        pc.connection.connect_timeout = std::chrono::milliseconds(500);
        pc.connection.request_timeout = std::chrono::milliseconds(700);
        pc.connection.log = {log_level::info,
                             [this](log_level, std::string_view line) { log.emplace_back(line); }};
        pc.reconnect.initial = std::chrono::milliseconds(10);
        pc.reconnect.max = std::chrono::milliseconds(50);
        pool.emplace(io.get_executor(), pc);
        const std::string& boot = cluster().bootstrap();
        const auto colon = boot.rfind(':');
        pool->set_broker(healthy_node, boot.substr(0, colon), std::stoi(boot.substr(colon + 1)));
        pool->set_broker(hostile_node, "127.0.0.1", hostile->port());
    }

    void TearDown() override {
        pool.reset();
        hostile->stop();
        io.poll();
    }

    std::vector<std::optional<result>> requests(std::int32_t node, int n) {
        std::vector<std::optional<result>> out(static_cast<std::size_t>(n));
        int done = 0;
        for (int i = 0; i < n; ++i) {
            pool->async_request(node, purpose::general, metadata_request{},
                                [&, i](error_code ec, response_frame f) {
                                    out[static_cast<std::size_t>(i)] = result{ec, std::move(f)};
                                    ++done;
                                });
        }
        EXPECT_TRUE(run_until(io, [&] { return done == n; }));
        return out;
    }
    result request(std::int32_t node) {
        auto r = requests(node, 1);
        return r[0].value_or(result{asio::error::timed_out, {}});
    }

    pooled_connection_stats stats_of(std::int32_t node) {
        std::optional<std::vector<pooled_connection_stats>> all;
        pool->async_stats([&](std::vector<pooled_connection_stats> s) { all = std::move(s); });
        EXPECT_TRUE(run_until(io, [&] { return all.has_value(); }));
        for (auto& s : all.value_or(std::vector<pooled_connection_stats>{})) {
            if (s.node_id == node && s.p == purpose::general) return s;
        }
        ADD_FAILURE() << "no stats for node " << node;
        return {};
    }

    asio::io_context io;
    std::optional<test::hostile_broker> hostile;
    std::vector<std::string> log;
    std::optional<broker_pool> pool;
};

TEST_P(hostile_broker_test, gives_a_clear_error_with_bounded_memory_and_the_client_keeps_working) {
    const hostile_case& c = GetParam();

    // The healthy broker works before.
    const result before = request(healthy_node);
    ASSERT_FALSE(before.ec) << before.ec.message();

    // The hostile one: out_of_order needs two requests in flight.
    const int n = c.behaviour == hostile_behaviour::out_of_order ? 2 : 1;
    const auto bad = requests(hostile_node, n);
    for (const auto& r : bad) {
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->ec, make_error_code(c.expected)) << r->ec.message();
        EXPECT_TRUE(r->frame.data.empty());
    }
    if (c.behaviour != hostile_behaviour::silent) {
        EXPECT_TRUE(hostile->hostile_sent);
    }
    if (c.behaviour == hostile_behaviour::trickle) {
        // request.timeout.ms fired although bytes kept arriving.
        EXPECT_GE(hostile->trickled_bytes, 2u);
    }

    // Memory: the read side never grew past its staging chunk plus the ApiVersions answer; a
    // hostile length (up to 2^31-1) allocated nothing.
    const auto s = stats_of(hostile_node);
    EXPECT_LE(s.counters.peak_read_buffer_bytes, 64u * 1024 + 4096);
    EXPECT_EQ(s.counters.in_flight, 0u);

    // A clear line in the log names what went wrong (never a silent close).
    if (c.behaviour != hostile_behaviour::silent) {
        const std::string why = make_error_code(c.expected) == client_errc::timed_out
                                    ? "timed out"
                                    : make_error_code(c.expected).message();
        bool found = false;
        for (const auto& line : log) found = found || line.find(why) != std::string::npos;
        EXPECT_TRUE(found) << "no log line with '" << why << "'";
        if (c.log_names != nullptr) {
            found = false;
            for (const auto& line : log)
                found = found || (line.find(why) != std::string::npos && line.find(c.log_names) != std::string::npos);
            EXPECT_TRUE(found) << "no log line with '" << why << "' naming " << c.log_names;
        }
    }

    // The healthy broker is unaffected, and the hostile one fails the same way again (after its
    // reconnect backoff) rather than hanging.
    const result after = request(healthy_node);
    ASSERT_FALSE(after.ec) << after.ec.message();
    metadata_response m;
    EXPECT_FALSE(decode_response(after.frame, m));
    const auto again = requests(hostile_node, n);
    for (const auto& r : again) {
        ASSERT_TRUE(r.has_value());
        EXPECT_TRUE(r->ec.failed());
    }
}

INSTANTIATE_TEST_SUITE_P(
    each, hostile_broker_test,
    ::testing::Values(
        hostile_case{"garbage_http", hostile_behaviour::garbage_http, client_errc::not_kafka_peer, "HTTP"},
        hostile_case{"http_server", hostile_behaviour::http_at_handshake, client_errc::not_kafka_peer,
                     "HTTP"},
        hostile_case{"tls_listener", hostile_behaviour::tls_alert_at_handshake,
                     client_errc::not_kafka_peer, "TLS"},
        hostile_case{"garbage_bytes", hostile_behaviour::garbage_bytes,
                     client_errc::correlation_id_mismatch},
        hostile_case{"truncated_then_close", hostile_behaviour::truncated_then_close,
                     client_errc::connection_closed},
        hostile_case{"truncated_then_silence", hostile_behaviour::truncated_then_silence,
                     client_errc::timed_out},
        hostile_case{"zero_length", hostile_behaviour::zero_length, client_errc::invalid_length},
        hostile_case{"negative_length", hostile_behaviour::negative_length,
                     client_errc::invalid_length},
        hostile_case{"length_2_pow_31_minus_1", hostile_behaviour::max_length,
                     client_errc::frame_too_large},
        hostile_case{"wrong_correlation_id", hostile_behaviour::wrong_correlation_id,
                     client_errc::correlation_id_mismatch},
        hostile_case{"out_of_order", hostile_behaviour::out_of_order,
                     client_errc::correlation_id_mismatch},
        hostile_case{"accept_and_never_answer", hostile_behaviour::silent, client_errc::timed_out},
        hostile_case{"trickle_one_byte_at_a_time", hostile_behaviour::trickle,
                     client_errc::timed_out}),
    [](const ::testing::TestParamInfo<hostile_case>& param) {
        return std::string(param.param.name);
    });

}  // namespace
}  // namespace kasio::net

// Pipelining and per-purpose connections against librdkafka 2.14.2's mock cluster (issue 5,
// must-show 2): a thousand requests issued at once on one connection all complete, each with
// its own answer, and the connection's counters show that never more than
// max.in.flight.requests.per.connection were outstanding; a Produce issued while a long-polling
// Fetch waits on the same broker completes first.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mock_cluster_fixture.hpp"
#include "net/broker_pool.hpp"
#include "protocol/messages.hpp"
#include "protocol/record_batch_builder.hpp"

namespace kasio::net {
namespace {

using protocol::msg::fetch_request;
using protocol::msg::fetch_response;
using protocol::msg::metadata_request;
using protocol::msg::metadata_response;
using protocol::msg::produce_request;
using protocol::msg::produce_response;

template <class Pred>
bool run_until(asio::io_context& io, Pred pred, int max_steps = 1000000) {
    for (int i = 0; i < max_steps && !pred(); ++i) {
        if (io.stopped()) io.restart();
        if (io.run_one_for(std::chrono::seconds(10)) == 0) break;
    }
    return pred();
}

// For conditions the mock's thread makes true: each step waits at most 5 ms for io work.
template <class Pred>
bool run_until_external(asio::io_context& io, Pred pred) {
    for (int i = 0; i < 4000 && !pred(); ++i) {
        if (io.stopped()) io.restart();
        io.run_one_for(std::chrono::milliseconds(5));
    }
    return pred();
}

struct result {
    error_code ec;
    response_frame frame;
};

metadata_request metadata_for(std::vector<std::string> topics) {
    metadata_request r;
    r.allow_auto_topic_creation = false;
    r.topics.emplace();
    for (auto& t : topics) {
        metadata_request::metadata_request_topic mt;
        mt.name = std::move(t);
        r.topics->push_back(std::move(mt));
    }
    return r;
}

class net_pipelining : public test::mock_cluster_test {
protected:
    void SetUp() override {
        mock_cluster_test::SetUp();
        pool_config pc;
        pc.connection.request_timeout = std::chrono::seconds(60);
        if (std::getenv("KASIO_TEST_DEBUG")) {
            (void)pc.connection.set("debug", "all");
            pc.connection.log.sink = [](log_level, std::string_view line) {
                std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
            };
        }
        pool.emplace(io.get_executor(), pc);
        // Broker addresses from a bootstrap Metadata request, as the refresher would set them.
        const std::string first = cluster().bootstrap().substr(0, cluster().bootstrap().find(','));
        std::optional<result> r;
        pool->async_bootstrap_request(first, metadata_request{},
                                      [&](error_code ec, response_frame f) {
                                          r = result{ec, std::move(f)};
                                      });
        ASSERT_TRUE(run_until(io, [&] { return r.has_value(); }));
        ASSERT_FALSE(r->ec) << r->ec.message();
        metadata_response m;
        ASSERT_FALSE(decode_response(r->frame, m));
        for (const auto& b : m.brokers) pool->set_broker(b.node_id, b.host, b.port);
    }

    void TearDown() override {
        pool.reset();
        io.poll();
    }

    std::optional<pooled_connection_stats> stats_of(std::int32_t node, purpose p) {
        std::optional<std::vector<pooled_connection_stats>> all;
        pool->async_stats([&](std::vector<pooled_connection_stats> s) { all = std::move(s); });
        EXPECT_TRUE(run_until(io, [&] { return all.has_value(); }));
        if (!all) return std::nullopt;
        for (auto& s : *all) {
            if (s.node_id == node && s.p == p) return s;
        }
        return std::nullopt;
    }

    asio::io_context io;
    std::optional<broker_pool> pool;
};

TEST_F(net_pipelining, thousand_requests_at_once_on_one_connection_stay_within_max_in_flight) {
    // Ten topics with 1..10 partitions: each answer must be the one to its own request.
    constexpr int topics = 10;
    for (int t = 0; t < topics; ++t)
        ASSERT_EQ(cluster().create_topic("pipe-" + std::to_string(t), t + 1),
                  RD_KAFKA_RESP_ERR_NO_ERROR);

    constexpr int n = 1000;
    std::vector<std::optional<result>> results(n);
    int done = 0;
    for (int i = 0; i < n; ++i) {
        pool->async_request(1, purpose::general, metadata_for({"pipe-" + std::to_string(i % topics)}),
                            [&, i](error_code ec, response_frame f) {
                                results[static_cast<std::size_t>(i)] = result{ec, std::move(f)};
                                ++done;
                            });
    }
    ASSERT_TRUE(run_until(io, [&] { return done == n; }));

    for (int i = 0; i < n; ++i) {
        const auto& r = results[static_cast<std::size_t>(i)];
        ASSERT_TRUE(r.has_value());
        ASSERT_FALSE(r->ec) << "request " << i << ": " << r->ec.message();
        metadata_response m;
        ASSERT_FALSE(decode_response(r->frame, m)) << "request " << i;
        ASSERT_EQ(m.topics.size(), 1u);
        EXPECT_EQ(m.topics[0].name, "pipe-" + std::to_string(i % topics));
        EXPECT_EQ(m.topics[0].partitions.size(), static_cast<std::size_t>(i % topics + 1));
    }

    const auto s = stats_of(1, purpose::general);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->connects, 1u);  // one connection carried them all
    // The thousand plus the ApiVersions handshake.
    EXPECT_GE(s->counters.requests, static_cast<std::uint64_t>(n) + 1);
    EXPECT_EQ(s->counters.responses, s->counters.requests);
    EXPECT_EQ(s->counters.in_flight, 0u);
    // All were queued before the first write: the pipeline filled up, and never beyond the limit.
    EXPECT_EQ(s->counters.peak_in_flight, pool->config().connection.max_in_flight);
    EXPECT_GT(s->counters.bytes_out, 0u);
    EXPECT_GT(s->counters.bytes_in, s->counters.bytes_out);
}

TEST_F(net_pipelining, counters_survive_a_reconnect_and_name_each_connection) {
    ASSERT_FALSE([&] {
        std::optional<result> r;
        pool->async_request(2, purpose::bulk, metadata_request{},
                            [&](error_code ec, response_frame f) {
                                r = result{ec, std::move(f)};
                            });
        EXPECT_TRUE(run_until(io, [&] { return r.has_value(); }));
        return r ? r->ec : error_code(asio::error::timed_out);
    }());
    const auto before = stats_of(2, purpose::bulk);
    ASSERT_TRUE(before.has_value());
    EXPECT_TRUE(before->connected);
    EXPECT_EQ(before->index, 0u);
    EXPECT_NE(before->address.find(':'), std::string::npos);
    EXPECT_GE(before->counters.requests, 2u);  // ApiVersions + Metadata

    // Lose the connection, then use it again: the counters keep adding up.
    ASSERT_EQ(cluster().broker_down(2), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(run_until_external(io, [&] {
        const auto s = stats_of(2, purpose::bulk);
        return s && !s->connected;
    }));
    ASSERT_EQ(cluster().broker_up(2), RD_KAFKA_RESP_ERR_NO_ERROR);
    error_code last = asio::error::timed_out;
    for (int attempt = 0; attempt < 20 && last; ++attempt) {
        std::optional<result> r;
        pool->async_request(2, purpose::bulk, metadata_request{},
                            [&](error_code ec, response_frame f) {
                                r = result{ec, std::move(f)};
                            });
        ASSERT_TRUE(run_until(io, [&] { return r.has_value(); }));
        last = r->ec;
    }
    ASSERT_FALSE(last) << last.message();
    const auto after = stats_of(2, purpose::bulk);
    ASSERT_TRUE(after.has_value());
    EXPECT_GE(after->connects, 2u);
    EXPECT_GE(after->counters.requests, before->counters.requests + 2);
    EXPECT_GT(after->counters.bytes_in, before->counters.bytes_in);
}

TEST_F(net_pipelining, produce_completes_while_a_long_polling_fetch_waits_on_the_same_broker) {
    ASSERT_EQ(cluster().create_topic("longpoll", 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    std::optional<result> md;
    pool->async_request(1, purpose::general, metadata_for({"longpoll"}),
                        [&](error_code ec, response_frame f) {
                            md = result{ec, std::move(f)};
                        });
    ASSERT_TRUE(run_until(io, [&] { return md.has_value(); }));
    ASSERT_FALSE(md->ec);
    metadata_response m;
    ASSERT_FALSE(decode_response(md->frame, m));
    ASSERT_EQ(m.topics.size(), 1u);
    ASSERT_EQ(m.topics[0].partitions.size(), 1u);
    const std::int32_t leader = m.topics[0].partitions[0].leader_id;

    // A Fetch of the empty partition: the broker holds it for max_wait_ms (the mock does too).
    fetch_request fr;
    fr.max_wait_ms = 30000;
    fr.min_bytes = 1;
    fr.max_bytes = 1 << 20;
    fetch_request::fetch_topic ft;
    ft.topic = "longpoll";
    ft.topic_id = m.topics[0].topic_id;
    fetch_request::fetch_topic::fetch_partition fp;
    fp.partition = 0;
    fp.fetch_offset = 0;
    fp.partition_max_bytes = 1 << 20;
    ft.partitions.push_back(fp);
    fr.topics.push_back(ft);
    cluster().start_request_tracking();
    // Shared with the handlers: the Fetch completes after this test body when an ASSERT fails.
    struct outcome {
        std::vector<std::string> order;
        std::optional<result> fetch, produce;
    };
    auto out = std::make_shared<outcome>();
    auto& order = out->order;
    auto& fetch = out->fetch;
    auto& produce = out->produce;
    pool->async_request(leader, purpose::long_poll, fr, [out](error_code ec, response_frame f) {
        out->fetch = result{ec, std::move(f)};
        out->order.push_back("fetch");
    });
    ASSERT_TRUE(run_until_external(io, [&] {
        const auto seen = cluster().requests();
        return std::any_of(seen.begin(), seen.end(), [](const test::tracked_request& r) {
            return r.api_key == fetch_request::api_key;
        });
    }));

    protocol::record_batch_builder batch(1 << 16);
    const std::string value = "while the fetch waits";
    ASSERT_TRUE(batch.append(
        0, std::nullopt,
        protocol::bytes_view(reinterpret_cast<const std::uint8_t*>(value.data()), value.size())));
    error_code bec;
    const protocol::bytes_view records = batch.finish(compression::codec::none, bec);
    ASSERT_FALSE(bec);
    produce_request pr;
    pr.acks = 1;
    pr.timeout_ms = 10000;
    produce_request::topic_produce_data td;
    td.name = "longpoll";
    produce_request::topic_produce_data::partition_produce_data pd;
    pd.index = 0;
    pd.records = records;
    td.partition_data.push_back(pd);
    pr.topic_data.push_back(td);
    pool->async_request(leader, purpose::bulk, pr, [out](error_code ec, response_frame f) {
        out->produce = result{ec, std::move(f)};
        out->order.push_back("produce");
    });
    ASSERT_TRUE(run_until(io, [&] { return produce.has_value(); }));
    ASSERT_FALSE(produce->ec) << produce->ec.message();
    produce_response p;
    ASSERT_FALSE(decode_response(produce->frame, p));
    ASSERT_EQ(p.responses.size(), 1u);
    ASSERT_EQ(p.responses[0].partition_responses.size(), 1u);
    EXPECT_EQ(p.responses[0].partition_responses[0].error_code, 0);
    ASSERT_FALSE(order.empty());
    EXPECT_EQ(order.front(), "produce");  // the Fetch still waits
    EXPECT_FALSE(fetch.has_value());

    // Closing the pool ends the long poll at once.
    pool->close();
    ASSERT_TRUE(run_until(io, [&] { return fetch.has_value(); }));
    EXPECT_EQ(fetch->ec, client_errc::connection_closed);
}

}  // namespace
}  // namespace kasio::net

// kasio negotiates API versions with librdkafka 2.14.2's mock cluster (3 brokers) and uses the
// chosen Metadata version to list brokers and a topic.
//
// What the mock advertises by default comes from rd_kafka_mock_api_handlers[] in
// src/rdkafka_mock_handlers.c (librdkafka 2.14.2): Produce 0-10, Fetch 0-16, Metadata 0-12,
// ApiVersions 0-2. ApiVersions stops at v2 although the mock parses v3: kasio's v3 request is
// therefore always answered with UNSUPPORTED_VERSION, in a non-KIP-511 layout (see
// negotiator.cpp), and kasio falls back to v0.
#include "net/connection.hpp"
#include "protocol/messages.hpp"

#include "mock_cluster_fixture.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace kasio::net {
namespace {

using protocol::msg::api_versions_request;
using protocol::msg::fetch_request;
using protocol::msg::metadata_request;
using protocol::msg::metadata_response;
using protocol::msg::produce_request;

constexpr const char* topic = "negotiation-topic";

/// What the mock advertises in each run.
struct advertised {
    const char* name;
    bool restrict;  // set_apiversion to old, non-flexible ranges
    std::int16_t api_versions, metadata, produce, fetch;
};

void PrintTo(const advertised& a, std::ostream* os) { *os << a.name; }

// librdkafka 2.14.2's defaults, and the old ranges the restricted run sets.
constexpr advertised current{"current", false, 2, 12, 10, 16};
constexpr advertised old{"old", true, 2, 4, 7, 11};

struct endpoint {
    std::string host, port;
};

std::vector<endpoint> parse_bootstrap(const std::string& list) {
    std::vector<endpoint> out;
    std::size_t pos = 0;
    while (pos <= list.size()) {
        auto comma = list.find(',', pos);
        if (comma == std::string::npos) comma = list.size();
        const auto item = list.substr(pos, comma - pos);
        const auto colon = item.rfind(':');
        if (colon != std::string::npos) out.push_back({item.substr(0, colon), item.substr(colon + 1)});
        pos = comma + 1;
    }
    return out;
}

// What one run saw; asserted outside the coroutine.
struct observed {
    std::vector<error_code> connect_errors;
    std::vector<std::vector<std::int16_t>> versions;  // per broker: api_versions, metadata, produce, fetch
    error_code metadata_error;
    std::int16_t metadata_version = -1;
    metadata_response metadata;
};

asio::awaitable<void> scenario(std::vector<endpoint> brokers, observed& out) {
    auto ex = co_await asio::this_coro::executor;
    std::vector<std::unique_ptr<connection>> conns;
    for (const auto& b : brokers) {
        auto& c = conns.emplace_back(std::make_unique<connection>(ex, connection_config{}));
        auto [ec] = co_await c->async_connect(b.host, b.port, asio::as_tuple(asio::use_awaitable));
        out.connect_errors.push_back(ec);
        out.versions.push_back({c->negotiated_version(api_versions_request::api_key),
                                c->negotiated_version(metadata_request::api_key),
                                c->negotiated_version(produce_request::api_key),
                                c->negotiated_version(fetch_request::api_key)});
    }
    auto& first = *conns.front();
    metadata_request req;
    req.topics.emplace().emplace_back().name = topic;
    req.allow_auto_topic_creation = false;
    auto [ec, frame] = co_await first.async_request(req, asio::as_tuple(asio::use_awaitable));
    out.metadata_error = ec ? ec : decode_response(frame, out.metadata);
    out.metadata_version = frame.api_version;
}

class negotiation : public test::mock_cluster_test, public ::testing::WithParamInterface<advertised> {};

TEST_P(negotiation, picks_common_versions_and_lists_metadata) {
    const advertised& a = GetParam();
    ASSERT_EQ(cluster().create_topic(topic, 3, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    if (a.restrict) {
        ASSERT_EQ(cluster().set_apiversion(api_versions_request::api_key, 0, a.api_versions), RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_EQ(cluster().set_apiversion(metadata_request::api_key, 0, a.metadata), RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_EQ(cluster().set_apiversion(produce_request::api_key, 0, a.produce), RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_EQ(cluster().set_apiversion(fetch_request::api_key, 0, a.fetch), RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    cluster().start_request_tracking();

    const auto brokers = parse_bootstrap(cluster().bootstrap());
    ASSERT_EQ(brokers.size(), 3u);
    asio::io_context io;
    observed seen;
    bool finished = false;
    asio::co_spawn(io, scenario(brokers, seen), [&](std::exception_ptr e) {
        finished = true;
        if (e) std::rethrow_exception(e);
    });
    io.run_for(std::chrono::seconds(60));  // a bound against hangs; returns as soon as all is done
    ASSERT_TRUE(finished);

    const std::vector<std::int16_t> expected = {
        std::min(api_versions_request::max_version, a.api_versions),
        std::min(metadata_request::max_version, a.metadata),
        std::min(produce_request::max_version, a.produce),
        std::min(fetch_request::max_version, a.fetch),
    };
    for (std::size_t i = 0; i < brokers.size(); ++i) {
        ASSERT_FALSE(seen.connect_errors[i]) << "broker " << i << ": " << seen.connect_errors[i].message();
        EXPECT_EQ(seen.versions[i], expected) << "broker " << i;
    }
    if (a.restrict) {
        // Nothing flexible is left but ApiVersions' fallback.
        EXPECT_LT(seen.versions[0][1], metadata_request::first_flexible_version);
        EXPECT_LT(seen.versions[0][2], produce_request::first_flexible_version);
        EXPECT_LT(seen.versions[0][3], fetch_request::first_flexible_version);
    } else {
        EXPECT_EQ(seen.versions[0][1], 12);  // Metadata v12, flexible
        EXPECT_GE(seen.versions[0][2], 9);   // Produce flexible
        EXPECT_GE(seen.versions[0][3], 12);  // Fetch flexible
    }

    // Each connection asked ApiVersions twice: v3 (UNSUPPORTED_VERSION), then v0.
    std::size_t api_versions_requests = 0;
    for (const auto& r : cluster().requests()) {
        if (r.api_key == api_versions_request::api_key) ++api_versions_requests;
    }
    EXPECT_EQ(api_versions_requests, 2 * brokers.size());

    ASSERT_FALSE(seen.metadata_error) << seen.metadata_error.message();
    EXPECT_EQ(seen.metadata_version, expected[1]);
    std::set<std::int32_t> ids;
    for (const auto& b : seen.metadata.brokers) ids.insert(b.node_id);
    EXPECT_EQ(ids, (std::set<std::int32_t>{1, 2, 3}));
    ASSERT_EQ(seen.metadata.topics.size(), 1u);
    const auto& t = seen.metadata.topics[0];
    EXPECT_EQ(t.error_code, 0);
    EXPECT_EQ(t.name, topic);
    EXPECT_EQ(t.partitions.size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(mock, negotiation, ::testing::Values(current, old),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace kasio::net

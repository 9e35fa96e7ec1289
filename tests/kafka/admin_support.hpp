// The admin tests' shared fixture: an admin client on the real cluster, a blocking call()
// around its operations, topic creation that waits until every broker knows the topic, and the
// Kafka error name of an error code (what the Java peer prints).
#pragma once

#include "kafka_cluster.hpp"
#include "kasio_clients.hpp"

#include <kasio/admin.hpp>
#include <kasio/broker_errc.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kasio::test::kafka {

namespace asio = boost::asio;

inline admin_config admin_base_config() {
    admin_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    debug_log(cfg.connection);
    return cfg;
}

/// Starts op(handler) and runs io until the handler ran (or 30 s without any handler running).
template <class Value, class Op>
inline std::pair<error_code, Value> call(asio::io_context& io, Op op) {
    std::optional<std::pair<error_code, Value>> got;
    op([&](error_code ec, Value v) { got.emplace(ec, std::move(v)); });
    while (!got) {
        if (io.stopped()) io.restart();
        if (io.run_one_for(std::chrono::seconds(30)) == 0) break;
    }
    EXPECT_TRUE(got.has_value()) << "the operation did not complete";
    if (!got) return {asio::error::timed_out, Value{}};
    return std::move(*got);
}

struct admin_fixture : ::testing::Test {
    asio::io_context io;
    admin client{io.get_executor(), admin_base_config()};

    std::vector<created_topic> create(std::vector<new_topic> topics, create_options options = {}) {
        auto [ec, out] = call<std::vector<created_topic>>(
            io, [&](auto h) { client.async_create_topics(std::move(topics), options, h); });
        EXPECT_EQ(ec, first_error(out));
        return out;
    }
    std::vector<topic_listing> list(bool internal = false) {
        auto [ec, out] = call<std::vector<topic_listing>>(
            io, [&](auto h) { client.async_list_topics(list_topics_options{internal}, h); });
        EXPECT_FALSE(ec) << ec.message();
        return out;
    }
    // Creates a topic and waits until every broker knows it: a CreateTopics answer means the
    // controller committed the topic, and brokers learn of it a moment later (a DescribeConfigs
    // to one that has not yet answers unknown_topic_or_partition, as Java's Admin sees too).
    // Admin requests that may go to any broker are asked round robin, so three answers in a
    // row without that error are three brokers.
    created_topic create_known(new_topic t) {
        const std::string name = t.name;
        auto out = create({std::move(t)});
        EXPECT_FALSE(out[0].error) << out[0].error.message() << ": " << out[0].message;
        int in_a_row = 0;
        for (int attempt = 0; attempt < 300 && in_a_row < 3; ++attempt) {
            auto [ec, d] = call<std::vector<config_description>>(io, [&](auto h) {
                client.async_describe_configs({config_resource{config_resource_type::topic, name}}, h);
            });
            in_a_row = ec ? 0 : in_a_row + 1;
            if (ec) pause(std::chrono::milliseconds(100));  // the brokers' metadata propagates
        }
        EXPECT_EQ(in_a_row, 3) << "brokers did not learn of topic " << name;
        return out[0];
    }
    // Waits before polling a cluster-wide change again (the admin's own work runs meanwhile).
    void pause(std::chrono::milliseconds d) {
        asio::steady_timer timer(io, d);
        bool done = false;
        timer.async_wait([&](error_code) { done = true; });
        while (!done) {
            if (io.stopped()) io.restart();
            io.run_one();
        }
    }
    static error_code first_error(const auto& items) {
        for (const auto& i : items)
            if (i.error) return i.error;
        return {};
    }
    static bool listed(const std::vector<topic_listing>& all, const std::string& name) {
        return std::any_of(all.begin(), all.end(), [&](const topic_listing& t) { return t.name == name; });
    }
};

inline new_topic topic_of(std::string name, std::int32_t partitions, std::int16_t replication,
                   std::vector<std::pair<std::string, std::string>> configs = {}) {
    new_topic t;
    t.name = std::move(name);
    t.num_partitions = partitions;
    t.replication_factor = replication;
    t.configs = std::move(configs);
    return t;
}

/// The Kafka name of a broker error ("unknown_topic_or_partition"), as the Java peer prints it;
/// "" for success.
inline std::string error_name(const error_code& ec) {
    if (!ec) return "";
    const std::string m = ec.message();
    return m.substr(0, m.find(':'));
}

}  // namespace kasio::test::kafka

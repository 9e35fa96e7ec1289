// The connection used from several threads at once: its io_context runs on two threads,
// requests come from two more, the fake broker runs on its own. Meant for TSan as much as for
// the assertions (KASIO_SANITIZE=thread).
#include "net/connection.hpp"
#include "protocol/messages.hpp"

#include "fake_broker.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

namespace kasio::net {
namespace {

using protocol::msg::metadata_request;
using protocol::msg::metadata_response;

TEST(connection_threads, requests_from_many_threads_are_all_matched) {
    constexpr int per_thread = 200;
    constexpr int issuers = 2;

    // The broker answers every Metadata request with node_id = its correlation id; it runs on
    // its own thread and context, so only that thread touches it until it is joined.
    asio::io_context broker_io;
    test::fake_broker broker(broker_io);
    broker.on_request = [&](const test::fake_broker::request& r) {
        if (r.api_key == 18) return broker.answer_api_versions(r);
        metadata_response m;
        m.brokers.resize(1);
        m.brokers[0].node_id = r.correlation_id;
        m.brokers[0].host = "h";
        broker.reply(r, m, r.api_version);
    };
    const auto port = broker.port();
    std::thread broker_thread([&] { broker_io.run(); });

    asio::io_context io;
    auto guard = asio::make_work_guard(io);
    std::thread runner1([&] { io.run(); });
    std::thread runner2([&] { io.run(); });

    // In a lambda so a failed ASSERT still reaches the joins below.
    [&] {
        connection conn(io.get_executor(), connection_config{});
        std::promise<error_code> connected;
        conn.async_connect("127.0.0.1", port, [&](error_code ec) { connected.set_value(ec); });
        const error_code connect_ec = connected.get_future().get();
        ASSERT_FALSE(connect_ec) << connect_ec.message();

        std::atomic<int> completed{0}, matched{0};
        std::promise<void> all_done;
        auto on_response = [&](error_code ec, response_frame f) {
            metadata_response m;
            if (!ec && !decode_response(f, m) && m.brokers.size() == 1 && m.brokers[0].node_id == f.header.correlation_id)
                matched.fetch_add(1);
            if (completed.fetch_add(1) + 1 == per_thread * issuers) all_done.set_value();
        };
        std::vector<std::thread> senders;
        for (int t = 0; t < issuers; ++t) {
            senders.emplace_back([&] {
                for (int i = 0; i < per_thread; ++i) conn.async_request(metadata_request{}, on_response);
            });
        }
        for (auto& s : senders) s.join();
        // A bound against hangs, not a timing assertion.
        ASSERT_EQ(all_done.get_future().wait_for(std::chrono::seconds(60)), std::future_status::ready);
        EXPECT_EQ(matched.load(), per_thread * issuers);
        const auto s = conn.stats();
        EXPECT_EQ(s.requests, 1u + per_thread * issuers);
        EXPECT_EQ(s.responses, 1u + per_thread * issuers);
    }();  // destroying the connection closes it: the broker's read loop ends

    asio::post(broker_io, [&] { broker.stop_accepting(); });
    if (HasFailure()) broker_io.stop();
    broker_thread.join();
    EXPECT_EQ(broker.received.size(), 1u + per_thread * issuers);
    guard.reset();
    runner1.join();
    runner2.join();
}

}  // namespace
}  // namespace kasio::net

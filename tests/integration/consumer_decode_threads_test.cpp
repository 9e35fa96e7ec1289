// A consumer call made while poll decompresses a large batch completes before the poll does:
// poll decodes without the consumer's mutex (issue 14). The moment of decoding is known without
// any timing: this binary replaces operator new (large_allocation_hook), and the first allocation
// of at least 4 MiB once armed is the decompression buffer of the one large record (its
// compressed batch, the only thing fetched, is a few KiB). From inside that allocation, on the
// thread running the poll, another thread calls position() and the allocation waits for it.
// Were the mutex held, position() would wait for the poll and the poll for position(): the
// check gives up after a minute and the test fails (it does not hang).
#include "consumer_support.hpp"
#include "io_thread.hpp"
#include "large_allocation_hook.hpp"
#include "mock_cluster_fixture.hpp"

#include <kasio/consumer.hpp>
#include <kasio/producer.hpp>

#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

namespace kasio {
namespace {

class consumer_decode_threads : public test::mock_cluster_test {};

TEST_F(consumer_decode_threads, position_returns_while_poll_decompresses_a_large_batch) {
    ASSERT_EQ(cluster().create_topic("large", 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    test::io_threads io(4);

    // One 8 MiB record of a repeated byte: a zstd batch of a few KiB, 8 MiB once decompressed.
    const std::string value(std::size_t{8} << 20, 'x');
    {
        producer_config pc;
        pc.bootstrap_servers = {cluster().bootstrap()};
        ASSERT_FALSE(pc.set("compression.type", "zstd"));
        ASSERT_FALSE(pc.set("max.request.size", std::to_string(std::size_t{16} << 20)));
        ASSERT_FALSE(pc.set("batch.size", std::to_string(std::size_t{16} << 20)));
        producer p(io.io().get_executor(), pc);
        record r;
        r.topic = "large";
        r.value = bytes_of(value);
        auto sent = p.async_send(r, boost::asio::use_future);
        EXPECT_NO_THROW(sent.get());
        p.async_close(std::chrono::seconds(10), boost::asio::use_future).get();
    }

    consumer_config cfg;
    ASSERT_FALSE(cfg.set("bootstrap.servers", cluster().bootstrap()));
    ASSERT_FALSE(cfg.set("auto.offset.reset", "earliest"));
    ASSERT_FALSE(cfg.set("fetch.max.wait.ms", "100"));
    ASSERT_FALSE(cfg.set("max.poll.records", "10"));  // keeps poll's own reserve() small
    auto c = std::make_unique<consumer>(io.io().get_executor(), cfg);
    const topic_partition tp{"large", 0};
    c->assign({tp});

    // Written by the hook on the thread decoding, read here once the poll has completed.
    bool probed = false, probe_returned = false;
    std::optional<std::int64_t> position_during_decode;
    std::promise<std::optional<std::int64_t>> probe_result;
    std::thread probe;
    using hook = test::large_allocation_hook;
    hook::threshold = std::size_t{4} << 20;
    hook::on_allocation = [&] {
        probed = true;
        probe = std::thread([&] { probe_result.set_value(c->position(tp)); });
        auto f = probe_result.get_future();
        if (f.wait_for(std::chrono::minutes(1)) == std::future_status::ready) {
            probe_returned = true;
            position_during_decode = f.get();
        }
    };
    hook::armed = true;

    std::promise<std::pair<error_code, fetch_batch>> polled;
    auto result = polled.get_future();
    c->async_poll([&polled](error_code ec, fetch_batch b) { polled.set_value({ec, std::move(b)}); });
    const bool poll_completed = result.wait_for(std::chrono::minutes(2)) == std::future_status::ready;
    hook::armed = false;
    if (probe.joinable()) probe.join();  // returns once the poll has let go of the mutex
    ASSERT_TRUE(poll_completed);
    auto [ec, batch] = result.get();

    EXPECT_FALSE(ec) << ec.message();
    ASSERT_EQ(batch.size(), 1u);
    EXPECT_EQ(batch.begin()->value->size(), value.size());
    EXPECT_TRUE(probed) << "no allocation of the decompression buffer was seen";
    EXPECT_TRUE(probe_returned) << "position() waited for the decoding poll";
    EXPECT_EQ(position_during_decode, 0);  // not advanced before the records are handed out
    EXPECT_EQ(c->position(tp), 1);

    c->async_close(boost::asio::use_future).get();
    c.reset();
    io.stop();
}

}  // namespace
}  // namespace kasio

// The consumer on an io_context run by four threads, polled from one application thread while
// two others call position(), pause()/resume(), assignment() and stats() throughout: every record
// comes out intact and in order per partition, positions never go back, and every call returns.
// zstd batches make poll decompress, which it does without the consumer's mutex (issue 14).
// tests/tsan.sh runs it under ThreadSanitizer.
#include "consumer_support.hpp"
#include "io_thread.hpp"
#include "mock_cluster_fixture.hpp"

#include <kasio/consumer.hpp>

#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace kasio {
namespace {

class consumer_threads : public test::mock_cluster_test {};

// One poll from the calling thread; false when it did not complete in a minute (a hang, not a
// timing check: a poll with records buffered completes at once).
bool poll_once(consumer& c, error_code& ec, fetch_batch& batch) {
    std::promise<std::pair<error_code, fetch_batch>> done;
    auto result = done.get_future();
    c.async_poll([&done](error_code e, fetch_batch b) { done.set_value({e, std::move(b)}); });
    if (result.wait_for(std::chrono::minutes(1)) != std::future_status::ready) return false;
    std::tie(ec, batch) = result.get();
    return true;
}

TEST_F(consumer_threads, records_stay_complete_and_ordered_while_other_threads_call_the_consumer) {
    constexpr int partitions = 4;
    ASSERT_EQ(cluster().create_topic("threads", partitions), RD_KAFKA_RESP_ERR_NO_ERROR);
    test::writer_options w;
    w.codec = "zstd";
    w.partitions = partitions;
    w.value_size = 200;
    w.batch_num_messages = 2000;
    const auto n = static_cast<std::size_t>(20000 * test::test_scale());
    ASSERT_EQ(test::produce_records(cluster().bootstrap(), "threads", n, w), n);

    test::io_threads io(4);
    consumer_config cfg;
    ASSERT_FALSE(cfg.set("bootstrap.servers", cluster().bootstrap()));
    ASSERT_FALSE(cfg.set("auto.offset.reset", "earliest"));
    ASSERT_FALSE(cfg.set("fetch.max.wait.ms", "100"));
    ASSERT_FALSE(cfg.set("max.poll.records", "300"));
    auto c = std::make_unique<consumer>(io.io().get_executor(), cfg);
    std::vector<topic_partition> all;
    for (int p = 0; p < partitions; ++p) all.push_back({"threads", p});
    c->assign(all);

    // The callers pause and resume a partition once per completed poll (a pause drops what is
    // buffered for it, so pausing without bound could starve the poll); the other calls run
    // without pause.
    std::atomic<std::size_t> polls{0};
    std::atomic<bool> stop{false};
    std::atomic<std::size_t> calls{0}, pauses{0}, regressions{0}, wrong_assignment{0};
    auto caller = [&](int id) {
        std::vector<std::int64_t> last(partitions, -1);
        std::size_t paused_at_poll = 0;
        for (std::size_t i = 0; !stop.load(); ++i) {
            const topic_partition tp{"threads", static_cast<std::int32_t>((i + static_cast<std::size_t>(id)) % partitions)};
            if (const auto pos = c->position(tp)) {
                auto& l = last[static_cast<std::size_t>(tp.partition)];
                if (*pos < l) ++regressions;
                l = *pos;
            }
            if (c->assignment().size() != all.size()) ++wrong_assignment;
            (void)c->stats();
            (void)c->last_error();
            if (const std::size_t p = polls.load(); p != paused_at_poll) {
                paused_at_poll = p;
                c->pause({tp});
                (void)c->position(tp);
                c->resume({tp});
                ++pauses;
            }
            ++calls;
        }
    };
    std::thread a(caller, 0), b(caller, 1);

    test::record_checker checker;
    checker.value_size = w.value_size;
    error_code last_error;
    while (checker.count < n && !last_error) {
        error_code ec;
        fetch_batch batch;
        if (!poll_once(*c, ec, batch)) {
            ADD_FAILURE() << "a poll did not complete; " << checker.count << " of " << n << " records read";
            break;
        }
        last_error = ec;
        for (const auto& r : batch) checker.check(r);
        ++polls;
    }
    stop = true;
    a.join();
    b.join();

    EXPECT_FALSE(last_error) << last_error.message();
    EXPECT_EQ(checker.count, n);
    EXPECT_EQ(checker.bad, 0u);
    for (int p = 0; p < partitions; ++p) EXPECT_EQ(c->position({"threads", p}), static_cast<std::int64_t>(n / partitions));
    EXPECT_EQ(regressions.load(), 0u);
    EXPECT_EQ(wrong_assignment.load(), 0u);
    EXPECT_GT(calls.load(), 0u);
    EXPECT_GT(pauses.load(), 0u);

    c->async_close(boost::asio::use_future).get();
    c.reset();
    io.stop();
}

}  // namespace
}  // namespace kasio

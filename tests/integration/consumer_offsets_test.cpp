// Positions on librdkafka 2.14's mock cluster: auto.offset.reset (earliest, latest, none),
// OFFSET_OUT_OF_RANGE, seek, seek to beginning/end/timestamp (ListOffsets), pause/resume, and the
// prefetch bound with an application that polls slowly.
#include "consumer_support.hpp"
#include "mock_cluster_fixture.hpp"

#include <kasio/broker_errc.hpp>
#include <kasio/consumer.hpp>

#include <gtest/gtest.h>

namespace kasio {
namespace {

using test::record_checker;

class consumer_offsets : public test::mock_cluster_test {
protected:
    void SetUp() override {
        mock_cluster_test::SetUp();
        ASSERT_EQ(cluster().create_topic("pos", 1), RD_KAFKA_RESP_ERR_NO_ERROR);
        test::writer_options w;
        ASSERT_EQ(test::produce_records(cluster().bootstrap(), "pos", 100, w), 100u);
    }
    consumer_config config(std::string_view reset) {
        consumer_config cfg;
        EXPECT_FALSE(cfg.set("bootstrap.servers", cluster().bootstrap()));
        EXPECT_FALSE(cfg.set("auto.offset.reset", reset));
        EXPECT_FALSE(cfg.set("fetch.max.wait.ms", "20"));
        return cfg;
    }
    // The first record the next poll returns (its offset), or the poll's error.
    std::pair<error_code, std::int64_t> next_record(consumer& c) {
        std::optional<std::pair<error_code, std::int64_t>> got;
        c.async_poll([&](error_code ec, fetch_batch b) { got = {ec, b.empty() ? -1 : b.begin()->offset}; });
        EXPECT_TRUE(test::run_until(io, [&] { return got.has_value(); }));
        return got.value_or(std::pair{error_code(boost::asio::error::timed_out), -1});
    }
    const topic_partition tp{"pos", 0};
    void TearDown() override { kasio::test::finish_shutdown(io); }
    boost::asio::io_context io;
};

TEST_F(consumer_offsets, latest_starts_after_the_records_already_there) {
    consumer c(io.get_executor(), config("latest"));
    c.assign({tp});
    ASSERT_TRUE(test::run_until(io, [&] { return c.position(tp).has_value(); }));
    EXPECT_EQ(c.position(tp), 100);
    test::writer_options w;
    w.first = 100;
    ASSERT_EQ(test::produce_records(cluster().bootstrap(), "pos", 50, w), 50u);
    record_checker checker;
    checker.next_offset[0] = 100;
    EXPECT_FALSE(test::consume(io, c, checker, 50));
    EXPECT_EQ(checker.bad, 0u);
    EXPECT_EQ(checker.seq_sum, (100u + 149u) * 50u / 2);
}

TEST_F(consumer_offsets, earliest_starts_at_the_first_record) {
    consumer c(io.get_executor(), config("earliest"));
    c.assign({tp});
    EXPECT_EQ(next_record(c), (std::pair{error_code{}, std::int64_t{0}}));
}

TEST_F(consumer_offsets, seek_moves_the_next_record_and_drops_what_was_fetched) {
    consumer c(io.get_executor(), config("earliest"));
    c.assign({tp});
    EXPECT_EQ(next_record(c).second, 0);
    c.seek(tp, 40);
    EXPECT_EQ(c.position(tp), 40);
    EXPECT_EQ(next_record(c), (std::pair{error_code{}, std::int64_t{40}}));
    c.seek_to_beginning({tp});
    EXPECT_EQ(next_record(c).second, 0);
    c.seek_to_end({tp});
    ASSERT_TRUE(test::run_until(io, [&] { return c.position(tp).has_value(); }));
    EXPECT_EQ(c.position(tp), 100);
}

TEST_F(consumer_offsets, out_of_range_offset_resets_to_earliest) {
    consumer c(io.get_executor(), config("earliest"));
    c.assign({tp});
    c.seek(tp, 5000);  // OFFSET_OUT_OF_RANGE from the broker, then a ListOffsets
    EXPECT_EQ(next_record(c), (std::pair{error_code{}, std::int64_t{0}}));
    EXPECT_GE(c.stats().list_offsets_requests, 1u);
}

TEST_F(consumer_offsets, reset_none_reports_out_of_range_until_a_seek) {
    consumer c(io.get_executor(), config("none"));
    c.assign({tp});
    EXPECT_EQ(next_record(c).first, broker_errc::offset_out_of_range);
    c.seek(tp, 5000);
    EXPECT_EQ(next_record(c).first, broker_errc::offset_out_of_range);
    c.seek(tp, 7);
    EXPECT_EQ(next_record(c), (std::pair{error_code{}, std::int64_t{7}}));
}

TEST_F(consumer_offsets, seek_to_timestamp_completes_through_list_offsets) {
    consumer c(io.get_executor(), config("earliest"));
    c.assign({tp});
    std::optional<error_code> done;
    c.async_seek_to_timestamp({tp}, 1700000000050, [&](error_code ec) { done = ec; });
    ASSERT_TRUE(test::run_until(io, [&] { return done.has_value(); }));
    EXPECT_FALSE(*done);
    // librdkafka 2.14's mock answers every timestamp lookup with offset -1 ("FIXME: by
    // timestamp"): no record at or after it, so the position is the end, as the Java client does.
    EXPECT_EQ(c.position(tp), 100);
}

TEST_F(consumer_offsets, paused_partitions_return_nothing_until_resumed) {
    ASSERT_EQ(cluster().create_topic("two", 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    test::writer_options w;
    w.partitions = 2;
    ASSERT_EQ(test::produce_records(cluster().bootstrap(), "two", 200, w), 200u);
    consumer c(io.get_executor(), config("earliest"));
    c.assign({{"two", 0}, {"two", 1}});
    c.pause({{"two", 1}});
    record_checker checker;
    EXPECT_FALSE(test::consume(io, c, checker, 100));
    EXPECT_EQ(checker.next_offset.count(1), 0u);  // nothing from the paused partition
    // Not advanced. Unset is right too: whether the earliest offset of the paused partition
    // was looked up before pause() took effect depends on when the fetch loop ran.
    EXPECT_EQ(c.position({"two", 1}).value_or(0), 0);
    c.resume({{"two", 1}});
    EXPECT_FALSE(test::consume(io, c, checker, 200));
    EXPECT_EQ(checker.count, 200u);
    EXPECT_EQ(checker.bad, 0u);
}

TEST_F(consumer_offsets, prefetch_stays_bounded_while_the_application_is_slow) {
    ASSERT_EQ(cluster().create_topic("slow", 8), RD_KAFKA_RESP_ERR_NO_ERROR);
    test::writer_options w;
    w.partitions = 8;
    w.batch_num_messages = 50;  // ~7 KB batches
    const std::size_t n = 40000;  // ~5 MB of records
    ASSERT_EQ(test::produce_records(cluster().bootstrap(), "slow", n, w), n);
    consumer_config cfg = config("earliest");
    ASSERT_FALSE(cfg.set("queued.max.messages.kbytes", "64"));
    ASSERT_FALSE(cfg.set("fetch.max.bytes", "32768"));
    ASSERT_FALSE(cfg.set("max.partition.fetch.bytes", "8192"));
    ASSERT_FALSE(cfg.set("max.poll.records", "10"));
    consumer c(io.get_executor(), cfg);
    std::vector<topic_partition> parts;
    for (int p = 0; p < 8; ++p) parts.push_back({"slow", p});
    c.assign(parts);
    record_checker checker;
    std::uint64_t peak = 0;
    // The slow application: between two polls the consumer gets every chance to fetch more
    // (all ready handlers run, repeatedly), as if the application were busy for a long time.
    while (checker.count < n) {
        const std::size_t before = checker.count;
        ASSERT_FALSE(test::consume(io, c, checker, before + 1));
        for (int i = 0; i < 20; ++i) io.poll();
        peak = std::max(peak, c.stats().prefetched_bytes);
        if (checker.count == before) break;
    }
    EXPECT_EQ(checker.count, n);
    EXPECT_EQ(checker.bad, 0u);
    const auto st = c.stats();
    // At most one response beyond the bound: 64 KiB + fetch.max.bytes (+ one batch the mock
    // adds past its size check).
    EXPECT_LE(st.prefetched_bytes_peak, 64u * 1024 + 32768 + 16384);
    EXPECT_GT(st.bytes, 40u * st.prefetched_bytes_peak);  // the data far exceeded the bound
}

TEST_F(consumer_offsets, a_fetcher_that_found_no_room_fetches_when_another_gives_its_room_back) {
    // Broker 1 leads an idle partition, broker 2 one with records. The idle partition's fetcher,
    // alone at first, reserves the whole prefetch bound for its Fetch (fetch.max.bytes is larger);
    // the second fetcher, started (resume) while that Fetch is out, finds no room and sleeps. The idle
    // Fetch comes back empty: no records, so nothing else wakes the fetchers. Giving the room back
    // must wake the one waiting for it, or the records on broker 2 are never fetched.
    ASSERT_EQ(cluster().create_topic("idle", 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().create_topic("data", 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader("idle", 0, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader("data", 0, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    test::writer_options w;
    ASSERT_EQ(test::produce_records(cluster().bootstrap(), "data", 50, w), 50u);
    consumer_config cfg = config("earliest");
    ASSERT_FALSE(cfg.set("queued.max.messages.kbytes", "64"));
    ASSERT_FALSE(cfg.set("fetch.max.wait.ms", "200"));
    consumer c(io.get_executor(), cfg);
    // Both topics' metadata known, broker 2's partition paused at a known position (no offset
    // lookup): broker 1's fetcher runs alone, its Fetch reserving the whole bound.
    c.assign({{"idle", 0}, {"data", 0}});
    c.seek({"data", 0}, 0);
    c.pause({{"data", 0}});
    ASSERT_TRUE(test::run_until(io, [&] { return c.stats().fetch_requests >= 3; }));
    // One poll, no timeout, as an application waiting for records: polls kick the fetchers when
    // they start, and a timed-out one started again would wake the sleeping fetcher itself.
    struct polled {
        std::size_t records = 0;
        std::optional<error_code> ec;
    };
    auto got = std::make_shared<polled>();  // the handler may outlive this test's locals
    c.async_poll([got](error_code ec, fetch_batch b) {
        got->records = b.size();
        got->ec = ec;
    });
    c.resume({{"data", 0}});  // starts broker 2's fetcher while broker 1's Fetch is out
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    test::run_until(io, [&] { return got->ec.has_value() || std::chrono::steady_clock::now() > deadline; });
    ASSERT_TRUE(got->ec.has_value()) << "no records 5 s after the resume: broker 2's fetcher still sleeps ("
                                     << c.stats().fetch_requests << " Fetch requests sent)";
    EXPECT_FALSE(*got->ec) << got->ec->message();
    EXPECT_GT(got->records, 0u);
}

}  // namespace
}  // namespace kasio

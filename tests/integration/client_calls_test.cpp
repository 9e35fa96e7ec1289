// The calls users reach for (issue 15), against librdkafka 2.14's mock cluster: cluster
// metadata from both clients, beginning/end offsets and offsets for times, lag, the group
// metadata for transactions, poll with a timeout, and the coroutine rebalance listener.
#include "consumer_support.hpp"
#include "mock_cluster_fixture.hpp"

#include <kasio/broker_errc.hpp>
#include <kasio/consumer.hpp>
#include <kasio/producer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>

namespace kasio {
namespace {

namespace asio = boost::asio;

class client_calls : public test::mock_cluster_test {
protected:
    void SetUp() override {
        mock_cluster_test::SetUp();
        ASSERT_EQ(cluster().offer_parsable_group_versions(), RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_EQ(cluster().create_topic("calls", 2), RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_EQ(cluster().create_topic("other", 1), RD_KAFKA_RESP_ERR_NO_ERROR);
        test::writer_options w;
        w.partitions = 2;
        ASSERT_EQ(test::produce_records(cluster().bootstrap(), "calls", 100, w), 100u);  // 50 each
    }
    void TearDown() override { test::finish_shutdown(io); }

    consumer_config config() {
        consumer_config cfg;
        EXPECT_FALSE(cfg.set("bootstrap.servers", cluster().bootstrap()));
        EXPECT_FALSE(cfg.set("auto.offset.reset", "earliest"));
        EXPECT_FALSE(cfg.set("fetch.max.wait.ms", "20"));
        return cfg;
    }
    consumer_config group_config() {
        consumer_config cfg = config();
        EXPECT_FALSE(cfg.set("group.id", "calls-group"));
        EXPECT_FALSE(cfg.set("enable.auto.commit", "false"));
        // The mock elects the leader session.timeout.ms - 1 s after the first join.
        EXPECT_FALSE(cfg.set("session.timeout.ms", "2000"));
        EXPECT_FALSE(cfg.set("heartbeat.interval.ms", "100"));
        return cfg;
    }

    template <class T>
    T wait(std::optional<T>& slot) {
        EXPECT_TRUE(test::run_until(io, [&] { return slot.has_value(); }));
        return slot.value_or(T{});
    }

    std::pair<error_code, std::vector<listed_offset>> end_offsets(consumer& c, std::vector<topic_partition> p) {
        std::optional<std::pair<error_code, std::vector<listed_offset>>> got;
        c.async_end_offsets(std::move(p), [&](error_code ec, std::vector<listed_offset> o) { got = {ec, std::move(o)}; });
        return wait(got);
    }
    std::pair<error_code, std::vector<listed_offset>> beginning_offsets(consumer& c, std::vector<topic_partition> p) {
        std::optional<std::pair<error_code, std::vector<listed_offset>>> got;
        c.async_beginning_offsets(std::move(p),
                                  [&](error_code ec, std::vector<listed_offset> o) { got = {ec, std::move(o)}; });
        return wait(got);
    }
    std::pair<error_code, fetch_batch> poll_for(consumer& c, std::chrono::milliseconds t) {
        std::optional<std::pair<error_code, fetch_batch>> got;
        c.async_poll(t, [&](error_code ec, fetch_batch b) { got.emplace(ec, std::move(b)); });
        EXPECT_TRUE(test::run_until(io, [&] { return got.has_value(); }));
        if (!got) return {asio::error::timed_out, fetch_batch{}};
        return std::move(*got);
    }

    asio::io_context io;
};

void expect_cluster(const cluster_metadata& md) {
    EXPECT_EQ(md.brokers.size(), 3u);
    for (std::size_t i = 1; i < md.brokers.size(); ++i) EXPECT_LT(md.brokers[i - 1].node_id, md.brokers[i].node_id);
    const topic_description* t = md.topic("calls");
    ASSERT_NE(t, nullptr);
    EXPECT_FALSE(t->error);
    ASSERT_EQ(t->partitions.size(), 2u);
    for (std::int32_t p = 0; p < 2; ++p) {
        const auto& part = t->partitions[static_cast<std::size_t>(p)];
        EXPECT_EQ(part.partition, p);
        EXPECT_NE(md.broker(part.leader), nullptr) << "the leader is one of the brokers listed";
        EXPECT_FALSE(part.replicas.empty());
        EXPECT_FALSE(part.isr.empty());
    }
}

TEST_F(client_calls, producer_and_consumer_describe_the_cluster_and_every_topic) {
    producer_config pcfg;
    ASSERT_FALSE(pcfg.set("bootstrap.servers", cluster().bootstrap()));
    producer p(io.get_executor(), pcfg);
    consumer c(io.get_executor(), config());
    std::optional<std::pair<error_code, cluster_metadata>> from_producer, from_consumer;
    p.async_metadata({}, [&](error_code ec, cluster_metadata md) { from_producer = {ec, std::move(md)}; });
    c.async_metadata({}, [&](error_code ec, cluster_metadata md) { from_consumer = {ec, std::move(md)}; });
    auto [pec, pmd] = wait(from_producer);
    auto [cec, cmd] = wait(from_consumer);
    ASSERT_FALSE(pec) << pec.message();
    ASSERT_FALSE(cec) << cec.message();
    expect_cluster(pmd);
    expect_cluster(cmd);
    EXPECT_NE(pmd.topic("other"), nullptr) << "no topic named: every topic";
    EXPECT_EQ(pmd.controller_id, cmd.controller_id);
    EXPECT_EQ(pmd.cluster_id, cmd.cluster_id);
}

TEST_F(client_calls, metadata_of_an_unknown_topic_says_so_in_the_topic) {
    consumer c(io.get_executor(), config());
    std::optional<std::pair<error_code, cluster_metadata>> got;
    c.async_metadata({"calls", "no-such-topic"}, [&](error_code ec, cluster_metadata md) { got = {ec, std::move(md)}; });
    auto [ec, md] = wait(got);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_NE(md.topic("no-such-topic"), nullptr);
    EXPECT_EQ(md.topic("no-such-topic")->error, broker_errc::unknown_topic_or_partition);
    EXPECT_TRUE(md.topic("no-such-topic")->partitions.empty());
    ASSERT_NE(md.topic("calls"), nullptr);
    EXPECT_EQ(md.topic("calls")->partitions.size(), 2u);
    EXPECT_EQ(md.topic("other"), nullptr) << "only the topics asked for";
}

TEST_F(client_calls, metadata_with_no_broker_reachable_fails_with_the_brokers_error) {
    consumer_config cfg;
    ASSERT_FALSE(cfg.set("bootstrap.servers", "127.0.0.1:1"));
    ASSERT_FALSE(cfg.set("request.timeout.ms", "1000"));
    consumer c(io.get_executor(), cfg);
    std::optional<std::pair<error_code, cluster_metadata>> got;
    c.async_metadata({"calls"}, [&](error_code ec, cluster_metadata md) { got = {ec, std::move(md)}; });
    auto [ec, md] = wait(got);
    EXPECT_TRUE(ec);
    EXPECT_TRUE(md.brokers.empty());
}

TEST_F(client_calls, beginning_and_end_offsets_of_partitions_not_assigned) {
    consumer c(io.get_executor(), config());
    auto [eec, ends] = end_offsets(c, {{"calls", 1}, {"calls", 0}});
    ASSERT_FALSE(eec) << eec.message();
    ASSERT_EQ(ends.size(), 2u);
    EXPECT_EQ(ends[0].partition, (topic_partition{"calls", 1}));
    EXPECT_EQ(ends[0].offset, 50);
    EXPECT_EQ(ends[1].partition, (topic_partition{"calls", 0}));
    EXPECT_EQ(ends[1].offset, 50);
    auto [bec, begins] = beginning_offsets(c, {{"calls", 0}, {"other", 0}});
    ASSERT_FALSE(bec) << bec.message();
    ASSERT_EQ(begins.size(), 2u);
    EXPECT_EQ(begins[0].offset, 0);
    EXPECT_EQ(begins[1].offset, 0);
    EXPECT_TRUE(c.assignment().empty()) << "lookups leave the assignment alone";
    EXPECT_EQ(c.stats().list_offsets_requests, 3u) << "one ListOffsets per leader per call at most";
}

TEST_F(client_calls, offsets_of_an_unknown_topic_or_partition_fail_at_once) {
    consumer c(io.get_executor(), config());
    auto [ec, offs] = end_offsets(c, {{"calls", 0}, {"no-such-topic", 0}});
    EXPECT_EQ(ec, broker_errc::unknown_topic_or_partition);
    EXPECT_TRUE(offs.empty());
    EXPECT_EQ(c.last_error().context.topic, "no-such-topic");
    auto [pec, poffs] = beginning_offsets(c, {{"calls", 7}});
    EXPECT_EQ(pec, broker_errc::unknown_topic_or_partition);
    EXPECT_EQ(c.last_error().context.partition, 7);
}

TEST_F(client_calls, offsets_for_times_beyond_the_log_end_are_null) {
    consumer c(io.get_executor(), config());
    std::optional<std::pair<error_code, std::vector<listed_offset>>> got;
    // The same partition twice: a broker refuses a ListOffsets naming it twice, so two requests.
    c.async_offsets_for_times({{{"calls", 0}, 1900000000000}, {{"calls", 0}, 1950000000000}},
                              [&](error_code ec, std::vector<listed_offset> o) { got = {ec, std::move(o)}; });
    auto [ec, offs] = wait(got);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_EQ(offs.size(), 2u);
    for (const auto& o : offs) {
        EXPECT_EQ(o.partition, (topic_partition{"calls", 0}));
        EXPECT_FALSE(o.offset.has_value());
        EXPECT_EQ(o.timestamp, -1);
    }
    EXPECT_EQ(c.stats().list_offsets_requests, 2u);
}

TEST_F(client_calls, offsets_for_a_negative_time_are_refused) {
    consumer c(io.get_executor(), config());
    std::optional<std::pair<error_code, std::vector<listed_offset>>> got;
    c.async_offsets_for_times({{{"calls", 0}, -5}}, [&](error_code ec, std::vector<listed_offset> o) { got = {ec, std::move(o)}; });
    EXPECT_EQ(wait(got).first, client_errc::invalid_value);
    EXPECT_EQ(c.stats().list_offsets_requests, 0u);
}

TEST_F(client_calls, lag_is_the_high_watermark_minus_the_position) {
    consumer_config cfg = config();
    ASSERT_FALSE(cfg.set("max.poll.records", "10"));
    consumer c(io.get_executor(), cfg);
    const topic_partition tp{"calls", 0};
    EXPECT_FALSE(c.lag(tp).has_value()) << "not assigned";
    c.assign({tp});
    EXPECT_FALSE(c.lag(tp).has_value()) << "no position, no fetch yet";
    auto [ec, batch] = poll_for(c, std::chrono::seconds(30));
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_FALSE(batch.empty());
    const std::int64_t position = c.position(tp).value_or(-1);
    EXPECT_EQ(position, static_cast<std::int64_t>(batch.size()));
    EXPECT_EQ(c.lag(tp), 50 - position);
    EXPECT_FALSE(c.lag({"calls", 1}).has_value()) << "a partition not assigned has no lag";
    c.seek(tp, 50);
    EXPECT_EQ(c.lag(tp), 0);
}

TEST_F(client_calls, poll_with_a_timeout_completes_empty_and_loses_nothing) {
    consumer c(io.get_executor(), config());
    const topic_partition tp{"other", 0};
    c.assign({tp});
    auto [ec, batch] = poll_for(c, std::chrono::milliseconds(200));
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(batch.empty());
    auto [zec, zbatch] = poll_for(c, std::chrono::milliseconds(0));
    EXPECT_FALSE(zec) << zec.message();
    EXPECT_TRUE(zbatch.empty());
    // Records that arrive after a timed-out poll are there for the next one.
    test::writer_options w;
    ASSERT_EQ(test::produce_records(cluster().bootstrap(), "other", 30, w), 30u);
    test::record_checker checker;
    while (checker.count < 30) {
        auto [pec, b] = poll_for(c, std::chrono::seconds(30));
        ASSERT_FALSE(pec) << pec.message();
        ASSERT_FALSE(b.empty()) << "records were there: the poll had no reason to time out";
        for (const auto& r : b) checker.check(r);
    }
    EXPECT_EQ(checker.bad, 0u);
    // Timed out once more, then an untimed poll: the earlier timer does not complete it.
    auto [tec, tb] = poll_for(c, std::chrono::milliseconds(50));
    EXPECT_FALSE(tec);
    EXPECT_TRUE(tb.empty());
    std::optional<std::pair<error_code, std::size_t>> untimed;
    c.async_poll([&](error_code uec, fetch_batch b) { untimed.emplace(uec, b.size()); });
    w.first = 30;
    ASSERT_EQ(test::produce_records(cluster().bootstrap(), "other", 1, w), 1u);
    ASSERT_TRUE(test::run_until(io, [&] { return untimed.has_value(); }));
    EXPECT_EQ(*untimed, (std::pair{error_code{}, std::size_t{1}})) << "completed by the record, not by a timer";
}

TEST_F(client_calls, poll_with_a_timeout_completes_when_no_broker_is_reachable) {
    consumer_config cfg;
    ASSERT_FALSE(cfg.set("bootstrap.servers", "127.0.0.1:1"));
    consumer c(io.get_executor(), cfg);
    c.assign({{"calls", 0}});
    auto [ec, batch] = poll_for(c, std::chrono::milliseconds(100));
    EXPECT_TRUE(!ec || ec == client_errc::all_brokers_down) << ec.message();
    EXPECT_TRUE(batch.empty());
    auto [ec2, batch2] = poll_for(c, std::chrono::milliseconds(100));
    EXPECT_FALSE(ec2) << "the outage is reported once: " << ec2.message();
    EXPECT_TRUE(batch2.empty());
    bool closed = false;
    c.async_close([&](error_code) { closed = true; });
    ASSERT_TRUE(test::run_until(io, [&] { return closed; }));
}

TEST_F(client_calls, group_metadata_names_the_current_generation_and_member) {
    consumer_config cfg = group_config();
    ASSERT_FALSE(cfg.set("group.instance.id", "calls-instance"));
    consumer c(io.get_executor(), cfg);
    consumer_group_metadata before = c.group_metadata();
    EXPECT_EQ(before.group_id, "calls-group");
    EXPECT_EQ(before.generation_id, -1);
    EXPECT_TRUE(before.member_id.empty());
    EXPECT_EQ(before.group_instance_id, "calls-instance");
    c.subscribe({"calls"});
    ASSERT_TRUE(test::run_until(io, [&] { return c.membership().has_value(); }));
    const auto md = c.group_metadata();
    const auto m = *c.membership();
    EXPECT_EQ(md.generation_id, m.generation);
    EXPECT_GE(md.generation_id, 1);
    EXPECT_EQ(md.member_id, m.member_id);
    EXPECT_FALSE(md.member_id.empty());
    bool closed = false;
    c.async_close([&](error_code) { closed = true; });
    ASSERT_TRUE(test::run_until(io, [&] { return closed; }));
}

// on_revoked commits with co_await; the revocation (here: the close) completes only after it.
TEST_F(client_calls, coroutine_listener_commits_before_the_revocation_completes) {
    consumer c(io.get_executor(), group_config());
    std::vector<std::string> events;
    async_rebalance_listener l;
    l.on_assigned = [&](std::vector<topic_partition> parts) -> asio::awaitable<void> {
        asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(10));
        co_await t.async_wait(asio::use_awaitable);
        events.push_back("assigned " + std::to_string(parts.size()));
    };
    l.on_revoked = [&](std::vector<topic_partition> parts) -> asio::awaitable<void> {
        events.push_back("revoking " + std::to_string(parts.size()));
        co_await c.async_commit(asio::use_awaitable);
        events.push_back("committed");
    };
    c.subscribe({"calls"}, l);
    test::record_checker checker;
    checker.check_content = false;
    std::size_t got = 0;
    while (got < 100) {
        auto [ec, b] = poll_for(c, std::chrono::seconds(30));
        ASSERT_FALSE(ec) << ec.message();
        got += b.size();
    }
    ASSERT_EQ(events, (std::vector<std::string>{"assigned 2"}));
    bool closed = false;
    c.async_close([&](error_code) {
        closed = true;
        events.push_back("closed");
    });
    ASSERT_TRUE(test::run_until(io, [&] { return closed; }));
    EXPECT_EQ(events, (std::vector<std::string>{"assigned 2", "revoking 2", "committed", "closed"}));
    // The commit landed: a new member of the group would start at the end.
    consumer check(io.get_executor(), group_config());
    std::optional<std::pair<error_code, std::vector<partition_offset>>> committed;
    check.async_committed({{"calls", 0}, {"calls", 1}},
                          [&](error_code ec, std::vector<partition_offset> o) { committed = {ec, std::move(o)}; });
    auto [cec, offs] = wait(committed);
    ASSERT_FALSE(cec) << cec.message();
    ASSERT_EQ(offs.size(), 2u);
    EXPECT_EQ(offs[0].offset, 50);
    EXPECT_EQ(offs[1].offset, 50);
}

TEST_F(client_calls, a_listener_that_throws_is_reported_once_and_the_group_goes_on) {
    consumer c(io.get_executor(), group_config());
    async_rebalance_listener l;
    l.on_assigned = [&](std::vector<topic_partition>) -> asio::awaitable<void> {
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        throw std::runtime_error("listener failure");
    };
    c.subscribe({"calls"}, l);
    error_code reported;
    std::size_t got = 0;
    while (got < 100) {
        auto [ec, b] = poll_for(c, std::chrono::seconds(30));
        if (ec) {
            EXPECT_FALSE(reported) << "reported once: " << ec.message();
            reported = ec;
            continue;
        }
        got += b.size();
    }
    EXPECT_EQ(reported, client_errc::internal_error);
    EXPECT_NE(c.last_error().context.message.find("listener failure"), std::string::npos);
    EXPECT_TRUE(c.membership().has_value());
}

TEST_F(client_calls, a_listener_that_never_finishes_is_cancelled_after_the_rebalance_timeout) {
    consumer_config cfg = group_config();
    ASSERT_FALSE(cfg.set("max.poll.interval.ms", "500"));
    consumer c(io.get_executor(), cfg);
    bool cancelled = false;
    async_rebalance_listener l;
    l.on_assigned = [&](std::vector<topic_partition>) -> asio::awaitable<void> {
        asio::steady_timer forever(co_await asio::this_coro::executor, std::chrono::hours(1));
        auto [ec] = co_await forever.async_wait(asio::as_tuple(asio::use_awaitable));
        cancelled = ec == asio::error::operation_aborted;
    };
    c.subscribe({"calls"}, l);
    auto [ec, b] = poll_for(c, std::chrono::seconds(60));
    // The records of the assignment may come first; the failure is then the next poll's.
    if (!ec && !b.empty()) std::tie(ec, b) = poll_for(c, std::chrono::seconds(60));
    while (!ec && !b.empty()) std::tie(ec, b) = poll_for(c, std::chrono::seconds(60));
    EXPECT_EQ(ec, client_errc::timed_out) << ec.message();
    EXPECT_EQ(c.last_error().context.property, "max.poll.interval.ms");
    // Cancelled (terminal) before the failure was reported: it ends at its pending co_await.
    EXPECT_TRUE(test::run_until(io, [&] { return cancelled; }));
}

}  // namespace
}  // namespace kasio

// Consumer groups through broker faults on librdkafka 2.14's mock cluster (issue 7): partition
// leaders moving, a partition leader going down and coming back, the group coordinator going
// down (found again within the session timeout, and away for longer). Two members share a
// 6-partition topic, process records as polled and commit after each batch; records arrive in
// waves and each fault strikes while a wave is being consumed.
//
// The checks: every record is processed; a partition whose leader moves keeps its position
// (exactly once, no rebalance); otherwise a record is processed again only at or after the
// last commit acknowledged for its partition, and a member given a partition starts between
// the last acknowledged and the last sent commit. Last, a commit retried across a rebalance
// must not land in the new generation (it could overwrite the new owner's progress).
//
// The fixture restricts the group APIs and uses a short session timeout for the reasons given
// in consumer_group_test.cpp (the mock's flexible-version parsing and its rebalance timer).
#include "consumer_support.hpp"
#include "mock_cluster_fixture.hpp"

#include <kasio/broker_errc.hpp>
#include <kasio/consumer.hpp>

#include <librdkafka/rdkafka.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace kasio {
namespace {

constexpr std::int32_t partitions = 6;
const std::string topic = "grp";

/// What the members did, shared by both.
struct ledger {
    std::map<std::size_t, int> processed;       // sequence number -> times processed
    std::map<std::int32_t, std::int64_t> acked;  // partition -> highest commit acknowledged
    std::map<std::int32_t, std::int64_t> sent;   // partition -> highest commit sent
    std::vector<std::string> violations;
    std::size_t again = 0;  // records processed more than once

    void violation(const std::string& what) {
        if (violations.size() < 20) violations.push_back(what);
    }
};

/// One member: polls without end, checks and records each record, commits after each batch.
/// Closed before it goes (as in consumer_group_test.cpp): its pending poll completes, aborted,
/// while the member the handler points to still lives.
struct member {
    member(boost::asio::io_context& context, std::string n, const consumer_config& cfg, ledger& l)
        : io(context), name(std::move(n)), c(std::make_unique<consumer>(context.get_executor(), cfg)), book(l) {
        c->subscribe({topic}, listener());
    }
    ~member() { close(); }
    member(const member&) = delete;
    member& operator=(const member&) = delete;

    void close() {
        if (closed) return;
        stopped = true;
        c->async_close([this](error_code) { closed = true; });
        // Commits still waiting complete (aborted) before the member they report to goes.
        EXPECT_TRUE(test::run_until(io, [&] { return closed && commits_pending == 0; }));
    }

    boost::asio::io_context& io;
    std::string name;
    std::unique_ptr<consumer> c;
    ledger& book;
    std::set<std::int32_t> owned;
    std::set<std::int32_t> fresh;             // assigned, nothing processed since
    std::map<std::int32_t, std::int64_t> next;  // partition -> offset expected next
    std::size_t assigned_calls = 0, revoked = 0, lost = 0, commit_failures = 0, commits_pending = 0;
    bool polling = false, stopped = false, closed = false;
    error_code poll_error;

    rebalance_listener listener() {
        rebalance_listener l;
        l.on_assigned = [this](const std::vector<topic_partition>& p) {
            ++assigned_calls;
            for (const auto& tp : p) {
                owned.insert(tp.partition);
                fresh.insert(tp.partition);
            }
        };
        l.on_revoked = [this](const std::vector<topic_partition>& p) {
            revoked += p.size();
            for (const auto& tp : p) owned.erase(tp.partition);
        };
        l.on_lost = [this](const std::vector<topic_partition>& p) {
            lost += p.size();
            for (const auto& tp : p) owned.erase(tp.partition);
        };
        return l;
    }

    void process(const consumer_record& r) {
        const auto seq = r.key ? test::parse_key(test::as_text(*r.key)) : std::nullopt;
        if (!seq) {
            book.violation(name + ": a record that is not ours");
            return;
        }
        const std::int32_t p = r.partition;
        auto where = [&] { return name + ": partition " + std::to_string(p) + " offset " + std::to_string(r.offset); };
        if (fresh.erase(p)) {
            // Newly assigned: it starts at the group's committed offset, which is at least the
            // last acknowledged commit and at most the last one sent.
            if (r.offset < book.acked[p] || r.offset > book.sent[p])
                book.violation(where() + ": first after assignment, committed acked " +
                               std::to_string(book.acked[p]) + " sent " + std::to_string(book.sent[p]));
        } else if (r.offset != next[p]) {
            book.violation(where() + ": expected offset " + std::to_string(next[p]) + " (gap or repeat)");
        }
        next[p] = r.offset + 1;
        if (++book.processed[*seq] > 1) {
            ++book.again;
            if (r.offset < book.acked[p])
                book.violation(where() + ": processed again below the acknowledged commit " +
                               std::to_string(book.acked[p]));
        }
    }

    void poll() {
        if (stopped || polling) return;
        polling = true;
        c->async_poll([this](error_code ec, fetch_batch b) {
            polling = false;
            if (ec == boost::asio::error::operation_aborted) return;
            if (ec) poll_error = ec;
            std::map<std::int32_t, std::int64_t> upto;
            for (const auto& r : b) {
                process(r);
                upto[r.partition] = r.offset + 1;
            }
            if (!upto.empty()) {
                std::vector<partition_offset> offsets;
                for (const auto& [p, off] : upto) {
                    offsets.push_back(partition_offset{topic, p, off, {}});
                    book.sent[p] = std::max(book.sent[p], off);
                }
                // Processed, then committed.
                ++commits_pending;
                c->async_commit(offsets, [this, offsets](error_code cec) {
                    --commits_pending;
                    if (cec) {
                        ++commit_failures;  // refused by a rebalance, or the coordinator was away too long
                        return;
                    }
                    for (const auto& o : offsets) book.acked[o.partition] = std::max(book.acked[o.partition], o.offset);
                });
            }
            poll();
        });
    }
};

class consumer_group_faults : public test::mock_cluster_test {
protected:
    void SetUp() override {
        mock_cluster_test::SetUp();
        ASSERT_EQ(cluster().offer_parsable_group_versions(), RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_EQ(cluster().create_topic(topic, partitions, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
        // Partition p led by broker p % 3 + 1: each broker leads two.
        for (std::int32_t p = 0; p < partitions; ++p) ASSERT_EQ(cluster().set_leader(topic, p, p % 3 + 1), RD_KAFKA_RESP_ERR_NO_ERROR);
        const auto scaled = static_cast<std::size_t>(4800 * std::max(0.2, test::test_scale()));
        wave = scaled / 4 / partitions * partitions;  // whole rows: offsets stay aligned to waves
    }
    void TearDown() override {
        a.reset();
        b.reset();
        test::finish_shutdown(io);
    }

    void produce(std::size_t first, std::size_t count) {
        test::writer_options w;
        w.first = first;
        w.partitions = partitions;
        ASSERT_EQ(test::produce_records(cluster().bootstrap(), topic, count, w), count);
    }

    consumer_config config() {
        consumer_config cfg;
        EXPECT_FALSE(cfg.set("bootstrap.servers", cluster().bootstrap()));
        EXPECT_FALSE(cfg.set("group.id", "g1"));
        EXPECT_FALSE(cfg.set("auto.offset.reset", "earliest"));
        EXPECT_FALSE(cfg.set("enable.auto.commit", "false"));
        EXPECT_FALSE(cfg.set("session.timeout.ms", "2000"));
        EXPECT_FALSE(cfg.set("heartbeat.interval.ms", "100"));
        EXPECT_FALSE(cfg.set("fetch.max.wait.ms", "50"));
        EXPECT_FALSE(cfg.set("max.poll.records", "20"));
        EXPECT_FALSE(cfg.set("partition.assignment.strategy", "range"));
        EXPECT_FALSE(cfg.set("reconnect.backoff.ms", "10"));
        // A downed mock broker leaves connection attempts hanging: give up on them after 1 s.
        EXPECT_FALSE(cfg.set("socket.connection.setup.timeout.ms", "1000"));
        if (std::getenv("KASIO_TEST_DEBUG")) {
            cfg.connection.log.level = log_level::debug;
            cfg.connection.log.debug = debug_context::protocol;
            cfg.connection.log.sink = [](log_level, std::string_view m) { std::fprintf(stderr, "%.*s\n", int(m.size()), m.data()); };
        }
        return cfg;
    }

    // Runs both members until `done` holds, for 60 s at most.
    template <class Done>
    bool drive(Done done) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        test::run_until(io, [&] {
            a->poll();
            b->poll();
            return done() || std::chrono::steady_clock::now() > deadline;
        });
        return done();
    }

    // Both members join; the first wave is consumed once the group has formed.
    void start() {
        produce(0, wave);
        a = std::make_unique<member>(io, "a", config(), book);
        b = std::make_unique<member>(io, "b", config(), book);
        ASSERT_TRUE(drive([&] { return a->owned.size() == 3 && b->owned.size() == 3 && book.processed.size() == wave; }))
            << "a owns " << a->owned.size() << ", b owns " << b->owned.size() << ", processed " << book.processed.size();
    }

    // Produces wave n and consumes a third of it: the fault comes mid-stream.
    void next_wave(std::size_t n) {
        produce(n * wave, wave);
        ASSERT_TRUE(drive([&] { return book.processed.size() >= n * wave + wave / 3; }));
    }

    void consume_all(std::size_t waves) {
        ASSERT_TRUE(drive([&] { return book.processed.size() == waves * wave; }))
            << "processed " << book.processed.size() << " of " << waves * wave << "; " << positions();
    }

    // Where each member stands, for a failure message.
    std::string positions() {
        std::string out;
        for (member* m : {a.get(), b.get()}) {
            if (!m) continue;
            out += m->name + ":";
            for (const auto& tp : m->c->assignment())
                out += " p" + std::to_string(tp.partition) + "@" + std::to_string(m->c->position(tp).value_or(-1));
            const auto st = m->c->stats();
            out += " (fetches " + std::to_string(st.fetch_requests) + "/" + std::to_string(st.fetch_responses) +
                   ", prefetched " + std::to_string(st.prefetched_bytes) + ") ";
        }
        return out;
    }

    // The group settles: every partition owned by one of the two, and its last record's commit
    // acknowledged (re-deliveries after a rebalance finish first). Then every record was
    // processed, the rules held, and the group's committed offsets read back at the end.
    void check_end(std::size_t waves) {
        const std::size_t total = waves * wave;
        const auto end = static_cast<std::int64_t>(total / partitions);
        ASSERT_TRUE(drive([&] {
            if (a->owned.size() + b->owned.size() != static_cast<std::size_t>(partitions)) return false;
            for (std::int32_t p = 0; p < partitions; ++p)
                if (book.acked[p] != end) return false;
            return true;
        })) << "a owns " << a->owned.size() << ", b owns " << b->owned.size();
        for (std::size_t i = 0; i < total; ++i) ASSERT_GE(book.processed[i], 1) << "record " << i << " never processed";
        for (const auto& v : book.violations) ADD_FAILURE() << v;
        for (member* m : {a.get(), b.get()}) EXPECT_FALSE(m->poll_error) << m->name << ": " << m->poll_error.message();
        std::vector<topic_partition> tps;
        for (std::int32_t p = 0; p < partitions; ++p) tps.push_back({topic, p});
        std::optional<std::vector<partition_offset>> committed;
        a->c->async_committed(tps, [&](error_code ec, std::vector<partition_offset> o) {
            EXPECT_FALSE(ec) << ec.message();
            committed = std::move(o);
        });
        ASSERT_TRUE(drive([&] { return committed.has_value(); }));
        for (const auto& o : *committed) EXPECT_EQ(o.offset, end) << "partition " << o.partition;
    }

    boost::asio::io_context io;
    ledger book;
    std::size_t wave = 0;
    std::unique_ptr<member> a, b;
};

// Leaders move twice while the members consume: fetches follow the new leaders with their
// positions; no rebalance happens, so nothing is processed twice.
TEST_F(consumer_group_faults, leaders_moving_mid_stream_lose_and_repeat_nothing) {
    ASSERT_NO_FATAL_FAILURE(start());
    // The group forms in one round or, when the second member's JoinGroup comes after the
    // first round has closed (a loaded machine), in two: the leader moves must add none.
    const std::size_t assigned_before[] = {a->assigned_calls, b->assigned_calls};
    const std::size_t gone_before[] = {a->revoked + a->lost, b->revoked + b->lost};
    for (std::size_t n = 1; n <= 2; ++n) {
        ASSERT_NO_FATAL_FAILURE(next_wave(n));
        for (std::int32_t p = 0; p < partitions; ++p)
            ASSERT_EQ(cluster().set_leader(topic, p, static_cast<std::int32_t>((p + n) % 3 + 1)), RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    produce(3 * wave, wave);
    ASSERT_NO_FATAL_FAILURE(consume_all(4));
    ASSERT_NO_FATAL_FAILURE(check_end(4));
    EXPECT_EQ(book.again, 0u) << "records processed twice";
    for (std::size_t i = 0; i < 2; ++i) {
        const member* m = i == 0 ? a.get() : b.get();
        EXPECT_EQ(m->assigned_calls, assigned_before[i]) << m->name << " saw a rebalance";
        EXPECT_EQ(m->revoked + m->lost, gone_before[i]) << m->name;
        EXPECT_EQ(m->commit_failures, 0u) << m->name;
    }
}

// Broker 1 (leader of partitions 0 and 3) goes down mid-stream; its partitions move to brokers 2
// and 3, and back once it is up again. The coordinator (broker 3) stays up.
TEST_F(consumer_group_faults, partition_leader_down_and_back_resumes_from_the_positions) {
    ASSERT_EQ(cluster().set_coordinator("group", "g1", 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_NO_FATAL_FAILURE(start());
    ASSERT_NO_FATAL_FAILURE(next_wave(1));
    ASSERT_EQ(cluster().broker_down(1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader(topic, 0, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader(topic, 3, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_NO_FATAL_FAILURE(consume_all(2));
    ASSERT_NO_FATAL_FAILURE(next_wave(2));
    ASSERT_EQ(cluster().broker_up(1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader(topic, 0, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader(topic, 3, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_NO_FATAL_FAILURE(consume_all(3));
    produce(3 * wave, wave);
    ASSERT_NO_FATAL_FAILURE(consume_all(4));
    ASSERT_NO_FATAL_FAILURE(check_end(4));
}

// The coordinator (broker 1, also leader of partitions 0 and 3) goes down mid-stream and the
// group moves to broker 2: the members find it there and carry on; broker 1 comes back later.
TEST_F(consumer_group_faults, coordinator_down_members_find_the_new_one_and_carry_on) {
    ASSERT_EQ(cluster().set_coordinator("group", "g1", 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_NO_FATAL_FAILURE(start());
    ASSERT_NO_FATAL_FAILURE(next_wave(1));
    cluster().start_request_tracking();
    ASSERT_EQ(cluster().broker_down(1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_coordinator("group", "g1", 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader(topic, 0, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader(topic, 3, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_NO_FATAL_FAILURE(consume_all(2));
    ASSERT_NO_FATAL_FAILURE(next_wave(2));
    ASSERT_EQ(cluster().broker_up(1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_NO_FATAL_FAILURE(consume_all(3));
    produce(3 * wave, wave);
    ASSERT_NO_FATAL_FAILURE(consume_all(4));
    ASSERT_NO_FATAL_FAILURE(check_end(4));
    for (member* m : {a.get(), b.get()}) EXPECT_TRUE(m->c->membership().has_value()) << m->name;
    // The group's traffic went to the new coordinator.
    std::set<std::int16_t> at_new;
    bool looked_up = false;
    for (const auto& r : cluster().requests()) {
        if (r.broker_id == 2) at_new.insert(r.api_key);
        looked_up = looked_up || r.api_key == 10;
    }
    EXPECT_TRUE(looked_up) << "no FindCoordinator after the coordinator went down";
    EXPECT_TRUE(at_new.count(12)) << "no Heartbeat at broker 2";
    EXPECT_TRUE(at_new.count(8)) << "no OffsetCommit at broker 2";
}

// The coordinator stays unreachable for longer than the session timeout (the fault lasts 3 s;
// a bounded wait, not a synchronisation): the group drops both members. When the group comes
// back on broker 2 they learn it, rejoin, and start again from the committed offsets.
TEST_F(consumer_group_faults, coordinator_away_past_the_session_timeout_members_rejoin_from_the_commits) {
    ASSERT_EQ(cluster().set_coordinator("group", "g1", 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_NO_FATAL_FAILURE(start());
    ASSERT_NO_FATAL_FAILURE(next_wave(1));
    ASSERT_EQ(cluster().broker_down(1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader(topic, 0, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader(topic, 3, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    const auto back = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    drive([&] { return std::chrono::steady_clock::now() >= back; });
    ASSERT_EQ(cluster().set_coordinator("group", "g1", 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_NO_FATAL_FAILURE(consume_all(2));
    ASSERT_NO_FATAL_FAILURE(next_wave(2));
    ASSERT_EQ(cluster().broker_up(1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_NO_FATAL_FAILURE(consume_all(3));
    produce(3 * wave, wave);
    ASSERT_NO_FATAL_FAILURE(consume_all(4));
    // Both were dropped and given partitions again.
    ASSERT_TRUE(drive([&] { return a->assigned_calls >= 2 && b->assigned_calls >= 2; }))
        << "a assigned " << a->assigned_calls << " times, b " << b->assigned_calls;
    ASSERT_NO_FATAL_FAILURE(check_end(4));
}

// A commit made in one generation and retried (the coordinator was loading) while the group
// rebalanced must not be sent again under the next generation: by then its partitions may
// belong to another member, whose commits it would overwrite. It fails as Java's
// CommitFailedException does, and the offsets it carried are not committed.
TEST_F(consumer_group_faults, a_commit_retried_across_a_rebalance_is_not_sent_in_the_new_generation) {
    produce(0, 60);
    a = std::make_unique<member>(io, "a", config(), book);
    a->stopped = true;  // a commits only what this test gives it
    b = nullptr;
    auto drive_a = [&](auto done) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        return test::run_until(io, [&] { return done() || std::chrono::steady_clock::now() > deadline; }) && done();
    };
    ASSERT_TRUE(drive_a([&] { return a->owned.size() == static_cast<std::size_t>(partitions); }));
    const auto generation = a->c->membership()->generation;
    // The coordinator answers the next 100 commits "loading": a's commit keeps retrying (10 s
    // of retries, far longer than the rebalance below takes).
    std::vector<rd_kafka_resp_err_t> loading(100, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS);
    cluster().push_request_errors(8, loading);
    std::vector<partition_offset> offsets;
    for (std::int32_t p = 0; p < partitions; ++p) offsets.push_back(partition_offset{topic, p, 7, {}});
    std::optional<error_code> result;
    a->c->async_commit(offsets, [&](error_code ec) { result = ec; });
    // b joins meanwhile: the group rebalances into a new generation.
    b = std::make_unique<member>(io, "b", config(), book);
    b->stopped = true;
    ASSERT_TRUE(drive_a([&] { return result.has_value(); }));
    cluster().clear_request_errors(8);
    EXPECT_TRUE(*result == broker_errc::rebalance_in_progress || *result == broker_errc::illegal_generation)
        << result->message();
    ASSERT_TRUE(drive_a([&] { return a->owned.size() + b->owned.size() == static_cast<std::size_t>(partitions); }));
    EXPECT_GT(a->c->membership()->generation, generation);
    std::vector<topic_partition> tps;
    for (std::int32_t p = 0; p < partitions; ++p) tps.push_back({topic, p});
    std::optional<std::vector<partition_offset>> committed;
    a->c->async_committed(tps, [&](error_code ec, std::vector<partition_offset> o) {
        EXPECT_FALSE(ec) << ec.message();
        committed = std::move(o);
    });
    ASSERT_TRUE(drive_a([&] { return committed.has_value(); }));
    for (const auto& o : *committed) EXPECT_EQ(o.offset, -1) << "partition " << o.partition << " committed by a stale retry";
}

}  // namespace
}  // namespace kasio

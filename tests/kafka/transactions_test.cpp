// Transactions (issue 16) against a real Kafka 4.x cluster, checked with the Java client as the
// independent reader: what read_committed and read_uncommitted consumers see after commits and
// aborts, zombie fencing by a second producer with the same transactional.id, a transaction the
// coordinator aborts for its timeout, and offsets committed inside a transaction.
#include "kafka_cluster.hpp"
#include "kasio_clients.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <gtest/gtest.h>

#include <iostream>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <optional>
#include <string>
#include <vector>

namespace kasio::test::kafka {
namespace {

namespace asio = boost::asio;
constexpr int partitions = 3;

producer_config txn_config(const std::string& id) {
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    cfg.transactional_id = id;
    debug_log(cfg.connection);
    return cfg;
}

// Starts op(handler) and runs io until the handler ran (or 60 s without any handler running).
template <class Op>
error_code run_op(asio::io_context& io, Op op) {
    std::optional<error_code> got;
    op([&](error_code ec) { got = ec; });
    while (!got) {
        if (io.stopped()) io.restart();
        if (io.run_one_for(std::chrono::seconds(60)) == 0) break;
    }
    EXPECT_TRUE(got.has_value()) << "the operation did not complete";
    return got.value_or(asio::error::timed_out);
}

// Sends `n` records with values "<prefix><i>" (keys "k<i>") and waits until each is delivered or
// failed; returns the errors by message (empty when all were delivered).
std::map<std::string, int> send_records(asio::io_context& io, producer& p, const std::string& topic,
                                        const std::string& prefix, int n) {
    std::map<std::string, int> errors;
    int done = 0;
    for (int i = 0; i < n; ++i) {
        const std::string key = "k" + std::to_string(i), value = prefix + std::to_string(i);
        record r;
        r.topic = topic;
        r.key = bytes_of(key);
        r.value = bytes_of(value);
        p.async_send(r, [&](error_code ec, delivery) {
            ++done;
            if (ec) ++errors[ec.message()];
        });
    }
    while (done < n) {
        if (io.stopped()) io.restart();
        if (io.run_one_for(std::chrono::seconds(60)) == 0) break;
    }
    EXPECT_EQ(done, n) << "not every send completed";
    return errors;
}

// Values read by the Java client from the whole topic in an isolation level.
std::multiset<std::string> java_values(const std::string& topic, const std::string& isolation) {
    const peer_result r = peer_ok("consume", {"--topic", topic, "--until-end", "--config",
                                              "isolation.level=" + isolation});
    std::multiset<std::string> out;
    for (const json& line : r.lines) {
        const owned_record rec = from_peer_line(line);
        out.insert(rec.value.value_or("<null>"));
    }
    return out;
}

// The cluster's finalized transaction.version: 2 (KIP-890) as the cluster starts; tests of
// version 1 lower it with the Java Admin (a safe downgrade) and raise it again after.
int& current_transaction_version() {
    static int level = 2;
    return level;
}
int transaction_version() { return current_transaction_version(); }
void set_transaction_version(int level) {
    peer_ok("set-feature", {"--feature", "transaction.version", "--level", std::to_string(level)});
    current_transaction_version() = level;
}

// Runs a test under transaction version 2 and again under version 1: kasio reads the version
// when it initializes a producer, and speaks each one's requests.
class transactions_at : public ::testing::TestWithParam<int> {
protected:
    void SetUp() override {
        if (transaction_version() != GetParam()) set_transaction_version(GetParam());
    }
    void TearDown() override {
        if (transaction_version() != 2) set_transaction_version(2);
    }
};

std::string version_name(const ::testing::TestParamInfo<int>& info) { return "v" + std::to_string(info.param); }

std::size_t count_prefix(const std::multiset<std::string>& values, const std::string& prefix) {
    std::size_t n = 0;
    for (const std::string& v : values) n += v.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
}

TEST_P(transactions_at, committed_records_are_visible_to_read_committed_readers_and_aborted_ones_only_to_read_uncommitted) {
    const std::string topic = unique_topic("txn-vis");
    create_topic(topic, partitions);
    asio::io_context io;
    producer p(io.get_executor(), txn_config(topic + "-tx"));
    EXPECT_EQ(p.transaction_state(), transaction_state::uninitialized);
    ASSERT_EQ(run_op(io, [&](auto h) { p.async_init_transactions(h); }), error_code{}) << p.last_error().describe();
    EXPECT_EQ(p.transaction_state(), transaction_state::ready);

    ASSERT_EQ(p.begin_transaction(), error_code{});
    EXPECT_TRUE(send_records(io, p, topic, "commit-a-", 300).empty());
    ASSERT_EQ(run_op(io, [&](auto h) { p.async_commit_transaction(h); }), error_code{}) << p.last_error().describe();

    ASSERT_EQ(p.begin_transaction(), error_code{});
    EXPECT_TRUE(send_records(io, p, topic, "abort-", 200).empty());  // delivered, then aborted
    ASSERT_EQ(run_op(io, [&](auto h) { p.async_abort_transaction(h); }), error_code{}) << p.last_error().describe();
    EXPECT_EQ(p.transaction_state(), transaction_state::ready);

    ASSERT_EQ(p.begin_transaction(), error_code{});
    EXPECT_TRUE(send_records(io, p, topic, "commit-b-", 100).empty());
    ASSERT_EQ(run_op(io, [&](auto h) { p.async_commit_transaction(h); }), error_code{}) << p.last_error().describe();
    EXPECT_EQ(run_op(io, [&](auto h) { p.async_close(std::chrono::seconds(30), h); }), error_code{});

    const auto committed = java_values(topic, "read_committed");
    EXPECT_EQ(committed.size(), 400u);
    EXPECT_EQ(count_prefix(committed, "commit-a-"), 300u);
    EXPECT_EQ(count_prefix(committed, "commit-b-"), 100u);
    EXPECT_EQ(count_prefix(committed, "abort-"), 0u);
    const auto uncommitted = java_values(topic, "read_uncommitted");
    EXPECT_EQ(uncommitted.size(), 600u);
    EXPECT_EQ(count_prefix(uncommitted, "abort-"), 200u);

    // kasio's own consumer agrees in both isolation levels (control records skipped).
    for (const bool read_committed : {true, false}) {
        consumer_config ccfg;
        ccfg.bootstrap_servers = {cluster().bootstrap};
        ccfg.isolation = read_committed ? isolation_level::read_committed : isolation_level::read_uncommitted;
        const std::size_t expect = read_committed ? 400 : 600;
        const auto got = kasio_consume(ccfg, topic, partitions, expect, std::chrono::seconds(60));
        std::multiset<std::string> values;
        for (const auto& r : got) values.insert(r.value.value_or("<null>"));
        EXPECT_EQ(values.size(), expect) << (read_committed ? "read_committed" : "read_uncommitted");
        EXPECT_EQ(count_prefix(values, "abort-"), read_committed ? 0u : 200u);
    }
}

TEST_P(transactions_at, a_second_producer_with_the_same_id_fences_the_first_and_its_open_transaction_never_shows) {
    const std::string topic = unique_topic("txn-fence");
    create_topic(topic, partitions);
    const std::string id = topic + "-tx";
    asio::io_context io;
    producer zombie(io.get_executor(), txn_config(id));
    ASSERT_EQ(run_op(io, [&](auto h) { zombie.async_init_transactions(h); }), error_code{});
    ASSERT_EQ(zombie.begin_transaction(), error_code{});
    EXPECT_TRUE(send_records(io, zombie, topic, "zombie-", 100).empty());

    producer successor(io.get_executor(), txn_config(id));
    ASSERT_EQ(run_op(io, [&](auto h) { successor.async_init_transactions(h); }), error_code{})
        << successor.last_error().describe();

    const error_code commit = run_op(io, [&](auto h) { zombie.async_commit_transaction(h); });
    EXPECT_EQ(commit, broker_errc::producer_fenced) << commit.message() << ": " << zombie.last_error().describe();
    EXPECT_EQ(zombie.transaction_state(), transaction_state::fatal_error);
    EXPECT_EQ(zombie.begin_transaction(), broker_errc::producer_fenced);
    // Sends fail at once with the fence.
    const auto later = send_records(io, zombie, topic, "late-", 1);
    EXPECT_EQ(later.size(), 1u);

    ASSERT_EQ(successor.begin_transaction(), error_code{});
    EXPECT_TRUE(send_records(io, successor, topic, "successor-", 50).empty());
    ASSERT_EQ(run_op(io, [&](auto h) { successor.async_commit_transaction(h); }), error_code{});

    const auto committed = java_values(topic, "read_committed");
    EXPECT_EQ(count_prefix(committed, "zombie-"), 0u);
    EXPECT_EQ(count_prefix(committed, "successor-"), 50u);
    EXPECT_EQ(committed.size(), 50u);
}

TEST(transactions, calls_out_of_order_are_refused_with_the_state_named) {
    const std::string topic = unique_topic("txn-state");
    create_topic(topic, 1);
    asio::io_context io;
    producer p(io.get_executor(), txn_config(topic + "-tx"));
    // Before init: begin, send and commit are refused.
    EXPECT_EQ(p.begin_transaction(), client_errc::invalid_transaction_state);
    EXPECT_NE(p.last_error().context.message.find("async_init_transactions"), std::string::npos)
        << p.last_error().describe();
    const auto before = send_records(io, p, topic, "early-", 1);
    ASSERT_EQ(before.size(), 1u);
    EXPECT_EQ(run_op(io, [&](auto h) { p.async_commit_transaction(h); }), client_errc::invalid_transaction_state);
    ASSERT_EQ(run_op(io, [&](auto h) { p.async_init_transactions(h); }), error_code{});
    // Ready: sending and committing need a transaction; init twice is refused.
    EXPECT_EQ(send_records(io, p, topic, "outside-", 1).size(), 1u);
    EXPECT_EQ(run_op(io, [&](auto h) { p.async_abort_transaction(h); }), client_errc::invalid_transaction_state);
    EXPECT_EQ(run_op(io, [&](auto h) { p.async_init_transactions(h); }), client_errc::invalid_transaction_state);
    ASSERT_EQ(p.begin_transaction(), error_code{});
    EXPECT_EQ(p.begin_transaction(), client_errc::invalid_transaction_state);
    // An empty transaction commits without a request (nothing joined it).
    EXPECT_EQ(run_op(io, [&](auto h) { p.async_commit_transaction(h); }), error_code{});
    EXPECT_EQ(p.transaction_state(), transaction_state::ready);

    // A producer without transactional.id refuses every transactional call.
    producer_config plain;
    plain.bootstrap_servers = {cluster().bootstrap};
    producer q(io.get_executor(), plain);
    EXPECT_EQ(q.transaction_state(), transaction_state::not_transactional);
    EXPECT_EQ(q.begin_transaction(), client_errc::invalid_transaction_state);
    EXPECT_EQ(run_op(io, [&](auto h) { q.async_init_transactions(h); }), client_errc::invalid_transaction_state);
}

}  // namespace
}  // namespace kasio::test::kafka

namespace kasio::test::kafka {
namespace {

// The coordinator aborts a transaction left open past transaction.timeout.ms and bumps the
// producer's epoch. The producer learns it from its next Produce (INVALID_PRODUCER_EPOCH: an
// abortable error), its commit fails, and then, under transaction version 2 (KIP-890), its
// abort succeeds and it goes on with the new epoch. Under version 1 the coordinator's epoch
// bump fences it: the abort fails with PRODUCER_FENCED, as the Java client's does, and a new
// producer with the same id goes on.
TEST_P(transactions_at, a_transaction_open_past_its_timeout_is_aborted_and_the_producer_recovers) {
    const std::string topic = unique_topic("txn-timeout");
    create_topic(topic, partitions);
    asio::io_context io;
    producer_config cfg = txn_config(topic + "-tx");
    cfg.transaction_timeout = std::chrono::milliseconds(1000);
    producer p(io.get_executor(), cfg);
    ASSERT_EQ(run_op(io, [&](auto h) { p.async_init_transactions(h); }), error_code{});
    ASSERT_EQ(p.begin_transaction(), error_code{});
    EXPECT_TRUE(send_records(io, p, topic, "expired-", 20).empty());
    // The coordinator looks for expired transactions every few seconds: one record at a time,
    // paced, until the broker refuses one (at most a minute).
    std::map<std::string, int> refused;
    asio::steady_timer pace(io);
    for (int i = 0; i < 300 && refused.empty(); ++i) {
        refused = send_records(io, p, topic, "probe-", 1);
        bool paced = false;
        pace.expires_after(std::chrono::milliseconds(200));
        pace.async_wait([&](error_code) { paced = true; });
        while (!paced) {
            if (io.stopped()) io.restart();
            io.run_one();
        }
    }
    ASSERT_FALSE(refused.empty()) << "the coordinator never aborted the transaction";
    EXPECT_EQ(refused.begin()->first, error_code(broker_errc::invalid_producer_epoch).message());
    EXPECT_EQ(p.transaction_state(), transaction_state::abortable_error);
    const error_code commit = run_op(io, [&](auto h) { p.async_commit_transaction(h); });
    EXPECT_EQ(commit, broker_errc::invalid_producer_epoch) << "a commit after the coordinator aborted must fail";
    const error_code abort = run_op(io, [&](auto h) { p.async_abort_transaction(h); });
    std::optional<producer> replacement;
    if (transaction_version() >= 2) {
        EXPECT_EQ(abort, error_code{}) << abort.message() << ": " << p.last_error().describe();
        EXPECT_EQ(p.transaction_state(), transaction_state::ready);
    } else {
        EXPECT_EQ(abort, broker_errc::producer_fenced) << abort.message() << ": " << p.last_error().describe();
        EXPECT_EQ(p.transaction_state(), transaction_state::fatal_error);
        replacement.emplace(io.get_executor(), cfg);
        ASSERT_EQ(run_op(io, [&](auto h) { replacement->async_init_transactions(h); }), error_code{});
    }
    producer& successor = replacement ? *replacement : p;
    ASSERT_EQ(successor.begin_transaction(), error_code{});
    EXPECT_TRUE(send_records(io, successor, topic, "after-", 30).empty());
    ASSERT_EQ(run_op(io, [&](auto h) { successor.async_commit_transaction(h); }), error_code{})
        << successor.last_error().describe();

    const auto committed = java_values(topic, "read_committed");
    EXPECT_EQ(count_prefix(committed, "after-"), 30u);
    EXPECT_EQ(committed.size(), 30u);
}

}  // namespace
}  // namespace kasio::test::kafka

namespace kasio::test::kafka {
namespace {

// One consume-transform-produce member: a read_committed consumer in `group` and a
// transactional producer; each poll's records go to `output` with the consumer's positions in
// one transaction (Java's sendOffsetsToTransaction). A transaction that cannot commit is
// aborted and the consumer goes back to the group's committed offsets; a producer that is
// fenced or fails for good is replaced.
struct eos_member {
    eos_member(asio::io_context& io, const std::string& group, const std::string& input, std::string id)
        : io_(io), id_(std::move(id)), consumer_(io.get_executor(), member_config(group)) {
        consumer_.subscribe({input});
        new_producer();
    }

    static consumer_config member_config(const std::string& group) {
        consumer_config c;
        c.bootstrap_servers = {cluster().bootstrap};
        c.group_id = group;
        c.enable_auto_commit = false;
        c.isolation = isolation_level::read_committed;
        c.auto_offset_reset = offset_reset::earliest;
        debug_log(c.connection);
        return c;
    }

    void new_producer() {
        producer_.reset();
        producer_.emplace(io_.get_executor(), txn_config(id_));
        const error_code ec = run_op(io_, [&](auto h) { producer_->async_init_transactions(h); });
        EXPECT_EQ(ec, error_code{}) << producer_->last_error().describe();
        ++producers;
    }

    // One poll and its transaction; returns the records committed (0 when the poll was empty
    // or the transaction was aborted).
    std::size_t step(const std::string& output) {
        std::optional<std::pair<error_code, fetch_batch>> polled;
        consumer_.async_poll(std::chrono::milliseconds(200),
                             [&](error_code ec, fetch_batch b) { polled.emplace(ec, std::move(b)); });
        while (!polled) {
            if (io_.stopped()) io_.restart();
            if (io_.run_one_for(std::chrono::seconds(60)) == 0) break;
        }
        EXPECT_TRUE(polled.has_value()) << "poll did not complete";
        if (!polled) return 0;
        if (polled->first) {
            ++poll_errors;  // e.g. a commit of the rebalance listener; the next poll goes on
            return 0;
        }
        if (polled->second.empty()) return 0;
        if (error_code ec = producer_->begin_transaction()) {
            ADD_FAILURE() << "begin: " << ec.message() << " in state " << to_string(producer_->transaction_state());
            return 0;
        }
        std::size_t n = 0;
        int done = 0;
        for (const consumer_record& r : polled->second) {
            record out;
            out.topic = output;
            out.key = r.key;
            out.value = r.value;
            producer_->async_send(out, [&](error_code, delivery) { ++done; });
            ++n;
        }
        std::vector<partition_offset> positions;
        for (const topic_partition& tp : consumer_.assignment())
            if (auto p = consumer_.position(tp)) positions.push_back({tp.topic, tp.partition, *p, {}});
        error_code ec = run_op(io_, [&](auto h) {
            producer_->async_send_offsets_to_transaction(positions, consumer_.group_metadata(), h);
        });
        if (!ec) ec = run_op(io_, [&](auto h) { producer_->async_commit_transaction(h); });
        if (!ec) {
            ++committed;
            return n;
        }
        recover(ec);
        return 0;
    }

    // A crash in the middle of a transaction: the next poll's records are sent and delivered
    // (they are in the log), then the member stops without committing; the caller destroys it.
    // Its successor's InitProducerId aborts that transaction.
    std::size_t send_and_crash(const std::string& output) {
        std::optional<std::pair<error_code, fetch_batch>> polled;
        consumer_.async_poll(std::chrono::milliseconds(2000),
                             [&](error_code ec, fetch_batch b) { polled.emplace(ec, std::move(b)); });
        while (!polled) {
            if (io_.stopped()) io_.restart();
            if (io_.run_one_for(std::chrono::seconds(60)) == 0) break;
        }
        if (!polled || polled->first || polled->second.empty()) return 0;
        if (producer_->begin_transaction()) return 0;
        for (const consumer_record& r : polled->second) {
            record out;
            out.topic = output;
            out.key = r.key;
            out.value = r.value;
            producer_->async_send(out, [](error_code, delivery) {});
        }
        EXPECT_EQ(run_op(io_, [&](auto h) { producer_->async_flush(h); }), error_code{});
        return polled->second.size();
    }

    // The transaction failed: abort it (or replace a producer that cannot go on) and read again
    // from what the group committed.
    void recover(const error_code& why) {
        ++aborted;
        errors[why.message()]++;
        if (producer_->transaction_state() == transaction_state::fatal_error ||
            run_op(io_, [&](auto h) { producer_->async_abort_transaction(h); })) {
            new_producer();
        }
        const std::vector<topic_partition> owned = consumer_.assignment();
        std::optional<std::pair<error_code, std::vector<partition_offset>>> got;
        consumer_.async_committed(owned, [&](error_code ec, std::vector<partition_offset> o) { got.emplace(ec, std::move(o)); });
        while (!got) {
            if (io_.stopped()) io_.restart();
            if (io_.run_one_for(std::chrono::seconds(60)) == 0) break;
        }
        if (!got || got->first) {
            ADD_FAILURE() << "committed offsets unknown: " << (got ? got->first.message() : "no answer");
            return;
        }
        for (const partition_offset& o : got->second) {
            if (o.offset >= 0) consumer_.seek({o.topic, o.partition}, o.offset);
            else consumer_.seek_to_beginning({{o.topic, o.partition}});
        }
    }

    asio::io_context& io_;
    std::string id_;
    consumer consumer_;
    std::optional<producer> producer_;
    int producers = 0, committed = 0, aborted = 0, poll_errors = 0;
    std::map<std::string, int> errors;
};

TEST_P(transactions_at, consumed_offsets_commit_with_the_transaction_that_wrote_the_output) {
    const std::string input = unique_topic("txn-in"), output = input + "-out", group = input + "-g";
    create_topic(input, partitions);
    create_topic(output, partitions);
    std::vector<owned_record> records;
    for (int i = 0; i < 600; ++i) records.push_back({std::nullopt, -1, -1, false, "k" + std::to_string(i), std::to_string(i), {}});
    producer_config plain;
    plain.bootstrap_servers = {cluster().bootstrap};
    ASSERT_EQ(kasio_produce(plain, input, records), "");

    asio::io_context io;
    eos_member m(io, group, input, group + "-tx");
    std::size_t copied = 0;
    for (int polls = 0; polls < 400 && copied < records.size(); ++polls) copied += m.step(output);
    EXPECT_EQ(copied, records.size());
    EXPECT_EQ(m.aborted, 0);

    // The group's committed offsets are the end of every input partition (Java's view), and a
    // read_committed Java reader finds each input value once in the output.
    const peer_result offsets = peer_ok("group-offsets", {"--group", group});
    std::int64_t total = 0;
    for (const json& line : offsets.lines) total += line["offset"].as_int();
    EXPECT_EQ(total, 600);
    const peer_result verify = peer_ok("verify-seq", {"--topic", output, "--expect", "600"});
    ASSERT_EQ(verify.lines.size(), 1u);
    EXPECT_EQ(verify.lines[0]["lost"].as_int(), 0);
    EXPECT_EQ(verify.lines[0]["duplicated"].as_int(), 0);
}

}  // namespace
}  // namespace kasio::test::kafka

namespace kasio::test::kafka {
namespace {
INSTANTIATE_TEST_SUITE_P(transaction_version, transactions_at, ::testing::Values(2, 1), version_name);
}  // namespace
}  // namespace kasio::test::kafka

namespace kasio::test::kafka {
namespace {

// Consume-transform-produce with exactly-once while the cluster and the group change under it:
// two members copy an input topic to an output topic in transactions; a broker is SIGKILLed
// and restarted, and a member stops in the middle of a transaction (its records written, not
// committed) and a new one with the same transactional.id joins, which aborts that transaction.
// A read_committed Java reader then finds every input value exactly once in the output.
// KASIO_EOS_RECORDS sets the count (default 200,000; the closing note's run used 1,000,000).
TEST(transactions, consume_transform_produce_is_exactly_once_through_a_broker_kill_and_a_member_change) {
    std::size_t n = 200000;
    if (const char* e = std::getenv("KASIO_EOS_RECORDS")) n = std::stoul(e);
    const std::string input = unique_topic("eos-in"), output = input + "-out", group = input + "-g";
    create_topic(input, 12);
    create_topic(output, 6);
    {
        std::vector<owned_record> records;
        records.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            records.push_back({std::nullopt, -1, -1, false, "k" + std::to_string(i), std::to_string(i), {}});
        producer_config plain;
        plain.bootstrap_servers = {cluster().bootstrap};
        plain.linger = std::chrono::milliseconds(20);
        ASSERT_EQ(kasio_produce(plain, input, records), "");
    }
    cluster_restorer restore;
    asio::io_context io;
    std::optional<eos_member> a, b;
    a.emplace(io, group, input, group + "-a");
    b.emplace(io, group, input, group + "-b");

    // The broker faults run on their own thread (the cluster script waits for a restart) while
    // the members go on; they start when the copy reaches a share of the input.
    std::atomic<std::size_t> copied{0};
    std::atomic<bool> stop{false};
    std::string timeline;
    std::mutex timeline_mutex;
    auto note = [&](const std::string& what) {
        std::lock_guard lock(timeline_mutex);
        timeline += what + " at " + std::to_string(copied.load()) + "; ";
    };
    const int victim = leaders_of(input).at(0);
    std::thread faults([&] {
        auto reach = [&](std::size_t mark) {
            while (!stop && copied.load() < mark) std::this_thread::yield();
            return !stop;
        };
        if (!reach(n / 5)) return;
        broker_action("kill", victim);
        note("killed broker " + std::to_string(victim));
        if (!reach(n * 2 / 5)) return;
        broker_action("start-broker", victim);
        note("restarted it");
    });

    bool changed_member = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    while (copied.load() < n && std::chrono::steady_clock::now() < deadline) {
        copied += a->step(output);
        copied += b->step(output);
        if (!changed_member && copied.load() >= n * 3 / 5) {
            changed_member = true;
            const std::size_t orphaned = b->send_and_crash(output);
            b.reset();  // leaves the group (its consumer's destructor), its transaction open
            note("member b stopped in a transaction with " + std::to_string(orphaned) + " records written");
            b.emplace(io, group, input, group + "-b");
            note("a new member b joined");
        }
    }
    stop = true;
    faults.join();
    EXPECT_EQ(copied.load(), n) << timeline;
    std::cerr << "eos: " << timeline << " a: committed " << a->committed << " aborted " << a->aborted << ", b: committed "
              << b->committed << " aborted " << b->aborted << "\n";
    for (const auto* m : {&*a, &*b})
        for (const auto& [why, count] : m->errors) std::cerr << "  aborted " << count << "x: " << why << "\n";

    const peer_result verify = peer_ok("verify-seq", {"--topic", output, "--expect", std::to_string(n), "--timeout-ms", "300000"});
    ASSERT_EQ(verify.lines.size(), 1u);
    EXPECT_EQ(verify.lines[0]["lost"].as_int(), 0) << timeline;
    EXPECT_EQ(verify.lines[0]["duplicated"].as_int(), 0) << timeline;
    EXPECT_EQ(verify.lines[0]["records"].as_int(), static_cast<std::int64_t>(n));
    std::cerr << "verify-seq: records " << verify.lines[0]["records"].as_int() << " lost " << verify.lines[0]["lost"].as_int()
              << " duplicated " << verify.lines[0]["duplicated"].as_int() << "\n";
}

}  // namespace
}  // namespace kasio::test::kafka

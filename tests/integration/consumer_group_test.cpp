// Consumer groups on librdkafka 2.14's mock cluster: subscribe, rebalances as members leave and
// join (eager range and cooperative-sticky), manual commits with at-least-once processing,
// committed offsets surviving the member, and a librdkafka consumer in the same group.
//
// The mock elects a group's leader when its rebalance timer fires: session.timeout.ms - 1 s
// after the first join of a round (no early election when everyone is in), so the members use
// a short session timeout to keep each rebalance near a second.
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

namespace kasio {
namespace {

constexpr std::int32_t partitions = 6;

class consumer_group : public test::mock_cluster_test {
protected:
    void SetUp() override {
        mock_cluster_test::SetUp();
        ASSERT_EQ(cluster().offer_parsable_group_versions(), RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_EQ(cluster().create_topic("grp", partitions), RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    void TearDown() override { test::finish_shutdown(io); }

    void produce(std::size_t first, std::size_t count) {
        test::writer_options w;
        w.first = first;
        w.partitions = partitions;
        ASSERT_EQ(test::produce_records(cluster().bootstrap(), "grp", count, w), count);
    }

    consumer_config config(std::string_view strategy, bool auto_commit = false) {
        consumer_config cfg;
        EXPECT_FALSE(cfg.set("bootstrap.servers", cluster().bootstrap()));
        EXPECT_FALSE(cfg.set("group.id", "g1"));
        EXPECT_FALSE(cfg.set("auto.offset.reset", "earliest"));
        EXPECT_FALSE(cfg.set("enable.auto.commit", auto_commit ? "true" : "false"));
        EXPECT_FALSE(cfg.set("session.timeout.ms", "2000"));
        EXPECT_FALSE(cfg.set("heartbeat.interval.ms", "100"));
        EXPECT_FALSE(cfg.set("fetch.max.wait.ms", "50"));
        EXPECT_FALSE(cfg.set("max.poll.records", "20"));
        EXPECT_FALSE(cfg.set("partition.assignment.strategy", strategy));
        if (std::getenv("KASIO_TEST_DEBUG")) {
            cfg.connection.log.level = log_level::debug;
            cfg.connection.log.debug = debug_context::protocol;
            cfg.connection.log.sink = [](log_level, std::string_view m) { std::fprintf(stderr, "%.*s\n", int(m.size()), m.data()); };
        }
        return cfg;
    }

    boost::asio::io_context io;
};

/// One member: polls without end, records what it processed, commits after each batch. Closed
/// before it goes (also when an assertion returns early): its pending poll completes, aborted,
/// while the member the handler points to still lives.
struct member {
    explicit member(boost::asio::io_context& context) : io(context) {}
    ~member() { close(io); }
    member(const member&) = delete;
    member& operator=(const member&) = delete;

    void close(boost::asio::io_context& ctx) {
        if (closed || !c) return;
        stopped = true;
        c->async_close([this](error_code) { closed = true; });
        EXPECT_TRUE(test::run_until(ctx, [&] { return closed; }));
    }

    boost::asio::io_context& io;
    std::string name;
    std::unique_ptr<consumer> c;
    std::map<std::size_t, int>* processed = nullptr;  // shared: sequence number -> times
    std::set<std::pair<std::string, std::int32_t>> owned;
    std::size_t revoked = 0, lost = 0, assigned_calls = 0;
    std::vector<topic_partition> revoked_list;
    bool polling = false;
    bool stopped = false;
    bool closed = false;
    error_code poll_error;
    std::size_t commit_failures = 0;

    rebalance_listener listener() {
        rebalance_listener l;
        l.on_assigned = [this](const std::vector<topic_partition>& p) {
            ++assigned_calls;
            for (const auto& tp : p) owned.insert({tp.topic, tp.partition});
        };
        l.on_revoked = [this](const std::vector<topic_partition>& p) {
            revoked += p.size();
            revoked_list.insert(revoked_list.end(), p.begin(), p.end());
            for (const auto& tp : p) owned.erase({tp.topic, tp.partition});
        };
        l.on_lost = [this](const std::vector<topic_partition>& p) {
            lost += p.size();
            for (const auto& tp : p) owned.erase({tp.topic, tp.partition});
        };
        return l;
    }

    void poll() {
        if (stopped || polling) return;
        polling = true;
        c->async_poll([this](error_code ec, fetch_batch b) {
            polling = false;
            if (ec == boost::asio::error::operation_aborted) return;
            if (ec) poll_error = ec;
            std::map<std::pair<std::string, std::int32_t>, std::int64_t> next;
            for (const auto& r : b) {
                const auto seq = test::parse_key(test::as_text(*r.key));
                if (seq) ++(*processed)[*seq];
                next[{std::string(r.topic), r.partition}] = r.offset + 1;
            }
            if (!next.empty()) {
                std::vector<partition_offset> offsets;
                for (const auto& [tp, off] : next) offsets.push_back(partition_offset{tp.first, tp.second, off, {}});
                // Processed, then committed: what a restart skips was processed.
                c->async_commit(std::move(offsets), [this](error_code cec) {
                    // A commit racing a rebalance is refused; those records are processed again.
                    if (cec) ++commit_failures;
                });
            }
            poll();
        });
    }
};

std::size_t distinct(const std::map<std::size_t, int>& processed) { return processed.size(); }

void close_member(boost::asio::io_context& io, member& m) { m.close(io); }

// Runs the members until `done` holds, for 60 s at most (heartbeats keep the context busy, so
// running out of work never ends the wait).
template <class Done>
bool drive(boost::asio::io_context& io, std::vector<member*> members, Done done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    test::run_until(io, [&] {
        for (auto* m : members) m->poll();
        return done() || std::chrono::steady_clock::now() > deadline;
    });
    return done();
}

// Records arrive in four waves: before the group forms, then just before a member leaves, just
// before one joins, and after; the rebalances happen while records are flowing.
void membership_test(boost::asio::io_context& io, consumer_config cfg, bool cooperative, std::size_t total,
                     const std::function<void(std::size_t, std::size_t)>& produce) {
    const std::size_t wave = total / 4;
    produce(0, wave);
    std::map<std::size_t, int> processed;
    std::vector<std::unique_ptr<member>> members;
    auto add = [&](std::string name) {
        auto m = std::make_unique<member>(io);
        m->name = std::move(name);
        m->c = std::make_unique<consumer>(io.get_executor(), cfg);
        m->processed = &processed;
        m->c->subscribe({"grp"}, m->listener());
        members.push_back(std::move(m));
        return members.back().get();
    };
    member* a = add("a");
    member* b = add("b");
    member* c = add("c");
    auto owned_total = [&](std::initializer_list<member*> ms) {
        std::size_t n = 0;
        for (auto* m : ms) n += m->owned.size();
        return n;
    };
    // Three members share the six partitions, two each.
    ASSERT_TRUE(drive(io, {a, b, c}, [&] {
        return a->owned.size() == 2 && b->owned.size() == 2 && c->owned.size() == 2 && distinct(processed) == wave;
    }));
    // a leaves mid-stream; b and c take its partitions.
    produce(wave, wave);
    const std::size_t revoked_before_leave = b->revoked + c->revoked;
    a->stopped = true;
    a->c->async_close([a](error_code) { a->closed = true; });
    ASSERT_TRUE(drive(io, {b, c}, [&] { return a->closed && owned_total({b, c}) == partitions && b->owned.size() == 3; }));
    if (cooperative) {
        EXPECT_EQ(b->revoked + c->revoked, revoked_before_leave) << "a leaving moved nothing of b's or c's";
    }
    // d joins mid-stream: it gets two partitions, taken from b and c.
    produce(2 * wave, wave);
    const std::size_t revoked_before_join = b->revoked + c->revoked;
    member* d = add("d");
    ASSERT_TRUE(drive(io, {b, c, d}, [&] { return d->owned.size() == 2 && owned_total({b, c, d}) == partitions; }));
    if (cooperative) {
        // Only what moved to d was revoked (KIP-429): two partitions, never one that stayed.
        EXPECT_EQ(b->revoked + c->revoked - revoked_before_join, 2u);
        for (const auto& tp : b->revoked_list) EXPECT_FALSE(b->owned.count({tp.topic, tp.partition}));
        for (const auto& tp : c->revoked_list) EXPECT_FALSE(c->owned.count({tp.topic, tp.partition}));
    }
    produce(3 * wave, total - 3 * wave);
    ASSERT_TRUE(drive(io, {b, c, d}, [&] { return distinct(processed) == total; }));
    // At least once, none skipped: every sequence number was processed.
    for (std::size_t i = 0; i < total; ++i) ASSERT_GE(processed[i], 1) << "record " << i << " never processed";
    for (auto* m : {b, c, d}) EXPECT_FALSE(m->poll_error) << m->name << ": " << m->poll_error.message();
}

TEST_F(consumer_group, three_members_share_partitions_through_a_leave_and_a_join_eager_range) {
    const auto total = static_cast<std::size_t>(6000 * std::max(0.2, test::test_scale()));
    membership_test(io, config("range"), false, total, [&](std::size_t f, std::size_t n) { produce(f, n); });
}

TEST_F(consumer_group, cooperative_sticky_revokes_only_what_moves) {
    const auto total = static_cast<std::size_t>(6000 * std::max(0.2, test::test_scale()));
    membership_test(io, config("cooperative-sticky"), true, total,
                    [&](std::size_t f, std::size_t n) { produce(f, n); });
}

TEST_F(consumer_group, committed_offsets_outlive_the_member) {
    produce(0, 300);
    std::map<std::size_t, int> processed;
    {
        member m(io);
        m.c = std::make_unique<consumer>(io.get_executor(), config("range"));
        m.processed = &processed;
        m.c->subscribe({"grp"}, m.listener());
        ASSERT_TRUE(drive(io, {&m}, [&] { return processed.size() == 300; }));
        m.stopped = true;
        // Commit what was handed out, check it reads back, leave.
        bool committed = false;
        m.c->async_commit([&](error_code ec) {
            EXPECT_FALSE(ec) << ec.message();
            committed = true;
        });
        ASSERT_TRUE(test::run_until(io, [&] { return committed; }));
        std::vector<topic_partition> tps;
        for (std::int32_t p = 0; p < partitions; ++p) tps.push_back({"grp", p});
        std::optional<std::vector<partition_offset>> got;
        m.c->async_committed(tps, [&](error_code ec, std::vector<partition_offset> o) {
            EXPECT_FALSE(ec) << ec.message();
            got = std::move(o);
        });
        ASSERT_TRUE(test::run_until(io, [&] { return got.has_value(); }));
        std::int64_t sum = 0;
        for (const auto& o : *got) sum += o.offset;
        EXPECT_EQ(sum, 300);
        close_member(io, m);
    }
    // A new member starts from the committed offsets: only the new records come.
    produce(300, 60);
    processed.clear();
    member n(io);
    n.c = std::make_unique<consumer>(io.get_executor(), config("range"));
    n.processed = &processed;
    n.c->subscribe({"grp"}, n.listener());
    ASSERT_TRUE(drive(io, {&n}, [&] { return processed.size() == 60; }));
    EXPECT_EQ(processed.begin()->first, 300u);
    EXPECT_EQ(processed.rbegin()->first, 359u);
    const auto ms = n.c->membership();
    ASSERT_TRUE(ms.has_value());
    EXPECT_EQ(ms->protocol, "range");
    EXPECT_TRUE(ms->leader);
    close_member(io, n);
}

TEST_F(consumer_group, regex_subscription_takes_matching_topics) {
    ASSERT_EQ(cluster().create_topic("other", 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    produce(0, 60);
    std::map<std::size_t, int> processed;
    member m(io);
    m.c = std::make_unique<consumer>(io.get_executor(), config("range"));
    m.processed = &processed;
    ASSERT_FALSE(m.c->subscribe_pattern("gr.*", m.listener()));
    ASSERT_TRUE(drive(io, {&m}, [&] { return processed.size() == 60; }));
    EXPECT_EQ(m.owned.size(), static_cast<std::size_t>(partitions));
    EXPECT_EQ(m.c->subscribe_pattern("(", {}), make_error_code(client_errc::invalid_config));
    close_member(io, m);
}

TEST_F(consumer_group, subscribe_without_group_id_is_reported_by_poll) {
    consumer_config cfg = config("range");
    cfg.group_id.clear();
    consumer c(io.get_executor(), cfg);
    c.subscribe({"grp"});
    std::optional<error_code> got;
    c.async_poll([&](error_code ec, fetch_batch) { got = ec; });
    ASSERT_TRUE(test::run_until(io, [&] { return got.has_value(); }));
    EXPECT_EQ(*got, make_error_code(client_errc::invalid_config));
}

// A librdkafka consumer and a kasio consumer in one group (range first for both: the mock takes
// the leader's first assignor) split the partitions and together read every record.
TEST_F(consumer_group, librdkafka_and_kasio_members_share_a_group) {
    constexpr std::size_t total = 1200;
    char err[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    auto set = [&](const char* k, const char* v) {
        ASSERT_EQ(rd_kafka_conf_set(conf, k, v, err, sizeof err), RD_KAFKA_CONF_OK) << err;
    };
    set("bootstrap.servers", cluster().bootstrap().c_str());
    set("group.id", "g1");
    set("auto.offset.reset", "earliest");
    set("enable.auto.commit", "false");
    set("session.timeout.ms", "2000");
    set("heartbeat.interval.ms", "100");
    set("partition.assignment.strategy", "range,roundrobin");
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    ASSERT_NE(rk, nullptr) << err;
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, "grp", RD_KAFKA_PARTITION_UA);
    ASSERT_EQ(rd_kafka_subscribe(rk, topics), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(topics);

    std::map<std::size_t, int> processed;
    std::set<std::int32_t> rdkafka_partitions;
    member k(io);
    k.c = std::make_unique<consumer>(io.get_executor(), config("range,roundrobin"));
    k.processed = &processed;
    k.c->subscribe({"grp"}, k.listener());
    auto rdkafka_step = [&] {
        while (rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk, 0)) {
            if (!msg->err && msg->key) {
                const auto seq = test::parse_key(std::string_view(static_cast<const char*>(msg->key), msg->key_len));
                if (seq) ++processed[*seq];
                rdkafka_partitions.insert(msg->partition);
            }
            rd_kafka_message_destroy(msg);
        }
    };
    // Both sides make progress: kasio on the io_context, librdkafka on its own threads, drained
    // between io steps (rd_kafka_consumer_poll with timeout 0 never blocks). The records come
    // once the group has settled with both members, so that each reads only its own share.
    auto rdkafka_assigned = [&] {
        rd_kafka_topic_partition_list_t* a = nullptr;
        if (rd_kafka_assignment(rk, &a) != RD_KAFKA_RESP_ERR_NO_ERROR) return 0;
        const int n = a->cnt;
        rd_kafka_topic_partition_list_destroy(a);
        return n;
    };
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!(k.owned.size() == 3 && rdkafka_assigned() == 3) && std::chrono::steady_clock::now() < deadline) {
        k.poll();
        io.run_for(std::chrono::milliseconds(5));
        rdkafka_step();
    }
    ASSERT_EQ(k.owned.size(), 3u);
    ASSERT_EQ(rdkafka_assigned(), 3);
    produce(0, total);
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (processed.size() < total && std::chrono::steady_clock::now() < deadline) {
        k.poll();
        io.run_for(std::chrono::milliseconds(5));
        rdkafka_step();
    }
    EXPECT_EQ(processed.size(), total);
    EXPECT_EQ(k.owned.size(), 3u);
    EXPECT_EQ(rdkafka_partitions.size(), 3u);
    for (const auto& [tp_topic, tp_part] : k.owned) EXPECT_FALSE(rdkafka_partitions.count(tp_part)) << tp_part;
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    close_member(io, k);
}

}  // namespace
}  // namespace kasio

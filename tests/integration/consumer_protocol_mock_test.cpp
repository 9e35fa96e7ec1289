// The KIP-848 consumer group protocol (group.protocol=consumer: ConsumerGroupHeartbeat, api 68)
// on its unhappy paths, against librdkafka 2.14's mock cluster: heartbeat errors injected one at
// a time (fenced epoch, unknown member, coordinator moved, loading or unavailable, refusals no
// retry fixes), a dropped connection, the coordinator moving or going away, a broker without the
// API, revocations the group decides, a static member's restart, commits by member epoch, and
// the configuration the protocol refuses (consumer_protocol_config_test.cpp).
//
// What the mock (librdkafka v2.14.2: src/rdkafka_mock_handlers.c, src/rdkafka_mock_cgrp.c)
// serves: ConsumerGroupHeartbeat v1 only (advertised 1..1; a v0 request closes the connection),
// read field by field as Kafka's schema has it (flexible header, compact strings and arrays, the
// tagged fields of each TopicPartitions entry; the request's own tagged fields are not read); a
// range assignment of the members' subscribed topics, sent by topic id (or one set by the test:
// set_consumer_target_assignment); member epochs (a heartbeat with another epoch is answered
// FENCED_MEMBER_EPOCH, an OffsetCommit STALE_MEMBER_EPOCH); partitions handed to a member only
// once their owner reported them gone; leaving with epoch -1, and -2 for a static member, whose
// assignment waits for its next instance; members silent for group.consumer.session.timeout.ms
// are removed (checked once a second); a member whose connection closed gets its whole
// assignment again at its next heartbeat; SubscribedTopicRegex matched (as a search, with
// librdkafka's regex engine) against the topics at every heartbeat that carries it. An error
// pushed with push_request_errors(68) answers the next heartbeat, on any broker, before the
// coordinator check: ErrorMessage is librdkafka's text for the code, MemberId null, no
// assignment, MemberEpoch the one sent (-1 for FENCED_MEMBER_EPOCH and UNKNOWN_MEMBER_ID, which
// also remove the member from the group as a broker would).
//
// What it does not do: it never answers UNSUPPORTED_ASSIGNOR (ServerAssignor is ignored),
// INVALID_REGULAR_EXPRESSION (an invalid regex is not checked: it crashes the mock),
// GROUP_MAX_SIZE_REACHED or GROUP_AUTHORIZATION_FAILED by itself: those are injected here; a
// second active instance of a static member is answered UNKNOWN_MEMBER_ID, not
// UNRELEASED_INSTANCE_ID. It does not check what a real broker refuses at epoch 0
// (RebalanceTimeoutMs -1, owned partitions sent). It resends an unchanged assignment only after
// a reconnection (a broker sends it with every full heartbeat). And it asserts, aborting this
// test process, on a null or empty MemberId, an epoch below -2, and a heartbeat whose
// SubscribedTopicNames and SubscribedTopicRegex are not both null or both set (librdkafka, and
// kasio, send "" as the regex beside a list of names).
#include "consumer_support.hpp"
#include "mock_cluster_fixture.hpp"

#include <kasio/broker_errc.hpp>
#include <kasio/consumer.hpp>

#include <librdkafka/rdkafka.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kasio {
namespace {

constexpr std::int32_t partitions = 4;
constexpr std::size_t wave = 200;  // records produced at a time, spread over the partitions
constexpr std::int16_t consumer_group_heartbeat = 68;
const std::string topic = "k848";
const std::string group = "g848";

std::string names(const std::set<std::int32_t>& parts) {
    std::string out;
    for (auto p : parts) out += (out.empty() ? "" : ",") + std::to_string(p);
    return out;
}

std::set<std::int32_t> partition_set(const std::vector<topic_partition>& parts) {
    std::set<std::int32_t> out;
    for (const auto& tp : parts) out.insert(tp.partition);
    return out;
}

/// One consumer and what its listener and its polls saw. Polls without end (until an error, or
/// until `polling_stopped`); closed before it goes, so that its pending poll completes while
/// the member the handler points to still lives.
struct member {
    member(boost::asio::io_context& context, const consumer_config& cfg)
        : io(context), c(std::make_unique<consumer>(context.get_executor(), cfg)) {}
    ~member() { close(); }
    member(const member&) = delete;
    member& operator=(const member&) = delete;

    void subscribe() { c->subscribe({topic}, listener()); }

    void close() {
        if (closed) return;
        polling_stopped = true;
        c->async_close([this](error_code) { closed = true; });
        EXPECT_TRUE(test::run_until(io, [&] { return closed && !polling; }));
    }

    rebalance_listener listener() {
        rebalance_listener l;
        l.on_assigned = [this](const std::vector<topic_partition>& p) {
            ++assigned_calls;
            const auto s = partition_set(p);
            events.push_back("assigned " + names(s));
            owned.insert(s.begin(), s.end());
        };
        l.on_revoked = [this](const std::vector<topic_partition>& p) {
            ++revoked_calls;
            const auto s = partition_set(p);
            events.push_back("revoked " + names(s));
            for (auto x : s) owned.erase(x);
        };
        l.on_lost = [this](const std::vector<topic_partition>& p) {
            ++lost_calls;
            const auto s = partition_set(p);
            events.push_back("lost " + names(s));
            last_lost = s;
            for (auto x : s) owned.erase(x);
        };
        return l;
    }

    // Starts a poll unless one is pending, an error stopped polling or the test stopped it.
    void poll() {
        if (polling || polling_stopped || !errors.empty()) return;
        polling = true;
        c->async_poll([this](error_code ec, fetch_batch b) {
            polling = false;
            for (const auto& r : b) {
                if (const auto seq = r.key ? test::parse_key(test::as_text(*r.key)) : std::nullopt) {
                    seen.insert(*seq);
                    from_partition.insert(r.partition);
                }
            }
            if (ec && ec != boost::asio::error::operation_aborted) errors.push_back(ec);
        });
    }

    std::string describe() const {
        std::string out = "owned {" + names(owned) + "}, events:";
        for (const auto& e : events) out += " [" + e + "]";
        out += ", records " + std::to_string(seen.size());
        for (const auto& e : errors) out += ", poll error " + e.message();
        if (const auto le = c->last_error()) out += ", last_error " + le.describe();
        return out;
    }

    boost::asio::io_context& io;
    std::unique_ptr<consumer> c;
    std::set<std::int32_t> owned;
    std::set<std::int32_t> last_lost;
    std::vector<std::string> events;
    std::size_t assigned_calls = 0, revoked_calls = 0, lost_calls = 0;
    std::set<std::size_t> seen;               // sequence numbers of the records polled
    std::set<std::int32_t> from_partition;    // partitions records came from (cleared by tests)
    std::vector<error_code> errors;           // poll errors, in order
    bool polling = false, polling_stopped = false, closed = false;
};

class consumer_protocol : public test::mock_cluster_test {
protected:
    void SetUp() override {
        mock_cluster_test::SetUp();
        // Heartbeats every 100 ms (the broker decides, not heartbeat.interval.ms); a member
        // silent for 3 s is removed from the group (the mock looks once a second: within 4 s).
        cluster().set_group_consumer_heartbeat_interval(100);
        cluster().set_group_consumer_session_timeout(3000);
        ASSERT_EQ(cluster().create_topic(topic, partitions, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
        // Partition p led by broker p % 3 + 1; broker 1 (leader of 0 and 3) coordinates.
        for (std::int32_t p = 0; p < partitions; ++p)
            ASSERT_EQ(cluster().set_leader(topic, p, p % 3 + 1), RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_EQ(cluster().set_coordinator("group", group, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
        produce(0);
    }
    void TearDown() override {
        a.reset();
        b.reset();
        test::finish_shutdown(io);
    }

    // Produces wave number n (records n * wave .. n * wave + wave - 1).
    void produce(std::size_t n) {
        test::writer_options w;
        w.first = n * wave;
        w.partitions = partitions;
        ASSERT_EQ(test::produce_records(cluster().bootstrap(), topic, wave, w), wave);
    }

    consumer_config config() {
        consumer_config cfg;
        EXPECT_FALSE(cfg.set("bootstrap.servers", cluster().bootstrap()));
        EXPECT_FALSE(cfg.set("group.id", group));
        EXPECT_FALSE(cfg.set("group.protocol", "consumer"));
        EXPECT_FALSE(cfg.set("auto.offset.reset", "earliest"));
        EXPECT_FALSE(cfg.set("enable.auto.commit", "false"));
        EXPECT_FALSE(cfg.set("fetch.max.wait.ms", "50"));
        EXPECT_FALSE(cfg.set("max.poll.records", "50"));
        EXPECT_FALSE(cfg.set("reconnect.backoff.ms", "10"));
        // A downed mock broker leaves connection attempts hanging: give up on them after 1 s.
        EXPECT_FALSE(cfg.set("socket.connection.setup.timeout.ms", "1000"));
        if (std::getenv("KASIO_TEST_DEBUG")) {
            cfg.connection.log.level = log_level::debug;
            cfg.connection.log.debug = debug_context::protocol;
            cfg.connection.log.sink = [](log_level, std::string_view m) {
                std::fprintf(stderr, "%.*s\n", int(m.size()), m.data());
            };
        }
        return cfg;
    }

    // Runs the members (polling) until `done` holds, for `limit` at most. A bound, not a
    // synchronisation: every test waits for a condition.
    template <class Done>
    bool drive(Done done, std::chrono::milliseconds limit = std::chrono::seconds(8)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        test::run_until(io, [&] {
            for (member* m : {a.get(), b.get()})
                if (m) m->poll();
            return done() || std::chrono::steady_clock::now() > deadline;
        });
        return done();
    }

    // Member a joins alone, is given every partition and consumes the first wave.
    void start(const consumer_config& cfg) {
        a = std::make_unique<member>(io, cfg);
        a->subscribe();
        ASSERT_TRUE(drive([&] { return a->owned.size() == partitions && a->seen.size() == wave; }))
            << a->describe();
    }
    void start() { start(config()); }

    // Heartbeats (api 68) the cluster saw since tracking started, to `broker` (0: any).
    std::size_t heartbeats(std::int32_t broker = 0) {
        const auto reqs = cluster().requests();
        return static_cast<std::size_t>(std::count_if(reqs.begin(), reqs.end(), [&](const test::tracked_request& r) {
            return r.api_key == consumer_group_heartbeat && (broker == 0 || r.broker_id == broker);
        }));
    }
    // Whether a request of api_key came after the first heartbeat since tracking started.
    bool after_first_heartbeat(std::int16_t api_key) {
        bool heartbeat = false;
        for (const auto& r : cluster().requests()) {
            if (heartbeat && r.api_key == api_key) return true;
            heartbeat = heartbeat || r.api_key == consumer_group_heartbeat;
        }
        return false;
    }

    boost::asio::io_context io;
    std::unique_ptr<member> a, b;
};

// The baseline the other tests start from: the member joins with heartbeats alone (no
// JoinGroup, SyncGroup or classic Heartbeat), is given all four partitions and consumes them.
TEST_F(consumer_protocol, joins_with_heartbeats_only_and_consumes) {
    cluster().start_request_tracking();
    ASSERT_NO_FATAL_FAILURE(start());
    const auto m = a->c->membership();
    ASSERT_TRUE(m.has_value());
    EXPECT_FALSE(m->member_id.empty());
    EXPECT_GT(m->generation, 0) << "the member epoch";
    EXPECT_EQ(a->assigned_calls, 1u) << a->describe();
    std::set<std::int16_t> apis;
    for (const auto& r : cluster().requests()) apis.insert(r.api_key);
    EXPECT_TRUE(apis.count(consumer_group_heartbeat));
    EXPECT_FALSE(apis.count(11)) << "JoinGroup sent";
    EXPECT_FALSE(apis.count(14)) << "SyncGroup sent";
    EXPECT_FALSE(apis.count(12)) << "classic Heartbeat sent";
}

// FENCED_MEMBER_EPOCH and UNKNOWN_MEMBER_ID: the group has dropped the member (the mock removes
// it, as a broker does). The partitions are lost (on_lost with all it owned, never on_revoked),
// the member rejoins with epoch 0 (the mock answers any other epoch with an error again), is
// given the partitions anew and consumes what comes next. Neither error reaches poll.
class consumer_protocol_membership_lost : public consumer_protocol,
                                          public ::testing::WithParamInterface<rd_kafka_resp_err_t> {};

TEST_P(consumer_protocol_membership_lost, partitions_are_lost_and_the_member_rejoins) {
    ASSERT_NO_FATAL_FAILURE(start());
    const auto owned_before = a->owned;
    cluster().push_request_errors(consumer_group_heartbeat, {GetParam()});
    ASSERT_TRUE(drive([&] { return a->lost_calls == 1 && a->assigned_calls == 2 && a->owned.size() == partitions; }))
        << a->describe();
    EXPECT_EQ(a->last_lost, owned_before) << a->describe();
    EXPECT_EQ(a->revoked_calls, 0u) << a->describe();
    ASSERT_EQ(a->events.size(), 3u) << a->describe();
    EXPECT_EQ(a->events[1], "lost 0,1,2,3");
    EXPECT_EQ(a->events[2], "assigned 0,1,2,3");
    ASSERT_NO_FATAL_FAILURE(produce(1));
    ASSERT_TRUE(drive([&] { return a->seen.size() == 2 * wave; })) << a->describe();
    EXPECT_TRUE(a->errors.empty()) << a->describe();
    EXPECT_EQ(a->lost_calls, 1u) << "lost once only: " << a->describe();
    EXPECT_TRUE(a->c->membership().has_value());
}

INSTANTIATE_TEST_SUITE_P(errors, consumer_protocol_membership_lost,
                         ::testing::Values(RD_KAFKA_RESP_ERR_FENCED_MEMBER_EPOCH,
                                           RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID),
                         [](const auto& p) { return std::string(rd_kafka_err2name(p.param)); });

// NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE (the coordinator is looked up again) and
// COORDINATOR_LOAD_IN_PROGRESS (the heartbeat is retried), three times in a row on a member
// that owns partitions: it keeps them (the group did not change), nothing reaches poll, and
// it consumes what comes next.
class consumer_protocol_retriable : public consumer_protocol,
                                    public ::testing::WithParamInterface<rd_kafka_resp_err_t> {};

TEST_P(consumer_protocol_retriable, the_member_keeps_its_partitions) {
    ASSERT_NO_FATAL_FAILURE(start());
    cluster().start_request_tracking();
    cluster().push_request_errors(consumer_group_heartbeat, {GetParam(), GetParam(), GetParam()});
    // Three answered with the error, then two more: the member heartbeats normally again.
    ASSERT_TRUE(drive([&] { return heartbeats() >= 5; })) << a->describe();
    if (GetParam() != RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS) {
        EXPECT_TRUE(after_first_heartbeat(10)) << "no FindCoordinator after " << rd_kafka_err2name(GetParam());
    }
    ASSERT_NO_FATAL_FAILURE(produce(1));
    ASSERT_TRUE(drive([&] { return a->seen.size() == 2 * wave; })) << a->describe();
    EXPECT_EQ(a->owned.size(), static_cast<std::size_t>(partitions)) << a->describe();
    EXPECT_EQ(a->lost_calls + a->revoked_calls, 0u) << a->describe();
    EXPECT_EQ(a->assigned_calls, 1u) << a->describe();
    EXPECT_TRUE(a->errors.empty()) << a->describe();
}

INSTANTIATE_TEST_SUITE_P(errors, consumer_protocol_retriable,
                         ::testing::Values(RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
                                           RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
                                           RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS),
                         [](const auto& p) { return std::string(rd_kafka_err2name(p.param)); });

// The same errors met by the first heartbeat (the join): the member joins once they stop.
TEST_F(consumer_protocol, the_join_goes_through_retriable_errors) {
    cluster().push_request_errors(consumer_group_heartbeat,
                                  {RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
                                   RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
                                   RD_KAFKA_RESP_ERR_NOT_COORDINATOR});
    ASSERT_NO_FATAL_FAILURE(start());
    EXPECT_EQ(a->assigned_calls, 1u) << a->describe();
    EXPECT_TRUE(a->errors.empty()) << a->describe();
}

// The group moves to broker 2 while the member consumes: its next heartbeat to broker 1 is
// answered NOT_COORDINATOR by the mock itself; the member finds broker 2 and carries on there
// with its partitions (the group's state is the cluster's, not broker 1's).
TEST_F(consumer_protocol, the_member_follows_the_group_to_its_new_coordinator) {
    ASSERT_NO_FATAL_FAILURE(start());
    cluster().start_request_tracking();
    ASSERT_EQ(cluster().set_coordinator("group", group, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(drive([&] { return heartbeats(2) >= 3; })) << a->describe();
    ASSERT_NO_FATAL_FAILURE(produce(1));
    ASSERT_TRUE(drive([&] { return a->seen.size() == 2 * wave; })) << a->describe();
    EXPECT_EQ(a->lost_calls + a->revoked_calls, 0u) << a->describe();
    EXPECT_EQ(a->assigned_calls, 1u) << a->describe();
    EXPECT_TRUE(a->errors.empty()) << a->describe();
}

// The coordinator closes the connection when a heartbeat arrives (librdkafka's ERR__TRANSPORT
// injection): the member reconnects and heartbeats again with its epoch; the mock sends the
// whole assignment again and the member keeps its partitions.
TEST_F(consumer_protocol, a_connection_closed_at_a_heartbeat_is_not_a_lost_membership) {
    ASSERT_NO_FATAL_FAILURE(start());
    cluster().start_request_tracking();
    cluster().push_request_errors(consumer_group_heartbeat, {RD_KAFKA_RESP_ERR__TRANSPORT});
    ASSERT_TRUE(drive([&] { return heartbeats() >= 3; })) << a->describe();
    ASSERT_NO_FATAL_FAILURE(produce(1));
    ASSERT_TRUE(drive([&] { return a->seen.size() == 2 * wave; })) << a->describe();
    EXPECT_EQ(a->lost_calls + a->revoked_calls, 0u) << a->describe();
    EXPECT_EQ(a->owned.size(), static_cast<std::size_t>(partitions)) << a->describe();
    EXPECT_TRUE(a->errors.empty()) << a->describe();
}

// A pattern subscription is evaluated by the coordinator (SubscribedTopicRegex): the assignment
// names topics by id only, which the member resolves with a metadata request of its own. A
// topic created later that matches joins the assignment.
TEST_F(consumer_protocol, a_pattern_subscription_is_resolved_by_the_coordinator) {
    a = std::make_unique<member>(io, config());
    ASSERT_FALSE(a->c->subscribe_pattern("k84.", a->listener()));
    ASSERT_TRUE(drive([&] { return a->owned.size() == partitions && a->seen.size() == wave; })) << a->describe();
    ASSERT_EQ(cluster().create_topic("k849", 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(drive([&] { return a->c->assignment().size() == partitions + 2; })) << a->describe();
    test::writer_options w;
    w.first = wave;
    w.partitions = 2;
    ASSERT_EQ(test::produce_records(cluster().bootstrap(), "k849", 20, w), 20u);
    ASSERT_TRUE(drive([&] { return a->seen.size() == wave + 20; })) << a->describe();
    EXPECT_EQ(a->lost_calls + a->revoked_calls, 0u) << a->describe();
    EXPECT_TRUE(a->errors.empty()) << a->describe();
}

// Commits carry the member epoch (OffsetCommit v9: the mock refuses another epoch with
// STALE_MEMBER_EPOCH): after the member was fenced and rejoined at a new epoch, its commits
// still succeed.
TEST_F(consumer_protocol, commits_carry_the_epoch_the_member_has_now) {
    ASSERT_NO_FATAL_FAILURE(start());
    auto commit = [&] {
        std::optional<error_code> result;
        a->c->async_commit([&](error_code ec) { result = ec; });
        EXPECT_TRUE(drive([&] { return result.has_value(); }));
        return result.value_or(error_code(client_errc::timed_out));
    };
    const error_code first = commit();
    EXPECT_FALSE(first) << first.message() << "; " << a->c->last_error().describe();
    const auto epoch = a->c->membership()->generation;
    cluster().push_request_errors(consumer_group_heartbeat, {RD_KAFKA_RESP_ERR_FENCED_MEMBER_EPOCH});
    ASSERT_TRUE(drive([&] { return a->lost_calls == 1 && a->owned.size() == partitions; })) << a->describe();
    ASSERT_TRUE(a->c->membership().has_value());
    EXPECT_NE(a->c->membership()->generation, epoch);
    ASSERT_NO_FATAL_FAILURE(produce(1));
    ASSERT_TRUE(drive([&] { return a->seen.size() == 2 * wave; })) << a->describe();
    const error_code second = commit();
    EXPECT_FALSE(second) << second.message() << "; " << a->c->last_error().describe();
}

// Refusals no retry fixes, met by the join: poll completes with the broker's code (and so does
// the next poll), last_error() names the request and, where one is at fault, the property.
struct refusal {
    const char* name;
    broker_errc expected;  // injected as its Kafka code (librdkafka 2.14 lacks a name for 128)
    const char* property;  // empty: none is at fault
};

class consumer_protocol_refusal : public consumer_protocol, public ::testing::WithParamInterface<refusal> {};

TEST_P(consumer_protocol_refusal, poll_completes_with_the_error_and_its_context) {
    const refusal r = GetParam();
    consumer_config cfg = config();
    // Give the property at fault a value, so that there is one to name.
    if (r.expected == broker_errc::unsupported_assignor) {
        ASSERT_FALSE(cfg.set("group.remote.assignor", "uniform"));
    }
    if (r.expected == broker_errc::unreleased_instance_id) {
        ASSERT_FALSE(cfg.set("group.instance.id", "i1"));
    }
    cluster().push_request_errors(consumer_group_heartbeat, {static_cast<rd_kafka_resp_err_t>(r.expected)});
    a = std::make_unique<member>(io, cfg);
    if (r.expected == broker_errc::invalid_regular_expression) {
        ASSERT_FALSE(a->c->subscribe_pattern("k84.", a->listener()));
    } else {
        a->subscribe();
    }
    ASSERT_TRUE(drive([&] { return !a->errors.empty(); })) << a->describe();
    EXPECT_EQ(a->errors.front(), r.expected) << a->describe();
    const error_info le = a->c->last_error();
    EXPECT_EQ(le.code, r.expected) << le.describe();
    EXPECT_EQ(le.context.api, "ConsumerGroupHeartbeat") << le.describe();
    EXPECT_FALSE(le.context.message.empty()) << le.describe();
    if (*r.property) {
        EXPECT_EQ(le.context.property, r.property) << le.describe();
    }
    EXPECT_TRUE(a->owned.empty()) << a->describe();
    EXPECT_FALSE(a->c->membership().has_value());
    // Every poll reports it until the next subscribe.
    a->errors.clear();
    ASSERT_TRUE(drive([&] { return !a->errors.empty(); })) << a->describe();
    EXPECT_EQ(a->errors.front(), r.expected) << a->describe();
    EXPECT_TRUE(a->seen.empty()) << a->describe();
}

INSTANTIATE_TEST_SUITE_P(
    errors, consumer_protocol_refusal,
    ::testing::Values(
        refusal{"group_authorization_failed", broker_errc::group_authorization_failed, "group.id"},
        refusal{"unsupported_assignor", broker_errc::unsupported_assignor, "group.remote.assignor"},
        refusal{"invalid_request", broker_errc::invalid_request, ""},
        refusal{"group_max_size_reached", broker_errc::group_max_size_reached, ""},
        refusal{"unreleased_instance_id", broker_errc::unreleased_instance_id, "group.instance.id"},
        refusal{"unsupported_version", broker_errc::unsupported_version, ""},
        refusal{"invalid_regular_expression", broker_errc::invalid_regular_expression, ""}),
    [](const auto& p) { return std::string(p.param.name); });

// A refusal met by a member that owns partitions and consumes: poll reports it at once.
TEST_F(consumer_protocol, a_refusal_in_the_steady_state_reaches_poll) {
    ASSERT_NO_FATAL_FAILURE(start());
    cluster().push_request_errors(consumer_group_heartbeat, {RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED});
    ASSERT_TRUE(drive([&] { return !a->errors.empty(); })) << a->describe();
    EXPECT_EQ(a->errors.front(), broker_errc::group_authorization_failed) << a->describe();
    EXPECT_EQ(a->c->last_error().context.api, "ConsumerGroupHeartbeat") << a->c->last_error().describe();
}

// A broker without ConsumerGroupHeartbeat (Kafka before 4.0, or with the new protocol off):
// the subscription fails at once, clearly, instead of retrying for ever.
TEST_F(consumer_protocol, a_broker_without_the_api_is_reported) {
    ASSERT_EQ(cluster().set_apiversion(consumer_group_heartbeat, -1, -1), RD_KAFKA_RESP_ERR_NO_ERROR);
    a = std::make_unique<member>(io, config());
    a->subscribe();
    ASSERT_TRUE(drive([&] { return !a->errors.empty(); })) << a->describe();
    const error_code ec = a->errors.front();
    EXPECT_TRUE(ec == client_errc::no_common_version || ec == broker_errc::unsupported_version ||
                ec == client_errc::unsupported_version)
        << ec.message();
    EXPECT_EQ(a->c->last_error().context.api, "ConsumerGroupHeartbeat") << a->c->last_error().describe();
    EXPECT_FALSE(a->c->membership().has_value());
}

// The coordinator (broker 1) goes down and the group moves to broker 2: the member finds it
// there well within the session timeout and carries on with its partitions (the mock sends the
// whole assignment to a member whose connection closed).
TEST_F(consumer_protocol, coordinator_down_and_moved_the_member_carries_on) {
    ASSERT_NO_FATAL_FAILURE(start());
    cluster().start_request_tracking();
    ASSERT_EQ(cluster().broker_down(1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_coordinator("group", group, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader(topic, 0, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader(topic, 3, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(drive([&] { return heartbeats(2) >= 3; })) << a->describe();
    ASSERT_NO_FATAL_FAILURE(produce(1));
    ASSERT_TRUE(drive([&] { return a->seen.size() == 2 * wave; })) << a->describe();
    EXPECT_EQ(a->lost_calls + a->revoked_calls, 0u) << a->describe();
    EXPECT_TRUE(a->errors.empty()) << a->describe();
    ASSERT_EQ(cluster().broker_up(1), RD_KAFKA_RESP_ERR_NO_ERROR);
}

// The coordinator (broker 1) goes down for longer than the group's session timeout (3 s; the
// fault's length is a bound, not a synchronisation) and stays where it is: the mock drops the
// member meanwhile. When broker 1 is back the member learns it was dropped (its epoch is not the
// group's: FENCED_MEMBER_EPOCH), loses its partitions once, rejoins with epoch 0 and consumes
// again. Whatever poll reported during the outage is not looked at here (see the next test).
TEST_F(consumer_protocol, coordinator_away_past_the_session_timeout_the_member_rejoins) {
    ASSERT_NO_FATAL_FAILURE(start());
    ASSERT_EQ(cluster().broker_down(1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader(topic, 0, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader(topic, 3, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    const auto back = std::chrono::steady_clock::now() + std::chrono::milliseconds(4500);
    drive([&] { return std::chrono::steady_clock::now() >= back; });
    ASSERT_EQ(cluster().broker_up(1), RD_KAFKA_RESP_ERR_NO_ERROR);
    a->errors.clear();  // polling resumes
    ASSERT_TRUE(drive([&] { return a->lost_calls == 1 && a->owned.size() == partitions; })) << a->describe();
    ASSERT_NO_FATAL_FAILURE(produce(1));
    ASSERT_TRUE(drive([&] { return a->seen.size() == 2 * wave; })) << a->describe();
    EXPECT_EQ(a->lost_calls, 1u) << a->describe();
    EXPECT_EQ(a->revoked_calls, 0u) << a->describe();
}

// A coordinator that does not answer (down, and the group not moved) is reported by poll within
// a bounded time instead of leaving the member retrying in silence; the member goes on once it
// is back. The bound asked for here: 8 s, past request.timeout.ms (5.5 s, about the least the
// consumer takes with fetch.max.wait.ms=50) and the group's session timeout (3 s).
TEST_F(consumer_protocol, an_unreachable_coordinator_is_reported_by_poll) {
    consumer_config cfg = config();
    ASSERT_FALSE(cfg.set("request.timeout.ms", "5500"));
    ASSERT_NO_FATAL_FAILURE(start(cfg));
    ASSERT_EQ(cluster().broker_down(1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader(topic, 0, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(cluster().set_leader(topic, 3, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    const bool reported = drive([&] { return !a->errors.empty(); });
    ASSERT_EQ(cluster().broker_up(1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(reported) << "nothing reported in 8 s: " << a->describe();
    EXPECT_FALSE(a->c->last_error().context.empty()) << a->c->last_error().describe();
    a->errors.clear();
    ASSERT_NO_FATAL_FAILURE(produce(1));
    ASSERT_TRUE(drive([&] { return a->seen.size() == 2 * wave; })) << a->describe();
}

// max.poll.interval.ms counts from the last poll the application started, as in Java, whose
// poll() keeps the member alive while it blocks: a poll waiting for records that do not come is
// polling. The member must not leave the group under it (it would never come back: the waiting
// poll is the next poll). The idle stretch lasts twice max.poll.interval.ms.
TEST_F(consumer_protocol, a_poll_waiting_for_records_keeps_the_member_in_the_group) {
    consumer_config cfg = config();
    ASSERT_FALSE(cfg.set("max.poll.interval.ms", "1000"));
    ASSERT_NO_FATAL_FAILURE(start(cfg));
    const auto idle_until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    drive([&] { return std::chrono::steady_clock::now() >= idle_until; });
    EXPECT_EQ(a->revoked_calls + a->lost_calls, 0u) << a->describe();
    ASSERT_NO_FATAL_FAILURE(produce(1));
    ASSERT_TRUE(drive([&] { return a->seen.size() == 2 * wave; })) << a->describe();
    EXPECT_EQ(a->owned.size(), static_cast<std::size_t>(partitions)) << a->describe();
}

// The group takes partitions 2 and 3 from the member (a target assignment set on the mock): it
// revokes them (on_revoked, not on_lost) and keeps consuming 0 and 1 only; given them back, it
// consumes them again.
TEST_F(consumer_protocol, partitions_the_group_takes_are_revoked_not_lost) {
    ASSERT_NO_FATAL_FAILURE(start());
    const auto m = a->c->membership();
    ASSERT_TRUE(m.has_value());
    const test::member_target only_two[] = {{m->member_id, {{topic, 0}, {topic, 1}}}};
    cluster().set_consumer_target_assignment(group, only_two);
    ASSERT_TRUE(drive([&] { return a->owned == std::set<std::int32_t>{0, 1}; })) << a->describe();
    // Then on_assigned with nothing new, as Java calls it after every reconciliation.
    EXPECT_EQ(std::count(a->events.begin(), a->events.end(), "revoked 2,3"), 1) << a->describe();
    EXPECT_EQ(a->lost_calls, 0u) << a->describe();
    a->from_partition.clear();
    ASSERT_NO_FATAL_FAILURE(produce(1));
    // Wave 1's records of partitions 0 and 1 (record i went to partition i % 4).
    ASSERT_TRUE(drive([&] { return a->seen.size() == wave + wave / 2; })) << a->describe();
    EXPECT_EQ(a->from_partition, (std::set<std::int32_t>{0, 1})) << a->describe();
    cluster().reset_consumer_target_assignment(group);
    ASSERT_TRUE(drive([&] { return a->seen.size() == 2 * wave && a->owned.size() == partitions; })) << a->describe();
    EXPECT_EQ(a->events.back(), "assigned 2,3") << a->describe();
    EXPECT_EQ(a->lost_calls, 0u) << a->describe();
    EXPECT_TRUE(a->errors.empty()) << a->describe();
}

// A second member joins: the first gives up half its partitions (revoked) before the second is
// given them; no partition is ever owned by both, and every record is consumed.
TEST_F(consumer_protocol, a_joining_member_gets_partitions_only_once_they_are_revoked) {
    ASSERT_NO_FATAL_FAILURE(start());
    b = std::make_unique<member>(io, config());
    b->subscribe();
    bool overlap = false;
    ASSERT_TRUE(drive([&] {
        for (auto p : a->owned) overlap = overlap || b->owned.count(p);
        return a->owned.size() == 2 && b->owned.size() == 2;
    })) << "a: "
        << a->describe() << "; b: " << b->describe();
    EXPECT_FALSE(overlap) << "a partition owned by both members";
    EXPECT_EQ(a->revoked_calls, 1u) << a->describe();
    EXPECT_EQ(a->lost_calls + b->lost_calls, 0u);
    ASSERT_NO_FATAL_FAILURE(produce(1));
    ASSERT_TRUE(drive([&] {
        for (auto p : a->owned) overlap = overlap || b->owned.count(p);
        std::set<std::size_t> both = a->seen;
        both.insert(b->seen.begin(), b->seen.end());
        return both.size() == 2 * wave;
    })) << "a: "
        << a->describe() << "; b: " << b->describe();
    EXPECT_FALSE(overlap) << "a partition owned by both members";
}

// A static member (group.instance.id) leaves with epoch -2 when it closes: the group keeps its
// assignment for it. Restarted at once with a new member id, it gets the same partitions back
// and the other member is not disturbed.
TEST_F(consumer_protocol, a_static_member_restarting_gets_its_partitions_back) {
    consumer_config static_cfg = config();
    ASSERT_FALSE(static_cfg.set("group.instance.id", "i1"));
    ASSERT_NO_FATAL_FAILURE(start(static_cfg));
    b = std::make_unique<member>(io, config());
    b->subscribe();
    ASSERT_TRUE(drive([&] { return a->owned.size() == 2 && b->owned.size() == 2; })) << "a: " << a->describe()
                                                                                    << "; b: " << b->describe();
    const auto kept = a->owned;
    const auto first_id = a->c->membership()->member_id;
    a.reset();  // closes: leaves with epoch -2
    a = std::make_unique<member>(io, static_cfg);
    a->subscribe();
    ASSERT_TRUE(drive([&] { return a->owned == kept; })) << "a: " << a->describe() << "; b: " << b->describe();
    EXPECT_NE(a->c->membership()->member_id, first_id);
    EXPECT_EQ(b->assigned_calls, 1u) << b->describe();
    EXPECT_EQ(b->revoked_calls + b->lost_calls, 0u) << b->describe();
}

}  // namespace
}  // namespace kasio

// KIP-848's consumer group protocol (group.protocol=consumer) on the real cluster: kasio and Java
// members share a group through a leave, a join, a SIGKILL and the coordinator's loss; a group at
// rest stays quiet; classic members give way to consumer-protocol ones in a live group; a regular
// expression subscription the broker evaluates picks up a topic created later; a group a classic
// member committed in carries its offsets over; the time from a join until every member consumes
// again, beside the classic protocol's eager and cooperative rebalances; and what the broker
// refuses (an unknown remote assignor, a regular expression RE2/J rejects, an instance id in use)
// reaches poll with its cause.
//
// The coordinator decides the heartbeat interval and the session timeout of these groups: the
// test cluster sets 1 s and 10 s (tests/support/kafka/cluster.sh), what the classic members ask for.
#include "group_support.hpp"
#include "kafka_cluster.hpp"
#include "kasio_clients.hpp"
#include "tcp_sent.hpp"
#include "tracked_members.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <future>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace kasio::test::kafka {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

const member_options consumer_protocol{group_protocol::consumer, {}, {}};

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

/// The group's state and type as the Java Admin describes them ("stable", "consumer"), lowercased.
std::pair<std::string, std::string> state_and_type(const std::string& group) {
    const peer_result r = run_peer("describe-group", {"--group", group});
    if (r.status != 0 || r.lines.empty()) return {"describe-group failed: " + r.errors, {}};
    return {lower(r.lines[0]["state"].as_string()), lower(r.lines[0]["type"].as_string())};
}

/// The members the coordinator lists now, by client id, with their instance ids ("" for none).
std::map<std::string, std::string> members_of(const std::string& group) {
    const peer_result r = peer_ok("describe-group", {"--group", group});
    std::map<std::string, std::string> out;
    if (r.lines.empty()) return out;
    for (const json& m : r.lines[0]["members"].items)
        out[m["client_id"].as_string()] = m["instance_id"].is_null() ? "" : m["instance_id"].as_string();
    return out;
}

consumer_config member_config(const std::string& group, const std::string& name, group_protocol protocol) {
    consumer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    EXPECT_FALSE(cfg.set("group.id", group));
    EXPECT_FALSE(cfg.set("client.id", name));
    EXPECT_FALSE(cfg.set("auto.offset.reset", "earliest"));
    EXPECT_FALSE(cfg.set("enable.auto.commit", "false"));
    if (protocol == group_protocol::consumer) {
        error_context why;
        EXPECT_FALSE(cfg.set("group.protocol", "consumer", why)) << why.describe(client_errc::invalid_config);
    } else {
        EXPECT_FALSE(cfg.set("session.timeout.ms", "10000"));
        EXPECT_FALSE(cfg.set("heartbeat.interval.ms", "1000"));
    }
    debug_log(cfg.connection);
    return cfg;
}

struct poll_outcome {
    error_code ec;
    error_context context;
    std::size_t records = 0;
};

/// Polls once; nullopt when the poll did not complete within `limit` (it is then cancelled by
/// the close that follows).
std::optional<poll_outcome> poll_once(consumer& c, std::chrono::seconds limit) {
    auto done = std::make_shared<std::promise<poll_outcome>>();
    auto f = done->get_future();
    c.async_poll([done](error_code ec, fetch_batch b) { done->set_value({ec, b.context(), b.size()}); });
    if (f.wait_for(limit) != std::future_status::ready) return std::nullopt;
    return f.get();
}

/// `per_partition` records to each partition of `topic`, values "0", "1", ...
void produce_to_each(const std::string& topic, int partitions, std::size_t per_partition) {
    std::vector<owned_record> records;
    for (std::size_t i = 0; i < per_partition * static_cast<std::size_t>(partitions); ++i) {
        owned_record r;
        r.partition = static_cast<std::int32_t>(i % static_cast<std::size_t>(partitions));
        r.value = std::to_string(i);
        r.timestamp = 1700000000000;
        records.push_back(std::move(r));
    }
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    ASSERT_EQ(kasio_produce(cfg, topic, records), "");
}

// ---- 1. A mixed group through leave, join, kill and the coordinator's loss

TEST(consumer_protocol_real_kafka, kasio_and_java_members_share_partitions_through_leave_join_kill_and_coordinator_loss) {
    constexpr int partitions = 12;
    constexpr std::size_t wave = 2400;
    const std::string topic = unique_topic("k848-group");
    const std::string group = topic + "-g";
    create_topic(topic, partitions);
    cluster_restorer restore;
    group_world w(topic, partitions);

    w.add_kasio("kasio-a", group, consumer_protocol);
    w.add_kasio("kasio-b", group, consumer_protocol);
    w.add_kasio("kasio-c", group, consumer_protocol);
    w.add_java("java", group, consumer_protocol);
    ASSERT_TRUE(w.wait_owners({"kasio-a", "kasio-b", "kasio-c", "java"})) << w.describe();
    // The broker runs this group with KIP-848's protocol: kasio did not fall back to the classic one.
    EXPECT_EQ(state_and_type(group).second, "consumer");
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();

    // A member leaves (member epoch -1): the coordinator drops it at once, and the others take
    // its partitions.
    w.close_kasio("kasio-b");
    EXPECT_FALSE(members_of(group).contains("kasio-b")) << "still a member after close";
    ASSERT_TRUE(w.wait_owners({"kasio-a", "kasio-c", "java"})) << w.describe();
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();

    // A member joins.
    w.add_kasio("kasio-d", group, consumer_protocol);
    ASSERT_TRUE(w.wait_owners({"kasio-a", "kasio-c", "kasio-d", "java"})) << w.describe();
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();

    // The Java member is SIGKILLed: its partitions move once the coordinator's session timeout
    // (group.consumer.session.timeout.ms) expires.
    w.kill_java("java");
    ASSERT_TRUE(w.wait_owners({"kasio-a", "kasio-c", "kasio-d"})) << w.describe();
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();

    // The coordinator's broker is killed: the group moves to another broker and goes on.
    const int coordinator = w.coordinator(group);
    ASSERT_GT(coordinator, 0);
    broker_action("kill", coordinator);
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();
    broker_action("start-broker", coordinator);
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();
    EXPECT_TRUE(w.wait_owners({"kasio-a", "kasio-c", "kasio-d"})) << w.describe();

    w.close_all();
    EXPECT_EQ(w.double_ownerships(), 0u) << w.describe();
    EXPECT_EQ(w.unprocessed(), 0u);
    const auto committed = w.committed(group);
    const auto ends = w.end_offsets();
    EXPECT_EQ(committed, ends) << w.describe();
    // Every member left: the coordinator holds no member (a static one would stay until its
    // session expires, a dynamic one is removed at once).
    EXPECT_EQ(state_and_type(group).first, "empty");
    std::cout << "consumer protocol: " << w.summary() << "\n";
    if (std::getenv("KASIO_TEST_VERBOSE")) std::cout << w.describe();
}

// ---- 1b. A group at rest

TEST(consumer_protocol_real_kafka, a_group_at_rest_hears_no_callbacks_and_heartbeats_at_the_coordinators_interval) {
    const std::string topic = unique_topic("k848-rest");
    const std::string group = topic + "-g";
    create_topic(topic, 1);
    tracked_members ms;
    for (const std::string name : {"kasio-a", "kasio-b"}) {
        consumer& c = ms.add(name, member_config(group, name, group_protocol::consumer));
        c.subscribe({topic}, ms.listener(name));
        ms.start_polling(name);
    }
    // One partition: one member owns it, the other owns nothing; both heard on_assigned once
    // (the one without partitions with an empty list, as Java's onPartitionsAssigned).
    ASSERT_TRUE(ms.wait([&] { return ms.owners().size() == 1 && ms.event_counts().size() == 2; }, 90s)) << ms.describe();
    const std::size_t events = ms.events("kasio-a") + ms.events("kasio-b");
    const std::uint64_t sent = tcp_bytes_sent();
    // Nothing changes for a while (there is no event to wait for: this watches for the absence
    // of any): no callback runs, and the members only heartbeat every
    // group.consumer.heartbeat.interval.ms (1 s) and long-poll fetches (fetch.max.wait.ms 500):
    // a few KiB a second. A member that heartbeats again as soon as an answer arrives sends
    // MiB in that time.
    std::this_thread::sleep_for(4s);
    const std::uint64_t idle_bytes = tcp_bytes_sent() - sent;
    EXPECT_EQ(ms.events("kasio-a") + ms.events("kasio-b"), events) << ms.describe();
    EXPECT_EQ(ms.events("kasio-a") + ms.events("kasio-b"), 2u) << ms.describe();
    EXPECT_LT(idle_bytes, 256u * 1024) << "sent by two members at rest in 4 s";
    std::cout << "at rest: " << idle_bytes << " bytes sent in 4 s\n";
    ms.close("kasio-a");
    ms.close("kasio-b");
}

// ---- 1c. A rolling upgrade: classic members and consumer-protocol members in one group

class rolling_upgrade_real_kafka : public ::testing::TestWithParam<const char*> {};

// Kafka converts a classic group to a consumer group when a consumer-protocol member joins
// (group.consumer.migration.policy=bidirectional, the default); its classic members stay, and the
// coordinator assigns them too, through JoinGroup/SyncGroup. Members are then replaced one by one.
TEST_P(rolling_upgrade_real_kafka, classic_members_give_way_to_consumer_protocol_members_in_a_live_group) {
    constexpr int partitions = 12;
    constexpr std::size_t wave = 1200;
    const member_options classic{group_protocol::classic, GetParam(), {}};
    const std::string topic = unique_topic(std::string("k848-upgrade-") + GetParam());
    const std::string group = topic + "-g";
    create_topic(topic, partitions);
    group_world w(topic, partitions);

    w.add_kasio("classic-a", group, classic);
    w.add_kasio("classic-b", group, classic);
    ASSERT_TRUE(w.wait_owners({"classic-a", "classic-b"})) << w.describe();
    EXPECT_EQ(state_and_type(group).second, "classic");
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();

    w.add_kasio("k848-c", group, consumer_protocol);
    ASSERT_TRUE(w.wait_owners({"classic-a", "classic-b", "k848-c"})) << w.describe();
    EXPECT_EQ(state_and_type(group).second, "consumer");
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();

    w.add_java("java-d", group, consumer_protocol);
    ASSERT_TRUE(w.wait_owners({"classic-a", "classic-b", "k848-c", "java-d"})) << w.describe();
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();

    w.close_kasio("classic-a");
    ASSERT_TRUE(w.wait_owners({"classic-b", "k848-c", "java-d"})) << w.describe();
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();
    w.close_kasio("classic-b");
    ASSERT_TRUE(w.wait_owners({"k848-c", "java-d"})) << w.describe();
    w.produce_wave(wave);
    ASSERT_TRUE(w.wait_processed()) << w.describe();
    EXPECT_EQ(state_and_type(group).second, "consumer");

    w.close_all();
    EXPECT_EQ(w.double_ownerships(), 0u) << w.describe();
    EXPECT_EQ(w.unprocessed(), 0u);
    EXPECT_EQ(w.committed(group), w.end_offsets()) << w.describe();
    std::cout << "upgrade from " << GetParam() << ": " << w.summary() << "\n";
    if (std::getenv("KASIO_TEST_VERBOSE")) std::cout << w.describe();
}

INSTANTIATE_TEST_SUITE_P(classic_assignors, rolling_upgrade_real_kafka, ::testing::Values("range", "cooperative-sticky"));

// ---- 2. A regular expression the broker evaluates

TEST(consumer_protocol_real_kafka, a_pattern_subscription_picks_up_a_matching_topic_created_later) {
    constexpr int partitions = 3;
    constexpr std::size_t per_partition = 20;
    const std::string prefix = unique_topic("k848-re");
    const std::string first = prefix + "-one", second = prefix + "-two";
    const std::string unrelated = "x" + prefix + "-three";  // contains the prefix, does not match the whole name
    const std::string group = prefix + "-g";
    create_topic(first, partitions);
    produce_to_each(first, partitions, per_partition);

    tracked_members ms;
    for (const std::string name : {"kasio-a", "kasio-b"}) {
        consumer& c = ms.add(name, member_config(group, name, group_protocol::consumer));
        // Broker-side (RE2/J) syntax; '-' and digits are literal.
        ASSERT_FALSE(c.subscribe_pattern(prefix + "-.*", ms.listener(name)));
        ms.start_polling(name);
    }
    auto owns_all = [&](const std::vector<std::string>& topics) {
        std::size_t n = 0;
        for (const auto& [p, m] : ms.owners()) {
            if (std::find(topics.begin(), topics.end(), p.first) == topics.end()) return false;
            ++n;
        }
        return n == topics.size() * partitions;
    };
    ASSERT_TRUE(ms.wait([&] { return owns_all({first}) && ms.read_count(first) == per_partition * partitions; }, 90s))
        << ms.describe();
    EXPECT_EQ(state_and_type(group).second, "consumer");

    create_topic(unrelated, partitions);
    const auto created = clock_type::now();
    create_topic(second, partitions);
    produce_to_each(second, partitions, per_partition);
    // The coordinator resolves the group's expressions again after the topics changed, at most
    // every 10 s (GroupMetadataManager's REGEX_BATCH_REFRESH_MIN_INTERVAL_MS), at a heartbeat.
    ASSERT_TRUE(ms.wait([&] { return owns_all({first, second}) && ms.read_count(second) == per_partition * partitions; },
                        90s))
        << ms.describe();
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - created);
    std::cout << "regex: topic created -> assigned and read in " << took.count() << " ms\n";
    for (const auto& name : {"kasio-a", "kasio-b"}) {
        for (const auto& [topic, p] : ms.owned_by(name)) EXPECT_NE(topic, unrelated) << ms.describe();
        ms.close(name);
    }
    EXPECT_EQ(ms.read_count(unrelated), 0u);
    EXPECT_EQ(ms.double_ownerships(), 0u) << ms.describe();
}

// ---- 3. Offsets committed in a classic group carry over

TEST(consumer_protocol_real_kafka, a_consumer_protocol_member_starts_at_the_offsets_a_classic_member_committed) {
    constexpr int partitions = 2;
    constexpr std::size_t per_partition = 100;
    const std::string topic = unique_topic("k848-carry");
    const std::string group = topic + "-g";
    create_topic(topic, partitions);
    produce_to_each(topic, partitions, per_partition);
    const std::map<std::int32_t, std::int64_t> commit_at{{0, 37}, {1, 61}};

    {  // A classic member reads part of the topic, commits, and leaves: the group is empty.
        tracked_members ms;
        consumer& c = ms.add("classic", member_config(group, "classic", group_protocol::classic));
        c.subscribe({topic}, ms.listener("classic"));
        ms.start_polling("classic");
        ASSERT_TRUE(ms.wait([&] { return ms.owners().size() == static_cast<std::size_t>(partitions) && ms.read_count(topic) > 0; }, 90s))
            << ms.describe();
        std::vector<partition_offset> offsets;
        for (const auto& [p, o] : commit_at) offsets.push_back({topic, p, o, {}});
        ASSERT_FALSE(result_of(c.async_commit(offsets, boost::asio::use_future)));
        ms.close("classic");
        const auto [state, type] = state_and_type(group);
        EXPECT_EQ(state, "empty");
        EXPECT_EQ(type, "classic");
    }

    tracked_members ms;
    consumer& c = ms.add("k848", member_config(group, "k848", group_protocol::consumer));
    c.subscribe({topic}, ms.listener("k848"));
    ms.start_polling("k848");
    std::size_t expected = 0;
    for (const auto& [p, o] : commit_at) expected += per_partition - static_cast<std::size_t>(o);
    ASSERT_TRUE(ms.wait([&] { return ms.read_count(topic) >= expected; }, 90s)) << ms.describe();
    EXPECT_EQ(state_and_type(group).second, "consumer");  // the empty classic group was converted
    ms.close("k848");
    for (const auto& [p, from] : commit_at) {
        const auto it = ms.read().find({topic, p});
        ASSERT_NE(it, ms.read().end()) << "nothing read from partition " << p;
        std::vector<std::int64_t> want;
        for (auto o = from; o < static_cast<std::int64_t>(per_partition); ++o) want.push_back(o);
        EXPECT_EQ(it->second, want) << "partition " << p << ": each record from the committed offset on, once";
    }
}

// ---- 4. From a join to every member consuming, by protocol

TEST(consumer_protocol_real_kafka, time_from_a_join_until_every_member_consumes_classic_and_consumer_protocols) {
    constexpr int partitions = 12;
    struct variant {
        const char* label;
        member_options options;
    };
    const std::vector<variant> variants{
        {"classic eager (range)", {group_protocol::classic, "range", {}}},
        {"classic cooperative-sticky", {group_protocol::classic, "cooperative-sticky", {}}},
        {"consumer (broker's default assignor)", {group_protocol::consumer, {}, {}}},
    };
    std::vector<std::string> table;
    for (const variant& v : variants) {
        SCOPED_TRACE(v.label);
        const std::string topic = unique_topic("k848-join");
        const std::string group = topic + "-g";
        create_topic(topic, partitions);
        group_world w(topic, partitions);
        for (const char* name : {"m1", "m2", "m3"}) w.add_kasio(name, group, v.options);
        ASSERT_TRUE(w.wait_owners({"m1", "m2", "m3"})) << w.describe();
        // About 1000 records a second, spread over every partition.
        w.start_stream(24, 20ms);
        ASSERT_TRUE(w.wait_consuming({"m1", "m2", "m3"}, w.next_record())) << w.describe();

        const std::size_t from = w.next_record();
        const auto joined = clock_type::now();
        w.add_kasio("m4", group, v.options);
        ASSERT_TRUE(w.wait_owners({"m1", "m2", "m3", "m4"})) << w.describe();
        const auto owned = clock_type::now();
        ASSERT_TRUE(w.wait_consuming({"m1", "m2", "m3", "m4"}, from)) << w.describe();
        const auto consuming = clock_type::now();

        w.stop_stream();
        // Every partition is owned and every member consumes: what is left is read at the owners'
        // next fetches, and a rebalance meanwhile takes a session timeout at most
        // (group_settle_timeout allows several). A record still missing after that was not
        // fetched: describe() names its partition, owner and the owner's position.
        EXPECT_TRUE(w.wait_processed()) << w.describe();
        w.close_all();
        EXPECT_EQ(w.double_ownerships(), 0u) << w.describe();
        auto ms = [&](clock_type::time_point t) {
            return std::chrono::duration_cast<std::chrono::milliseconds>(t - joined).count();
        };
        std::ostringstream line;
        line << std::left << std::setw(38) << v.label << std::right << std::setw(8) << ms(owned) << " ms"
             << std::setw(9) << ms(consuming) << " ms   " << w.summary();
        table.push_back(line.str());
        std::cout << "join: " << line.str() << "\n" << std::flush;
        if (std::getenv("KASIO_TEST_VERBOSE")) std::cout << w.describe();
    }
    std::cout << "join-to-consuming, 3 members + 1 joining, 12 partitions, ~1000 records/s\n"
              << std::left << std::setw(38) << "protocol" << std::right << std::setw(11) << "all own"
              << std::setw(12) << "all consume" << "\n";
    for (const auto& l : table) std::cout << l << "\n";
}

// ---- 5. What the broker refuses

TEST(consumer_protocol_real_kafka, an_unknown_remote_assignor_fails_poll_with_unsupported_assignor_naming_the_property) {
    const std::string topic = unique_topic("k848-assignor");
    create_topic(topic, 1);
    io_thread io;
    consumer_config cfg = member_config(topic + "-g", "kasio", group_protocol::consumer);
    ASSERT_FALSE(cfg.set("group.remote.assignor", "nonexistent"));
    auto c = std::make_unique<consumer>(io.io().get_executor(), cfg);
    c->subscribe({topic});
    for (int round = 0; round < 2; ++round) {  // reported again: the member stays stopped
        const auto r = poll_once(*c, 60s);
        ASSERT_TRUE(r) << "poll never completed (round " << round << ")";
        EXPECT_EQ(r->ec, broker_errc::unsupported_assignor) << r->context.describe(r->ec);
        EXPECT_EQ(r->context.property, "group.remote.assignor") << r->context.describe(r->ec);
        EXPECT_EQ(r->context.api, "ConsumerGroupHeartbeat");
        EXPECT_NE(r->context.message.find("nonexistent"), std::string::npos) << r->context.message;
    }
    const error_info last = c->last_error();
    EXPECT_EQ(last.code, broker_errc::unsupported_assignor);
    EXPECT_NE(last.describe().find("group.remote.assignor"), std::string::npos) << last.describe();
    close_consumer(*c);
    c.reset();
    io.stop();
}

TEST(consumer_protocol_real_kafka, a_pattern_the_broker_cannot_compile_fails_poll_with_invalid_regular_expression) {
    const std::string topic = unique_topic("k848-badre");
    create_topic(topic, 1);
    // "(" is invalid everywhere; a lookahead is valid ECMAScript but not RE2/J, so only the
    // broker can refuse it: kasio must send the expression, not judge it by std::regex.
    for (const std::string& pattern : {std::string("("), "(?=" + topic + ")" + topic}) {
        SCOPED_TRACE(pattern);
        io_thread io;
        auto c = std::make_unique<consumer>(io.io().get_executor(),
                                            member_config(unique_topic("k848-badre-g"), "kasio", group_protocol::consumer));
        const error_code subscribed = c->subscribe_pattern(pattern);
        ASSERT_FALSE(subscribed) << "the broker evaluates the expression: " << subscribed.message();
        const auto r = poll_once(*c, 60s);
        ASSERT_TRUE(r) << "poll never completed";
        EXPECT_EQ(r->ec, broker_errc::invalid_regular_expression) << r->context.describe(r->ec);
        EXPECT_EQ(r->context.api, "ConsumerGroupHeartbeat");
        EXPECT_EQ(c->last_error().code, broker_errc::invalid_regular_expression);
        close_consumer(*c);
        c.reset();
        io.stop();
    }
}

TEST(consumer_protocol_real_kafka, a_second_static_member_with_an_instance_id_in_use_gets_unreleased_instance_id) {
    constexpr int partitions = 2;
    const std::string topic = unique_topic("k848-static");
    const std::string group = topic + "-g";
    create_topic(topic, partitions);
    tracked_members ms;
    consumer_config cfg = member_config(group, "first", group_protocol::consumer);
    ASSERT_FALSE(cfg.set("group.instance.id", "instance-1"));
    consumer& first = ms.add("first", cfg);
    first.subscribe({topic}, ms.listener("first"));
    ms.start_polling("first");
    ASSERT_TRUE(ms.wait([&] { return ms.owners().size() == static_cast<std::size_t>(partitions); }, 90s)) << ms.describe();
    const std::size_t first_events = ms.events("first");

    // Kafka 4.4's coordinator refuses a member joining (epoch 0) with an instance id whose member
    // has not left with epoch -2 ("Static member <id> with instance id instance-1 cannot join the
    // group because the instance id is owned by <id> member."); the Java consumer makes it fatal
    // (UnreleasedInstanceIdException from poll) and the member in place is not disturbed.
    cfg = member_config(group, "second", group_protocol::consumer);
    ASSERT_FALSE(cfg.set("group.instance.id", "instance-1"));
    consumer& second = ms.add("second", cfg);
    second.subscribe({topic}, ms.listener("second"));
    const auto r = poll_once(second, 60s);
    ASSERT_TRUE(r) << "poll never completed";
    EXPECT_EQ(r->ec, broker_errc::unreleased_instance_id) << r->context.describe(r->ec);
    EXPECT_NE(r->context.message.find("instance-1"), std::string::npos) << r->context.message;
    EXPECT_EQ(r->context.property, "group.instance.id");
    EXPECT_EQ(r->context.api, "ConsumerGroupHeartbeat");
    EXPECT_EQ(second.last_error().code, broker_errc::unreleased_instance_id);
    // The member in place keeps its partitions undisturbed.
    EXPECT_EQ(ms.owned_by("first").size(), static_cast<std::size_t>(partitions)) << ms.describe();
    EXPECT_EQ(ms.events("first"), first_events) << ms.describe();
    EXPECT_EQ(ms.owned_by("second").size(), 0u) << ms.describe();
    ms.close("second");

    // The first one leaves as a static member (epoch -2): the coordinator keeps it, with its
    // partitions, for the session timeout; the instance id is released, and a new member with
    // it is taken at once (no unreleased_instance_id) and gets the partitions.
    ms.close("first");
    const auto after_close = members_of(group);
    EXPECT_TRUE(after_close.contains("first") && after_close.at("first") == "instance-1")
        << "a static member's close is not a leave (epoch -1)";
    cfg = member_config(group, "third", group_protocol::consumer);
    ASSERT_FALSE(cfg.set("group.instance.id", "instance-1"));
    consumer& third = ms.add("third", cfg);
    third.subscribe({topic}, ms.listener("third"));
    ms.start_polling("third");
    ASSERT_TRUE(ms.wait([&] { return ms.owners().size() == static_cast<std::size_t>(partitions); }, 90s)) << ms.describe();
    EXPECT_EQ(ms.poll_errors("third"), 0u) << ms.describe();
    ms.close("third");
    EXPECT_EQ(ms.double_ownerships(), 0u) << ms.describe();
}

}  // namespace
}  // namespace kasio::test::kafka

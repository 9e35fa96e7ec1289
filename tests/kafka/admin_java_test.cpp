// Every kasio::admin operation against the Java Admin's answer for the same cluster state (the
// peer's admin-* commands, which print the Admin's results canonically), successes and
// per-item errors alike: error names and broker messages must be the same.
#include "admin_support.hpp"
#include "peer_process.hpp"

#include <map>
#include <set>

namespace kasio::test::kafka {
namespace {

std::vector<std::int32_t> ints(const json& array) {
    std::vector<std::int32_t> out;
    for (const auto& i : array.items) out.push_back(static_cast<std::int32_t>(i.as_int()));
    return out;
}

// The one JSON line a peer admin command printed.
json only_line(const peer_result& r) {
    EXPECT_EQ(r.lines.size(), 1u) << r.errors;
    return r.lines.empty() ? json{} : r.lines.front();
}

// Java's per-item error (name and message) against kasio's.
void expect_same_error(const json& java, const error_code& ec, const std::string& message) {
    EXPECT_EQ(error_name(ec), java["error"].as_string());
    if (!java["message"].is_null()) {
        EXPECT_EQ(message, java["message"].as_string());
    }
}

TEST_F(admin_fixture, cluster_and_topics_are_what_the_java_admin_says) {
    auto [ec, cluster] = call<cluster_description>(io, [&](auto h) { client.async_describe_cluster(h); });
    ASSERT_FALSE(ec) << ec.message();
    const json java = only_line(peer_ok("admin-describe-cluster", {}));
    EXPECT_EQ(cluster.cluster_id, java["cluster_id"].as_string());
    ASSERT_EQ(cluster.brokers.size(), java["brokers"].items.size());
    for (std::size_t i = 0; i < cluster.brokers.size(); ++i) {
        const json& b = java["brokers"].items[i];
        EXPECT_EQ(cluster.brokers[i].node_id, b["id"].as_int());
        EXPECT_EQ(cluster.brokers[i].host, b["host"].as_string());
        EXPECT_EQ(cluster.brokers[i].port, b["port"].as_int());
        EXPECT_EQ(cluster.brokers[i].rack.value_or("(none)"), b["rack"].is_null() ? "(none)" : b["rack"].as_string());
    }

    const std::string a = unique_topic("adminj-a"), b = unique_topic("adminj-b");
    ASSERT_FALSE(create_known(topic_of(a, 3, 3)).error);
    new_topic placed;
    placed.name = b;
    placed.replica_assignment = {{1, 2}, {2, 3}, {3, 1}, {1, 3}};
    ASSERT_FALSE(create_known(placed).error);

    // list_topics: our two and the internal ones, as Java lists them (ids included).
    const auto listed = list(true);
    std::map<std::string, json> java_listed;
    for (const json& l : peer_ok("admin-list-topics", {"--internal"}).lines) java_listed[l["name"].as_string()] = l;
    for (const auto& t : listed) {
        if (t.name != a && t.name != b && !t.internal) continue;
        ASSERT_TRUE(java_listed.count(t.name)) << t.name;
        EXPECT_EQ(t.topic_id.to_string(), java_listed[t.name]["topic_id"].as_string()) << t.name;
        EXPECT_EQ(t.internal, java_listed[t.name]["internal"].flag) << t.name;
    }

    // describe_topics, partition by partition, the unknown topic's error too.
    auto [dec, described] = call<std::vector<topic_description>>(
        io, [&](auto h) { client.async_describe_topics({a, b, "adminj-no-such-topic"}, h); });
    ASSERT_EQ(described.size(), 3u);
    EXPECT_EQ(dec, broker_errc::unknown_topic_or_partition);
    const peer_result java_described = peer_ok("admin-describe-topics", {"--topics", a + "," + b + ",adminj-no-such-topic"});
    std::map<std::string, json> by_name;
    for (const json& l : java_described.lines) by_name[l["name"].as_string()] = l;
    for (const auto& t : described) {
        SCOPED_TRACE(t.name);
        const json& j = by_name[t.name];
        if (t.error) {
            EXPECT_EQ(error_name(t.error), j["error"].as_string());
            continue;
        }
        EXPECT_EQ(t.topic_id.to_string(), j["topic_id"].as_string());
        ASSERT_EQ(t.partitions.size(), j["partitions"].items.size());
        for (std::size_t p = 0; p < t.partitions.size(); ++p) {
            const json& jp = j["partitions"].items[p];
            EXPECT_EQ(t.partitions[p].partition, jp["partition"].as_int());
            EXPECT_EQ(t.partitions[p].leader, jp["leader"].as_int());
            EXPECT_EQ(t.partitions[p].replicas, ints(jp["replicas"]));
            auto isr = t.partitions[p].isr;
            std::sort(isr.begin(), isr.end());
            EXPECT_EQ(isr, ints(jp["isr"]));
        }
    }
    EXPECT_EQ(described[1].partitions.at(3).replicas, (std::vector<std::int32_t>{1, 3})) << "the placement asked";
}

TEST_F(admin_fixture, partitions_are_added_or_refused_as_the_java_admin_does) {
    const std::string name = unique_topic("adminj-parts");
    ASSERT_FALSE(create_known(topic_of(name, 2, 3)).error);
    auto grow = [&](std::int32_t total, bool validate_only) {
        return call<std::vector<topic_outcome>>(io, [&](auto h) {
            client.async_create_partitions({new_partitions{name, total, {}}}, create_options{validate_only}, h);
        });
    };
    auto [vec, checked] = grow(6, true);
    ASSERT_FALSE(vec) << checked[0].message;
    auto [ec, grown] = grow(4, false);
    ASSERT_FALSE(ec) << grown[0].message;
    const json after = only_line(peer_ok("admin-describe-topics", {"--topics", name}));
    EXPECT_EQ(after["partitions"].items.size(), 4u) << "validate_only added none, then 2 were added";

    auto [sec, shrink] = grow(3, false);
    ASSERT_EQ(shrink.size(), 1u);
    EXPECT_EQ(sec, broker_errc::invalid_partitions);
    const json java = only_line(peer_ok("admin-create-partitions", {"--topic", name, "--total", "3"}));
    expect_same_error(java, shrink[0].error, shrink[0].message);
    EXPECT_NE(shrink[0].message.find("4 partition"), std::string::npos) << shrink[0].message;
}

TEST_F(admin_fixture, configs_read_and_changed_agree_with_the_java_admin) {
    const std::string name = unique_topic("adminj-cfg");
    ASSERT_FALSE(create_known(topic_of(name, 1, 3, {{"cleanup.policy", "compact"}, {"retention.ms", "86400000"}})).error);

    // Changes: set one, delete another, append to a list value.
    std::vector<config_alteration> changes{{{config_resource_type::topic, name},
                                            {{"retention.ms", std::string("1234567"), alter_config_op_type::set},
                                             {"cleanup.policy", std::nullopt, alter_config_op_type::remove},
                                             {"max.message.bytes", std::string("2000000"), alter_config_op_type::set}}}};
    auto [aec, altered] = call<std::vector<config_outcome>>(io, [&](auto h) { client.async_incremental_alter_configs(changes, h); });
    ASSERT_FALSE(aec) << altered[0].message;
    // The change reaches every broker through the metadata log shortly after the answer: wait
    // until three answers in a row (any broker, round robin: all three) show it.
    int in_a_row = 0;
    for (int attempt = 0; attempt < 300 && in_a_row < 3; ++attempt) {
        auto [ec, d] = call<std::vector<config_description>>(io, [&](auto h) {
            client.async_describe_configs({config_resource{config_resource_type::topic, name}}, h);
        });
        const bool applied = !ec && d[0].find("retention.ms")->value == "1234567" &&
                             d[0].find("cleanup.policy")->source == config_source::default_config;
        in_a_row = applied ? in_a_row + 1 : 0;
        if (!applied) pause(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(in_a_row, 3) << "the change did not reach every broker";

    // Described by both, entry by entry (a topic's and broker 1's, with synonyms).
    for (const config_resource& r : {config_resource{config_resource_type::topic, name}, config_resource{config_resource_type::broker, "1"}}) {
        SCOPED_TRACE(r.name);
        auto [ec, out] = call<std::vector<config_description>>(io, [&](auto h) {
            client.async_describe_configs({r}, describe_configs_options{true, false}, h);
        });
        ASSERT_FALSE(ec) << out[0].message;
        const json java = only_line(peer_ok(
            "admin-describe-configs",
            {"--type", r.type == config_resource_type::topic ? "topic" : "broker", "--name", r.name, "--synonyms"}));
        const auto& entries = java["configs"].items;
        ASSERT_EQ(out[0].entries.size(), entries.size());
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const config_entry& e = out[0].entries[i];
            const json& j = entries[i];
            SCOPED_TRACE(e.name);
            EXPECT_EQ(e.name, j["name"].as_string());
            EXPECT_EQ(e.value.value_or("(null)"), j["value"].is_null() ? "(null)" : j["value"].as_string());
            EXPECT_EQ(to_string(e.source), j["source"].as_string());
            EXPECT_EQ(e.read_only, j["read_only"].flag);
            EXPECT_EQ(e.sensitive, j["sensitive"].flag);
            ASSERT_EQ(e.synonyms.size(), j["synonyms"].items.size());
            for (std::size_t s = 0; s < e.synonyms.size(); ++s) {
                EXPECT_EQ(e.synonyms[s].name, j["synonyms"].items[s]["name"].as_string());
                EXPECT_EQ(to_string(e.synonyms[s].source), j["synonyms"].items[s]["source"].as_string());
            }
        }
        if (r.type == config_resource_type::topic) {
            EXPECT_EQ(out[0].find("retention.ms")->value, "1234567");
            EXPECT_EQ(out[0].find("cleanup.policy")->source, config_source::default_config) << "deleted: the default again";
        }
    }

    // Refusals, each named like Java's: an unknown name, a bad value, an unknown topic.
    const std::vector<std::pair<config_alteration, std::vector<std::string>>> refused{
        {{{config_resource_type::topic, name}, {{"no.such.config", std::string("1"), alter_config_op_type::set}}},
         {"--type", "topic", "--name", name, "--set", "no.such.config=1"}},
        {{{config_resource_type::topic, name}, {{"retention.ms", std::string("abc"), alter_config_op_type::set}}},
         {"--type", "topic", "--name", name, "--set", "retention.ms=abc"}},
        {{{config_resource_type::topic, "adminj-no-such-topic"}, {{"retention.ms", std::string("1"), alter_config_op_type::set}}},
         {"--type", "topic", "--name", "adminj-no-such-topic", "--set", "retention.ms=1"}},
    };
    for (const auto& [change, java_args] : refused) {
        auto [rec, r] = call<std::vector<config_outcome>>(io, [&](auto h) { client.async_incremental_alter_configs({change}, h); });
        ASSERT_EQ(r.size(), 1u);
        EXPECT_TRUE(rec);
        const json java = only_line(peer_ok("admin-alter-configs", java_args));
        SCOPED_TRACE(java["message"].as_string());
        expect_same_error(java, r[0].error, r[0].message);
    }
}

TEST_F(admin_fixture, offsets_listed_and_records_deleted_agree_with_the_java_admin) {
    const std::string name = unique_topic("adminj-off");
    ASSERT_FALSE(create_known(topic_of(name, 3, 3)).error);
    auto records = interop_records(300, false);
    producer_config pcfg;
    pcfg.bootstrap_servers = {cluster().bootstrap};
    ASSERT_EQ(kasio_produce(pcfg, name, records), "");

    const std::vector<std::pair<offset_spec, std::string>> specs{
        {offset_spec::earliest(), "earliest"},
        {offset_spec::latest(), "latest"},
        {offset_spec::max_timestamp(), "max-timestamp"},
        {offset_spec::for_timestamp(1700000000000 + 120), "timestamp:1700000000120"},
        {offset_spec::for_timestamp(1800000000000), "timestamp:1800000000000"},
    };
    for (const auto& [spec, java_spec] : specs) {
        SCOPED_TRACE(java_spec);
        std::vector<offset_query> q;
        for (int p = 0; p < 3; ++p) q.push_back({{name, p}, spec});
        auto [ec, out] = call<std::vector<partition_offsets>>(io, [&](auto h) { client.async_list_offsets(q, h); });
        ASSERT_FALSE(ec) << out[0].message;
        const json java = only_line(peer_ok("admin-list-offsets", {"--topic", name, "--spec", java_spec}));
        ASSERT_EQ(java["partitions"].items.size(), 3u);
        for (int p = 0; p < 3; ++p) {
            const json& j = java["partitions"].items[static_cast<std::size_t>(p)];
            EXPECT_EQ(out[static_cast<std::size_t>(p)].offset, j["offset"].as_int()) << "partition " << p;
            EXPECT_EQ(out[static_cast<std::size_t>(p)].timestamp, j["timestamp"].as_int()) << "partition " << p;
        }
    }

    // Delete records before offset 10 of partition 0 and everything of partition 1; partition 2
    // past its end is refused as Java's is.
    auto [lec, ends] = call<std::vector<partition_offsets>>(
        io, [&](auto h) { client.async_list_offsets({{{name, 2}, offset_spec::latest()}}, h); });
    ASSERT_FALSE(lec);
    const std::int64_t beyond = ends[0].offset + 100;
    auto [dec, deleted] = call<std::vector<deleted_records>>(io, [&](auto h) {
        client.async_delete_records({{name, 0, 10, ""}, {name, 1, -1, ""}, {name, 2, beyond, ""}}, h);
    });
    ASSERT_EQ(deleted.size(), 3u);
    EXPECT_EQ(dec, broker_errc::offset_out_of_range);
    EXPECT_EQ(deleted[0].low_watermark, 10);
    EXPECT_FALSE(deleted[1].error) << deleted[1].message;
    const json earliest = only_line(peer_ok("admin-list-offsets", {"--topic", name, "--spec", "earliest"}));
    EXPECT_EQ(earliest["partitions"].items[0]["offset"].as_int(), 10);
    EXPECT_EQ(earliest["partitions"].items[1]["offset"].as_int(), deleted[1].low_watermark);
    const peer_result java = peer_ok("admin-delete-records", {"--topic", name, "--before", "2:" + std::to_string(beyond)});
    ASSERT_EQ(java.lines.size(), 1u);
    expect_same_error(java.lines[0], deleted[2].error, deleted[2].message);
}

TEST_F(admin_fixture, groups_and_their_offsets_agree_with_the_java_admin) {
    const std::string name = unique_topic("adminj-grp");
    const std::string group = name + "-g";
    ASSERT_FALSE(create_known(topic_of(name, 4, 3)).error);
    producer_config pcfg;
    pcfg.bootstrap_servers = {cluster().bootstrap};
    auto records = interop_records(40, false);
    ASSERT_EQ(kasio_produce(pcfg, name, records), "");

    // A Java member of a classic group owns all 4 partitions and commits.
    peer_process member("group-member", {"--topic", name, "--group", group, "--assignor", "range", "--max-ms", "120000",
                                         "--commit", "sync", "--config", "client.id=adminj-member"});
    ASSERT_TRUE(member.wait_for([](const json& l) { return l["event"].as_string() == "assigned" && l["partitions"].items.size() == 4; },
                                std::chrono::seconds(60)));

    auto [lec, groups] = call<std::vector<group_listing>>(io, [&](auto h) { client.async_list_groups(h); });
    ASSERT_FALSE(lec) << lec.message();
    std::map<std::string, json> java_groups;
    for (const json& l : peer_ok("admin-list-groups", {}).lines) java_groups[l["group_id"].as_string()] = l;
    const auto ours = std::find_if(groups.begin(), groups.end(), [&](const group_listing& g) { return g.group_id == group; });
    ASSERT_NE(ours, groups.end());
    ASSERT_TRUE(java_groups.count(group));
    EXPECT_EQ(to_string(ours->type), java_groups[group]["type"].as_string());
    EXPECT_EQ(ours->protocol_type, java_groups[group]["protocol_type"].as_string());
    std::string state = ours->state;
    std::transform(state.begin(), state.end(), state.begin(), [](unsigned char c) { return std::tolower(c); });
    EXPECT_EQ(state, java_groups[group]["state"].as_string());
    EXPECT_EQ(groups.size(), java_groups.size()) << "every coordinator's groups";

    auto [dec, described] = call<std::vector<group_description>>(
        io, [&](auto h) { client.async_describe_groups({group, "adminj-no-such-group"}, h); });
    ASSERT_EQ(described.size(), 2u);
    const json java = only_line(peer_ok("admin-describe-groups", {"--groups", group}));
    const group_description& d = described[0];
    ASSERT_FALSE(d.error) << d.message;
    EXPECT_EQ(to_string(d.type), java["type"].as_string());
    EXPECT_EQ(d.assignor, java["assignor"].as_string());
    EXPECT_EQ(d.coordinator, java["coordinator"].as_int());
    ASSERT_EQ(d.members.size(), java["members"].items.size());
    ASSERT_EQ(d.members.size(), 1u);
    const json& jm = java["members"].items[0];
    EXPECT_EQ(d.members[0].member_id, jm["member_id"].as_string());
    EXPECT_EQ(d.members[0].client_id, jm["client_id"].as_string());
    EXPECT_EQ(d.members[0].host, jm["host"].as_string());
    ASSERT_EQ(d.members[0].assignment.size(), jm["assignment"].items.size());
    for (std::size_t i = 0; i < d.members[0].assignment.size(); ++i)
        EXPECT_EQ(d.members[0].assignment[i].partition, jm["assignment"].items[i]["partition"].as_int());
    const json java_missing = only_line(run_peer("admin-describe-groups", {"--groups", "adminj-no-such-group"}));
    EXPECT_EQ(error_name(described[1].error), java_missing["error"].as_string()) << described[1].message;

    // Not while it has a member: deleting the group, changing or deleting its offsets.
    auto [gec, not_empty] = call<std::vector<group_outcome>>(io, [&](auto h) { client.async_delete_groups({group}, h); });
    EXPECT_EQ(gec, broker_errc::non_empty_group);
    expect_same_error(only_line(peer_ok("admin-delete-groups", {"--groups", group})), not_empty[0].error, not_empty[0].message);
    auto [oec, busy] = call<std::vector<partition_outcome>>(
        io, [&](auto h) { client.async_alter_consumer_group_offsets(group, {{name, 0, 1, ""}}, h); });
    ASSERT_EQ(busy.size(), 1u);
    const peer_result java_busy = peer_ok("admin-alter-group-offsets", {"--group", group, "--offsets", name + ":0:1"});
    expect_same_error(only_line(java_busy), busy[0].error, busy[0].message);
    auto [sec, subscribed] = call<std::vector<partition_outcome>>(
        io, [&](auto h) { client.async_delete_consumer_group_offsets(group, {{name, 0}}, h); });
    EXPECT_EQ(sec, broker_errc::group_subscribed_to_topic);
    const peer_result java_subscribed = peer_ok("admin-delete-group-offsets", {"--group", group, "--partitions", name + ":0"});
    expect_same_error(only_line(java_subscribed), subscribed[0].error, subscribed[0].message);

    // The member leaves; its committed offsets are what both list.
    member.close_stdin();
    EXPECT_EQ(member.wait_exit(std::chrono::seconds(60)), 0);
    auto [cec, committed] = call<std::vector<committed_offset>>(
        io, [&](auto h) { client.async_list_consumer_group_offsets(group, {}, h); });
    ASSERT_FALSE(cec) << cec.message();
    const json java_offsets = only_line(peer_ok("admin-list-group-offsets", {"--group", group}));
    ASSERT_EQ(committed.size(), java_offsets["offsets"].items.size());
    for (std::size_t i = 0; i < committed.size(); ++i) {
        const json& j = java_offsets["offsets"].items[i];
        EXPECT_EQ(committed[i].partition.topic, j["topic"].as_string());
        EXPECT_EQ(committed[i].partition.partition, j["partition"].as_int());
        EXPECT_EQ(committed[i].offset, j["offset"].as_int());
        EXPECT_EQ(committed[i].leader_epoch.value_or(-7), j["leader_epoch"].is_null() ? -7 : j["leader_epoch"].as_int());
    }

    // Now empty: offsets can be changed and deleted, then the group deleted.
    auto [aec, altered] = call<std::vector<partition_outcome>>(
        io, [&](auto h) { client.async_alter_consumer_group_offsets(group, {{name, 0, 3, "reset"}}, h); });
    ASSERT_FALSE(aec) << altered[0].message;
    auto [xec, removed] = call<std::vector<partition_outcome>>(
        io, [&](auto h) { client.async_delete_consumer_group_offsets(group, {{name, 1}}, h); });
    ASSERT_FALSE(xec) << removed[0].message;
    const json after = only_line(peer_ok("admin-list-group-offsets", {"--group", group}));
    std::map<std::int32_t, std::int64_t> java_after;
    for (const json& j : after["offsets"].items) java_after[static_cast<std::int32_t>(j["partition"].as_int())] = j["offset"].as_int();
    EXPECT_EQ(java_after[0], 3);
    EXPECT_FALSE(java_after.count(1)) << "deleted";
    auto [del_ec, deleted] = call<std::vector<group_outcome>>(io, [&](auto h) { client.async_delete_groups({group}, h); });
    ASSERT_FALSE(del_ec) << deleted[0].message;
    auto [again_ec, again] = call<std::vector<group_outcome>>(io, [&](auto h) { client.async_delete_groups({group}, h); });
    expect_same_error(only_line(peer_ok("admin-delete-groups", {"--groups", group})), again[0].error, again[0].message);
}

TEST_F(admin_fixture, a_consumer_protocol_group_is_described_as_the_java_admin_does) {
    const std::string name = unique_topic("adminj-848");
    const std::string group = name + "-g";
    ASSERT_FALSE(create_known(topic_of(name, 3, 3)).error);
    // A Java member of a KIP-848 group: the coordinator assigns, ConsumerGroupDescribe answers.
    peer_process member("group-member", {"--topic", name, "--group", group, "--max-ms", "120000", "--config",
                                         "group.protocol=consumer", "--config", "client.id=adminj-848-member"});
    ASSERT_TRUE(member.wait_for([](const json& l) { return l["event"].as_string() == "assigned" && l["partitions"].items.size() == 3; },
                                std::chrono::seconds(60)));
    // The assignment reaches Stable with every partition owned once the member acknowledged it.
    std::pair<error_code, std::vector<group_description>> d;
    for (int attempt = 0; attempt < 100; ++attempt) {
        d = call<std::vector<group_description>>(io, [&](auto h) { client.async_describe_groups({group}, h); });
        if (!d.first && d.second[0].members.size() == 1 && d.second[0].members[0].assignment.size() == 3) break;
        pause(std::chrono::milliseconds(100));
    }
    ASSERT_FALSE(d.first) << d.second[0].message;
    const group_description& g = d.second[0];
    EXPECT_EQ(g.type, group_type::consumer);
    const json java = only_line(peer_ok("admin-describe-groups", {"--groups", group}));
    EXPECT_EQ(to_string(g.type), java["type"].as_string());
    EXPECT_EQ(g.assignor, java["assignor"].as_string());
    EXPECT_EQ(g.group_epoch, java["group_epoch"].as_int());
    EXPECT_EQ(g.assignment_epoch, java["target_assignment_epoch"].as_int());
    EXPECT_EQ(g.coordinator, java["coordinator"].as_int());
    ASSERT_EQ(java["members"].items.size(), 1u);
    ASSERT_EQ(g.members.size(), 1u);
    const json& jm = java["members"].items[0];
    EXPECT_EQ(g.members[0].member_id, jm["member_id"].as_string());
    EXPECT_EQ(g.members[0].client_id, "adminj-848-member");
    EXPECT_EQ(g.members[0].member_epoch, jm["member_epoch"].as_int());
    ASSERT_EQ(g.members[0].assignment.size(), jm["assignment"].items.size());
    for (std::size_t i = 0; i < g.members[0].assignment.size(); ++i)
        EXPECT_EQ(g.members[0].assignment[i].partition, jm["assignment"].items[i]["partition"].as_int());

    list_groups_options only_consumer;
    only_consumer.types = {group_type::consumer};
    auto [lec, listed] = call<std::vector<group_listing>>(io, [&](auto h) { client.async_list_groups(only_consumer, h); });
    ASSERT_FALSE(lec) << lec.message();
    EXPECT_TRUE(std::any_of(listed.begin(), listed.end(), [&](const group_listing& l) {
        return l.group_id == group && l.type == group_type::consumer;
    }));
    for (const auto& l : listed) EXPECT_EQ(l.type, group_type::consumer) << l.group_id << ": the filter applies";
    member.close_stdin();
    EXPECT_EQ(member.wait_exit(std::chrono::seconds(60)), 0);
}

}  // namespace
}  // namespace kasio::test::kafka

// kasio::admin against a real Kafka 4.x cluster, each result compared with what the Java Admin
// client answers for the same cluster state (the peer's describe-topic, list-offsets,
// group-offsets), and the error paths each a per-item error naming its cause.
#include "admin_support.hpp"

#include <kasio/admin.hpp>
#include <kasio/broker_errc.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

namespace kasio::test::kafka {
namespace {

namespace asio = boost::asio;

TEST_F(admin_fixture, created_topics_match_what_the_java_admin_describes) {
    const std::string name = unique_topic("admin-create");
    std::vector<created_topic> created{create_known(topic_of(name, 4, 3, {{"retention.ms", "3600000"}}))};
    ASSERT_FALSE(created[0].error) << created[0].error.message() << ": " << created[0].message;
    EXPECT_EQ(created[0].num_partitions, 4);
    EXPECT_EQ(created[0].replication_factor, 3);
    EXPECT_FALSE(created[0].topic_id.is_nil());
    const config_entry* retention = nullptr;
    for (const auto& e : created[0].configs)
        if (e.name == "retention.ms") retention = &e;
    ASSERT_NE(retention, nullptr);
    EXPECT_EQ(retention->value, "3600000");
    EXPECT_EQ(retention->source, config_source::dynamic_topic_config);

    // describe_topics against the Java Admin's describeTopics, partition by partition.
    auto [ec, described] = call<std::vector<topic_description>>(
        io, [&](auto h) { client.async_describe_topics({name, "admin-no-such-topic"}, h); });
    ASSERT_EQ(described.size(), 2u);
    EXPECT_EQ(ec, broker_errc::unknown_topic_or_partition) << "the first item's error: the unknown topic's";
    EXPECT_EQ(described[1].error, broker_errc::unknown_topic_or_partition);
    const topic_description& t = described[0];
    ASSERT_FALSE(t.error) << t.error.message();
    EXPECT_EQ(t.topic_id, created[0].topic_id) << t.topic_id.to_string() << " vs " << created[0].topic_id.to_string();
    const peer_result java = peer_ok("describe-topic", {"--topic", name});
    ASSERT_EQ(java.lines.size(), 4u);
    ASSERT_EQ(t.partitions.size(), 4u);
    for (const json& line : java.lines) {
        const auto& part = t.partitions.at(static_cast<std::size_t>(line["partition"].as_int()));
        EXPECT_EQ(part.leader, line["leader"].as_int());
        std::vector<std::int32_t> replicas;
        for (const auto& r : line["replicas"].items) replicas.push_back(static_cast<std::int32_t>(r.as_int()));
        EXPECT_EQ(part.replicas, replicas);
    }

    // list_topics: ours; internal topics (once the cluster has one) only when asked.
    const auto plain = list();
    EXPECT_TRUE(listed(plain, name));
    for (const auto& l : plain) EXPECT_FALSE(l.internal) << l.name;
    const auto with_internal = list(true);
    for (const auto& l : plain) EXPECT_TRUE(listed(with_internal, l.name)) << l.name;
    EXPECT_EQ(with_internal.size() - plain.size(),
              static_cast<std::size_t>(std::count_if(with_internal.begin(), with_internal.end(),
                                                     [](const topic_listing& l) { return l.internal; })));
    for (const auto& l : with_internal)
        if (l.name == name) {
            EXPECT_EQ(l.topic_id, created[0].topic_id);
        }
}

TEST_F(admin_fixture, refused_topics_are_per_item_errors_naming_the_cause) {
    const std::string good = unique_topic("admin-good");
    const std::string exists = unique_topic("admin-exists");
    ASSERT_FALSE(create({topic_of(exists, 1, 1)})[0].error);
    auto out = create({topic_of(good, 2, 2), topic_of(exists, 1, 1), topic_of(unique_topic("admin-zero"), 0, 1),
                       topic_of(unique_topic("admin-repl"), 1, 7),
                       topic_of(unique_topic("admin-cfg"), 1, 1, {{"no.such.config", "1"}})});
    ASSERT_EQ(out.size(), 5u);
    EXPECT_FALSE(out[0].error) << out[0].message;
    EXPECT_EQ(out[1].error, broker_errc::topic_already_exists);
    EXPECT_NE(out[1].message.find(exists), std::string::npos) << out[1].message;
    EXPECT_EQ(out[2].error, broker_errc::invalid_partitions) << out[2].message;
    EXPECT_EQ(out[3].error, broker_errc::invalid_replication_factor) << out[3].message;
    EXPECT_NE(out[3].message.find('7'), std::string::npos) << out[3].message;
    EXPECT_EQ(out[4].error, broker_errc::invalid_config) << out[4].message;
    EXPECT_NE(out[4].message.find("no.such.config"), std::string::npos) << out[4].message;
    for (const auto& r : out) EXPECT_FALSE(r.error && r.message.empty()) << r.name << " has no message";

    // validate_only: checked, not created.
    const std::string dry = unique_topic("admin-dry");
    auto checked = create({topic_of(dry, 3, 3)}, create_options{true});
    ASSERT_FALSE(checked[0].error) << checked[0].message;
    EXPECT_FALSE(listed(list(), dry));
}

TEST_F(admin_fixture, deleted_topics_are_gone_and_deleting_again_names_the_topic) {
    const std::string name = unique_topic("admin-delete");
    ASSERT_FALSE(create({topic_of(name, 2, 3)})[0].error);
    auto [ec, out] = call<std::vector<topic_outcome>>(io, [&](auto h) { client.async_delete_topics({name}, h); });
    ASSERT_FALSE(ec) << ec.message() << ": " << (out.empty() ? "" : out[0].message);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].name, name);
    auto [ec2, again] = call<std::vector<topic_outcome>>(io, [&](auto h) { client.async_delete_topics({name}, h); });
    EXPECT_EQ(ec2, broker_errc::unknown_topic_or_partition);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].error, broker_errc::unknown_topic_or_partition);
    EXPECT_FALSE(again[0].message.empty());
}

TEST_F(admin_fixture, configs_of_a_topic_and_a_broker_are_described) {
    const std::string name = unique_topic("admin-configs");
    ASSERT_FALSE(create_known(topic_of(name, 1, 3, {{"cleanup.policy", "compact"}})).error);
    std::vector<config_resource> resources{{config_resource_type::topic, name},
                                           {config_resource_type::broker, "2"},
                                           {config_resource_type::topic, "admin-no-such-topic"}};
    auto [ec, out] = call<std::vector<config_description>>(
        io, [&](auto h) { client.async_describe_configs(resources, describe_configs_options{true, true}, h); });
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(ec, out[2].error);
    ASSERT_FALSE(out[0].error) << out[0].message;
    const config_entry* policy = out[0].find("cleanup.policy");
    ASSERT_NE(policy, nullptr);
    EXPECT_EQ(policy->value, "compact");
    EXPECT_EQ(policy->source, config_source::dynamic_topic_config);
    EXPECT_EQ(policy->type, config_type::list);
    EXPECT_FALSE(policy->documentation.empty());
    ASSERT_FALSE(policy->synonyms.empty());
    const config_entry* retention = out[0].find("retention.ms");
    ASSERT_NE(retention, nullptr);
    EXPECT_TRUE(retention->is_default() || retention->source == config_source::static_broker_config);
    ASSERT_FALSE(out[1].error) << out[1].message;
    const config_entry* node = out[1].find("node.id");
    ASSERT_NE(node, nullptr) << "broker 2 answered for itself";
    EXPECT_EQ(node->value, "2");
    EXPECT_EQ(out[2].error, broker_errc::unknown_topic_or_partition);
}

TEST_F(admin_fixture, list_offsets_match_the_java_admin) {
    const std::string name = unique_topic("admin-offsets");
    ASSERT_FALSE(create_known(topic_of(name, 3, 3)).error);
    auto records = interop_records(300, false);
    producer_config pcfg;
    pcfg.bootstrap_servers = {cluster().bootstrap};
    ASSERT_EQ(kasio_produce(pcfg, name, records), "");

    std::vector<offset_query> q;
    for (int p = 0; p < 3; ++p) {
        q.push_back({{name, p}, offset_spec::earliest()});
        q.push_back({{name, p}, offset_spec::latest()});
        q.push_back({{name, p}, offset_spec::max_timestamp()});
        q.push_back({{name, p}, offset_spec::for_timestamp(1700000000000 + 150)});
    }
    q.push_back({{name, 9}, offset_spec::latest()});
    auto [ec, out] = call<std::vector<partition_offsets>>(io, [&](auto h) { client.async_list_offsets(q, h); });
    ASSERT_EQ(out.size(), q.size());
    EXPECT_EQ(ec, broker_errc::unknown_topic_or_partition) << "partition 9 does not exist";
    EXPECT_EQ(out.back().error, broker_errc::unknown_topic_or_partition);
    EXPECT_NE(out.back().message.find("3 partitions"), std::string::npos) << out.back().message;

    const peer_result java = peer_ok("list-offsets", {"--topic", name});
    ASSERT_EQ(java.lines.size(), 3u);
    std::int64_t total = 0;
    for (const json& line : java.lines) {
        const auto p = static_cast<std::size_t>(line["partition"].as_int());
        ASSERT_FALSE(out[p * 4].error) << out[p * 4].message;
        EXPECT_EQ(out[p * 4].offset, line["earliest"].as_int());
        EXPECT_EQ(out[p * 4 + 1].offset, line["latest"].as_int());
        total += out[p * 4 + 1].offset;
        // The record with the largest timestamp is the partition's last (timestamps rise).
        EXPECT_EQ(out[p * 4 + 2].offset, out[p * 4 + 1].offset - 1);
        EXPECT_GE(out[p * 4 + 2].timestamp, 1700000000000);
    }
    EXPECT_EQ(total, 300);
    // The first record at or after timestamp +150 is record 150, wherever it went.
    int found = 0;
    for (int p = 0; p < 3; ++p) {
        const auto& r = out[static_cast<std::size_t>(p) * 4 + 3];
        ASSERT_FALSE(r.error) << r.message;
        if (r.timestamp == 1700000000000 + 150) ++found;
    }
    EXPECT_EQ(found, 1);
}

TEST_F(admin_fixture, group_offsets_altered_by_kasio_are_what_the_java_admin_lists) {
    const std::string name = unique_topic("admin-goffsets");
    const std::string group = name + "-group";
    ASSERT_FALSE(create({topic_of(name, 2, 3)})[0].error);
    std::vector<partition_offset> offsets{{name, 0, 5, "m0"}, {name, 1, 7, ""}};
    auto [ec, altered] = call<std::vector<partition_outcome>>(
        io, [&](auto h) { client.async_alter_consumer_group_offsets(group, offsets, h); });
    ASSERT_FALSE(ec) << ec.message() << ": " << (altered.empty() ? "" : altered[0].message);
    const peer_result java = peer_ok("group-offsets", {"--group", group});
    ASSERT_EQ(java.lines.size(), 2u);
    EXPECT_EQ(java.lines[0]["offset"].as_int(), 5);
    EXPECT_EQ(java.lines[1]["offset"].as_int(), 7);

    auto [lec, listed_offsets] = call<std::vector<committed_offset>>(
        io, [&](auto h) { client.async_list_consumer_group_offsets(group, {}, h); });
    ASSERT_FALSE(lec) << lec.message();
    ASSERT_EQ(listed_offsets.size(), 2u);
    EXPECT_EQ(listed_offsets[0].partition, (topic_partition{name, 0}));
    EXPECT_EQ(listed_offsets[0].offset, 5);
    EXPECT_EQ(listed_offsets[0].metadata, "m0");
    EXPECT_EQ(listed_offsets[1].offset, 7);

    // Asked by partition, one never committed: offset -1.
    auto [pec, some] = call<std::vector<committed_offset>>(io, [&](auto h) {
        client.async_list_consumer_group_offsets(group, {{name, 1}, {name, 5}}, h);
    });
    ASSERT_FALSE(pec) << pec.message();
    ASSERT_EQ(some.size(), 2u);
    EXPECT_EQ(some[0].offset, 7);
    EXPECT_EQ(some[1].offset, -1);
}

TEST_F(admin_fixture, the_cluster_is_described_as_the_metadata_says) {
    auto [ec, d] = call<cluster_description>(io, [&](auto h) { client.async_describe_cluster(h); });
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(d.brokers.size(), 3u);
    EXPECT_FALSE(d.cluster_id.empty());
    EXPECT_TRUE(std::any_of(d.brokers.begin(), d.brokers.end(), [&](const auto& b) { return b.node_id == d.controller_id; }));
}

}  // namespace
}  // namespace kasio::test::kafka

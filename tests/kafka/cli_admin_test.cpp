// kasio-cli's admin commands against the real cluster, checked with the Java peer (issue 17):
// a topic created and described by kasio-cli is what the Java Admin describes; `offsets reset`
// is a dry run until --execute, then moves the group's offsets and a Java group member starts
// there; per-item errors (topic_already_exists, non_empty_group, a reset of an active group)
// exit 1 with the Kafka error name; an ACL `acls create` makes is the one the Java Admin lists,
// and `acls delete` removes it.
#include "kafka_cluster.hpp"
#include "peer_process.hpp"

#include <sys/wait.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#ifndef KASIO_CLI
#error "KASIO_CLI: the path of kasio-cli (tests/kafka/CMakeLists.txt)"
#endif

namespace kasio::test::kafka {
namespace {

// What one kasio-cli run printed.
struct cli_result {
    int status = -1;
    std::vector<json> lines;  // stdout, one JSON object per line
    std::string out, errors;  // stdout and stderr as text
};

std::string scratch_file(std::string_view what) {
    static std::atomic<int> counter{0};
    return "/tmp/kasio-cli-admin-" + std::string(what) + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter++);
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Runs `kasio-cli args... --brokers <PLAINTEXT listeners>` with `input` on its stdin.
cli_result run_cli(const std::vector<std::string>& args, const std::string& input = {}) {
    const std::string in_path = scratch_file("in"), out_path = scratch_file("out"), err_path = scratch_file("err");
    std::ofstream(in_path, std::ios::binary) << input;
    std::string cmd = shell_quote(KASIO_CLI);
    for (const auto& a : args) cmd += " " + shell_quote(a);
    cmd += " --brokers " + shell_quote(cluster().bootstrap) + " <" + shell_quote(in_path) + " >" +
           shell_quote(out_path) + " 2>" + shell_quote(err_path);
    cli_result r;
    r.status = run_shell(cmd);
    r.out = read_all(out_path);
    r.errors = read_all(err_path);
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        auto parsed = parse_json(line);
        EXPECT_TRUE(parsed.has_value()) << "not JSON: " << line;
        if (parsed) r.lines.push_back(std::move(*parsed));
    }
    for (const auto& path : {in_path, out_path, err_path}) std::remove(path.c_str());
    return r;
}

// run_cli until the answer is not unknown_topic_or_partition (at most 50 runs): brokers learn
// of a new topic a moment after the controller created it, and an admin request may go to any
// of them. Each run starts a process and connects, which paces the loop.
cli_result run_cli_once_known(const std::vector<std::string>& args) {
    cli_result r;
    for (int attempt = 0; attempt < 50; ++attempt) {
        r = run_cli(args);
        if (r.out.find("\"unknown_topic_or_partition\"") == std::string::npos) break;
    }
    return r;
}

// The Java Admin's committed offsets of a group: partition -> offset.
std::map<std::int64_t, std::int64_t> java_group_offsets(const std::string& group) {
    const peer_result r = peer_ok("admin-list-group-offsets", {"--group", group});
    std::map<std::int64_t, std::int64_t> out;
    if (r.lines.size() != 1) return out;
    for (const json& o : r.lines.front()["offsets"].items) out[o["partition"].as_int()] = o["offset"].as_int();
    return out;
}

// The partition count of a topic as the Java Admin describes it; -1 while it does not know it.
int java_partition_count(const std::string& topic) {
    const peer_result r = peer_ok("admin-describe-topics", {"--topics", topic});
    if (r.lines.size() != 1 || !r.lines.front()["error"].is_null()) return -1;
    return static_cast<int>(r.lines.front()["partitions"].items.size());
}

TEST(cli_admin, offsets_reset_moves_a_group_and_a_java_member_then_starts_there) {
    const std::string topic = unique_topic("cli-reset"), group = unique_topic("cli-reset-group");

    // Created by kasio-cli, described alike by kasio-cli and the Java Admin.
    const cli_result created = run_cli({"topics", "create", "--topic", topic, "--partitions", "3", "--replication", "3"});
    ASSERT_EQ(created.status, 0) << created.errors;
    ASSERT_EQ(created.lines.size(), 1u) << created.out;
    EXPECT_EQ(created.lines[0]["name"].as_string(), topic);
    EXPECT_EQ(created.lines[0]["num_partitions"].as_int(), 3);
    EXPECT_EQ(created.lines[0]["replication_factor"].as_int(), 3);
    // The brokers learn of a created topic a moment after the controller answers: each peer run
    // takes a second or so, which paces this loop.
    int java_count = -1;
    for (int attempt = 0; attempt < 30 && java_count < 0; ++attempt) java_count = java_partition_count(topic);
    EXPECT_EQ(java_count, 3);
    const cli_result described = run_cli_once_known({"topics", "describe", "--topic", topic});
    ASSERT_EQ(described.status, 0) << described.errors;
    ASSERT_EQ(described.lines.size(), 1u) << described.out;
    EXPECT_EQ(static_cast<int>(described.lines[0]["partitions"].items.size()), java_count);
    EXPECT_FALSE(described.lines[0]["topic_id"].is_null());

    // Creating it again: the broker's per-topic error, exit 1.
    const cli_result again = run_cli({"topics", "create", "--topic", topic, "--partitions", "3"});
    EXPECT_EQ(again.status, 1) << again.out;
    ASSERT_EQ(again.lines.size(), 1u) << again.out;
    EXPECT_EQ(again.lines[0]["error"].as_string(), "topic_already_exists");
    EXPECT_FALSE(again.lines[0]["message"].as_string().empty());
    EXPECT_NE(again.errors.find("topic_already_exists"), std::string::npos) << again.errors;

    // 100 records on partition 0; the group has committed 50 there (and 0 on the others).
    std::string records;
    for (int i = 0; i < 100; ++i) records += std::to_string(i) + "\n";
    const cli_result produced = run_cli({"produce", "--topic", topic, "--partition", "0"}, records);
    ASSERT_EQ(produced.status, 0) << produced.errors;
    const std::string start = topic + ":0:50," + topic + ":1:0," + topic + ":2:0";
    peer_ok("admin-alter-group-offsets", {"--group", group, "--offsets", start});
    ASSERT_EQ(java_group_offsets(group), (std::map<std::int64_t, std::int64_t>{{0, 50}, {1, 0}, {2, 0}}));

    // The dry run prints the plan and changes nothing.
    const std::vector<std::string> reset = {"offsets", "reset", "--group", group, "--topic", topic, "--to-offset", "10"};
    const cli_result dry = run_cli(reset);
    ASSERT_EQ(dry.status, 0) << dry.errors;
    ASSERT_EQ(dry.lines.size(), 3u) << dry.out;
    EXPECT_EQ(dry.lines[0]["partition"].as_int(), 0);
    EXPECT_EQ(dry.lines[0]["current"].as_int(), 50);
    EXPECT_EQ(dry.lines[0]["new"].as_int(), 10);
    EXPECT_EQ(dry.lines[1]["new"].as_int(), 0) << "an empty partition: 10 is kept within [0, 0]";
    EXPECT_EQ(java_group_offsets(group)[0], 50) << "a dry run commits nothing";

    // --execute commits the plan.
    std::vector<std::string> execute = reset;
    execute.push_back("--execute");
    const cli_result done = run_cli(execute);
    ASSERT_EQ(done.status, 0) << done.errors;
    EXPECT_EQ(done.out, dry.out) << "the same plan, applied";
    EXPECT_EQ(java_group_offsets(group), (std::map<std::int64_t, std::int64_t>{{0, 10}, {1, 0}, {2, 0}}));

    // A Java member of the group starts at offset 10 of partition 0.
    peer_process member("group-member", {"--topic", topic, "--group", group, "--max-ms", "120000", "--commit", "none",
                                         "--config", "client.id=cli-admin-member"});
    ASSERT_TRUE(member.wait_for(
        [](const json& l) { return l["event"].as_string() == "record" && l["partition"].as_int() == 0 && l["offset"].as_int() == 99; },
        std::chrono::seconds(60)))
        << "the member did not read partition 0 to its end";
    std::vector<std::int64_t> read;
    for (const json& l : member.lines())
        if (l["event"].as_string() == "record" && l["partition"].as_int() == 0) read.push_back(l["offset"].as_int());
    ASSERT_FALSE(read.empty());
    EXPECT_EQ(read.front(), 10) << "the first record the member read";
    EXPECT_EQ(read.size(), 90u) << "offsets 10..99, once each";

    // While it is a member: deleting the group and resetting its offsets fail per item.
    const cli_result busy_delete = run_cli({"groups", "delete", "--group", group});
    EXPECT_EQ(busy_delete.status, 1) << busy_delete.out;
    ASSERT_EQ(busy_delete.lines.size(), 1u) << busy_delete.out;
    EXPECT_EQ(busy_delete.lines[0]["group_id"].as_string(), group);
    EXPECT_EQ(busy_delete.lines[0]["error"].as_string(), "non_empty_group");
    EXPECT_NE(busy_delete.errors.find("non_empty_group"), std::string::npos) << busy_delete.errors;
    const cli_result busy_reset = run_cli(execute);
    EXPECT_EQ(busy_reset.status, 1) << busy_reset.out;
    ASSERT_EQ(busy_reset.lines.size(), 3u) << busy_reset.out;
    // The coordinator refuses commits from outside the active generation (as it answers Java).
    for (const json& l : busy_reset.lines) EXPECT_EQ(l["error"].as_string(), "unknown_member_id") << busy_reset.out;
    const cli_result described_group = run_cli({"groups", "describe", "--group", group});
    ASSERT_EQ(described_group.status, 0) << described_group.errors;
    ASSERT_EQ(described_group.lines.size(), 1u);
    EXPECT_EQ(described_group.lines[0]["members"].items.size(), 1u) << described_group.out;

    // Once it left: the group and the topic go.
    member.close_stdin();
    EXPECT_EQ(member.wait_exit(std::chrono::seconds(60)), 0);
    const cli_result deleted = run_cli({"groups", "delete", "--group", group});
    EXPECT_EQ(deleted.status, 0) << deleted.out << deleted.errors;
    const cli_result topic_deleted = run_cli({"topics", "delete", "--topic", topic});
    EXPECT_EQ(topic_deleted.status, 0) << topic_deleted.out << topic_deleted.errors;
}

TEST(cli_admin, cluster_and_configs_are_what_the_java_admin_says) {
    const cli_result c = run_cli({"cluster"});
    ASSERT_EQ(c.status, 0) << c.errors;
    ASSERT_EQ(c.lines.size(), 1u) << c.out;
    const peer_result java = peer_ok("admin-describe-cluster", {});
    ASSERT_EQ(java.lines.size(), 1u);
    EXPECT_EQ(c.lines[0]["cluster_id"].as_string(), java.lines[0]["cluster_id"].as_string());
    ASSERT_EQ(c.lines[0]["brokers"].items.size(), java.lines[0]["brokers"].items.size());
    for (std::size_t i = 0; i < c.lines[0]["brokers"].items.size(); ++i)
        EXPECT_EQ(c.lines[0]["brokers"].items[i]["node_id"].as_int(), java.lines[0]["brokers"].items[i]["id"].as_int());

    // A broker's own configuration, from a new admin (each run is one): it must first learn
    // where broker 1 is.
    const cli_result broker = run_cli({"configs", "get", "--type", "broker", "--name", "1", "--synonyms"});
    ASSERT_EQ(broker.status, 0) << broker.out << broker.errors;
    ASSERT_EQ(broker.lines.size(), 1u) << broker.out;
    const peer_result java_broker = peer_ok("admin-describe-configs", {"--type", "broker", "--name", "1", "--keys", "broker.rack"});
    ASSERT_EQ(java_broker.lines.size(), 1u);
    ASSERT_EQ(java_broker.lines[0]["configs"].items.size(), 1u);
    std::string rack;
    for (const json& e : broker.lines[0]["entries"].items)
        if (e["name"].as_string() == "broker.rack") rack = e["value"].as_string();
    EXPECT_EQ(rack, java_broker.lines[0]["configs"].items[0]["value"].as_string());

    // A topic configuration set, read back, deleted; a bad one refused with invalid_config.
    const std::string topic = unique_topic("cli-configs");
    create_topic(topic, 1);
    const std::vector<std::string> which = {"--type", "topic", "--name", topic};
    auto with = [&](std::vector<std::string> head, const std::vector<std::string>& tail) {
        head.insert(head.begin() + 2, which.begin(), which.end());
        head.insert(head.end(), tail.begin(), tail.end());
        return head;
    };
    const cli_result set = run_cli_once_known(with({"configs", "set"}, {"--set", "retention.ms=123456"}));
    ASSERT_EQ(set.status, 0) << set.errors;
    const cli_result got = run_cli_once_known(with({"configs", "get"}, {}));
    ASSERT_EQ(got.status, 0) << got.errors;
    ASSERT_EQ(got.lines.size(), 1u) << got.out;
    std::string value, source;
    for (const json& e : got.lines[0]["entries"].items)
        if (e["name"].as_string() == "retention.ms") {
            value = e["value"].as_string();
            source = e["source"].as_string();
        }
    EXPECT_EQ(value, "123456");
    EXPECT_EQ(source, "dynamic_topic_config");
    const cli_result bad = run_cli_once_known(with({"configs", "set"}, {"--set", "retention.ms=soon"}));
    EXPECT_EQ(bad.status, 1) << bad.out;
    ASSERT_EQ(bad.lines.size(), 1u) << bad.out;
    EXPECT_EQ(bad.lines[0]["error"].as_string(), "invalid_config");
    const cli_result removed = run_cli_once_known(with({"configs", "set"}, {"--delete", "retention.ms"}));
    EXPECT_EQ(removed.status, 0) << removed.errors;
    run_cli({"topics", "delete", "--topic", topic});
}

// The ACL lines of kasio-cli and the Java peer on `prefix`'s resources, as comparable text:
// both print resource_type, pattern_type, principal, host, operation and permission alike
// (Java's enum names, lowercase); the name is "resource_name" in kasio-cli's, "name" in Java's.
// Other tests' ACLs of User:kasio may come and go meanwhile: only names under `prefix` count.
std::set<std::string> acl_set(const std::vector<json>& acls, const std::string& name_field,
                              const std::string& prefix) {
    std::set<std::string> out;
    for (const json& a : acls) {
        const std::string name = a[name_field].as_string();
        if (name.rfind(prefix, 0) != 0) continue;
        out.insert(a["resource_type"].as_string() + " " + name + " " + a["pattern_type"].as_string() + " " +
                   a["principal"].as_string() + " " + a["host"].as_string() + " " + a["operation"].as_string() + " " +
                   a["permission"].as_string());
    }
    return out;
}

std::set<std::string> java_acls(const std::string& prefix) {
    const peer_result r = peer_ok("admin-describe-acls", {"--filter", "any:any:any:User:kasio:any:any:any"});
    if (r.lines.size() != 1) return {{"no answer: " + r.errors}};
    return acl_set(r.lines.front()["acls"].items, "name", prefix);
}

// Deletes, with the Java Admin, the ACLs of User:kasio on `prefix` however the test ends, so
// that a failed assertion leaves no ACL behind to close a topic of a later test.
struct acl_cleanup {
    std::string prefix;
    ~acl_cleanup() {
        run_peer("admin-delete-acls", {"--filter", "topic:" + prefix + ":prefixed:User:kasio:any:any:any"});
    }
};

TEST(cli_admin, acls_created_listed_and_deleted_agree_with_the_java_admin) {
    // A DENY WRITE for kasio on a prefix no topic has: it closes nothing another test uses.
    const std::string prefix = unique_topic("cli-acl");
    acl_cleanup cleanup{prefix};
    const std::vector<std::string> resource = {"--topic", prefix, "--resource-pattern-type", "prefixed"};
    const auto acls = [&](std::string_view sub, std::vector<std::string> tail) {
        std::vector<std::string> args{"acls", std::string(sub)};
        args.insert(args.end(), resource.begin(), resource.end());
        args.insert(args.end(), tail.begin(), tail.end());
        return args;
    };
    const std::string want = "topic " + prefix + " prefixed User:kasio * write deny";

    const cli_result created =
        run_cli(acls("create", {"--principal", "User:kasio", "--operation", "write", "--deny"}));
    ASSERT_EQ(created.status, 0) << created.out << created.errors;
    ASSERT_EQ(created.lines.size(), 1u) << created.out;
    EXPECT_EQ(acl_set(created.lines, "resource_name", prefix), std::set<std::string>{want}) << created.out;
    EXPECT_TRUE(created.lines[0]["error"].is_null()) << created.out;

    // Listed by kasio-cli (the prefixed filter, then every ACL that applies to a topic under the
    // prefix) and by the Java Admin. ACLs reach each broker through the metadata log a moment
    // after the create returns, and each run may ask another broker: poll (a run takes a while).
    cli_result listed;
    for (int attempt = 0; attempt < 30 && listed.lines.empty(); ++attempt)
        listed = run_cli(acls("list", {"--principal", "User:kasio"}));
    ASSERT_EQ(listed.status, 0) << listed.errors;
    EXPECT_EQ(acl_set(listed.lines, "resource_name", prefix), std::set<std::string>{want}) << listed.out;
    const cli_result matching =
        run_cli({"acls", "list", "--topic", prefix + "-orders", "--resource-pattern-type", "match", "--deny"});
    ASSERT_EQ(matching.status, 0) << matching.errors;
    EXPECT_EQ(acl_set(matching.lines, "resource_name", prefix), std::set<std::string>{want}) << matching.out;
    const cli_result literal = run_cli({"acls", "list", "--topic", prefix});
    ASSERT_EQ(literal.status, 0) << literal.errors;
    EXPECT_TRUE(literal.lines.empty()) << "a named resource filters its literal ACLs by default: " << literal.out;
    std::set<std::string> java;
    for (int attempt = 0; attempt < 30 && java.empty(); ++attempt) java = java_acls(prefix);
    EXPECT_EQ(java, std::set<std::string>{want});

    // Deleted by kasio-cli: the ACL removed is its line; then Java lists none, and a second
    // delete matches nothing (not a failure).
    const cli_result deleted = run_cli(acls("delete", {"--principal", "User:kasio", "--operation", "write"}));
    ASSERT_EQ(deleted.status, 0) << deleted.out << deleted.errors;
    EXPECT_EQ(acl_set(deleted.lines, "resource_name", prefix), std::set<std::string>{want}) << deleted.out;
    EXPECT_EQ(deleted.lines.size(), 1u) << deleted.out;
    for (int attempt = 0; attempt < 30 && !java.empty(); ++attempt) java = java_acls(prefix);
    EXPECT_TRUE(java.empty()) << *java.begin();
    const cli_result again = run_cli(acls("delete", {}));
    EXPECT_EQ(again.status, 0) << again.out << again.errors;
    EXPECT_TRUE(again.lines.empty()) << again.out;
    EXPECT_NE(again.errors.find("no ACL matched"), std::string::npos) << again.errors;
}

}  // namespace
}  // namespace kasio::test::kafka

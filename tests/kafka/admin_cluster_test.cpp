// kasio::admin's cluster-keeping operations against the Java Admin's answers: ACLs (and the
// authorization refusals they cause on the SASL listener), leader elections, reassignments,
// log directories, producers, transactions and SCRAM credentials (a user kasio creates then
// authenticates).
#include "admin_support.hpp"

#include <kasio/producer.hpp>

#include <map>
#include <set>

namespace kasio::test::kafka {
namespace {

const std::string kasio_plain_jaas =
    "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"kasio\" "
    "password=\"kasio-secret\";";

// Peer arguments that make it act as SASL user kasio.
std::vector<std::string> as_kasio_user(std::vector<std::string> args) {
    args.insert(args.end(), {"--bootstrap", cluster().sasl_bootstrap, "--config", "security.protocol=SASL_PLAINTEXT",
                             "--config", "sasl.mechanism=PLAIN", "--config", kasio_plain_jaas});
    return args;
}

admin_config kasio_user_config() {
    admin_config cfg;
    cfg.bootstrap_servers = {cluster().sasl_bootstrap};
    cfg.connection.security = security_protocol::sasl_plaintext;
    cfg.connection.sasl = sasl_mechanism::plain;
    cfg.connection.sasl_username = "kasio";
    cfg.connection.sasl_password = "kasio-secret";
    cfg.default_api_timeout = std::chrono::milliseconds(20000);
    debug_log(cfg.connection);
    return cfg;
}

json only(const peer_result& r) {
    EXPECT_EQ(r.lines.size(), 1u) << r.errors;
    return r.lines.empty() ? json{} : r.lines.front();
}

TEST_F(admin_fixture, acls_are_created_listed_enforced_and_deleted_as_the_java_admin_sees_them) {
    const std::string prefix = unique_topic("adminacl");
    const std::string denied = prefix + "-denied";
    ASSERT_FALSE(create_known(topic_of(denied, 1, 3)).error);
    const std::vector<acl_binding> acls{
        {acl_resource_type::topic, prefix, acl_pattern_type::prefixed, "User:kasio", "*", acl_operation::all, acl_permission::deny},
        {acl_resource_type::topic, denied, acl_pattern_type::literal, "User:kasio", "*", acl_operation::describe, acl_permission::allow},
        {acl_resource_type::topic, "x", acl_pattern_type::match, "User:kasio", "*", acl_operation::read, acl_permission::allow},
    };
    auto [cec, created] = call<std::vector<acl_outcome>>(io, [&](auto h) { client.async_create_acls(acls, h); });
    ASSERT_EQ(created.size(), 3u);
    EXPECT_FALSE(created[0].error) << created[0].message;
    EXPECT_FALSE(created[1].error) << created[1].message;
    EXPECT_EQ(created[2].error, broker_errc::invalid_request) << "MATCH is for filters only: " << created[2].message;
    EXPECT_NE(created[2].message.find("filters"), std::string::npos) << created[2].message;
    EXPECT_EQ(cec, created[2].error);

    // Listed by kasio and by Java alike.
    acl_filter mine;
    mine.principal = "User:kasio";
    auto [dec, listed] = call<std::vector<acl_binding>>(io, [&](auto h) { client.async_describe_acls(mine, h); });
    ASSERT_FALSE(dec) << dec.message();
    const json java = only(peer_ok("admin-describe-acls", {"--filter", "any:any:any:User:kasio:any:any:any"}));
    std::set<std::string> kasio_set, java_set;
    for (const auto& a : listed)
        kasio_set.insert(a.resource_name + "/" + std::to_string(static_cast<int>(a.pattern)) + "/" +
                         std::to_string(static_cast<int>(a.operation)) + "/" + std::to_string(static_cast<int>(a.permission)));
    const std::map<std::string, int> pattern{{"literal", 3}, {"prefixed", 4}};
    const std::map<std::string, int> operation{{"all", 2}, {"describe", 8}, {"read", 3}, {"write", 4}};
    const std::map<std::string, int> permission{{"deny", 2}, {"allow", 3}};
    for (const json& a : java["acls"].items)
        java_set.insert(a["name"].as_string() + "/" + std::to_string(pattern.at(a["pattern_type"].as_string())) + "/" +
                        std::to_string(operation.at(a["operation"].as_string())) + "/" +
                        std::to_string(permission.at(a["permission"].as_string())));
    EXPECT_EQ(kasio_set, java_set);
    EXPECT_TRUE(kasio_set.count(prefix + "/4/2/2")) << "the prefixed deny";

    // Enforced on the SASL listener: kasio's admin as user kasio is refused per item, with
    // the same error as Java's. ACLs reach the brokers through the metadata log: poll.
    asio::io_context sasl_io;
    admin as_kasio(sasl_io.get_executor(), kasio_user_config());
    std::pair<error_code, std::vector<config_description>> refused;
    for (int attempt = 0; attempt < 100; ++attempt) {
        refused = call<std::vector<config_description>>(sasl_io, [&](auto h) {
            as_kasio.async_describe_configs({config_resource{config_resource_type::topic, denied}}, h);
        });
        if (refused.first == broker_errc::topic_authorization_failed) break;
        pause(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(refused.second.size(), 1u);
    EXPECT_EQ(refused.second[0].error, broker_errc::topic_authorization_failed) << refused.second[0].message;
    EXPECT_FALSE(refused.second[0].message.empty());
    const json java_refused =
        only(run_peer("admin-describe-configs", as_kasio_user({"--type", "topic", "--name", denied})));
    EXPECT_EQ(error_name(refused.second[0].error), java_refused["error"].as_string());
    // Deleting a topic kasio may not touch: kasio's outcome is Java's (each on a topic of its own).
    const std::string denied2 = prefix + "-denied2";
    ASSERT_FALSE(create_known(topic_of(denied2, 1, 3)).error);
    const peer_result java_delete = run_peer("delete-topic", as_kasio_user({"--topic", denied2}));
    auto [dtec, kasio_delete] = call<std::vector<topic_outcome>>(
        sasl_io, [&](auto h) { as_kasio.async_delete_topics({denied}, h); });
    ASSERT_EQ(kasio_delete.size(), 1u);
    EXPECT_EQ(java_delete.status == 0, !kasio_delete[0].error)
        << "Java: " << java_delete.errors << " kasio: " << kasio_delete[0].error.message() << " " << kasio_delete[0].message;

    // Deleted: per filter, the ACLs removed, as Java removes them.
    acl_filter by_prefix;
    by_prefix.resource_type = acl_resource_type::topic;
    by_prefix.resource_name = prefix;
    by_prefix.pattern = acl_pattern_type::prefixed;
    acl_filter by_literal = by_prefix;
    by_literal.resource_name = denied;
    by_literal.pattern = acl_pattern_type::literal;
    auto [xec, deleted] = call<std::vector<deleted_acls>>(io, [&](auto h) { client.async_delete_acls({by_prefix, by_literal}, h); });
    ASSERT_FALSE(xec) << xec.message();
    ASSERT_EQ(deleted.size(), 2u);
    ASSERT_EQ(deleted[0].deleted.size(), 1u);
    EXPECT_EQ(deleted[0].deleted[0].acl, acls[0]);
    ASSERT_EQ(deleted[1].deleted.size(), 1u);
    EXPECT_EQ(deleted[1].deleted[0].acl, acls[1]);
    EXPECT_TRUE(only(peer_ok("admin-describe-acls", {"--filter", "any:any:any:User:kasio:any:any:any"}))["acls"].items.empty());
}

TEST_F(admin_fixture, elections_and_reassignments_agree_with_the_java_admin) {
    const std::string name = unique_topic("adminlead");
    new_topic t;
    t.name = name;
    t.replica_assignment = {{1, 2}, {2, 3}};
    ASSERT_FALSE(create_known(t).error);

    // The preferred leaders lead already: not needed, as Java says.
    auto [eec, elected] = call<std::vector<partition_outcome>>(io, [&](auto h) {
        client.async_elect_leaders(election_type::preferred, {{name, 0}, {name, 1}}, h);
    });
    ASSERT_EQ(elected.size(), 2u);
    const peer_result java = peer_ok("admin-elect-leaders", {"--type", "preferred", "--partitions", name + ":0," + name + ":1"});
    ASSERT_EQ(java.lines.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(error_name(elected[i].error), java.lines[i]["error"].as_string());
        EXPECT_EQ(elected[i].message, java.lines[i]["message"].as_string());
    }

    // Move partition 0 to brokers 3 and 1; it lands (polled), as Java describes it.
    auto [aec, moved] = call<std::vector<partition_outcome>>(io, [&](auto h) {
        client.async_alter_partition_reassignments({reassignment_target{{name, 0}, std::vector<std::int32_t>{3, 1}}}, h);
    });
    ASSERT_FALSE(aec) << moved[0].message;
    std::vector<std::int32_t> replicas;
    for (int attempt = 0; attempt < 300 && replicas != std::vector<std::int32_t>{3, 1}; ++attempt) {
        auto [ec, listed] = call<std::vector<partition_reassignment>>(
            io, [&](auto h) { client.async_list_partition_reassignments({{name, 0}}, h); });
        ASSERT_FALSE(ec) << ec.message();
        if (listed.empty()) {
            auto [dec, d] = call<std::vector<topic_description>>(io, [&](auto h) { client.async_describe_topics({name}, h); });
            if (!dec) replicas = d[0].partitions[0].replicas;
        }
        if (replicas != std::vector<std::int32_t>{3, 1}) pause(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(replicas, (std::vector<std::int32_t>{3, 1}));
    const json java_topic = only(peer_ok("admin-describe-topics", {"--topics", name}));
    EXPECT_EQ(java_topic["partitions"].items[0]["replicas"].items.size(), 2u);
    EXPECT_EQ(java_topic["partitions"].items[0]["replicas"].items[0].as_int(), 3);
    EXPECT_TRUE(only(peer_ok("admin-list-reassignments", {"--partitions", name + ":0"}))["reassignments"].items.empty());

    // Cancelling when nothing moves, and a broker that does not exist: refused per partition.
    auto [xec, refused] = call<std::vector<partition_outcome>>(io, [&](auto h) {
        client.async_alter_partition_reassignments({reassignment_target{{name, 1}, std::nullopt},
                                                    reassignment_target{{name, 0}, std::vector<std::int32_t>{1, 9}}}, h);
    });
    ASSERT_EQ(refused.size(), 2u);
    EXPECT_EQ(refused[0].error, broker_errc::no_reassignment_in_progress) << refused[0].message;
    EXPECT_TRUE(refused[1].error) << "broker 9 does not exist";
    EXPECT_FALSE(refused[1].message.empty());
}

TEST_F(admin_fixture, log_dirs_and_producers_agree_with_the_java_admin) {
    const std::string name = unique_topic("adminprod");
    ASSERT_FALSE(create_known(topic_of(name, 2, 3)).error);
    producer_config pcfg;
    pcfg.bootstrap_servers = {cluster().bootstrap};
    auto records = interop_records(20, false);
    ASSERT_EQ(kasio_produce(pcfg, name, records), "");

    auto [pec, producers] = call<std::vector<partition_producers>>(
        io, [&](auto h) { client.async_describe_producers({{name, 0}, {name, 1}}, h); });
    ASSERT_FALSE(pec) << producers[0].message;
    const peer_result java = peer_ok("admin-describe-producers", {"--topic", name});
    ASSERT_EQ(java.lines.size(), 2u);
    for (std::size_t p = 0; p < 2; ++p) {
        const json& j = java.lines[p];
        ASSERT_EQ(producers[p].producers.size(), j["producers"].items.size()) << "partition " << p;
        for (std::size_t k = 0; k < producers[p].producers.size(); ++k) {
            const producer_state& s = producers[p].producers[k];
            const json& js = j["producers"].items[k];
            EXPECT_EQ(s.producer_id, js["producer_id"].as_int());
            EXPECT_EQ(s.producer_epoch, js["producer_epoch"].as_int());
            EXPECT_EQ(s.last_sequence, js["last_sequence"].as_int());
            EXPECT_EQ(s.coordinator_epoch < 0, js["coordinator_epoch"].is_null()) << "not transactional";
            EXPECT_FALSE(s.current_transaction_start_offset.has_value());
        }
    }

    auto [lec, dirs] = call<std::vector<log_dir_description>>(io, [&](auto h) { client.async_describe_log_dirs({}, h); });
    ASSERT_FALSE(lec) << lec.message();
    const peer_result java_dirs = peer_ok("admin-describe-log-dirs", {"--topics", name});
    std::set<std::string> kasio_seen, java_seen;
    for (const auto& d : dirs)
        for (const auto& r : d.replicas)
            if (r.partition.topic == name)
                kasio_seen.insert(std::to_string(d.broker) + ":" + d.path + ":" + std::to_string(r.partition.partition));
    for (const json& b : java_dirs.lines)
        for (const json& d : b["dirs"].items)
            for (const json& r : d["partitions"].items)
                java_seen.insert(std::to_string(b["broker"].as_int()) + ":" + d["path"].as_string() + ":" +
                                 std::to_string(r["partition"].as_int()));
    EXPECT_EQ(kasio_seen.size(), 6u) << "2 partitions x 3 replicas";
    EXPECT_EQ(kasio_seen, java_seen);
}

TEST_F(admin_fixture, transactions_are_listed_and_described_as_the_java_admin_sees_them) {
    const std::string name = unique_topic("admintxn");
    const std::string id = name + "-tid";
    ASSERT_FALSE(create_known(topic_of(name, 1, 3)).error);
    peer_ok("produce-txn", {"--topic", name, "--transactional-id", id, "--count", "10", "--per-txn", "5"});

    auto [lec, listed] = call<std::vector<transaction_listing>>(io, [&](auto h) { client.async_list_transactions({}, h); });
    ASSERT_FALSE(lec) << lec.message();
    std::map<std::string, json> java_listed;
    for (const json& l : peer_ok("admin-list-transactions", {}).lines) java_listed[l["transactional_id"].as_string()] = l;
    EXPECT_EQ(listed.size(), java_listed.size());
    const auto ours = std::find_if(listed.begin(), listed.end(), [&](const auto& t) { return t.transactional_id == id; });
    ASSERT_NE(ours, listed.end());
    EXPECT_EQ(ours->producer_id, java_listed[id]["producer_id"].as_int());

    auto [dec, described] = call<std::vector<transaction_description>>(
        io, [&](auto h) { client.async_describe_transactions({id, name + "-no-such-tid"}, h); });
    ASSERT_EQ(described.size(), 2u);
    const json java = only(peer_ok("admin-describe-transactions", {"--ids", id}));
    const transaction_description& d = described[0];
    ASSERT_FALSE(d.error) << d.message;
    EXPECT_EQ(d.producer_id, java["producer_id"].as_int());
    EXPECT_EQ(d.producer_epoch, java["producer_epoch"].as_int());
    EXPECT_EQ(d.coordinator, java["coordinator"].as_int());
    EXPECT_EQ(d.timeout_ms, java["timeout_ms"].as_int());
    std::string state = java["state"].as_string();  // Java's enum name, e.g. complete_commit
    state.erase(std::remove(state.begin(), state.end(), '_'), state.end());
    std::string ours_state = d.state;
    std::transform(ours_state.begin(), ours_state.end(), ours_state.begin(), [](unsigned char c) { return std::tolower(c); });
    EXPECT_EQ(ours_state, state);
    const json java_missing = only(peer_ok("admin-describe-transactions", {"--ids", name + "-no-such-tid"}));
    EXPECT_EQ(error_name(described[1].error), java_missing["error"].as_string()) << described[1].message;
}

TEST_F(admin_fixture, a_scram_user_made_by_kasio_authenticates_and_java_sees_it) {
    const std::string user = unique_topic("adminscram");
    // The broker takes one change per user per request: one call per mechanism.
    for (const scram_upsertion& u : {scram_upsertion{user, scram_mechanism::sha_256, 4096, "pw-256", ""},
                                     scram_upsertion{user, scram_mechanism::sha_512, 8192, "pw-512", ""}}) {
        auto [aec, altered] = call<std::vector<user_outcome>>(
            io, [&](auto h) { client.async_alter_user_scram_credentials({u}, {}, h); });
        ASSERT_EQ(altered.size(), 1u);
        ASSERT_FALSE(aec) << altered[0].message;
    }
    auto [twice_ec, twice] = call<std::vector<user_outcome>>(io, [&](auto h) {
        client.async_alter_user_scram_credentials({}, {scram_deletion{user, scram_mechanism::sha_256},
                                                       scram_deletion{user, scram_mechanism::sha_512}}, h);
    });
    ASSERT_EQ(twice.size(), 1u) << "one item per user";
    EXPECT_EQ(twice_ec, broker_errc::duplicate_resource) << twice[0].message;
    EXPECT_NE(twice[0].message.find("twice"), std::string::npos) << twice[0].message;

    auto [dec, described] = call<std::vector<user_scram_description>>(
        io, [&](auto h) { client.async_describe_user_scram_credentials({user}, h); });
    ASSERT_FALSE(dec) << dec.message();
    ASSERT_EQ(described.size(), 1u);
    ASSERT_EQ(described[0].credentials.size(), 2u);
    EXPECT_EQ(described[0].credentials[0].iterations, 4096);
    EXPECT_EQ(described[0].credentials[1].iterations, 8192);
    const json java = only(peer_ok("admin-describe-scram", {"--users", user}));
    ASSERT_EQ(java["credentials"].items.size(), 2u);
    EXPECT_EQ(java["credentials"].items[0]["mechanism"].as_string(), "SCRAM-SHA-256");
    EXPECT_EQ(java["credentials"].items[1]["iterations"].as_int(), 8192);

    // The salted password kasio computed is what the broker checks: a producer logs in with it
    // (the credential reaches the brokers through the metadata log: retried until it does).
    const std::string topic = unique_topic("adminscram-t");
    ASSERT_FALSE(create_known(topic_of(topic, 1, 3)).error);
    std::string failure = "not tried";
    for (int attempt = 0; attempt < 50 && !failure.empty(); ++attempt) {
        producer_config pcfg;
        pcfg.bootstrap_servers = {cluster().sasl_bootstrap};
        pcfg.connection.security = security_protocol::sasl_plaintext;
        pcfg.connection.sasl = sasl_mechanism::scram_sha_512;
        pcfg.connection.sasl_username = user;
        pcfg.connection.sasl_password = "pw-512";
        pcfg.max_block = std::chrono::milliseconds(3000);
        std::vector<owned_record> one(1);
        one[0].value = "scram";
        failure = kasio_produce(pcfg, topic, one);
        if (!failure.empty()) pause(std::chrono::milliseconds(200));
    }
    EXPECT_EQ(failure, "") << "SCRAM-SHA-512 login with kasio's credential";

    // Deleted; then neither sees a credential, and both say why alike.
    for (scram_mechanism m : {scram_mechanism::sha_256, scram_mechanism::sha_512}) {
        auto [xec, removed] = call<std::vector<user_outcome>>(
            io, [&](auto h) { client.async_alter_user_scram_credentials({}, {scram_deletion{user, m}}, h); });
        ASSERT_FALSE(xec) << removed[0].message;
    }
    std::pair<error_code, std::vector<user_scram_description>> described_gone;
    for (int attempt = 0; attempt < 100; ++attempt) {  // the deletion reaches every broker shortly
        described_gone = call<std::vector<user_scram_description>>(
            io, [&](auto h) { client.async_describe_user_scram_credentials({user}, h); });
        if (described_gone.first) break;
        pause(std::chrono::milliseconds(100));
    }
    const auto& gone = described_gone.second;
    ASSERT_EQ(gone.size(), 1u);
    const json java_gone = only(run_peer("admin-describe-scram", {"--users", user}));
    EXPECT_EQ(error_name(gone[0].error), java_gone["error"].as_string()) << gone[0].message;
}

}  // namespace
}  // namespace kasio::test::kafka

// The real Apache Kafka cluster the `kafka`-labelled tests share (started by the ctest fixture
// kafka_cluster, tests/support/kafka/cluster.sh) and the Java reference peer they check kasio
// against (tests/support/kafka/peer).
#pragma once

#include "json_line.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kasio::test::kafka {

/// Addresses of the running cluster, read from $KASIO_KAFKA_DIR/cluster.env.
struct cluster_info {
    std::string dir;
    std::string bootstrap;             ///< PLAINTEXT
    std::string sasl_bootstrap;        ///< SASL_PLAINTEXT
    std::string ssl_bootstrap;         ///< SSL (host "localhost")
    std::string sasl_ssl_bootstrap;    ///< SASL_SSL (host "localhost")
    std::string ca_file;               ///< PEM CA that signed the brokers' certificates
    std::string peer_classpath;
    int reauth_ms = 0;                 ///< the SASL listeners' connections.max.reauth.ms
};

/// The cluster; throws std::runtime_error when KASIO_KAFKA_DIR is unset or the cluster is not
/// ready (the fixture failed), so a test fails rather than skips.
const cluster_info& cluster();

/// What one peer run printed: its exit status, stdout split into parsed JSON lines, stderr.
struct peer_result {
    int status = -1;
    std::vector<json> lines;
    std::string errors;
    std::size_t unparsed = 0;  ///< stdout lines that were not JSON
};

/// Runs the Java peer: `command args... --bootstrap <PLAINTEXT listeners>` with `input` on its
/// standard input. Waits for it to exit (every peer command has its own timeout).
peer_result run_peer(std::string_view command, const std::vector<std::string>& args, std::string_view input = {});

/// As run_peer, and fails the current test (ADD_FAILURE) with the peer's stderr unless it exited 0.
peer_result peer_ok(std::string_view command, const std::vector<std::string>& args, std::string_view input = {});

/// A topic name no earlier test or run used: prefix + time + counter.
std::string unique_topic(std::string_view prefix);

/// Creates a topic (replication 3 unless said) with kasio's admin client and waits until every
/// broker knows it and every partition has a leader; configs are "name=value".
void create_topic(const std::string& topic, int partitions, int replication = 3,
                  const std::vector<std::string>& configs = {});

/// Partition -> leader broker id, from the peer's describe-topic.
std::vector<std::int32_t> leaders_of(const std::string& topic);

/// cluster.sh DIR <action> <broker>: kill, pause, resume, stop-broker, start-broker.
void broker_action(std::string_view action, int broker);

/// Brings every broker back (resume, start) when a fault test ends, however it ends, so the
/// next test meets a whole cluster.
class cluster_restorer {
public:
    cluster_restorer() = default;
    ~cluster_restorer();
    cluster_restorer(const cluster_restorer&) = delete;
    cluster_restorer& operator=(const cluster_restorer&) = delete;
};

/// Runs a shell command line; its exit status.
int run_shell(const std::string& command_line);

/// Quotes a word for /bin/sh.
std::string shell_quote(std::string_view word);

}  // namespace kasio::test::kafka

// kasio and the Java client (kafka-clients 4.4) against a real Kafka 4.4 cluster: each reads
// what the other writes, for every codec, with keys, headers, timestamps, null keys and values
// and a 900 KiB record; keyed records land on the partition the Java client picks.
#include "kafka_cluster.hpp"
#include "kasio_clients.hpp"

#include <gtest/gtest.h>

#include <map>

namespace kasio::test::kafka {
namespace {

constexpr int partitions = 6;
constexpr std::size_t records_per_codec = 3000;

class interop : public ::testing::TestWithParam<const char*> {};

/// Compares what was read with what was written, by the "seq" header: every record once, the
/// same bytes, headers and timestamp, at the partition and offset the writer reported.
void expect_same_records(const std::vector<owned_record>& written, const std::vector<owned_record>& read) {
    EXPECT_EQ(read.size(), written.size());
    std::vector<int> seen(written.size(), 0);
    std::size_t reported = 0;
    for (const owned_record& r : read) {
        const auto i = seq_of(r);
        if (!i || *i >= written.size()) {
            ADD_FAILURE() << "a record without a valid seq header at partition " << r.partition.value_or(-1)
                          << " offset " << r.offset;
            continue;
        }
        if (seen[*i]++ != 0) {
            ADD_FAILURE() << "record " << *i << " read twice";
            continue;
        }
        const owned_record& w = written[*i];
        if (r.key != w.key || r.value != w.value || r.headers != w.headers || r.timestamp != w.timestamp ||
            r.log_append_time || r.partition != w.partition || r.offset != w.offset) {
            if (++reported <= 5)
                ADD_FAILURE() << "record " << *i << " differs: partition " << r.partition.value_or(-1) << "/"
                              << w.partition.value_or(-1) << ", offset " << r.offset << "/" << w.offset
                              << ", timestamp " << r.timestamp << "/" << w.timestamp << ", key "
                              << (r.key == w.key) << ", value " << (r.value == w.value) << " ("
                              << (r.value ? r.value->size() : 0) << " bytes), headers " << (r.headers == w.headers);
        }
    }
    std::map<std::int32_t, std::pair<int, int>> per_partition;  // missing, written
    for (std::size_t i = 0; i < seen.size(); ++i) {
        auto& [missing, total] = per_partition[written[i].partition.value_or(-1)];
        ++total;
        if (seen[i] != 0) continue;
        ++missing;
        if (++reported <= 10) ADD_FAILURE() << "record " << i << " (partition " << written[i].partition.value_or(-1)
                                             << ", offset " << written[i].offset << ") never read";
    }
    if (read.size() != written.size())
        for (const auto& [p, counts] : per_partition)
            std::cout << "partition " << p << ": " << counts.first << " of " << counts.second << " never read\n";
}

TEST_P(interop, kasio_writes_java_reads) {
    const std::string codec = GetParam();
    const std::string topic = unique_topic("interop-kasio-" + codec);
    create_topic(topic, partitions);
    auto records = interop_records(records_per_codec, true);

    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    ASSERT_FALSE(cfg.set("compression.type", codec));
    ASSERT_EQ(kasio_produce(cfg, topic, records), "");

    const peer_result read = peer_ok("consume", {"--topic", topic, "--until-end"});
    std::vector<owned_record> got;
    for (const json& line : read.lines) got.push_back(from_peer_line(line));
    expect_same_records(records, got);
}

TEST_P(interop, java_writes_kasio_reads) {
    const std::string codec = GetParam();
    const std::string topic = unique_topic("interop-java-" + codec);
    create_topic(topic, partitions);
    auto records = interop_records(records_per_codec, true);

    const peer_result sent = peer_ok("produce", {"--topic", topic, "--config", "compression.type=" + codec},
                                     to_peer_input(records));
    ASSERT_EQ(sent.lines.size(), records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        records[i].partition = static_cast<std::int32_t>(sent.lines[i]["partition"].as_int());
        records[i].offset = sent.lines[i]["offset"].as_int();
    }

    consumer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    expect_same_records(records, kasio_consume(cfg, topic, partitions, records.size()));
}

INSTANTIATE_TEST_SUITE_P(every_codec, interop, ::testing::Values("none", "gzip", "snappy", "lz4", "zstd"));

TEST(interop_partitioning, keyed_records_land_where_the_java_client_puts_them) {
    // 7 partitions: a count that is not a power of two catches a wrong modulus of the hash.
    constexpr int keyed_partitions = 7;
    const std::string kasio_topic = unique_topic("keys-kasio"), java_topic = unique_topic("keys-java");
    create_topic(kasio_topic, keyed_partitions);
    create_topic(java_topic, keyed_partitions);
    std::vector<owned_record> records(2000);
    for (std::size_t i = 0; i < records.size(); ++i) {
        // Keys of every length 0-40 and arbitrary bytes, so murmur2's tail handling is covered.
        std::string key;
        for (std::size_t k = 0; k < i % 41; ++k) key.push_back(static_cast<char>((i * 31 + k * 17) & 0xFF));
        records[i].key = key;
        records[i].value = "v";
        records[i].headers = {{"seq", std::to_string(i)}};
        records[i].timestamp = 1700000000000;
    }
    const peer_result java = peer_ok("produce", {"--topic", java_topic}, to_peer_input(records));
    ASSERT_EQ(java.lines.size(), records.size());

    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    ASSERT_EQ(kasio_produce(cfg, kasio_topic, records), "");
    std::size_t differ = 0;
    for (std::size_t i = 0; i < records.size(); ++i)
        if (records[i].partition != java.lines[i]["partition"].as_int() && ++differ <= 5)
            ADD_FAILURE() << "key #" << i << " (" << records[i].key->size() << " bytes): kasio partition "
                          << records[i].partition.value_or(-1) << ", Java " << java.lines[i]["partition"].as_int();
    EXPECT_EQ(differ, 0u);
}

}  // namespace
}  // namespace kasio::test::kafka

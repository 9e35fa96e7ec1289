// kasio's side of the tests against real Kafka: records with owned bytes, produced by a kasio
// producer or read back by a kasio consumer, and the same records as the Java peer's JSON lines.
#pragma once

#include "io_thread.hpp"
#include "json_line.hpp"

#include <boost/asio/io_context.hpp>

#include <kasio/consumer.hpp>
#include <kasio/producer.hpp>

#include <chrono>
#include <cstdint>
#include <future>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kasio::test::kafka {

/// Waits for an operation started with use_future and returns its error (use_future turns an
/// error_code into an exception).
error_code result_of(std::future<void> f);

/// With KASIO_TEST_DEBUG set, the client logs everything (debug=all) to stderr.
void debug_log(connection_config& c);

/// Runs io (on this thread) until f is ready or 30 s pass without any handler running.
template <class T>
bool run_until_ready(boost::asio::io_context& io, std::future<T>& f) {
    while (f.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        if (io.stopped()) io.restart();
        if (io.run_one_for(std::chrono::seconds(30)) == 0) break;
    }
    return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

/// A record with its own bytes, as produced or consumed.
struct owned_record {
    std::optional<std::int32_t> partition;  ///< to produce: explicit partition or the partitioner
    std::int64_t offset = -1;
    std::int64_t timestamp = -1;
    bool log_append_time = false;
    std::optional<std::string> key, value;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;

    friend bool operator==(const owned_record&, const owned_record&) = default;
};

/// Record i of the interop set: key "key-<i>" (null for every 50th + 7), value of 20-300 bytes
/// (null for every 50th + 13), headers seq=<i>, an empty one, a null one and a repeated name,
/// timestamp 1700000000000 + i. With `large`, the last record's value is 900 KiB.
std::vector<owned_record> interop_records(std::size_t n, bool large);

/// The "seq" header's number; nullopt when absent or not a number.
std::optional<std::size_t> seq_of(const owned_record& r);

/// Produces `records` with a kasio producer (cfg's bootstrap servers set by the caller) and
/// fills in each one's partition, offset and timestamp from its delivery. Returns the first
/// delivery error (empty when all were delivered).
std::string kasio_produce(producer_config cfg, const std::string& topic, std::vector<owned_record>& records);

/// Reads `count` records of `topic` (partitions 0..partitions-1, from the beginning) with a
/// kasio consumer; stops early after `timeout` (the caller compares the count).
std::vector<owned_record> kasio_consume(consumer_config cfg, const std::string& topic, int partitions,
                                        std::size_t count, std::chrono::seconds timeout = std::chrono::seconds(120));

/// The peer's `produce` input for these records (JSON lines, bytes in base64).
std::string to_peer_input(const std::vector<owned_record>& records);

/// A record from the peer's `consume` output line.
owned_record from_peer_line(const json& line);

}  // namespace kasio::test::kafka

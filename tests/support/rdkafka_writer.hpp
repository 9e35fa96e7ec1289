// A librdkafka producer for kasio's consumer tests: writes records whose content follows from
// their sequence number, so a consumer can check every field it reads. Test code only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kasio::test {

struct writer_options {
    std::string codec = "none";   ///< compression.codec: none, gzip, snappy, lz4, zstd
    int partitions = 1;           ///< record i goes to partition i % partitions
    std::size_t value_size = 100;
    bool keys = true;             ///< key "k<i>"; without: null keys
    bool headers = true;          ///< headers ("seq", "<i>") and ("null", null)
    std::int64_t base_timestamp = 1700000000000;  ///< record i: base_timestamp + i
    std::size_t first = 0;        ///< sequence number of the first record
    int linger_ms = 5;
    int batch_num_messages = 10000;  ///< records per produced batch at most
};

/// Produces `count` records to `topic` through librdkafka and waits for every delivery report.
/// Returns the number delivered without error (throws std::runtime_error on set-up failures).
std::size_t produce_records(const std::string& bootstrap, const std::string& topic, std::size_t count,
                            const writer_options& opts);

/// The key and value record i carries.
std::string expected_key(std::size_t i);
std::string expected_value(std::size_t i, std::size_t size);
/// The sequence number a key encodes (nullopt when it is not one of ours).
std::optional<std::size_t> parse_key(std::string_view key);

}  // namespace kasio::test

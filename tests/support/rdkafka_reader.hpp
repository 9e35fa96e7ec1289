// Reads back what a test produced with librdkafka as an independent consumer: every record of
// a topic's partitions, by assign() from the first offset up to the high watermark (no group,
// no commits). Test code only.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kasio::test {

/// One record as librdkafka decoded it; the views are valid during the callback only.
struct read_record {
    std::int32_t partition = -1;
    std::int64_t offset = -1;
    std::int64_t timestamp = -1;
    std::optional<std::string_view> key;
    std::optional<std::string_view> value;
    rd_kafka_headers_t* headers = nullptr;  ///< may be null (no headers)

    /// The first header named `name`, nullopt when absent (a null value reads as "").
    std::optional<std::string_view> header(const char* name) const;
};

/// Reads partitions [0, partitions) of `topic` from their low to their high watermark (taken
/// when the call starts) and calls `on_record` for each record, in offset order per partition.
/// Returns an empty string on success, else what went wrong (an error, or `timeout` passed
/// before every partition reached its high watermark).
std::string read_all(const std::string& bootstrap, const std::string& topic, std::int32_t partitions,
                     const std::function<void(const read_record&)>& on_record,
                     std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// The partition librdkafka's murmur2_random partitioner picks for a (non-null) key.
std::int32_t rdkafka_murmur2_partition(std::string_view key, std::int32_t partitions);

}  // namespace kasio::test

// What kasio-capture-frames writes into tests/data/golden: the records it produces, file
// names, the expected-records listings and the README. Test code only.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "frame_proxy.hpp"

namespace kasio::test {

struct golden_codec {
    const char* name;  // librdkafka's compression.codec value, also the file name suffix
};
inline constexpr std::array<golden_codec, 5> golden_codecs{
    {{"none"}, {"gzip"}, {"snappy"}, {"lz4"}, {"zstd"}}};

/// The topic the codec's records go to: "golden-<codec>".
std::string golden_topic(const golden_codec& codec);

struct golden_header {
    std::string key;
    std::optional<std::string> value;  // nullopt: null value
};

struct golden_record {
    int32_t offset_delta = 0;
    int64_t timestamp = 0;  // CreateTime, ms
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<golden_header> headers;
};

/// The fixed records every captured batch holds, in order (null and empty keys, values and
/// header values included).
const std::vector<golden_record>& golden_records();

/// record_batch_<codec>.txt: a comment header, then one line per record (format in README).
std::string golden_records_text(std::string_view codec, int16_t produce_version);

/// Kafka's name for the API in snake_case ("api_versions"), "api_<key>" if unknown.
std::string api_name(int16_t api_key);
/// "<api_key:02>_<api_name>_v<version>", the golden file name before _request/_response.bin.
std::string api_file_stem(int16_t api_key, int16_t version);

/// (topic, records field) of each partition in a Produce request frame (v3-v12, without the
/// length prefix). Empty if the frame does not parse.
std::vector<std::pair<std::string, std::span<const uint8_t>>> produce_records(
    const request_header& header, std::span<const uint8_t> frame);

struct golden_index {
    struct pair_entry {
        int16_t api_key;
        int16_t version;
        std::string stem;
        bool has_response;
    };
    struct batch_entry {
        std::string codec;
        int16_t produce_version;
    };
    struct rejected_entry {
        int16_t api_key;
        int16_t version;
        std::string reason;
    };
    std::vector<pair_entry> pairs;
    std::vector<batch_entry> batches;
    std::vector<rejected_entry> rejected;
};

/// tests/data/golden/README.md: origin, regeneration command, formats, file list.
std::string golden_readme(const golden_index& index);

}  // namespace kasio::test

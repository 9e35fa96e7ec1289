// libFuzzer target for the consumer protocol framing (src/consumer/group/consumer_protocol.cpp):
// JoinGroup metadata and SyncGroup assignment bytes, int16 version prefix included, any version.
//
// Input: byte 0 bit 0 picks the decoder (subscription / assignment); the rest is the bytes.
// Whatever decodes must re-encode (newest version) to bytes that decode to the same value.
#include "consumer/group/assignor.hpp"

#include <cstdlib>

using namespace kasio::consumer_detail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const kasio::bytes_view body(data + 1, size - 1);
    if (data[0] & 1) {
        std::vector<kasio::topic_partition> parts;
        if (decode_assignment(body, parts)) return 0;
        const std::string again = encode_assignment(parts, 3);
        std::vector<kasio::topic_partition> back;
        if (decode_assignment(kasio::bytes_of(again), back) || back != parts) std::abort();
        return 0;
    }
    member_subscription s;
    if (decode_subscription(body, s)) return 0;
    const std::string again = encode_subscription(s, 3);
    member_subscription back;
    if (decode_subscription(kasio::bytes_of(again), back)) std::abort();
    if (back.topics != s.topics || back.owned_partitions != s.owned_partitions || back.generation != s.generation ||
        back.rack_id != s.rack_id || back.user_data != s.user_data)
        std::abort();
    return 0;
}

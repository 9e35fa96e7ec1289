// ConsumerProtocolSubscription / ConsumerProtocolAssignment framing, as Java's ConsumerProtocol
// writes it: an int16 version, then the struct in that version (generated from
// src/protocol/schema/consumer_protocol_*.ks).
//
// Reading follows Java too: a version above the newest kasio knows is read as the newest known
// (Kafka only appends fields to these structs, so the known prefix parses), a negative version is
// an error, and bytes after the struct are ignored (they are the newer versions' extra fields).
#include "consumer/group/assignor_impl.hpp"

#include "protocol/messages/consumer_protocol_assignment.hpp"
#include "protocol/messages/consumer_protocol_subscription.hpp"

#include <algorithm>

namespace kasio::consumer_detail {
namespace {

namespace msg = protocol::msg;
using protocol::byte_buffer;

/// Reads the version prefix: the version to decode with, or an error.
error_code read_version(protocol::reader& r, std::int16_t max_known, std::int16_t& version) {
    const std::int16_t v = r.read_int16();
    if (!r.ok()) return r.error();
    if (v < 0) return make_error_code(client_errc::unsupported_version);
    version = std::min(v, max_known);
    return {};
}

/// Groups sorted partitions by topic, the wire form of both structs.
template <class Wire>
std::vector<Wire> by_topic(std::vector<topic_partition> partitions) {
    std::sort(partitions.begin(), partitions.end(), partition_less);
    std::vector<Wire> out;
    for (const topic_partition& tp : partitions) {
        if (out.empty() || out.back().topic != tp.topic) out.emplace_back().topic = tp.topic;
        out.back().partitions.push_back(tp.partition);
    }
    return out;
}

template <class Wire>
std::vector<topic_partition> flatten(const std::vector<Wire>& topics) {
    std::vector<topic_partition> out;
    for (const Wire& t : topics)
        for (std::int32_t p : t.partitions) out.push_back({t.topic, p});
    std::sort(out.begin(), out.end(), partition_less);
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

template <class Msg>
std::string encode_framed(const Msg& m, std::int16_t version) {
    version = std::clamp(version, Msg::min_version, Msg::max_version);
    byte_buffer buf;
    protocol::writer w(buf);
    w.write_int16(version);
    encode(w, m, version);
    return std::string(buf.begin(), buf.end());
}

}  // namespace

std::string encode_subscription(const member_subscription& s, std::int16_t version) {
    msg::consumer_protocol_subscription m;
    m.topics = s.topics;
    // Empty user data goes out as null, as the Java assignors without user data send it.
    if (!s.user_data.empty()) m.user_data = byte_buffer(s.user_data.begin(), s.user_data.end());
    m.owned_partitions = by_topic<msg::consumer_protocol_subscription::topic_partition>(s.owned_partitions);
    m.generation_id = s.generation;
    m.rack_id = s.rack_id;
    return encode_framed(m, version);
}

error_code decode_subscription(bytes_view bytes, member_subscription& out) {
    protocol::reader r(bytes);
    std::int16_t version = 0;
    if (error_code ec = read_version(r, msg::consumer_protocol_subscription::max_version, version)) return ec;
    msg::consumer_protocol_subscription m;
    if (error_code ec = decode(r, m, version)) return ec;
    std::sort(m.topics.begin(), m.topics.end());
    m.topics.erase(std::unique(m.topics.begin(), m.topics.end()), m.topics.end());
    out.topics = std::move(m.topics);
    out.owned_partitions = flatten(m.owned_partitions);
    out.generation = m.generation_id;
    out.rack_id = std::move(m.rack_id);
    out.user_data = m.user_data ? std::string(m.user_data->begin(), m.user_data->end()) : std::string();
    return {};
}

std::string encode_assignment(const std::vector<topic_partition>& partitions, std::int16_t version) {
    msg::consumer_protocol_assignment m;
    m.assigned_partitions = by_topic<msg::consumer_protocol_assignment::topic_partition>(partitions);
    return encode_framed(m, version);
}

error_code decode_assignment(bytes_view bytes, std::vector<topic_partition>& out) {
    protocol::reader r(bytes);
    std::int16_t version = 0;
    if (error_code ec = read_version(r, msg::consumer_protocol_assignment::max_version, version)) return ec;
    msg::consumer_protocol_assignment m;
    if (error_code ec = decode(r, m, version)) return ec;
    out = flatten(m.assigned_partitions);
    return {};
}

}  // namespace kasio::consumer_detail

// Error categories: client_errc (kasio's own conditions) and broker_errc (Kafka codes).
#include <kasio/error.hpp>
#include <kasio/broker_errc.hpp>

#include "protocol/broker_errors.hpp"

#include <string>

namespace kasio {
namespace {

// Boost's error_category has a protected non-virtual destructor by design (categories are
// never deleted through a base pointer): the warning does not apply.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"

class client_category_impl final : public error_category {
public:
    const char* name() const noexcept override { return "kasio.client"; }
    std::string message(int ev) const override {
        switch (static_cast<client_errc>(ev)) {
        case client_errc::ok: return "success";
        case client_errc::truncated: return "input ended before the value it announced";
        case client_errc::invalid_length: return "invalid length field";
        case client_errc::invalid_varint: return "varint longer than its type allows";
        case client_errc::invalid_value: return "value outside the range the protocol allows";
        case client_errc::crc_mismatch: return "CRC mismatch";
        case client_errc::unsupported_magic: return "unsupported record format (magic byte)";
        case client_errc::unsupported_version: return "unsupported message version";
        case client_errc::no_common_version: return "broker and client share no version of this API";
        case client_errc::unsupported_codec: return "unsupported compression codec";
        case client_errc::compression_failed: return "compression failed";
        case client_errc::decompression_failed: return "compressed data is corrupt or truncated";
        case client_errc::decompressed_size_limit: return "decompressed data exceeds the size limit";
        case client_errc::frame_too_large: return "response frame exceeds receive.message.max.bytes";
        case client_errc::correlation_id_mismatch: return "response with an unexpected correlation id";
        case client_errc::trailing_bytes: return "unexpected bytes after the end of a message";
        case client_errc::timed_out: return "timed out";
        case client_errc::connection_closed: return "connection closed";
        case client_errc::invalid_config: return "invalid configuration";
        case client_errc::tls_handshake_failed: return "TLS handshake failed";
        case client_errc::certificate_verify_failed: return "broker certificate verification failed";
        case client_errc::all_brokers_down: return "all brokers down: no broker could be reached";
        case client_errc::not_kafka_peer: return "the peer does not speak the Kafka protocol";
        case client_errc::buffer_exhausted: return "buffer.memory exhausted for max.block.ms";
        case client_errc::metadata_timeout: return "topic not present in metadata within max.block.ms";
        case client_errc::callback_failed: return "an application callback threw";
        case client_errc::internal_error: return "an exception stopped a kasio loop (see the error log)";
        case client_errc::incomplete_response: return "the broker's response left out an item of the request";
        case client_errc::invalid_partition: return "the topic has no such partition";
        case client_errc::queue_full: return "too many requests already wait for a connection to that broker";
        case client_errc::invalid_transaction_state: return "the call is not allowed in the producer's transaction state";
        case client_errc::transaction_aborted: return "the transaction was aborted before the record was sent";
        }
        return "unknown kasio client error " + std::to_string(ev);
    }
};

class broker_category_impl final : public error_category {
public:
    const char* name() const noexcept override { return "kafka"; }
    std::string message(int ev) const override {
        if (const auto* info = protocol::find_broker_error(ev))
            return std::string(info->name) + ": " + info->message;
        return "unknown Kafka error code " + std::to_string(ev);
    }
};

#pragma GCC diagnostic pop

}  // namespace

const error_category& client_category() noexcept {
    static const client_category_impl instance;
    return instance;
}

const error_category& broker_category() noexcept {
    static const broker_category_impl instance;
    return instance;
}

std::string error_context::describe(const error_code& ec) const {
    std::string out = ec ? ec.message() : std::string();
    if (!message.empty()) {
        if (!out.empty()) out += ": ";
        out += message;
    }
    std::string where;
    auto add = [&where](const std::string& part) {
        if (part.empty()) return;
        if (!where.empty()) where += ", ";
        where += part;
    };
    add(api);
    if (!broker.empty() || node_id >= 0) {
        std::string b = "broker";
        if (!broker.empty()) b += " " + broker;
        if (node_id >= 0) b += " id " + std::to_string(node_id);
        add(b);
    }
    if (!topic.empty()) add(partition >= 0 ? topic + "-" + std::to_string(partition) : "topic " + topic);
    if (!property.empty() && message.find(property) == std::string::npos) add("property " + property);
    if (!where.empty()) out += (out.empty() ? "(" : " (") + where + ")";
    return out;
}

bool is_retriable(const error_code& ec) noexcept {
    if (ec.category() == broker_category()) {
        const auto* info = protocol::find_broker_error(ec.value());
        return info != nullptr && info->retriable;
    }
    if (ec.category() == client_category()) {
        switch (static_cast<client_errc>(ec.value())) {
        case client_errc::timed_out:
        case client_errc::connection_closed:
        case client_errc::all_brokers_down:
        case client_errc::buffer_exhausted:
        case client_errc::metadata_timeout:
        case client_errc::queue_full: return true;
        default: return false;
        }
    }
    return false;
}

bool needs_metadata_refresh(const error_code& ec) noexcept {
    if (ec.category() != broker_category()) return false;
    const auto* info = protocol::find_broker_error(ec.value());
    return info != nullptr && info->metadata;
}

bool is_fatal(const error_code& ec) noexcept {
    if (ec.category() != broker_category()) return false;
    // The Java producer treats these as fatal: the instance must be closed (KIP-360, KIP-345).
    switch (static_cast<broker_errc>(ec.value())) {
    case broker_errc::cluster_authorization_failed:
    case broker_errc::transactional_id_authorization_failed:
    case broker_errc::fenced_instance_id:
    case broker_errc::producer_fenced: return true;
    default: return false;
    }
}

}  // namespace kasio

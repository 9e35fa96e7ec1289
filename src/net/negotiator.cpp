#include "net/negotiator.hpp"

#include "protocol/api_table.hpp"
#include "protocol/reader.hpp"

#include <kasio/broker_errc.hpp>
#include <kasio/version.hpp>

#include <algorithm>
#include <optional>

namespace kasio::net {
namespace {

using protocol::msg::api_versions_request;
using protocol::msg::api_versions_response;

constexpr std::int16_t api_versions_key = api_versions_request::api_key;

// Decodes the body at `version`. `exact`: every byte must be used (the v0 fallback layout has
// no tagged fields to absorb extra bytes).
error_code decode_body(protocol::bytes_view body, std::int16_t version, bool exact, api_versions_response& out) {
    out = {};
    protocol::reader r(body);
    if (auto ec = decode(r, out, version)) return ec;
    if (!r.ok()) return r.error();
    if (exact && r.remaining() != 0) return client_errc::trailing_bytes;
    return {};
}

// The ApiVersions range a broker sent with UNSUPPORTED_VERSION. KIP-511 says the body is v0
// whatever the request's version; librdkafka 2.14's mock cluster answers in a flexible layout
// with a malformed count instead, which parses as an empty list: kasio then asks at v0.
std::optional<api_range> fallback_range(protocol::bytes_view body, std::int16_t request_version) {
    api_versions_response resp;
    if (decode_body(body, 0, true, resp) && decode_body(body, request_version, false, resp)) return std::nullopt;
    for (const auto& k : resp.api_keys) {
        if (k.api_key == api_versions_key) return api_range{k.api_key, k.min_version, k.max_version};
    }
    return std::nullopt;
}

}  // namespace

version_table version_table::negotiate(std::span<const api_range> broker) {
    version_table t;
    for (const api_range& b : broker) {
        const auto* ours = protocol::find_api(b.api_key);
        if (ours == nullptr || b.api_key < 0) continue;
        const auto hi = std::min<std::int16_t>(ours->max_version, b.max_version);
        const auto lo = std::max<std::int16_t>(ours->min_version, b.min_version);
        const auto key = static_cast<std::size_t>(b.api_key);
        if (t.versions_.size() <= key) t.versions_.resize(key + 1, -1);
        t.versions_[key] = hi >= lo ? hi : std::int16_t{-1};
    }
    return t;
}

std::string negotiator::default_software_version() { return version_string; }

negotiator::negotiator(std::string software_name, std::string software_version)
    : version_(api_versions_request::max_version) {
    request_.client_software_name = std::move(software_name);
    request_.client_software_version = std::move(software_version);
}

negotiator::result negotiator::on_response(protocol::bytes_view body, error_code& ec) {
    // error_code is the first field in every version and in the fallback layout.
    protocol::reader head(body);
    const std::int16_t error = head.read_int16();
    if (!head.ok()) {
        ec = head.error();
        return result::failed;
    }
    if (error == static_cast<std::int16_t>(broker_errc::unsupported_version) && version_ > 0 && !retried_) {
        retried_ = true;
        std::int16_t next = 0;
        if (auto range = fallback_range(body, version_)) {
            const auto hi = std::min<std::int16_t>(api_versions_request::max_version, range->max_version);
            if (hi >= range->min_version && hi >= api_versions_request::min_version && hi < version_) next = hi;
        }
        version_ = next;
        return result::resend;
    }
    if (error != 0) {
        ec = make_error_code(static_cast<broker_errc>(error));
        return result::failed;
    }
    api_versions_response resp;
    // Trailing bytes are ignored here as in decode_response (connection.hpp).
    if ((ec = decode_body(body, version_, false, resp))) return result::failed;
    broker_.clear();
    broker_.reserve(resp.api_keys.size());
    for (const auto& k : resp.api_keys) broker_.push_back(api_range{k.api_key, k.min_version, k.max_version});
    versions_ = version_table::negotiate(broker_);
    return result::done;
}

}  // namespace kasio::net

#pragma once
// Sans-io ApiVersions negotiation: which version of each API to use with one broker.
//
// kasio first asks at the newest ApiVersions version it knows (v3, flexible, with
// client_software_name/version, KIP-511). A broker that does not know that version answers
// UNSUPPORTED_VERSION with a v0-format body listing its own ApiVersions range (Kafka >= 2.4;
// older brokers list nothing); kasio then asks again at min(v3, the broker's max), or at v0 when
// no usable range came back. The Java client (ApiVersionsResponse.parse) and franz-go
// (broker.go, doApiVersions) do the same.
//
// runs on: connection strand (no I/O, no shared state).
#include "protocol/messages.hpp"
#include "protocol/primitives.hpp"

#include <kasio/error.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace kasio::net {

/// One API's version range as a broker advertises it.
struct api_range {
    std::int16_t api_key = 0;
    std::int16_t min_version = 0;
    std::int16_t max_version = -1;
};

/// The version kasio uses for each API with one broker.
class version_table {
public:
    /// min(kasio max, broker max) when that is >= max(kasio min, broker min); -1 when there is
    /// no common version, or kasio or the broker does not know the API.
    std::int16_t version(std::int16_t api_key) const noexcept {
        if (api_key < 0 || static_cast<std::size_t>(api_key) >= versions_.size()) return -1;
        return versions_[static_cast<std::size_t>(api_key)];
    }

    /// Intersects the broker's ranges with kasio's own (the generated API table).
    static version_table negotiate(std::span<const api_range> broker);

private:
    std::vector<std::int16_t> versions_;  // indexed by api key
};

class negotiator {
public:
    enum class result {
        done,    ///< versions() is ready
        resend,  ///< send request() again, now at request_version()
        failed,  ///< the handshake failed with the error returned
    };

    explicit negotiator(std::string software_name = "kasio",
                        std::string software_version = default_software_version());

    /// The ApiVersions request to send next and its version.
    const protocol::msg::api_versions_request& request() const noexcept { return request_; }
    std::int16_t request_version() const noexcept { return version_; }

    /// Feeds the body of the response to the last request (its header already stripped; the
    /// ApiVersions response header is always v0, KIP-511).
    result on_response(protocol::bytes_view body, error_code& ec);

    /// After done: the negotiated versions and the broker's ranges as it advertised them.
    const version_table& versions() const noexcept { return versions_; }
    std::span<const api_range> broker_ranges() const noexcept { return broker_; }

    static std::string default_software_version();

private:
    protocol::msg::api_versions_request request_;
    std::int16_t version_;
    bool retried_ = false;
    std::vector<api_range> broker_;
    version_table versions_;
};

}  // namespace kasio::net

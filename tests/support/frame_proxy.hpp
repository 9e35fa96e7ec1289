// A loopback TCP proxy that splits Kafka traffic into frames and pairs each request with its
// response: how kasio-capture-frames (librdkafka) and kasio-capture-java-frames (Java client)
// record golden frames. Test code only.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <thread>

namespace kasio::test {

/// The fixed start of every request header (versions 0-2).
struct request_header {
    int16_t api_key = 0;
    int16_t api_version = 0;
    int32_t correlation_id = 0;
};

/// Edits a response in place before the client gets it (after the pair handler saw it
/// unchanged). The size is fixed: a rewrite can change values, not lengths, so the length prefix
/// stays valid. Used to lower the versions a broker advertises in ApiVersions.
using frame_proxy_response_rewriter =
    std::function<void(const request_header&, std::span<uint8_t> response)>;

// At namespace scope: a nested struct with member initialisers cannot be a default argument of
// its enclosing class's constructor (GCC).
struct frame_proxy_options {
    /// 0: an ephemeral port. Fixed when the broker must advertise the proxy before it runs.
    int listen_port = 0;
    /// When set, responses are forwarded whole, one frame at a time, once rewritten (without
    /// it, bytes are relayed as they arrive).
    frame_proxy_response_rewriter rewrite_response;
};

/// Listens on 127.0.0.1:<port()>; each accepted connection gets its own connection to the
/// upstream broker and bytes are relayed unchanged both ways (unless options::rewrite_response
/// edits responses). Frames (4-byte big-endian length
/// prefix) are split out of each direction; a response is matched to the request with the same
/// correlation id on the same connection. Requests never answered (acks=0 Produce, connection
/// closed first) are reported to on_request only.
///
/// Threads: one proxy thread, started by the constructor and joined by the destructor; all
/// handlers run on it. Frame spans exclude the length prefix and are valid during the call only.
class frame_proxy {
public:
    using request_handler =
        std::function<void(const request_header&, std::span<const uint8_t> request)>;
    using pair_handler = std::function<void(const request_header&, std::span<const uint8_t> request,
                                            std::span<const uint8_t> response)>;
    using response_rewriter = frame_proxy_response_rewriter;
    using options = frame_proxy_options;

    /// upstream: "host:port" (numeric or resolvable). Throws std::system_error if the listener
    /// cannot be set up.
    frame_proxy(const std::string& upstream, pair_handler on_pair, request_handler on_request = {},
                options opts = {});
    ~frame_proxy();
    frame_proxy(const frame_proxy&) = delete;
    frame_proxy& operator=(const frame_proxy&) = delete;

    [[nodiscard]] int port() const noexcept { return port_; }

private:
    void run();

    std::string upstream_host_;
    std::string upstream_port_;
    pair_handler on_pair_;
    request_handler on_request_;
    response_rewriter rewrite_response_;
    int listen_fd_ = -1;
    int wake_pipe_[2] = {-1, -1};
    int port_ = 0;
    std::thread thread_;
};

/// Big-endian reads for frame parsing; the caller checks the bounds.
inline int16_t read_be16(const uint8_t* p) {
    return static_cast<int16_t>(static_cast<uint16_t>((p[0] << 8) | p[1]));
}
inline int32_t read_be32(const uint8_t* p) {
    return static_cast<int32_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
                                (uint32_t{p[2]} << 8) | uint32_t{p[3]});
}

}  // namespace kasio::test

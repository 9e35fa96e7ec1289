#pragma once
// Sans-io request/response multiplexing for one broker connection.
//
// The multiplexer owns the frames of requests not yet written, assigns correlation ids, packs
// queued frames into one gather-write within the max.in.flight budget, cuts the incoming byte
// stream into frames and matches each response to the oldest request in flight (Kafka answers
// in order on a connection). It does no I/O and knows no clock: the connection feeds it bytes
// and the time a write finished, and acts on what it returns (Boost.Redis'
// detail/multiplexer.hpp plays the same role).
//
// runs on: connection strand (not thread-safe; one instance per connection).
#include "net/response_frame.hpp"
#include "protocol/primitives.hpp"

#include <kasio/error.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string_view>
#include <vector>

namespace kasio::net {

struct multiplexer_config {
    /// Requests written and not yet answered (max.in.flight.requests.per.connection).
    std::size_t max_in_flight = 5;
    /// Largest response frame accepted (receive.message.max.bytes); a larger length closes
    /// the connection before anything is allocated for it.
    std::size_t max_frame_size = 100000000;
    /// Bytes read per socket read into the staging buffer; a frame with more than this still
    /// missing is read straight into its own buffer.
    std::size_t read_chunk = 64 * 1024;
    /// The bytes read are already inside TLS: a TLS record header there is not a sign of a
    /// plaintext client talking to a TLS listener.
    bool tls = false;
};

/// What a frame's first four bytes say about a peer that does not speak Kafka: "HTTP" (an HTTP
/// server answering), a TLS record header (content type alert 0x15 or handshake 0x16, version
/// 0x03 0x00..0x04: a TLS listener, unless `inside_tls`); empty when they look like a length.
std::string_view foreign_protocol(std::span<const std::uint8_t, 4> head, bool inside_tls) noexcept;

/// What the multiplexer needs to know about a request besides its bytes.
struct request_info {
    std::int16_t api_key = 0;
    std::int16_t api_version = 0;
    std::int16_t response_header_version = 0;  ///< 0, or 1 (flexible: tagged fields)
    bool expects_response = true;              ///< false for Produce with acks=0
    /// Queued ahead of every ordinary request still queued, and written even while held
    /// (the connection's own SASL re-authentication, KIP-368).
    bool priority = false;
};

/// The end of one request: a response (ec clear) or the error that ended it.
struct completion {
    std::int32_t correlation_id = 0;
    error_code ec;
    response_frame frame;  ///< empty unless ec is clear and a response was expected
    std::chrono::steady_clock::time_point sent_at{};  ///< when its write started (if written)
};

class multiplexer {
public:
    using clock = std::chrono::steady_clock;

    explicit multiplexer(multiplexer_config cfg = {});

    /// Queues a request frame: a 4-byte size, then a request header (api_key, api_version,
    /// correlation_id, ...). Assigns the correlation id, writes it into the frame and returns
    /// it. Precondition: !is_closed(), frame.size() >= 12.
    std::int32_t enqueue(protocol::byte_buffer frame, request_info info);

    /// Forgets the waiter of a request. A request still queued is removed (it is never sent);
    /// one being written or in flight is abandoned (its id stays, its response is dropped)
    /// when abandon_written, else left alone (`written`).
    enum class cancel_result { not_found, removed, abandoned, written };
    cancel_result cancel(std::int32_t correlation_id, bool abandon_written = true);

    /// While held, only priority requests are written; ordinary ones stay queued, in order,
    /// until the hold ends. KIP-368 re-authentication needs this: the broker reads the frames
    /// after a SaslHandshake as the SASL exchange, so nothing else may go out in between.
    void hold(bool on) noexcept { held_ = on; }

    /// True when no write is in progress and a queued frame fits in the in-flight budget
    /// (and, while held, is a priority one).
    bool want_write() const noexcept;
    /// Starts one write at `now` of what fits in the in-flight budget and returns its buffers,
    /// which stay valid until commit_write(), whatever else happens meanwhile. Its requests are
    /// in flight from here on: with several threads a response may be read before the write's
    /// own completion runs. Precondition: want_write().
    std::span<const protocol::bytes_view> prepare_write(clock::time_point now);
    /// The write finished (or failed): its buffers are released. Requests in it that expect no
    /// response complete here (appended to done; failed ones already did in close()).
    void commit_write(std::vector<completion>& done);
    /// As above; the written frames' buffers are moved into `written` (to be reused) instead
    /// of freed.
    void commit_write(std::vector<completion>& done, std::vector<protocol::byte_buffer>& written);

    /// Where the next socket read should put its bytes (never empty while open).
    std::span<std::uint8_t> prepare_read();
    /// n bytes arrived in the span prepare_read() returned. Appends a completion per answered
    /// request (responses to abandoned requests are dropped). On a broken stream (bad length,
    /// frame_too_large, correlation_id_mismatch, bad header) it closes itself with that error,
    /// failing every request, and returns the error: the caller must close the socket.
    ///
    /// not_kafka_peer: the peer answered in another protocol (foreign_protocol() names it, see
    /// failure_detail()). Looked for only where no Kafka length can be meant: in the first frame
    /// of the connection (the ApiVersions answer, a few hundred bytes) and in a length above
    /// max_frame_size, which is refused anyway; any other frame is taken as Kafka.
    error_code commit_read(std::size_t n, std::vector<completion>& done);
    /// Why commit_read refused the stream, beyond its error code (which protocol the peer
    /// spoke, for not_kafka_peer); empty otherwise. Static text.
    std::string_view failure_detail() const noexcept { return failure_detail_; }

    /// Fails every queued and in-flight request with ec (abandoned ones are dropped) and
    /// refuses further use. Idempotent.
    void close(error_code ec, std::vector<completion>& done);
    bool is_closed() const noexcept { return closed_; }

    /// Requests written (or being written) and awaiting a response, abandoned ones included.
    std::size_t in_flight() const noexcept { return in_flight_.size(); }
    /// Requests not yet written.
    std::size_t queued() const noexcept { return queue_.size(); }
    /// Bytes the read side holds allocated now: the staging buffer and the frame being
    /// assembled (at most read_chunk + max_frame_size).
    std::size_t read_buffer_bytes() const noexcept { return staging_.capacity() + frame_.capacity(); }

private:
    struct entry {
        protocol::byte_buffer frame;  // moved to writing_frames_ when its write starts
        std::int32_t correlation_id = 0;
        request_info info;
        bool abandoned = false;
        clock::time_point sent_at{};
    };

    error_code parse_buffered(std::vector<completion>& done);
    error_code deliver(std::vector<completion>& done);
    error_code fail(error_code ec, std::vector<completion>& done);

    multiplexer_config cfg_;
    std::int32_t next_correlation_id_ = 0;
    bool closed_ = false;
    bool held_ = false;
    bool seen_frame_ = false;  // a response length has been read on this connection
    std::string_view failure_detail_;

    std::deque<entry> queue_;      // not yet written
    std::deque<entry> in_flight_;  // written or being written, expecting a response
    // The write in progress: its frames (owned here until commit_write, so nothing a response
    // or a close does can free bytes still being written), their buffers, and its requests
    // that expect no response.
    bool writing_ = false;
    std::vector<protocol::byte_buffer> writing_frames_;
    std::vector<protocol::bytes_view> write_buffers_;
    std::vector<entry> writing_unanswered_;

    // Read side: staging_[rpos_, rend_) is received but not yet parsed. A frame being
    // assembled lives in frame_ (frame_have_ of frame_.size() bytes filled).
    protocol::byte_buffer staging_;
    std::size_t rpos_ = 0;
    std::size_t rend_ = 0;
    bool in_frame_ = false;
    protocol::byte_buffer frame_;
    std::size_t frame_have_ = 0;
    bool direct_read_ = false;  // the last prepare_read() pointed into frame_
};

}  // namespace kasio::net

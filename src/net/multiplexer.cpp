#include "net/multiplexer.hpp"

#include "protocol/headers.hpp"
#include "protocol/reader.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>

namespace kasio::net {
namespace {

// Request headers of every version start with api_key (int16), api_version (int16) and
// correlation_id (int32); the frame starts with its 4-byte size.
constexpr std::size_t correlation_id_offset = 4 + 2 + 2;

// A response is at least its correlation id.
constexpr std::int32_t min_frame_size = 4;

}  // namespace

std::string_view foreign_protocol(std::span<const std::uint8_t, 4> head, bool inside_tls) noexcept {
    if (std::memcmp(head.data(), "HTTP", 4) == 0) return "the peer answered HTTP";
    // A TLS record: content type (21 alert, 22 handshake), then the protocol version 3.0 (SSL 3)
    // to 3.4; a TLS listener answers a plaintext ApiVersions request with an alert.
    const bool tls_record = (head[0] == 0x15 || head[0] == 0x16) && head[1] == 0x03 && head[2] <= 0x04;
    if (tls_record && !inside_tls) return "the peer answered with TLS: is the listener SSL? set security.protocol";
    return {};
}

multiplexer::multiplexer(multiplexer_config cfg) : cfg_(cfg) {
    assert(cfg_.max_in_flight > 0 && cfg_.read_chunk >= 4);
    staging_.resize(cfg_.read_chunk);
}

std::int32_t multiplexer::enqueue(protocol::byte_buffer frame, request_info info) {
    assert(!closed_ && frame.size() >= correlation_id_offset + 4);
    const std::int32_t id = next_correlation_id_;
    next_correlation_id_ =
        next_correlation_id_ == std::numeric_limits<std::int32_t>::max() ? 0 : next_correlation_id_ + 1;
    const std::uint32_t be = protocol::to_big_endian(static_cast<std::uint32_t>(id));
    std::memcpy(frame.data() + correlation_id_offset, &be, 4);
    // Priority requests keep their own order among themselves.
    auto at = queue_.end();
    if (info.priority)
        at = std::find_if(queue_.begin(), queue_.end(), [](const entry& e) { return !e.info.priority; });
    queue_.insert(at, entry{std::move(frame), id, info, false, {}});
    return id;
}

multiplexer::cancel_result multiplexer::cancel(std::int32_t correlation_id, bool abandon_written) {
    auto match = [correlation_id](const entry& e) { return e.correlation_id == correlation_id && !e.abandoned; };
    if (auto it = std::find_if(queue_.begin(), queue_.end(), match); it != queue_.end()) {
        queue_.erase(it);
        return cancel_result::removed;
    }
    entry* written = nullptr;
    if (auto it = std::find_if(in_flight_.begin(), in_flight_.end(), match); it != in_flight_.end())
        written = &*it;
    else if (auto w = std::find_if(writing_unanswered_.begin(), writing_unanswered_.end(), match);
             w != writing_unanswered_.end())
        written = &*w;
    if (written == nullptr) return cancel_result::not_found;
    if (!abandon_written) return cancel_result::written;
    // Its id stays: the broker will answer it, and the answer is dropped.
    written->abandoned = true;
    return cancel_result::abandoned;
}

bool multiplexer::want_write() const noexcept {
    return !closed_ && !writing_ && !queue_.empty() && in_flight_.size() < cfg_.max_in_flight &&
           (!held_ || queue_.front().info.priority);
}

std::span<const protocol::bytes_view> multiplexer::prepare_write(clock::time_point now) {
    assert(want_write());
    writing_ = true;
    const std::size_t budget = cfg_.max_in_flight - in_flight_.size();
    for (std::size_t n = 0; n < budget && !queue_.empty(); ++n) {
        if (held_ && !queue_.front().info.priority) break;
        entry e = std::move(queue_.front());
        queue_.pop_front();
        e.sent_at = now;
        writing_frames_.push_back(std::move(e.frame));
        e.frame = {};
        if (e.info.expects_response) in_flight_.push_back(std::move(e));
        else writing_unanswered_.push_back(std::move(e));
    }
    // Moving a vector keeps its heap buffer: these views stay valid until commit_write().
    for (const auto& f : writing_frames_) write_buffers_.emplace_back(f);
    return write_buffers_;
}

void multiplexer::commit_write(std::vector<completion>& done, std::vector<protocol::byte_buffer>& written) {
    for (auto& f : writing_frames_) written.push_back(std::move(f));
    commit_write(done);
}

void multiplexer::commit_write(std::vector<completion>& done) {
    for (entry& e : writing_unanswered_) {
        if (closed_ || e.abandoned) continue;
        response_frame f;
        f.header.correlation_id = e.correlation_id;
        f.api_key = e.info.api_key;
        f.api_version = e.info.api_version;
        done.push_back(completion{e.correlation_id, {}, std::move(f), e.sent_at});
    }
    writing_unanswered_.clear();
    write_buffers_.clear();
    writing_frames_.clear();
    writing_ = false;
}

std::span<std::uint8_t> multiplexer::prepare_read() {
    if (closed_) return {};
    // A large frame still missing at least a chunk is read straight into its own buffer: no
    // staging copy for big fetch responses.
    if (in_frame_ && rpos_ == rend_ && frame_.size() - frame_have_ >= cfg_.read_chunk) {
        direct_read_ = true;
        return std::span<std::uint8_t>(frame_).subspan(frame_have_);
    }
    direct_read_ = false;
    if (rpos_ > 0) {
        std::memmove(staging_.data(), staging_.data() + rpos_, rend_ - rpos_);
        rend_ -= rpos_;
        rpos_ = 0;
    }
    return std::span<std::uint8_t>(staging_).subspan(rend_);
}

error_code multiplexer::commit_read(std::size_t n, std::vector<completion>& done) {
    if (closed_) return client_errc::connection_closed;
    if (direct_read_) {
        frame_have_ += n;
        if (frame_have_ == frame_.size()) {
            if (auto ec = deliver(done)) return ec;
        }
        return {};
    }
    rend_ += n;
    return parse_buffered(done);
}

error_code multiplexer::parse_buffered(std::vector<completion>& done) {
    for (;;) {
        if (!in_frame_) {
            if (rend_ - rpos_ < 4) return {};
            const std::span<const std::uint8_t, 4> head(staging_.data() + rpos_, 4);
            std::uint32_t be;
            std::memcpy(&be, head.data(), 4);
            const auto size = static_cast<std::int32_t>(protocol::from_big_endian(be));
            rpos_ += 4;
            const bool first = !seen_frame_;
            seen_frame_ = true;
            // Where no Kafka length can be meant (see commit_read): a frame of any size within
            // the limit after the first is Kafka's, whatever its bytes.
            if (first || (size > 0 && static_cast<std::size_t>(size) > cfg_.max_frame_size)) {
                if (const auto why = foreign_protocol(head, cfg_.tls); !why.empty()) {
                    failure_detail_ = why;
                    return fail(client_errc::not_kafka_peer, done);
                }
            }
            if (size < min_frame_size) return fail(client_errc::invalid_length, done);
            // Checked before the buffer exists: a hostile length costs nothing.
            if (static_cast<std::size_t>(size) > cfg_.max_frame_size)
                return fail(client_errc::frame_too_large, done);
            frame_.resize(static_cast<std::size_t>(size));
            frame_have_ = 0;
            in_frame_ = true;
        }
        const std::size_t take = std::min(frame_.size() - frame_have_, rend_ - rpos_);
        std::memcpy(frame_.data() + frame_have_, staging_.data() + rpos_, take);
        frame_have_ += take;
        rpos_ += take;
        if (frame_have_ < frame_.size()) return {};
        if (auto ec = deliver(done)) return ec;
    }
}

error_code multiplexer::deliver(std::vector<completion>& done) {
    in_frame_ = false;
    response_frame f;
    f.data = std::move(frame_);
    frame_ = {};

    // Kafka answers in order: the response must be for the oldest request in flight.
    const auto id = protocol::peek_correlation_id(f.data);
    if (in_flight_.empty() || id != in_flight_.front().correlation_id)
        return fail(client_errc::correlation_id_mismatch, done);
    entry e = std::move(in_flight_.front());
    in_flight_.pop_front();

    protocol::reader r(f.data);
    if (auto ec = protocol::decode(r, f.header, e.info.response_header_version)) return fail(ec, done);
    if (e.abandoned) return {};
    f.api_key = e.info.api_key;
    f.api_version = e.info.api_version;
    f.body_offset = r.position();
    done.push_back(completion{e.correlation_id, {}, std::move(f), e.sent_at});
    return {};
}

error_code multiplexer::fail(error_code ec, std::vector<completion>& done) {
    close(ec, done);
    return ec;
}

void multiplexer::close(error_code ec, std::vector<completion>& done) {
    if (closed_) return;
    closed_ = true;
    for (auto* q : {&in_flight_, &queue_}) {
        for (entry& e : *q) {
            if (!e.abandoned) done.push_back(completion{e.correlation_id, ec, {}, e.sent_at});
        }
        q->clear();
    }
    for (entry& e : writing_unanswered_) {
        if (!e.abandoned) done.push_back(completion{e.correlation_id, ec, {}, e.sent_at});
        e.abandoned = true;
    }
    // writing_frames_, staging_ and frame_ stay allocated: a socket operation cancelled by the
    // close may still be using them until it returns.
    in_frame_ = false;
    rpos_ = rend_ = 0;
}

}  // namespace kasio::net

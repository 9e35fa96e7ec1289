// Records of one partition's fetched blob; see partition_reader.hpp.
#include "consumer/partition_reader.hpp"

#include "consumer/consumer_access.hpp"

#include "protocol/record_batch_wire.hpp"

#include <algorithm>
#include <limits>

namespace kasio::consumer_detail {

std::int64_t fetched_end_offset(bytes_view records, std::int64_t fetch_offset) noexcept {
    namespace v2 = protocol::batch_v2;
    std::int64_t end = -1;
    std::size_t at = 0;
    // Each entry: base_offset int64, length int32, ..., magic int8 at 16 (v2 and legacy alike).
    while (records.size() - at >= v2::magic_at + 1) {
        const std::uint8_t* p = records.data() + at;
        const auto length = protocol::detail::load_be<std::int32_t>(p + v2::length_at);
        if (length < protocol::legacy_overhead_v0) break;  // corrupt: poll's decoder reports it
        const std::size_t size = v2::log_overhead + static_cast<std::size_t>(length);
        if (records.size() - at < size) break;  // the partial tail a broker may cut
        constexpr auto max_offset = std::numeric_limits<std::int64_t>::max();
        std::int64_t last = protocol::detail::load_be<std::int64_t>(p + v2::base_offset_at);
        const auto magic = static_cast<std::int8_t>(p[v2::magic_at]);
        if (last < 0 || magic < 0 || magic > v2::magic) break;
        if (magic == v2::magic) {
            if (size < v2::header_size) break;
            const auto delta = protocol::detail::load_be<std::int32_t>(p + v2::last_offset_delta_at);
            if (delta < 0 || last > max_offset - delta) break;
            last += delta;
        }
        if (last == max_offset) break;
        end = last + 1;
        at += size;
    }
    return end > fetch_offset ? end : -1;
}

partition_reader::partition_reader(std::shared_ptr<const void> owner, bytes_view records, std::int64_t fetch_offset,
                                   protocol::decode_options opts, bool read_committed,
                                   std::vector<aborted_transaction> aborted)
    : owner_(std::move(owner)),
      decoder_(records, opts),
      scratch_(std::make_shared<protocol::byte_buffer>()),
      read_committed_(read_committed),
      next_offset_(fetch_offset),
      aborted_(std::move(aborted)) {
    std::sort(aborted_.begin(), aborted_.end(),
              [](const aborted_transaction& a, const aborted_transaction& b) { return a.first_offset < b.first_offset; });
}

bool partition_reader::batch_aborted() {
    const auto& h = decoder_.header();
    if (!read_committed_ || h.producer_id == protocol::no_producer_id) return false;
    // Producers whose aborted transaction began at or before this batch's end.
    while (aborted_next_ < aborted_.size() && aborted_[aborted_next_].first_offset <= h.last_offset())
        aborted_producers_.insert(aborted_[aborted_next_++].producer_id);
    if (h.is_control()) {
        // The abort marker ends the aborted transaction of its producer.
        protocol::record_view r;
        protocol::control_record c;
        if (decoder_.next_record(r) && !protocol::parse_control_record(r, c) && c.is_abort())
            aborted_producers_.erase(h.producer_id);
        return false;  // control batches are skipped anyway
    }
    return h.is_transactional() && aborted_producers_.contains(h.producer_id);
}

bool partition_reader::open_next_batch() {
    for (;;) {
        if (scratch_shared_) {
            // Records of the last compressed batch may still be viewed: decompress elsewhere.
            scratch_ = std::make_shared<protocol::byte_buffer>();
            scratch_shared_ = false;
        }
        if (!decoder_.next_batch(*scratch_)) {
            done_ = true;
            return false;
        }
        const auto& h = decoder_.header();
        if (h.last_offset() < next_offset_) continue;  // wholly before the fetch offset
        if (batch_aborted() || h.is_control()) {
            next_offset_ = h.last_offset() + 1;
            progressed_ = true;
            continue;
        }
        return true;
    }
}

std::size_t partition_reader::read(std::size_t max, std::string_view topic, std::int32_t partition,
                                   std::vector<consumer_record>& out,
                                   std::vector<std::shared_ptr<const void>>& owners) {
    std::size_t n = 0;
    owner_added_ = false;
    bool scratch_added = false;  // scratch_ is in owners for this call
    while (n < max && !done_) {
        if (!in_batch_) {
            if (!open_next_batch()) break;
            in_batch_ = true;
            scratch_added = false;
        }
        const auto& h = decoder_.header();
        const bool compressed = h.codec() != compression::codec::none && h.magic == protocol::batch_v2::magic;
        protocol::record_view r;
        bool any = false;
        while (n < max && decoder_.next_record(r)) {
            if (r.offset < next_offset_) continue;
            consumer_record& c = out.emplace_back();
            c.topic = topic;
            c.partition = partition;
            c.offset = r.offset;
            c.timestamp = r.timestamp;
            c.timestamp_type = h.magic == 0 ? timestamp_kind::none
                               : h.ts_type() == protocol::timestamp_type::log_append_time ? timestamp_kind::log_append_time
                                                                                         : timestamp_kind::create_time;
            c.key = r.key;
            c.value = r.value;
            c.headers = detail::consumer_access::headers(r.headers.raw(), static_cast<std::int32_t>(r.headers.size()));
            next_offset_ = r.offset + 1;
            ++n;
            any = true;
        }
        if (any) {
            progressed_ = true;
            // Legacy wrappers decompress into scratch too; v2 uncompressed records view the frame.
            if (compressed || h.magic < 2) {
                if (!scratch_added) owners.push_back(scratch_);
                scratch_added = true;
                scratch_shared_ = true;
            }
            if (!owner_added_) {
                owners.push_back(owner_);
                owner_added_ = true;
            }
        }
        if (decoder_.error()) {
            done_ = true;
            break;
        }
        if (n < max) {
            // The batch is exhausted: its last offset may lie beyond its last record (compaction).
            if (h.magic == protocol::batch_v2::magic) next_offset_ = std::max(next_offset_, h.last_offset() + 1);
            in_batch_ = false;
        }
    }
    return n;
}

}  // namespace kasio::consumer_detail

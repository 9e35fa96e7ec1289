// Record batch v2 encoding (DefaultRecordBatch.writeHeader, DefaultRecord.writeTo).
#include "protocol/record_batch_builder.hpp"

#include "protocol/crc32c.hpp"
#include "protocol/record_batch_wire.hpp"

#include <algorithm>
#include <limits>

namespace kasio::protocol {
namespace {

constexpr std::size_t max_field = static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());

std::size_t nullable_size(const std::optional<bytes_view>& b) noexcept {
    return b ? detail::varbytes_size(b->size()) : 1;
}

std::uint8_t* put_nullable(std::uint8_t* p, const std::optional<bytes_view>& b) noexcept {
    return b ? detail::put_varbytes(p, b->data(), b->size()) : detail::put_null_varbytes(p);
}

}  // namespace

void record_batch_builder::reset() {
    records_.clear();
    records_.resize(batch_v2::header_size);  // filled in by finish()
    compressed_.clear();
    count_ = 0;
    base_timestamp_ = max_timestamp_ = no_timestamp;
    finished_ = compressed_final_ = false;
}

bool record_batch_builder::append(std::int64_t timestamp, std::optional<bytes_view> key,
                                  std::optional<bytes_view> value, std::span<const record_header_view> headers) {
    if (finished_ || count_ == std::numeric_limits<std::int32_t>::max()) return false;
    if ((key && key->size() > max_field) || (value && value->size() > max_field) || headers.size() > max_field)
        return false;

    const std::int64_t base = count_ == 0 ? timestamp : base_timestamp_;
    const std::uint64_t timestamp_delta = zigzag64(detail::wrapping_sub(timestamp, base));
    const std::int32_t offset_delta = count_;

    // Sizes first, so the record is written once, straight into its final place.
    std::size_t body = 1 + uvarint_size(timestamp_delta) + varint_size(offset_delta) + nullable_size(key) +
                       nullable_size(value) + varint_size(static_cast<std::int32_t>(headers.size()));
    for (const record_header_view& h : headers) {
        if (h.key.size() > max_field || (h.value && h.value->size() > max_field)) return false;
        body += detail::varbytes_size(h.key.size()) + nullable_size(h.value);
    }
    if (body > max_field) return false;
    const std::size_t total = varint_size(static_cast<std::int32_t>(body)) + body;
    if (count_ != 0 && records_.size() + total > max_bytes_) return false;
    if (records_.size() + total - batch_v2::log_overhead > max_field) return false;  // batch_length

    const std::size_t at = records_.size();
    records_.resize(at + total);
    std::uint8_t* p = records_.data() + at;
    p = detail::put_uvarint(p, zigzag32(static_cast<std::int32_t>(body)));
    *p++ = 0;  // record attributes: unused
    p = detail::put_uvarint(p, timestamp_delta);
    p = detail::put_uvarint(p, zigzag32(offset_delta));
    p = put_nullable(p, key);
    p = put_nullable(p, value);
    p = detail::put_uvarint(p, zigzag32(static_cast<std::int32_t>(headers.size())));
    for (const record_header_view& h : headers) {
        p = detail::put_varbytes(p, reinterpret_cast<const std::uint8_t*>(h.key.data()), h.key.size());
        p = put_nullable(p, h.value);
    }

    if (count_ == 0) base_timestamp_ = max_timestamp_ = timestamp;
    else max_timestamp_ = std::max(max_timestamp_, timestamp);
    ++count_;
    return true;
}

bytes_view record_batch_builder::finish(compression::codec c, int level, error_code& ec) {
    ec = {};
    if (finished_ || count_ == 0) {
        ec = client_errc::invalid_value;
        return {};
    }
    auto attributes = static_cast<std::int16_t>(static_cast<std::uint8_t>(c) & batch_attributes::codec_mask);
    if (transactional_) attributes = static_cast<std::int16_t>(attributes | batch_attributes::transactional);

    compressed_final_ = false;
    if (c != compression::codec::none) {
        compressed_.clear();
        compressed_.resize(batch_v2::header_size);
        const bytes_view records = bytes_view(records_).subspan(batch_v2::header_size);
        if ((ec = compression::compress(c, records, compressed_, level))) return {};
        if (compressed_.size() - batch_v2::log_overhead > max_field) {  // a codec's framing overhead
            ec = client_errc::invalid_length;
            return {};
        }
        compressed_final_ = true;
    }
    const std::span<std::uint8_t> out = sealed();
    write_header(out, attributes);
    finished_ = true;
    return out;
}

void record_batch_builder::write_header(std::span<std::uint8_t> out, std::int16_t attributes) noexcept {
    std::uint8_t* h = out.data();
    // append() and finish() keep the batch length within int32.
    const auto length = static_cast<std::int32_t>(out.size() - batch_v2::log_overhead);
    detail::store_be<std::int64_t>(h + batch_v2::base_offset_at, 0);
    detail::store_be<std::int32_t>(h + batch_v2::length_at, length);
    detail::store_be<std::int32_t>(h + batch_v2::partition_leader_epoch_at, no_partition_leader_epoch);
    h[batch_v2::magic_at] = static_cast<std::uint8_t>(batch_v2::magic);
    detail::store_be<std::int16_t>(h + batch_v2::attributes_at, attributes);
    detail::store_be<std::int32_t>(h + batch_v2::last_offset_delta_at, count_ - 1);
    detail::store_be<std::int64_t>(h + batch_v2::base_timestamp_at, base_timestamp_);
    detail::store_be<std::int64_t>(h + batch_v2::max_timestamp_at, max_timestamp_);
    write_producer_state(h);
    detail::store_be<std::int32_t>(h + batch_v2::records_count_at, count_);
    seal_crc(out);
}

void record_batch_builder::write_producer_state(std::uint8_t* header) const noexcept {
    detail::store_be<std::int64_t>(header + batch_v2::producer_id_at, producer_id_);
    detail::store_be<std::int16_t>(header + batch_v2::producer_epoch_at, producer_epoch_);
    detail::store_be<std::int32_t>(header + batch_v2::base_sequence_at, base_sequence_);
}

void record_batch_builder::seal_crc(std::span<std::uint8_t> out) noexcept {
    const std::uint32_t crc = crc32c(0, bytes_view(out).subspan(batch_v2::attributes_at));
    detail::store_be<std::uint32_t>(out.data() + batch_v2::crc_at, crc);
}

void record_batch_builder::set_producer_state(std::int64_t producer_id, std::int16_t producer_epoch,
                                              std::int32_t base_sequence) noexcept {
    producer_id_ = producer_id;
    producer_epoch_ = producer_epoch;
    base_sequence_ = base_sequence;
    if (!finished_) return;
    const std::span<std::uint8_t> out = sealed();
    write_producer_state(out.data());
    seal_crc(out);
}

void record_batch_builder::set_transactional(bool transactional) noexcept {
    transactional_ = transactional;
    if (!finished_) return;
    const std::span<std::uint8_t> out = sealed();
    auto attributes = detail::load_be<std::int16_t>(out.data() + batch_v2::attributes_at);
    attributes = static_cast<std::int16_t>(transactional ? attributes | batch_attributes::transactional
                                                         : attributes & ~batch_attributes::transactional);
    detail::store_be<std::int16_t>(out.data() + batch_v2::attributes_at, attributes);
    seal_crc(out);
}

bytes_view record_batch_builder::batch() const noexcept {
    if (!finished_) return {};
    return compressed_final_ ? bytes_view(compressed_) : bytes_view(records_);
}

}  // namespace kasio::protocol

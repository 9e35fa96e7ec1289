// Records blob decoding: batch framing, v2 batches and records; legacy entries are handed to
// legacy_entry_reader. Checks follow Kafka's ByteBufferLogInputStream, DefaultRecordBatch
// and DefaultRecord, stricter where Java is lenient (a key or value length below -1).
#include "protocol/record_batch_decoder.hpp"

#include "compression/codec.hpp"
#include "protocol/crc32c.hpp"
#include "protocol/record_batch_wire.hpp"

namespace kasio::protocol {
namespace {

// The smallest record: length, attributes, timestamp delta, offset delta, key, value and
// header count, one byte each. A records_count that cannot fit fails before iterating.
constexpr std::size_t min_record_size = 7;
constexpr std::size_t magic_end = batch_v2::magic_at + 1;

}  // namespace

bool record_batch_decoder::next_batch(byte_buffer& scratch) {
    if (error_ || tail_) return false;
    records_left_ = 0;
    legacy_ = false;
    batch_ = {};
    const std::size_t left = input_.size() - next_;
    if (left == 0) return false;
    if (left < batch_v2::log_overhead) {
        tail_ = true;
        return false;
    }
    const std::uint8_t* p = input_.data() + next_;
    const auto length = detail::load_be<std::int32_t>(p + batch_v2::length_at);
    // Below the smallest legacy message, whatever the magic: corrupt (Kafka checks the same).
    if (length < legacy_overhead_v0) return fail(client_errc::invalid_length);
    if (left < magic_end) {
        tail_ = true;
        return false;
    }
    const auto magic = static_cast<std::int8_t>(p[batch_v2::magic_at]);
    if (magic < 0 || magic > batch_v2::magic) return fail(client_errc::unsupported_magic);
    if (magic == batch_v2::magic &&
        static_cast<std::size_t>(length) < batch_v2::header_size - batch_v2::log_overhead)
        return fail(client_errc::invalid_length);
    const std::size_t size = batch_v2::log_overhead + static_cast<std::size_t>(length);
    if (left < size) {
        tail_ = true;
        return false;
    }
    batch_ = input_.subspan(next_, size);
    next_ += size;

    if (magic == batch_v2::magic) return open_v2(scratch);
    legacy_ = true;
    if (auto ec = legacy_reader_.open(batch_, opts_, scratch, header_)) return fail(ec);
    return true;
}

bool record_batch_decoder::open_v2(byte_buffer& scratch) {
    reader h(batch_);
    header_.base_offset = h.read_int64();
    header_.batch_length = h.read_int32();
    header_.partition_leader_epoch = h.read_int32();
    header_.magic = h.read_int8();
    header_.crc = h.read_uint32();
    header_.attributes = h.read_int16();
    header_.last_offset_delta = h.read_int32();
    header_.base_timestamp = h.read_int64();
    header_.max_timestamp = h.read_int64();
    header_.producer_id = h.read_int64();
    header_.producer_epoch = h.read_int16();
    header_.base_sequence = h.read_int32();
    header_.records_count = h.read_int32();
    // next_batch() checked that the batch holds at least a header: these reads cannot fail.

    if (opts_.check_crcs && crc32c(0, batch_.subspan(batch_v2::attributes_at)) != header_.crc)
        return fail(client_errc::crc_mismatch);
    if (header_.records_count < 0) return fail(client_errc::invalid_length);
    // An empty batch (kept by compaction for its producer state) has no records to read,
    // whatever follows its header, as in DefaultRecordBatch.iterator().
    if (header_.records_count == 0) return true;

    bytes_view section = batch_.subspan(batch_v2::header_size);
    const compression::codec c = header_.codec();
    if (c != compression::codec::none) {
        if (c > compression::codec::zstd) return fail(client_errc::unsupported_codec);
        scratch.clear();
        if (auto ec = compression::decompress(c, section, scratch, opts_.max_decompressed_size)) return fail(ec);
        section = scratch;
    }
    if (static_cast<std::size_t>(header_.records_count) > section.size() / min_record_size)
        return fail(client_errc::truncated);
    records_ = reader(section);
    records_left_ = header_.records_count;
    return true;
}

bool record_batch_decoder::next_record(record_view& out) noexcept {
    if (error_ || batch_.empty()) return false;
    if (legacy_) return legacy_reader_.next_record(out);
    return next_v2_record(out);
}

bool record_batch_decoder::next_v2_record(record_view& out) noexcept {
    if (records_left_ == 0) return false;
    const std::int32_t length = records_.read_varint();
    if (!records_.ok()) return fail(records_.error());
    if (length < 0) return fail(client_errc::invalid_length);
    if (static_cast<std::size_t>(length) > records_.remaining()) return fail(client_errc::truncated);

    reader body(records_.read_raw(static_cast<std::size_t>(length)));
    body.read_int8();  // record attributes: unused since KIP-98
    const std::int64_t timestamp_delta = body.read_varlong();
    const std::int32_t offset_delta = body.read_varint();
    out.key = detail::read_varbytes(body);
    out.value = detail::read_varbytes(body);
    const std::int32_t header_count = body.read_varint();
    if (!body.ok()) {
        // The fields ran past the declared length: the length is what is wrong.
        return fail(body.error() == client_errc::truncated ? make_error_code(client_errc::invalid_length)
                                                           : body.error());
    }
    // Headers come last, so they must fill the rest of the record exactly.
    const bytes_view raw_headers = body.rest();
    if (auto ec = validate_record_headers(raw_headers, header_count)) return fail(ec);
    out.headers = headers_view::from_validated(raw_headers, header_count);

    out.offset = detail::wrapping_add(header_.base_offset, offset_delta);
    // LogAppendTime: the broker's time, stored once as the batch's max timestamp.
    out.timestamp = header_.ts_type() == timestamp_type::log_append_time
                        ? header_.max_timestamp
                        : detail::wrapping_add(header_.base_timestamp, timestamp_delta);
    if (--records_left_ == 0 && records_.remaining() != 0) return fail(client_errc::trailing_bytes);
    return true;
}

}  // namespace kasio::protocol

// Legacy (magic v0/v1) message decoding; follows Kafka's LegacyRecord and
// AbstractLegacyRecordBatch.DeepRecordsIterator.
#include "protocol/legacy_message_set.hpp"

#include "compression/codec.hpp"
#include "protocol/record_batch_wire.hpp"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace kasio::protocol {
namespace {

constexpr std::size_t entry_overhead = 12;  // offset int64 + message_size int32
constexpr std::size_t crc_covers_from = 16;  // the magic byte, right after the crc

// Reads the next entry of a wrapper's inner set; all of it must be there (the wrapper is
// complete, so a partial inner message is corruption, not a tail).
error_code next_inner_entry(reader& r, bool check_crc, legacy_message& m) noexcept {
    if (r.remaining() < entry_overhead) return client_errc::truncated;
    const bytes_view rest = r.rest();
    const auto size = detail::load_be<std::int32_t>(rest.data() + 8);
    if (size < legacy_overhead_v0) return client_errc::invalid_length;
    if (static_cast<std::size_t>(size) > rest.size() - entry_overhead) return client_errc::truncated;
    const bytes_view entry = r.read_raw(entry_overhead + static_cast<std::size_t>(size));
    return parse_legacy_message(entry, check_crc, m);
}

// The timestamp an inner record reports: a v1 wrapper with LogAppendTime stamps all of them.
std::int64_t inner_timestamp(const legacy_message& wrapper, const legacy_message& inner) noexcept {
    if (inner.magic == 0) return no_timestamp;
    return wrapper.log_append_time() ? wrapper.timestamp : inner.timestamp;
}

}  // namespace

error_code parse_legacy_message(bytes_view entry, bool check_crc, legacy_message& out) noexcept {
    reader r(entry);
    out.offset = r.read_int64();
    out.message_size = r.read_int32();
    if (!r.ok()) return r.error();
    if (out.message_size < legacy_overhead_v0 ||
        static_cast<std::size_t>(out.message_size) != entry.size() - entry_overhead)
        return client_errc::invalid_length;
    out.crc = r.read_uint32();
    out.magic = r.read_int8();
    out.attributes = r.read_int8();
    if (out.magic != 0 && out.magic != 1) return client_errc::unsupported_magic;
    if (out.magic == 1 && out.message_size < legacy_overhead_v1) return client_errc::invalid_length;
    if (check_crc) {
        const bytes_view covered = entry.subspan(crc_covers_from);
        const auto crc = static_cast<std::uint32_t>(::crc32_z(0, covered.data(), covered.size()));
        if (crc != out.crc) return client_errc::crc_mismatch;
    }
    out.timestamp = out.magic == 1 ? r.read_int64() : no_timestamp;
    out.key = r.read_nullable_bytes_view(false);
    out.value = r.read_nullable_bytes_view(false);
    if (!r.ok()) {
        // Within a complete message, a length running past its end contradicts message_size.
        return r.error() == client_errc::truncated ? make_error_code(client_errc::invalid_length) : r.error();
    }
    if (r.remaining() != 0) return client_errc::invalid_length;
    return {};
}

error_code legacy_entry_reader::open(bytes_view entry, const decode_options& opts, byte_buffer& scratch,
                                     record_batch_header& header) {
    plain_pending_ = false;
    inner_ = reader(bytes_view{});
    if (auto ec = parse_legacy_message(entry, opts.check_crcs, outer_)) return ec;

    header = record_batch_header{};
    header.batch_length = outer_.message_size;
    header.magic = outer_.magic;
    header.crc = outer_.crc;
    // Same bit positions as v2: codec 0-2, and LogAppendTime 3 (v1 only).
    header.attributes = static_cast<std::int16_t>(outer_.attributes & (outer_.magic == 0 ? 0x07 : 0x0f));

    const int codec_id = outer_.codec_id();
    if (codec_id == 0) {
        header.base_offset = outer_.offset;
        header.base_timestamp = header.max_timestamp = outer_.timestamp;
        header.records_count = 1;
        plain_pending_ = true;
        return {};
    }
    // zstd (4) needs magic v2 (KIP-110); 5-7 are not codecs.
    if (codec_id > static_cast<int>(compression::codec::lz4)) return client_errc::unsupported_codec;
    if (!outer_.value) return client_errc::invalid_value;

    scratch.clear();
    if (auto ec = compression::decompress(static_cast<compression::codec>(codec_id), *outer_.value, scratch,
                                          opts.max_decompressed_size))
        return ec;

    // First pass: check every inner message, find the first and last offsets and timestamps.
    reader r{bytes_view(scratch)};
    legacy_message m;
    std::int64_t count = 0, first_offset = 0, last_offset = 0;
    std::int64_t first_ts = no_timestamp, max_ts = no_timestamp;
    while (r.remaining() != 0) {
        if (auto ec = next_inner_entry(r, opts.check_crcs, m)) return ec;
        if (m.codec_id() != 0) return client_errc::invalid_value;  // nested compression
        const std::int64_t ts = inner_timestamp(outer_, m);
        if (count == 0) {
            first_offset = m.offset;
            first_ts = max_ts = ts;
        }
        last_offset = m.offset;
        max_ts = std::max(max_ts, ts);
        ++count;
    }
    if (count == 0) return client_errc::invalid_value;

    inner_base_ = 0;
    if (outer_.magic == 1 && outer_.offset != 0) {
        // A wrapper offset of 0 comes from some librdkafka producers: relative offsets stand.
        if (outer_.offset < last_offset) return client_errc::invalid_value;
        inner_base_ = outer_.offset - last_offset;  // both non-negative here: no overflow
    }
    std::int64_t base_offset = 0, last_delta = 0;
    if (__builtin_add_overflow(inner_base_, first_offset, &base_offset) ||
        __builtin_sub_overflow(outer_.offset, base_offset, &last_delta))
        return client_errc::invalid_value;
    // The entry's last offset is the wrapper's (Kafka's lastOffset()); base_offset is the first
    // inner record's, so the delta must be a valid int32 count.
    if (last_delta < 0 || last_delta > std::numeric_limits<std::int32_t>::max() ||
        count > std::numeric_limits<std::int32_t>::max())
        return client_errc::invalid_value;

    header.base_offset = base_offset;
    header.last_offset_delta = static_cast<std::int32_t>(last_delta);
    header.base_timestamp = first_ts;
    header.max_timestamp = max_ts;
    header.records_count = static_cast<std::int32_t>(count);
    inner_ = reader{bytes_view(scratch)};
    return {};
}

bool legacy_entry_reader::next_record(record_view& out) noexcept {
    if (plain_pending_) {
        plain_pending_ = false;
        out.offset = outer_.offset;
        out.timestamp = outer_.timestamp;
        out.key = outer_.key;
        out.value = outer_.value;
        out.headers = {};
        return true;
    }
    if (inner_.remaining() == 0) return false;
    legacy_message m;
    if (next_inner_entry(inner_, false, m)) {  // validated in open(): cannot fail
        inner_ = reader(bytes_view{});
        return false;
    }
    out.offset = detail::wrapping_add(inner_base_, m.offset);
    out.timestamp = inner_timestamp(outer_, m);
    out.key = m.key;
    out.value = m.value;
    out.headers = {};
    return true;
}

}  // namespace kasio::protocol

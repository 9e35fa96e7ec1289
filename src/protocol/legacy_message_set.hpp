#pragma once
// Legacy message sets (magic v0 and v1, before KIP-98): decoding only, for brokers or
// topics that still return the old format. Producers always write v2.
//
// Entry: offset int64 | message_size int32 | message, where message =
//   crc uint32 (CRC-32, zlib's, of magic..end) | magic int8 | attributes int8 (codec bits
//   0-2, v1: timestamp type bit 3) | timestamp int64 (v1 only) | key int32-length bytes
//   (-1 null) | value int32-length bytes (-1 null)
// A compressed entry ("wrapper") holds an inner message set in its value. Inner offsets are
// absolute in v0; in v1 they are relative (KIP-31): absolute = wrapper offset - last inner
// offset + inner offset.
#include "protocol/reader.hpp"
#include "protocol/record_batch.hpp"

#include <kasio/error.hpp>

#include <cstdint>
#include <optional>

namespace kasio::protocol {

/// Message sizes without key and value (LegacyRecord.RECORD_OVERHEAD_V0/V1), i.e. the
/// smallest valid message_size of each version.
inline constexpr std::int32_t legacy_overhead_v0 = 14;
inline constexpr std::int32_t legacy_overhead_v1 = 22;

/// One legacy message, as on the wire; key and value view the input.
struct legacy_message {
    std::int64_t offset = 0;
    std::int32_t message_size = 0;
    std::uint32_t crc = 0;
    std::int8_t magic = 0;
    std::int8_t attributes = 0;
    std::int64_t timestamp = no_timestamp;  ///< v1 only
    std::optional<bytes_view> key;
    std::optional<bytes_view> value;

    int codec_id() const noexcept { return attributes & 0x07; }
    bool log_append_time() const noexcept { return magic >= 1 && (attributes & 0x08) != 0; }
};

/// Parses one entry that fills `entry` exactly (offset, message_size = entry.size() - 12,
/// message). Checks the CRC when check_crc. Errors: unsupported_magic (magic not 0 or 1),
/// invalid_length (a size below the version's overhead, or key/value lengths that do not
/// fill the message exactly), crc_mismatch.
error_code parse_legacy_message(bytes_view entry, bool check_crc, legacy_message& out) noexcept;

/// The records of one legacy entry: the message itself, or each inner message of a
/// compressed wrapper (decompressed into the caller's buffer, one level deep).
class legacy_entry_reader {
public:
    /// Parses the entry and fills header as Kafka reports a legacy batch. A wrapper is
    /// decompressed into scratch (cleared first) and all its inner messages are checked
    /// before any is returned: v1 offsets need the last one. Errors: those of
    /// parse_legacy_message; unsupported_codec (zstd or an unknown codec in v0/v1);
    /// invalid_value (a null or empty wrapper, a compressed inner message, inconsistent
    /// offsets); truncated (a partial inner message); the codec's errors.
    error_code open(bytes_view entry, const decode_options& opts, byte_buffer& scratch,
                    record_batch_header& header);

    /// The next record of the entry opened last; false after the last one.
    bool next_record(record_view& out) noexcept;

private:
    legacy_message outer_;
    bool plain_pending_ = false;  // an uncompressed entry whose record is not returned yet
    reader inner_{bytes_view{}};  // the unread part of a wrapper's (validated) inner set
    std::int64_t inner_base_ = 0;  // added to inner offsets (v1 relative offsets)
};

}  // namespace kasio::protocol

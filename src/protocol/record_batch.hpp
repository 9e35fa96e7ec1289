#pragma once
// Record batches: the types the v2 encoder (record_batch_builder) and the decoder
// (record_batch_decoder, which also reads legacy v0/v1 message sets) share.
//
// Batch v2 layout (KIP-98; Kafka's DefaultRecordBatch), big-endian:
//   base_offset int64 | batch_length int32 (bytes after this field) | partition_leader_epoch int32
//   | magic int8 (2) | crc uint32 (CRC-32C of attributes..end) | attributes int16
//   | last_offset_delta int32 | base_timestamp int64 | max_timestamp int64 | producer_id int64
//   | producer_epoch int16 | base_sequence int32 | records_count int32 | records (compressed
//   as one block when the codec bits are set)
// Record: length varint | attributes int8 | timestamp_delta varlong | offset_delta varint
//   | key (varint length, -1 null) | value (varint length, -1 null) | header count varint
//   | headers (key: varint length + bytes, never null; value: varint length, -1 null)
#include "compression/codec.hpp"
#include "protocol/primitives.hpp"

#include <kasio/error.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

namespace kasio::protocol {

/// Byte offsets of the v2 batch header fields (DefaultRecordBatch's *_OFFSET constants).
namespace batch_v2 {
inline constexpr std::size_t base_offset_at = 0;
inline constexpr std::size_t length_at = 8;
inline constexpr std::size_t partition_leader_epoch_at = 12;
inline constexpr std::size_t magic_at = 16;
inline constexpr std::size_t crc_at = 17;
inline constexpr std::size_t attributes_at = 21;
inline constexpr std::size_t last_offset_delta_at = 23;
inline constexpr std::size_t base_timestamp_at = 27;
inline constexpr std::size_t max_timestamp_at = 35;
inline constexpr std::size_t producer_id_at = 43;
inline constexpr std::size_t producer_epoch_at = 51;
inline constexpr std::size_t base_sequence_at = 53;
inline constexpr std::size_t records_count_at = 57;
/// Size of the header; the records start here.
inline constexpr std::size_t header_size = 61;
/// base_offset + batch_length: the bytes that batch_length does not count (LOG_OVERHEAD).
inline constexpr std::size_t log_overhead = 12;
inline constexpr std::int8_t magic = 2;
}  // namespace batch_v2

/// Attribute bits of a v2 batch (a legacy message uses the same low four bits).
namespace batch_attributes {
inline constexpr std::int16_t codec_mask = 0x07;
inline constexpr std::int16_t log_append_time = 0x08;
inline constexpr std::int16_t transactional = 0x10;
inline constexpr std::int16_t control = 0x20;
inline constexpr std::int16_t delete_horizon = 0x40;  ///< KIP-534: base_timestamp is the delete horizon
}  // namespace batch_attributes

inline constexpr std::int64_t no_timestamp = -1;
inline constexpr std::int64_t no_producer_id = -1;
inline constexpr std::int16_t no_producer_epoch = -1;
inline constexpr std::int32_t no_sequence = -1;
inline constexpr std::int32_t no_partition_leader_epoch = -1;

enum class timestamp_type : std::uint8_t { create_time = 0, log_append_time = 1 };

/// A batch header as on the wire. For a legacy (v0/v1) entry the decoder fills it in the
/// way Kafka's AbstractLegacyRecordBatch reports one: magic 0/1, no producer, base_offset the
/// first record's offset and base_offset + last_offset_delta the entry's (wrapper's) offset.
struct record_batch_header {
    std::int64_t base_offset = 0;
    std::int32_t batch_length = 0;
    std::int32_t partition_leader_epoch = no_partition_leader_epoch;
    std::int8_t magic = batch_v2::magic;
    std::uint32_t crc = 0;
    std::int16_t attributes = 0;
    std::int32_t last_offset_delta = 0;
    std::int64_t base_timestamp = no_timestamp;  ///< FirstTimestamp in KIP-98
    std::int64_t max_timestamp = no_timestamp;
    std::int64_t producer_id = no_producer_id;
    std::int16_t producer_epoch = no_producer_epoch;
    std::int32_t base_sequence = no_sequence;
    std::int32_t records_count = 0;

    /// The codec bits; values above zstd are not valid codecs (the decoder rejects them).
    compression::codec codec() const noexcept {
        return static_cast<compression::codec>(attributes & batch_attributes::codec_mask);
    }
    timestamp_type ts_type() const noexcept {
        return (attributes & batch_attributes::log_append_time) != 0 ? timestamp_type::log_append_time
                                                                     : timestamp_type::create_time;
    }
    bool is_transactional() const noexcept { return (attributes & batch_attributes::transactional) != 0; }
    /// Control batches hold transaction markers (parse_control_record); consumers skip them.
    bool is_control() const noexcept { return (attributes & batch_attributes::control) != 0; }
    bool has_delete_horizon() const noexcept { return (attributes & batch_attributes::delete_horizon) != 0; }
    /// The offset after which the next batch starts (wrapping, so hostile input cannot overflow).
    std::int64_t last_offset() const noexcept {
        return static_cast<std::int64_t>(static_cast<std::uint64_t>(base_offset) +
                                         static_cast<std::uint64_t>(static_cast<std::int64_t>(last_offset_delta)));
    }
};

/// One record header; the views point into the batch (or decompression) buffer.
struct record_header_view {
    std::string_view key;
    std::optional<bytes_view> value;
};

/// The headers of one record: the validated wire bytes and their count, decoded while
/// iterating, so a record costs no allocation whether it has headers or not.
class headers_view {
public:
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = record_header_view;
        using difference_type = std::ptrdiff_t;
        using pointer = const record_header_view*;
        using reference = const record_header_view&;

        iterator() = default;
        reference operator*() const noexcept { return current_; }
        pointer operator->() const noexcept { return &current_; }
        iterator& operator++() noexcept {
            if (--left_ > 0) decode();
            return *this;
        }
        iterator operator++(int) noexcept {
            iterator old = *this;
            ++*this;
            return old;
        }
        /// Meaningful between iterators of the same headers_view.
        friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.left_ == b.left_; }

    private:
        friend class headers_view;
        iterator(bytes_view rest, std::int32_t left) noexcept : rest_(rest), left_(left) {
            if (left_ > 0) decode();
        }
        void decode() noexcept;

        bytes_view rest_;  // bytes after the current header
        std::int32_t left_ = 0;
        record_header_view current_;
    };
    using const_iterator = iterator;

    headers_view() = default;

    /// raw: the bytes after the header count, which must hold count well-formed headers
    /// and nothing else (validate_record_headers checks it; the decoder only builds valid ones).
    static headers_view from_validated(bytes_view raw, std::int32_t count) noexcept {
        headers_view h;
        h.raw_ = raw;
        h.count_ = count;
        return h;
    }

    iterator begin() const noexcept { return {raw_, count_}; }
    iterator end() const noexcept { return {}; }
    std::size_t size() const noexcept { return static_cast<std::size_t>(count_); }
    bool empty() const noexcept { return count_ == 0; }
    /// The headers' wire bytes (after the count), e.g. to copy a record as is.
    bytes_view raw() const noexcept { return raw_; }

private:
    bytes_view raw_;
    std::int32_t count_ = 0;
};

/// Checks that raw holds exactly count headers (keys non-null, lengths in range).
/// invalid_length when a length is negative (or -1 for a key), exceeds the bytes, or bytes
/// are left over; invalid_varint for an overlong varint.
error_code validate_record_headers(bytes_view raw, std::int32_t count) noexcept;

/// One record, any format. Views point into the records blob given to the decoder or into
/// the decompression buffer of the current batch: valid while both are alive and unchanged.
struct record_view {
    std::int64_t offset = 0;
    std::int64_t timestamp = no_timestamp;  ///< -1 for magic v0
    std::optional<bytes_view> key;
    std::optional<bytes_view> value;
    headers_view headers;  ///< always empty for v0/v1
};

/// Control record types (ControlRecordType); KRaft adds more (2 leader change, 3/4 snapshot
/// header/footer, 5 kraft version, 6 voters) which a consumer of user topics never sees.
enum class control_record_type : std::int16_t { abort = 0, commit = 1 };

/// The key of a record in a control batch: version int16, type int16 (the value holds a
/// version and the coordinator epoch for transaction markers; kasio does not need it).
struct control_record {
    std::int16_t version = 0;
    std::int16_t type = 0;
    bool is_abort() const noexcept { return type == static_cast<std::int16_t>(control_record_type::abort); }
    bool is_commit() const noexcept { return type == static_cast<std::int16_t>(control_record_type::commit); }
};

/// Parses a control record's key. invalid_value when the key is null, shorter than 4 bytes
/// or has a negative version (as ControlRecordType.parseTypeId); a newer version parses as v0.
error_code parse_control_record(const record_view& r, control_record& out) noexcept;

/// Decoder settings (consumer check.crcs; a bound on what one compressed batch may expand to).
struct decode_options {
    bool check_crcs = true;
    std::size_t max_decompressed_size = std::size_t{64} << 20;
};

}  // namespace kasio::protocol

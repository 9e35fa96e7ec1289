#pragma once
// Decoding of a records blob: the `records` field of a Fetch response partition, i.e.
// batches back to back, v2 or legacy v0/v1 (the magic byte sits at offset 16 in both), the
// last one possibly cut short by the broker's size limit.
#include "protocol/legacy_message_set.hpp"
#include "protocol/reader.hpp"
#include "protocol/record_batch.hpp"

#include <kasio/error.hpp>

namespace kasio::protocol {

/// Walks the batches of a records blob and the records of each, zero copy.
///
/// Usage:
/// ```
/// record_batch_decoder d(records, {.check_crcs = true});
/// while (d.next_batch(scratch)) {
///     if (d.header().is_control()) { /* parse_control_record on its records, or skip */ }
///     record_view r;
///     while (d.next_record(r)) deliver(r);
///     if (d.error()) break;
/// }
/// if (d.error()) fail(d.error());
/// else if (d.incomplete_tail() && d.position() == 0) { /* first batch bigger than the fetch */ }
/// ```
/// Errors are sticky: after the first one every call returns false. Views in headers and
/// records point into the blob, or for a compressed batch into `scratch`, which the next
/// next_batch() call overwrites (pass another buffer to keep several batches alive).
///
/// Errors (client_errc): truncated (a record or the records of a complete batch run short
/// of records_count), invalid_length (a batch length below the format's minimum, a negative
/// count or length other than -1 for a nullable field, a record whose fields do not fill
/// its declared length exactly), invalid_varint, trailing_bytes (bytes after the last
/// record), crc_mismatch, unsupported_magic, unsupported_codec, invalid_value (legacy
/// wrapper inconsistencies), and the codec's decompression_failed / decompressed_size_limit.
///
/// Not thread-safe; it allocates nothing itself (decompression grows `scratch`).
class record_batch_decoder {
public:
    explicit record_batch_decoder(bytes_view records, decode_options opts = {}) noexcept
        : input_(records), opts_(opts) {}

    /// Moves to the next complete batch (skipping the unread records of the current one),
    /// checks its CRC when asked and decompresses its records into scratch (cleared first)
    /// when compressed. Returns false at the end of the blob or on an error.
    bool next_batch(byte_buffer& scratch);

    /// The current batch's header (after next_batch() returned true).
    const record_batch_header& header() const noexcept { return header_; }
    /// The current batch's bytes as received.
    bytes_view batch_bytes() const noexcept { return batch_; }

    /// Decodes the next record of the current batch into out; false when none is left or
    /// on an error (see error()). No allocation.
    bool next_record(record_view& out) noexcept;

    /// The first error met; empty at a clean end.
    error_code error() const noexcept { return error_; }
    /// True when next_batch() stopped at a partial batch: normal for a Fetch response.
    bool incomplete_tail() const noexcept { return tail_; }
    /// Offset in the blob where the next unread batch (or the partial tail) starts.
    std::size_t position() const noexcept { return next_; }

private:
    bool fail(error_code ec) noexcept {
        error_ = ec;
        records_left_ = 0;
        return false;
    }
    bool open_v2(byte_buffer& scratch);
    bool next_v2_record(record_view& out) noexcept;

    bytes_view input_;
    decode_options opts_;
    std::size_t next_ = 0;
    bytes_view batch_;
    record_batch_header header_;
    error_code error_;
    bool tail_ = false;
    bool legacy_ = false;
    // v2: the unread records and how many the header still promises.
    reader records_{bytes_view{}};
    std::int32_t records_left_ = 0;
    legacy_entry_reader legacy_reader_;
};

}  // namespace kasio::protocol

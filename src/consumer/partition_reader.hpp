#pragma once
// Turns one partition's records blob from a Fetch response into consumer_records, sans-io.
//
// Zero copy: records view the response frame, or for a compressed batch a decompression buffer
// made for that batch and shared with every fetch_batch holding its records. Allocation happens
// per compressed batch, never per record.
//
// Skipped: records below the fetch offset (a broker returns whole batches, and librdkafka's mock
// the whole message set holding the offset), control batches (transaction markers), and under
// read_committed the batches of aborted transactions: a transactional batch whose producer has an
// aborted transaction starting at or before the batch's last offset, until that producer's abort
// marker (Java's CompletedFetch and KIP-98).
//
// runs on: the consumer's pool strand (poll), without the consumer's mutex: a response is
// taken out of the shared queue before it is read.
#include "protocol/record_batch_decoder.hpp"

#include <kasio/consumer.hpp>

#include <cstdint>
#include <memory>
#include <set>
#include <vector>

namespace kasio::consumer_detail {

/// KIP-98 aborted transaction as listed by a Fetch response (read_committed).
struct aborted_transaction {
    std::int64_t producer_id = 0;
    std::int64_t first_offset = 0;
};

/// Where a Fetch continuing after this records blob starts: the offset after its last complete
/// batch (a v2 batch's last offset, a legacy entry's own offset, which is its last record's),
/// read from the batch framing alone, without CRC checks or decompression (poll's reader does
/// those). -1 when that is not after fetch_offset: no complete batch (the first one is larger
/// than the fetch allowed), only batches before fetch_offset, or framing that poll will reject.
std::int64_t fetched_end_offset(bytes_view records, std::int64_t fetch_offset) noexcept;

class partition_reader {
public:
    /// records: views a buffer the caller keeps alive (`owner` is added to every batch handed out).
    /// aborted: the partition's aborted transactions (any order; ignored unless read_committed).
    partition_reader(std::shared_ptr<const void> owner, bytes_view records, std::int64_t fetch_offset,
                     protocol::decode_options opts, bool read_committed, std::vector<aborted_transaction> aborted);

    /// Appends up to max records to out (topic/partition as given), adding the buffers they view
    /// to owners. Returns how many were appended. Stops early on a decoding error (error()).
    std::size_t read(std::size_t max, std::string_view topic, std::int32_t partition, std::vector<consumer_record>& out,
                     std::vector<std::shared_ptr<const void>>& owners);

    /// True when every record has been read (or an error stopped the reader).
    bool done() const noexcept { return done_; }
    error_code error() const noexcept { return decoder_.error(); }
    /// The offset to fetch next: after the last record returned or batch skipped (the fetch
    /// offset before the first read).
    std::int64_t next_offset() const noexcept { return next_offset_; }
    /// True when nothing was returned and no batch completed although the blob was not empty:
    /// the first batch is larger than the fetch allowed (no progress possible at these limits).
    bool stuck() const noexcept { return done_ && !progressed_ && !decoder_.error() && decoder_.incomplete_tail(); }

private:
    bool open_next_batch();
    bool batch_aborted();

    std::shared_ptr<const void> owner_;
    protocol::record_batch_decoder decoder_;
    std::shared_ptr<protocol::byte_buffer> scratch_;
    bool scratch_shared_ = false;  // scratch_ holds records a fetch_batch may still view
    bool owner_added_ = false;     // owner_ is in the owners of the current read() call
    bool in_batch_ = false;
    bool done_ = false;
    bool progressed_ = false;
    bool read_committed_;
    std::int64_t next_offset_;
    std::vector<aborted_transaction> aborted_;  // sorted by first_offset, consumed from the front
    std::size_t aborted_next_ = 0;
    std::set<std::int64_t> aborted_producers_;
};

}  // namespace kasio::consumer_detail

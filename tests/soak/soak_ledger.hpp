// The soak test's bookkeeping: what happened to every record by its global sequence number, and
// the checks run at the end (the topic read back, memory samples). Sized once at the start, so
// the bookkeeping itself does not grow the resident memory the test watches.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace kasio::soak {

enum class sent_state : std::uint8_t { unsent, in_flight, acked, failed };

/// Record `seq` goes to partition seq % partitions, key: seq in decimal, value: value_of(seq).
/// So within a partition the send order is the order of the sequence numbers.
struct ledger {
    explicit ledger(std::size_t capacity);

    std::vector<sent_state> state;
    std::vector<std::uint8_t> processed;  // times a consumer was handed the record (saturates)
    std::uint64_t next = 0;               // sequence numbers [0, next) were sent
    std::uint64_t acked = 0;
    std::uint64_t failed = 0;
    std::uint64_t consumed = 0;   // records handed out by polls, re-deliveries included
    std::uint64_t bad_keys = 0;   // consumed records whose key is no sequence number we sent
    std::uint64_t misplaced = 0;  // deliveries reporting another partition than asked for
    std::string first_failure;

    [[nodiscard]] std::size_t capacity() const noexcept { return state.size(); }
    [[nodiscard]] std::uint64_t outstanding() const noexcept { return next - acked - failed; }
    /// Acknowledged records no consumer was handed yet (a scan; call it now and then).
    [[nodiscard]] std::uint64_t unprocessed() const noexcept;
    /// Counts a consumed record by its key; false when the key names no record sent.
    bool on_consumed(std::string_view key) noexcept;
};

/// The 32-byte value of record `seq`.
std::string value_of(std::uint64_t seq);

/// What reading the whole topic back found.
struct log_check {
    std::string error;             // read_all's error, empty on success
    std::uint64_t records = 0;     // records in the log
    std::uint64_t lost = 0;        // acknowledged, not in the log
    std::uint64_t duplicated = 0;  // extra copies in the log
    std::uint64_t reordered = 0;   // first copies after a later sequence number of their partition
    std::uint64_t misplaced = 0;   // in another partition than the one it was sent to
    std::uint64_t corrupt = 0;     // unknown key, or a value other than value_of(seq)
    std::uint64_t failed_but_written = 0;    // delivery failed, yet the record is in the log
    std::uint64_t truncated_partitions = 0;  // log start > 0: the mock dropped old data
    std::uint64_t unprocessed = 0;           // acknowledged, never handed to a consumer
    std::uint64_t redelivered = 0;           // extra times consumers were handed a record
};

/// Reads partitions [0, partitions) of `topic` back with librdkafka and compares with `l`.
log_check check_log(const ledger& l, const std::string& bootstrap, const std::string& topic,
                    std::int32_t partitions);

/// Memory samples, one per call to sample(): the resident set size (VmRSS) and the bytes the
/// heap has handed out and not taken back (glibc's mallinfo2: arena + mmapped blocks in use). A
/// leak grows both. Each sample first trims the allocator's free pages (malloc_trim).
class rss_monitor {
public:
    explicit rss_monitor(std::size_t expected_samples) { samples_.reserve(expected_samples); }
    void sample(double seconds);
    /// The process's VmRSS in KiB (0 when /proc is unreadable).
    static std::uint64_t rss_kib();
    /// Heap bytes in use, in KiB.
    static std::uint64_t heap_kib();

    struct summary {
        std::uint64_t start = 0, end = 0, max = 0;
        std::uint64_t first_window_max = 0, last_window_max = 0;
        double growth = 0;  // last_window_max / first_window_max - 1
        std::uint64_t heap_start = 0, heap_end = 0, heap_first_window_max = 0,
                      heap_last_window_max = 0;
        double heap_growth = 0;
        double window_s = 0;
    };
    /// Windows: the first and the last minute, or thirds of the run when it is shorter than three
    /// minutes.
    [[nodiscard]] summary summarize(double duration_s) const;

private:
    struct point {
        double t;
        std::uint64_t kib;
        std::uint64_t heap_kib;
    };
    std::vector<point> samples_;
};

}  // namespace kasio::soak

#pragma once
// What kasio-perf (examples/kasio_perf.cpp) and its librdkafka twin (tests/bench/rdkafka_perf.cpp)
// share, so that the two measure the same thing: the command line, the configuration both
// start from, the payload, the latency record, the progress line and the RESULT line.
//
//   <prog> produce|consume --brokers B --topic T --count N --size S [--key-size K]
//          [--codec C] [--acks A] [--linger-ms L] [--batch-size B] [--rate R] [-X name=value]...
//
// The last stdout line is
//   RESULT mode=produce msgs=N ok=N failed=N secs=X msgs_per_s=X mb_per_s=X cpu_s=X
//          cpu_us_per_msg=X p50_ms=X p99_ms=X rss_mb=X
// (mode=consume for the consumer, with p50/p99 0). Scripts (tests/bench/compare.sh,
// examples/quickstart.sh) parse it: change it in both programs or not at all. One exception,
// optional and last: kasio-perf's transactional produce run appends txns=N (transactions
// committed); the scripts read fields by name, so a line with it parses as one without.
//
// Standard C++ and POSIX only: no kasio and no librdkafka header here.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace perf {

using clock = std::chrono::steady_clock;

struct options {
    std::string mode;  ///< produce | consume
    std::string brokers;
    std::string topic;
    std::int64_t count = 0;
    std::size_t size = 100;      ///< value bytes per record
    std::size_t key_size = 0;    ///< 0: null keys (the sticky partitioner spreads them)
    /// --rate: records per second, each sent when it is due (start + i / rate), within the
    /// window; 0: as fast as the window allows. For delivery latency at a low load.
    std::int64_t rate = 0;
    /// Configuration in the order to apply it: the shared defaults, then the flags, then -X.
    /// Kafka/Java property names, which kasio and librdkafka both accept.
    std::vector<std::pair<std::string, std::string>> properties;
    bool help = false;  ///< --help / -h: print the usage to stdout and exit 0
};

/// The usage: on stdout for --help, on stderr after a usage error.
inline void print_usage(const char* prog, std::FILE* out = stderr) {
    std::fprintf(out,
                 "usage: %s produce|consume --brokers B --topic T --count N --size S [--key-size K]\n"
                 "          [--codec none|gzip|snappy|lz4|zstd] [--acks 0|1|all] [--linger-ms L]\n"
                 "          [--batch-size B] [--rate R (records/s, produce)] [-X name=value]...\n"
                 "       %s --help\n"
                 "The last stdout line is RESULT mode=.. msgs=.. ok=.. failed=.. secs=.. ...\n"
                 "Exit status: 0 every record delivered or read; 1 runtime or Kafka error (records\n"
                 "failed or missing); 2 usage or configuration error (unknown option, bad value, bad -X).\n",
                 prog, prog);
}

template <typename Int>
bool parse_number(std::string_view s, Int& out) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
}

/// --rate: when record i is due, counted from `start`; `start` itself without a rate.
inline std::chrono::steady_clock::time_point due(const options& o, std::chrono::steady_clock::time_point start,
                                                 std::int64_t i) {
    if (o.rate <= 0) return start;
    return start + std::chrono::nanoseconds(i * std::int64_t{1'000'000'000} / o.rate);
}

/// Parses the command line; on failure returns false with `error` set. --help / -h anywhere an
/// option may stand sets opt.help and nothing else.
///
/// The producer starts from the Java client's defaults, which kasio keeps: acks=all,
/// enable.idempotence=true, linger.ms=5 (KIP-1030), batch.size=16384. As in the Java client an
/// acks other than all turns idempotence off (it needs acks=all; librdkafka would refuse the
/// combination outright). -X comes last, so it overrides any of these.
inline bool parse_options(int argc, char** argv, options& opt, std::string& error) {
    for (int i = 1; i < argc; ++i) {
        // Wherever it stands, except as an option's value (-X -h sets a property named -h).
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            opt.help = true;
            return true;
        }
        if (i >= 2) ++i;  // argv[1] is the mode; then option, value pairs
    }
    if (argc < 2) {
        error = "missing mode";
        return false;
    }
    opt.mode = argv[1];
    if (opt.mode != "produce" && opt.mode != "consume") {
        error = "unknown mode '" + opt.mode + "'";
        return false;
    }
    std::string codec = "none", acks = "all", linger = "5", batch = "16384";
    std::vector<std::pair<std::string, std::string>> extra;
    for (int i = 2; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (i + 1 >= argc) {
            error = "missing value after " + std::string{arg};
            return false;
        }
        const std::string_view value = argv[++i];
        bool ok = true;
        if (arg == "--brokers" || arg == "-b") opt.brokers = value;
        else if (arg == "--topic" || arg == "-t") opt.topic = value;
        else if (arg == "--count") ok = parse_number(value, opt.count) && opt.count > 0;
        else if (arg == "--size") ok = parse_number(value, opt.size);
        else if (arg == "--key-size") ok = parse_number(value, opt.key_size);
        else if (arg == "--codec") codec = value;
        else if (arg == "--acks") acks = value;
        else if (arg == "--linger-ms") linger = value;
        else if (arg == "--batch-size") batch = value;
        else if (arg == "--rate") ok = parse_number(value, opt.rate) && opt.rate >= 0;
        else if (arg == "-X") {
            const std::size_t eq = value.find('=');
            if (eq == std::string_view::npos || eq == 0) {
                error = "-X takes name=value, got '" + std::string{value} + "'";
                return false;
            }
            extra.emplace_back(value.substr(0, eq), value.substr(eq + 1));
        } else {
            error = "unknown option '" + std::string{arg} + "'";
            return false;
        }
        if (!ok) {
            error = "bad value '" + std::string{value} + "' for " + std::string{arg};
            return false;
        }
    }
    if (opt.brokers.empty() || opt.topic.empty() || opt.count <= 0) {
        error = "--brokers, --topic and --count are required";
        return false;
    }
    if (opt.mode == "produce") {
        opt.properties = {{"acks", acks},
                          {"enable.idempotence", acks == "all" || acks == "-1" ? "true" : "false"},
                          {"linger.ms", linger},
                          {"batch.size", batch},
                          {"compression.type", codec}};
    }
    opt.properties.insert(opt.properties.end(), extra.begin(), extra.end());
    return true;
}

/// Records a producer keeps outstanding (sent, delivery not yet reported): 16 MiB of keys and
/// values, at least 1000, at most --count. Both programs apply the same window, so delivery
/// latency (which includes the time a record waits in the client's queue) compares like for
/// like. Half of buffer.memory (32 MiB, Java's default, which librdkafka's queue limit is set to
/// here too): even with batch headers and half-filled batches a send never has to wait for
/// memory, so the window, not either client's back-pressure, bounds the queue.
inline std::int64_t window(const options& opt) {
    const auto per_record = static_cast<std::int64_t>(opt.size + opt.key_size + 1);
    return std::min<std::int64_t>(opt.count, std::max<std::int64_t>(1000, (std::int64_t{16} << 20) / per_record));
}

/// Record values: slices of a 1 MiB pool of word-like text, so that codecs see data they
/// can compress (about 2x for lz4, more for zstd) without every record being the same.
/// Built once before timing starts; a record's value is a view into it, never copied here.
class payload {
public:
    explicit payload(std::size_t value_size) : size_(value_size) {
        constexpr std::size_t pool = std::size_t{1} << 20;
        std::uint64_t state = 0x9e3779b97f4a7c15ULL;  // xorshift64: fixed, so every run is alike
        auto next = [&state] {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            return state;
        };
        std::vector<std::string> words(512);
        for (std::string& w : words) {
            const std::size_t len = 2 + next() % 8;
            for (std::size_t i = 0; i < len; ++i) w.push_back(static_cast<char>('a' + next() % 26));
        }
        bytes_.reserve(pool + value_size + 16);
        while (bytes_.size() < pool + value_size) {
            const std::string& w = words[next() % words.size()];
            bytes_.insert(bytes_.end(), w.begin(), w.end());
            bytes_.push_back(' ');
        }
        span_ = pool;
    }
    /// Record i's value: `size()` bytes. A large odd stride: neighbours in a batch differ.
    const std::uint8_t* value(std::uint64_t i) const noexcept {
        return bytes_.data() + (i * 40503) % span_;
    }
    std::size_t size() const noexcept { return size_; }

private:
    std::vector<std::uint8_t> bytes_;
    std::size_t size_;
    std::size_t span_ = 1;
};

/// Writes record i's key: its number in decimal, zero-padded to the key size (the low digits
/// when the key is shorter), so that keyed records spread over the partitions by murmur2.
inline void write_key(char* out, std::size_t key_size, std::uint64_t i) noexcept {
    for (std::size_t k = key_size; k-- > 0;) {
        out[k] = static_cast<char>('0' + i % 10);
        i /= 10;
    }
}

/// Delivery latency per record, from the send call to its delivery report: each record's send
/// time in a slot allocated before timing starts, each latency counted into log-linear buckets
/// (64 per power of two: a quantile within 1.1 %). Recording allocates nothing, and the
/// quantiles need neither a copy of every latency nor a sort of it (which cost the process
/// measured 8 MB of fresh pages and a sort per million records).
class latency_record {
public:
    explicit latency_record(std::int64_t count) : sent_ns_(static_cast<std::size_t>(count)) {}

    void sent(std::uint64_t id, clock::time_point now) noexcept { sent_ns_[id] = now.time_since_epoch().count(); }
    void delivered(std::uint64_t id, clock::time_point now) noexcept {
        const std::int64_t ns = now.time_since_epoch().count() - sent_ns_[id];
        ++buckets_[bucket_of(ns > 0 ? static_cast<std::uint64_t>(ns) : 0)];
        ++count_;
    }
    void failed(std::uint64_t) noexcept {}

    /// The q-quantile (0..1) of the delivered records' latencies, in milliseconds (its
    /// bucket's middle).
    double quantile_ms(double q) const {
        if (count_ == 0) return 0;
        const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_ - 1));
        std::uint64_t seen = 0;
        for (std::size_t b = 0; b < buckets_.size(); ++b) {
            seen += buckets_[b];
            if (seen > rank) return (static_cast<double>(lower_of(b)) + static_cast<double>(lower_of(b + 1))) / 2e6;
        }
        return 0;
    }

private:
    static constexpr int sub_bits = 6;  // 64 buckets per power of two
    static constexpr std::size_t sub = std::size_t{1} << sub_bits;

    // Values below `sub` get a bucket each; above, bucket = (exponent, top 6 bits after the
    // leading one).
    static std::size_t bucket_of(std::uint64_t v) noexcept {
        if (v < sub) return static_cast<std::size_t>(v);
        const int e = std::bit_width(v) - 1;  // >= sub_bits
        const auto mantissa = static_cast<std::size_t>((v >> (e - sub_bits)) & (sub - 1));
        return sub + static_cast<std::size_t>(e - sub_bits) * sub + mantissa;
    }
    static std::uint64_t lower_of(std::size_t b) noexcept {
        if (b < sub) return b;
        const auto e = static_cast<int>((b - sub) / sub) + sub_bits;
        const std::uint64_t mantissa = (b - sub) % sub;
        return (std::uint64_t{1} << e) + (mantissa << (e - sub_bits));
    }

    std::vector<std::int64_t> sent_ns_;
    std::array<std::uint64_t, sub + (64 - sub_bits) * sub> buckets_{};
    std::uint64_t count_ = 0;
};

/// A progress line on stderr, only when stderr is a terminal (logs and scripts stay clean).
/// update() is cheap enough to call every few thousand records.
class progress {
public:
    explicit progress(const char* what) : what_(what), tty_(isatty(STDERR_FILENO) == 1) {}

    void update(std::int64_t done, std::int64_t total, clock::time_point now) {
        if (!tty_ || now - last_ < std::chrono::milliseconds(500)) return;
        last_ = now;
        std::fprintf(stderr, "\r%s: %lld/%lld records (%.0f%%)   ", what_, static_cast<long long>(done),
                     static_cast<long long>(total), 100.0 * static_cast<double>(done) / static_cast<double>(total));
        std::fflush(stderr);
        shown_ = true;
    }
    void finish() {
        if (shown_) std::fputc('\n', stderr);
        shown_ = false;
    }

private:
    const char* what_;
    bool tty_;
    bool shown_ = false;
    clock::time_point last_{};
};

/// Process CPU time (user + system, every thread) since it started.
inline double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
    return secs(ru.ru_utime) + secs(ru.ru_stime);
}

/// Peak resident set in MiB (Linux reports ru_maxrss in KiB).
inline double peak_rss_mb() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

struct result {
    std::string mode;
    std::int64_t msgs = 0;    ///< records attempted (produce) or wanted (consume)
    std::int64_t ok = 0;      ///< delivered / consumed
    std::int64_t failed = 0;  ///< delivery failed / not consumed
    double secs = 0;          ///< first send (or assign) to last delivery (or record)
    std::uint64_t bytes = 0;  ///< key + value bytes of the ok records
    double p50_ms = 0, p99_ms = 0;
    std::int64_t transactions = -1;  ///< committed transactions; -1: not a transactional run (no field)
};

/// Prints the RESULT line (stdout, last line). CPU and RSS are read here, after the client was
/// closed, so they cover all of its work. MB are 10^6 bytes of keys and values.
inline void print_result(const result& r) {
    const double cpu = cpu_seconds();
    const double secs = r.secs > 0 ? r.secs : 1e-9;
    std::printf("RESULT mode=%s msgs=%lld ok=%lld failed=%lld secs=%.3f msgs_per_s=%.0f mb_per_s=%.2f "
                "cpu_s=%.3f cpu_us_per_msg=%.3f p50_ms=%.3f p99_ms=%.3f rss_mb=%.1f",
                r.mode.c_str(), static_cast<long long>(r.msgs), static_cast<long long>(r.ok),
                static_cast<long long>(r.failed), r.secs, static_cast<double>(r.ok) / secs,
                static_cast<double>(r.bytes) / secs / 1e6, cpu,
                r.ok > 0 ? cpu * 1e6 / static_cast<double>(r.ok) : 0.0, r.p50_ms, r.p99_ms, peak_rss_mb());
    if (r.transactions >= 0) std::printf(" txns=%lld", static_cast<long long>(r.transactions));
    std::printf("\n");
    std::fflush(stdout);
}

}  // namespace perf

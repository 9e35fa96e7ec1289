// kasio-perf: producer and consumer throughput, CPU, memory and delivery latency
// (rdkafka_performance-like). tests/bench/rdkafka-perf is its twin on librdkafka: same command
// line, same payload, same RESULT line (perf_common.hpp); tests/bench/compare.sh runs both.
//
//   kasio-perf produce|consume --brokers B --topic T --count N --size S [--key-size K]
//              [--codec C] [--acks A] [--linger-ms L] [--batch-size B] [-X name=value]...
//              [--transactional-id ID [--txn-records N]] [--api callback|coro]
//              [--progress] [--hooks]
//
// Everything runs on one thread: the io_context's. The producer keeps up to a window of sends
// outstanding (perf::window) with a plain callback per record, which kasio stores inline (no
// allocation per record), and refills the window from the delivery callbacks; no delivery is
// awaited one by one. The consumer assigns every partition, seeks to the beginning and polls
// until it has N records.
//
// --transactional-id (kasio-perf only: rdkafka-perf has no twin of it, so the options are taken
// off the command line before the shared parser sees it) makes the produce run transactional:
// init_transactions once before timing starts, then per --txn-records records (default 1000)
// begin, the same window of sends, and a commit, which waits for the transaction's deliveries
// itself. Sends pause while a commit runs (a transactional producer refuses them then); the
// RESULT line gains txns=N.
//
// --api coro (kasio-perf only, produce, not transactional) sends through coroutines instead:
// one per record of the window, each `co_await async_send(r, as_tuple(use_awaitable))` in a
// loop, so the window stays the same and each delivery resumes the coroutine that sends the
// next record. It measures what a coroutine pays per send (the awaitable machinery included)
// against the plain callback of the default --api callback.
//
// --progress (kasio-perf only) prints a line per second on stderr from the client's own metrics
// (stats()): the rate over the last second, requests in flight, records per batch and the p99
// delivery latency so far (produce); the rate, fetch latency and the largest lag (consume).
// --hooks registers hooks that count every call (kasio/hooks.hpp), and -X
// statistics.interval.ms=N gets the statistics JSON every N ms (counted, then dropped): with
// -X metrics.enabled=false they measure what metrics, hooks and statistics cost
// (docs/observability.md).
#include <kasio/broker_errc.hpp>
#include <kasio/consumer.hpp>
#include <kasio/hooks.hpp>
#include <kasio/producer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "perf_common.hpp"

namespace asio = boost::asio;
using kasio::error_code;

namespace {

constexpr auto stall_limit = std::chrono::seconds(30);  // no progress this long: give up

// The kasio-only options of a produce run.
struct kasio_options {
    std::string transactional_id;  // empty: not transactional
    std::int64_t records = 1000;   // records per transaction
    bool coro = false;             // --api coro: a coroutine per outstanding send
    bool progress = false;         // --progress: a line per second from stats()
    bool hooks = false;            // --hooks: counting hooks registered
};

// --hooks: one relaxed increment per call, what a cheap metrics hook would cost.
struct counting_hooks final : kasio::client_hooks {
    std::atomic<std::uint64_t> calls{0};
    void on_connect(const kasio::broker_ref&, error_code, std::chrono::microseconds) override { count(); }
    void on_disconnect(const kasio::broker_ref&, error_code) override { count(); }
    void on_request_written(const kasio::request_event&) override { count(); }
    void on_response_read(const kasio::response_event&) override { count(); }
    void on_batch_delivered(const kasio::batch_event&) override { count(); }
    void on_fetch_received(const kasio::fetch_event&) override { count(); }
    void count() { calls.fetch_add(1, std::memory_order_relaxed); }
};

// What --hooks and -X statistics.interval.ms leave to report at the end.
struct observers {
    std::shared_ptr<counting_hooks> hooks;
    std::uint64_t statistics = 0, statistics_bytes = 0;

    void apply(kasio::connection_config& c, bool with_hooks) {
        if (with_hooks) c.hooks = hooks = std::make_shared<counting_hooks>();
        // Always set: -X statistics.interval.ms alone then works (the JSON is counted, dropped).
        c.statistics_callback = [this](const std::string& json) {
            ++statistics;
            statistics_bytes += json.size();
        };
    }
    void report() const {
        if (hooks) std::fprintf(stderr, "kasio-perf: hooks called %llu times\n", static_cast<unsigned long long>(hooks->calls.load()));
        if (statistics)
            std::fprintf(stderr, "kasio-perf: %llu statistics snapshots, %llu bytes of JSON on average\n",
                         static_cast<unsigned long long>(statistics),
                         static_cast<unsigned long long>(statistics_bytes / statistics));
    }
};

// --progress: one line a second from the client's metrics.
class metrics_progress {
public:
    explicit metrics_progress(bool on) : on_(on) {}

    void produce(const kasio::producer_stats& s, perf::clock::time_point now) {
        if (!on_) return;
        const double dt = elapsed(now);
        std::uint64_t in_flight = 0;
        for (const auto& b : s.brokers) in_flight += b.in_flight;
        std::fprintf(stderr,
                     "produce: %6.1f s  %9.0f rec/s  %7.1f MB/s  in flight %3llu req  %6.1f rec/batch  "
                     "p99 delivery %7.2f ms so far  %llu delivered\n",
                     total(now), rate(s.records_delivered, last_records_, dt), rate(s.bytes, last_bytes_, dt) / 1e6,
                     static_cast<unsigned long long>(in_flight), s.batch_records.mean(),
                     static_cast<double>(s.delivery_latency_us.percentile(0.99)) / 1000.0,
                     static_cast<unsigned long long>(s.records_delivered));
    }
    // Whether a consume line is due: stats() copies every histogram, too dear to ask per poll.
    bool due(perf::clock::time_point now) const { return on_ && now - last_ >= std::chrono::seconds(1); }

    // `last`: the run's final line, whenever it comes.
    void consume(const kasio::consumer_stats& s, perf::clock::time_point now, bool last = false) {
        if (!on_ || (!last && now - last_ < std::chrono::seconds(1))) return;
        const double dt = elapsed(now);
        std::fprintf(stderr,
                     "consume: %6.1f s  %9.0f rec/s  %7.1f MB/s  fetch p99 %7.2f ms  prefetched %6.1f MB  "
                     "max lag %lld  %llu records\n",
                     total(now), rate(s.records, last_records_, dt), rate(s.bytes, last_bytes_, dt) / 1e6,
                     static_cast<double>(s.fetch_latency_us.percentile(0.99)) / 1000.0,
                     static_cast<double>(s.prefetched_bytes) / 1e6, static_cast<long long>(s.lag_max),
                     static_cast<unsigned long long>(s.records));
    }

private:
    double elapsed(perf::clock::time_point now) {
        if (start_ == perf::clock::time_point{}) start_ = last_ = now - std::chrono::seconds(1);
        const double dt = std::chrono::duration<double>(now - last_).count();
        last_ = now;
        return dt;
    }
    double total(perf::clock::time_point now) const { return std::chrono::duration<double>(now - start_).count(); }
    static double rate(std::uint64_t now_value, std::uint64_t& last, double dt) {
        const double r = dt > 0 ? static_cast<double>(now_value - last) / dt : 0.0;
        last = now_value;
        return r;
    }

    bool on_;
    perf::clock::time_point start_{}, last_{};
    std::uint64_t last_records_ = 0, last_bytes_ = 0;
};

class produce_run {
public:
    produce_run(asio::io_context& io, const perf::options& opt, std::int64_t txn_records, bool coro, bool progress)
        : io_(io), opt_(opt), values_(opt.size), latencies_(opt.count),
          key_(opt.key_size), window_(perf::window(opt)), txn_records_(txn_records), coro_(coro), timer_(io),
          pace_(io), metrics_(progress) {}

    void start(kasio::producer& p) {
        producer_ = &p;
        if (txn_records_ == 0) return start_sending();
        // Outside the timed part, as in Java's ProducerPerformance: finding the coordinator and
        // fencing older epochs is set-up, not throughput.
        producer_->async_init_transactions([this](error_code ec) {
            if (ec) return transaction_failed("init_transactions", ec);
            if (error_code begin_ec = producer_->begin_transaction()) return transaction_failed("begin_transaction", begin_ec);
            start_sending();
        });
    }

    perf::result result() const {
        perf::result r;
        r.mode = "produce";
        r.msgs = opt_.count;
        r.ok = delivered_;
        r.failed = opt_.count - delivered_;
        r.secs = std::chrono::duration<double>(end_ - start_).count();
        r.bytes = bytes_;
        r.p50_ms = latencies_.quantile_ms(0.50);
        r.p99_ms = latencies_.quantile_ms(0.99);
        if (txn_records_ > 0) r.transactions = transactions_;
        return r;
    }
    error_code first_error() const { return first_error_; }
    std::int64_t failed() const { return failed_; }
    // A transactional call that failed: the records' own errors do not cover it (an aborted
    // transaction's records were delivered, yet are not in the topic for read_committed readers).
    bool transaction_error() const { return static_cast<bool>(txn_error_); }

private:
    // The completion of one send: two words, so kasio keeps it inline in the batch.
    struct on_delivery {
        produce_run* run;
        std::uint64_t id;
        void operator()(error_code ec, const kasio::delivery&) const { run->delivered(id, ec); }
    };

    // Sends one pump() makes before it posts its continuation, so that the io_context runs the
    // sender and the socket handlers in between, as an Asio application shares its threads.
    // Filling the whole window in one go (as before) made every record wait behind the whole
    // window: on the mock, 100 B records, p99 85-110 ms and 51 MB peak RSS against 9-12 ms and
    // 25 MB with 256 (64 to 1024 measured alike; 4096 was as bad as no limit).
    static constexpr int pump_slice = 256;

    // Sends while fewer than the window are outstanding, pump_slice at a time. Re-entered from
    // delivery callbacks (a send that fails at once may complete inside async_send): the flag
    // keeps one loop.
    //
    // Where the Java client's send() blocks (topic metadata not known yet, buffer.memory used
    // up), kasio's keeps an owned copy of the record waiting, within a bound. Like a Java
    // application, this loop then stops sending: it pauses while sends are waiting (checked
    // every 64 sends, a few relaxed loads) and resumes from the next delivery.
    //
    // Transactional: a full transaction (or the last records) is committed before any other
    // send; the commit's completion begins the next one and pumps again.
    void pump() {
        if (coro_ || pumping_ || resume_posted_ || committing_ || finished_ || producer_->waiting_sends() > 0) return;
        pumping_ = true;
        for (int sent = 0;; ++sent) {
            if (sent == pump_slice) {
                resume_posted_ = true;
                asio::post(io_, [this] {
                    resume_posted_ = false;
                    pump();
                });
                break;
            }
            if (txn_records_ > 0 && (in_txn_ == txn_records_ || (next_ == opt_.count && in_txn_ > 0))) {
                commit();
                break;
            }
            if (next_ >= opt_.count || next_ - done() >= window_) break;
            if (next_ % 64 == 63 && producer_->waiting_sends() > 0) break;
            if (opt_.rate > 0 && !due(next_)) break;
            const auto id = static_cast<std::uint64_t>(next_++);
            const kasio::record r = next_record(id);
            ++in_txn_;  // counted without a transaction too, where nothing reads it
            producer_->async_send(r, on_delivery{this, id});
        }
        pumping_ = false;
    }

    // --rate: true when record i may go now; else the pace timer pumps again when it is due.
    bool due(std::int64_t i) {
        const auto at = perf::due(opt_, start_, i);
        if (perf::clock::now() >= at) return true;
        if (!pacing_) {
            pacing_ = true;
            pace_.expires_at(at);
            pace_.async_wait([this](error_code ec) {
                pacing_ = false;
                if (!ec) pump();
            });
        }
        return false;
    }

    // Record `id`, its send time noted. The key's buffer is reused: async_send copies it (or
    // keeps an owned copy) before it returns, and a coroutine's send starts inside co_await.
    kasio::record next_record(std::uint64_t id) {
        perf::write_key(key_.data(), key_.size(), id);
        kasio::record r;
        r.topic = opt_.topic;
        if (opt_.key_size > 0) r.key = kasio::bytes_view{reinterpret_cast<const std::uint8_t*>(key_.data()), key_.size()};
        r.value = kasio::bytes_view{values_.value(id), values_.size()};
        latencies_.sent(id, perf::clock::now());
        return r;
    }

    // --api coro: one of the window's coroutines. Sends a record, awaits its delivery, sends the
    // next, until every record is sent. The first one starts the others once its first record is
    // delivered: the topic's metadata is known then, so that they do not all wait for it (with an
    // owned copy each), as the callback pump pauses while sends wait.
    asio::awaitable<void> send_loop(bool first) {
        while (next_ < opt_.count && !finished_) {
            const auto id = static_cast<std::uint64_t>(next_++);
            const kasio::record r = next_record(id);
            const auto result = co_await producer_->async_send(r, asio::as_tuple(asio::use_awaitable));
            delivered(id, std::get<0>(result));
            if (std::exchange(first, false)) {
                for (std::int64_t i = 1; i < window_; ++i) spawn_sender(false);
            }
        }
    }

    void spawn_sender(bool first) {
        asio::co_spawn(io_, send_loop(first), [](const std::exception_ptr& e) {
            if (e) std::rethrow_exception(e);  // out of io.run(): a bug, not a result
        });
    }

    void start_sending() {
        start_ = last_progress_ = perf::clock::now();
        tick();
        if (!coro_) return pump();
        spawn_sender(true);
    }

    void commit() {
        committing_ = true;
        producer_->async_commit_transaction([this](error_code ec) {
            committing_ = false;
            last_progress_ = perf::clock::now();
            // Timed out after max.block.ms: the commit goes on in the producer, and asking again
            // waits for that same commit (producer.hpp); the stall watch bounds the retries.
            if (ec == kasio::client_errc::timed_out && producer_->transaction_state() == kasio::transaction_state::committing) {
                std::fprintf(stderr, "kasio-perf: commit_transaction still running after max.block.ms, waiting again\n");
                return commit();
            }
            if (ec) return transaction_failed("commit_transaction", ec);
            ++transactions_;
            in_txn_ = 0;
            if (next_ == opt_.count) {
                // The commit waited for its deliveries; finish here unless some are still reported.
                if (done() == opt_.count) finish(last_progress_);
                return;
            }
            if (error_code begin_ec = producer_->begin_transaction()) return transaction_failed("begin_transaction", begin_ec);
            pump();
        });
    }

    // Says what failed and why (the producer's last error has the broker's context), aborts what
    // is open (best effort: the run fails either way) and ends the run.
    void transaction_failed(const char* what, error_code ec) {
        txn_error_ = ec;
        std::fprintf(stderr, "kasio-perf: %s: %s (%s; transaction state %s)\n", what, ec.message().c_str(),
                     producer_->last_error().describe().c_str(), std::string(kasio::to_string(producer_->transaction_state())).c_str());
        if (producer_->transaction_state() == kasio::transaction_state::abortable_error ||
            producer_->transaction_state() == kasio::transaction_state::in_transaction) {
            producer_->async_abort_transaction([this](error_code) { finish(perf::clock::now()); });
            return;
        }
        finish(perf::clock::now());
    }

    void delivered(std::uint64_t id, error_code ec) {
        const auto now = perf::clock::now();
        if (ec) {
            latencies_.failed(id);
            ++failed_;
            if (!first_error_) first_error_ = ec;
        } else {
            latencies_.delivered(id, now);
            ++delivered_;
            bytes_ += opt_.size + opt_.key_size;
        }
        last_progress_ = now;
        // Transactional: the last commit's completion finishes, unless it came first.
        if (done() == opt_.count && (txn_records_ == 0 || (!committing_ && in_txn_ == 0))) return finish(now);
        pump();
    }

    // Progress line and stall watch, once a second.
    void tick() {
        timer_.expires_after(std::chrono::seconds(1));
        timer_.async_wait([this](error_code ec) {
            if (ec || finished_) return;
            const auto now = perf::clock::now();
            meter_.update(delivered_, opt_.count, now);
            metrics_.produce(producer_->stats(), now);
            if (now - last_progress_ > stall_limit) {
                std::fprintf(stderr, "kasio-perf: no delivery for 30 s, giving up\n");
                return finish(now);
            }
            tick();
        });
    }

    void finish(perf::clock::time_point now) {
        if (finished_) return;
        finished_ = true;
        end_ = now;
        if (start_ == perf::clock::time_point{}) start_ = now;  // init_transactions failed: nothing was timed
        meter_.finish();
        metrics_.produce(producer_->stats(), now);  // the final line (with --progress)
        timer_.cancel();
        pace_.cancel();
        // Closing is outside the timed part, but its CPU counts (print_result reads it later).
        // Posted: not from inside the producer's delivery callback.
        asio::post(io_, [this] { producer_->async_close(std::chrono::seconds(5), [this](error_code) { io_.stop(); }); });
    }

    std::int64_t done() const { return delivered_ + failed_; }

    asio::io_context& io_;
    kasio::producer* producer_ = nullptr;
    const perf::options& opt_;
    const perf::payload values_;
    perf::latency_record latencies_;
    std::vector<char> key_;
    const std::int64_t window_;
    const std::int64_t txn_records_;  // 0: not transactional
    const bool coro_;                 // --api coro
    asio::steady_timer timer_;
    asio::steady_timer pace_;  // --rate: wakes pump() when the next record is due
    bool pacing_ = false;
    perf::progress meter_{"produce"};
    metrics_progress metrics_;
    perf::clock::time_point start_, end_, last_progress_;
    std::int64_t next_ = 0, delivered_ = 0, failed_ = 0;
    std::int64_t in_txn_ = 0;        // records sent in the open transaction
    std::int64_t transactions_ = 0;  // committed
    std::uint64_t bytes_ = 0;
    error_code first_error_, txn_error_;
    bool pumping_ = false, finished_ = false, committing_ = false;
    bool resume_posted_ = false;  // a pump() continuing this one is queued on io_
};

// The producer's warnings and errors (debug lines too with -X debug=...) on stderr: a
// transactional run's failures are explained there. Level-checked before formatting, so the
// hot path pays nothing while all is well.
kasio::log_config stderr_log() {
    return {kasio::log_level::warning, [](kasio::log_level level, std::string_view line) {
                const char* name = level == kasio::log_level::error     ? "error"
                                   : level == kasio::log_level::warning ? "warning"
                                   : level == kasio::log_level::info    ? "info"
                                                                        : "debug";
                std::fprintf(stderr, "kasio-perf: %s: %.*s\n", name, static_cast<int>(line.size()), line.data());
            }};
}

int run_produce(const perf::options& opt, const kasio_options& txn) {
    kasio::producer_config cfg;
    cfg.bootstrap_servers = {opt.brokers};
    cfg.transactional_id = txn.transactional_id;
    cfg.connection.log = stderr_log();
    observers watch;
    watch.apply(cfg.connection, txn.hooks);
    for (const auto& [name, value] : opt.properties) {
        kasio::error_context why;
        if (error_code ec = cfg.set(name, value, why)) {
            // why names the property and the fault; the value is not echoed (it may be a password).
            std::fprintf(stderr, "kasio-perf: -X %s: %s\n", name.c_str(), why.describe(ec).c_str());
            return 2;
        }
    }
    asio::io_context io(1);
    produce_run run(io, opt, txn.transactional_id.empty() ? 0 : txn.records, txn.coro, txn.progress);
    {
        // Destroyed before `run`: any completion it still makes finds `run` alive.
        kasio::producer producer(io.get_executor(), cfg);
        run.start(producer);
        io.run();
    }

    perf::result res = run.result();
    watch.report();
    if (run.first_error())
        std::fprintf(stderr, "kasio-perf: %lld records failed, first error: %s\n", static_cast<long long>(run.failed()),
                     run.first_error().message().c_str());
    perf::print_result(res);
    return res.failed == 0 && !run.transaction_error() ? 0 : 1;
}

// The partition count of `topic` in `md`, or the error that says why there is none.
std::pair<kasio::error_code, std::int32_t> partition_count(kasio::error_code ec, const kasio::cluster_metadata& md,
                                                           const std::string& topic) {
    const kasio::topic_description* t = ec ? nullptr : md.topic(topic);
    if (!ec && !t) ec = kasio::make_error_code(kasio::broker_errc::unknown_topic_or_partition);
    if (!ec && t->error) ec = t->error;
    return {ec, ec ? 0 : static_cast<std::int32_t>(t->partitions.size())};
}

asio::awaitable<int> consume(kasio::consumer& c, const perf::options& opt, perf::result& res, bool progress) {
    using namespace asio::experimental::awaitable_operators;
    std::vector<std::string> topics{opt.topic};  // named: g++ 12 loses initializer lists across co_await
    auto [md_error, md] = co_await c.async_metadata(std::move(topics), asio::as_tuple(asio::use_awaitable));
    const auto [md_ec, partitions] = partition_count(md_error, md, opt.topic);
    if (md_ec) {
        std::fprintf(stderr, "kasio-perf: metadata for %s: %s\n", opt.topic.c_str(), md_ec.message().c_str());
        co_return 1;
    }
    std::vector<kasio::topic_partition> all;
    for (std::int32_t p = 0; p < partitions; ++p) all.push_back({opt.topic, p});

    perf::progress meter("consume");
    metrics_progress metrics(progress);
    const auto start = perf::clock::now();
    c.assign(all);
    c.seek_to_beginning(all);
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex);
    while (res.ok < opt.count) {
        timer.expires_after(stall_limit);
        auto polled = co_await (c.async_poll(asio::as_tuple(asio::use_awaitable)) ||
                                timer.async_wait(asio::as_tuple(asio::use_awaitable)));
        if (polled.index() == 1) {
            std::fprintf(stderr, "kasio-perf: no record for 30 s, giving up\n");
            break;
        }
        auto& [ec, batch] = std::get<0>(polled);
        for (const kasio::consumer_record& r : batch) {
            if (res.ok == opt.count) break;
            ++res.ok;
            res.bytes += (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
        }
        if (ec) std::fprintf(stderr, "kasio-perf: poll: %s\n", ec.message().c_str());
        const auto now = perf::clock::now();
        meter.update(res.ok, opt.count, now);
        if (metrics.due(now)) metrics.consume(c.stats(), now);
    }
    res.secs = std::chrono::duration<double>(perf::clock::now() - start).count();
    meter.finish();
    metrics.consume(c.stats(), perf::clock::now(), true);
    co_await c.async_close(asio::as_tuple(asio::use_awaitable));
    co_return res.ok == opt.count ? 0 : 1;
}

int run_consume(const perf::options& opt, const kasio_options& own) {
    kasio::consumer_config cfg;
    cfg.bootstrap_servers = {opt.brokers};
    cfg.connection.log = stderr_log();
    observers watch;
    watch.apply(cfg.connection, own.hooks);
    for (const auto& [name, value] : opt.properties) {
        kasio::error_context why;
        if (error_code ec = cfg.set(name, value, why)) {
            // why names the property and the fault; the value is not echoed (it may be a password).
            std::fprintf(stderr, "kasio-perf: -X %s: %s\n", name.c_str(), why.describe(ec).c_str());
            return 2;
        }
    }
    asio::io_context io(1);
    perf::result res;
    res.mode = "consume";
    res.msgs = opt.count;
    int rc = 1;
    {
        kasio::consumer c(io.get_executor(), cfg);
        asio::co_spawn(io, consume(c, opt, res, own.progress), [&](std::exception_ptr e, int r) {
            rc = e ? 1 : r;
            io.stop();  // the consumer is closed; whatever timers it left do not matter
        });
        io.run();
    }
    res.failed = opt.count - res.ok;
    watch.report();
    perf::print_result(res);
    return rc;
}

void print_kasio_usage(std::FILE* out) {
    std::fprintf(out,
                 "kasio-perf only, produce: [--transactional-id ID [--txn-records N (default 1000)]]:\n"
                 "   one transaction per N records; the RESULT line ends with txns=<committed>.\n"
                 "kasio-perf only, produce: [--api callback|coro] (default callback): a plain callback\n"
                 "   per send, or a coroutine per outstanding send awaiting async_send(use_awaitable).\n"
                 "kasio-perf only: [--progress]: a line per second on stderr from the client's metrics.\n"
                 "kasio-perf only: [--hooks]: hooks that count every call are registered (their cost).\n");
}

// Takes kasio-perf's own options out of argv (option, value pairs after the mode), so that the
// parser shared with rdkafka-perf sees only the common ones. False with `error` on a bad one.
bool take_kasio_options(std::vector<char*>& args, kasio_options& txn, std::string& error) {
    bool records_given = false;
    std::vector<char*> rest(args.begin(), args.begin() + std::min<std::ptrdiff_t>(2, std::ssize(args)));
    for (std::size_t i = rest.size(); i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "--progress" || arg == "--hooks") {  // flags, no value
            (arg == "--progress" ? txn.progress : txn.hooks) = true;
            continue;
        }
        if (arg != "--transactional-id" && arg != "--txn-records" && arg != "--api") {
            rest.push_back(args[i]);
            if (i + 1 < args.size()) rest.push_back(args[++i]);  // its value, whatever it looks like
            continue;
        }
        if (i + 1 >= args.size()) {
            error = "missing value after " + std::string{arg};
            return false;
        }
        const std::string_view value = args[++i];
        if (arg == "--api") {
            if (value != "callback" && value != "coro") {
                error = "bad value '" + std::string{value} + "' for --api (callback or coro)";
                return false;
            }
            txn.coro = value == "coro";
        } else if (arg == "--transactional-id") {
            txn.transactional_id = value;
        } else if (!perf::parse_number(value, txn.records) || txn.records <= 0) {
            error = "bad value '" + std::string{value} + "' for --txn-records";
            return false;
        } else {
            records_given = true;
        }
    }
    if (records_given && txn.transactional_id.empty()) {
        error = "--txn-records needs --transactional-id";
        return false;
    }
    if (txn.coro && !txn.transactional_id.empty()) {
        error = "--api coro is not transactional: drop --transactional-id";
        return false;
    }
    args = std::move(rest);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    perf::options opt;
    kasio_options txn;
    std::string error;
    std::vector<char*> args(argv, argv + argc);
    const bool ok = take_kasio_options(args, txn, error) &&
                    perf::parse_options(static_cast<int>(args.size()), args.data(), opt, error);
    if (!ok) {
        std::fprintf(stderr, "kasio-perf: %s\n", error.c_str());
        perf::print_usage("kasio-perf");
        print_kasio_usage(stderr);
        return 2;
    }
    if (opt.help) {
        perf::print_usage("kasio-perf", stdout);
        print_kasio_usage(stdout);
        return 0;
    }
    if (txn.coro && opt.rate > 0) {
        std::fprintf(stderr, "kasio-perf: --rate paces the callback sends: drop --api coro\n");
        return 2;
    }
    if ((!txn.transactional_id.empty() || txn.coro) && opt.mode != "produce") {
        std::fprintf(stderr, "kasio-perf: --transactional-id and --api are for produce\n");
        return 2;
    }
    try {
        return opt.mode == "produce" ? run_produce(opt, txn) : run_consume(opt, txn);
    } catch (const kasio::config_error& e) {  // properties that set() took but that conflict
        std::fprintf(stderr, "kasio-perf: %s\n", e.what());
        return 2;
    }
}

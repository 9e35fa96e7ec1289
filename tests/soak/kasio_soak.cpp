// kasio-soak: a producer and a consumer group against librdkafka 2.14's mock cluster for a given
// time while brokers go down and up, leaders move and requests fail at random; then checks that
// nothing acknowledged was lost, duplicated or reordered in the log, that the consumers were
// handed every record, and that the resident memory stayed flat. Not a ctest (see run.sh).
//
//   kasio-soak --seconds 600 [--seed N] [--rate 1000] [--partitions 12] [--consumers 3]
//              [--mock-broker path/to/kasio-mock-broker] [--log] [--debug protocol,broker]
//
// --log prints kasio's warnings; --debug adds the consumers' debug lines of those contexts
// (librdkafka's `debug` property), each prefixed with the member's index.
//
// Prints progress lines every 10 s and one `RESULT key=value ...` line; exits 1 when a record is
// lost, duplicated, reordered, misplaced, corrupt or never processed, when a consumer skipped or
// re-read offsets of a partition it kept (consumer_gaps, consumer_rewinds), when memory grew
// more than 20 % from the first to the last minute (runs of a minute or more), or when the
// read-back failed; 2 for bad arguments; 3 when the mock's process died (verdict=INVALID).
//
// Everything kasio runs on one io_context on the main thread. The mock cluster runs in a child
// process (kasio-mock-broker, driven over a pipe) so that its in-memory logs do not count in this
// process's memory. Two limits of the mock shape the faults, since it appends whatever an
// idempotent producer sends without checking sequence numbers (a real broker refuses
// out-of-order batches and answers DUPLICATE_SEQUENCE_NUMBER to a resent one):
//  - the producer keeps one Produce request in flight per connection, else a batch failed by an
//    injected error would land after its successors;
//  - a broker goes down only after a flush, with nothing in flight: a batch appended just before
//    its connection dropped would be appended again when retried.
// It also keeps at most 5 MiB / 100,000 batches per partition (about 20 minutes at the default
// rate); a longer or faster run shows up as truncated_partitions (the run is then invalid, not
// a kasio fault): lower --rate or raise --partitions for it.
#include "fault_injector.hpp"
#include "mock_process.hpp"
#include "soak_ledger.hpp"

#include <kasio/consumer.hpp>
#include <kasio/producer.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#ifndef KASIO_SOAK_MOCK_BROKER
#define KASIO_SOAK_MOCK_BROKER "kasio-mock-broker"
#endif

namespace kasio::soak {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

const std::string topic = "soak";
constexpr int brokers = 3;

struct options {
    double seconds = 60;
    std::uint64_t seed = std::random_device{}();
    double rate = 1000;  // records per second
    std::int32_t partitions = 12;
    int consumers = 3;
    std::string mock_broker = KASIO_SOAK_MOCK_BROKER;
    bool log = false;
    std::string debug;  // the consumers' `debug` contexts
};

bool parse_options(int argc, char** argv, options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--log") {
            o.log = true;
            continue;
        }
        if (i + 1 == argc) return false;
        const char* v = argv[++i];
        if (a == "--seconds")
            o.seconds = std::atof(v);
        else if (a == "--seed")
            o.seed = std::strtoull(v, nullptr, 10);
        else if (a == "--rate")
            o.rate = std::atof(v);
        else if (a == "--partitions")
            o.partitions = std::atoi(v);
        else if (a == "--consumers")
            o.consumers = std::atoi(v);
        else if (a == "--mock-broker")
            o.mock_broker = v;
        else if (a == "--debug")
            o.debug = v;
        else
            return false;
    }
    return o.seconds > 0 && o.rate > 0 && o.partitions > 0 && o.consumers > 0;
}

void log_to_stderr(connection_config& c, std::string who) {
    if (c.log.level != log_level::debug) c.log.level = log_level::warning;  // debug: --debug
    c.log.sink = [w = std::move(who)](log_level, std::string_view m) {
        std::fprintf(stderr, "[%s] %.*s\n", w.c_str(), int(m.size()), m.data());
    };
}

using properties = std::initializer_list<std::pair<const char*, const char*>>;

/// The mock cluster's process exited mid-run: the run says nothing about kasio.
struct mock_died : std::runtime_error {
    mock_died() : std::runtime_error("the mock cluster's process exited (see its last words)") {}
};

/// One group member: polls without end, counts what it was handed in the ledger, and commits the
/// offsets after each batch (processed, then committed: a restart re-delivers, never skips).
///
/// While it owns a partition, the offsets it is handed must follow one another: a jump forward
/// skips records (a gap), a step back hands them out again without a rebalance (a rewind).
/// So records are handed out again only across a change of owner (the new owner starts at the
/// last committed offset), never by the member that kept the partition.
struct member {
    member(ledger& led, std::int32_t partitions)
        : l(&led), next_offset(static_cast<std::size_t>(partitions), -1) {}

    std::unique_ptr<consumer> c;
    ledger* l;
    std::vector<std::int64_t>
        next_offset;  // per partition; -1: not owned, or nothing handed out since
    bool polling = false, stopped = false, closed = false;
    std::uint64_t assigned = 0, revoked = 0, lost = 0, commit_failures = 0, poll_errors = 0,
                  gaps = 0, rewinds = 0;
    std::string first_poll_error;

    void forget(const std::vector<topic_partition>& tps) {
        for (const auto& tp : tps) next_offset.at(static_cast<std::size_t>(tp.partition)) = -1;
    }

    rebalance_listener listener() {
        rebalance_listener r;
        r.on_assigned = [this](const std::vector<topic_partition>& tps) {
            ++assigned;
            forget(tps);
        };
        r.on_revoked = [this](const std::vector<topic_partition>& tps) {
            ++revoked;
            forget(tps);
        };
        r.on_lost = [this](const std::vector<topic_partition>& tps) {
            ++lost;
            forget(tps);
        };
        return r;
    }

    void poll() {
        if (stopped || polling) return;
        polling = true;
        c->async_poll([this](error_code ec, fetch_batch b) {
            polling = false;
            if (ec == asio::error::operation_aborted) return;
            if (ec && poll_errors++ == 0) first_poll_error = ec.message();
            std::map<std::int32_t, std::int64_t> next;
            for (const auto& r : b) {
                const std::string_view key =
                    r.key ? std::string_view(reinterpret_cast<const char*>(r.key->data()),
                                             r.key->size())
                          : std::string_view();
                l->on_consumed(key);
                std::int64_t& expected = next_offset.at(static_cast<std::size_t>(r.partition));
                if (expected >= 0 && r.offset > expected) ++gaps;
                if (expected >= 0 && r.offset < expected) ++rewinds;
                expected = r.offset + 1;
                next[r.partition] = r.offset + 1;
            }
            if (!next.empty()) {
                std::vector<partition_offset> offsets;
                for (const auto& [p, off] : next)
                    offsets.push_back(partition_offset{topic, p, off, {}});
                // Refused when it races a rebalance: those records are handed out again.
                c->async_commit(std::move(offsets),
                                [this](error_code cec) { commit_failures += cec ? 1 : 0; });
            }
            poll();
        });
    }
};

class soak {
public:
    soak(asio::io_context& io, const options& o, mock_process& mock, ledger& l)
        : io_(io),
          o_(o),
          l_(l),
          tick_(io),
          faults_(io, mock, o.seed, topic, o.partitions, brokers,
                  [this](std::function<void()> then) { quiesce(std::move(then)); }) {
        producer_config pc;
        pc.bootstrap_servers = {mock.bootstrap()};
        // See the file comment: one request in flight, for the mock's sake. A long linger makes
        // fewer, larger batches: the mock answers a Fetch with one batch per partition, found by
        // walking the partition's log from its start, so small batches make reading quadratic.
        for (const auto& [k, v] : properties{{"max.in.flight.requests.per.connection", "1"},
                                             {"linger.ms", "100"},
                                             {"retry.backoff.ms", "50"},
                                             {"reconnect.backoff.ms", "50"},
                                             {"reconnect.backoff.max.ms", "500"},
                                             {"enable.idempotence", "true"},
                                             {"acks", "all"}})
            if (auto ec = pc.set(k, v))
                throw std::runtime_error(std::string("producer config ") + k + ": " + ec.message());
        if (o.log) log_to_stderr(pc.connection, "producer");
        producer_ = std::make_unique<producer>(io.get_executor(), pc);

        consumer_config cc;
        for (const auto& [k, v] : properties{{"bootstrap.servers", mock.bootstrap().c_str()},
                                             {"group.id", "soak"},
                                             {"auto.offset.reset", "earliest"},
                                             {"enable.auto.commit", "false"},
                                             {"session.timeout.ms", "3000"},
                                             {"heartbeat.interval.ms", "200"},
                                             {"fetch.max.wait.ms", "100"},
                                             {"reconnect.backoff.ms", "50"},
                                             {"reconnect.backoff.max.ms", "500"}})
            if (auto ec = cc.set(k, v))
                throw std::runtime_error(std::string("consumer config ") + k + ": " + ec.message());
        if (!o.debug.empty()) {
            if (auto ec = cc.set("debug", o.debug))
                throw std::runtime_error("--debug " + o.debug + ": " + ec.message());
        }
        for (int i = 0; i < o.consumers; ++i) {
            auto m = std::make_unique<member>(l, o.partitions);
            consumer_config mine = cc;
            if (o.log || !o.debug.empty())
                log_to_stderr(mine.connection, "consumer " + std::to_string(i));
            m->c = std::make_unique<consumer>(io.get_executor(), mine);
            m->c->subscribe({topic}, m->listener());
            members_.push_back(std::move(m));
        }
    }

    void start() {
        started_ = last_tick_ = steady::now();
        tick();
        faults_.start();
    }

    /// Runs the context for `d`, sampling memory every second and printing progress every 10.
    void run_for(std::chrono::duration<double> d, rss_monitor* rss) {
        const auto end = steady::now() + std::chrono::duration_cast<steady::duration>(d);
        while (steady::now() < end) {
            run_a_little();
            const double t = std::chrono::duration<double>(steady::now() - started_).count();
            if (t >= next_sample_) {
                if (rss) rss->sample(t);
                next_sample_ += 1;
                if (!faults_.mock_alive()) throw mock_died();
            }
            if (t >= next_progress_) {
                next_progress_ += 10;
                progress(t);
            }
        }
    }

    /// Stops the faults and heals the cluster: no injected error left, every broker up.
    void stop_faults() { faults_.stop(); }

    void stop_sending() {
        sending_ = false;
        tick_.cancel();
    }

    /// Runs until the producer has flushed; false after `limit`.
    bool flush(std::chrono::seconds limit) {
        bool done = false;
        producer_->async_flush([&done](error_code) { done = true; });
        return run_until([&] { return done; }, limit);
    }

    /// Runs until the consumers were handed every acknowledged record; false after `limit`.
    bool drain(std::chrono::seconds limit) {
        return run_until([&] { return l_.unprocessed() == 0; }, limit);
    }

    /// Closes the consumers (they leave the group) and the producer.
    void close() {
        for (auto& m : members_) {
            if (auto ms = m->c->membership()) rebalances_ += ms->rebalances;
            m->stopped = true;
            member* raw = m.get();
            m->c->async_close([raw](error_code) { raw->closed = true; });
        }
        run_until(
            [&] {
                return std::all_of(members_.begin(), members_.end(),
                                   [](const auto& m) { return m->closed; });
            },
            30s);
        bool closed = false;
        producer_->async_close(10s, [&closed](error_code) { closed = true; });
        run_until([&] { return closed; }, 15s);
        const producer_stats ps = producer_->stats();
        producer_retries_ = ps.retries;
        // The consumers' destructors post their shutdown; let it run while the members its last
        // handlers point to still live.
        for (auto& m : members_) m->c.reset();
        producer_.reset();
        io_.restart();
        io_.run_for(5s);
        members_.clear();
    }

    const fault_injector& faults() const { return faults_; }
    /// Offsets skipped or handed out again while a member kept its partition.
    std::pair<std::uint64_t, std::uint64_t> gaps_and_rewinds() const {
        std::pair<std::uint64_t, std::uint64_t> n{0, 0};
        for (const auto& m : members_) n.first += m->gaps, n.second += m->rewinds;
        return n;
    }
    std::string group_summary() const {
        std::uint64_t a = 0, r = 0, lost = 0, cf = 0, pe = 0;
        std::string first;
        for (const auto& m : members_) {
            a += m->assigned, r += m->revoked, lost += m->lost, cf += m->commit_failures,
                pe += m->poll_errors;
            if (first.empty()) first = m->first_poll_error;
        }
        const auto [gaps, rewinds] = gaps_and_rewinds();
        return "consumer_gaps=" + std::to_string(gaps) +
               " consumer_rewinds=" + std::to_string(rewinds) +
               " assigned_calls=" + std::to_string(a) + " revoked_calls=" + std::to_string(r) +
               " lost_calls=" + std::to_string(lost) + " commit_failures=" + std::to_string(cf) +
               " poll_errors=" + std::to_string(pe) +
               (first.empty() ? "" : " first_poll_error=\"" + first + "\"");
    }
    std::uint64_t rebalances() const { return rebalances_; }
    std::uint64_t producer_retries() const { return producer_retries_; }

private:
    void run_a_little() {
        if (io_.stopped()) io_.restart();
        io_.run_for(50ms);
        for (auto& m : members_) m->poll();
    }

    template <class Done>
    bool run_until(Done done, std::chrono::seconds limit) {
        const auto end = steady::now() + limit;
        while (!done() && steady::now() < end) run_for(200ms, nullptr);
        return done();
    }

    void progress(double t) {
        std::uint64_t prefetched = 0;
        for (const auto& m : members_) prefetched += m->c->stats().prefetched_bytes;
        std::fprintf(stderr,
                     "t=%.0fs sent=%llu acked=%llu failed=%llu outstanding=%llu consumed=%llu "
                     "rss_kib=%llu heap_kib=%llu "
                     "prefetched_kib=%llu faults=%llu down=%d\n",
                     t, static_cast<unsigned long long>(l_.next),
                     static_cast<unsigned long long>(l_.acked),
                     static_cast<unsigned long long>(l_.failed),
                     static_cast<unsigned long long>(l_.outstanding()),
                     static_cast<unsigned long long>(l_.consumed),
                     static_cast<unsigned long long>(rss_monitor::rss_kib()),
                     static_cast<unsigned long long>(rss_monitor::heap_kib()),
                     static_cast<unsigned long long>(prefetched / 1024),
                     static_cast<unsigned long long>(faults_.total()), faults_.down());
    }

    // Sends at the configured rate, every 10 ms, and no further than 20 s of records ahead of the
    // acknowledgements (a broker down holds a third of them back).
    void tick() {
        const auto now = steady::now();
        budget_ = std::min(
            budget_ + o_.rate * std::chrono::duration<double>(now - last_tick_).count(), o_.rate);
        last_tick_ = now;
        const std::uint64_t max_outstanding = static_cast<std::uint64_t>(o_.rate * 20) + 100;
        while (sending_ && !paused_ && budget_ >= 1 && l_.next < l_.capacity() &&
               l_.outstanding() < max_outstanding) {
            send_one();
            budget_ -= 1;
        }
        tick_.expires_after(10ms);
        tick_.async_wait([this](error_code ec) {
            if (!ec && sending_) tick();
        });
    }

    void send_one() {
        const std::uint64_t seq = l_.next++;
        char key[24];
        const auto kend = std::to_chars(key, key + sizeof key, seq).ptr;
        const std::string value = value_of(seq);
        record r;
        r.topic = topic;
        r.partition = static_cast<std::int32_t>(seq % static_cast<std::uint64_t>(o_.partitions));
        r.key = bytes_view(reinterpret_cast<const std::uint8_t*>(key),
                           static_cast<std::size_t>(kend - key));
        r.value = bytes_of(value);
        l_.state[seq] = sent_state::in_flight;
        producer_->async_send(r, [this, seq](error_code ec, delivery d) {
            if (ec) {
                l_.state[seq] = sent_state::failed;
                if (l_.failed++ == 0) l_.first_failure = ec.message();
                return;
            }
            l_.state[seq] = sent_state::acked;
            ++l_.acked;
            if (d.partition !=
                static_cast<std::int32_t>(seq % static_cast<std::uint64_t>(o_.partitions)))
                ++l_.misplaced;
        });
    }

    // Nothing in flight to the cluster, then `then` (the file comment says why).
    void quiesce(std::function<void()> then) {
        paused_ = true;
        producer_->async_flush([this, next = std::move(then)](error_code) {
            paused_ = false;
            next();
        });
    }

    asio::io_context& io_;
    const options& o_;
    ledger& l_;
    std::unique_ptr<producer> producer_;
    std::vector<std::unique_ptr<member>> members_;
    asio::steady_timer tick_;
    fault_injector faults_;
    steady::time_point started_, last_tick_;
    double budget_ = 0, next_sample_ = 0, next_progress_ = 10;
    bool sending_ = true, paused_ = false;
    std::uint64_t rebalances_ = 0, producer_retries_ = 0;
};

int run(const options& o) {
    std::fprintf(
        stderr, "kasio-soak: seconds=%.0f seed=%llu rate=%.0f partitions=%d consumers=%d\n",
        o.seconds, static_cast<unsigned long long>(o.seed), o.rate, o.partitions, o.consumers);
    mock_process mock(o.mock_broker,
                      {"--brokers", std::to_string(brokers), "--topic",
                       topic + ":" + std::to_string(o.partitions) + ":" + std::to_string(brokers)});
    // librdkafka 2.14's mock advertises flexible versions of these group APIs but parses them with
    // the older layout (see tests/integration/consumer_group_test.cpp).
    for (const char* v :
         {"apiversion 11 0 5", "apiversion 14 0 3", "apiversion 12 0 3", "apiversion 13 0 1"}) {
        if (auto err = mock.command(v); !err.empty())
            throw std::runtime_error(std::string(v) + ": " + err);
    }

    ledger l(static_cast<std::size_t>(o.rate * o.seconds * 1.1) + 1000);
    rss_monitor rss(static_cast<std::size_t>(o.seconds) + 16);
    asio::io_context io;
    const auto t0 = steady::now();
    std::unique_ptr<soak> s = std::make_unique<soak>(io, o, mock, l);
    s->start();
    s->run_for(std::chrono::duration<double>(o.seconds), &rss);
    const double soak_s = std::chrono::duration<double>(steady::now() - t0).count();

    s->stop_faults();
    s->stop_sending();
    const bool flushed = s->flush(180s);
    const bool drained = s->drain(180s);
    const std::string group = s->group_summary();
    const auto [gaps, rewinds] = s->gaps_and_rewinds();
    s->close();

    const log_check c = check_log(l, mock.bootstrap(), topic, o.partitions);
    const rss_monitor::summary m = rss.summarize(soak_s);
    // Shorter runs are mostly warm-up (connections, group, buffers): their figures are reported
    // but do not decide the verdict.
    const bool memory_checked = soak_s >= 60;
    const bool memory_ok = !memory_checked || m.growth <= 0.20;
    const bool ok = c.error.empty() && flushed && c.lost == 0 && c.duplicated == 0 &&
                    c.reordered == 0 && c.misplaced == 0 && c.corrupt == 0 && c.unprocessed == 0 &&
                    gaps == 0 && rewinds == 0 && c.truncated_partitions == 0 && l.misplaced == 0 &&
                    l.bad_keys == 0 && memory_ok;
    if (!c.error.empty()) std::fprintf(stderr, "read back: %s\n", c.error.c_str());
    if (!l.first_failure.empty())
        std::fprintf(stderr, "first delivery failure: %s\n", l.first_failure.c_str());
    auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
    std::printf(
        "RESULT duration_s=%.0f seed=%llu rate=%.0f partitions=%d consumers=%d produced=%llu "
        "acked=%llu failed=%llu "
        "in_log=%llu consumed=%llu lost=%llu duplicated=%llu reordered=%llu misplaced=%llu "
        "corrupt=%llu "
        "unprocessed=%llu redelivered=%llu failed_but_written=%llu truncated_partitions=%llu "
        "flushed=%d drained=%d read_back=%s "
        "producer_retries=%llu faults=%s mock_command_errors=%llu rebalances=%llu %s "
        "rss_kib_start=%llu rss_kib_end=%llu rss_kib_max=%llu rss_kib_first_%.0fs_max=%llu "
        "rss_kib_last_%.0fs_max=%llu "
        "rss_growth_pct=%.1f heap_kib_start=%llu heap_kib_end=%llu heap_kib_first_%.0fs_max=%llu "
        "heap_kib_last_%.0fs_max=%llu "
        "heap_growth_pct=%.1f rss_checked=%d verdict=%s\n",
        soak_s, u(o.seed), o.rate, o.partitions, o.consumers, u(l.next), u(l.acked), u(l.failed),
        u(c.records), u(l.consumed), u(c.lost), u(c.duplicated), u(c.reordered),
        u(c.misplaced + l.misplaced), u(c.corrupt + l.bad_keys), u(c.unprocessed), u(c.redelivered),
        u(c.failed_but_written), u(c.truncated_partitions), flushed, drained,
        c.error.empty() ? "complete" : "incomplete", u(s->producer_retries()),
        s->faults().summary().c_str(), u(s->faults().command_errors()), u(s->rebalances()),
        group.c_str(), u(m.start), u(m.end), u(m.max), m.window_s, u(m.first_window_max),
        m.window_s, u(m.last_window_max), m.growth * 100, u(m.heap_start), u(m.heap_end),
        m.window_s, u(m.heap_first_window_max), m.window_s, u(m.heap_last_window_max),
        m.heap_growth * 100, memory_checked, ok ? "PASS" : "FAIL");
    std::fflush(stdout);
    return ok ? 0 : 1;
}

}  // namespace
}  // namespace kasio::soak

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);  // a dead mock must fail a command, not kill the test
    kasio::soak::options o;
    if (!kasio::soak::parse_options(argc, argv, o)) {
        std::fprintf(stderr,
                     "usage: %s --seconds N [--seed N] [--rate R] [--partitions P] [--consumers C] "
                     "[--mock-broker PATH] [--log] [--debug CONTEXTS]\n",
                     argv[0]);
        return 2;
    }
    try {
        return kasio::soak::run(o);
    } catch (const kasio::soak::mock_died& e) {
        std::printf("RESULT seed=%llu verdict=INVALID reason=\"%s\"\n",
                    static_cast<unsigned long long>(o.seed), e.what());
        return 3;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kasio-soak: %s\n", e.what());
        return 2;
    }
}

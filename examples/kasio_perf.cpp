// kasio-perf: producer and consumer throughput, CPU, memory and delivery latency
// (rdkafka_performance-like). tests/bench/rdkafka-perf is its twin on librdkafka: same command
// line, same payload, same RESULT line (perf_common.hpp); tests/bench/compare.sh runs both.
//
//   kasio-perf produce|consume --brokers B --topic T --count N --size S [--key-size K]
//              [--codec C] [--acks A] [--linger-ms L] [--batch-size B] [-X name=value]...
//
// Everything runs on one thread: the io_context's. The producer keeps up to a window of sends
// outstanding (perf::window) with a plain callback per record, which kasio stores inline (no
// allocation per record), and refills the window from the delivery callbacks; no delivery is
// awaited one by one. The consumer assigns every partition, seeks to the beginning and polls
// until it has N records.
#include <kasio/broker_errc.hpp>
#include <kasio/consumer.hpp>
#include <kasio/producer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "perf_common.hpp"

namespace asio = boost::asio;
using kasio::error_code;

namespace {

constexpr auto stall_limit = std::chrono::seconds(30);  // no progress this long: give up

class produce_run {
public:
    produce_run(asio::io_context& io, const perf::options& opt)
        : io_(io), opt_(opt), values_(opt.size), latencies_(opt.count),
          key_(opt.key_size), window_(perf::window(opt)), timer_(io) {}

    void start(kasio::producer& p) {
        producer_ = &p;
        start_ = last_progress_ = perf::clock::now();
        tick();
        pump();
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
        return r;
    }
    error_code first_error() const { return first_error_; }
    std::int64_t failed() const { return failed_; }

private:
    // The completion of one send: two words, so kasio keeps it inline in the batch.
    struct on_delivery {
        produce_run* run;
        std::uint64_t id;
        void operator()(error_code ec, const kasio::delivery&) const { run->delivered(id, ec); }
    };

    // Sends while fewer than the window are outstanding. Re-entered from delivery callbacks
    // (a send that fails at once may complete inside async_send): the flag keeps one loop.
    //
    // Where the Java client's send() blocks (topic metadata not known yet, buffer.memory used
    // up), kasio's keeps an owned copy of the record waiting, within a bound. Like a Java
    // application, this loop then stops sending: it pauses while sends are waiting (checked
    // every 64 sends, a few relaxed loads) and resumes from the next delivery.
    void pump() {
        if (pumping_ || producer_->stats().waiting_sends > 0) return;
        pumping_ = true;
        while (next_ < opt_.count && next_ - done() < window_) {
            if (next_ % 64 == 63 && producer_->stats().waiting_sends > 0) break;
            const auto id = static_cast<std::uint64_t>(next_++);
            perf::write_key(key_.data(), key_.size(), id);
            kasio::record r;
            r.topic = opt_.topic;
            if (opt_.key_size > 0) r.key = kasio::bytes_view{reinterpret_cast<const std::uint8_t*>(key_.data()), key_.size()};
            r.value = kasio::bytes_view{values_.value(id), values_.size()};
            latencies_.sent(id, perf::clock::now());
            producer_->async_send(r, on_delivery{this, id});
        }
        pumping_ = false;
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
        if (done() == opt_.count) return finish(now);
        pump();
    }

    // Progress line and stall watch, once a second.
    void tick() {
        timer_.expires_after(std::chrono::seconds(1));
        timer_.async_wait([this](error_code ec) {
            if (ec || finished_) return;
            const auto now = perf::clock::now();
            meter_.update(delivered_, opt_.count, now);
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
        meter_.finish();
        timer_.cancel();
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
    asio::steady_timer timer_;
    perf::progress meter_{"produce"};
    perf::clock::time_point start_, end_, last_progress_;
    std::int64_t next_ = 0, delivered_ = 0, failed_ = 0;
    std::uint64_t bytes_ = 0;
    error_code first_error_;
    bool pumping_ = false, finished_ = false;
};

int run_produce(const perf::options& opt) {
    kasio::producer_config cfg;
    cfg.bootstrap_servers = {opt.brokers};
    for (const auto& [name, value] : opt.properties) {
        kasio::error_context why;
        if (error_code ec = cfg.set(name, value, why)) {
            // why names the property and the fault; the value is not echoed (it may be a password).
            std::fprintf(stderr, "kasio-perf: -X %s: %s\n", name.c_str(), why.describe(ec).c_str());
            return 2;
        }
    }
    asio::io_context io(1);
    produce_run run(io, opt);
    {
        // Destroyed before `run`: any completion it still makes finds `run` alive.
        kasio::producer producer(io.get_executor(), cfg);
        run.start(producer);
        io.run();
    }

    perf::result res = run.result();
    if (run.first_error())
        std::fprintf(stderr, "kasio-perf: %lld records failed, first error: %s\n", static_cast<long long>(run.failed()),
                     run.first_error().message().c_str());
    perf::print_result(res);
    return res.failed == 0 ? 0 : 1;
}

// The partition count of `topic` in `md`, or the error that says why there is none.
std::pair<kasio::error_code, std::int32_t> partition_count(kasio::error_code ec, const kasio::cluster_metadata& md,
                                                           const std::string& topic) {
    const kasio::topic_description* t = ec ? nullptr : md.topic(topic);
    if (!ec && !t) ec = kasio::make_error_code(kasio::broker_errc::unknown_topic_or_partition);
    if (!ec && t->error) ec = t->error;
    return {ec, ec ? 0 : static_cast<std::int32_t>(t->partitions.size())};
}

asio::awaitable<int> consume(kasio::consumer& c, const perf::options& opt, perf::result& res) {
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
        meter.update(res.ok, opt.count, perf::clock::now());
    }
    res.secs = std::chrono::duration<double>(perf::clock::now() - start).count();
    meter.finish();
    co_await c.async_close(asio::as_tuple(asio::use_awaitable));
    co_return res.ok == opt.count ? 0 : 1;
}

int run_consume(const perf::options& opt) {
    kasio::consumer_config cfg;
    cfg.bootstrap_servers = {opt.brokers};
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
        asio::co_spawn(io, consume(c, opt, res), [&](std::exception_ptr e, int r) {
            rc = e ? 1 : r;
            io.stop();  // the consumer is closed; whatever timers it left do not matter
        });
        io.run();
    }
    res.failed = opt.count - res.ok;
    perf::print_result(res);
    return rc;
}

}  // namespace

int main(int argc, char** argv) {
    perf::options opt;
    std::string error;
    if (!perf::parse_options(argc, argv, opt, error)) {
        std::fprintf(stderr, "kasio-perf: %s\n", error.c_str());
        perf::print_usage("kasio-perf");
        return 2;
    }
    if (opt.help) {
        perf::print_usage("kasio-perf", stdout);
        return 0;
    }
    try {
        return opt.mode == "produce" ? run_produce(opt) : run_consume(opt);
    } catch (const kasio::config_error& e) {  // properties that set() took but that conflict
        std::fprintf(stderr, "kasio-perf: %s\n", e.what());
        return 2;
    }
}

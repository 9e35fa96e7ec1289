#include "net/statistics.hpp"

#include "net/loop_exit.hpp"
#include "protocol/api_table.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>

namespace kasio::net {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

std::string instance_name(std::string_view client_id, std::string_view type) {
    static std::mutex mutex;
    static std::map<std::string, std::uint64_t, std::less<>> counts;
    std::uint64_t n = 0;
    {
        std::lock_guard lock(mutex);
        n = ++counts[std::string(type)];
    }
    return std::string(client_id) + "#" + std::string(type) + "-" + std::to_string(n);
}

}  // namespace kasio::net

namespace kasio {

// The generated table's names are snake_case ("api_versions"): written as Kafka's guide does.
std::string api_name(std::int16_t api_key) {
    const auto* api = protocol::find_api(api_key);
    if (!api) return "Api" + std::to_string(api_key);
    std::string out;
    bool upper = true;
    for (const char c : api->name) {
        if (c == '_') {
            upper = true;
            continue;
        }
        out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
        upper = false;
    }
    return out;
}

}  // namespace kasio

namespace kasio::net {

void write_header(metrics::json_writer& w, std::string_view name, std::string_view client_id, std::string_view type,
                  clock::time_point created) {
    const auto now = clock::now();
    auto us = [](clock::duration d) {
        return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
    };
    w.member("name", name).member("client_id", client_id).member("type", type);
    w.member("ts", us(now.time_since_epoch()));
    w.member("time", static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count()));
    w.member("age", us(now - created));
}

void write_errors(metrics::json_writer& w, std::string_view key,
                  const std::vector<std::pair<error_code, std::uint64_t>>& errors) {
    w.key(key).begin_object();
    for (const auto& [ec, n] : errors) w.member(ec.message(), n);
    w.end_object();
}


void write_brokers(metrics::json_writer& w, const std::vector<broker_metrics>& brokers) {
    std::uint64_t tx = 0, tx_bytes = 0, rx = 0, rx_bytes = 0;
    for (const auto& b : brokers) {
        tx += b.requests;
        tx_bytes += b.bytes_out;
        rx += b.responses;
        rx_bytes += b.bytes_in;
    }
    w.member("tx", tx).member("tx_bytes", tx_bytes).member("rx", rx).member("rx_bytes", rx_bytes);
    w.key("brokers").begin_object();
    for (const auto& b : brokers) {
        const std::string name = b.address + "/" + (b.node_id >= 0 ? std::to_string(b.node_id) : std::string("bootstrap"));
        w.key(name).begin_object();
        w.member("name", name).member("nodeid", b.node_id).member("nodename", b.address);
        w.member("state", b.connected ? "UP" : "DOWN");
        w.member("connects", b.connects).member("connect_failures", b.connect_failures);
        w.member("disconnects", b.disconnects);
        w.member("outbuf_cnt", b.waiting).member("waitresp_cnt", b.in_flight);
        w.member("tx", b.requests).member("txbytes", b.bytes_out);
        w.member("rx", b.responses).member("rxbytes", b.bytes_in);
        w.member("req_timeouts", b.request_timeouts);
        w.window("rtt", b.latency_us);
        w.window("throttle", b.throttle_ms);
        w.key("req").begin_object();
        for (const auto& a : b.apis) w.member(api_name(a.api_key), a.requests);
        w.end_object();
        // kasio's own: per API, its latency and failures.
        w.key("apis").begin_object();
        for (const auto& a : b.apis) {
            w.key(api_name(a.api_key)).begin_object();
            w.member("requests", a.requests).member("errors", a.errors);
            w.member("bytes_out", a.bytes_out).member("bytes_in", a.bytes_in);
            w.window("rtt", a.latency_us);
            w.end_object();
        }
        w.end_object();
        write_errors(w, "errors", b.errors);
        w.end_object();
    }
    w.end_object();
}

struct statistics_timer::state {
    explicit state(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    bool stopped = false;
    std::chrono::milliseconds interval{0};
    make_fn make;
    std::function<void(const std::string&)> callback;
    log_config log;
};

namespace {

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
asio::awaitable<void> statistics_loop(std::shared_ptr<statistics_timer::state> s) {
    auto next = clock::now() + s->interval;
    while (!s->stopped) {
        s->timer.expires_at(next);
        auto [ec] = co_await s->timer.async_wait(asio::as_tuple(asio::use_awaitable));
        (void)ec;  // cancelled by stop(), or due
        if (s->stopped) co_return;
        // A slow callback does not make the intervals drift, nor pile up.
        next += s->interval;
        if (const auto now = clock::now(); next < now) next = now + s->interval;
        std::optional<std::string> json = s->make();
        if (!json) co_return;
        try {
            s->callback(*json);
        } catch (...) {
            log_line(s->log, log_level::error,
                     "statistics callback threw: " + describe_exception(std::current_exception()));
        }
    }
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace

void statistics_timer::start(const asio::any_io_executor& strand, const connection_config& cfg, make_fn make) {
    if (cfg.statistics_interval.count() <= 0 || !cfg.statistics_callback) return;
    state_ = std::make_shared<state>(strand);
    state_->interval = cfg.statistics_interval;
    state_->make = std::move(make);
    state_->callback = cfg.statistics_callback;
    state_->log = cfg.log;
    asio::co_spawn(strand, statistics_loop(state_), on_loop_exit(cfg.log, "statistics timer", [](const std::string&) {}));
}

void statistics_timer::stop() {
    if (!state_) return;
    state_->stopped = true;
    state_->timer.cancel();
}

}  // namespace kasio::net

// A producer whose metrics Prometheus can scrape: sends records to a topic in a loop and serves
// /metrics (kasio_prometheus on prometheus-cpp's Exposer).
//   prometheus_exporter <bootstrap.servers> <topic> <listen host:port> [seconds]
// e.g. prometheus_exporter 127.0.0.1:9092 demo 127.0.0.1:9464 60, then
//   curl -s http://127.0.0.1:9464/metrics | grep kasio_producer_record_send_total
// Without [seconds] it runs until SIGINT or SIGTERM.
#include <kasio/exporters/prometheus.hpp>
#include <kasio/kasio.hpp>

#include <prometheus/exposer.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

bool stopping = false;

// Sends one record at a time until stopped: each delivery shows in the latency histograms.
asio::awaitable<void> produce(kasio::producer& p, std::string topic) {
    for (long i = 0; !stopping; ++i) {
        const std::string value = "record " + std::to_string(i);
        kasio::record r;
        r.topic = topic;
        r.value = kasio::bytes_of(value);
        auto [ec, d] = co_await p.async_send(r, asio::as_tuple(asio::use_awaitable));
        if (ec) std::fprintf(stderr, "record %ld failed: %s\n", i, ec.message().c_str());
    }
    auto [ec] = co_await p.async_close(10s, asio::as_tuple(asio::use_awaitable));
    if (ec) std::fprintf(stderr, "close: %s\n", ec.message().c_str());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s <bootstrap.servers> <topic> <listen host:port> [seconds]\n", argv[0]);
        return 2;
    }
    kasio::producer_config cfg;
    cfg.bootstrap_servers = {argv[1]};
    asio::io_context io;
    kasio::producer p(io.get_executor(), cfg);

    // The producer outlives the exposer (declared after it, destroyed first), so the callback
    // never reads a destroyed producer.
    auto sources = std::make_shared<kasio::exporters::metric_sources>();
    sources->add_producer({cfg.connection.client_id, "prometheus_exporter", cfg.buffer_memory},
                          [&p] { return std::optional(p.stats()); });
    auto collector = std::make_shared<kasio::exporters::prometheus_collector>(sources);
    prometheus::Exposer exposer(argv[3]);
    exposer.RegisterCollectable(collector);
    std::printf("serving /metrics on port %d\n", exposer.GetListeningPorts().at(0));
    std::fflush(stdout);

    asio::steady_timer deadline(io);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    const auto stop = [&] {
        stopping = true;
        deadline.cancel();
        signals.cancel();
    };
    if (argc > 4) {
        deadline.expires_after(std::chrono::seconds(std::atoi(argv[4])));
        deadline.async_wait([&](kasio::error_code ec) {
            if (!ec) stop();
        });
    }
    signals.async_wait([&](kasio::error_code ec, int) {
        if (!ec) stop();
    });
    asio::co_spawn(io, produce(p, argv[2]), [&](std::exception_ptr e) {
        if (e) std::fprintf(stderr, "producer loop failed\n");
        stop();
    });
    io.run();
    const auto s = p.stats();
    std::printf("sent=%llu delivered=%llu failed=%llu\n", static_cast<unsigned long long>(s.records_sent),
                static_cast<unsigned long long>(s.records_delivered), static_cast<unsigned long long>(s.records_failed));
    return s.records_failed == 0 ? 0 : 1;
}

// A producer whose metrics go to an OpenTelemetry collector over OTLP/HTTP (JSON): sends records
// to a topic in a loop, exports every second, and once more at the end.
//   otlp_exporter <bootstrap.servers> <topic> [endpoint] [seconds]
// endpoint defaults to http://127.0.0.1:4318/v1/metrics, seconds to 10.
#include <kasio/exporters/otlp.hpp>
#include <kasio/kasio.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
// Sends one record at a time for `seconds`, then exports a last time and closes the producer.
asio::awaitable<int> run(kasio::producer& p, kasio::exporters::otlp_exporter& exporter, std::string topic,
                         std::chrono::seconds seconds) {
    const auto end = std::chrono::steady_clock::now() + seconds;
    for (long i = 0; std::chrono::steady_clock::now() < end; ++i) {
        const std::string value = "record " + std::to_string(i);
        kasio::record r;
        r.topic = topic;
        r.value = kasio::bytes_of(value);
        auto [ec, d] = co_await p.async_send(r, asio::as_tuple(asio::use_awaitable));
        if (ec) std::fprintf(stderr, "record %ld failed: %s\n", i, ec.message().c_str());
    }
    exporter.stop();
    auto [export_ec] = co_await exporter.async_export(asio::as_tuple(asio::use_awaitable));
    std::printf("last export: %s\n", export_ec ? export_ec.message().c_str() : "ok");
    auto [close_ec] = co_await p.async_close(10s, asio::as_tuple(asio::use_awaitable));
    if (close_ec) std::fprintf(stderr, "close: %s\n", close_ec.message().c_str());
    co_return export_ec ? 1 : 0;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s <bootstrap.servers> <topic> [endpoint] [seconds]\n", argv[0]);
        return 2;
    }
    kasio::producer_config cfg;
    cfg.bootstrap_servers = {argv[1]};
    asio::io_context io;
    kasio::producer p(io.get_executor(), cfg);

    auto sources = std::make_shared<kasio::exporters::metric_sources>();
    sources->add_producer({cfg.connection.client_id, "otlp_exporter", cfg.buffer_memory}, [&p] { return std::optional(p.stats()); });
    kasio::exporters::otlp_options options;
    if (argc > 3) options.endpoint = argv[3];
    options.interval = 1s;
    options.resource = {{"service.name", "otlp_exporter_example"}};
    options.log = {kasio::log_level::warning,
                   [](kasio::log_level, std::string_view line) { std::fprintf(stderr, "%.*s\n", int(line.size()), line.data()); }};
    kasio::exporters::otlp_exporter exporter(io.get_executor(), sources, options);
    exporter.start();

    int status = 1;
    const std::chrono::seconds seconds(argc > 4 ? std::atoi(argv[4]) : 10);
    asio::co_spawn(io, run(p, exporter, argv[2], seconds), [&](std::exception_ptr e, int result) {
        if (e) std::fprintf(stderr, "run failed\n");
        status = e ? 1 : result;
    });
    io.run();
    return status;
}

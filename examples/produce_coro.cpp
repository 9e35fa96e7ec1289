// A coroutine producer: sends `count` keyed records and reports where each landed.
//   produce_coro <bootstrap.servers> <topic> [count] [-X name=value]...
//
// Each co_await waits for one delivery (acks=all by default), which is simple but sends one
// record per round trip. For throughput, keep many sends outstanding instead: see
// produce_callbacks.cpp, or co_spawn several senders.
#include <kasio/kasio.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

int failures = 0;

asio::awaitable<void> send_all(kasio::producer& p, std::string topic, int count) {
    for (int i = 0; i < count; ++i) {
        const std::string key = "key-" + std::to_string(i % 10);
        const std::string value = "record " + std::to_string(i);
        const kasio::record_header trace{"source", kasio::bytes_of("produce_coro")};
        kasio::record r;
        r.topic = topic;
        r.key = kasio::bytes_of(key);  // the same key always lands on the same partition
        r.value = kasio::bytes_of(value);
        r.headers = {&trace, 1};
        auto [ec, d] = co_await p.async_send(r, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            std::fprintf(stderr, "record %d failed: %s\n", i, ec.message().c_str());
            ++failures;
        } else {
            std::printf("record %d -> partition %d offset %lld\n", i, d.partition, static_cast<long long>(d.offset));
        }
    }
    auto [ec] = co_await p.async_close(10s, asio::as_tuple(asio::use_awaitable));
    if (ec) std::fprintf(stderr, "close: %s\n", ec.message().c_str());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s <bootstrap.servers> <topic> [count] [-X name=value]...\n", argv[0]);
        return 2;
    }
    int count = 10;
    kasio::producer_config cfg;
    cfg.bootstrap_servers = {argv[1]};
    for (int i = 3; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-X" && i + 1 < argc) {
            const std::string_view prop = argv[++i];
            const auto eq = prop.find('=');
            if (eq == std::string_view::npos || cfg.set(prop.substr(0, eq), prop.substr(eq + 1))) {
                std::fprintf(stderr, "bad property: %s\n", argv[i]);
                return 2;
            }
        } else {
            count = std::atoi(argv[i]);
        }
    }
    asio::io_context io;  // the application's own context: kasio starts no threads
    kasio::producer p(io.get_executor(), cfg);
    asio::co_spawn(io, send_all(p, argv[2], count), asio::detached);
    io.run();
    return failures == 0 ? 0 : 1;
}

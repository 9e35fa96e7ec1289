// kasio inside an application's existing io_context, next to its other Asio work: here a
// heartbeat timer, a producer and a consumer share one context run by two threads.
//   io_context_integration <bootstrap.servers> <topic> [count]
//
// kasio's objects each keep a strand of the executor they are given, so running the context on
// several threads needs no locking in the application. kasio starts no threads of its own.
#include <kasio/kasio.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

std::atomic<long> produced{0};
std::atomic<long> consumed{0};
std::atomic<bool> done{false};

// The application's own work: it keeps ticking while kasio produces and consumes.
asio::awaitable<void> heartbeat() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!done) {
        std::printf("heartbeat: produced=%ld consumed=%ld\n", produced.load(), consumed.load());
        timer.expires_after(200ms);
        co_await timer.async_wait(asio::use_awaitable);
    }
}

asio::awaitable<void> produce(kasio::producer& p, std::string topic, long count) {
    for (long i = 0; i < count; ++i) {
        const std::string value = "value " + std::to_string(i);
        kasio::record r;
        r.topic = topic;
        r.partition = 0;  // one partition, so the consumer below sees every record
        r.value = kasio::bytes_of(value);
        p.async_send(r, [](kasio::error_code ec, kasio::delivery) {
            if (!ec) ++produced;
        });
    }
    auto [ec] = co_await p.async_flush(asio::as_tuple(asio::use_awaitable));
    if (ec) std::fprintf(stderr, "flush: %s\n", ec.message().c_str());
    co_await p.async_close(10s, asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> consume(kasio::consumer& c, std::string topic, long count) {
    c.assign({{topic, 0}});
    c.seek_to_beginning({{topic, 0}});
    while (consumed < count) {
        auto [ec, batch] = co_await c.async_poll(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            std::fprintf(stderr, "poll: %s\n", ec.message().c_str());
            break;
        }
        consumed += static_cast<long>(batch.size());
    }
    co_await c.async_close(asio::as_tuple(asio::use_awaitable));
    done = true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s <bootstrap.servers> <topic> [count]\n", argv[0]);
        return 2;
    }
    const long count = argc > 3 ? std::atol(argv[3]) : 1000;
    kasio::producer_config pc;
    pc.bootstrap_servers = {argv[1]};
    kasio::consumer_config cc;
    cc.bootstrap_servers = pc.bootstrap_servers;

    asio::io_context io;
    kasio::producer p(io.get_executor(), pc);
    kasio::consumer c(io.get_executor(), cc);
    asio::co_spawn(asio::make_strand(io), heartbeat(), asio::detached);
    asio::co_spawn(asio::make_strand(io), produce(p, argv[2], count), asio::detached);
    asio::co_spawn(asio::make_strand(io), consume(c, argv[2], count), asio::detached);
    std::thread second([&] { io.run(); });
    io.run();
    second.join();
    std::printf("produced=%ld consumed=%ld\n", produced.load(), consumed.load());
    return produced == count && consumed == count ? 0 : 1;
}

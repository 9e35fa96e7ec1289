// A callback producer: many sends outstanding, one completion per record, a flush at the end.
//   produce_callbacks <bootstrap.servers> <topic> [count]
//
// A plain lambda is stored inside the record's batch, so a send allocates nothing; the bytes of
// key and value are copied into the batch before async_send returns, so the buffers below can be
// reused at once. The completions run on the producer's strand: here on this one thread, inside
// io.run_one() in the send loop and io.run() at the end.
#include <kasio/kasio.hpp>

#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace asio = boost::asio;

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s <bootstrap.servers> <topic> [count]\n", argv[0]);
        return 2;
    }
    const long count = argc > 3 ? std::atol(argv[3]) : 100000;
    kasio::producer_config cfg;
    cfg.bootstrap_servers = {argv[1]};
    if (cfg.set("compression.type", "lz4") || cfg.set("linger.ms", "10")) return 2;

    asio::io_context io;
    kasio::producer p(io.get_executor(), cfg);
    const long window = 10000;
    long delivered = 0;
    long failed = 0;
    std::string value(100, 'x');
    for (long i = 0; i < count; ++i) {
        const std::string prefix = std::to_string(1000000000000 + i);  // 13 digits
        value.replace(0, prefix.size(), prefix);  // a distinct prefix per record, same size
        kasio::record r;
        r.topic = argv[2];
        r.value = kasio::bytes_of(value);
        p.async_send(r, [&](kasio::error_code ec, kasio::delivery) {
            if (ec) {
                if (++failed == 1) std::fprintf(stderr, "first failure: %s\n", ec.message().c_str());
            } else {
                ++delivered;
            }
        });
        // Keep at most `window` records in flight and let the producer work meanwhile: the
        // completions run on this thread, inside io.run_one().
        while (i + 1 - delivered - failed > window && !io.stopped()) io.run_one();
    }
    bool flushed = false;
    p.async_flush([&](kasio::error_code ec) {
        flushed = true;
        if (ec) std::fprintf(stderr, "flush: %s\n", ec.message().c_str());
        p.async_close(std::chrono::seconds(10), [](kasio::error_code) {});
    });
    io.run();
    std::printf("delivered=%ld failed=%ld flushed=%s\n", delivered, failed, flushed ? "yes" : "no");
    return failed == 0 && delivered == count ? 0 : 1;
}

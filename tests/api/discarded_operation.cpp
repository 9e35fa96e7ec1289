// Compiled twice by check_discarded_operation.cmake: as is it must build; with
// KASIO_DISCARD_<NAME> one initiating call's result (a deferred operation that would never
// start) is dropped, and the compiler must refuse it.
#include <kasio/consumer.hpp>
#include <kasio/producer.hpp>

#include <boost/asio/io_context.hpp>

int main() {
    boost::asio::io_context io;
    kasio::producer_config pc;
    pc.bootstrap_servers = {"127.0.0.1:9"};
    kasio::producer p(io.get_executor(), pc);
    kasio::record r;
    r.topic = "t";
    p.async_send(r, [](kasio::error_code, kasio::delivery) {});  // a callback: nothing to discard
    auto op = p.async_send(r);  // kept: started when awaited or invoked
    (void)op;
#ifdef KASIO_DISCARD_SEND
    p.async_send(r);
#endif
#ifdef KASIO_DISCARD_FLUSH
    p.async_flush();
#endif
    kasio::consumer_config cc;
    cc.bootstrap_servers = {"127.0.0.1:9"};
    kasio::consumer c(io.get_executor(), cc);
    c.async_close([](kasio::error_code) {});
#ifdef KASIO_DISCARD_POLL
    c.async_poll();
#endif
#ifdef KASIO_DISCARD_COMMIT
    c.async_commit();
#endif
    return 0;
}

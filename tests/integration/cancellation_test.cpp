// Per-operation cancellation, as Asio defines it, on the long operations: with every broker
// stalled (the mock holds each response for minutes) a cancelled flush, close, commit or
// committed completes at once with operation_aborted, and the client stays usable or closes
// cleanly. The cancellation is emitted on the thread that runs the io_context, as Asio requires
// of a cancellation_signal.
#include "consumer_support.hpp"
#include "producer_test_support.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>

#include <chrono>

namespace kasio::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class cancellation : public mock_cluster_test {
protected:
    void stall_brokers() {
        for (int b = 1; b <= cluster().broker_count(); ++b) ASSERT_EQ(cluster().set_rtt(b, 600000), RD_KAFKA_RESP_ERR_NO_ERROR);
    }

    // Runs io until `done`, emitting `sig` once the operation is under way.
    static bool cancel_and_wait(asio::io_context& io, asio::cancellation_signal& sig, const bool& done) {
        asio::post(io, [&sig] { sig.emit(asio::cancellation_type::terminal); });
        return run_until(io, [&] { return done; });
    }
};

TEST_F(cancellation, a_cancelled_flush_and_close_complete_at_once_with_operation_aborted) {
    ASSERT_EQ(cluster().create_topic("held", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    asio::io_context io;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    auto p = std::make_unique<producer>(io.get_executor(), cfg);
    record r;
    r.topic = "held";
    r.value = bytes_of("v");
    bool warm = false;
    p->async_send(r, [&](error_code ec, delivery) { warm = !ec; });
    ASSERT_TRUE(run_until(io, [&] { return warm; }));
    stall_brokers();

    error_code delivered = client_errc::invalid_value;
    bool record_done = false;
    p->async_send(r, [&](error_code ec, delivery) {
        delivered = ec;
        record_done = true;
    });
    asio::cancellation_signal sig;
    bool flushed = false;
    error_code flush_ec;
    p->async_flush(asio::bind_cancellation_slot(sig.slot(), [&](error_code ec) {
        flush_ec = ec;
        flushed = true;
    }));
    ASSERT_TRUE(cancel_and_wait(io, sig, flushed));
    EXPECT_EQ(flush_ec, asio::error::operation_aborted);
    EXPECT_FALSE(record_done);  // the record goes on, held by the stalled broker

    asio::cancellation_signal close_sig;
    bool closed = false;
    error_code close_ec;
    p->async_close(600s, asio::bind_cancellation_slot(close_sig.slot(), [&](error_code ec) {
        close_ec = ec;
        closed = true;
    }));
    ASSERT_TRUE(cancel_and_wait(io, close_sig, closed));
    EXPECT_EQ(close_ec, asio::error::operation_aborted);
    EXPECT_FALSE(record_done);

    // Destroying the producer fails what the stalled broker holds: nothing hangs.
    p.reset();
    ASSERT_TRUE(run_until(io, [&] { return record_done; }));
    EXPECT_EQ(delivered, client_errc::connection_closed);
}

TEST_F(cancellation, a_cancelled_commit_and_committed_complete_at_once_with_operation_aborted) {
    ASSERT_EQ(cluster().create_topic("offsets", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    asio::io_context io;
    consumer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    cfg.group_id = "cancelled-commits";
    auto c = std::make_unique<consumer>(io.get_executor(), cfg);
    // One commit that lands first: the coordinator is known and its connection ready.
    bool first = false;
    error_code first_ec;
    c->async_commit({partition_offset{"offsets", 0, 1, {}}}, [&](error_code ec) {
        first_ec = ec;
        first = true;
    });
    ASSERT_TRUE(run_until(io, [&] { return first; }));
    ASSERT_FALSE(first_ec) << first_ec.message();
    stall_brokers();

    asio::cancellation_signal sig;
    bool committed = false;
    error_code commit_ec;
    c->async_commit({partition_offset{"offsets", 0, 2, {}}}, asio::bind_cancellation_slot(sig.slot(), [&](error_code ec) {
        commit_ec = ec;
        committed = true;
    }));
    ASSERT_TRUE(cancel_and_wait(io, sig, committed));
    EXPECT_EQ(commit_ec, asio::error::operation_aborted);

    asio::cancellation_signal fetch_sig;
    bool fetched = false;
    error_code fetch_ec;
    std::size_t offsets = 99;
    c->async_committed({{"offsets", 0}},
                       asio::bind_cancellation_slot(fetch_sig.slot(), [&](error_code ec, std::vector<partition_offset> o) {
                           fetch_ec = ec;
                           offsets = o.size();
                           fetched = true;
                       }));
    ASSERT_TRUE(cancel_and_wait(io, fetch_sig, fetched));
    EXPECT_EQ(fetch_ec, asio::error::operation_aborted);
    EXPECT_EQ(offsets, 0u);

    bool closed = false;
    c->async_close([&](error_code) { closed = true; });
    ASSERT_TRUE(run_until(io, [&] { return closed; }));
    c.reset();
    finish_shutdown(io);
}

}  // namespace
}  // namespace kasio::test

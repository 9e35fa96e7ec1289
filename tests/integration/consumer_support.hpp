// Helpers of the consumer integration tests: run the io_context until a condition holds, poll
// records into a checker that verifies each one against what rdkafka_writer produced.
#pragma once

#include "rdkafka_writer.hpp"

#include <kasio/consumer.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace kasio::test {

inline double test_scale() {
    const char* s = std::getenv("KASIO_TEST_SCALE");
    return s ? std::atof(s) : 1.0;
}

/// Runs what a destroyed consumer posted to shut itself down (its destructor only posts the
/// close to the consumer's strand): without it the consumer's fetch loops, parked in the broker
/// pool, keep its internals alive and LeakSanitizer reports them. Bounded: the close cancels
/// every timer and connection, so the context runs out of work at once.
inline void finish_shutdown(boost::asio::io_context& io) {
    io.restart();
    io.run_for(std::chrono::seconds(30));
}

template <class Pred>
bool run_until(boost::asio::io_context& io, Pred pred, int max_steps = 50000000) {
    for (int i = 0; i < max_steps && !pred(); ++i) {
        if (io.stopped()) io.restart();
        if (io.run_one_for(std::chrono::seconds(10)) == 0) break;
    }
    return pred();
}

inline std::string_view as_text(bytes_view b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

/// Checks consumed records: every field as produced, offsets contiguous per partition.
struct record_checker {
    std::size_t value_size = 100;
    bool check_content = true;
    std::map<std::int32_t, std::int64_t> next_offset;  // per partition
    std::size_t count = 0;
    std::size_t bad = 0;
    std::uint64_t seq_sum = 0;

    void check(const consumer_record& r) {
        ++count;
        auto& expect = next_offset[r.partition];
        if (r.offset != expect) {
            if (bad++ < 5) ADD_FAILURE() << "partition " << r.partition << ": offset " << r.offset << ", expected " << expect;
        }
        expect = r.offset + 1;
        if (!r.key) {
            ++bad;
            return;
        }
        const auto seq = parse_key(as_text(*r.key));
        if (!seq) {
            ++bad;
            return;
        }
        seq_sum += *seq;
        if (!check_content) return;
        bool ok = r.value && as_text(*r.value) == expected_value(*seq, value_size) &&
                  r.timestamp == 1700000000000 + static_cast<std::int64_t>(*seq) &&
                  r.timestamp_type == timestamp_kind::create_time;
        std::size_t headers = 0;
        for (const auto& h : r.headers) {
            if (headers == 0) ok = ok && h.key == "seq" && h.value && as_text(*h.value) == std::to_string(*seq);
            if (headers == 1) ok = ok && h.key == "null" && !h.value;
            ++headers;
        }
        ok = ok && headers == 2;
        if (!ok && bad++ < 5) ADD_FAILURE() << "record " << *seq << " differs from what was produced";
    }
};

/// Polls until stop() holds or a poll fails; returns its error. A poll still waiting when stop()
/// holds is cancelled (no record is lost: cancelling a poll leaves the data buffered).
template <class Stop>
error_code consume_until(boost::asio::io_context& io, consumer& c, record_checker& checker, Stop stop) {
    error_code last;
    bool pending = false;
    boost::asio::cancellation_signal cancel;
    auto step = [&] {
        if (pending || stop() || last) return;
        pending = true;
        c.async_poll(boost::asio::bind_cancellation_slot(cancel.slot(), [&](error_code ec, fetch_batch b) {
            pending = false;
            if (ec && ec != boost::asio::error::operation_aborted) last = ec;
            for (const auto& r : b) checker.check(r);
        }));
    };
    step();
    EXPECT_TRUE(run_until(io, [&] {
        step();
        return stop() || last;
    }));
    if (pending) cancel.emit(boost::asio::cancellation_type::all);
    EXPECT_TRUE(run_until(io, [&] { return !pending; }));
    return last;
}

/// Polls until `total` records were checked (or an error / the step cap).
inline error_code consume(boost::asio::io_context& io, consumer& c, record_checker& checker, std::size_t total) {
    return consume_until(io, c, checker, [&] { return checker.count >= total; });
}

}  // namespace kasio::test

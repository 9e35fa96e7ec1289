// Shared by the producer integration tests: an io_context on its own thread (the producer's
// sender runs there while the test thread sends, as an application would), a record generator
// whose every field derives from the record's number, and a checker that reads the topic back
// with librdkafka and verifies each record, its partition and the order per partition.
#pragma once

#include "io_thread.hpp"
#include "mock_cluster_fixture.hpp"
#include "rdkafka_reader.hpp"

#include <kasio/producer.hpp>

#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <future>
#include <optional>
#include <string>
#include <vector>

namespace kasio::test {

/// KASIO_TEST_SCALE (default 1.0) times n, at least `min`.
inline std::size_t scaled(std::size_t n, std::size_t min = 100) {
    double scale = 1.0;
    if (const char* s = std::getenv("KASIO_TEST_SCALE")) scale = std::atof(s);
    return std::max(min, static_cast<std::size_t>(static_cast<double>(n) * scale));
}

/// Record number i: key "k<i>", value "v<i>" padded to value_size, headers seq=<i> and a
/// null-valued one, timestamp base + i. Buffers live in the generator until the next make().
struct record_generator {
    explicit record_generator(std::string t) : topic(std::move(t)) {}
    std::string topic;
    std::size_t value_size = 40;
    bool keyed = true;
    std::int64_t base_ts = 1700000000000;

    std::string key, value, seq;
    record_header headers[2];

    static std::string key_of(std::size_t i) { return "k" + std::to_string(i); }
    std::string value_of(std::size_t i) const {
        std::string v = "v" + std::to_string(i) + ":";
        while (v.size() < value_size) v.push_back(static_cast<char>('a' + (v.size() + i) % 26));
        return v;
    }

    record make(std::size_t i) {
        key = key_of(i);
        value = value_of(i);
        seq = std::to_string(i);
        headers[0] = {"seq", bytes_of(seq)};
        headers[1] = {"nothing", std::nullopt};
        record r;
        r.topic = topic;
        if (keyed) r.key = bytes_of(key);
        r.value = bytes_of(value);
        r.headers = headers;
        r.timestamp = base_ts + static_cast<std::int64_t>(i);
        return r;
    }
};

/// What read_back found.
struct readback {
    std::size_t records = 0, lost = 0, duplicated = 0, out_of_order = 0, corrupt = 0, misplaced = 0;
    std::string error;
};

/// Reads the topic with librdkafka and checks records 0..n-1 made by `gen`: each exactly once,
/// intact, increasing numbers per partition, and (keyed) on librdkafka's murmur2_random
/// partition.
inline readback read_back(const std::string& bootstrap, record_generator& gen, std::int32_t partitions,
                          std::size_t n) {
    readback res;
    std::vector<std::uint8_t> seen(n, 0);
    std::vector<std::int64_t> last(static_cast<std::size_t>(partitions), -1);
    res.error = read_all(bootstrap, gen.topic, partitions, [&](const read_record& r) {
        ++res.records;
        const auto seq = r.header("seq");
        std::size_t i = 0;
        if (!seq || std::from_chars(seq->data(), seq->data() + seq->size(), i).ec != std::errc{} || i >= n) {
            ++res.corrupt;
            return;
        }
        if (seen[i]++ != 0) ++res.duplicated;
        auto& l = last[static_cast<std::size_t>(r.partition)];
        if (static_cast<std::int64_t>(i) <= l) ++res.out_of_order;
        l = static_cast<std::int64_t>(i);
        const bool key_ok = gen.keyed ? (r.key && *r.key == record_generator::key_of(i)) : !r.key;
        if (!key_ok || !r.value || *r.value != gen.value_of(i) || r.timestamp != gen.base_ts + static_cast<std::int64_t>(i) ||
            !r.header("nothing"))
            ++res.corrupt;
        if (gen.keyed && rdkafka_murmur2_partition(record_generator::key_of(i), partitions) != r.partition)
            ++res.misplaced;
    });
    for (std::uint8_t s : seen) res.lost += s == 0;
    return res;
}

/// Reads the topic back (read_back) and expects records 0..n-1 each exactly once, intact, in
/// order per partition and on librdkafka's partition: 0 lost, duplicated, reordered, corrupt.
inline void expect_every_record_once_in_order(const std::string& bootstrap, record_generator& gen,
                                              std::int32_t partitions, std::size_t n) {
    const readback rb = read_back(bootstrap, gen, partitions, n);
    EXPECT_EQ(rb.error, "");
    EXPECT_EQ(rb.records, n);
    EXPECT_EQ(rb.lost, 0u);
    EXPECT_EQ(rb.duplicated, 0u);
    EXPECT_EQ(rb.out_of_order, 0u);
    EXPECT_EQ(rb.corrupt, 0u);
    EXPECT_EQ(rb.misplaced, 0u);
}

/// Counts completions (any thread).
struct delivery_counter {
    std::atomic<std::size_t> ok{0}, failed{0};
    std::atomic<std::size_t> done{0};  // ok + failed, waited on by wait_outstanding()
    std::atomic<int> first_error{0};
    std::atomic<const error_category*> first_category{nullptr};

    auto handler() {
        return [this](error_code ec, delivery) {
            if (ec) {
                if (failed.fetch_add(1) == 0) {
                    first_error = ec.value();
                    first_category = &ec.category();
                }
            } else {
                ok.fetch_add(1);
            }
            done.fetch_add(1);
            done.notify_all();
        };
    }
    /// Flow control for a sender that outruns the broker (async_send does not block): waits
    /// until at most `limit` of the `sent` records are not yet completed.
    void wait_outstanding(std::size_t sent, std::size_t limit) {
        for (std::size_t d = done.load(); sent > d + limit; d = done.load()) done.wait(d);
    }
    std::string error() const {
        const error_category* c = first_category.load();
        return c != nullptr ? c->message(first_error.load()) : std::string("none");
    }
};

}  // namespace kasio::test

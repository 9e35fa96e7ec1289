// The record accumulator, driven with a manual clock: batching, linger, memory, drain,
// retries, expiry, delivery reports.
#include "accumulator_test_support.hpp"
#include "producer/sequence_tracker.hpp"
#include "protocol/record_batch_decoder.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace kasio::detail::producer {
namespace {

using namespace test;
namespace asio = boost::asio;

const std::string value100(100, 'v');

std::string_view sv(bytes_view b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

accumulator_config small_batches() {
    accumulator_config cfg;
    cfg.batch_size = 1024;
    return cfg;
}

TEST(accumulator, records_fill_a_batch_up_to_batch_size_then_open_a_new_one) {
    outcomes out;  // outlives the accumulator, which completes what it still holds
    accumulator acc(small_batches());
    int in_first = 0;
    for (;;) {
        const append_result res = append_ok(acc, out, "t", 0, value100, t0);
        if (res.new_batch && in_first > 0) {
            EXPECT_TRUE(res.batch_full);  // two batches queued: the first is ready by size
            break;
        }
        EXPECT_FALSE(res.batch_full);
        ++in_first;
    }
    // A 61-byte header, then records of 109 bytes (length 2, attributes, timestamp delta,
    // offset delta, null key, value 2 + 100, header count): 8 fit in 1024 (933 bytes).
    EXPECT_EQ(in_first, 8);
    EXPECT_EQ(acc.queued_batches({"t", 0}), 2u);
    EXPECT_EQ(acc.memory_used(), 2 * 1024u);
}

TEST(accumulator, a_batch_becomes_ready_when_linger_ms_has_passed) {
    outcomes out;
    accumulator acc(small_batches());
    append_ok(acc, out, "t", 0, "x", t0);
    std::vector<topic_partition_view> ready;
    EXPECT_EQ(acc.ready(t0, ready), t0 + 5ms);  // linger.ms 5 by default
    EXPECT_TRUE(ready.empty());
    EXPECT_EQ(acc.ready(t0 + 4ms, ready), t0 + 5ms);
    EXPECT_TRUE(ready.empty());
    acc.ready(t0 + 5ms, ready);
    ASSERT_EQ(ready.size(), 1u);
    EXPECT_EQ(ready[0], (topic_partition_view{"t", 0}));
}

TEST(accumulator, a_full_batch_is_ready_at_once) {
    outcomes out;
    accumulator acc(small_batches());
    while (!append_ok(acc, out, "t", 3, value100, t0).batch_full) {
    }
    std::vector<topic_partition_view> ready;
    acc.ready(t0, ready);
    EXPECT_EQ(ready, (std::vector<topic_partition_view>{{"t", 3}}));
}

TEST(accumulator, flush_and_close_make_every_batch_ready) {
    outcomes out;
    accumulator acc(small_batches());
    append_ok(acc, out, "t", 0, "x", t0);
    append_ok(acc, out, "u", 1, "x", t0);
    std::vector<topic_partition_view> ready;
    acc.begin_flush();
    acc.ready(t0, ready);
    EXPECT_EQ(ready.size(), 2u);
    acc.end_flush();
    ready.clear();
    acc.ready(t0, ready);
    EXPECT_TRUE(ready.empty());
    acc.close();
    acc.ready(t0, ready);
    EXPECT_EQ(ready.size(), 2u);
    const record r = make_record("t", 0, std::nullopt, "x");
    EXPECT_EQ(acc.append(r, 1, 0, t0, out.handler()).status, append_status::closed);
}

TEST(accumulator, buffer_memory_refuses_a_new_batch_and_frees_it_on_completion) {
    outcomes out;
    accumulator_config cfg = small_batches();
    cfg.buffer_memory = 4 * 1024;
    accumulator acc(cfg);
    int notified = 0;
    acc.set_memory_listener([&] { ++notified; });
    for (std::int32_t p = 0; p < 4; ++p) append_ok(acc, out, "t", p, "x", t0);
    EXPECT_EQ(acc.memory_available(), 0u);
    append_ok(acc, out, "t", 0, "y", t0);  // room in the open batch: no new memory needed

    const record r = make_record("t", 4, std::nullopt, "x");
    delivery_handler h = out.handler();
    const append_result blocked = acc.append(r, 5, 0, t0, std::move(h));
    EXPECT_EQ(blocked.status, append_status::would_block);
    EXPECT_TRUE(static_cast<bool>(h));  // still the caller's
    EXPECT_TRUE(acc.memory_pressure());
    std::vector<topic_partition_view> ready;
    acc.ready(t0, ready);
    EXPECT_EQ(ready.size(), 4u);  // under memory pressure everything is sendable

    batch_ptr b = drain_one(acc, {"t", 2}, t0);
    ASSERT_TRUE(b);
    EXPECT_EQ(notified, 0);
    acc.complete(std::move(b), 0);
    EXPECT_EQ(notified, 1);
    EXPECT_FALSE(acc.memory_pressure());
    EXPECT_EQ(acc.memory_available(), 1024u);
    EXPECT_EQ(acc.append(r, 5, 0, t0, std::move(h)).status, append_status::appended);
}

TEST(accumulator, a_record_over_max_request_size_or_buffer_memory_is_rejected_at_once) {
    outcomes out;
    accumulator_config cfg = small_batches();
    cfg.max_request_size = 10000;
    cfg.buffer_memory = 20000;
    accumulator acc(cfg);
    const std::string big(9950, 'b');
    const record r1 = make_record("t", 0, std::nullopt, big);
    const append_result res = acc.append(r1, 1, 0, t0, out.handler());
    EXPECT_EQ(res.status, append_status::rejected);
    EXPECT_EQ(res.ec, make_error_code(broker_errc::message_too_large));

    cfg.max_request_size = 1 << 20;
    accumulator acc2(cfg);
    const std::string bigger(30000, 'b');
    const record r2 = make_record("t", 0, std::nullopt, bigger);
    EXPECT_EQ(acc2.append(r2, 1, 0, t0, out.handler()).ec, make_error_code(broker_errc::message_too_large));
    EXPECT_EQ(acc2.memory_used(), 0u);
}

TEST(accumulator, a_record_larger_than_batch_size_gets_a_batch_of_its_own) {
    outcomes out;
    accumulator acc(small_batches());
    append_ok(acc, out, "t", 0, "small", t0);
    const std::string big(5000, 'b');
    const append_result res = append_ok(acc, out, "t", 0, big, t0);
    EXPECT_TRUE(res.new_batch);
    EXPECT_TRUE(res.batch_full);
    EXPECT_GT(acc.memory_used(), 1024u + 5000u);
    EXPECT_TRUE(append_ok(acc, out, "t", 0, "after", t0).new_batch);  // the big one is full
    EXPECT_EQ(acc.queued_batches({"t", 0}), 3u);
}

TEST(accumulator, an_explicit_partition_out_of_range_is_rejected) {
    outcomes out;
    accumulator acc(small_batches());
    const record r = make_record("t", 5, std::nullopt, "x");
    EXPECT_EQ(acc.append(r, 5, 0, t0, out.handler()).ec, make_error_code(client_errc::invalid_partition));
    const record r2 = make_record("t", std::nullopt, std::nullopt, "x");
    EXPECT_EQ(acc.append(r2, 0, 0, t0, out.handler()).ec, make_error_code(client_errc::invalid_partition));
}

TEST(accumulator, keyed_records_go_to_their_murmur2_partition) {
    outcomes out;
    accumulator acc(small_batches());
    const record r = make_record("t", std::nullopt, "foobar", "x");
    EXPECT_EQ(acc.append(r, 64, 0, t0, out.handler()).partition, 62);  // librdkafka: 62 (partitioner_test)
    EXPECT_EQ(acc.queued_batches({"t", 62}), 1u);
}

TEST(accumulator, null_keys_stick_to_a_partition_until_its_batch_is_full) {
    outcomes out;
    accumulator acc(small_batches());
    const record r = make_record("t", std::nullopt, std::nullopt, value100);
    const std::int32_t first = acc.append(r, 16, 0, t0, out.handler()).partition;
    std::int32_t p = first;
    int same = 1;
    while (p == first) {
        p = acc.append(r, 16, 0, t0, out.handler()).partition;
        same += p == first ? 1 : 0;
        ASSERT_LT(same, 100);
    }
    // After 9 records (1103 bytes) batch.size is reached, but the 9th opened a second batch
    // that is not full: switching now would leave it to wait for linger.ms. The switch comes
    // when a batch fills or at twice batch.size: the 18th record (2145 bytes), as in Java.
    EXPECT_EQ(same, 18);
}

TEST(accumulator, drain_takes_one_batch_per_partition_and_respects_the_in_flight_limit) {
    outcomes out;
    accumulator_config cfg = small_batches();
    cfg.max_in_flight_per_partition = 2;
    accumulator acc(cfg);
    for (int i = 0; i < 8 * 4; ++i) append_ok(acc, out, "t", 0, value100, t0);  // 4 full batches
    ASSERT_EQ(acc.queued_batches({"t", 0}), 4u);
    batch_ptr b1 = drain_one(acc, {"t", 0}, t0);
    batch_ptr b2 = drain_one(acc, {"t", 0}, t0);
    ASSERT_TRUE(b1 && b2);
    EXPECT_FALSE(drain_one(acc, {"t", 0}, t0));  // 2 in flight
    std::vector<topic_partition_view> ready;
    acc.ready(t0, ready);
    EXPECT_TRUE(ready.empty());
    acc.complete(std::move(b1), 100);
    batch_ptr b3 = drain_one(acc, {"t", 0}, t0);
    ASSERT_TRUE(b3);
    acc.complete(std::move(b2), 108);
    acc.complete(std::move(b3), 116);
    // Records completed in append order, offsets following the batches' base offsets.
    for (std::size_t i = 0; i < 24; ++i) {
        ASSERT_TRUE(out[i].called) << i;
        EXPECT_FALSE(out[i].ec);
        EXPECT_EQ(out[i].d.offset, static_cast<std::int64_t>(100 + i));
        EXPECT_EQ(out[i].d.partition, 0);
        EXPECT_EQ(out[i].d.timestamp, 1000);
    }
    EXPECT_FALSE(out[24].called);
}

TEST(accumulator, drain_fills_a_request_up_to_its_size_and_rotates_partitions) {
    outcomes out;
    accumulator acc(small_batches());
    const std::vector<topic_partition_view> parts = {{"t", 0}, {"t", 1}, {"t", 2}};
    for (const auto& tp : parts)
        for (int i = 0; i < 8; ++i) append_ok(acc, out, "t", tp.partition, value100, t0);
    std::vector<batch_ptr> got;
    std::size_t cursor = 0;
    acc.drain(parts, cursor, 1500, t0, got);  // one 933-byte batch fits, two do not
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0]->topic_partition().partition, 0);
    acc.drain(parts, cursor, 1500, t0, got);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[1]->topic_partition().partition, 1);
    acc.drain(parts, cursor, 1 << 20, t0, got);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[2]->topic_partition().partition, 2);
    for (auto& b : got) acc.complete(std::move(b), 0);
    EXPECT_FALSE(acc.has_incomplete());
    EXPECT_EQ(acc.memory_used(), 0u);
}

TEST(accumulator, drain_includes_unlingered_batches_of_the_same_broker) {
    outcomes out;
    accumulator acc(small_batches());
    append_ok(acc, out, "t", 0, "x", t0);
    append_ok(acc, out, "t", 1, "x", t0 + 4ms);
    const std::vector<topic_partition_view> parts = {{"t", 0}, {"t", 1}};
    std::vector<batch_ptr> got;
    std::size_t cursor = 0;
    acc.drain(parts, cursor, 1 << 20, t0 + 5ms, got);  // Java does the same: one request anyway
    EXPECT_EQ(got.size(), 2u);
}

TEST(accumulator, a_retried_batch_waits_for_its_backoff_and_goes_back_in_front) {
    outcomes out;
    accumulator acc(small_batches());
    for (int i = 0; i < 9; ++i) append_ok(acc, out, "t", 0, value100, t0);  // 8 + 1
    batch_ptr b = drain_one(acc, {"t", 0}, t0);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->record_count(), 8);
    acc.reenqueue(std::move(b), t0 + 100ms);
    EXPECT_EQ(acc.queued_batches({"t", 0}), 2u);
    std::vector<topic_partition_view> ready;
    EXPECT_EQ(acc.ready(t0 + 50ms, ready), t0 + 100ms);
    EXPECT_TRUE(ready.empty());
    EXPECT_FALSE(drain_one(acc, {"t", 0}, t0 + 99ms));
    batch_ptr again = drain_one(acc, {"t", 0}, t0 + 100ms);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->record_count(), 8);
    EXPECT_EQ(again->attempts(), 1);
    acc.complete(std::move(again), 0);
    EXPECT_EQ(out[0].d.offset, 0);
    EXPECT_FALSE(out[8].called);
}

TEST(accumulator, retries_are_put_back_in_sequence_order_ahead_of_new_batches) {
    outcomes out;
    sequence_tracker seq;
    seq.set_producer_id({1000, 0});
    accumulator acc(small_batches(), &seq);
    for (int i = 0; i < 8 * 3 + 1; ++i) append_ok(acc, out, "t", 0, value100, t0);  // 3 full + 1 open
    batch_ptr a = drain_one(acc, {"t", 0}, t0);
    batch_ptr b = drain_one(acc, {"t", 0}, t0);
    batch_ptr c = drain_one(acc, {"t", 0}, t0);
    ASSERT_TRUE(a && b && c);
    EXPECT_EQ(a->base_sequence(), 0);
    EXPECT_EQ(b->base_sequence(), 8);
    EXPECT_EQ(c->base_sequence(), 16);
    // Responses for the three fail in any order; the queue ends up 0, 8, 16, then the new batch.
    acc.reenqueue(std::move(c), t0);
    acc.reenqueue(std::move(a), t0);
    acc.reenqueue(std::move(b), t0);
    EXPECT_EQ(acc.queued_batches({"t", 0}), 4u);
    batch_ptr r0 = drain_one(acc, {"t", 0}, t0);
    ASSERT_TRUE(r0);
    EXPECT_EQ(r0->base_sequence(), 0);
    // A retry goes alone: the next one waits until the first in flight is answered.
    EXPECT_FALSE(drain_one(acc, {"t", 0}, t0));
    seq.on_success(*r0, 500);
    acc.complete(std::move(r0), 500);
    batch_ptr r1 = drain_one(acc, {"t", 0}, t0);
    ASSERT_TRUE(r1);
    EXPECT_EQ(r1->base_sequence(), 8);
    seq.on_success(*r1, 508);
    acc.complete(std::move(r1), 508);
    batch_ptr r2 = drain_one(acc, {"t", 0}, t0);
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->base_sequence(), 16);
    seq.on_success(*r2, 516);
    acc.complete(std::move(r2), 516);
    batch_ptr fresh = drain_one(acc, {"t", 0}, t0);
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->base_sequence(), 24);
    EXPECT_EQ(fresh->record_count(), 1);
    seq.on_success(*fresh, 524);
    acc.complete(std::move(fresh), 524);
    for (std::size_t i = 0; i < 25; ++i) EXPECT_EQ(out[i].d.offset, static_cast<std::int64_t>(500 + i)) << i;
}

TEST(accumulator, without_idempotence_a_retry_goes_to_the_front) {
    outcomes out;
    accumulator acc(small_batches());
    for (int i = 0; i < 8 * 2; ++i) append_ok(acc, out, "t", 0, value100, t0);
    batch_ptr a = drain_one(acc, {"t", 0}, t0);
    acc.reenqueue(std::move(a), t0);
    batch_ptr again = drain_one(acc, {"t", 0}, t0);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->attempts(), 1);
}

TEST(accumulator, batches_past_delivery_timeout_fail_with_timed_out) {
    outcomes out;
    accumulator_config cfg = small_batches();
    cfg.delivery_timeout = 100ms;
    accumulator acc(cfg);
    append_ok(acc, out, "t", 0, "a", t0);
    append_ok(acc, out, "t", 0, "b", t0);
    append_ok(acc, out, "t", 1, "c", t0 + 50ms);
    std::vector<topic_partition_view> ready;
    EXPECT_EQ(acc.expire(t0 + 99ms), 0u);
    EXPECT_EQ(acc.expire(t0 + 100ms), 1u);
    EXPECT_EQ(out[0].ec, make_error_code(client_errc::timed_out));
    EXPECT_EQ(out[1].ec, make_error_code(client_errc::timed_out));
    EXPECT_EQ(out[1].d.partition, 0);
    EXPECT_EQ(out[1].d.offset, -1);
    EXPECT_FALSE(out[2].called);
    EXPECT_EQ(acc.memory_used(), 1024u);
    EXPECT_EQ(acc.ready(t0 + 100ms, ready), t0 + 150ms);  // c's delivery timeout is the next deadline
    EXPECT_TRUE(acc.reached_delivery_timeout(*drain_one(acc, {"t", 1}, t0 + 150ms), t0 + 150ms));
}

TEST(accumulator, log_append_time_replaces_the_create_time_in_reports) {
    outcomes out;
    accumulator acc(small_batches());
    append_ok(acc, out, "t", 0, "a", t0, 111);
    append_ok(acc, out, "t", 0, "b", t0, 222);
    acc.complete(drain_one(acc, {"t", 0}, t0), 7, 999);
    EXPECT_EQ(out[0].d.timestamp, 999);
    EXPECT_EQ(out[1].d.offset, 8);
    append_ok(acc, out, "t", 0, "c", t0, 333);
    acc.complete(drain_one(acc, {"t", 0}, t0), -1);  // acks=0
    EXPECT_EQ(out[2].d.offset, -1);
    EXPECT_EQ(out[2].d.timestamp, 333);
    EXPECT_FALSE(out[2].ec);
}

TEST(accumulator, a_dropped_batch_hands_its_records_to_the_orphan_sink_and_returns_its_memory) {
    outcomes out;
    orphaned_records got;
    accumulator acc(small_batches());
    acc.set_orphan_sink([&](orphaned_records&& r) {
        for (orphaned_record& x : r) got.push_back(std::move(x));
    });
    append_ok(acc, out, "t", 0, "a", t0, 111);
    batch_ptr b = drain_one(acc, {"t", 0}, t0);
    b.reset();
    EXPECT_FALSE(out[0].called);  // not by the thread that dropped it
    EXPECT_EQ(acc.memory_used(), 0u);
    EXPECT_FALSE(acc.has_incomplete());
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].partition, 0);
    fail_orphans(got, client_errc::connection_closed);
    EXPECT_EQ(out[0].calls, 1);
    EXPECT_EQ(out[0].ec, make_error_code(client_errc::connection_closed));
    EXPECT_EQ(out[0].d.timestamp, 111);
    EXPECT_EQ(out[0].d.offset, -1);
}

TEST(accumulator, destroying_it_hands_queued_records_to_the_sink_and_abort_fails_them_with_the_cause) {
    outcomes out;
    orphaned_records got;
    {
        accumulator acc(small_batches());
        acc.set_orphan_sink([&](orphaned_records&& r) {
            for (orphaned_record& x : r) got.push_back(std::move(x));
        });
        append_ok(acc, out, "t", 0, "a", t0);
        append_ok(acc, out, "t", 1, "b", t0);
        acc.abort_undrained(make_error_code(broker_errc::producer_fenced));
        EXPECT_FALSE(acc.has_undrained());
        append_ok(acc, out, "t", 0, "c", t0);
    }
    EXPECT_EQ(out[0].ec, make_error_code(broker_errc::producer_fenced));
    EXPECT_EQ(out[1].ec, make_error_code(broker_errc::producer_fenced));
    EXPECT_FALSE(out[2].called);  // not from the destructor
    ASSERT_EQ(got.size(), 1u);
    fail_orphans(got, client_errc::connection_closed);
    EXPECT_EQ(out[2].ec, make_error_code(client_errc::connection_closed));
}

TEST(accumulator, batches_released_on_other_threads_complete_their_records_on_the_strand) {
    // The producer's sink (sender.cpp) posts to its strand; this one does the same.
    asio::io_context ioc;
    auto strand = asio::make_strand(ioc);
    struct seen_by {
        int calls = 0;
        bool on_strand = false;
        std::thread::id thread;
        error_code ec;
    };
    seen_by seen[2];
    accumulator acc(small_batches());
    acc.set_orphan_sink([strand](orphaned_records&& r) {
        asio::post(strand, [r = std::move(r)]() mutable { fail_orphans(r, client_errc::connection_closed); });
    });
    for (int p = 0; p < 2; ++p) {
        auto* s = &seen[p];
        const record r = make_record("t", p, std::nullopt, "v");
        ASSERT_EQ(acc.append(r, 2, 1000, t0, [s, &strand](error_code ec, const delivery&) {
                      ++s->calls;
                      s->on_strand = strand.running_in_this_thread();
                      s->thread = std::this_thread::get_id();
                      s->ec = ec;
                  }).status,
                  append_status::appended);
    }
    batch_ptr b0 = drain_one(acc, {"t", 0}, t0);
    batch_ptr b1 = drain_one(acc, {"t", 1}, t0);
    ASSERT_TRUE(b0 && b1);
    std::thread drop0([&] { b0.reset(); });
    std::thread drop1([&] { b1.reset(); });
    drop0.join();
    drop1.join();
    EXPECT_EQ(seen[0].calls + seen[1].calls, 0);
    EXPECT_FALSE(acc.has_incomplete());
    ioc.run();
    for (const auto& s : seen) {
        EXPECT_EQ(s.calls, 1);
        EXPECT_TRUE(s.on_strand);
        EXPECT_EQ(s.thread, std::this_thread::get_id());
        EXPECT_EQ(s.ec, make_error_code(client_errc::connection_closed));
    }
}

TEST(accumulator, drained_batches_are_sealed_and_decode_to_the_records_sent) {
    outcomes out;
    for (auto codec : {compression::codec::none, compression::codec::zstd, compression::codec::lz4}) {
        accumulator_config cfg = small_batches();
        cfg.compression = codec;
        sequence_tracker seq;
        seq.set_producer_id({42, 3});
        accumulator acc(cfg, &seq);
            const record_header hs[] = {{"h", bytes_of("1")}, {"n", std::nullopt}};
        for (int i = 0; i < 5; ++i) {
            const std::string v = "value-" + std::to_string(i);
            const std::string k = "key-" + std::to_string(i);
            const record r = make_record("t", 0, k, v, hs);
            ASSERT_EQ(acc.append(r, 1, 1000 + i, t0, out.handler()).status, append_status::appended);
        }
        batch_ptr b = drain_one(acc, {"t", 0}, t0);
        ASSERT_TRUE(b && b->sealed());
        if (codec != compression::codec::none) {
            EXPECT_EQ(acc.memory_used(), 1024 + b->bytes().size());
        }
        protocol::record_batch_decoder d(b->bytes());
        protocol::byte_buffer scratch;
        ASSERT_TRUE(d.next_batch(scratch)) << d.error().message();
        EXPECT_EQ(d.header().codec(), codec);
        EXPECT_EQ(d.header().producer_id, 42);
        EXPECT_EQ(d.header().producer_epoch, 3);
        EXPECT_EQ(d.header().base_sequence, 0);
        protocol::record_view rv;
        int n = 0;
        while (d.next_record(rv)) {
            EXPECT_EQ(sv(*rv.key), "key-" + std::to_string(n));
            EXPECT_EQ(sv(*rv.value), "value-" + std::to_string(n));
            EXPECT_EQ(rv.timestamp, 1000 + n);
            EXPECT_EQ(rv.headers.size(), 2u);
            ++n;
        }
        EXPECT_FALSE(d.error());
        EXPECT_EQ(n, 5);
        acc.complete(std::move(b), 0);
        EXPECT_EQ(acc.memory_used(), 0u);
    }
}

TEST(accumulator, many_threads_append_concurrently_without_losing_or_reordering_records) {
    accumulator_config cfg = small_batches();
    cfg.buffer_memory = std::size_t{64} << 20;
    accumulator acc(cfg);
    constexpr int threads = 4, per_thread = 20000, partitions = 8;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                const std::string v = std::to_string(t) + ":" + std::to_string(i);
                const record r = make_record("t", (t + i) % partitions, std::nullopt, v);
                EXPECT_EQ(acc.append(r, partitions, 0, t0, {}).status, append_status::appended);
            }
        });
    }
    for (auto& th : pool) th.join();
    EXPECT_EQ(acc.records_appended(), static_cast<std::uint64_t>(threads * per_thread));  // no count lost either
    std::vector<topic_partition_view> parts;
    for (std::int32_t p = 0; p < partitions; ++p) parts.push_back({"t", p});
    int total = 0;
    std::vector<std::vector<int>> last(partitions, std::vector<int>(threads, -1));
    for (;;) {
        std::vector<batch_ptr> got;
        std::size_t cursor = 0;
        acc.drain(parts, cursor, 1 << 30, t0, got);
        if (got.empty()) break;
        for (auto& b : got) {
            protocol::record_batch_decoder d(b->bytes());
            protocol::byte_buffer scratch;
            ASSERT_TRUE(d.next_batch(scratch));
            protocol::record_view rv;
            while (d.next_record(rv)) {
                const auto s = sv(*rv.value);
                const int t = std::stoi(std::string(s.substr(0, s.find(':'))));
                const int i = std::stoi(std::string(s.substr(s.find(':') + 1)));
                int& prev = last[static_cast<std::size_t>(b->topic_partition().partition)][static_cast<std::size_t>(t)];
                EXPECT_GT(i, prev);
                prev = i;
                ++total;
            }
            acc.complete(std::move(b), 0);
        }
    }
    EXPECT_EQ(total, threads * per_thread);
    EXPECT_EQ(acc.memory_used(), 0u);
}

TEST(accumulator, appends_blocked_on_memory_resume_when_a_concurrent_sender_frees_it) {
    // Two threads send into 16 KiB of buffer memory while a third drains and completes: every
    // would_block is followed by a memory notification (no lost wakeup), every record is
    // delivered once, in order per partition.
    accumulator_config cfg = small_batches();
    cfg.buffer_memory = 16 * 1024;
    cfg.max_in_flight_per_partition = 1;
    accumulator acc(cfg);
    std::mutex mu;
    std::condition_variable cv;
    std::uint64_t generation = 0;
    acc.set_memory_listener([&] {
        std::lock_guard lock(mu);
        ++generation;
        cv.notify_all();
    });
    constexpr int threads = 2, per_thread = 5000, partitions = 4;
    std::atomic<int> delivered{0};
    std::atomic<int> blocked{0};
    std::vector<std::vector<int>> last(threads, std::vector<int>(partitions, -1));
    std::atomic<bool> out_of_order{false};
    std::vector<std::thread> senders;
    for (int t = 0; t < threads; ++t) {
        senders.emplace_back([&, t] {
            const std::string v(100, 'x');
            for (int i = 0; i < per_thread; ++i) {
                const std::int32_t p = i % partitions;
                const record r = make_record("t", p, std::nullopt, v);
                for (;;) {
                    std::uint64_t seen;
                    {
                        std::lock_guard lock(mu);
                        seen = generation;
                    }
                    delivery_handler h = [&, t, i, p](error_code ec, const delivery&) {
                        EXPECT_FALSE(ec);
                        int& prev = last[static_cast<std::size_t>(t)][static_cast<std::size_t>(p)];
                        if (i <= prev) out_of_order = true;
                        prev = i;
                        ++delivered;
                    };
                    const append_result res = acc.append(r, partitions, 0, t0, std::move(h));
                    if (res.status == append_status::appended) break;
                    ASSERT_EQ(res.status, append_status::would_block);
                    ++blocked;
                    std::unique_lock lock(mu);
                    ASSERT_TRUE(cv.wait_for(lock, 30s, [&] { return generation != seen; })) << "lost wakeup";
                }
            }
        });
    }
    std::thread sender([&] {
        std::vector<topic_partition_view> ready;
        std::vector<batch_ptr> got;
        std::size_t cursor = 0;
        while (delivered.load() < threads * per_thread) {
            ready.clear();
            acc.ready(t0 + 1s, ready);  // past linger: whatever is queued is sent
            got.clear();
            acc.drain(ready, cursor, 1 << 20, t0 + 1s, got);
            for (auto& b : got) acc.complete(std::move(b), 0);
            std::this_thread::yield();
        }
    });
    for (auto& th : senders) th.join();
    sender.join();
    EXPECT_EQ(delivered.load(), threads * per_thread);
    EXPECT_FALSE(out_of_order.load());
    EXPECT_GT(blocked.load(), 0);  // the bound was actually hit
    EXPECT_EQ(acc.memory_used(), 0u);
}

}  // namespace
}  // namespace kasio::detail::producer

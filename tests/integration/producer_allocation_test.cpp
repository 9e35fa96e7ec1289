// Issue 20: a warm producer allocates nothing per record through the public call,
// producer::async_send, with a coroutine's use_awaitable, with a plain callback, and with
// use_future (nothing beyond the future's own shared state), end to end against librdkafka's
// mock cluster: appending, the Produce requests, the responses and the completions.
//
// Counted: every global operator new (replaced in this test binary only) and aligned_alloc,
// which Asio's recycling allocator calls when its per-thread cache misses (the coroutine
// frames of use_awaitable, any_completion_handler, executor_function). librdkafka's mock
// allocates with malloc on its own threads and is not counted.
//
// Each Produce request allocates a little in the network layer (strand executors type-erased
// for a write or a timer, ...), so a count per record must not count those. Each case therefore
// runs in rounds of exactly one Produce request: `width` sends outstanding in one partition
// (linger.ms long enough that nothing goes out unasked), flushed together, each delivery then
// sending the next record (a coroutine's loop, a callback's). After warm rounds, it counts the
// allocations of a number of rounds once with 4 records a round and once with 64: the same
// requests, 60 more records each. The difference is what those records cost: 0 (for
// use_future: its shared states). A request's own count varies by a few between runs (about
// 90 each, give or take a read split in two), so the difference may be off by one allocation
// per 100 records: an allocation per record, or even per 50 records, fails the test.
#include "producer_test_support.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <cstdlib>
#include <exception>
#include <future>
#include <new>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

namespace {
std::atomic<long> allocations{0};

void* counted_alloc(std::size_t n, std::size_t align) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    void* p = nullptr;
    if (align <= alignof(std::max_align_t)) p = std::malloc(n == 0 ? 1 : n);
    else if (posix_memalign(&p, align, n == 0 ? 1 : n) != 0) p = nullptr;
    return p;
}
}  // namespace

void* operator new(std::size_t n) {
    if (void* p = counted_alloc(n, 0)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a) {
    if (void* p = counted_alloc(n, static_cast<std::size_t>(a))) return p;
    throw std::bad_alloc();
}
// Inlined into a new-expression, free() looks mismatched to GCC; it is what counted_alloc used.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop
// Asio's aligned_new (its recycling allocator's fallback) calls std::aligned_alloc; defined
// here, it replaces the C library's for the whole process.
extern "C" void* aligned_alloc(std::size_t align, std::size_t n) noexcept {
    return counted_alloc(n, align < alignof(void*) ? alignof(void*) : align);
}

namespace kasio::test {
namespace {

namespace asio = boost::asio;

constexpr std::size_t narrow = 4, wide = 64;  // records a round (one Produce request)
constexpr std::size_t warm_rounds = 50, counted_rounds = 200;
// The per-request noise allowed: 1 per 100 of the records the wide rounds add (120).
constexpr long noise = static_cast<long>(counted_rounds * (wide - narrow) / 100);

class producer_allocations : public mock_cluster_test {
public:  // the callback case's handler reaches its members through a pointer
    void SetUp() override {
        mock_cluster_test::SetUp();
        ASSERT_EQ(cluster().create_topic("alloc", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
        cfg.bootstrap_servers = {cluster().bootstrap()};
        cfg.linger = std::chrono::seconds(60);  // a batch goes out when flushed, not before
        for (std::size_t i = 0; i < 1000; ++i) keys.push_back("key-" + std::to_string(100000 + i));
    }

    // Record i: keyed, a 100-byte value. Views into this fixture.
    record make(std::size_t i) const {
        record r;
        r.topic = "alloc";
        r.key = bytes_of(keys[i % keys.size()]);
        r.value = bytes_of(value);
        return r;
    }

    // One phase of `width` sends a round on `io` (run by this thread): `start` begins the
    // senders, which call send_next() until it returns false. Flushes each round once all its
    // records are sent. Returns the allocations made during counted_rounds rounds, from the
    // flush that starts the first counted round to the flush that starts the one after the last.
    template <class Start>
    long run_phase(asio::io_context& io, producer& p, std::size_t w, Start start) {
        width = w;
        total = width * (warm_rounds + counted_rounds + 1);
        issued = done = failed = 0;
        long at_start = -1, at_end = -1;
        std::size_t flushes = 0;
        start();
        for (long steps = 0; done < total && steps < 10'000'000; ++steps) {
            if (issued == (flushes + 1) * width) {
                if (flushes == warm_rounds) at_start = allocations.load();
                if (flushes == warm_rounds + counted_rounds) at_end = allocations.load();
                ++flushes;
                p.async_flush([this](error_code ec) { failed += ec ? 1 : 0; });
            }
            io.run_one();
        }
        EXPECT_EQ(done, total);
        EXPECT_EQ(failed, 0u);
        return at_end - at_start;
    }

    // The next record's number, or false when the phase has sent them all.
    bool send_next(std::size_t& i) {
        if (issued == total) return false;
        i = issued++;
        return true;
    }
    void delivered(const error_code& ec) {
        if (ec) ++failed;
        ++done;
    }

    producer_config cfg;
    std::vector<std::string> keys;
    std::string value = std::string(100, 'v');
    std::size_t width = 0, total = 0, issued = 0, done = 0, failed = 0;
};

TEST_F(producer_allocations, co_await_async_send_with_use_awaitable_allocates_nothing_per_record) {
    asio::io_context io;
    producer p(io.get_executor(), cfg);
    // One coroutine per outstanding send: it awaits the delivery, then sends the next record.
    auto send_loop = [this, &p]() -> asio::awaitable<void> {
        for (std::size_t i = 0; send_next(i);) {
            const record r = make(i);
            const auto [ec, d] = co_await p.async_send(r, asio::as_tuple(asio::use_awaitable));
            delivered(ec);
        }
    };
    auto start = [&] {
        for (std::size_t i = 0; i < width; ++i)
            asio::co_spawn(io, send_loop(), [](const std::exception_ptr& e) {
                if (e) std::rethrow_exception(e);
            });
    };
    const long few = run_phase(io, p, narrow, start);
    const long many = run_phase(io, p, wide, start);
    EXPECT_LE(std::abs(many - few), noise) << counted_rounds << " requests of " << narrow << " records allocated " << few << " times, of "
                         << wide << " records " << many << " times";
}

// Plain callbacks: each delivery sends the next record from the callback (on the producer's
// strand), as kasio-perf does.
TEST_F(producer_allocations, async_send_with_a_callback_allocates_nothing_per_record) {
    asio::io_context io;
    producer p(io.get_executor(), cfg);
    struct on_delivery {
        producer_allocations* self;
        producer* p;
        void operator()(error_code ec, const delivery&) const {
            self->delivered(ec);
            if (std::size_t i = 0; self->send_next(i)) p->async_send(self->make(i), *this);
        }
    };
    auto start = [&] {
        for (std::size_t i = 0, n = 0; n < width && send_next(i); ++n) p.async_send(make(i), on_delivery{this, &p});
    };
    const long few = run_phase(io, p, narrow, start);
    const long many = run_phase(io, p, wide, start);
    EXPECT_LE(std::abs(many - few), noise) << counted_rounds << " requests of " << narrow << " records allocated " << few << " times, of "
                         << wide << " records " << many << " times";
}

// use_future: a future's shared state is allocated per call by its nature; async_send adds
// nothing to it. The io_context runs on this thread too, until the futures are ready, so that
// no allocation moves between two threads' recycling caches (which makes the count of a round
// vary with timing).
TEST_F(producer_allocations, async_send_with_use_future_allocates_only_the_future_state) {
    // What the token itself costs per call: an operation that completes at once.
    const long token_before = allocations.load();
    asio::async_initiate<const asio::use_future_t<>&, void(error_code, delivery)>(
        [](auto handler) { std::move(handler)(error_code{}, delivery{}); }, asio::use_future)
        .get();
    const long per_future = allocations.load() - token_before;
    ASSERT_GT(per_future, 0);

    asio::io_context io;
    producer p(io.get_executor(), cfg);
    std::vector<std::future<delivery>> futures;
    futures.reserve(wide);
    std::size_t next = 0;
    auto ready = [](const std::future<delivery>& f) { return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready; };
    auto phase = [&](std::size_t w) {
        long at_start = -1;
        for (std::size_t round = 0; round < warm_rounds + counted_rounds; ++round) {
            if (round == warm_rounds) at_start = allocations.load();
            futures.clear();
            while (futures.size() < w) futures.push_back(p.async_send(make(next++), asio::use_future));
            p.async_flush([](error_code) {});
            for (std::future<delivery>& f : futures) {
                for (long steps = 0; !ready(f) && steps < 1'000'000; ++steps) io.run_one();
                try {
                    f.get();
                } catch (const std::system_error& e) {
                    ADD_FAILURE() << e.what();
                }
            }
        }
        return allocations.load() - at_start;
    };
    const long few = phase(narrow);
    const long many = phase(wide);
    EXPECT_LE(std::abs(many - few - static_cast<long>(counted_rounds * (wide - narrow)) * per_future), noise)
        << per_future << " allocations per future; " << counted_rounds << " requests of " << narrow
        << " records allocated " << few << " times, of " << wide << " records " << many << " times";
}

}  // namespace
}  // namespace kasio::test

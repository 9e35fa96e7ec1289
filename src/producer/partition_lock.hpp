#pragma once
// The lock of one partition queue: held for one record's encoding or one batch's hand-over,
// never across I/O, compression or a callback. Taking and releasing std::mutex cost ~70
// instructions and two locked operations per record (callgrind, issue 20); this one costs one
// exchange to take and a plain release store to give back. A thread that finds it taken spins
// briefly, then yields: on a machine with fewer cores than senders the holder may be
// descheduled, and spinning on would only delay it.
#include <atomic>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace kasio::detail::producer {

/// Meets the Lockable requirements (std::lock_guard, std::unique_lock). Not recursive.
class partition_lock {
public:
    void lock() noexcept {
        if (!locked_.exchange(true, std::memory_order_acquire)) return;
        lock_contended();
    }
    bool try_lock() noexcept {
        return !locked_.load(std::memory_order_relaxed) && !locked_.exchange(true, std::memory_order_acquire);
    }
    void unlock() noexcept { locked_.store(false, std::memory_order_release); }

private:
    void lock_contended() noexcept {
        int spins = 0;
        do {
            // Read-only while taken: waiters do not pull the line away from the holder.
            while (locked_.load(std::memory_order_relaxed)) {
                if (spins < 64) {
                    ++spins;
                    pause();
                } else {
                    std::this_thread::yield();
                }
            }
        } while (locked_.exchange(true, std::memory_order_acquire));
    }
    static void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
        _mm_pause();
#endif
    }

    std::atomic<bool> locked_{false};
};

}  // namespace kasio::detail::producer

// A replaced global operator new that calls a hook at the first large allocation once armed
// (large_allocation_hook.cpp; link it into one test binary only). In a file of its own: inlined
// into a test's code, g++ 12 takes its malloc/free pair for a new/free mismatch.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>

namespace kasio::test {

struct large_allocation_hook {
    /// Allocations of at least this many bytes trigger the hook.
    static std::atomic<std::size_t> threshold;
    /// Set before arming; disarmed by the allocation that calls it (which waits for it).
    static std::function<void()> on_allocation;
    static std::atomic<bool> armed;
};

}  // namespace kasio::test

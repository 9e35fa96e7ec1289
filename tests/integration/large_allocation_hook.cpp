// See large_allocation_hook.hpp.
#include "large_allocation_hook.hpp"

#include <cstdlib>
#include <new>

namespace kasio::test {

std::atomic<std::size_t> large_allocation_hook::threshold{~std::size_t{0}};
std::function<void()> large_allocation_hook::on_allocation;
std::atomic<bool> large_allocation_hook::armed{false};

}  // namespace kasio::test

void* operator new(std::size_t n) {
    using kasio::test::large_allocation_hook;
    if (n >= large_allocation_hook::threshold.load() && large_allocation_hook::armed.exchange(false))
        large_allocation_hook::on_allocation();
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

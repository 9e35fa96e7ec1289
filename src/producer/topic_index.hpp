#pragma once
// An insert-only map from topic name to a stable T*, read without a lock: the accumulator's
// per-record lookup costs a hash and an acquire load instead of a shared lock whose cache
// line every sending thread would write.
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace kasio::detail::producer {

/// T has a `name` member convertible to std::string_view, fixed once inserted.
///
/// Thread safety: find() from any thread at any time; insert() by one thread at a time (the
/// owner's mutex), concurrently with find(). A lookup racing an insert may miss the new entry
/// (the caller then takes its lock and looks again). Entries and tables are never freed while
/// the index lives, so a reader never sees freed memory; tables double, so the retired ones
/// add up to less than the current one.
template <class T>
class topic_index {
public:
    topic_index() { publish(8); }

    T* find(std::string_view name) const noexcept {
        const table* t = current_.load(std::memory_order_acquire);
        for (std::size_t i = hash(name) & t->mask;; i = (i + 1) & t->mask) {
            T* e = t->slots[i].load(std::memory_order_acquire);
            if (e == nullptr) return nullptr;
            if (std::string_view(e->name) == name) return e;
        }
    }

    /// Adds `e`, whose name is not in the index yet.
    void insert(T* e) {
        const table* t = current_.load(std::memory_order_relaxed);
        if (2 * (count_ + 1) > t->mask + 1) {  // keep the load at most 1/2: short probes
            const table* old = t;
            t = publish(2 * (old->mask + 1));
            for (std::size_t i = 0; i <= old->mask; ++i)
                if (T* x = old->slots[i].load(std::memory_order_relaxed)) place(*t, x);
            current_.store(t, std::memory_order_release);
        }
        place(*t, e);
        ++count_;
    }

    std::size_t size() const noexcept { return count_; }

private:
    struct table {
        std::size_t mask;
        std::unique_ptr<std::atomic<T*>[]> slots;
    };

    static std::size_t hash(std::string_view s) noexcept { return std::hash<std::string_view>{}(s); }

    static void place(const table& t, T* e) noexcept {
        std::size_t i = hash(e->name) & t.mask;
        while (t.slots[i].load(std::memory_order_relaxed) != nullptr) i = (i + 1) & t.mask;
        t.slots[i].store(e, std::memory_order_release);
    }

    // Allocates a table of `capacity` (a power of two); the first one is published at once.
    const table* publish(std::size_t capacity) {
        auto t = std::make_unique<table>();
        t->mask = capacity - 1;
        t->slots = std::make_unique<std::atomic<T*>[]>(capacity);
        for (std::size_t i = 0; i < capacity; ++i) t->slots[i].store(nullptr, std::memory_order_relaxed);
        const table* p = t.get();
        tables_.push_back(std::move(t));
        if (tables_.size() == 1) current_.store(p, std::memory_order_release);
        return p;
    }

    std::atomic<const table*> current_{nullptr};
    std::vector<std::unique_ptr<table>> tables_;  // all, current last
    std::size_t count_ = 0;
};

}  // namespace kasio::detail::producer

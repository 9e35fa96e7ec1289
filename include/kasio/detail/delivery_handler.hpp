#pragma once
// Public (included by <kasio/producer.hpp>) so that async_send can store a plain callback
// without type erasure; the producer internals use it as kasio::detail::producer::delivery_handler.
// The per-record completion of a send: a move-only `void(error_code, const delivery&)` kept
// inline when small, so that queueing a record's completion costs no heap allocation.
//
// Trade-off (why not the alternatives):
// - std::function / asio::any_completion_handler per record: a heap allocation per record
//   for anything but the smallest targets (std::function's inline buffer is 16 bytes in
//   libstdc++ and requires a copyable target).
// - One callback per batch plus the record index (librdkafka's dr_msg_cb with a per-message
//   opaque): the cheapest (8 bytes a record), but every send must route through one
//   producer-wide function; a per-send handler (a coroutine's, a future's) then needs its own
//   allocation anyway to be found from the opaque.
// - This: 32 bytes inline (4 pointers: a producer-wide function plus opaque, a lambda with a
//   few captures; a coroutine's use_awaitable handler is 1 pointer, use_future's and an
//   asio::any_completion_handler 2) and a pointer to a static table of operations; larger or
//   over-aligned targets go to the heap (producer::async_send erases those first into an
//   any_completion_handler, which Asio allocates with its recycling allocator). Batches take
//   their slots in chunks from a pool the accumulator keeps (producer_batch.hpp), so a warm
//   producer stores a completion without allocating. Cost: 40 bytes a record (48 with the
//   timestamp kept beside it), outside buffer.memory like the Java client's per-record futures.
#include <kasio/error.hpp>
#include <kasio/record.hpp>

#include <concepts>
#include <cstddef>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace kasio::detail {

class delivery_handler {
public:
    static constexpr std::size_t inline_size = 4 * sizeof(void*);

    delivery_handler() noexcept = default;

    template <class F>
        requires(!std::same_as<std::remove_cvref_t<F>, delivery_handler> &&
                 std::invocable<std::remove_cvref_t<F>&&, error_code, const delivery&>)
    delivery_handler(F&& f) {  // NOLINT(google-explicit-constructor): handlers convert implicitly
        using T = std::remove_cvref_t<F>;
        if constexpr (fits_inline<T>) {
            ::new (static_cast<void*>(storage_)) T(std::forward<F>(f));
            ops_ = &inline_ops<T>;
        } else {
            T* p = new T(std::forward<F>(f));
            std::memcpy(storage_, &p, sizeof p);
            ops_ = &heap_ops<T>;
        }
    }

    delivery_handler(delivery_handler&& other) noexcept : ops_(other.ops_) {
        if (ops_ != nullptr) ops_->relocate(other.storage_, storage_);
        other.ops_ = nullptr;
    }
    delivery_handler& operator=(delivery_handler&& other) noexcept {
        if (this != &other) {
            reset();
            ops_ = other.ops_;
            if (ops_ != nullptr) ops_->relocate(other.storage_, storage_);
            other.ops_ = nullptr;
        }
        return *this;
    }
    delivery_handler(const delivery_handler&) = delete;
    delivery_handler& operator=(const delivery_handler&) = delete;
    ~delivery_handler() { reset(); }

    explicit operator bool() const noexcept { return ops_ != nullptr; }

    /// Calls the target once (as an rvalue, as Asio handlers want) and empties the handler.
    /// An empty handler does nothing.
    void operator()(error_code ec, const delivery& d) {
        if (ops_ == nullptr) return;
        const ops* o = std::exchange(ops_, nullptr);
        o->invoke_and_destroy(storage_, ec, d);
    }

    void reset() noexcept {
        if (ops_ != nullptr) std::exchange(ops_, nullptr)->destroy(storage_);
    }

    /// True when a target of type T is stored without allocating.
    template <class T>
    static constexpr bool fits_inline = sizeof(T) <= inline_size && alignof(T) <= alignof(void*) &&
                                        std::is_nothrow_move_constructible_v<T>;

private:
    struct ops {
        void (*invoke_and_destroy)(void* self, error_code ec, const delivery& d);
        void (*relocate)(void* from, void* to) noexcept;  // move-construct into `to`, destroy `from`
        void (*destroy)(void* self) noexcept;
    };

    template <class T>
    static constexpr ops inline_ops = {
        [](void* self, error_code ec, const delivery& d) {
            T& t = *std::launder(static_cast<T*>(self));
            // Destroy even if the target throws (kasio itself never throws).
            struct guard {
                T& t;
                ~guard() { std::destroy_at(&t); }
            } g{t};
            std::invoke(std::move(t), ec, d);
        },
        [](void* from, void* to) noexcept {
            T& src = *std::launder(static_cast<T*>(from));
            ::new (to) T(std::move(src));
            std::destroy_at(&src);
        },
        [](void* self) noexcept { std::destroy_at(std::launder(static_cast<T*>(self))); },
    };

    template <class T>
    static T* heap_target(void* self) noexcept {
        T* p;
        std::memcpy(&p, self, sizeof p);
        return p;
    }

    template <class T>
    static constexpr ops heap_ops = {
        [](void* self, error_code ec, const delivery& d) {
            struct guard {
                T* p;
                ~guard() { delete p; }
            } g{heap_target<T>(self)};
            std::invoke(std::move(*g.p), ec, d);
        },
        [](void* from, void* to) noexcept { std::memcpy(to, from, sizeof(T*)); },
        [](void* self) noexcept { delete heap_target<T>(self); },
    };

    alignas(void*) unsigned char storage_[inline_size];
    const ops* ops_ = nullptr;
};

}  // namespace kasio::detail

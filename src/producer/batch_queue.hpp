#pragma once
// A partition's batches, oldest first: a ring buffer that keeps its capacity, so that queueing
// batches allocates nothing once a partition has been busy (std::deque frees and allocates
// blocks as it moves). Not thread-safe: the partition lock guards it.
//
// Ownership: the queue owns the batches it holds (batch_ptr: dropping one returns it to the
// accumulator). pop_front() hands ownership to the caller, the drained batch's Produce call;
// operator[], front() and back() only lend a batch, for as long as the lock is held.
#include "producer/producer_batch.hpp"

#include <cstddef>
#include <utility>
#include <vector>

namespace kasio::detail::producer {

class batch_queue {
public:
    bool empty() const noexcept { return size_ == 0; }
    std::size_t size() const noexcept { return size_; }
    /// Index 0 is the front (oldest). Precondition: i < size().
    producer_batch* operator[](std::size_t i) const noexcept { return ring_[(head_ + i) & mask()].get(); }
    producer_batch* front() const noexcept { return (*this)[0]; }
    producer_batch* back() const noexcept { return (*this)[size_ - 1]; }

    void push_back(batch_ptr b) {
        if (size_ == ring_.size()) grow();
        ring_[(head_ + size_) & mask()] = std::move(b);
        ++size_;
    }
    void push_front(batch_ptr b) { insert(0, std::move(b)); }
    batch_ptr pop_front() noexcept {
        batch_ptr b = std::move(ring_[head_]);
        head_ = (head_ + 1) & mask();
        --size_;
        return b;
    }
    /// Inserts before index i (i == size() appends), moving the later ones back.
    void insert(std::size_t i, batch_ptr b) {
        if (size_ == ring_.size()) grow();
        head_ = (head_ + ring_.size() - 1) & mask();  // open a slot at the front
        ++size_;
        for (std::size_t k = 0; k < i; ++k) slot(k) = std::move(slot(k + 1));
        slot(i) = std::move(b);
    }

private:
    std::size_t mask() const noexcept { return ring_.size() - 1; }
    batch_ptr& slot(std::size_t i) noexcept { return ring_[(head_ + i) & mask()]; }
    void grow() {
        std::vector<batch_ptr> bigger(ring_.empty() ? 4 : 2 * ring_.size());
        for (std::size_t k = 0; k < size_; ++k) bigger[k] = std::move(slot(k));
        ring_ = std::move(bigger);
        head_ = 0;
    }

    std::vector<batch_ptr> ring_;  // size a power of two (or 0); empty slots are null
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

}  // namespace kasio::detail::producer

#pragma once
// A partition's batches, oldest first: a ring buffer of pointers that keeps its capacity, so
// that queueing batches allocates nothing once a partition has been busy (std::deque frees
// and allocates blocks as it moves). Not thread-safe: the partition lock guards it.
#include <cstddef>
#include <utility>
#include <vector>

namespace kasio::detail::producer {

class producer_batch;

class batch_queue {
public:
    bool empty() const noexcept { return size_ == 0; }
    std::size_t size() const noexcept { return size_; }
    /// Index 0 is the front (oldest). Precondition: i < size().
    producer_batch* operator[](std::size_t i) const noexcept { return ring_[(head_ + i) & mask()]; }
    producer_batch* front() const noexcept { return (*this)[0]; }
    producer_batch* back() const noexcept { return (*this)[size_ - 1]; }

    void push_back(producer_batch* b) {
        if (size_ == ring_.size()) grow();
        ring_[(head_ + size_) & mask()] = b;
        ++size_;
    }
    void push_front(producer_batch* b) { insert(0, b); }
    producer_batch* pop_front() noexcept {
        producer_batch* b = ring_[head_];
        head_ = (head_ + 1) & mask();
        --size_;
        return b;
    }
    /// Inserts before index i (i == size() appends), moving the later ones back.
    void insert(std::size_t i, producer_batch* b) {
        if (size_ == ring_.size()) grow();
        head_ = (head_ + ring_.size() - 1) & mask();  // open a slot at the front
        ++size_;
        for (std::size_t k = 0; k < i; ++k) slot(k) = slot(k + 1);
        slot(i) = b;
    }

private:
    std::size_t mask() const noexcept { return ring_.size() - 1; }
    producer_batch*& slot(std::size_t i) noexcept { return ring_[(head_ + i) & mask()]; }
    void grow() {
        std::vector<producer_batch*> bigger(ring_.empty() ? 4 : 2 * ring_.size());
        for (std::size_t k = 0; k < size_; ++k) bigger[k] = (*this)[k];
        ring_ = std::move(bigger);
        head_ = 0;
    }

    std::vector<producer_batch*> ring_;  // size a power of two (or 0)
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

}  // namespace kasio::detail::producer

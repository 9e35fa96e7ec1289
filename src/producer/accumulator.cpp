// The record accumulator (Java's RecordAccumulator, BufferPool accounting, KIP-794 hooks).
#include "producer/accumulator.hpp"

#include "producer/batch_queue.hpp"
#include "producer/partition_lock.hpp"
#include "producer/sequence_tracker.hpp"

#include <kasio/broker_errc.hpp>

#include <algorithm>

namespace kasio::detail::producer {

// Own cache line: threads appending to different partitions do not share lock words.
struct alignas(64) partition_queue {
    explicit partition_queue(topic_partition_view t) : tp(t) {}
    partition_lock mu;
    batch_queue batches;
    // Records appended here; written under mu only (a relaxed load and store, not a locked
    // add per record), read from any thread for statistics.
    std::atomic<std::uint64_t> appended_records{0};
    std::size_t in_flight = 0;  // drained, not yet released or put back
    const topic_partition_view tp;
};

// Immutable once published; a grown topic gets a new list (the old one is kept).
struct accumulator::partition_list {
    std::vector<partition_queue*> queues;
};

struct accumulator::topic_entry {
    topic_entry(std::string n, std::uint64_t seed) : name(std::move(n)), partitioner(seed) {}
    const std::string name;
    partitioner_state partitioner;
    std::atomic<const partition_list*> partitions{nullptr};
};

namespace {

constexpr std::size_t header_size = protocol::batch_v2::header_size;

// The batch's last record decides: only the last batch of a queue is ever open.
bool all_batches_full(const partition_queue& q) noexcept { return q.batches.empty() || q.batches.back()->full(); }

// Headers as the builder takes them, in a thread's scratch vector that keeps its capacity:
// only a thread's first record with more headers than before allocates. (A stack array of
// them cost every record its zeroing, headers or not.)
std::span<const protocol::record_header_view> convert_headers(std::span<const record_header> in) {
    if (in.empty()) return {};
    thread_local std::vector<protocol::record_header_view> scratch;
    scratch.resize(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) scratch[i] = {in[i].key, in[i].value};
    return scratch;
}

}  // namespace

accumulator::accumulator(accumulator_config cfg, sequence_tracker* tracker)
    : cfg_(std::move(cfg)), partitioner_([&] {
          partitioner_config p = cfg_.partitioner;
          p.sticky_batch_size = cfg_.batch_size;
          return p;
      }()),
      tracker_(tracker) {}

accumulator::~accumulator() {
    // The queues own their batches; their records go to the sink, not to the handlers here:
    // this may run on any thread, inside the application's destructor.
    orphaned_records left;
    for (auto& q : queues_) {
        while (!q->batches.empty()) {
            // Not release(): its memory listener would reach a producer being destroyed.
            producer_batch* b = q->batches.pop_front().release();
            b->take_undelivered(left);
            b->owner_ = nullptr;
            delete b;
        }
    }
    if (!left.empty()) hand_over(std::move(left));
    for (producer_batch* b : pool_) delete b;
}

// --- Topics and partitions ---

accumulator::topic_entry& accumulator::topic(std::string_view name, std::int32_t min_partitions) {
    topic_entry* t = topics_.find(name);
    if (t != nullptr) {
        const partition_list* l = t->partitions.load(std::memory_order_acquire);
        if (l != nullptr && l->queues.size() >= static_cast<std::size_t>(min_partitions)) return *t;
    }
    std::lock_guard lock(structure_mu_);
    t = topics_.find(name);
    if (t == nullptr) {
        const std::uint64_t seed = cfg_.seed ^ std::hash<std::string_view>{}(name);
        topic_storage_.push_back(std::make_unique<topic_entry>(std::string(name), seed));
        t = topic_storage_.back().get();
        topics_.insert(t);
    }
    const partition_list* old = t->partitions.load(std::memory_order_relaxed);
    const std::size_t have = old != nullptr ? old->queues.size() : 0;
    const auto want = static_cast<std::size_t>(std::max(min_partitions, 0));
    if (have < want || old == nullptr) {
        auto l = std::make_unique<partition_list>();
        l->queues.reserve(std::max(have, want));
        if (old != nullptr) l->queues = old->queues;
        for (std::size_t p = have; p < want; ++p) {
            queues_.push_back(std::make_unique<partition_queue>(
                topic_partition_view{t->name, static_cast<std::int32_t>(p)}));
            l->queues.push_back(queues_.back().get());
        }
        t->partitions.store(l.get(), std::memory_order_release);
        list_storage_.push_back(std::move(l));
    }
    return *t;
}

partition_queue& accumulator::queue(topic_entry& t, std::int32_t partition) {
    const auto p = static_cast<std::size_t>(partition);
    const partition_list* l = t.partitions.load(std::memory_order_acquire);
    if (l == nullptr || p >= l->queues.size()) {
        topic(t.name, partition + 1);
        l = t.partitions.load(std::memory_order_acquire);
    }
    return *l->queues[p];
}

partition_queue* accumulator::find_queue(topic_partition_view tp) const noexcept {
    const topic_entry* t = topics_.find(tp.topic);
    if (t == nullptr || tp.partition < 0) return nullptr;
    const partition_list* l = t->partitions.load(std::memory_order_acquire);
    if (l == nullptr || static_cast<std::size_t>(tp.partition) >= l->queues.size()) return nullptr;
    return l->queues[static_cast<std::size_t>(tp.partition)];
}

void accumulator::add_topic(std::string_view name, std::int32_t partition_count) { topic(name, partition_count); }

template <class F>
void accumulator::for_each_queue(F&& f) const {
    std::lock_guard lock(structure_mu_);
    for (const auto& q : queues_) {
        std::lock_guard qlock(q->mu);
        f(*q);
    }
}

std::size_t accumulator::queued_batches(topic_partition_view tp) const {
    partition_queue* q = find_queue(tp);
    if (q == nullptr) return 0;
    std::lock_guard lock(q->mu);
    return q->batches.size();
}

std::uint64_t accumulator::records_appended() const {
    std::lock_guard lock(structure_mu_);
    std::uint64_t n = 0;
    for (const auto& q : queues_) n += q->appended_records.load(std::memory_order_relaxed);
    return n;
}

bool accumulator::has_undrained() const {
    bool any = false;
    for_each_queue([&](partition_queue& q) { any = any || !q.batches.empty(); });
    return any;
}

// --- Appending (any thread) ---

append_result accumulator::append(const record& r, std::int32_t partition_count, std::int64_t timestamp,
                                  time_point now, delivery_handler&& done) {
    topic_slot unknown{nullptr};  // looked up by name
    return append(unknown, r, partition_count, timestamp, now, std::move(done));
}

append_result accumulator::append(topic_slot& slot, const record& r, std::int32_t partition_count,
                                  std::int64_t timestamp, time_point now, delivery_handler&& done) {
    append_result res;
    if (closed()) {
        res.status = append_status::closed;
        return res;
    }
    if (partition_count < 1 || (r.partition && (*r.partition < 0 || *r.partition >= partition_count))) {
        res.ec = client_errc::invalid_partition;
        return res;
    }
    topic_entry* t = slot.load(std::memory_order_acquire);
    const partition_list* l = t != nullptr ? t->partitions.load(std::memory_order_acquire) : nullptr;
    if (l == nullptr || l->queues.size() < static_cast<std::size_t>(partition_count)) {
        t = &topic(r.topic, partition_count);
        slot.store(t, std::memory_order_release);
    }
    return append_to(*t, r.partition.value_or(-1), partition_count, r, timestamp, now, done);
}

append_result accumulator::append(topic_partition_view tp, const record& r, std::int64_t timestamp, time_point now,
                                  delivery_handler&& done) {
    append_result res;
    if (closed()) {
        res.status = append_status::closed;
        return res;
    }
    if (tp.partition < 0) {
        res.ec = client_errc::invalid_partition;
        return res;
    }
    topic_entry& t = topic(tp.topic, tp.partition + 1);
    return append_to(t, tp.partition, 0, r, timestamp, now, done);
}

append_result accumulator::append_to(topic_entry& t, std::int32_t partition, std::int32_t partition_count,
                                     const record& r, std::int64_t timestamp, time_point now, delivery_handler& done) {
    append_result res;
    // Java's ensureValidRecordSize: a record that can never be sent fails now, not after
    // delivery.timeout.ms.
    const std::size_t bound = record_size_upper_bound(r.key, r.value, r.headers);
    if (bound == SIZE_MAX) {
        res.ec = client_errc::invalid_value;
        return res;
    }
    if (header_size + bound > cfg_.max_request_size || header_size + bound > cfg_.buffer_memory) {
        res.ec = broker_errc::message_too_large;
        return res;
    }
    const auto headers = convert_headers(r.headers);

    for (;;) {
        const bool sticky = partition < 0 && partitioner_.is_sticky(r);
        const std::int32_t p = partition >= 0 ? partition : partitioner_.partition(r, partition_count, t.partitioner);
        if (p < 0) {
            res.ec = client_errc::invalid_value;
            return res;
        }
        partition_queue& q = queue(t, p);
        std::unique_lock lock(q.mu);
        if (sticky) {
            // Another thread switched partitions while we took the lock, or a switch held back
            // until this partition's batch filled up can happen now (Java's partitionChanged).
            if (t.partitioner.sticky_partition() != p) continue;
            if (all_batches_full(q) && partitioner_.on_appended(t.partitioner, p, partition_count, 0, true)) continue;
        }
        res.partition = p;
        producer_batch* last = q.batches.empty() ? nullptr : q.batches.back();
        const std::size_t before = last != nullptr ? last->size_bytes() : 0;
        std::size_t appended = 0;
        if (last != nullptr && last->try_append(timestamp, r.key, r.value, headers, done)) {
            appended = last->size_bytes() - before;
        } else {
            const std::size_t reserve = std::max(cfg_.batch_size, header_size + bound);
            if (!try_reserve(reserve)) {
                // Say so before looking again, so that a release racing us either sees the
                // flag (and notifies) or has freed memory the second look finds.
                pressure_.store(true);
                if (!try_reserve(reserve)) {
                    res.status = append_status::would_block;
                    return res;
                }
            }
            batch_ptr b = new_batch(q, reserve, now == now_unread ? clock::now() : now);
            if (!b->try_append(timestamp, r.key, r.value, headers, done)) {
                // Unreachable: the bound admits every field and a first record always fits.
                lock.unlock();
                b.reset();
                res.ec = client_errc::invalid_value;
                return res;
            }
            appended = b->size_bytes();
            q.batches.push_back(std::move(b));
            res.new_batch = true;
        }
        const bool last_full = q.batches.back()->full();
        res.batch_full = q.batches.size() > 1 || last_full;
        res.status = append_status::appended;
        q.appended_records.store(q.appended_records.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        if (sticky) partitioner_.on_appended(t.partitioner, p, partition_count, appended, last_full);
        return res;
    }
}

batch_ptr accumulator::new_batch(partition_queue& q, std::size_t reserve, time_point now) {
    producer_batch* b = nullptr;
    {
        std::lock_guard lock(pool_mu_);
        if (!pool_.empty()) {
            b = pool_.back();
            pool_.pop_back();
            pooled_bytes_ -= cfg_.batch_size;
        }
    }
    if (b != nullptr) {
        b->reuse(q.tp, now);
    } else {
        b = new producer_batch(q.tp, cfg_.batch_size, now);
        b->slot_pool_ = &slots_;
    }
    b->owner_ = this;
    b->queue_ = &q;
    b->reserved_ = reserve;
    b->builder_.reserve(reserve);
    live_batches_.fetch_add(1, std::memory_order_relaxed);
    return batch_ptr(b);
}

// --- Memory ---

bool accumulator::try_reserve(std::size_t bytes) noexcept {
    std::size_t cur = used_.load();
    do {
        if (cur + bytes > cfg_.buffer_memory) return false;
    } while (!used_.compare_exchange_weak(cur, cur + bytes));
    return true;
}

void accumulator::unreserve(std::size_t bytes) noexcept {
    used_.fetch_sub(bytes);
    if (pressure_.exchange(false) && memory_listener_) memory_listener_();
}

std::size_t accumulator::memory_available() const noexcept {
    const std::size_t used = used_.load(std::memory_order_relaxed);
    return used >= cfg_.buffer_memory ? 0 : cfg_.buffer_memory - used;
}

void accumulator::deliver(producer_batch& b, error_code ec, std::int64_t base_offset, std::int64_t log_append_time,
                          const std::shared_ptr<const error_context>& context) noexcept {
    callback_failures thrown;
    b.deliver(ec, base_offset, log_append_time, context, &thrown);
    if (thrown.count == 0 || !callback_failure_listener_) return;
    try {
        callback_failure_listener_(thrown);
    } catch (...) {  // the listener logs; a log sink that throws loses that line only
    }
}

void accumulator::hand_over(orphaned_records&& records) noexcept {
    if (!orphan_sink_) return;
    try {
        orphan_sink_(std::move(records));
    } catch (...) {  // only bad_alloc: the records are lost rather than called here
    }
}

void accumulator::release(producer_batch* b) noexcept {
    // Records nobody completed (a dropped batch): not called here, on the releasing thread,
    // but handed over (one vector per such batch; the normal path only tests a flag).
    if (b->undelivered()) {
        try {
            orphaned_records records;
            b->take_undelivered(records);
            hand_over(std::move(records));
        } catch (...) {  // bad_alloc collecting them: destroyed uncalled, never called here
        }
    }
    if (b->drained_) {
        std::lock_guard lock(b->queue_->mu);
        --b->queue_->in_flight;
        b->drained_ = false;
    }
    b->return_slots();
    const std::size_t freed = b->reserved_ + b->reserved_sealed_;
    live_batches_.fetch_sub(1, std::memory_order_acq_rel);
    // Keep it for reuse if it is an ordinary batch and pooled + used memory stays in bounds.
    if (b->reserved_ == cfg_.batch_size) {
        std::lock_guard lock(pool_mu_);
        if (used_.load() - freed + pooled_bytes_ + cfg_.batch_size <= cfg_.buffer_memory) {
            pool_.push_back(b);
            pooled_bytes_ += cfg_.batch_size;
            b = nullptr;
        }
    }
    if (b != nullptr) {
        b->owner_ = nullptr;
        delete b;
    }
    unreserve(freed);
}

// --- The sender (producer strand) ---

time_point accumulator::ready(time_point now, std::vector<topic_partition_view>& out) {
    time_point next = time_point::max();
    const bool everything = closed() || flushes_.load(std::memory_order_relaxed) > 0 || memory_pressure();
    for_each_queue([&](partition_queue& q) {
        if (q.batches.empty()) return;
        producer_batch& b = *q.batches.front();
        next = std::min(next, b.created() + cfg_.delivery_timeout);
        if (q.in_flight >= cfg_.max_in_flight_per_partition) return;  // a response wakes the sender
        if (b.retry_at() > now) {
            next = std::min(next, b.retry_at());
            return;
        }
        if (tracker_ != nullptr && !tracker_->can_drain(b)) return;  // a response unblocks it
        const time_point lingered = b.created() + cfg_.linger;
        if (everything || q.batches.size() > 1 || b.full() || now >= lingered) out.push_back(q.tp);
        else next = std::min(next, lingered);
    });
    return next;
}

void accumulator::drain(std::span<const topic_partition_view> partitions, std::size_t& cursor,
                        std::size_t max_request_bytes, time_point now, std::vector<batch_ptr>& out) {
    const std::size_t n = partitions.size();
    if (n == 0) return;
    const std::size_t start = cursor % n;
    cursor = (start + 1) % n;  // next request starts one further, unless a batch did not fit
    std::size_t request_bytes = 0;
    bool any = false;
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = (start + k) % n;
        partition_queue* q = find_queue(partitions[i]);
        if (q == nullptr) continue;
        batch_ptr b;  // the queue's batch, then this Produce call's
        {
            std::lock_guard lock(q->mu);
            if (q->batches.empty()) continue;
            producer_batch& first = *q->batches.front();
            if (first.retry_at() > now || q->in_flight >= cfg_.max_in_flight_per_partition) continue;
            const std::size_t estimate = first.sealed() ? first.bytes().size() : first.size_bytes();
            if (any && request_bytes + estimate > max_request_bytes) {
                cursor = i;  // it goes first in the next request
                break;
            }
            // Java stops draining the whole broker here; kasio only skips this partition.
            if (tracker_ != nullptr && !tracker_->can_drain(first)) continue;
            b = q->batches.pop_front();
            ++q->in_flight;
            b->drained_ = true;
            b->closed_ = true;  // no more appends, even if it comes back to the queue
            if (tracker_ != nullptr) tracker_->assign(*b);  // before sealing: one CRC pass
        }
        if (!b->sealed()) {
            if (const error_code ec = b->seal(cfg_.compression, cfg_.compression_level)) {
                if (tracker_ != nullptr) tracker_->unassign(*b);
                deliver(*b, ec);
                continue;  // `b` returns to the accumulator here
            }
            if (cfg_.compression != compression::codec::none) {
                b->reserved_sealed_ = b->bytes().size();
                used_.fetch_add(b->reserved_sealed_);
            }
        }
        request_bytes += b->bytes().size();
        any = true;
        out.push_back(std::move(b));
    }
}

void accumulator::complete(batch_ptr b, std::int64_t base_offset, std::int64_t log_append_time) {
    deliver(*b, {}, base_offset, log_append_time);
}

void accumulator::fail(batch_ptr b, error_code ec, std::shared_ptr<const error_context> context) {
    deliver(*b, ec, -1, -1, context);
}

void accumulator::reenqueue(batch_ptr ptr, time_point retry_at) {
    producer_batch* b = ptr.get();  // owned by ptr until the queue takes it
    ++b->attempts_;
    b->retry_at_ = retry_at;
    partition_queue& q = *b->queue_;
    std::lock_guard lock(q.mu);
    if (b->drained_) --q.in_flight;
    b->drained_ = false;
    // Behind queued retries with lower sequences (several batches in flight failed; their
    // retries may come back in any order); new batches (no sequence) stay behind it.
    // The tracker may have re-sequenced queued retries (an epoch bump): compare its numbers.
    if (tracker_ != nullptr) tracker_->sync(*b);
    std::size_t at = 0;
    if (b->has_sequence()) {
        for (; at < q.batches.size(); ++at) {
            producer_batch& queued = *q.batches[at];
            if (tracker_ != nullptr) tracker_->sync(queued);
            if (!queued.has_sequence() || queued.base_sequence() >= b->base_sequence()) break;
        }
    }
    q.batches.insert(at, std::move(ptr));
}

std::size_t accumulator::expire(time_point now, std::size_t* records) {
    scratch_.clear();
    for_each_queue([&](partition_queue& q) {
        while (!q.batches.empty() && reached_delivery_timeout(*q.batches.front(), now))
            scratch_.push_back(q.batches.pop_front());
    });
    const std::size_t expired = scratch_.size();
    for (batch_ptr& b : scratch_) {
        if (tracker_ != nullptr) tracker_->on_expired(*b);
        if (records != nullptr) *records += static_cast<std::size_t>(b->record_count());
        deliver(*b, client_errc::timed_out);
        b.reset();
    }
    scratch_.clear();
    return expired;
}

std::size_t accumulator::abort_undrained(error_code ec, const std::shared_ptr<const error_context>& context) {
    scratch_.clear();
    for_each_queue([&](partition_queue& q) {
        while (!q.batches.empty()) scratch_.push_back(q.batches.pop_front());
    });
    std::size_t records = 0;
    for (batch_ptr& b : scratch_) {
        records += static_cast<std::size_t>(b->record_count());
        deliver(*b, ec, -1, -1, context);
        b.reset();
    }
    scratch_.clear();
    return records;
}

}  // namespace kasio::detail::producer

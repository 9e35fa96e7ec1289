// Producer batches: appending records with their completions, sealing, delivering.
#include "producer/producer_batch.hpp"

#include "producer/accumulator.hpp"

#include <cassert>
#include <limits>
#include <utility>

namespace kasio::detail::producer {
namespace {

constexpr std::size_t max_field = static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());

// A nullable field: its varint length (at most 5 bytes) and its bytes; null is one byte.
std::size_t nullable_bound(const std::optional<bytes_view>& b) noexcept { return b ? 5 + b->size() : 1; }

}  // namespace

std::size_t record_size_upper_bound(std::optional<bytes_view> key, std::optional<bytes_view> value,
                                    std::span<const record_header> headers) noexcept {
    if ((key && key->size() > max_field) || (value && value->size() > max_field) || headers.size() > max_field)
        return SIZE_MAX;
    // length varint 5 | attributes 1 | timestamp delta varlong 10 | offset delta varint 5
    std::size_t n = 5 + 1 + 10 + 5 + nullable_bound(key) + nullable_bound(value) + 5;
    for (const record_header& h : headers) {
        if (h.key.size() > max_field || (h.value && h.value->size() > max_field)) return SIZE_MAX;
        n += 5 + h.key.size() + nullable_bound(h.value);
    }
    return n;
}

producer_batch::producer_batch(topic_partition_view tp, std::size_t batch_size, time_point created)
    : builder_(batch_size), tp_(tp), created_(created) {}

slot_pool::~slot_pool() {
    while (free_ != nullptr) delete std::exchange(free_, free_->next);
}

slot_chunk* slot_pool::get() {
    {
        std::lock_guard lock(mu_);
        if (free_ != nullptr) {
            slot_chunk* c = std::exchange(free_, free_->next);
            c->next = nullptr;
            return c;
        }
    }
    return new slot_chunk;
}

void slot_pool::put(slot_chunk* first, slot_chunk* last) noexcept {
    std::lock_guard lock(mu_);
    last->next = free_;
    free_ = first;
}

producer_batch::~producer_batch() {
    // A handler run here would run on whatever thread dropped the last owner, maybe inside
    // the user's own destructor: the owners take them first (accumulator::release).
    assert(!undelivered() || [this] {
        orphaned_records left;
        take_undelivered(left);
        return left.empty();
    }());
    return_slots();
}

void producer_batch::take_undelivered(orphaned_records& out) {
    if (delivered_) return;
    delivered_ = true;
    slot_chunk* c = first_chunk_;
    for (std::size_t i = 0; i < slot_count_; ++i) {
        if (i != 0 && i % slot_chunk::capacity == 0) c = c->next;
        completion_slot& s = c->slots[i % slot_chunk::capacity];
        if (!s.handler) continue;
        out.push_back(orphaned_record{std::move(s.handler), s.timestamp, tp_.partition});
    }
}

void fail_orphans(orphaned_records& records, error_code ec, callback_failures* thrown) {
    delivery d;
    for (orphaned_record& r : records) {
        d.partition = r.partition;
        d.timestamp = r.timestamp;
        try {
            r.handler(ec, d);
        } catch (const std::exception& e) {
            if (thrown && thrown->count++ == 0) thrown->first = e.what();
        } catch (...) {
            if (thrown && thrown->count++ == 0) thrown->first = "an exception not derived from std::exception";
        }
    }
}

void producer_batch::return_slots() noexcept {
    if (first_chunk_ == nullptr) return;
    if (slot_pool_ != nullptr) {
        slot_pool_->put(first_chunk_, last_chunk_);
    } else {
        while (first_chunk_ != nullptr) delete std::exchange(first_chunk_, first_chunk_->next);
    }
    first_chunk_ = last_chunk_ = nullptr;
    slot_count_ = slot_capacity_ = 0;
}

void producer_batch::reuse(topic_partition_view tp, time_point created) {
    builder_.reset();
    builder_.set_producer_state(protocol::no_producer_id, protocol::no_producer_epoch, protocol::no_sequence);
    return_slots();
    tp_ = tp;
    created_ = created;
    retry_at_ = {};
    attempts_ = 0;
    closed_ = drained_ = sequence_reset_ = delivered_ = false;
    flight_id_ = 0;
    producer_id_ = protocol::no_producer_id;
    producer_epoch_ = protocol::no_producer_epoch;
    base_sequence_ = protocol::no_sequence;
    queue_ = nullptr;
    reserved_ = reserved_sealed_ = 0;
}

bool producer_batch::try_append(std::int64_t timestamp, std::optional<bytes_view> key, std::optional<bytes_view> value,
                                std::span<const protocol::record_header_view> headers, delivery_handler& done) {
    if (closed_) return false;
    // Room for the slot first, so that a record is never encoded without its completion.
    if (slot_count_ == slot_capacity_) {
        slot_chunk* c = slot_pool_ != nullptr ? slot_pool_->get() : new slot_chunk;
        (last_chunk_ != nullptr ? last_chunk_->next : first_chunk_) = c;
        last_chunk_ = c;
        slot_capacity_ += slot_chunk::capacity;
    }
    if (!builder_.append(timestamp, key, value, headers)) {
        closed_ = builder_.record_count() > 0;  // a full batch; an empty one rejected a bad field
        return false;
    }
    completion_slot& s = last_chunk_->slots[slot_count_ % slot_chunk::capacity];
    s.handler = std::move(done);
    s.timestamp = timestamp;
    ++slot_count_;
    return true;
}

error_code producer_batch::seal(compression::codec codec, int level) {
    if (builder_.finished()) return {};
    closed_ = true;
    error_code ec;
    builder_.finish(codec, level, ec);
    return ec;
}

void producer_batch::deliver(error_code ec, std::int64_t base_offset, std::int64_t log_append_time,
                             const std::shared_ptr<const error_context>& context, callback_failures* thrown) {
    // A handler may send again (appending to another batch) but never touches this one:
    // it is no longer queued. One that throws must not cost the others their delivery (the
    // broker has acknowledged them all): it is caught here and reported, as the Java client
    // logs a throwing Callback and goes on.
    delivered_ = true;
    slot_chunk* c = first_chunk_;
    delivery d;
    d.partition = tp_.partition;
    if (ec) d.context = context;
    for (std::size_t i = 0; i < slot_count_; ++i) {
        if (i != 0 && i % slot_chunk::capacity == 0) c = c->next;
        completion_slot& s = c->slots[i % slot_chunk::capacity];
        if (!s.handler) continue;
        d.offset = (!ec && base_offset >= 0) ? base_offset + static_cast<std::int64_t>(i) : -1;
        d.timestamp = (!ec && log_append_time != -1) ? log_append_time : s.timestamp;
        try {
            s.handler(ec, d);
        } catch (const std::exception& e) {
            if (thrown && thrown->count++ == 0) thrown->first = e.what();
        } catch (...) {
            if (thrown && thrown->count++ == 0) thrown->first = "an exception not derived from std::exception";
        }
    }
}

void producer_batch::set_producer_state(std::int64_t id, std::int16_t epoch, std::int32_t base_sequence) noexcept {
    producer_id_ = id;
    producer_epoch_ = epoch;
    base_sequence_ = base_sequence;
    builder_.set_producer_state(id, epoch, base_sequence);
}

void batch_releaser::operator()(producer_batch* b) const noexcept {
    if (b->owner_ != nullptr) b->owner_->release(b);
    else delete b;
}

}  // namespace kasio::detail::producer

// Idempotence rules, after the Java client's TransactionManager (non-transactional paths)
// and Sender.canRetry / completeBatch.
#include "producer/sequence_tracker.hpp"
#include "producer/transaction_manager.hpp"

#include <kasio/broker_errc.hpp>

#include <algorithm>
#include <limits>

namespace kasio::detail::producer {
namespace {

constexpr std::int32_t int32_max = std::numeric_limits<std::int32_t>::max();

bool is(const error_code& ec, broker_errc e) noexcept { return ec == make_error_code(e); }

// Java's maybeTransitionToErrorState: these fail the producer, not just the batch.
bool is_fatal_for_producer(const error_code& ec) noexcept {
    return is_fatal(ec) || is(ec, broker_errc::unsupported_version);
}

// Java int subtraction, which wraps.
std::int32_t wrapping_sub(std::int32_t a, std::int32_t b) noexcept {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) - static_cast<std::uint32_t>(b));
}

}  // namespace

std::int32_t increment_sequence(std::int32_t sequence, std::int32_t increment) noexcept {
    if (sequence > int32_max - increment) return increment - (int32_max - sequence) - 1;
    return sequence + increment;
}

const sequence_tracker::partition_entry* sequence_tracker::find(topic_partition_view tp) const {
    const auto it = partitions_.find(tp);
    return it == partitions_.end() ? nullptr : &it->second;
}

void sequence_tracker::set_producer_id(producer_identity id) {
    identity_ = id;
    if (!identity_.valid()) return;
    for (const topic_partition_view& tp : rewrite_) {
        start_sequences_at_beginning(tp);
        unresolved_.erase(tp);
    }
    rewrite_.clear();
}

void sequence_tracker::sync(producer_batch& b) {
    if (b.flight_id_ == 0) return;
    const flight* f = nullptr;
    if (const auto it = partitions_.find(b.topic_partition()); it != partitions_.end()) {
        for (const flight& x : it->second.in_flight)
            if (x.id == b.flight_id_) f = &x;
    }
    auto detached = detached_.end();
    if (f == nullptr && !detached_.empty()) {
        detached = detached_.find(b.flight_id_);
        if (detached != detached_.end()) f = &detached->second;
    }
    if (f == nullptr) return;
    // Compared first: patching a sealed batch recomputes its CRC, once per rewrite only.
    if (f->base_sequence != b.base_sequence() || f->identity.id != b.producer_id() ||
        f->identity.epoch != b.producer_epoch() || f->sequence_reset != b.sequence_reset()) {
        if (f->sequence_reset) b.reset_producer_state(f->identity.id, f->identity.epoch, f->base_sequence);
        else b.set_producer_state(f->identity.id, f->identity.epoch, f->base_sequence);
    }
    if (detached != detached_.end()) detached_.erase(detached);
}

void sequence_tracker::reset(producer_identity id) {
    identity_ = id;
    partitions_.clear();
    unresolved_.clear();
    rewrite_.clear();
    detached_.clear();
    epoch_bump_required_ = false;
}

bool sequence_tracker::can_drain(producer_batch& first) {
    sync(first);
    if (fatal_ || !identity_.valid()) return false;
    const topic_partition_view tp = first.topic_partition();
    if (gate_ != nullptr && !gate_->may_send(tp)) return false;
    partition_entry& e = entry(tp);
    if (!first.has_sequence()) {
        // A new batch under the new epoch, sequence 0, must not overtake batches still in
        // flight under the old one: the broker would see a sequence gap.
        if (!e.in_flight.empty() && e.identity != identity_) return false;
        // An expired batch may or may not be in the log: wait for the batches in flight.
        if (unresolved_.contains(tp)) return false;
    }
    // A retry waits until it is the first in flight: retries go one at a time, in order.
    return e.in_flight.empty() || !first.has_sequence() || first.base_sequence() == e.in_flight.front().base_sequence;
}

void sequence_tracker::assign(producer_batch& b) {
    sync(b);
    if (b.has_sequence()) return;
    const topic_partition_view tp = b.topic_partition();
    partition_entry& e = entry(tp);
    // Java's maybeUpdateProducerIdAndEpoch: a partition last used under another id/epoch
    // starts again at 0 once nothing is in flight under the old one.
    if (e.identity != identity_ && e.in_flight.empty()) start_sequences_at_beginning(tp);
    b.set_producer_state(identity_.id, identity_.epoch, e.next_sequence);
    if (gate_ != nullptr) b.set_transactional();
    e.next_sequence = increment_sequence(e.next_sequence, b.record_count());
    b.flight_id_ = ++last_flight_id_;
    const auto at = std::upper_bound(e.in_flight.begin(), e.in_flight.end(), b.base_sequence(),
                                     [](std::int32_t s, const flight& x) { return s < x.base_sequence; });
    e.in_flight.insert(at, flight{b.flight_id_, identity_, b.base_sequence(), b.record_count(), false});
}

void sequence_tracker::unassign(producer_batch& b) {
    sync(b);
    if (!b.has_sequence()) return;
    partition_entry& e = entry(b.topic_partition());
    remove_in_flight(b);
    e.next_sequence = b.base_sequence();
    b.set_producer_state(protocol::no_producer_id, protocol::no_producer_epoch, protocol::no_sequence);
    b.flight_id_ = 0;
}

void sequence_tracker::remove_in_flight(const producer_batch& b) {
    if (b.flight_id_ == 0) return;
    const auto it = partitions_.find(b.topic_partition());
    if (it == partitions_.end()) return;
    auto& v = it->second.in_flight;
    v.erase(std::remove_if(v.begin(), v.end(), [&](const flight& f) { return f.id == b.flight_id_; }), v.end());
}

void sequence_tracker::forget_partition(topic_partition_view tp) {
    // Batches of it still in flight keep the state they were last given (as with no entry
    // they are not rewritten again): those not yet synced take it from detached_.
    if (const auto it = partitions_.find(tp); it != partitions_.end()) {
        for (const flight& f : it->second.in_flight) detached_.insert_or_assign(f.id, f);
        partitions_.erase(it);
    }
}

void sequence_tracker::on_success(producer_batch& b, std::int64_t base_offset) {
    sync(b);
    partition_entry& e = entry(b.topic_partition());
    if (b.has_sequence()) e.last_acked_sequence = std::max(e.last_acked_sequence, b.last_sequence());
    if (base_offset >= 0) e.last_acked_offset = std::max(e.last_acked_offset, base_offset + b.record_count() - 1);
    remove_in_flight(b);
}

batch_verdict sequence_tracker::on_error(producer_batch& b, error_code ec, std::int64_t log_start_offset,
                                         bool attempts_left, bool delivery_timed_out) {
    sync(b);
    // Sender.canRetry: the tracker's rules (which may request an epoch bump) only apply to a
    // batch with time and attempts left.
    if (!delivery_timed_out && attempts_left && can_retry(b, ec, log_start_offset)) return batch_verdict::retry;
    if (is(ec, broker_errc::duplicate_sequence_number)) {
        // The broker wrote it before but no longer has its offset: success without one.
        on_success(b, -1);
        return batch_verdict::duplicate;
    }
    // Sequences are adjusted only if the batch did not run out of attempts: otherwise the
    // broker may have it, and reusing its sequence could duplicate it.
    handle_failed(b, ec, attempts_left);
    return batch_verdict::fail;
}

bool sequence_tracker::can_retry(producer_batch& b, error_code ec, std::int64_t log_start_offset) {
    const topic_partition_view tp = b.topic_partition();
    if (is(ec, broker_errc::unknown_producer_id)) {
        // The broker lost the producer's state. Without a log start offset the answer is
        // unclear: retry as is. A batch already re-sequenced: retry. Otherwise (the log head
        // was deleted by retention, or the state was lost) bump the epoch and retry from 0.
        if (log_start_offset == -1 || b.sequence_reset()) return true;
        request_epoch_bump(tp);
        return true;
    }
    if (is(ec, broker_errc::out_of_order_sequence_number)) {
        // Not the batch right after the last acked one: an earlier batch failed and this one
        // follows it back in order. Retry without a bump.
        const bool unresolved = unresolved_.contains(tp);
        if (!unresolved && (b.sequence_reset() || !is_next_sequence(tp, b.base_sequence()))) return true;
        // A real gap (or the batch right after an expired one): bump the epoch and re-sequence.
        if (!unresolved || unresolved_.at(tp) == b.base_sequence()) request_epoch_bump(tp);
        return true;
    }
    return is_retriable(ec);
}

void sequence_tracker::handle_failed(const producer_batch& b, error_code ec, bool adjust_sequences) {
    if (!fatal_ && is_fatal_for_producer(ec)) fatal_ = ec;
    remove_in_flight(b);
    if (fatal_) return;
    const topic_partition_view tp = b.topic_partition();
    if (is(ec, broker_errc::out_of_order_sequence_number)) {
        request_epoch_bump(tp);
    } else if (is(ec, broker_errc::unknown_producer_id)) {
        // No state on the broker: the partition starts over (at 0) with the next batch.
        forget_partition(tp);
        unresolved_.erase(tp);
    } else if (adjust_sequences) {
        // The failed batch leaves a hole in the sequence: later batches would be out of order.
        request_epoch_bump(tp);
    }
}

void sequence_tracker::on_expired(producer_batch& b) {
    sync(b);
    remove_in_flight(b);
    if (!b.has_sequence()) return;
    const topic_partition_view tp = b.topic_partition();
    const std::int32_t next = increment_sequence(b.last_sequence(), 1);
    auto [it, inserted] = unresolved_.try_emplace(tp, next);
    if (!inserted) it->second = std::max(it->second, next);
}

void sequence_tracker::maybe_resolve_sequences() {
    for (auto it = unresolved_.begin(); it != unresolved_.end();) {
        const topic_partition_view tp = it->first;
        partition_entry& e = entry(tp);
        if (!e.in_flight.empty()) {
            ++it;
            continue;
        }
        // All answered: if the last acked batch ends right before the next sequence, the
        // expired batches were written (later ones succeeded); else there is a gap.
        if (!is_next_sequence(tp, e.next_sequence)) request_epoch_bump(tp);
        it = unresolved_.erase(it);
    }
}

bool sequence_tracker::bump_epoch_if_needed() {
    if (epoch_bump_required_ && !fatal_) {
        epoch_bump_required_ = false;
        if (identity_.epoch == std::numeric_limits<std::int16_t>::max()) {
            // Epoch exhausted: a new producer id (InitProducerId); set_producer_id rewrites.
            identity_ = {};
        } else if (identity_.valid()) {
            ++identity_.epoch;
            for (const topic_partition_view& tp : rewrite_) {
                start_sequences_at_beginning(tp);
                unresolved_.erase(tp);
            }
            rewrite_.clear();
        }
    }
    return needs_producer_id();
}

void sequence_tracker::request_epoch_bump(topic_partition_view tp) {
    epoch_bump_required_ = true;
    rewrite_.insert(tp);
}

void sequence_tracker::start_sequences_at_beginning(topic_partition_view tp) {
    partition_entry& e = entry(tp);
    std::int32_t sequence = 0;
    for (flight& f : e.in_flight) {  // the batches take it at their next sync
        f.identity = identity_;
        f.base_sequence = sequence;
        f.sequence_reset = true;
        sequence = increment_sequence(sequence, f.record_count);
    }
    e.identity = identity_;
    e.next_sequence = sequence;
    e.last_acked_sequence = -1;
}

bool sequence_tracker::is_next_sequence(topic_partition_view tp, std::int32_t sequence) {
    return wrapping_sub(sequence, entry(tp).last_acked_sequence) == 1;
}

std::int32_t sequence_tracker::next_sequence(topic_partition_view tp) const {
    const partition_entry* e = find(tp);
    return e != nullptr ? e->next_sequence : 0;
}

std::optional<std::int32_t> sequence_tracker::last_acked_sequence(topic_partition_view tp) const {
    const partition_entry* e = find(tp);
    if (e == nullptr || e->last_acked_sequence == -1) return std::nullopt;
    return e->last_acked_sequence;
}

std::size_t sequence_tracker::in_flight(topic_partition_view tp) const {
    const partition_entry* e = find(tp);
    return e != nullptr ? e->in_flight.size() : 0;
}

}  // namespace kasio::detail::producer

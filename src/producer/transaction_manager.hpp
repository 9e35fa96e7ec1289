#pragma once
// The transactional producer's state (the Java client's TransactionManager, transaction
// version 1): the public state, the partitions and groups the open transaction covers, the
// coordinator, and what each coordinator error means. Sans-io like the sequence tracker: the
// requests themselves are sent by producer::impl (transactions.cpp).
//
// runs on: the producer strand, except state() and try_begin(), which any thread may call
// (the state is one atomic).
#include "producer/producer_batch.hpp"

#include <kasio/error.hpp>
#include <kasio/producer.hpp>

#include <atomic>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kasio::detail::producer {

/// What to do after a transactional request failed with a given error (the handlers of Java's
/// TransactionManager, by API).
enum class txn_verdict : std::uint8_t {
    retry,                   ///< send it again after retry.backoff.ms
    find_coordinator,        ///< the coordinator moved: look it up, then send again
    abortable,               ///< the transaction must be aborted (then the epoch is bumped)
    fatal,                   ///< the producer cannot go on
};

/// The transactional APIs, for classify().
enum class txn_api : std::uint8_t { init_producer_id, add_partitions, add_offsets, txn_offset_commit, end_txn };

/// Java's rules per API; `ec` is not success. Never returns retry for a non-retriable
/// error except where Java retries one (concurrent transactions).
txn_verdict classify(txn_api api, const error_code& ec) noexcept;

/// The error a fatal verdict reports: INVALID_PRODUCER_EPOCH from a coordinator means another
/// producer took the transactional id (Java turns it into ProducerFencedException).
error_code fatal_code(const error_code& ec) noexcept;

/// A batch of the transaction failed with `ec`: fatal (Java's maybeTransitionToErrorState:
/// authorization, fenced, unsupported) or abortable.
bool is_fatal_batch_error(const error_code& ec) noexcept;

class transaction_manager {
public:
    explicit transaction_manager(std::string transactional_id) : id_(std::move(transactional_id)) {}

    const std::string& transactional_id() const noexcept { return id_; }

    // --- State; any thread ---
    transaction_state state() const noexcept { return state_.load(std::memory_order_acquire); }
    /// ready -> in_transaction. Errors: the fatal or abortable error; invalid state otherwise.
    error_code try_begin() noexcept;

    // --- Strand ---
    void set_state(transaction_state s) noexcept { state_.store(s, std::memory_order_release); }
    /// A record or request failed with an abortable error: the open transaction cannot commit.
    /// Ignored while aborting (the abort goes on) and after a fatal error.
    void set_abortable(error_info why);
    /// No transaction can succeed any more. Keeps the first fatal error.
    void set_fatal(error_info why);
    const error_info& last_error() const noexcept { return last_error_; }

    /// The transaction ended (committed or aborted): its partitions and groups are forgotten.
    void end_transaction();

    // --- Partitions (the gate the sequence tracker asks before a batch drains) ---
    /// May a batch for `tp` be sent now? Version 1: yes once AddPartitionsToTxn added `tp`;
    /// otherwise `tp` is queued for the next AddPartitionsToTxn. Version 2: always (the Produce
    /// request adds it); `tp` is noted as part of the transaction.
    bool may_send(topic_partition_view tp);
    /// Partitions waiting for AddPartitionsToTxn, moved to "in flight" by the caller.
    std::vector<topic_partition> take_pending();
    bool has_pending() const noexcept { return !pending_.empty(); }
    /// The AddPartitionsToTxn for `tps` succeeded / failed (the failed ones go back to pending
    /// when the error is retriable).
    void added(const std::vector<topic_partition>& tps);
    void add_failed(const std::vector<topic_partition>& tps, bool retry);
    bool adding() const noexcept { return !adding_.empty(); }
    /// Something joined the open transaction (a partition or a group): EndTxn is needed.
    bool started() const noexcept { return !in_txn_.empty() || !groups_.empty(); }

    // --- Groups whose offsets joined the transaction (AddOffsetsToTxn sent once per group) ---
    bool group_added(const std::string& group) const { return groups_.contains(group); }
    void add_group(const std::string& group) { groups_.insert(group); }

    // --- The coordinator (-1: look it up) ---
    std::int32_t coordinator = -1;
    /// Transaction version 2 (KIP-890; the cluster's finalized transaction.version >= 2, read
    /// at init): Produce and TxnOffsetCommit add partitions and groups themselves, and EndTxn
    /// bumps the epoch. Version 1 otherwise.
    bool version2 = false;
    /// InitProducerId must bump the epoch after the running abort (KIP-360).
    bool epoch_bump_required = false;

private:
    const std::string id_;
    std::atomic<transaction_state> state_{transaction_state::uninitialized};
    error_info last_error_;  // the abortable or fatal error
    // Transparent, so that may_send() looks a view up without making a string.
    struct tp_less {
        using is_transparent = void;
        static std::pair<std::int32_t, std::string_view> key(const topic_partition& t) noexcept {
            return {t.partition, t.topic};
        }
        static std::pair<std::int32_t, std::string_view> key(topic_partition_view t) noexcept {
            return {t.partition, t.topic};
        }
        template <class A, class B>
        bool operator()(const A& a, const B& b) const noexcept {
            return key(a) < key(b);
        }
    };
    std::set<topic_partition, tp_less> in_txn_, pending_, adding_;
    std::set<std::string> groups_;
};

}  // namespace kasio::detail::producer

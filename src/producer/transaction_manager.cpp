// Java's TransactionManager rules, by API (the handlers' handleResponse), and the states.
//
// runs on: the producer strand (try_begin and state: any thread).
#include "producer/transaction_manager.hpp"

#include <kasio/broker_errc.hpp>

namespace kasio::detail::producer {

namespace {

bool coordinator_moved(const error_code& ec) noexcept {
    return ec == broker_errc::not_coordinator || ec == broker_errc::coordinator_not_available;
}

bool fenced(const error_code& ec) noexcept {
    return ec == broker_errc::producer_fenced || ec == broker_errc::invalid_producer_epoch;
}

}  // namespace

txn_verdict classify(txn_api api, const error_code& ec) noexcept {
    // A request that got no answer (closed connection, timeout) may have reached a coordinator
    // that moved meanwhile: look it up again, as Java does after a disconnect.
    if (ec.category() != broker_category()) return is_retriable(ec) ? txn_verdict::find_coordinator : txn_verdict::fatal;
    if (coordinator_moved(ec)) return txn_verdict::find_coordinator;
    if (api == txn_api::txn_offset_commit && ec == broker_errc::request_timed_out) return txn_verdict::find_coordinator;
    if (is_retriable(ec)) return txn_verdict::retry;  // concurrent_transactions, coordinator_load_in_progress, ...
    if (fenced(ec) || ec == broker_errc::transactional_id_authorization_failed) return txn_verdict::fatal;
    if (ec == broker_errc::transaction_abortable) return txn_verdict::abortable;
    switch (api) {
        case txn_api::init_producer_id:
            return txn_verdict::fatal;  // cluster authorization, invalid_transaction_timeout, ...
        case txn_api::add_partitions:
            if (ec == broker_errc::topic_authorization_failed || ec == broker_errc::unknown_producer_id ||
                ec == broker_errc::invalid_producer_id_mapping || ec == broker_errc::operation_not_attempted)
                return txn_verdict::abortable;
            return txn_verdict::fatal;  // invalid_txn_state, unexpected
        case txn_api::add_offsets:
        case txn_api::end_txn:
            if (ec == broker_errc::unknown_producer_id || ec == broker_errc::invalid_producer_id_mapping ||
                ec == broker_errc::group_authorization_failed)
                return txn_verdict::abortable;
            return txn_verdict::fatal;
        case txn_api::txn_offset_commit:
            if (ec == broker_errc::group_authorization_failed || ec == broker_errc::fenced_instance_id ||
                ec == broker_errc::unknown_member_id || ec == broker_errc::illegal_generation ||
                ec == broker_errc::unknown_producer_id || ec == broker_errc::invalid_producer_id_mapping)
                return txn_verdict::abortable;
            return txn_verdict::fatal;
    }
    return txn_verdict::fatal;
}

error_code fatal_code(const error_code& ec) noexcept {
    return ec == broker_errc::invalid_producer_epoch ? error_code(broker_errc::producer_fenced) : ec;
}

bool is_fatal_batch_error(const error_code& ec) noexcept {
    return ec == broker_errc::producer_fenced || ec == broker_errc::transactional_id_authorization_failed ||
           ec == broker_errc::cluster_authorization_failed || ec == broker_errc::unsupported_version ||
           ec == broker_errc::unsupported_for_message_format;
}

error_code transaction_manager::try_begin() noexcept {
    transaction_state expected = transaction_state::ready;
    if (state_.compare_exchange_strong(expected, transaction_state::in_transaction, std::memory_order_acq_rel))
        return {};
    return client_errc::invalid_transaction_state;
}

void transaction_manager::set_abortable(error_info why) {
    const transaction_state s = state();
    if (s == transaction_state::aborting || s == transaction_state::fatal_error) return;
    if (s != transaction_state::abortable_error) last_error_ = std::move(why);
    set_state(transaction_state::abortable_error);
}

void transaction_manager::set_fatal(error_info why) {
    if (state() != transaction_state::fatal_error) last_error_ = std::move(why);
    set_state(transaction_state::fatal_error);
}

void transaction_manager::end_transaction() {
    in_txn_.clear();
    pending_.clear();
    adding_.clear();
    groups_.clear();
    last_error_ = {};
}

bool transaction_manager::may_send(topic_partition_view tp) {
    if (in_txn_.contains(tp)) return true;
    if (version2) {
        in_txn_.insert(topic_partition{std::string(tp.topic), tp.partition});
        return true;
    }
    if (!adding_.contains(tp) && !pending_.contains(tp)) pending_.insert(topic_partition{std::string(tp.topic), tp.partition});
    return false;
}

std::vector<topic_partition> transaction_manager::take_pending() {
    std::vector<topic_partition> out(pending_.begin(), pending_.end());
    for (const auto& tp : out) adding_.insert(tp);
    pending_.clear();
    return out;
}

void transaction_manager::added(const std::vector<topic_partition>& tps) {
    for (const auto& tp : tps) {
        adding_.erase(tp);
        in_txn_.insert(tp);
    }
}

void transaction_manager::add_failed(const std::vector<topic_partition>& tps, bool retry) {
    for (const auto& tp : tps) {
        adding_.erase(tp);
        if (retry) pending_.insert(tp);
    }
}

}  // namespace kasio::detail::producer

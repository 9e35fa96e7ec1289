// The transactional producer's requests (transaction version 1, KIP-98 with KIP-360 and
// KIP-447): InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit and EndTxn,
// each retried by Java's rules (transaction_manager's classify) until it succeeds, fails for
// good, or max.block.ms (delivery.timeout.ms for AddPartitionsToTxn) passes.
//
// One public operation runs at a time (txn_running); a caller of the same operation joins it,
// one of another is refused with invalid_transaction_state. A caller whose max.block.ms passes
// completes with timed_out; the operation stops retrying at the last caller's deadline and the
// state stays where it was, so that calling again resumes it (Java's behaviour).
//
// runs on: the producer strand (every function in this file).
#include "producer/producer_impl.hpp"

#include "cluster/coordinator_lookup.hpp"
#include "cluster/offsets_by_topic.hpp"
#include "net/completion.hpp"
#include "net/loop_exit.hpp"
#include "net/negotiator.hpp"
#include "protocol/messages.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/co_spawn.hpp>

#include <algorithm>
#include <map>

namespace kasio {

using namespace detail::producer;

namespace {

// KIP-890's client-side fix for the first AddPartitionsToTxn after a commit, which meets
// CONCURRENT_TRANSACTIONS while the markers of the last transaction are written: Java retries
// it after 20 ms rather than retry.backoff.ms.
constexpr std::chrono::milliseconds concurrent_transactions_backoff{20};

// Which coordinator a request goes to: the transaction's, or a group's (TxnOffsetCommit).
struct coordinator_slot {
    cluster::coordinator_type type;
    std::string key;
    std::int32_t* node;
};

struct exchange_result {
    error_code ec;
    txn_verdict verdict = txn_verdict::retry;  // meaningful when ec is set
    std::int32_t node = -1;
    std::string message;  // the broker's, when it sent one
};

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// Sends `req` to the coordinator until it answers without a retriable error. `error_of` reads
// the answer's error (the first per-item one for APIs that answer per item). Past `deadline`
// (read at each attempt: a caller joining the operation moves it), timed_out is returned with
// the last error in `message`, verdict retry: nothing was decided, the caller may try again.
// (Impl is producer::impl, deduced: the name is private to producer.)
template <class Response, class Request, class ErrorOf, class Impl>
asio::awaitable<exchange_result> exchange(std::shared_ptr<Impl> self, txn_api api, coordinator_slot where,
                                          Request req, Response& resp, ErrorOf error_of,
                                          const std::chrono::steady_clock::time_point& deadline,
                                          net::request_options options = {}) {
    exchange_result out;
    for (;;) {
        if (self->stopped || self->aborting) {
            out.ec = client_errc::connection_closed;
            out.verdict = txn_verdict::retry;
            co_return out;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            if (out.ec) out.message = "not done within max.block.ms; the last attempt failed with: " + out.ec.message();
            out.ec = client_errc::timed_out;
            out.verdict = txn_verdict::retry;
            co_return out;
        }
        if (*where.node < 0) {
            const cluster::coordinator_answer a =
                co_await cluster::find_coordinator(self->pool, self->refresher, where.type, where.key, &self->stopped);
            if (a.ec) {
                out.ec = a.ec;
                out.message = a.message;
                // FindCoordinator's own refusals (authorization) end the call; the rest wait.
                if (a.ec.category() == broker_category() && !is_retriable(a.ec)) {
                    out.verdict = a.ec == broker_errc::group_authorization_failed ? txn_verdict::abortable
                                                                                  : txn_verdict::fatal;
                    co_return out;
                }
                co_await net::sleep_for(self->strand, self->cfg.retry_backoff);
                continue;
            }
            *where.node = a.node;
        }
        out.node = *where.node;
        auto [ec, frame] = co_await self->pool.async_request(out.node, net::purpose::general, req, options,
                                                             net::nothrow_awaitable);
        resp = Response{};
        if (!ec) ec = net::decode_response(frame, resp);
        if (!ec) ec = error_of(resp);
        if (!ec) {
            out.ec = {};
            co_return out;
        }
        out.ec = ec;
        out.verdict = classify(api, ec);
        switch (out.verdict) {
            case txn_verdict::find_coordinator:
                *where.node = -1;
                co_await net::sleep_for(self->strand, self->cfg.retry_backoff);
                continue;
            case txn_verdict::retry: {
                const std::chrono::milliseconds backoff =
                    ec == broker_errc::concurrent_transactions ? concurrent_transactions_backoff : self->cfg.retry_backoff;
                co_await net::sleep_for(self->strand, backoff);
                continue;
            }
            default: co_return out;
        }
    }
}

// The error readers are plain functions, not lambdas: GCC 12 mishandles temporaries (lambdas,
// braced aggregates) in a co_await operand, destroying them twice. So every argument of a
// co_await exchange(...) is a named object or a function.
template <class Response>
error_code top_level_error(const Response& r) {
    return r.error_code == 0 ? error_code{} : error_code(static_cast<broker_errc>(r.error_code));
}

error_code first_partition_error(const protocol::msg::txn_offset_commit_response& r) {
    for (const auto& t : r.topics)
        for (const auto& p : t.partitions)
            if (p.error_code != 0) return static_cast<broker_errc>(p.error_code);
    return {};
}

// OPERATION_NOT_ATTEMPTED only says another partition failed: that one is reported.
error_code first_added_partition_error(const protocol::msg::add_partitions_to_txn_response& r) {
    error_code first;
    for (const auto& t : r.results_by_topic_v3_and_below)
        for (const auto& p : t.results_by_partition)
            if (p.partition_error_code != 0) {
                const error_code ec = static_cast<broker_errc>(p.partition_error_code);
                if (ec != broker_errc::operation_not_attempted) return ec;
                first = ec;
            }
    return first;
}

}  // namespace

// --- The public operations ---

void producer::impl::txn_call(txn_task kind, waiter_ptr op, std::vector<partition_offset> offsets,
                              consumer_group_metadata group) {
    auto refuse = [&](error_code ec, std::string why) {
        error_context context;
        context.message = std::move(why);
        context.property = "transactional.id";
        note_error(ec, context);
        op->complete(ec);
    };
    static constexpr std::string_view names[] = {"", "init_transactions", "commit_transaction",
                                                 "abort_transaction", "send_offsets_to_transaction"};
    const std::string_view name = names[static_cast<int>(kind)];
    if (!txn) return refuse(client_errc::invalid_transaction_state, std::string(name) + " needs transactional.id");
    if (fatal.load(std::memory_order_acquire)) {
        std::lock_guard lock(errors_mutex);
        return op->complete(fatal_error.code);
    }
    if (stopped || closing.load(std::memory_order_acquire))
        return refuse(client_errc::connection_closed, "the producer is closed");
    auto add_waiter = [&] {
        auto t = std::make_shared<asio::steady_timer>(strand, cfg.max_block);
        t->async_wait([op, t, weak = weak_from_this(), name](error_code ec) {
            if (ec) return;
            if (auto self = weak.lock()) {
                error_context context;
                context.property = "max.block.ms";
                context.message = std::string(name) + " not done within max.block.ms=" +
                                  std::to_string(self->cfg.max_block.count()) +
                                  " (it goes on: calling it again waits for it)";
                self->note_error(client_errc::timed_out, context);
            }
            op->complete(client_errc::timed_out);
        });
        txn_waiters.push_back({std::move(op), std::move(t)});
        txn_deadline = std::max(txn_deadline, clock::now() + cfg.max_block);
    };
    if (txn_running != txn_task::none) {
        if (txn_running == kind && kind != txn_task::offsets) return add_waiter();
        return refuse(client_errc::invalid_transaction_state,
                      std::string(name) + " while " + std::string(names[static_cast<int>(txn_running)]) +
                          " is running");
    }
    const kasio::transaction_state s = txn->state();
    bool allowed = false;
    switch (kind) {
        case txn_task::init: allowed = s == kasio::transaction_state::uninitialized; break;
        case txn_task::commit:
            if (s == kasio::transaction_state::abortable_error) {
                // Java's maybeFailWithError: the commit fails with what broke the transaction.
                const error_info& e = txn->last_error();
                note_error(e.code, e.context);
                return op->complete(e.code ? e.code : error_code(client_errc::invalid_transaction_state));
            }
            allowed = s == kasio::transaction_state::in_transaction || s == kasio::transaction_state::committing;
            break;
        case txn_task::abort:
            allowed = s == kasio::transaction_state::in_transaction || s == kasio::transaction_state::abortable_error ||
                      s == kasio::transaction_state::aborting;
            break;
        case txn_task::offsets: allowed = s == kasio::transaction_state::in_transaction; break;
        case txn_task::none: break;
    }
    if (!allowed) return refuse(client_errc::invalid_transaction_state, transaction_state_refusal(name, s));
    txn_deadline = clock::now();
    add_waiter();
    txn_running = kind;
    asio::co_spawn(strand, run_txn_task(shared_from_this(), kind, std::move(offsets), std::move(group)),
                   net::on_loop_exit(cfg.connection.log, "producer: " + std::string(name),
                                     [self = shared_from_this()](const std::string&) {
                                         self->finish_txn_task(client_errc::internal_error);
                                     }));
}

asio::awaitable<void> producer::impl::run_txn_task(std::shared_ptr<impl> self, txn_task kind,
                                                   std::vector<partition_offset> offsets,
                                                   consumer_group_metadata group) {
    error_code ec;
    switch (kind) {
        case txn_task::init: ec = co_await txn_init(self); break;
        case txn_task::commit: ec = co_await txn_end(self, true); break;
        case txn_task::abort: ec = co_await txn_end(self, false); break;
        case txn_task::offsets: ec = co_await txn_send_offsets(self, std::move(offsets), std::move(group)); break;
        case txn_task::none: break;
    }
    self->finish_txn_task(ec);
}

void producer::impl::finish_txn_task(error_code ec) {
    txn_running = txn_task::none;
    for (auto& w : std::exchange(txn_waiters, {})) {
        w.timer->cancel();
        w.op->complete(ec);
    }
    timer.cancel();  // the sender looks at the new state (and a close waiting for the task)
}

error_code producer::impl::txn_fail(const error_code& ec, txn_verdict verdict, error_context context) {
    if (verdict == txn_verdict::fatal) {
        const error_code code = fatal_code(ec);
        if (code == broker_errc::producer_fenced && context.message.empty())
            context.message = "another producer with transactional.id " + cfg.transactional_id + " fenced this one";
        fail_fatally(code, std::move(context));  // sets the transaction's fatal state too
        return code;
    }
    if (verdict == txn_verdict::abortable) {
        if (cfg.connection.log.enabled(log_level::info))
            cfg.connection.log.sink(log_level::info, "producer: the transaction must be aborted: " +
                                                         error_info{ec, context}.describe());
        note_error(ec, context);
        txn->set_abortable(error_info{ec, std::move(context)});
        timer.cancel();
        return ec;
    }
    note_error(ec, context);  // timed out or closed: nothing decided
    return ec;
}

void producer::impl::txn_batch_failed(const error_code& ec, const error_context& context) {
    if (!txn) return;
    if (is_fatal_batch_error(ec)) {
        fail_fatally(fatal_code(ec), context);
        return;
    }
    const kasio::transaction_state s = txn->state();
    if (s == kasio::transaction_state::aborting || s == kasio::transaction_state::fatal_error) return;
    txn_fail(ec, txn_verdict::abortable, context);
}

// --- InitProducerId ---

asio::awaitable<error_code> producer::impl::txn_init(std::shared_ptr<impl> self) {
    self->txn->set_state(kasio::transaction_state::initializing);
    protocol::msg::init_producer_id_request req;
    req.transactional_id = self->cfg.transactional_id;
    req.transaction_timeout_ms = static_cast<std::int32_t>(self->cfg.transaction_timeout.count());
    protocol::msg::init_producer_id_response resp;
    coordinator_slot where{cluster::coordinator_type::transaction, self->cfg.transactional_id, &self->txn->coordinator};
    const exchange_result r = co_await exchange(self, txn_api::init_producer_id, where, req, resp,
                                                top_level_error<protocol::msg::init_producer_id_response>,
                                                self->txn_deadline);
    if (r.ec) {
        error_context context;
        context.api = "InitProducerId";
        context.node_id = r.node;
        context.message = r.message;
        context.property = "transactional.id";
        if (r.verdict == txn_verdict::fatal) co_return self->txn_fail(r.ec, r.verdict, std::move(context));
        // Timed out, closed or abortable: nothing holds; init may be called again.
        self->txn->set_state(kasio::transaction_state::uninitialized);
        self->note_error(r.ec, context);
        co_return r.ec;
    }
    self->tracker->reset({resp.producer_id, resp.producer_epoch});
    self->txn->version2 = co_await txn_version2_enabled(self);
    self->txn->end_transaction();
    self->txn->set_state(kasio::transaction_state::ready);
    if (self->cfg.connection.log.enabled(log_level::info))
        self->cfg.connection.log.sink(log_level::info, "producer: transactional.id " + self->cfg.transactional_id +
                                                           " has producer id " + std::to_string(resp.producer_id) +
                                                           " epoch " + std::to_string(resp.producer_epoch) +
                                                           "; transaction version " +
                                                           (self->txn->version2 ? "2" : "1"));
    co_return error_code{};
}

asio::awaitable<bool> producer::impl::txn_version2_enabled(std::shared_ptr<impl> self) {
    // Java reads the finalized feature from the ApiVersions answers of its connections; kasio
    // asks the coordinator once, at init (a cluster upgraded later is seen by a new producer).
    protocol::msg::api_versions_request req;
    req.client_software_name = "kasio";
    req.client_software_version = net::negotiator::default_software_version();
    auto [ec, frame] = co_await self->pool.async_request(self->txn->coordinator, net::purpose::general, req,
                                                         net::nothrow_awaitable);
    protocol::msg::api_versions_response resp;
    if (!ec) ec = net::decode_response(frame, resp);
    if (!ec && resp.error_code != 0) ec = static_cast<broker_errc>(resp.error_code);
    if (ec) {
        if (self->cfg.connection.log.enabled(log_level::warning))
            self->cfg.connection.log.sink(log_level::warning, "producer: could not read the cluster's transaction.version (" +
                                                                  ec.message() + "); using transaction version 1");
        co_return false;
    }
    for (const auto& f : resp.finalized_features)
        if (f.name == "transaction.version") co_return f.max_version_level >= 2;
    co_return false;
}

// --- Commit and abort ---

asio::awaitable<error_code> producer::impl::txn_wait_idle(std::shared_ptr<impl> self) {
    for (;;) {
        if (!self->acc.has_incomplete() && self->waiting.empty()) co_return error_code{};
        if (self->stopped || self->aborting) co_return error_code(client_errc::connection_closed);
        if (clock::now() >= self->txn_deadline) co_return error_code(client_errc::timed_out);
        // A flush makes every batch ready now, linger or not; its completion wakes us.
        auto op = net::abandonable_op<>::make(
            net::abandonable_op<>::handler_type([weak = std::weak_ptr<impl>(self)](error_code) {
                if (auto s = weak.lock()) s->txn_timer.cancel();
            }),
            self->strand);
        self->flush(std::move(op));
        self->txn_timer.expires_at(self->txn_deadline);
        co_await self->txn_timer.async_wait(net::nothrow_awaitable);
    }
}

asio::awaitable<error_code> producer::impl::txn_end(std::shared_ptr<impl> self, bool commit) {
    transaction_manager& t = *self->txn;
    if (commit && t.state() == kasio::transaction_state::in_transaction) t.set_state(kasio::transaction_state::committing);
    if (!commit && t.state() != kasio::transaction_state::aborting) {
        t.set_state(kasio::transaction_state::aborting);
        self->timer.cancel();  // the sender fails what is queued
    }
    if (error_code ec = co_await txn_wait_idle(self)) co_return ec;
    if (commit && t.state() != kasio::transaction_state::committing) {
        // A record failed while the commit waited for it: the transaction must be aborted.
        const error_info& e = t.last_error();
        co_return e.code ? e.code : error_code(client_errc::invalid_transaction_state);
    }
    error_context context;
    context.api = "EndTxn";
    context.property = "transactional.id";
    const producer_identity id = self->tracker->identity();
    // EndTxn only when something joined the transaction (the coordinator knows no empty one),
    // and not after INVALID_PRODUCER_ID_MAPPING, which it would refuse again (Java skips it).
    coordinator_slot where{cluster::coordinator_type::transaction, self->cfg.transactional_id, &t.coordinator};
    const bool skip_end = !t.started() || (!commit && t.last_error().code == broker_errc::invalid_producer_id_mapping);
    if (!skip_end) {
        protocol::msg::end_txn_request req;
        req.transactional_id = self->cfg.transactional_id;
        req.producer_id = id.id;
        req.producer_epoch = id.epoch;
        req.committed = commit;
        protocol::msg::end_txn_response resp;
        net::request_options options;
        options.max_version = t.version2 ? -1 : 4;  // v5 is version 2's epoch bump
        const exchange_result r = co_await exchange(self, txn_api::end_txn, where, req, resp,
                                                    top_level_error<protocol::msg::end_txn_response>, self->txn_deadline,
                                                    options);
        context.node_id = r.node;
        if (r.ec) {
            // An abort goes on to the epoch bump after an abortable refusal (the coordinator
            // fences the old epoch anyway); everything else ends here.
            if (commit || r.verdict != txn_verdict::abortable) co_return self->txn_fail(r.ec, r.verdict, context);
        } else if (resp.producer_id >= 0 && resp.producer_epoch >= 0) {
            // Version 2: the coordinator bumped the epoch (a new id when it ran out); the next
            // transaction's sequences start at 0 under it. No InitProducerId after an abort.
            self->tracker->reset({resp.producer_id, resp.producer_epoch});
            t.end_transaction();
            t.set_state(kasio::transaction_state::ready);
            (commit ? self->txn_committed : self->txn_aborted).fetch_add(1, std::memory_order_relaxed);
            co_return error_code{};
        }
    }
    if (commit) {
        t.end_transaction();
        t.set_state(kasio::transaction_state::ready);
        self->txn_committed.fetch_add(1, std::memory_order_relaxed);
        co_return error_code{};
    }
    // KIP-360: a new epoch after every abort, so that batches the abort dropped (some with
    // sequences the broker never saw) leave no gap, and an abortable error leaves nothing
    // behind. The coordinator answers CONCURRENT_TRANSACTIONS until its abort markers are
    // written; exchange() retries.
    protocol::msg::init_producer_id_request req;
    req.transactional_id = self->cfg.transactional_id;
    req.transaction_timeout_ms = static_cast<std::int32_t>(self->cfg.transaction_timeout.count());
    req.producer_id = id.id;
    req.producer_epoch = id.epoch;
    protocol::msg::init_producer_id_response resp;
    const exchange_result r = co_await exchange(self, txn_api::init_producer_id, where, req, resp,
                                                top_level_error<protocol::msg::init_producer_id_response>,
                                                self->txn_deadline);
    if (r.ec) {
        context.api = "InitProducerId";
        context.node_id = r.node;
        co_return self->txn_fail(r.ec, r.verdict == txn_verdict::abortable ? txn_verdict::fatal : r.verdict, context);
    }
    self->tracker->reset({resp.producer_id, resp.producer_epoch});
    t.end_transaction();
    t.set_state(kasio::transaction_state::ready);
    self->txn_aborted.fetch_add(1, std::memory_order_relaxed);
    co_return error_code{};
}

// --- Offsets ---

asio::awaitable<error_code> producer::impl::txn_send_offsets(std::shared_ptr<impl> self,
                                                             std::vector<partition_offset> offsets,
                                                             consumer_group_metadata group) {
    transaction_manager& t = *self->txn;
    const producer_identity id = self->tracker->identity();
    error_context context;
    context.property = "transactional.id";
    if (group.group_id.empty()) {
        context.message = "send_offsets_to_transaction needs the group's metadata (consumer::group_metadata())";
        self->note_error(client_errc::invalid_config, context);
        co_return error_code(client_errc::invalid_config);
    }
    if (t.version2) {
        t.add_group(group.group_id);  // TxnOffsetCommit v5 adds it (KIP-890)
    } else if (!t.group_added(group.group_id)) {
        protocol::msg::add_offsets_to_txn_request req;
        req.transactional_id = self->cfg.transactional_id;
        req.producer_id = id.id;
        req.producer_epoch = id.epoch;
        req.group_id = group.group_id;
        protocol::msg::add_offsets_to_txn_response resp;
        coordinator_slot where{cluster::coordinator_type::transaction, self->cfg.transactional_id, &t.coordinator};
        const exchange_result r = co_await exchange(self, txn_api::add_offsets, where, req, resp,
                                                    top_level_error<protocol::msg::add_offsets_to_txn_response>,
                                                    self->txn_deadline);
        if (r.ec) {
            context.api = "AddOffsetsToTxn";
            context.node_id = r.node;
            co_return self->txn_fail(r.ec, r.verdict, context);
        }
        t.add_group(group.group_id);
    }
    protocol::msg::txn_offset_commit_request req;
    req.transactional_id = self->cfg.transactional_id;
    req.group_id = group.group_id;
    req.producer_id = id.id;
    req.producer_epoch = id.epoch;
    req.generation_id = group.generation_id;
    req.member_id = group.member_id;
    req.group_instance_id = group.group_instance_id;
    cluster::add_offsets_by_topic(req.topics, offsets);
    auto [slot, inserted] = self->group_coordinators.try_emplace(group.group_id, -1);
    protocol::msg::txn_offset_commit_response resp;
    coordinator_slot where{cluster::coordinator_type::group, group.group_id, &slot->second};
    net::request_options options;
    options.max_version = t.version2 ? -1 : 4;  // v5 adds the group itself (version 2)
    const exchange_result r = co_await exchange(self, txn_api::txn_offset_commit, where, req, resp,
                                                first_partition_error, self->txn_deadline, options);
    if (r.ec) {
        context.api = "TxnOffsetCommit";
        context.node_id = r.node;
        if (r.ec == broker_errc::unknown_member_id || r.ec == broker_errc::illegal_generation)
            context.message = "the group's coordinator refused the offsets of a member that is no longer in generation " +
                              std::to_string(group.generation_id) + " of group " + group.group_id;
        co_return self->txn_fail(r.ec, r.verdict, context);
    }
    co_return error_code{};
}

// --- The sender's part ---

void producer::impl::txn_sender_pass() {
    const kasio::transaction_state s = txn->state();
    if (s == kasio::transaction_state::abortable_error || s == kasio::transaction_state::aborting) {
        // Java's Sender.maybeAbortBatches: nothing more of this transaction is sent.
        const error_code ec = s == kasio::transaction_state::aborting || !txn->last_error().code
                                  ? error_code(client_errc::transaction_aborted)
                                  : txn->last_error().code;
        if (!acc.has_undrained() && waiting.empty()) return;
        // A record of a failed transaction carries what broke it; one of an aborted one, why
        // it was not sent. Noted before the records fail, so that a caller woken by one of
        // them finds it in last_error().
        auto context = std::make_shared<error_context>();
        if (s == kasio::transaction_state::abortable_error && txn->last_error().code) {
            *context = txn->last_error().context;
        } else {
            context->message = "the transaction was aborted before the record was sent";
            context->property = "transactional.id";
        }
        note_error(ec, *context);
        records_failed.fetch_add(acc.abort_undrained(ec, context), std::memory_order_relaxed);
        fail_waiting(ec, context);
    }
}

void producer::impl::txn_add_pending_partitions() {
    const kasio::transaction_state s = txn->state();
    if ((s == kasio::transaction_state::in_transaction || s == kasio::transaction_state::committing) && txn->has_pending() &&
        !txn->adding()) {
        asio::co_spawn(strand, txn_add_partitions(shared_from_this()),
                       net::on_loop_exit(cfg.connection.log, "producer: AddPartitionsToTxn",
                                         [self = shared_from_this()](const std::string& why) {
                                             error_context context;
                                             context.api = "AddPartitionsToTxn";
                                             context.message = why;
                                             self->txn_fail(client_errc::internal_error, txn_verdict::abortable,
                                                            context);
                                         }));
    }
}

asio::awaitable<void> producer::impl::txn_add_partitions(std::shared_ptr<impl> self) {
    transaction_manager& t = *self->txn;
    const std::vector<topic_partition> tps = t.take_pending();
    const producer_identity id = self->tracker->identity();
    protocol::msg::add_partitions_to_txn_request req;
    req.v3_and_below_transactional_id = self->cfg.transactional_id;
    req.v3_and_below_producer_id = id.id;
    req.v3_and_below_producer_epoch = id.epoch;
    for (const topic_partition& tp : tps) {
        auto it = std::find_if(req.v3_and_below_topics.begin(), req.v3_and_below_topics.end(),
                               [&](const auto& x) { return x.name == tp.topic; });
        if (it == req.v3_and_below_topics.end()) {
            it = req.v3_and_below_topics.emplace(req.v3_and_below_topics.end());
            it->name = tp.topic;
        }
        it->partitions.push_back(tp.partition);
    }
    net::request_options options;
    options.max_version = 3;  // v4+ is broker to broker (KIP-890)
    protocol::msg::add_partitions_to_txn_response resp;
    coordinator_slot where{cluster::coordinator_type::transaction, self->cfg.transactional_id, &t.coordinator};
    const time_point deadline = clock::now() + self->cfg.delivery_timeout;
    const exchange_result r = co_await exchange(self, txn_api::add_partitions, where, req, resp,
                                                first_added_partition_error, deadline, options);
    if (!r.ec) {
        t.added(tps);
        if (self->cfg.connection.log.enabled(log_level::debug))
            self->cfg.connection.log.sink(log_level::debug, "producer: " + std::to_string(tps.size()) +
                                                                " partition(s) added to the transaction");
    } else {
        t.add_failed(tps, r.verdict == txn_verdict::retry && !self->stopped);
        if (r.verdict != txn_verdict::retry) {
            error_context context;
            context.api = "AddPartitionsToTxn";
            context.node_id = r.node;
            context.topic = tps.front().topic;
            context.partition = tps.front().partition;
            self->txn_fail(r.ec, r.verdict, context);
        } else if (!self->stopped) {
            // Timed out: the batches waiting for it expire (delivery.timeout.ms) and fail the
            // transaction; nothing else to do here.
            error_context context;
            context.api = "AddPartitionsToTxn";
            context.message = "partitions not added within delivery.timeout.ms";
            self->txn_fail(r.ec, txn_verdict::abortable, context);
        }
    }
    self->timer.cancel();  // batches of the added partitions may go
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace kasio

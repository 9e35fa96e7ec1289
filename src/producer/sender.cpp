// The sender: one coroutine on the pool strand (the Java client's Sender thread, without a
// thread). Each pass: apply new metadata, admit waiting sends, keep the idempotence state
// (producer id, epoch bumps), expire old batches, then for every broker drain the ready
// batches of the partitions it leads into Produce requests, up to max.in.flight per broker.
// Responses complete, retry (after retry.backoff.ms, re-routed by the metadata they caused
// to be refreshed) or fail each batch.
//
// runs on: pool strand (every function in this file).
#include "net/throttle.hpp"
#include "net/completion.hpp"
#include "producer/producer_impl.hpp"

#include "net/loop_exit.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <mutex>

namespace kasio {

using namespace detail::producer;

namespace {

// The broker says our leaders are stale, or the connection to the leader went: look again.
bool needs_metadata(const error_code& ec) noexcept {
    return needs_metadata_refresh(ec) || ec == client_errc::connection_closed || ec == client_errc::timed_out;
}

std::uint64_t micros_since(time_point from, time_point now) noexcept {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - from).count();
    return us > 0 ? static_cast<std::uint64_t>(us) : 0;
}

}  // namespace

void producer::impl::start() {
    // Records of a batch dropped unanswered (a Produce call destroyed with its connection
    // pool, or queued when the accumulator dies) are failed on the strand, whichever thread
    // released them: a delivery handler never runs inside someone's destructor. Once the
    // producer is gone they are still failed there, without the stats.
    acc.set_orphan_sink([ex = strand, weak = weak_from_this()](orphaned_records&& records) {
        asio::post(ex, [weak, records = std::move(records)]() mutable {
            const error_code ec = client_errc::connection_closed;
            if (auto self = weak.lock()) {
                self->records_failed.fetch_add(records.size(), std::memory_order_relaxed);
                callback_failures thrown;
                fail_orphans(records, ec, &thrown);
                if (thrown.count != 0) self->report_callback_failures(thrown);
            } else {
                fail_orphans(records, ec);
            }
        });
    });
    // Every refresh wakes the sender: leaders for ready batches, topics for waiting sends,
    // an outage or a refusal for the sends that wait on metadata.
    refresher.set_listener([weak = weak_from_this()] {
        if (auto self = weak.lock()) self->timer.cancel();
    });
    refresher.start();
    statistics.start(strand, cfg.connection, [weak = weak_from_this()]() -> std::optional<std::string> {
        if (auto self = weak.lock()) return self->statistics_json();
        return std::nullopt;
    });
    // An exception out of the loop (bad_alloc, a bug: delivery callbacks and the log sink are
    // contained) fails every record and operation with internal_error: nothing waits forever.
    asio::co_spawn(strand, run(shared_from_this()),
                   net::on_loop_exit(cfg.connection.log, "producer: sender", [self = shared_from_this()](const std::string& why) {
                       error_context context;
                       context.message = "the sender stopped: " + why;
                       self->fail_fatally(client_errc::internal_error, context);
                       self->abort_all(client_errc::internal_error);
                       for (auto& op : std::exchange(self->flush_waiters, {})) op->complete(client_errc::internal_error);
                       for (auto& op : std::exchange(self->close_waiters, {})) op->complete(client_errc::internal_error);
                       self->stopped = true;
                   }));
}

asio::awaitable<void> producer::impl::run(std::shared_ptr<impl> self) {
    while (!self->stopped) {
        self->wake_posted.store(false, std::memory_order_release);
        const time_point now = clock::now();
        self->update_metadata();
        self->retire_idle_topics(now);
        self->process_waiting(now);
        // Sends accepted before close() may still wait for their topic's metadata or for
        // memory: they are delivered like the rest, so the accumulator refuses appends (and
        // makes every batch ready, linger or not) only once none is left; new sends are
        // refused at once by `closing`.
        if (self->close_deadline && self->waiting.empty()) self->acc.close();
        if (self->tracker) {
            if (const error_code fatal = self->tracker->fatal_error(); fatal && !self->aborting) {
                self->abort_all(fatal);
            } else {
                self->tracker->maybe_resolve_sequences();
                // A transactional producer bumps its epoch through the coordinator, after the
                // abort that the error requesting the bump forced (txn_end).
                if (!self->txn) self->tracker->bump_epoch_if_needed();
                self->maybe_init_producer_id(now);
            }
        }
        if (self->txn) self->txn_sender_pass();
        std::size_t expired = 0;
        self->acc.expire(now, &expired);
        self->records_failed.fetch_add(expired, std::memory_order_relaxed);
        if (expired != 0 && self->txn) {
            error_context context;
            context.property = "delivery.timeout.ms";
            context.message = std::to_string(expired) + " record(s) of the transaction expired before they were sent";
            self->txn_batch_failed(client_errc::timed_out, context);
        }
        time_point next = self->send_ready(now);
        if (self->txn) self->txn_add_pending_partitions();
        self->check_waiters(now);
        if (self->stopped) break;
        if (!self->waiting.empty()) next = std::min(next, self->waiting.front()->deadline);
        if (self->close_deadline) next = std::min(next, *self->close_deadline);
        // Nothing polls: the refresher's listener, responses, appends and freed memory
        // cancel the timer; the deadlines above are the only times to look on our own.
        if (self->tracker && !self->txn && self->tracker->needs_producer_id() && !self->init_in_flight &&
            !self->fatal.load(std::memory_order_acquire))
            next = std::min(next, std::max(now, self->init_retry_at));
        self->timer.expires_at(next);
        co_await self->timer.async_wait(net::nothrow_awaitable);
    }
}

time_point producer::impl::send_ready(time_point now) {
    ready_scratch.clear();
    time_point next = acc.ready(now, ready_scratch);
    if (ready_scratch.empty()) return next;
    const cluster::metadata_cache& cache = refresher.cache();
    for (auto& [id, n] : nodes) n.ready.clear();
    for (const topic_partition_view& tp : ready_scratch) {
        const std::int32_t leader = cache.leader(tp.topic, tp.partition);
        if (leader < 0) {
            refresh_metadata();
            next = std::min(next, now + cfg.retry_backoff);
            continue;
        }
        nodes[leader].ready.push_back(tp);
    }
    std::vector<batch_ptr> batches;
    for (auto& [id, n] : nodes) {
        while (!n.ready.empty() && n.in_flight < cfg.max_in_flight) {
            acc.drain(n.ready, n.cursor, cfg.max_request_size, now, batches);
            if (batches.empty()) break;
            send_request(id, std::move(batches));
            batches.clear();
        }
    }
    return next;
}

void producer::impl::send_request(std::int32_t node, std::vector<batch_ptr> batches) {
    protocol::msg::produce_request req;
    req.acks = cfg.acks;
    const time_point now = metrics_on ? clock::now() : time_point{};
    // The broker checks the transactional batches against this id (and its authorization).
    if (txn) req.transactional_id = cfg.transactional_id;
    req.timeout_ms = static_cast<std::int32_t>(cfg.connection.request_timeout.count());
    std::size_t bytes = 0;
    for (const batch_ptr& b : batches) {
        const topic_partition_view tp = b->topic_partition();
        auto t = std::find_if(req.topic_data.rbegin(), req.topic_data.rend(),
                              [&](const auto& td) { return td.name == tp.topic; });
        auto& td = t != req.topic_data.rend() ? *t : req.topic_data.emplace_back();
        if (td.name.empty()) td.name = tp.topic;
        auto& pd = td.partition_data.emplace_back();
        pd.index = tp.partition;
        pd.records = b->bytes();
        bytes += b->bytes().size();
        if (metrics_on) {
            uncompressed_sent.fetch_add(b->size_bytes(), std::memory_order_relaxed);
            batch_records.record(static_cast<std::uint64_t>(b->record_count()));
            batch_bytes.record(b->bytes().size());
            if (b->attempts() == 0) queue_time_us.record(micros_since(b->created(), now));
        }
    }
    batches_sent.fetch_add(batches.size(), std::memory_order_relaxed);
    requests_sent.fetch_add(1, std::memory_order_relaxed);
    bytes_sent.fetch_add(bytes, std::memory_order_relaxed);
    ++nodes[node].in_flight;
    auto call = std::make_shared<produce_call>();
    call->node = node;
    call->batches = std::move(batches);
    // `self` is declared first so that it dies last: the batches return to the accumulator.
    net::request_options options;
    // Produce v12 adds the partition to the transaction (version 2): not under version 1.
    if (txn && !txn->version2) options.max_version = 11;
    pool.async_request(node, net::purpose::bulk, std::move(req), options,
                       [self = shared_from_this(), call](error_code ec, net::response_frame frame) {
                           self->on_response(*call, ec, frame);
                       });
}

void producer::impl::on_response(produce_call& call, error_code ec, const net::response_frame& frame) {
    node_state& n = nodes[call.node];
    if (n.in_flight > 0) --n.in_flight;
    if (!ec && cfg.acks != 0) {
        // The broker pool already holds the connection for it (KIP-219); counted for stats().
        throttled_ms.fetch_add(static_cast<std::uint64_t>(std::max(0, net::client_throttle_ms(frame))),
                               std::memory_order_relaxed);
        protocol::msg::produce_response resp;
        ec = net::decode_response(frame, resp);
        if (!ec) {
            for (const auto& t : resp.responses) {
                for (const auto& p : t.partition_responses) {
                    auto it = std::find_if(call.batches.begin(), call.batches.end(), [&](const batch_ptr& b) {
                        return b && b->topic_partition().partition == p.index && b->topic_partition().topic == t.name;
                    });
                    if (it == call.batches.end()) continue;
                    if (p.error_code == 0) {
                        on_batch_success(std::move(*it), p.base_offset, p.log_append_time_ms);
                    } else {
                        on_batch_error(std::move(*it), static_cast<broker_errc>(p.error_code), p.log_start_offset,
                                       call.node, p.error_message.value_or(std::string()));
                    }
                }
            }
            // A partition the response left out: the broker's answer for it is unknown.
            for (batch_ptr& b : call.batches)
                if (b) on_batch_error(std::move(b), client_errc::incomplete_response, -1, call.node,
                                      "the Produce response left this partition out");
        }
    } else if (!ec) {  // acks=0: written is all we learn
        for (batch_ptr& b : call.batches) on_batch_success(std::move(b), -1, -1);
    }
    if (ec) {
        refresh_metadata();
        for (batch_ptr& b : call.batches)
            if (b) on_batch_error(std::move(b), ec, -1, call.node, {});
    }
    timer.cancel();  // responses free in-flight slots and memory: look again
}

void producer::impl::on_batch_success(batch_ptr b, std::int64_t base_offset, std::int64_t log_append_time) {
    if (tracker) tracker->on_success(*b, base_offset);
    records_delivered.fetch_add(static_cast<std::uint64_t>(b->record_count()), std::memory_order_relaxed);
    if (metrics_on) batch_done(*b, {}, base_offset, clock::now());
    acc.complete(std::move(b), base_offset, log_append_time);
}

void producer::impl::on_batch_error(batch_ptr b, error_code ec, std::int64_t log_start_offset, std::int32_t node,
                                    std::string broker_message) {
    const time_point now = clock::now();
    const bool timed_out = aborting || acc.reached_delivery_timeout(*b, now);
    const bool attempts_left = !aborting && b->attempts() < cfg.retries;
    if (needs_metadata(ec)) refresh_metadata();
    batch_verdict verdict = batch_verdict::fail;
    if (tracker) verdict = tracker->on_error(*b, ec, log_start_offset, attempts_left, timed_out);
    // A transaction cannot bump its epoch on its own: the error that asks for a bump
    // (OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID) makes it abortable (Java's
    // maybeTransitionToErrorState with epochBumpRequired); the abort bumps.
    if (txn && verdict != batch_verdict::fail && tracker->epoch_bump_pending()) {
        error_context context;
        context.api = "Produce";
        context.topic = b->topic_partition().topic;
        context.partition = b->topic_partition().partition;
        context.node_id = node;
        context.message = broker_message;
        txn_batch_failed(ec, context);
    }
    else if (attempts_left && !timed_out && is_retriable(ec)) verdict = batch_verdict::retry;
    const auto records = static_cast<std::uint64_t>(b->record_count());
    {
        std::lock_guard lock(errors_mutex);
        auto it = std::find_if(batch_errors.begin(), batch_errors.end(), [&](const auto& e) { return e.first == ec; });
        if (it == batch_errors.end()) batch_errors.emplace_back(ec, 1);
        else ++it->second;
    }
    switch (verdict) {
        case batch_verdict::retry:
            retries.fetch_add(1, std::memory_order_relaxed);
            acc.reenqueue(std::move(b), now + cfg.retry_backoff);
            break;
        case batch_verdict::duplicate:
            records_delivered.fetch_add(records, std::memory_order_relaxed);
            if (metrics_on) batch_done(*b, {}, -1, now);
            acc.complete(std::move(b), -1);
            break;
        case batch_verdict::fail: {
            records_failed.fetch_add(records, std::memory_order_relaxed);
            // A delivery timeout reports timed_out, as the Java client's TimeoutException.
            const bool expired = timed_out && !aborting && is_retriable(ec);
            auto context = std::make_shared<error_context>();
            const topic_partition_view tp = b->topic_partition();
            context->api = "Produce";
            context->topic = tp.topic;
            context->partition = tp.partition;
            context->node_id = node;
            if (const auto* broker = refresher.cache().broker(node))
                context->broker = broker->host + ":" + std::to_string(broker->port);
            context->message = std::move(broker_message);
            if (expired) {
                context->property = "delivery.timeout.ms";
                context->message = "not delivered within delivery.timeout.ms=" +
                                   std::to_string(cfg.delivery_timeout.count()) + "; the last attempt failed with: " +
                                   ec.message() + (context->message.empty() ? "" : " (" + context->message + ")");
            }
            const error_code final_ec = expired ? error_code(client_errc::timed_out) : ec;
            if (metrics_on) batch_done(*b, final_ec, -1, now);
            note_error(final_ec, *context);
            if (txn) txn_batch_failed(final_ec, *context);
            acc.fail(std::move(b), final_ec, std::move(context));
            break;
        }
    }
}

void producer::impl::batch_done(const producer_batch& b, error_code ec, std::int64_t base_offset, time_point now) {
    const std::uint64_t latency = micros_since(b.created(), now);
    delivery_latency_us.record(latency);
    if (!hooks) return;
    const topic_partition_view tp = b.topic_partition();
    const batch_event e{tp.topic, tp.partition, base_offset, static_cast<std::size_t>(b.record_count()),
                        b.bytes().size(), b.size_bytes(), static_cast<std::uint32_t>(b.attempts() + 1),
                        std::chrono::microseconds(latency), ec};
    try {
        hooks->on_batch_delivered(e);
    } catch (...) {
        if (cfg.connection.log.enabled(log_level::error))
            cfg.connection.log.sink(log_level::error, "producer: hook on_batch_delivered threw: " +
                                                          net::describe_exception(std::current_exception()));
    }
}

void producer::impl::maybe_init_producer_id(time_point now) {
    // After a refusal (fail_fatally) no producer id can help: asking again would only keep a
    // request in flight for as long as the producer lives.
    // A transactional producer gets its id from async_init_transactions (transactions.cpp).
    if (txn || !tracker->needs_producer_id() || init_in_flight || now < init_retry_at || aborting ||
        fatal.load(std::memory_order_acquire))
        return;
    const cluster::metadata_cache& cache = refresher.cache();
    if (cache.brokers().empty()) return;  // the bootstrap refresh names them
    // Any broker will do for an idempotent (non-transactional) producer; rotate on failures.
    static_assert(sizeof(std::size_t) >= 4);
    const auto& brokers = cache.brokers();
    const std::int32_t node = brokers[init_attempts++ % brokers.size()].node_id;
    protocol::msg::init_producer_id_request req;
    req.transactional_id = std::nullopt;
    req.transaction_timeout_ms = 60000;
    init_in_flight = true;
    pool.async_request(node, net::purpose::general, std::move(req),
                       [self = shared_from_this(), node](error_code ec, net::response_frame frame) {
                           self->init_in_flight = false;
                           protocol::msg::init_producer_id_response resp;
                           if (!ec) ec = net::decode_response(frame, resp);
                           if (!ec && resp.error_code != 0) ec = static_cast<broker_errc>(resp.error_code);
                           if (ec && ec.category() == broker_category() && !is_retriable(ec)) {
                               // Not allowed (cluster authorization) or not supported: no
                               // idempotent send can ever succeed. Fail them all, say why.
                               error_context context;
                               context.api = "InitProducerId";
                               context.node_id = node;
                               context.message = "the broker refused a producer id for enable.idempotence";
                               context.property = "enable.idempotence";
                               self->fail_fatally(ec, std::move(context));
                           } else if (ec) {
                               self->init_retry_at = clock::now() + self->cfg.retry_backoff;
                               if (self->cfg.connection.log.enabled(log_level::warning))
                                   self->cfg.connection.log.sink(log_level::warning,
                                                                 "producer: InitProducerId failed: " + ec.message());
                           } else {
                               self->tracker->set_producer_id({resp.producer_id, resp.producer_epoch});
                           }
                           self->timer.cancel();
                       });
}

void producer::impl::refresh_metadata() {
    // The refresher coalesces requests and spaces them retry.backoff.ms apart; its listener
    // wakes the loop when the answer lands.
    if (!stopped) refresher.request_refresh();
}

}  // namespace kasio

// kasio::producer: configuration, the send path (any thread), sends waiting for memory or
// metadata, flush and close. The sender loop and Produce responses are in sender.cpp.
#include "producer/producer_impl.hpp"
#include "net/statistics.hpp"

#include "cluster/metadata_query.hpp"
#include "config/properties.hpp"
#include "net/loop_exit.hpp"
#include "producer/config_rules.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <random>

namespace kasio {

using namespace detail::producer;

namespace {

net::pool_config make_pool_config(const producer_config& c) {
    net::pool_config p;
    p.connection = c.connection;
    p.connection.max_in_flight = std::max(p.connection.max_in_flight, c.max_in_flight);
    p.connections_per_broker = c.connections_per_broker;
    p.reconnect.initial = c.reconnect_backoff;
    p.reconnect.max = c.reconnect_backoff_max;
    p.connections_max_idle = c.connections_max_idle;
    return p;
}

cluster::refresher_config make_refresher_config(const producer_config& c) {
    cluster::refresher_config r;
    r.bootstrap_servers = c.bootstrap_servers;
    r.metadata_max_age = c.metadata_max_age;
    r.retry = {c.retry_backoff, std::max(c.retry_backoff, std::chrono::milliseconds(1000))};
    r.allow_auto_topic_creation = c.allow_auto_create_topics;
    return r;
}

accumulator_config make_accumulator_config(const producer_config& c) {
    accumulator_config a;
    a.batch_size = c.batch_size;
    a.buffer_memory = c.buffer_memory;
    a.max_request_size = c.max_request_size;
    a.linger = c.linger;
    a.delivery_timeout = c.delivery_timeout;
    a.compression = compression::codec_from_name(c.compression_type).value_or(compression::codec::none);
    a.compression_level = c.compression_level;
    a.max_in_flight_per_partition = c.max_in_flight;
    switch (c.partitioner) {
        case partitioner_type::murmur2_random: a.partitioner.kind = partitioner_kind::sticky_murmur2; break;
        case partitioner_type::round_robin: a.partitioner.kind = partitioner_kind::round_robin; break;
        case partitioner_type::custom:
            a.partitioner.kind = partitioner_kind::custom;
            a.partitioner.function = c.partition_function;
            break;
    }
    a.seed = std::random_device{}();
    return a;
}

std::int64_t wall_clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::optional<std::vector<std::uint8_t>> own(const std::optional<bytes_view>& b) {
    if (!b) return std::nullopt;
    return std::vector<std::uint8_t>(b->begin(), b->end());
}

std::optional<bytes_view> view(const std::optional<std::vector<std::uint8_t>>& b) {
    if (!b) return std::nullopt;
    return bytes_view(*b);
}

// Kafka's rule for topic names (Topic.validate): 1..249 of [a-zA-Z0-9._-], not "." or "..".
// Empty when valid, else why not.
std::string invalid_topic_name(std::string_view name) {
    if (name.empty()) return "the topic name is empty";
    if (name == "." || name == "..") return "the topic name cannot be '.' or '..'";
    if (name.size() > 249) return "the topic name is longer than 249 characters";
    for (char ch : name) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                        ch == '.' || ch == '_' || ch == '-';
        if (!ok) return "the topic name has a character other than ASCII letters, digits, '.', '_' and '-'";
    }
    return {};
}

std::shared_ptr<const error_context> topic_context(std::string_view topic, std::string message,
                                                   std::string property = {}) {
    auto c = std::make_shared<error_context>();
    c->topic = topic;
    c->message = std::move(message);
    c->property = std::move(property);
    return c;
}

// Why the accumulator refused a record: too large, or a partition the topic does not have.
std::shared_ptr<const error_context> refusal_context(const record& r, std::int32_t partitions, const error_code& ec,
                                                     const producer_config& cfg) {
    auto c = std::make_shared<error_context>();
    c->topic = r.topic;
    c->partition = r.partition.value_or(-1);
    if (ec == broker_errc::message_too_large) {
        const std::size_t bytes = (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
        c->property = "max.request.size";
        c->message = "the record (" + std::to_string(bytes) + " bytes of key and value) does not fit in max.request.size=" +
                     std::to_string(cfg.max_request_size) + " or buffer.memory=" + std::to_string(cfg.buffer_memory);
    } else {
        c->message = "partition " + std::to_string(r.partition.value_or(-1)) + " is not in [0, " +
                     std::to_string(partitions) + "): the topic has " + std::to_string(partitions) + " partition(s)";
    }
    return c;
}

}  // namespace

std::string detail::producer::transaction_state_refusal(std::string_view call, kasio::transaction_state s) {
    std::string why = std::string(call) + " is not allowed in transaction state " + std::string(to_string(s));
    switch (s) {
        case kasio::transaction_state::uninitialized: return why + ": call async_init_transactions() first";
        case kasio::transaction_state::ready: return why + ": call begin_transaction() first";
        case kasio::transaction_state::abortable_error:
            return why + ": a record or request of the transaction failed; call async_abort_transaction()";
        case kasio::transaction_state::fatal_error: return why + ": the producer cannot go on; make a new one";
        default: return why;
    }
}

std::string_view to_string(kasio::transaction_state s) noexcept {
    switch (s) {
        case kasio::transaction_state::not_transactional: return "not_transactional";
        case kasio::transaction_state::uninitialized: return "uninitialized";
        case kasio::transaction_state::initializing: return "initializing";
        case kasio::transaction_state::ready: return "ready";
        case kasio::transaction_state::in_transaction: return "in_transaction";
        case kasio::transaction_state::committing: return "committing";
        case kasio::transaction_state::aborting: return "aborting";
        case kasio::transaction_state::abortable_error: return "abortable_error";
        case kasio::transaction_state::fatal_error: return "fatal_error";
    }
    return "unknown";
}

// --- impl ---

namespace {

std::uint64_t next_instance_id() noexcept {
    static std::atomic<std::uint64_t> last{0};
    return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

// The topic a thread last sent to, and through which producer. An application thread mostly
// sends to one topic at a time: a hit compares the name instead of hashing it (the hash and
// probe were ~80 instructions of a send's ~1,000, callgrind, issue 20).
struct last_topic_cache {
    std::uint64_t producer = 0;
    const topic_info* topic = nullptr;
};
thread_local last_topic_cache last_topic;

}  // namespace

const topic_info* producer::impl::find_topic(std::string_view name) const noexcept {
    if (last_topic.producer == instance_id && std::string_view(last_topic.topic->name) == name) return last_topic.topic;
    const topic_info* t = topics.find(name);
    if (t != nullptr) last_topic = {instance_id, t};
    return t;
}

producer::impl::impl(executor_type ex, producer_config c)
    : cfg(net::with_contained_log(std::move(c))), pool(ex, make_pool_config(cfg)),
      refresher(pool, make_refresher_config(cfg)),
      tracker(effective_idempotence(cfg) ? std::optional<sequence_tracker>(std::in_place) : std::nullopt),
      acc(make_accumulator_config(cfg), tracker ? &*tracker : nullptr), strand(pool.get_executor()), timer(strand),
      instance_id(next_instance_id()),
      txn_timer(strand), hooks(cfg.connection.metrics_enabled ? cfg.connection.hooks.get() : nullptr),
      metrics_on(cfg.connection.metrics_enabled), stats_name(net::instance_name(cfg.connection.client_id, "producer")),
      created(clock::now()) {
    if (!cfg.transactional_id.empty()) {
        txn.emplace(cfg.transactional_id);
        tracker->set_partition_gate(&*txn);
    }
    acc.set_memory_listener([this] { wake(); });
    acc.set_callback_failure_listener([this](const callback_failures& f) { report_callback_failures(f); });
}

void producer::impl::report_callback_failures(const callback_failures& f) {
    callback_errors.fetch_add(f.count, std::memory_order_relaxed);
    // The sink is contained (net::with_contained_log): it cannot throw here.
    if (cfg.connection.log.enabled(log_level::error))
        cfg.connection.log.sink(log_level::error, "producer: " + std::to_string(f.count) +
                                                      " delivery callback(s) threw; the other records were still "
                                                      "completed: " + f.first);
}

producer::impl::~impl() = default;

void producer::impl::wake() {
    // Loaded first: the locked exchange is a full barrier, dear when called often.
    if (!wake_posted.load(std::memory_order_acquire) && !wake_posted.exchange(true, std::memory_order_acq_rel))
        asio::post(strand, [self = shared_from_this()] { self->timer.cancel(); });
}

void producer::impl::fail_soon(delivery_handler&& done, error_code ec, std::int32_t partition,
                               std::shared_ptr<const error_context> context) {
    records_failed.fetch_add(1, std::memory_order_relaxed);
    if (context) note_error(ec, *context);
    asio::post(strand, [self = shared_from_this(), done = std::move(done), ec, partition,
                        context = std::move(context)]() mutable {
        // Java's doSend: a record refused inside a transaction makes it abortable (a refusal
        // for the state itself, or for a closed producer, changes nothing).
        if (self->txn && ec != client_errc::invalid_transaction_state && ec != client_errc::connection_closed)
            self->txn_batch_failed(ec, context ? *context : error_context{});
        delivery d;
        d.partition = partition;
        d.context = std::move(context);
        self->call_handler(done, ec, d);
    });
}

void producer::impl::call_handler(delivery_handler& done, error_code ec, const delivery& d) {
    try {
        done(ec, d);
    } catch (const std::exception& e) {
        callback_failures f;
        f.count = 1;
        f.first = e.what();
        report_callback_failures(f);
    } catch (...) {
        callback_failures f;
        f.count = 1;
        f.first = "an exception not derived from std::exception";
        report_callback_failures(f);
    }
}

void producer::impl::note_error(const error_code& ec, const error_context& context) {
    if (!ec) return;
    std::lock_guard lock(errors_mutex);
    last_error = error_info{ec, context};
}

void producer::impl::fail_fatally(const error_code& ec, error_context context) {
    if (cfg.connection.log.enabled(log_level::error))
        cfg.connection.log.sink(log_level::error, "producer: " + error_info{ec, context}.describe() +
                                                      "; every send fails from now on");
    {
        std::lock_guard lock(errors_mutex);
        if (fatal_error) return;
        fatal_error = error_info{ec, context};
        last_error = fatal_error;
    }
    fatal.store(true, std::memory_order_release);
    if (txn) txn->set_fatal(error_info{ec, context});
    auto shared = std::make_shared<const error_context>(std::move(context));
    records_failed.fetch_add(acc.abort_undrained(ec), std::memory_order_relaxed);
    fail_waiting(ec, shared);
    timer.cancel();
}

void producer::impl::fail_waiting(const error_code& ec, const std::shared_ptr<const error_context>& context) {
    while (!waiting.empty()) {
        std::unique_ptr<waiting_send> w = std::move(waiting.front());
        waiting.pop_front();
        waiting_bytes.fetch_sub(w->bytes, std::memory_order_acq_rel);
        waiting_count.fetch_sub(1, std::memory_order_acq_rel);
        records_failed.fetch_add(1, std::memory_order_relaxed);
        delivery d;
        d.partition = w->partition.value_or(-1);
        d.context = context;
        call_handler(w->done, ec, d);
    }
}

void producer::impl::send(const record& r, delivery_handler&& done) {
    if (fatal.load(std::memory_order_acquire)) {
        error_info f;
        {
            std::lock_guard lock(errors_mutex);
            f = fatal_error;
        }
        return fail_soon(std::move(done), f.code, -1, std::make_shared<const error_context>(std::move(f.context)));
    }
    if (closing.load(std::memory_order_acquire)) return fail_soon(std::move(done), client_errc::connection_closed);
    // Java's maybeAddPartition: a transactional producer sends inside a transaction only.
    if (txn) {
        if (const kasio::transaction_state s = txn->state(); s != kasio::transaction_state::in_transaction) {
            return fail_soon(std::move(done), client_errc::invalid_transaction_state, r.partition.value_or(-1),
                             topic_context(r.topic, transaction_state_refusal("send", s), "transactional.id"));
        }
    }
    const std::int64_t timestamp = r.timestamp ? *r.timestamp : wall_clock_ms();
    // Fast path: metadata known, nobody waiting ahead (waiting sends keep their order).
    if (waiting_count.load(std::memory_order_acquire) == 0) {
        if (const topic_info* t = find_topic(r.topic)) {
            const std::int32_t n = t->partitions.load(std::memory_order_acquire);
            if (n > 0) {
                const append_result res =
                    acc.append(t->batches, r, n, timestamp, detail::producer::accumulator::now_unread, std::move(done));
                switch (res.status) {
                    case append_status::appended:
                        if (res.new_batch && !t->used.load(std::memory_order_relaxed))
                            t->used.store(true, std::memory_order_relaxed);
                        if (res.new_batch || res.batch_full) wake();
                        return;
                    case append_status::rejected:
                        return fail_soon(std::move(done), res.ec, r.partition.value_or(-1),
                                         refusal_context(r, n, res.ec, cfg));
                    case append_status::closed: return fail_soon(std::move(done), client_errc::connection_closed);
                    case append_status::would_block: break;
                }
            }
        }
    }
    // Slow path: an owned copy waits on the strand for memory or metadata, bounded in bytes
    // by buffer.memory itself so that a stalled cluster cannot grow memory through it either.
    // Counted as record bytes, as buffer.memory counts them in batches (the Java client's
    // blocked callers hold theirs uncounted): charging the copy's bookkeeping too made an
    // application's window of 100,000 small records overflow 32 MiB and fail sends at once
    // whenever a busy machine slowed the sender (seen with a Kafka cluster beside the tests).
    std::size_t bytes = waiting_record_overhead + r.topic.size() + (r.key ? r.key->size() : 0) +
                        (r.value ? r.value->size() : 0);
    for (const record_header& h : r.headers) bytes += h.key.size() + (h.value ? h.value->size() : 0);
    if (waiting_bytes.fetch_add(bytes, std::memory_order_acq_rel) + bytes > cfg.buffer_memory) {
        waiting_bytes.fetch_sub(bytes, std::memory_order_acq_rel);
        if (cfg.connection.log.enabled(log_level::warning))
            cfg.connection.log.sink(log_level::warning,
                                    "producer: buffer.memory is used up and sends waiting for it hold as much "
                                    "again; send failed at once (buffer_exhausted)");
        return fail_soon(std::move(done), client_errc::buffer_exhausted, r.partition.value_or(-1),
                         topic_context(r.topic,
                                       "buffer.memory=" + std::to_string(cfg.buffer_memory) +
                                           " is used up and the sends waiting for it hold as much again",
                                       "buffer.memory"));
    }
    auto w = std::make_unique<waiting_send>();
    w->topic = r.topic;
    w->partition = r.partition;
    w->key = own(r.key);
    w->value = own(r.value);
    for (const record_header& h : r.headers) {
        w->header_keys.emplace_back(h.key);
        w->header_values.push_back(own(h.value));
    }
    w->timestamp = timestamp;
    w->done = std::move(done);
    w->deadline = clock::now() + cfg.max_block;
    w->bytes = bytes;
    waiting_count.fetch_add(1, std::memory_order_acq_rel);
    asio::post(strand, [self = shared_from_this(), w = std::move(w)]() mutable { self->enqueue_waiting(std::move(w)); });
}

// runs on: strand
void producer::impl::enqueue_waiting(std::unique_ptr<waiting_send> w) {
    if (topic_info* t = topics.find(w->topic); t == nullptr) {
        topic_storage.push_back(std::make_unique<topic_info>(w->topic));
        topics.insert(topic_storage.back().get());
        refresher.add_topics({w->topic});
        metadata_version = ~std::uint64_t{0};  // the cache may know it already
    } else if (t->idle) {
        t->idle = false;
        t->used.store(true, std::memory_order_relaxed);
        refresher.add_topics({w->topic});
        metadata_version = ~std::uint64_t{0};
        if (cfg.connection.log.enabled(log_level::debug))
            cfg.connection.log.sink(log_level::debug, "producer: topic " + w->topic + " is in use again");
    }
    waiting.push_back(std::move(w));
    timer.cancel();  // the loop looks at it (and at metadata) now
}

// runs on: strand
void producer::impl::process_waiting(time_point now) {
    auto finish = [&](std::deque<std::unique_ptr<waiting_send>>::iterator it, error_code ec,
                      std::shared_ptr<const error_context> context = {}) {
        // Counters first: a completion handler reading stats() sees the send gone.
        std::unique_ptr<waiting_send> w = std::move(*it);
        auto next = waiting.erase(it);
        waiting_bytes.fetch_sub(w->bytes, std::memory_order_acq_rel);
        waiting_count.fetch_sub(1, std::memory_order_acq_rel);
        if (ec) {
            records_failed.fetch_add(1, std::memory_order_relaxed);
            if (context) note_error(ec, *context);
            if (txn && ec != client_errc::connection_closed) txn_batch_failed(ec, context ? *context : error_context{});
            delivery d;
            d.partition = w->partition.value_or(-1);
            d.context = std::move(context);
            call_handler(w->done, ec, d);
        }
        return next;
    };
    // One explanation per topic and cause for a round: a thousand sends share it.
    std::shared_ptr<const error_context> last_context;
    auto context_for = [&](const std::string& topic, std::string message, std::string property = {}) {
        if (!last_context || last_context->topic != topic || last_context->message != message)
            last_context = topic_context(topic, std::move(message), std::move(property));
        return last_context;
    };
    const std::string block_ms = std::to_string(cfg.max_block.count());
    bool asked_for_metadata = false;
    for (auto it = waiting.begin(); it != waiting.end();) {
        waiting_send& w = **it;
        if (closing.load(std::memory_order_acquire) && aborting) {
            it = finish(it, client_errc::connection_closed);
            continue;
        }
        const topic_info* t = topics.find(w.topic);
        const std::int32_t n = t != nullptr ? t->partitions.load(std::memory_order_acquire) : 0;
        if (n == 0) {  // metadata not known yet
            const cluster::metadata_cache& cache = refresher.cache();
            const cluster::topic_metadata* tm = cache.topic(w.topic);
            const error_info health = refresher.health();
            if (std::string why = invalid_topic_name(w.topic); !why.empty()) {
                it = finish(it, broker_errc::invalid_topic_exception, context_for(w.topic, std::move(why)));
            } else if (health.code && health.code != client_errc::all_brokers_down) {
                // The cluster refuses us (authentication, TLS): waiting max.block.ms cannot help.
                if (cfg.connection.log.enabled(log_level::error))
                    cfg.connection.log.sink(log_level::error, "producer: metadata for topic " + w.topic +
                                                                  " refused: " + health.describe());
                it = finish(it, health.code, std::make_shared<const error_context>(health.context));
            } else if (tm && tm->error && !is_retriable(tm->error)) {
                // Not authorized, an invalid name the broker refuses: no retry changes that.
                it = finish(it, tm->error, context_for(w.topic, "the cluster's metadata refuses the topic"));
            } else if (now >= w.deadline) {
                error_code ec = client_errc::metadata_timeout;
                std::shared_ptr<const error_context> context;
                if (health.code == client_errc::all_brokers_down) {
                    ec = health.code;
                    auto c = std::make_shared<error_context>(health.context);
                    c->topic = w.topic;
                    c->message = "for max.block.ms=" + block_ms + "; " + c->message;
                    context = std::move(c);
                } else if (cache.is_unknown(w.topic)) {
                    ec = broker_errc::unknown_topic_or_partition;
                    context = context_for(w.topic,
                                          "topic not present in metadata after max.block.ms=" + block_ms +
                                              ": the cluster says it does not exist" +
                                              (cfg.allow_auto_create_topics
                                                   ? " (and did not create it: is auto.create.topics.enable off?)"
                                                   : " (allow.auto.create.topics is false)"),
                                          "max.block.ms");
                } else {
                    context = context_for(w.topic,
                                          "topic not present in metadata after max.block.ms=" + block_ms +
                                              (tm && tm->error ? "; the cluster says: " + tm->error.message() : ""),
                                          "max.block.ms");
                }
                if (cfg.connection.log.enabled(log_level::warning))
                    cfg.connection.log.sink(log_level::warning, "producer: send failed: " + context->describe(ec));
                it = finish(it, ec, std::move(context));
            } else {
                // Ask again (the refresher spaces requests retry.backoff.ms apart): the topic
                // may be being created, by the broker for this very request or by an admin.
                asked_for_metadata = true;
                ++it;
            }
            continue;
        }
        std::vector<record_header> headers(w.header_keys.size());
        for (std::size_t i = 0; i < headers.size(); ++i) headers[i] = {w.header_keys[i], view(w.header_values[i])};
        record r;
        r.topic = w.topic;
        r.partition = w.partition;
        r.key = view(w.key);
        r.value = view(w.value);
        r.headers = headers;
        const append_result res = acc.append(r, n, w.timestamp, now, std::move(w.done));
        if (res.status == append_status::appended) {
            if (res.new_batch) t->used.store(true, std::memory_order_relaxed);
            it = finish(it, {});
        } else if (res.status == append_status::would_block) {
            if (now < w.deadline) break;  // later sends stay behind it: order is kept
            if (cfg.connection.log.enabled(log_level::warning))
                cfg.connection.log.sink(log_level::warning,
                                        "producer: no buffer.memory freed within max.block.ms; send failed "
                                        "(buffer_exhausted)");
            it = finish(it, client_errc::buffer_exhausted,
                        context_for(w.topic,
                                    "buffer.memory=" + std::to_string(cfg.buffer_memory) +
                                        " stayed full for max.block.ms=" + block_ms,
                                    "buffer.memory"));
        } else if (res.status == append_status::closed) {
            it = finish(it, client_errc::connection_closed);
        } else {
            it = finish(it, res.ec, refusal_context(r, n, res.ec, cfg));
        }
    }
    if (asked_for_metadata) refresher.request_refresh();
}

// runs on: strand
// Java's metadata.max.idle.ms: a topic that opened no batch for that long leaves the Metadata
// requests, so that a producer that wrote to many topics once does not ask for them forever.
// Its partition count goes back to 0, which sends the next record to it down the slow path
// (enqueue_waiting), where the topic is asked for again. Its (empty) accumulator queues stay,
// as Java's do. Checked a few times per idle period, over every topic.
void producer::impl::retire_idle_topics(time_point now) {
    if (now < next_idle_check) return;
    next_idle_check = now + std::max(cfg.metadata_max_idle / 4, std::chrono::milliseconds(1000));
    std::vector<std::string> retired;
    for (const auto& t : topic_storage) {
        if (t->used.exchange(false, std::memory_order_relaxed) || t->last_used == time_point{}) {
            t->last_used = now;
            continue;
        }
        if (t->idle || now - t->last_used < cfg.metadata_max_idle) continue;
        const bool waited_on = std::any_of(waiting.begin(), waiting.end(),
                                           [&](const std::unique_ptr<waiting_send>& w) { return w->topic == t->name; });
        if (waited_on) continue;
        t->idle = true;
        t->partitions.store(0, std::memory_order_release);
        retired.push_back(t->name);
    }
    if (retired.empty()) return;
    if (cfg.connection.log.enabled(log_level::debug)) {
        std::string names;
        for (const auto& n : retired) names += (names.empty() ? "" : ", ") + n;
        cfg.connection.log.sink(log_level::debug, "producer: metadata.max.idle.ms passed without a send to " + names +
                                                      ": left out of Metadata requests until the next send");
    }
    refresher.remove_topics(std::move(retired));
}

// runs on: strand
void producer::impl::update_metadata() {
    const cluster::metadata_cache& cache = refresher.cache();
    if (cache.version() == metadata_version) return;
    metadata_version = cache.version();
    for (const auto& t : topic_storage) {
        if (t->idle) continue;  // until a send asks for it again
        const auto n = cache.partition_count(t->name);
        if (!n || *n == 0) continue;
        const auto count = static_cast<std::int32_t>(*n);
        if (count > t->partitions.load(std::memory_order_relaxed)) {
            acc.add_topic(t->name, count);  // queues first: append never grows a topic
            t->partitions.store(count, std::memory_order_release);
        }
    }
}


// runs on: strand
void producer::impl::abort_all(error_code ec) {
    aborting = true;
    closing.store(true, std::memory_order_release);
    acc.close();
    acc.abort_undrained(ec);
    for (auto& w : waiting) {
        waiting_bytes.fetch_sub(w->bytes, std::memory_order_acq_rel);
        records_failed.fetch_add(1, std::memory_order_relaxed);
        delivery d;
        d.partition = w->partition.value_or(-1);
        call_handler(w->done, ec, d);
    }
    waiting_count.fetch_sub(waiting.size(), std::memory_order_acq_rel);
    waiting.clear();
    pool.close();  // in-flight Produce requests fail (connection_closed) and are not retried
    txn_timer.cancel();  // a transactional operation waiting for the batches sees `aborting` now
}

// runs on: strand
void producer::impl::check_waiters(time_point now) {
    bool idle = !acc.has_incomplete() && waiting.empty();
    if (idle && !flush_waiters.empty()) {
        for (auto& op : flush_waiters) {
            acc.end_flush();
            op->complete({});
        }
        flush_waiters.clear();
    }
    if (!close_deadline) return;
    // A transactional operation (the abort close started) ends before the connections close.
    idle = idle && txn_running == txn_task::none;
    if (!idle && now >= *close_deadline && !aborting) {
        if (cfg.connection.log.enabled(log_level::warning))
            cfg.connection.log.sink(log_level::warning, "producer: close timed out; failing undelivered records");
        abort_all(client_errc::timed_out);
        return;  // in-flight requests fail as the connections close; then the loop ends
    }
    if (idle) {
        // Success only when every record accepted before the close was delivered.
        error_code result = aborting ? error_code(client_errc::timed_out) : error_code{};
        if (!result && records_failed.load(std::memory_order_relaxed) > failed_at_close) {
            std::lock_guard lock(errors_mutex);
            result = last_error.code ? last_error.code : error_code(client_errc::timed_out);
        }
        for (auto& op : close_waiters) op->complete(result);
        close_waiters.clear();
        refresher.stop();
        pool.close();
        stopped = true;
    }
}

void producer::impl::flush(std::shared_ptr<net::abandonable_op<>> op) {
    acc.begin_flush();
    flush_waiters.push_back(std::move(op));
    timer.cancel();
}

void producer::impl::close(std::chrono::milliseconds timeout, std::shared_ptr<net::abandonable_op<>> op) {
    if (stopped) return op->complete({});
    // Java's Sender on a graceful close: a transaction still open is aborted, not left to the
    // coordinator's timeout (read_committed readers would wait for it until then).
    if (txn && txn_running == txn_task::none && !closing.load(std::memory_order_acquire)) {
        const kasio::transaction_state s = txn->state();
        if (s == kasio::transaction_state::in_transaction || s == kasio::transaction_state::abortable_error) {
            if (cfg.connection.log.enabled(log_level::info))
                cfg.connection.log.sink(log_level::info, "producer: close aborts the open transaction");
            txn_call(txn_task::abort, net::abandonable_op<>::make(net::abandonable_op<>::handler_type([](error_code) {}),
                                                                strand));
        }
    }
    if (!closing.exchange(true, std::memory_order_acq_rel))
        failed_at_close = records_failed.load(std::memory_order_relaxed);
    const time_point deadline = clock::now() + timeout;
    close_deadline = close_deadline ? std::min(*close_deadline, deadline) : deadline;
    close_waiters.push_back(std::move(op));
    timer.cancel();
}

producer_stats producer::impl::stats() const {
    producer_stats s;
    s.records_sent = acc.records_appended();
    s.records_delivered = records_delivered.load(std::memory_order_relaxed);
    s.records_failed = records_failed.load(std::memory_order_relaxed);
    s.batches = batches_sent.load(std::memory_order_relaxed);
    s.requests = requests_sent.load(std::memory_order_relaxed);
    s.bytes = bytes_sent.load(std::memory_order_relaxed);
    s.retries = retries.load(std::memory_order_relaxed);
    s.throttled_ms = throttled_ms.load(std::memory_order_relaxed);
    s.transactions_committed = txn_committed.load(std::memory_order_relaxed);
    s.transactions_aborted = txn_aborted.load(std::memory_order_relaxed);
    s.buffer_bytes = acc.memory_used();
    s.waiting_bytes = waiting_bytes.load(std::memory_order_relaxed);
    s.waiting_sends = waiting_count.load(std::memory_order_relaxed);
    s.callback_errors = callback_errors.load(std::memory_order_relaxed);
    s.uncompressed_bytes = uncompressed_sent.load(std::memory_order_relaxed);
    batch_records.add_to(s.batch_records);
    batch_bytes.add_to(s.batch_bytes);
    queue_time_us.add_to(s.queue_time_us);
    delivery_latency_us.add_to(s.delivery_latency_us);
    s.brokers = pool.metrics();
    std::lock_guard lock(errors_mutex);
    s.batch_errors = batch_errors;
    return s;
}

// --- producer ---

producer::producer(executor_type ex, producer_config cfg)
    : impl_(std::make_shared<impl>(std::move(ex), validated(std::move(cfg)))) {
    const log_config& log = impl_->cfg.connection.log;
    if (log.enabled(log_level::debug)) log.sink(log_level::debug, "producer: configuration: " + config::describe(impl_->cfg.dump()));
    impl_->start();
}

producer::~producer() {
    asio::post(impl_->strand, [s = impl_] {
        if (!s->stopped) s->abort_all(client_errc::connection_closed);
        for (auto& op : std::exchange(s->flush_waiters, {})) op->complete(client_errc::connection_closed);
        for (auto& op : std::exchange(s->close_waiters, {})) op->complete(client_errc::connection_closed);
        s->refresher.stop();
        s->stopped = true;
        s->timer.cancel();
        s->statistics.stop();
    });
}

std::string producer::statistics_json() const { return impl_->statistics_json(); }

std::size_t producer::waiting_sends() const noexcept { return impl_->waiting_count.load(std::memory_order_relaxed); }

producer::executor_type producer::get_executor() const noexcept { return impl_->strand; }

void producer::send(const record& r, detail::delivery_handler&& done) { impl_->send(r, std::move(done)); }

void producer::start_flush(void_handler h) {
    // Made here, on the caller's thread: a cancellation emitted right after the call is seen.
    auto op = net::abandonable_op<>::make(std::move(h), impl_->strand);
    asio::post(impl_->strand, [s = impl_, op = std::move(op)]() mutable {
        // No sender runs after close: nothing to wait for.
        if (s->stopped) return op->complete({});
        s->flush(std::move(op));
    });
}

void producer::start_close(std::chrono::milliseconds timeout, void_handler h) {
    auto op = net::abandonable_op<>::make(std::move(h), impl_->strand);
    asio::post(impl_->strand, [s = impl_, timeout, op = std::move(op)]() mutable { s->close(timeout, std::move(op)); });
}

void producer::start_metadata(std::vector<std::string> topics, metadata_handler h) {
    cluster::start_metadata_query(impl_, impl_->pool, impl_->refresher, cluster::split_bootstrap(impl_->cfg.bootstrap_servers),
                                  std::move(topics), std::move(h));
}

void producer::start_transaction_op(txn_op op, void_handler h) {
    auto waiter = net::abandonable_op<>::make(std::move(h), impl_->strand);
    const auto kind = op == txn_op::init     ? impl::txn_task::init
                      : op == txn_op::commit ? impl::txn_task::commit
                                             : impl::txn_task::abort;
    asio::post(impl_->strand, [s = impl_, kind, waiter = std::move(waiter)]() mutable { s->txn_call(kind, std::move(waiter)); });
}

void producer::start_send_offsets(std::vector<partition_offset> offsets, consumer_group_metadata group, void_handler h) {
    auto waiter = net::abandonable_op<>::make(std::move(h), impl_->strand);
    asio::post(impl_->strand, [s = impl_, waiter = std::move(waiter), offsets = std::move(offsets),
                               group = std::move(group)]() mutable {
        s->txn_call(impl::txn_task::offsets, std::move(waiter), std::move(offsets), std::move(group));
    });
}

error_code producer::begin_transaction() {
    if (!impl_->txn) {
        error_context why;
        why.message = "begin_transaction needs transactional.id";
        why.property = "transactional.id";
        impl_->note_error(client_errc::invalid_transaction_state, why);
        return client_errc::invalid_transaction_state;
    }
    if (impl_->fatal.load(std::memory_order_acquire)) {
        std::lock_guard lock(impl_->errors_mutex);
        return impl_->fatal_error.code;
    }
    const kasio::transaction_state before = impl_->txn->state();
    if (error_code ec = impl_->txn->try_begin()) {
        error_context why;
        why.message = transaction_state_refusal("begin_transaction", before);
        impl_->note_error(ec, why);
        return ec;
    }
    return {};
}

transaction_state producer::transaction_state() const noexcept {
    return impl_->txn ? impl_->txn->state() : kasio::transaction_state::not_transactional;
}

producer_stats producer::stats() const { return impl_->stats(); }

error_info producer::last_error() const {
    std::lock_guard lock(impl_->errors_mutex);
    return impl_->last_error;
}

}  // namespace kasio

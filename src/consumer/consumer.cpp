// consumer: public operations, poll and close. The fetch loops are in fetcher.cpp.
#include "consumer/consumer_impl.hpp"

#include "cluster/metadata_query.hpp"
#include "config/properties.hpp"
#include "consumer/config_rules.hpp"
#include "net/abandonable_op.hpp"
#include "net/loop_exit.hpp"
#include "net/statistics.hpp"

#include "protocol/record_batch.hpp"
#include "protocol/record_batch_wire.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>

namespace kasio {
namespace {

net::pool_config make_pool_config(const consumer_config& c) {
    net::pool_config pc;
    pc.connection = c.connection;
    // A Fetch may legitimately wait fetch.max.wait.ms for data: never time it out before.
    const auto floor = c.fetch_max_wait + std::chrono::seconds(5);
    if (pc.connection.request_timeout < floor)
        pc.connection.request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(floor);
    pc.connections_per_broker = c.connections_per_broker;
    pc.reconnect.initial = c.reconnect_backoff;
    pc.reconnect.max = c.reconnect_backoff_max;
    pc.connections_max_idle = c.connections_max_idle;
    return pc;
}

cluster::refresher_config make_refresher_config(const consumer_config& c) {
    cluster::refresher_config rc;
    rc.bootstrap_servers = c.bootstrap_servers;
    rc.metadata_max_age = c.metadata_max_age;
    rc.allow_auto_topic_creation = c.allow_auto_create_topics;
    return rc;
}


}  // namespace

void record_headers::iterator::decode() noexcept {
    // Validated by the record batch decoder when the record was read: these reads cannot fail.
    protocol::reader r(rest_);
    const auto key = protocol::detail::read_varbytes(r);
    current_.key = key ? protocol::detail::as_string_view(*key) : std::string_view{};
    current_.value = protocol::detail::read_varbytes(r);
    rest_ = r.rest();
}

consumer::impl::impl(asio::any_io_executor ex, consumer_config c)
    : cfg(net::with_contained_log(std::move(c))),
      pool(std::move(ex), make_pool_config(cfg)),
      refresher(pool, make_refresher_config(cfg)),
      strand(pool.get_executor()),
      group(strand),
      planner(cfg.auto_offset_reset),
      hooks(cfg.connection.metrics_enabled ? cfg.connection.hooks.get() : nullptr),
      metrics_on(cfg.connection.metrics_enabled),
      stats_name(net::instance_name(cfg.connection.client_id, "consumer")),
      created(std::chrono::steady_clock::now()) {
    // Every name was checked by consumer_config::validate().
    for (const auto& name : cfg.assignment_strategies)
        if (auto a = consumer_detail::make_assignor(name)) group.assignors.push_back(std::move(a));
    if (group.assignors.empty()) group.assignors.push_back(consumer_detail::make_assignor("range"));
    // As Java: incremental rebalancing only when every assignor listed supports it.
    group.cooperative = std::all_of(group.assignors.begin(), group.assignors.end(),
                                    [](const auto& a) { return a->cooperative(); });
}

void consumer::impl::post_kick() {
    asio::post(strand, [self = shared_from_this()] { self->kick(); });
}

void consumer::impl::try_complete_poll() {
    std::unique_lock lock(mutex);
    if (!poll_waiter) return;
    fetch_batch batch;
    auto& out = detail::consumer_access::records(batch);
    auto& owners = detail::consumer_access::owners(batch);
    error_code ec;
    bool released = false;
    const std::size_t max = cfg.max_poll_records;
    if (!buffered.empty()) out.reserve(std::min<std::size_t>(max, 8192));  // per poll, not per record
    using consumer_detail::fetch_planner;
    while (out.size() < max && !buffered.empty()) {
        // Taken out of the deque under the mutex; only this strand adds to or takes from it, so
        // the response goes back to the front (unfinished) with nothing queued before it.
        completed_fetch cf = std::move(buffered.front());
        buffered.pop_front();
        auto* st = planner.find(cf.tp);
        bool current = st && st->generation == cf.generation && !st->paused;
        if (current && cf.reader.next_offset() != st->position) {
            // Fetched ahead from where the previous response seemed to end, wrongly: fetch again.
            fetch_planner::restart(*st);
            current = false;
        }
        if (current) {
            const std::int64_t from = st->position;
            const std::size_t records_before = out.size();
            const std::size_t owners_before = owners.size();
            // CRC checks and decompression (batches of up to 64 MiB) without the mutex, so that
            // position(), pause(), seek() and the fetch bookkeeping of other threads go on.
            lock.unlock();
            if (cf.reader.read(max - records_before, *cf.topic_name, cf.tp.partition, out, owners) > 0)
                owners.push_back(cf.topic_name);
            lock.lock();
            // A seek, reset, pause or new assignment made meanwhile wins: these records go.
            st = planner.find(cf.tp);  // assign() may have replaced the partition's state
            current = st && st->generation == cf.generation && !st->paused && st->position == from;
            if (!current) {
                out.erase(out.begin() + static_cast<std::ptrdiff_t>(records_before), out.end());
                owners.erase(owners.begin() + static_cast<std::ptrdiff_t>(owners_before),
                                     owners.end());
            } else {
                st->position = cf.reader.next_offset();
                if (!cf.reader.done()) {
                    // max.poll.records reached inside this response: the next poll goes on here.
                    buffered.push_front(std::move(cf));
                    continue;
                }
                fetch_planner::consumed_response(*st);
                error_code rec = cf.reader.error();
                if (!rec && cf.reader.stuck()) rec = client_errc::invalid_length;  // batch > fetch limits
                if (rec) {
                    st->error = rec;
                    fetch_planner::restart(*st);  // drops what was fetched after it
                }
            }
        }
        prefetched -= cf.bytes;
        released = true;
    }
    error_context context;
    // A group refusal (fatal): reported by every poll until the application subscribes again.
    if (out.empty() && group.error) {
        ec = group.error.code;
        context = group.error.context;
    }
    // A rebalance listener that threw or timed out: said once (Java rethrows it from poll).
    if (out.empty() && !ec && listener_error.code) {
        ec = listener_error.code;
        context = std::move(listener_error.context);
        listener_error = {};
    }
    if (out.empty() && !ec) {
        for (auto& [tp, st] : planner.partitions()) {
            if (!st.error || st.paused) continue;
            ec = st.error;
            context.topic = tp.topic;
            context.partition = tp.partition;
            if (!st.error_sticky) {
                st.error = {};
                st.retry_after = {};
            }
            break;
        }
    }
    if (out.empty() && !ec) {
        // The cluster refuses us (authentication, TLS): no fetch will ever start; say why, at
        // every poll. An outage (no broker reachable) is said once per outage: the consumer
        // goes on retrying, and the next poll waits for records again.
        error_info health = refresher.health();
        if (health.code && health.code != client_errc::all_brokers_down) {
            ec = health.code;
            context = std::move(health.context);
        } else if (const std::uint64_t outages = refresher.outages(); outages > outages_reported) {
            outages_reported = outages;
            if (health.code) {
                ec = health.code;
                context = std::move(health.context);
            }
        }
    }
    if (out.empty() && !ec) {
        lock.unlock();
        if (released) kick();
        return;
    }
    if (ec) {
        last_error = error_info{ec, context};
        detail::consumer_access::set_context(batch, std::make_shared<const error_context>(std::move(context)));
    }
    records += out.size();
    poll_handler h = std::move(*poll_waiter);
    poll_waiter.reset();
    lock.unlock();
    poll_done();
    net::complete_later(strand, std::move(h), ec, std::move(batch));
    kick();
}

void consumer::impl::note_error(const error_code& ec, const error_context& context) {
    if (!ec || ec == asio::error::operation_aborted) return;
    std::lock_guard lock(mutex);
    last_error = error_info{ec, context};
}

void consumer::impl::close_all() {
    std::optional<poll_handler> waiter;
    std::list<offsets_waiter> ow;
    {
        std::lock_guard lock(mutex);
        closed = true;
        statistics.stop();
        waiter = std::move(poll_waiter);
        poll_waiter.reset();
        ow = std::move(offsets_waiters);
        offsets_waiters.clear();
        buffered.clear();
        prefetched = 0;
    }
    for (auto& [node, f] : fetchers) f.wake->cancel();
    poll_done();
    group.subscribed = false;
    group.wake.cancel();
    refresher.stop();
    pool.close();
    if (waiter) net::complete_later(strand, std::move(*waiter), error_code(asio::error::operation_aborted), fetch_batch{});
    for (auto& w : ow) net::complete_later(strand, std::move(w.handler), error_code(asio::error::operation_aborted));
}

consumer::consumer(asio::any_io_executor ex, consumer_config cfg)
    : impl_(std::make_shared<impl>(std::move(ex), consumer_detail::validated(std::move(cfg)))) {
    const log_config& log = impl_->cfg.connection.log;
    if (log.enabled(log_level::debug)) log.sink(log_level::debug, "consumer: configuration: " + config::describe(impl_->cfg.dump()));
    impl_->start_statistics();
    // Told of every refresh: new leaders start or wake fetchers at once, and a refusal or an
    // outage reaches a waiting poll.
    impl_->refresher.set_listener([weak = std::weak_ptr<impl>(impl_)] {
        auto self = weak.lock();
        if (!self || self->closed) return;
        self->try_complete_poll();
        if (self->refresher.cache().version() == self->metadata_version_seen) return;
        self->kick();
        // A regex subscription's new topic or a leader's new partition count: the membership
        // loop looks at once instead of at its next heartbeat.
        if (self->group.loop_running && self->group.stable) self->group.wake.cancel();
    });
    impl_->refresher.start();
}

consumer::~consumer() {
    asio::post(impl_->strand, [self = impl_] {
        if (!self->closed) self->close_all();
    });
}

void consumer::impl::start_statistics() {
    statistics.start(strand, cfg.connection, [weak = weak_from_this()]() -> std::optional<std::string> {
        auto self = weak.lock();
        if (!self) return std::nullopt;
        std::optional<group_membership> membership;
        {
            std::lock_guard lock(self->mutex);
            membership = self->group.snapshot;
        }
        return self->statistics_json(self->stats(), std::move(membership));
    });
}

void consumer::assign(std::vector<topic_partition> partitions) {
    std::vector<std::string> topics;
    for (const auto& tp : partitions) topics.push_back(tp.topic);
    std::sort(topics.begin(), topics.end());
    topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
    {
        std::lock_guard lock(impl_->mutex);
        impl_->planner.assign(partitions);
    }
    impl_->refresher.add_topics(std::move(topics));
    impl_->post_kick();
}

void consumer::seek(const topic_partition& tp, std::int64_t offset) {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->planner.seek(tp, offset);
    }
    impl_->post_kick();
}

void consumer::seek_to_beginning(std::vector<topic_partition> partitions) {
    {
        std::lock_guard lock(impl_->mutex);
        for (const auto& tp : partitions) impl_->planner.request_reset(tp, consumer_detail::earliest_timestamp);
    }
    impl_->post_kick();
}

void consumer::seek_to_end(std::vector<topic_partition> partitions) {
    {
        std::lock_guard lock(impl_->mutex);
        for (const auto& tp : partitions) impl_->planner.request_reset(tp, consumer_detail::latest_timestamp);
    }
    impl_->post_kick();
}

void consumer::start_seek_to_timestamp(std::vector<topic_partition> partitions, std::int64_t ts,
                                       done_handler handler) {
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->closed) {
            net::complete_later(impl_->strand, std::move(handler), error_code(asio::error::operation_aborted));
            return;
        }
        std::vector<topic_partition> parts;
        std::vector<std::uint64_t> generations;
        for (const auto& tp : partitions) {
            impl_->planner.request_reset(tp, ts);
            if (const auto* st = impl_->planner.find(tp)) {
                parts.push_back(tp);
                generations.push_back(st->generation);
            }
        }
        // Constructed in place: Boost 1.81's any_completion_handler move assignment recurses.
        impl_->offsets_waiters.push_back(
            impl::offsets_waiter{std::move(parts), std::move(generations), std::move(handler), {}});
    }
    impl_->post_kick();
}

void consumer::pause(std::vector<topic_partition> partitions) {
    std::lock_guard lock(impl_->mutex);
    for (const auto& tp : partitions) impl_->planner.pause(tp, true);
}

void consumer::resume(std::vector<topic_partition> partitions) {
    {
        std::lock_guard lock(impl_->mutex);
        for (const auto& tp : partitions) impl_->planner.pause(tp, false);
    }
    impl_->post_kick();
}

std::optional<std::int64_t> consumer::position(const topic_partition& tp) const {
    std::lock_guard lock(impl_->mutex);
    const auto* st = impl_->planner.find(tp);
    if (!st || st->position < 0) return std::nullopt;
    return st->position;
}

std::vector<topic_partition> consumer::assignment() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->planner.assignment();
}

void consumer::start_poll(poll_handler handler) { start_poll_for(std::chrono::milliseconds(-1), std::move(handler)); }

// A negative timeout: none.
void consumer::start_poll_for(std::chrono::milliseconds timeout, poll_handler handler) {
    const auto now_ns = std::chrono::steady_clock::now().time_since_epoch().count();
    const bool was_idle = impl_->group.last_poll_ns.exchange(now_ns, std::memory_order_relaxed) == 0;
    asio::post(impl_->strand, [self = impl_, h = std::move(handler), was_idle, timeout]() mutable {
        // The membership loop waits for a poll after max.poll.interval.ms made it leave.
        if (was_idle && self->group.loop_running) self->group.wake.cancel();
        {
            std::lock_guard lock(self->mutex);
            if (self->closed || self->poll_waiter) {
                const error_code ec = self->closed ? error_code(asio::error::operation_aborted)
                                                   : error_code(asio::error::in_progress);
                net::complete_later(self->strand, std::move(h), ec, fetch_batch{});
                return;
            }
            auto slot = asio::get_associated_cancellation_slot(h);
            if (slot.is_connected()) {
                slot.assign([weak = std::weak_ptr<impl>(self)](asio::cancellation_type) {
                    auto s = weak.lock();
                    if (!s) return;
                    asio::post(s->strand, [s] {
                        std::unique_lock guard(s->mutex);
                        if (!s->poll_waiter) return;
                        poll_handler w = std::move(*s->poll_waiter);
                        s->poll_waiter.reset();
                        guard.unlock();
                        s->poll_done();
                        net::complete_later(s->strand, std::move(w), error_code(asio::error::operation_aborted), fetch_batch{});
                    });
                });
            }
            self->poll_waiter = std::move(h);
            ++self->poll_seq;
        }
        self->try_complete_poll();
        if (timeout.count() >= 0) {
            std::uint64_t seq = 0;
            {
                std::lock_guard lock(self->mutex);
                if (!self->poll_waiter) return;  // completed at once
                seq = self->poll_seq;
            }
            // runs on: pool strand. Completes this poll only: a later one has another seq.
            self->poll_timer.expires_after(timeout);
            self->poll_timer.async_wait([weak = std::weak_ptr<impl>(self), seq](error_code) {
                auto s = weak.lock();
                if (!s) return;
                std::unique_lock guard(s->mutex);
                if (!s->poll_waiter || s->poll_seq != seq) return;
                poll_handler w = std::move(*s->poll_waiter);
                s->poll_waiter.reset();
                guard.unlock();
                net::complete_later(s->strand, std::move(w), error_code{}, fetch_batch{});
            });
        }
        self->kick();
    });
}

void consumer::start_close(done_handler handler) {
    auto op = net::abandonable_op<>::make(std::move(handler), impl_->strand);
    asio::post(impl_->strand, [self = impl_, op = std::move(op)]() mutable {
        if (self->closed || (!self->group.subscribed && self->group.member_id.empty())) {
            if (!self->closed) self->close_all();
            op->complete({});
            return;
        }
        // A member commits, revokes and leaves first, so that the group rebalances at once.
        auto ex = self->strand;
        asio::co_spawn(ex, impl::leave_group(self), [self, op = std::move(op)](std::exception_ptr e) mutable {
            if (e)
                net::log_line(self->cfg.connection.log, log_level::error,
                              "consumer: leaving the group on close threw: " + net::describe_exception(e));
            if (!self->closed) self->close_all();
            op->complete(e ? error_code(client_errc::internal_error) : error_code{});
        });
    });
}

// ---- Cluster metadata, lag, group metadata

void consumer::start_metadata(std::vector<std::string> topics, metadata_handler handler) {
    cluster::start_metadata_query(impl_, impl_->pool, impl_->refresher, cluster::split_bootstrap(impl_->cfg.bootstrap_servers),
                                  std::move(topics), std::move(handler));
}

std::optional<std::int64_t> consumer::lag(const topic_partition& tp) const {
    std::lock_guard lock(impl_->mutex);
    const auto* st = impl_->planner.find(tp);
    if (!st || st->position < 0) return std::nullopt;
    // As Java's FetchState: the last stable offset bounds what read_committed can return.
    const std::int64_t end = impl_->cfg.isolation == isolation_level::read_committed ? st->last_stable_offset
                                                                                      : st->high_watermark;
    if (end < 0) return std::nullopt;
    return std::max<std::int64_t>(0, end - st->position);
}

consumer_group_metadata consumer::group_metadata() const {
    consumer_group_metadata md;
    md.group_id = impl_->cfg.group_id;
    if (!impl_->cfg.group_instance_id.empty()) md.group_instance_id = impl_->cfg.group_instance_id;
    std::lock_guard lock(impl_->mutex);
    if (const auto& snap = impl_->group.snapshot) {
        md.generation_id = snap->generation;
        md.member_id = snap->member_id;
    }
    return md;
}

error_info consumer::last_error() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->last_error;
}

consumer_stats consumer::impl::stats() const {
    consumer_stats s;
    s.records = records;
    s.bytes = bytes;
    s.fetch_requests = fetch_requests;
    s.fetch_responses = fetch_responses;
    s.incremental_fetch_requests = incremental_fetch_requests;
    s.fetch_session_resets = fetch_session_resets;
    s.list_offsets_requests = list_offsets_requests;
    s.prefetched_bytes = prefetched;
    s.prefetched_bytes_peak = prefetched_peak;
    s.metadata_refreshes_requested = refreshes;
    s.commits = commits;
    fetch_latency_us.add_to(s.fetch_latency_us);
    commit_latency_us.add_to(s.commit_latency_us);
    rebalance_ms.add_to(s.rebalance_ms);
    s.brokers = pool.metrics();
    {
        std::lock_guard lock(mutex);
        const bool committed = cfg.isolation == isolation_level::read_committed;
        for (const auto& [tp, st] : planner.partitions()) {
            partition_metrics p;
            p.topic = tp.topic;
            p.partition = tp.partition;
            p.position = st.position;
            p.high_watermark = st.high_watermark;
            p.last_stable_offset = st.last_stable_offset;
            p.log_start_offset = st.log_start_offset;
            const std::int64_t end = committed ? st.last_stable_offset : st.high_watermark;
            if (end >= 0 && st.position >= 0) p.lag = std::max<std::int64_t>(0, end - st.position);
            p.paused = st.paused;
            s.partitions.push_back(std::move(p));
        }
    }
    std::sort(s.partitions.begin(), s.partitions.end(), [](const partition_metrics& a, const partition_metrics& b) {
        return a.topic != b.topic ? a.topic < b.topic : a.partition < b.partition;
    });
    for (const auto& p : s.partitions) s.lag_max = std::max(s.lag_max, p.lag);
    return s;
}

consumer_stats consumer::stats() const { return impl_->stats(); }

std::string consumer::statistics_json() const {
    return impl_->statistics_json(impl_->stats(), membership());
}

void consumer::impl::rebalance_done(std::chrono::steady_clock::time_point started) noexcept {
    if (!metrics_on) return;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    rebalance_ms.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, ms.count())));
}

void consumer::impl::fetch_received(const std::vector<fetch_event>& events) {
    for (const auto& e : events) {
        try {
            hooks->on_fetch_received(e);
        } catch (...) {
            net::log_line(cfg.connection.log, log_level::error,
                          "consumer: hook on_fetch_received threw: " + net::describe_exception(std::current_exception()));
        }
    }
}

}  // namespace kasio

// The partition changes both membership loops make: revoke, lose, acquire (membership.hpp).
//
// runs on: pool strand. The planner changes under the consumer's mutex; listener callbacks run
// with no lock held.
#include "consumer/group/membership.hpp"
#include "consumer/consumer_impl.hpp"
#include "net/loop_exit.hpp"

#include <kasio/log.hpp>

#include <boost/asio/co_spawn.hpp>

#include <algorithm>

namespace kasio::consumer_detail {

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

bool tp_less(const topic_partition& a, const topic_partition& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
}

std::vector<topic_partition> minus(const std::vector<topic_partition>& a, const std::vector<topic_partition>& b) {
    std::vector<topic_partition> out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out), tp_less);
    return out;
}

asio::awaitable<void> revoke(std::shared_ptr<consumer_impl> self, std::vector<topic_partition> parts) {
    auto& g = self->group;
    {
        std::lock_guard lock(self->mutex);
        for (const auto& tp : parts) self->planner.pause(tp, true);
    }
    if (self->cfg.enable_auto_commit) {
        const auto positions = self->positions_to_commit(&parts);
        const error_code ec = co_await consumer_impl::commit_offsets(self, positions);
        if (ec && self->cfg.connection.log.enabled(log_level::warning))
            self->cfg.connection.log.sink(log_level::warning, "commit before revoking failed: " + ec.message());
    }
    self->notify(g.listener.on_revoked, parts);
    co_await consumer_impl::run_async_listener(self, self->async_listener.on_revoked, "on_revoked", parts);
    g.owned = minus(g.owned, parts);
    std::lock_guard lock(self->mutex);
    self->planner.assign(g.owned);
}

bool poll_waiting(consumer_impl& self) {
    std::lock_guard lock(self.mutex);
    return self.poll_waiter.has_value();
}

bool poll_interval_expired(consumer_impl& self, std::chrono::steady_clock::time_point now,
                           std::chrono::steady_clock::time_point last_poll) {
    if (last_poll == std::chrono::steady_clock::time_point{} || now - last_poll <= self.cfg.max_poll_interval)
        return false;
    if (poll_waiting(self)) {  // the application waits for records: it is polling
        self.group.last_poll_ns = now.time_since_epoch().count();
        return false;
    }
    return true;
}

bool auto_commit_if_due(consumer_impl& self, std::chrono::steady_clock::time_point now) {
    auto& g = self.group;
    const auto& cfg = self.cfg;
    if (!cfg.enable_auto_commit || cfg.auto_commit_interval.count() <= 0) return false;
    if (now < g.next_auto_commit) return true;
    g.next_auto_commit = now + cfg.auto_commit_interval;
    auto positions = self.positions_to_commit(nullptr);
    asio::co_spawn(self.strand, consumer_impl::commit_offsets(self.shared_from_this(), std::move(positions)),
                   [s = self.shared_from_this()](std::exception_ptr e, error_code ec) {
                       if (e) ec = client_errc::internal_error;
                       if (!ec) return;
                       net::log_line(s->cfg.connection.log, log_level::warning,
                                     "consumer group: auto-commit failed: " + ec.message());
                       error_context context;
                       context.api = "OffsetCommit";
                       context.message = "auto-commit (enable.auto.commit)";
                       s->note_error(ec, context);
                   });
    return true;
}

void publish(consumer_impl& self) {
    auto& g = self.group;
    std::lock_guard lock(self.mutex);
    if (g.stable && !g.member_id.empty())
        g.snapshot = group_membership{g.member_id, g.generation, g.protocol, g.leader, g.rebalances};
    else
        g.snapshot.reset();
}

void lose(consumer_impl& self) {
    auto& g = self.group;
    const auto lost = std::move(g.owned);
    g.owned.clear();
    ++g.incarnation;
    g.generation = -1;
    g.member_id.clear();
    g.stable = false;
    g.rejoin_needed = true;
    {
        std::lock_guard lock(self.mutex);
        self.planner.assign({});
    }
    publish(self);
    if (lost.empty()) return;
    self.notify(g.listener.on_lost, lost);
    // Not waited for: the partitions are gone already, nothing the loop does depends on it.
    if (self.async_listener.on_lost)
        asio::co_spawn(self.strand,
                       consumer_impl::run_async_listener(self.shared_from_this(), self.async_listener.on_lost, "on_lost", lost),
                       net::on_loop_exit(self.cfg.connection.log, "consumer group: on_lost", [](const std::string&) {}));
}

asio::awaitable<error_code> acquire(std::shared_ptr<consumer_impl> self, std::vector<topic_partition> added,
                                    std::vector<topic_partition> assignment) {
    auto& g = self->group;
    const std::uint64_t incarnation = g.incarnation;
    std::vector<partition_offset> committed;
    if (!added.empty()) {
        auto [ec, offsets] = co_await consumer_impl::fetch_committed(self, added);
        if (ec) co_return ec;
        committed = std::move(offsets);
    }
    if (!g.subscribed || self->closed || g.incarnation != incarnation) co_return asio::error::operation_aborted;
    g.owned = std::move(assignment);
    {
        std::lock_guard lock(self->mutex);
        self->planner.assign(g.owned);
        for (const auto& o : committed)
            if (o.offset >= 0) self->planner.seek(topic_partition{o.topic, o.partition}, o.offset);
    }
    std::vector<std::string> topics;
    for (const auto& tp : g.owned) topics.push_back(tp.topic);
    topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
    self->refresher.add_topics(std::move(topics));
    self->notify(g.listener.on_assigned, added);
    // Fetching starts after on_assigned (which may seek): a coroutine listener's wait included.
    co_await consumer_impl::run_async_listener(self, self->async_listener.on_assigned, "on_assigned", added);
    self->kick();
    co_return error_code{};
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace kasio::consumer_detail

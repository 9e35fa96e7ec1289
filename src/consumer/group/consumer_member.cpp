// The membership loop of the KIP-848 consumer group protocol (group.protocol=consumer), as the
// Java client's ConsumerMembershipManager: the member chooses its id, joins with epoch 0 and
// then heartbeats (ConsumerGroupHeartbeat) at the interval the coordinator gives. The
// coordinator computes every member's assignment (group.remote.assignor) and sends a member its
// whole new assignment, by topic id, when it changes. The member reconciles it in a coroutine of
// its own while the loop goes on heartbeating: it revokes what it lost first (commit when
// enable.auto.commit, on_revoked), then takes what is new (committed offsets, on_assigned), and
// reports what it owns in the next heartbeat, sent at once; the coordinator gives a partition to
// another member only after its owner has reported it gone. There is no group-wide barrier: a
// member whose assignment does not change is never stopped.
//
// Errors: FENCED_MEMBER_EPOCH and UNKNOWN_MEMBER_ID lose the partitions (on_lost) and rejoin
// with epoch 0 and the same id; coordinator errors look the coordinator up again; errors no
// retry fixes stop the member and fail poll with the broker's message and the property at fault.
//
// runs on: pool strand.
#include "consumer/consumer_impl.hpp"
#include "consumer/group/membership.hpp"
#include "net/completion.hpp"
#include "net/loop_exit.hpp"
#include "net/scram.hpp"
#include "protocol/messages.hpp"

#include <kasio/broker_errc.hpp>
#include <kasio/log.hpp>
#include <kasio/metadata.hpp>

#include <boost/asio/co_spawn.hpp>

#include <algorithm>
#include <cstring>
#include <map>

// GCC 12 mistakes coroutine frames' operator delete for a mismatch.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace kasio::consumer_detail {
namespace {

using clock = std::chrono::steady_clock;
using net::nothrow_awaitable;
using protocol::msg::consumer_group_heartbeat_request;
using protocol::msg::consumer_group_heartbeat_response;

// The member epochs of a leaving member (KIP-848): a dynamic member leaves for good; a static
// one (group.instance.id) keeps its assignment for the session timeout, to rejoin with it.
constexpr std::int32_t leave_epoch = -1;
constexpr std::int32_t static_leave_epoch = -2;

// A member id of the client's own (KIP-1082), Java's Uuid.randomUuid().toString(): one that
// does not start with '-', which a command line would read as an option.
std::string new_member_id() {
    for (;;) {
        const auto bytes = net::random_bytes(16);
        uuid id;
        std::memcpy(id.bytes.data(), bytes.data(), id.bytes.size());
        std::string text = id.to_string();
        if (!id.is_nil() && text.front() != '-') return text;
    }
}

bool fenced(const error_code& ec) {
    return ec == broker_errc::fenced_member_epoch || ec == broker_errc::unknown_member_id;
}

// Errors no retry fixes: the member stops and every poll reports the error (as Java's fatal
// heartbeat errors). Everything else is retried after retry.backoff.ms; the coordinator is
// looked up again where it moved.
bool refusal(const error_code& ec) {
    if (fenced(ec)) return false;
    if (ec.category() == broker_category()) return !is_retriable(ec);
    return ec == client_errc::no_common_version || ec == client_errc::invalid_config ||
           ec == client_errc::unsupported_version;
}

// What the application needs to fix a refusal: the property at fault, the broker's message.
error_context explain(consumer_impl& self, const error_code& ec, std::string broker_message) {
    const auto& cfg = self.cfg;
    auto& g = self.group;
    error_context c;
    c.api = "ConsumerGroupHeartbeat";
    c.node_id = g.coordinator;
    if (const auto* b = self.refresher.cache().broker(c.node_id)) c.broker = b->host + ":" + std::to_string(b->port);
    std::string what;
    const std::string group = "group '" + cfg.group_id + "'";
    if (ec == broker_errc::unsupported_assignor) {
        c.property = "group.remote.assignor";
        what = "the broker has no assignor group.remote.assignor=" + cfg.remote_assignor;
    } else if (ec == broker_errc::invalid_regular_expression) {
        what = "the broker cannot use the subscription's regular expression '" + g.broker_pattern.value_or("") +
               "' (RE2/J syntax)";
    } else if (ec == broker_errc::unreleased_instance_id || ec == broker_errc::fenced_instance_id) {
        c.property = "group.instance.id";
        what = "another member of " + group + " uses group.instance.id=" + cfg.group_instance_id;
    } else if (ec == broker_errc::group_authorization_failed) {
        c.property = "group.id";
        what = "not authorized to join " + group;
    } else if (ec == broker_errc::topic_authorization_failed) {
        what = "not authorized to read a topic of the subscription of " + group;
    } else if (ec == broker_errc::group_max_size_reached) {
        what = group + " has reached the broker's group.consumer.max.size";
    } else if (ec == client_errc::no_common_version || ec == client_errc::unsupported_version ||
               ec == broker_errc::unsupported_version) {
        c.property = "group.protocol";
        what = "the coordinator does not support group.protocol=consumer (ConsumerGroupHeartbeat, Kafka 4.0+); use "
               "group.protocol=classic";
    } else {
        what = "ConsumerGroupHeartbeat for " + group + " refused";
    }
    c.message = broker_message.empty() ? what : what + ": " + broker_message;
    return c;
}

// The owned partitions by topic id, for the heartbeat. A topic the cache has no id for (deleted
// meanwhile) is left out: the coordinator has dropped it from the assignment too.
std::vector<consumer_group_heartbeat_request::topic_partitions_type> owned_by_id(consumer_impl& self) {
    std::vector<consumer_group_heartbeat_request::topic_partitions_type> out;
    const auto& cache = self.refresher.cache();
    const std::string* topic = nullptr;  // `owned` is sorted: one entry per run of a topic
    bool known = false;
    for (const auto& tp : self.group.owned) {
        if (!topic || *topic != tp.topic) {
            topic = &tp.topic;
            const auto* t = cache.topic(tp.topic);
            known = t && !t->topic_id.is_nil();
            if (known) out.emplace_back().topic_id = t->topic_id;
        }
        if (known) out.back().partitions.push_back(tp.partition);
    }
    return out;
}

// What the coordinator must know of the subscription, as one string to compare.
std::string subscription_key(const group_state& g) {
    if (g.broker_pattern) return "regex " + *g.broker_pattern;
    std::string out = "names";
    for (const auto& t : g.topics) out += " " + t;
    return out;
}

consumer_group_heartbeat_request make_request(consumer_impl& self, std::int32_t epoch, bool full) {
    auto& g = self.group;
    const auto& cfg = self.cfg;
    consumer_group_heartbeat_request req;
    req.group_id = cfg.group_id;
    req.member_id = g.member_id;
    req.member_epoch = epoch;
    if (!cfg.group_instance_id.empty()) req.instance_id = cfg.group_instance_id;
    if (epoch < 0) return req;  // leaving: nothing else counts
    // The other fields are null when the coordinator has them already.
    if (full) {
        req.rebalance_timeout_ms = static_cast<std::int32_t>(cfg.max_poll_interval.count());
        if (!cfg.remote_assignor.empty()) req.server_assignor = cfg.remote_assignor;
    }
    if (full || subscription_key(g) != g.subscription_sent) {
        if (g.broker_pattern) {
            req.subscribed_topic_regex = *g.broker_pattern;
            req.subscribed_topic_names.emplace();
        } else {
            req.subscribed_topic_names = g.topics;
            // "" beside the names: no regex, and it clears one sent earlier (Kafka takes an
            // empty regex as none). librdkafka sends the same; librdkafka 2.14's mock broker
            // aborts its process on names without a regex (validate_subscription: both set or
            // both null).
            req.subscribed_topic_regex = std::string();
        }
    }
    if (epoch == 0)
        req.topic_partitions.emplace();  // a member joining owns nothing
    else if (full || g.owned != g.owned_reported)
        req.topic_partitions = owned_by_id(self);
    return req;
}

// Heartbeats have failed for request.timeout.ms in a row: poll says so once (the member goes
// on retrying), so that an application is not left waiting on silence.
void note_failure(consumer_impl& self, const error_code& ec, const char* api) {
    auto& g = self.group;
    const auto now = clock::now();
    if (g.failing_since == clock::time_point{}) g.failing_since = now;
    const auto timeout = self.pool.config().connection.request_timeout;
    if (g.unreachable_reported || now - g.failing_since < timeout) return;
    g.unreachable_reported = true;
    error_context c;
    c.api = api;
    c.node_id = g.coordinator;
    c.message = "the coordinator of group '" + self.cfg.group_id + "' has not answered for " +
                std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now - g.failing_since).count()) +
                " ms (request.timeout.ms=" + std::to_string(timeout.count()) + "): " + ec.message() +
                "; the member keeps trying";
    net::log_line(self.cfg.connection.log, log_level::warning, "consumer group: " + c.message);
    self.note_error(ec, c);
    {
        std::lock_guard lock(self.mutex);
        self.listener_error = error_info{ec, std::move(c)};
    }
    self.try_complete_poll();
}

void note_success(consumer_impl& self) {
    self.group.failing_since = {};
    self.group.unreachable_reported = false;
}

asio::awaitable<void> reconcile(std::shared_ptr<consumer_impl> self);

// Starts a reconciliation of the newest assignment unless one runs.
void maybe_reconcile(consumer_impl& self) {
    auto& g = self.group;
    if (!g.target || g.reconciling || !g.stable || clock::now() < g.next_reconcile) return;
    g.reconciling = true;
    asio::co_spawn(self.strand, reconcile(self.shared_from_this()),
                   net::on_loop_exit(self.cfg.connection.log, "consumer group: reconciliation",
                                     [s = self.shared_from_this()](const std::string& why) {
                                         s->group.reconciling = false;
                                         error_context context;
                                         context.message = "the reconciliation stopped: " + why;
                                         s->fail_group(client_errc::internal_error, std::move(context));
                                     }));
}

// Makes the member own what the coordinator assigned: revoke, then acquire, then report it.
asio::awaitable<void> reconcile(std::shared_ptr<consumer_impl> self) {
    auto& g = self->group;
    const auto started = clock::now();
    const std::uint64_t incarnation = g.incarnation;
    const std::uint64_t seq = g.target_seq;
    auto resolve = [&](std::vector<topic_partition>& want) {
        want.clear();
        bool all = true;
        for (const auto& t : *g.target) {
            const auto* meta = self->refresher.cache().topic_by_id(t.topic_id);
            if (!meta) {
                all = false;
                continue;
            }
            for (auto p : t.partitions) want.push_back(topic_partition{meta->name, p});
        }
        std::sort(want.begin(), want.end(), tp_less);
        return all;
    };
    std::vector<topic_partition> want;
    bool resolved = resolve(want);
    if (!resolved) {
        // A topic id this member has no name for yet (a topic a regex matched): ask again.
        auto [ec] = co_await self->refresher.async_refresh(nothrow_awaitable);
        (void)ec;
        if (g.incarnation != incarnation || !g.target || g.target_seq != seq) {
            g.reconciling = false;
            g.wake.cancel();
            co_return;
        }
        resolved = resolve(want);
    }
    const auto revoked = minus(g.owned, want);
    auto added = minus(want, g.owned);
    const bool first = !g.reconciled;
    if (revoked.empty() && added.empty() && !first) {
        // The coordinator repeated what the member owns (it does after a full heartbeat).
        g.reconciling = false;
        if (resolved && g.target_seq == seq) g.target.reset();
        if (!resolved) g.next_reconcile = clock::now() + self->cfg.retry_backoff;
        co_return;
    }
    if (!revoked.empty()) {
        co_await revoke(self, revoked);
        // Reported at once: the coordinator hands these on only when this member says so.
        g.next_heartbeat = clock::now();
        g.wake.cancel();
    }
    error_code ec;
    if (g.incarnation == incarnation && g.subscribed && !self->closed && (!added.empty() || first || !revoked.empty())) {
        if (added.empty()) {
            self->notify(g.listener.on_assigned, added);
        } else {
            std::vector<topic_partition> assignment = g.owned;
            assignment.insert(assignment.end(), added.begin(), added.end());
            std::sort(assignment.begin(), assignment.end(), tp_less);
            ec = co_await acquire(self, std::move(added), std::move(assignment));
        }
        if (!ec) {
            ++g.rebalances;
            g.reconciled = true;
            self->rebalance_done(started);
        }
    }
    g.reconciling = false;
    if (g.incarnation != incarnation) co_return;
    if (ec && ec != asio::error::operation_aborted) {
        net::log_line(self->cfg.connection.log, log_level::warning,
                      "consumer group: taking the new assignment failed (" + ec.message() + "); trying again");
        g.next_reconcile = clock::now() + self->cfg.retry_backoff;
    } else if (resolved && g.target_seq == seq) {
        g.target.reset();
    } else if (!resolved) {
        g.next_reconcile = clock::now() + self->cfg.retry_backoff;  // waits for metadata naming the topic
    }
    publish(*self);
    g.next_heartbeat = clock::now();
    g.wake.cancel();
}

// One heartbeat (epoch: the member's, 0 to join, or a leave epoch); handles the answer.
asio::awaitable<void> heartbeat(std::shared_ptr<consumer_impl> self, std::int32_t epoch) {
    auto& g = self->group;
    const bool full = epoch == 0 || g.send_full;
    const auto req = make_request(*self, epoch, full);
    const std::string subscription = subscription_key(g);
    const auto owned_sent = g.owned;
    const std::int32_t node = g.coordinator;
    const std::uint64_t incarnation = g.incarnation;
    auto [ec, frame] = co_await self->pool.async_request(node, net::purpose::blocking, req, nothrow_awaitable);
    consumer_group_heartbeat_response resp;
    if (!ec) ec = net::decode_response(frame, resp);
    if (!ec && resp.error_code != 0) ec = static_cast<broker_errc>(resp.error_code);
    if (epoch < 0) co_return;  // leaving is best effort: the session timeout removes the member otherwise
    if (g.incarnation != incarnation || !g.subscribed || self->closed) co_return;
    if (!ec) {
        note_success(*self);
        g.send_full = false;
        g.subscription_sent = subscription;
        g.owned_reported = epoch == 0 ? std::vector<topic_partition>{} : owned_sent;
        if (resp.member_id && !resp.member_id->empty()) g.member_id = *resp.member_id;
        const bool joined = !g.stable;
        if (joined) g.reconciled = false;
        g.generation = resp.member_epoch;
        g.heartbeat_interval = std::chrono::milliseconds(std::max<std::int32_t>(resp.heartbeat_interval_ms, 1));
        // A reconciliation that changed what the member owns while this heartbeat was out
        // reports it at once: the coordinator waits for it to move partitions on.
        g.next_heartbeat = g.owned == owned_sent ? clock::now() + g.heartbeat_interval : clock::now();
        g.stable = true;
        if (resp.assignment) {
            auto& target = g.target.emplace();
            for (const auto& t : resp.assignment->topic_partitions)
                target.push_back(group_state::assigned_topic{t.topic_id, t.partitions});
            ++g.target_seq;
            g.next_reconcile = {};
        }
        if (joined) {
            net::log_line(self->cfg.connection.log, log_level::info,
                          "consumer group: joined '" + self->cfg.group_id + "' as " + g.member_id + " at epoch " +
                              std::to_string(g.generation));
        }
        publish(*self);
        maybe_reconcile(*self);
        co_return;
    }
    g.next_heartbeat = clock::now() + self->cfg.retry_backoff;
    g.send_full = true;  // whatever the coordinator missed, the next heartbeat tells it
    const std::string message = resp.error_message.value_or("");
    if (fenced(ec)) {
        // The coordinator gave the partitions away: they are lost, not revoked. Rejoin at once
        // with the same member id and epoch 0.
        net::log_line(self->cfg.connection.log, log_level::warning,
                      "consumer group: fenced (" + ec.message() + (message.empty() ? "" : ": " + message) +
                          "); rejoining");
        const std::string id = g.member_id;
        lose(*self);
        g.member_id = id;
        g.target.reset();
        g.next_heartbeat = clock::now();
    } else if (refusal(ec)) {
        self->fail_group(ec, explain(*self, ec, message));
    } else {
        net::log_line(self->cfg.connection.log, log_level::info,
                      "consumer group: heartbeat failed (" + ec.message() + "); retrying");
        note_failure(*self, ec, "ConsumerGroupHeartbeat");
        // A transport error too: the coordinator's broker may be gone for good (killed).
        if ((coordinator_lost(ec) || ec.category() != broker_category()) && g.coordinator == node) g.coordinator = -1;
    }
}

}  // namespace

asio::awaitable<void> leave_consumer_group(std::shared_ptr<consumer_impl> self) {
    auto& g = self->group;
    g.subscribed = false;
    g.wake.cancel();
    const bool member = g.stable && !g.member_id.empty() && g.coordinator >= 0;
    ++g.incarnation;  // a reconciliation under way drops its result
    g.target.reset();
    if (!g.owned.empty()) co_await revoke(self, g.owned);
    if (member) {
        const std::int32_t epoch = self->cfg.group_instance_id.empty() ? leave_epoch : static_leave_epoch;
        co_await heartbeat(self, epoch);
    }
    g.generation = -1;
    g.stable = false;
    g.rejoin_needed = true;
    publish(*self);
}

asio::awaitable<void> heartbeat_loop(std::shared_ptr<consumer_impl> self) {
    auto& g = self->group;
    auto& cfg = self->cfg;
    if (g.member_id.empty()) g.member_id = new_member_id();
    g.protocol = cfg.remote_assignor;
    auto backoff = [&]() -> asio::awaitable<void> {
        g.wake.expires_after(cfg.retry_backoff);
        co_await g.wake.async_wait(nothrow_awaitable);
    };
    while (!self->closed && g.subscribed) {
        if (g.coordinator < 0) {
            if (auto ec = co_await consumer_impl::find_coordinator(self)) {
                if (refusal(ec)) {
                    self->fail_group(ec, explain(*self, ec, std::string()));
                    continue;
                }
                note_failure(*self, ec, "FindCoordinator");
                co_await backoff();
                continue;
            }
        }
        const auto now = clock::now();
        // max.poll.interval.ms: an application that stopped polling gives its partitions up and
        // joins again at its next poll.
        const auto last_poll = clock::time_point(clock::duration(g.last_poll_ns.load(std::memory_order_relaxed)));
        if (g.stable && poll_interval_expired(*self, now, last_poll)) {
            net::log_line(cfg.connection.log, log_level::warning,
                          "consumer group: no poll for max.poll.interval.ms; leaving until the next poll");
            co_await leave_consumer_group(self);
            g.subscribed = true;
            g.last_poll_ns = 0;
            g.wake.expires_at(clock::time_point::max());
            co_await g.wake.async_wait(nothrow_awaitable);
            continue;
        }
        if (g.rejoin_needed) {  // a new subscription, or fenced: tell the coordinator now
            g.rejoin_needed = false;
            g.next_heartbeat = now;
            if (!g.broker_pattern) self->refresher.add_topics(g.topics);  // their ids name them
        }
        if (now >= g.next_heartbeat) {
            const std::int32_t epoch = g.stable ? g.generation : 0;
            co_await heartbeat(self, epoch);
            continue;
        }
        maybe_reconcile(*self);
        const bool auto_commit = auto_commit_if_due(*self, now);
        auto until = g.next_heartbeat;
        if (auto_commit) until = std::min(until, g.next_auto_commit);
        if (last_poll != clock::time_point{}) until = std::min(until, last_poll + cfg.max_poll_interval);
        if (g.target && !g.reconciling) until = std::min(until, g.next_reconcile);
        g.wake.expires_at(until);
        co_await g.wake.async_wait(nothrow_awaitable);
    }
    g.loop_running = false;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace kasio::consumer_detail

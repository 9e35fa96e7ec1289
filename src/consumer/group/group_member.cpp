// The membership loop of a consumer in its group (classic protocol, as the Java client's
// ConsumerCoordinator): find the coordinator, JoinGroup, run the assignor when elected leader,
// SyncGroup, take the assignment (committed offsets first), then heartbeat until the group
// rebalances, the subscription or the subscribed topics change, or the member leaves.
//
// Eager rebalancing revokes every partition before joining; cooperative (KIP-429) keeps them,
// revokes after SyncGroup only what moved, and rejoins at once so that the next round can give
// the revoked partitions to their new owner.
//
// runs on: pool strand. The planner changes under the consumer's mutex; listener callbacks run
// with no lock held.
#include "consumer/consumer_impl.hpp"
#include "consumer/group/membership.hpp"
#include "net/completion.hpp"

#include "net/loop_exit.hpp"
#include "protocol/messages.hpp"

#include <kasio/broker_errc.hpp>
#include <kasio/log.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <set>

namespace kasio {
namespace {

using clock = std::chrono::steady_clock;
using consumer_detail::member_subscription;
using protocol::msg::heartbeat_request;
using protocol::msg::heartbeat_response;
using protocol::msg::join_group_request;
using protocol::msg::join_group_response;
using protocol::msg::leave_group_request;
using protocol::msg::leave_group_response;
using protocol::msg::sync_group_request;
using protocol::msg::sync_group_response;
using net::nothrow_awaitable;
// ConsumerProtocolSubscription / Assignment version sent (Kafka 3.7's).
constexpr std::int16_t consumer_protocol_version = 3;

using consumer_detail::lose;
using consumer_detail::minus;
using consumer_detail::publish;
using consumer_detail::revoke;
using consumer_detail::tp_less;

using consumer_detail::coordinator_lost;

// The member must start over: its generation or id is not the group's any more.
bool membership_lost(const error_code& ec) {
    return ec == broker_errc::unknown_member_id || ec == broker_errc::illegal_generation;
}

// Errors no retry fixes: the member stops and every poll reports the error. Everything else a
// join or heartbeat meets (coordinator moves, rebalances, lost membership) is handled by
// rejoining.
bool is_group_refusal(const error_code& ec) {
    if (ec == broker_errc::member_id_required || ec == broker_errc::rebalance_in_progress || membership_lost(ec))
        return false;
    if (ec.category() == broker_category()) return !is_retriable(ec);
    return ec == client_errc::no_common_version || ec == client_errc::invalid_config ||
           ec == client_errc::unsupported_version;
}

std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
    return out;
}

// What the application needs to fix a refusal: the property at fault and its value.
error_context explain_refusal(consumer_impl& self, const error_code& ec, const char* api) {
    const auto& cfg = self.cfg;
    error_context c;
    c.api = api;
    c.node_id = self.group.coordinator;
    if (const auto* b = self.refresher.cache().broker(c.node_id)) c.broker = b->host + ":" + std::to_string(b->port);
    const std::string group = "group '" + cfg.group_id + "'";
    if (ec == broker_errc::invalid_session_timeout) {
        c.property = "session.timeout.ms";
        c.message = "session.timeout.ms=" + std::to_string(cfg.session_timeout.count()) +
                    " is outside the range the broker allows (its group.min.session.timeout.ms.."
                    "group.max.session.timeout.ms)";
    } else if (ec == broker_errc::inconsistent_group_protocol) {
        c.property = "partition.assignment.strategy";
        c.message = "no assignor of partition.assignment.strategy=" + join_names(cfg.assignment_strategies) +
                    " is supported by every member of " + group;
    } else if (ec == broker_errc::fenced_instance_id) {
        c.property = "group.instance.id";
        c.message = "another member of " + group + " joined with group.instance.id=" + cfg.group_instance_id;
    } else if (ec == broker_errc::group_authorization_failed) {
        c.property = "group.id";
        c.message = "not authorized to join " + group;
    } else if (ec == broker_errc::group_max_size_reached) {
        c.message = group + " has reached the broker's group.max.size";
    } else if (ec == broker_errc::group_id_not_found || ec == broker_errc::invalid_group_id) {
        c.property = "group.id";
        c.message = group + " is not valid here";
    } else {
        c.message = std::string(api) + " for " + group + " refused";
    }
    return c;
}

}  // namespace

void consumer::impl::notify(const std::function<void(const std::vector<topic_partition>&)>& cb,
                            const std::vector<topic_partition>& parts) {
    if (!cb) return;
    try {
        cb(parts);
    } catch (...) {
        // A throwing callback must not kill the membership loop; Java logs it and goes on.
        net::log_line(cfg.connection.log, log_level::error,
                      "rebalance callback threw: " + net::describe_exception(std::current_exception()));
    }
}

void consumer::impl::start_group_loop() {
    if (group.loop_running) {
        group.wake.cancel();
        return;
    }
    group.loop_running = true;
    // An exception out of the membership loop stops the membership and fails poll with
    // internal_error (logged with its text); subscribe() starts again.
    asio::co_spawn(strand, group_loop(shared_from_this()),
                   net::on_loop_exit(cfg.connection.log, "consumer group: membership loop",
                                     [self = shared_from_this()](const std::string& why) {
                                         self->group.loop_running = false;
                                         error_context context;
                                         context.message = "the membership loop stopped: " + why;
                                         self->fail_group(client_errc::internal_error, std::move(context));
                                     }));
}

namespace {

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// The topics this member subscribes to now: the list, or the known topics matching the regex.
std::vector<std::string> subscription_topics(consumer_impl& self) {
    auto& g = self.group;
    if (!g.pattern) return g.topics;
    std::vector<std::string> out;
    for (auto& name : self.refresher.cache().topic_names())
        if (std::regex_match(name, *g.pattern)) out.push_back(std::move(name));
    return out;
}

// Takes the assignment from SyncGroup: revokes what moved away (cooperative), then takes the
// new partitions.
asio::awaitable<error_code> take_assignment(std::shared_ptr<consumer_impl> self, std::vector<topic_partition> assigned) {
    auto& g = self->group;
    std::sort(assigned.begin(), assigned.end(), tp_less);
    const auto revoked = minus(g.owned, assigned);
    auto added = minus(assigned, g.owned);
    if (!revoked.empty()) {
        co_await revoke(self, revoked);
        g.rejoin_needed = true;  // so that the next round can hand them to their new owner
    }
    co_return co_await consumer_detail::acquire(self, std::move(added), std::move(assigned));
}

// Leader: runs the group's assignor over every member's subscription.
asio::awaitable<std::pair<error_code, std::vector<sync_group_request::sync_group_request_assignment>>> lead(
    std::shared_ptr<consumer_impl> self, const join_group_response& joined) {
    using result = std::pair<error_code, std::vector<sync_group_request::sync_group_request_assignment>>;
    auto& g = self->group;
    const consumer_detail::assignor* chosen = nullptr;
    for (const auto& a : g.assignors)
        if (a->name() == g.protocol) chosen = a.get();
    if (!chosen) co_return result{broker_errc::inconsistent_group_protocol, {}};
    std::vector<member_subscription> members;
    std::vector<std::string> all_topics;
    for (const auto& m : joined.members) {
        member_subscription s;
        if (auto ec = consumer_detail::decode_subscription(m.metadata, s)) {
            // Java fails the rebalance; an unreadable member gets nothing here instead.
            s = member_subscription{};
        }
        s.member_id = m.member_id;
        s.group_instance_id = m.group_instance_id;
        all_topics.insert(all_topics.end(), s.topics.begin(), s.topics.end());
        members.push_back(std::move(s));
    }
    std::sort(all_topics.begin(), all_topics.end());
    all_topics.erase(std::unique(all_topics.begin(), all_topics.end()), all_topics.end());
    self->refresher.add_topics(all_topics);
    auto [rec] = co_await self->refresher.async_refresh(nothrow_awaitable);
    if (rec) co_return result{rec, {}};
    consumer_detail::topic_partition_counts counts;
    const auto& cache = self->refresher.cache();
    for (const auto& t : all_topics)
        if (auto n = cache.partition_count(t)) counts[t] = static_cast<std::int32_t>(*n);
    const auto assignment = chosen->assign(counts, members);
    g.assigned_counts = counts;
    g.metadata_version_seen = cache.version();
    std::vector<sync_group_request::sync_group_request_assignment> out;
    for (const auto& [member, parts] : assignment) {
        auto& a = out.emplace_back();
        a.member_id = member;
        const std::string bytes = consumer_detail::encode_assignment(parts, consumer_protocol_version);
        a.assignment.assign(bytes.begin(), bytes.end());
    }
    co_return result{error_code{}, std::move(out)};
}

// One round: JoinGroup, SyncGroup, take the assignment.
asio::awaitable<error_code> join(std::shared_ptr<consumer_impl> self) {
    auto& g = self->group;
    auto& cfg = self->cfg;
    const auto started = clock::now();
    if (!g.cooperative && !g.owned.empty()) co_await revoke(self, g.owned);  // eager: all, first
    if (!g.subscribed || self->closed) co_return asio::error::operation_aborted;
    g.stable = false;
    publish(*self);
    g.joined_topics = subscription_topics(*self);
    self->refresher.add_topics(g.joined_topics);
    g.metadata_version_seen = self->refresher.cache().version();

    join_group_request req;
    req.group_id = cfg.group_id;
    req.session_timeout_ms = static_cast<std::int32_t>(cfg.session_timeout.count());
    req.rebalance_timeout_ms = static_cast<std::int32_t>(cfg.max_poll_interval.count());
    req.member_id = g.member_id;
    if (!cfg.group_instance_id.empty()) req.group_instance_id = cfg.group_instance_id;
    req.protocol_type = "consumer";
    member_subscription mine;
    mine.topics = g.joined_topics;
    mine.owned_partitions = g.owned;  // empty under eager rebalancing: revoked above
    mine.generation = g.generation;
    const std::string metadata = consumer_detail::encode_subscription(mine, consumer_protocol_version);
    for (const auto& a : g.assignors) {
        auto& p = req.protocols.emplace_back();
        p.name = std::string(a->name());
        p.metadata.assign(metadata.begin(), metadata.end());
    }
    // The coordinator holds a JoinGroup for the whole rebalance (up to the rebalance timeout):
    // wait that long and 5 s more, as the Java client does, never less than request.timeout.ms.
    const net::request_options join_options{std::max(self->pool.config().connection.request_timeout,
                                                     cfg.max_poll_interval + std::chrono::seconds(5))};
    const std::int32_t node = g.coordinator;
    auto [ec, frame] =
        co_await self->pool.async_request(node, net::purpose::blocking, req, join_options, nothrow_awaitable);
    join_group_response joined;
    if (!ec) ec = net::decode_response(frame, joined);
    if (!ec && joined.error_code != 0) ec = static_cast<broker_errc>(joined.error_code);
    if (ec == broker_errc::member_id_required) {
        g.member_id = joined.member_id;  // KIP-394: join again with the id the broker chose
        co_return ec;
    }
    if (ec) co_return ec;
    if (!g.subscribed || self->closed) co_return asio::error::operation_aborted;
    g.member_id = joined.member_id;
    g.generation = joined.generation_id;
    g.protocol = joined.protocol_name.value_or(std::string());
    g.leader = joined.leader == joined.member_id;

    sync_group_request sync;
    sync.group_id = cfg.group_id;
    sync.generation_id = g.generation;
    sync.member_id = g.member_id;
    if (!cfg.group_instance_id.empty()) sync.group_instance_id = cfg.group_instance_id;
    sync.protocol_type = "consumer";
    sync.protocol_name = g.protocol;
    if (g.leader) {
        auto [lec, assignments] = co_await lead(self, joined);
        if (lec) co_return lec;
        sync.assignments = std::move(assignments);
    }
    auto [sec, sframe] = co_await self->pool.async_request(node, net::purpose::blocking, sync, nothrow_awaitable);
    sync_group_response synced;
    if (!sec) sec = net::decode_response(sframe, synced);
    if (!sec && synced.error_code != 0) sec = static_cast<broker_errc>(synced.error_code);
    if (sec) co_return sec;
    if (!g.subscribed || self->closed) co_return asio::error::operation_aborted;
    std::vector<topic_partition> assigned;
    if (!synced.assignment.empty()) {
        if (auto dec = consumer_detail::decode_assignment(synced.assignment, assigned)) co_return dec;
    }
    g.rejoin_needed = false;
    g.stable = true;
    ++g.rebalances;
    const auto now = clock::now();
    g.next_heartbeat = now + cfg.heartbeat_interval;
    g.next_auto_commit = now + cfg.auto_commit_interval;
    publish(*self);
    const error_code taken = co_await take_assignment(self, std::move(assigned));
    if (!taken) self->rebalance_done(started);
    co_return taken;
}

asio::awaitable<void> heartbeat(std::shared_ptr<consumer_impl> self) {
    auto& g = self->group;
    heartbeat_request req;
    req.group_id = self->cfg.group_id;
    req.generation_id = g.generation;
    req.member_id = g.member_id;
    if (!self->cfg.group_instance_id.empty()) req.group_instance_id = self->cfg.group_instance_id;
    const std::int32_t node = g.coordinator;
    const std::int32_t generation = g.generation;
    auto [ec, frame] = co_await self->pool.async_request(node, net::purpose::blocking, req, nothrow_awaitable);
    heartbeat_response resp;
    if (!ec) ec = net::decode_response(frame, resp);
    if (!ec && resp.error_code != 0) ec = static_cast<broker_errc>(resp.error_code);
    g.next_heartbeat = clock::now() + (ec ? self->cfg.retry_backoff : self->cfg.heartbeat_interval);
    if (!ec || generation != g.generation || !g.stable) co_return;  // answered for a round gone by
    if (ec == broker_errc::rebalance_in_progress) {
        g.rejoin_needed = true;
    } else if (membership_lost(ec)) {
        lose(*self);
    } else if (is_group_refusal(ec)) {
        // Another process took this group.instance.id, or the ACLs changed: stop, report.
        self->fail_group(ec, explain_refusal(*self, ec, "Heartbeat"));
    } else if (coordinator_lost(ec) && g.coordinator == node) {
        g.coordinator = -1;
    }
}

// Whether this member must rejoin because of what metadata says now.
bool metadata_changed(consumer_impl& self) {
    auto& g = self.group;
    const auto& cache = self.refresher.cache();
    if (cache.version() == g.metadata_version_seen) return false;
    g.metadata_version_seen = cache.version();
    if (g.pattern && subscription_topics(self) != g.joined_topics) return true;
    if (!g.leader) return false;
    for (const auto& [topic, count] : g.assigned_counts) {
        auto n = cache.partition_count(topic);
        if (n && static_cast<std::int32_t>(*n) != count) return true;  // Java: the leader rejoins
    }
    return false;
}

}  // namespace

void consumer::impl::fail_group(const error_code& ec, error_context context) {
    auto& g = group;
    if (cfg.connection.log.enabled(log_level::error))
        cfg.connection.log.sink(log_level::error, "consumer group: " + error_info{ec, context}.describe() +
                                                      "; the member stops until subscribe() is called again");
    lose(*this);
    g.subscribed = false;
    {
        std::lock_guard lock(mutex);
        g.error = error_info{ec, std::move(context)};
    }
    try_complete_poll();
}

asio::awaitable<void> consumer::impl::leave_group(std::shared_ptr<impl> self) {
    auto& g = self->group;
    if (self->cfg.protocol == group_protocol::consumer) {
        co_await consumer_detail::leave_consumer_group(self);
        g.joined_topics.clear();
        co_return;
    }
    g.subscribed = false;
    g.wake.cancel();
    if (!g.owned.empty()) co_await revoke(self, g.owned);
    if (!g.member_id.empty() && g.coordinator >= 0 && self->cfg.group_instance_id.empty()) {
        leave_group_request req;
        req.group_id = self->cfg.group_id;
        req.member_id = g.member_id;  // versions 0-2
        auto& m = req.members.emplace_back();  // versions 3+
        m.member_id = g.member_id;
        const std::int32_t node = g.coordinator;
        auto [ec, frame] = co_await self->pool.async_request(node, net::purpose::blocking, req, nothrow_awaitable);
        (void)ec;  // leaving is best effort: the session timeout removes the member otherwise
        (void)frame;
    }
    g.member_id.clear();
    g.generation = -1;
    g.stable = false;
    g.rejoin_needed = true;
    g.joined_topics.clear();
    publish(*self);
}

asio::awaitable<void> consumer::impl::group_loop(std::shared_ptr<impl> self) {
    auto& g = self->group;
    auto& cfg = self->cfg;
    if (cfg.protocol == group_protocol::consumer) {
        co_await consumer_detail::heartbeat_loop(self);
        co_return;
    }
    auto backoff = [&]() -> asio::awaitable<void> {
        g.wake.expires_after(cfg.retry_backoff);
        co_await g.wake.async_wait(nothrow_awaitable);
    };
    while (!self->closed && g.subscribed) {
        if (g.coordinator < 0) {
            if (auto ec = co_await find_coordinator(self)) {
                if (is_group_refusal(ec)) {
                    self->fail_group(ec, explain_refusal(*self, ec, "FindCoordinator"));
                    continue;
                }
                co_await backoff();
                continue;
            }
        }
        if (g.rejoin_needed) {
            const error_code ec = co_await join(self);
            if (!ec || !g.subscribed || self->closed) continue;
            if (ec == broker_errc::member_id_required || ec == broker_errc::rebalance_in_progress) continue;
            if (membership_lost(ec)) {
                lose(*self);
                continue;
            }
            if (is_group_refusal(ec)) {
                self->fail_group(ec, explain_refusal(*self, ec, "JoinGroup"));
                continue;
            }
            if (coordinator_lost(ec)) g.coordinator = -1;
            g.rejoin_needed = true;
            co_await backoff();
            continue;
        }
        if (metadata_changed(*self)) {
            g.rejoin_needed = true;
            continue;
        }
        const auto now = clock::now();
        // max.poll.interval.ms: an application that stopped polling gives its partitions up.
        const auto last_poll = clock::time_point(clock::duration(g.last_poll_ns.load(std::memory_order_relaxed)));
        if (consumer_detail::poll_interval_expired(*self, now, last_poll)) {
            co_await leave_group(self);
            g.subscribed = true;  // rejoins when poll is called again
            g.last_poll_ns = 0;
            g.wake.expires_at(clock::time_point::max());
            co_await g.wake.async_wait(nothrow_awaitable);
            continue;
        }
        const bool auto_commit = consumer_detail::auto_commit_if_due(*self, now);
        if (now >= g.next_heartbeat) {
            co_await heartbeat(self);
            continue;
        }
        auto until = g.next_heartbeat;
        if (auto_commit) until = std::min(until, g.next_auto_commit);
        if (last_poll != clock::time_point{}) until = std::min(until, last_poll + cfg.max_poll_interval);
        g.wake.expires_at(until);
        co_await g.wake.async_wait(nothrow_awaitable);
    }
    g.loop_running = false;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// ---- public operations

void consumer::subscribe(std::vector<std::string> topics, rebalance_listener listener) {
    std::sort(topics.begin(), topics.end());
    topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
    asio::post(impl_->strand, [self = impl_, t = std::move(topics), l = std::move(listener)]() mutable {
        auto& g = self->group;
        g.topics = std::move(t);
        g.pattern.reset();
        g.broker_pattern.reset();
        self->refresher.set_all_topics(false);
        g.listener = std::move(l);
        self->async_listener = {};
        g.subscribed = !self->cfg.group_id.empty();
        {
            std::lock_guard lock(self->mutex);
            g.error = {};  // a new subscription starts afresh after a refusal
        }
        if (!g.subscribed) {
            error_context c;
            c.property = "group.id";
            c.message = "subscribe() needs a group.id";
            self->fail_group(client_errc::invalid_config, std::move(c));
            return;
        }
        g.rejoin_needed = true;
        self->start_group_loop();
    });
}

error_code consumer::subscribe_pattern(std::string_view pattern, rebalance_listener listener) {
    if (impl_->cfg.group_id.empty()) return client_errc::invalid_config;
    // group.protocol=consumer: the broker evaluates the expression (RE2/J) and reports a bad one
    // (INVALID_REGULAR_EXPRESSION) through poll. classic: the client does, over the metadata.
    std::optional<std::regex> re;
    std::optional<std::string> broker_pattern;
    if (impl_->cfg.protocol == group_protocol::consumer) {
        if (pattern.empty()) return client_errc::invalid_config;
        broker_pattern.emplace(pattern);
    } else {
        try {
            re.emplace(pattern.begin(), pattern.end(), std::regex::ECMAScript);
        } catch (const std::regex_error&) {
            return client_errc::invalid_config;
        }
    }
    asio::post(impl_->strand, [self = impl_, r = std::move(re), b = std::move(broker_pattern),
                               l = std::move(listener)]() mutable {
        auto& g = self->group;
        g.topics.clear();
        g.pattern = std::move(r);
        g.broker_pattern = std::move(b);
        // The broker names matching topics by id in the assignment: metadata of every topic
        // gives their names.
        self->refresher.set_all_topics(true);
        g.listener = std::move(l);
        self->async_listener = {};
        g.subscribed = true;
        g.rejoin_needed = true;
        g.metadata_version_seen = 0;
        {
            std::lock_guard lock(self->mutex);
            g.error = {};
        }
        self->start_group_loop();
    });
    return {};
}

void consumer::unsubscribe() {
    asio::post(impl_->strand, [self = impl_] {
        {
            std::lock_guard lock(self->mutex);
            self->group.error = {};
        }
        if (!self->group.subscribed) return;
        asio::co_spawn(self->strand, impl::leave_group(self),
                       net::on_loop_exit(self->cfg.connection.log, "consumer group: leaving", [](const std::string&) {}));
    });
}

std::optional<group_membership> consumer::membership() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->group.snapshot;
}

}  // namespace kasio

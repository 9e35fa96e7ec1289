// The group's coordinator and its offsets: FindCoordinator, OffsetCommit, OffsetFetch, and the
// public async_commit / async_committed.
//
// runs on: pool strand.
#include "consumer/consumer_impl.hpp"
#include "consumer/group/membership.hpp"
#include "cluster/coordinator_lookup.hpp"
#include "cluster/offsets_by_topic.hpp"
#include "net/completion.hpp"

#include "net/abandonable_op.hpp"
#include "protocol/messages.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>
#include <unordered_map>

namespace kasio {
namespace {

using protocol::msg::offset_commit_request;
using protocol::msg::offset_commit_response;
using protocol::msg::offset_fetch_request;
using protocol::msg::offset_fetch_response;
using net::nothrow_awaitable;

using consumer_detail::coordinator_lost;

// Topics by name: see cluster::offsets_by_name_max_version.
const net::request_options by_name{std::chrono::milliseconds(0), cluster::offsets_by_name_max_version};

}  // namespace

bool consumer_detail::coordinator_lost(const error_code& ec) noexcept {
    return ec == broker_errc::not_coordinator || ec == broker_errc::coordinator_not_available ||
           ec == client_errc::connection_closed || ec == client_errc::timed_out;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

asio::awaitable<error_code> consumer::impl::find_coordinator(std::shared_ptr<impl> self) {
    const cluster::coordinator_answer a = co_await cluster::find_coordinator(
        self->pool, self->refresher, cluster::coordinator_type::group, self->cfg.group_id, &self->closed);
    if (!a.ec) self->group.coordinator = a.node;
    co_return a.ec;
}

std::vector<partition_offset> consumer::impl::positions_to_commit(const std::vector<topic_partition>* only) {
    std::vector<partition_offset> out;
    std::lock_guard lock(mutex);
    auto add = [&](const topic_partition& tp, const consumer_detail::partition_state& st) {
        if (st.position >= 0) out.push_back(partition_offset{tp.topic, tp.partition, st.position, {}});
    };
    if (only) {
        for (const auto& tp : *only)
            if (const auto* st = planner.find(tp)) add(tp, *st);
    } else {
        for (const auto& [tp, st] : planner.partitions()) add(tp, st);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
    });
    return out;
}

asio::awaitable<error_code> consumer::impl::commit_offsets(std::shared_ptr<impl> self,
                                                           std::vector<partition_offset> offsets) {
    if (self->cfg.group_id.empty()) co_return client_errc::invalid_config;
    if (offsets.empty()) co_return error_code{};
    offset_commit_request req;
    req.group_id = self->cfg.group_id;
    if (!self->cfg.group_instance_id.empty()) req.group_instance_id = self->cfg.group_instance_id;
    cluster::add_offsets_by_topic(req.topics, offsets);
    // A member commits with its generation; anyone else (manual assignment) as a "simple"
    // consumer, generation -1 and no member id. The generation is the one the commit was made
    // in: a retry after the group moved on would commit, under the new generation, partitions
    // that may belong to another member now, overwriting its progress. It fails instead, as
    // Java's CommitFailedException.
    //
    // KIP-848 (group.protocol=consumer): the member epoch moves on whenever the group changes,
    // mostly without this member's partitions moving, and a commit with an older epoch gets
    // STALE_MEMBER_EPOCH. Each attempt takes the newest epoch, as Java's CommitRequestManager
    // does, for partitions the member still owns: the coordinator hands a partition on only
    // after its owner reported it revoked, so an owned partition is nobody else's.
    auto& g = self->group;
    const bool as_member = g.stable;
    const bool by_epoch = self->cfg.protocol == group_protocol::consumer;
    req.generation_id_or_member_epoch = as_member ? g.generation : -1;
    req.member_id = as_member ? g.member_id : std::string();
    const auto deadline = std::chrono::steady_clock::now() + self->cfg.connection.request_timeout;
    for (;;) {
        if (self->closed) co_return asio::error::operation_aborted;
        if (as_member && !g.stable) co_return broker_errc::rebalance_in_progress;
        if (as_member && by_epoch) {
            for (const auto& o : offsets)
                if (!std::binary_search(g.owned.begin(), g.owned.end(), topic_partition{o.topic, o.partition},
                                        consumer_detail::tp_less))
                    co_return broker_errc::stale_member_epoch;  // revoked meanwhile
            req.generation_id_or_member_epoch = g.generation;
            req.member_id = g.member_id;
        } else if (as_member && (g.generation != req.generation_id_or_member_epoch || g.member_id != req.member_id)) {
            co_return broker_errc::illegal_generation;
        }
        error_code ec;
        if (self->group.coordinator < 0) ec = co_await find_coordinator(self);
        if (!ec) {
            ++self->commits;
            const std::int32_t node = self->group.coordinator;
            const auto sent_at = std::chrono::steady_clock::now();
            auto [rec, frame] =
                co_await self->pool.async_request(node, net::purpose::blocking, req, by_name, nothrow_awaitable);
            ec = rec;
            if (!ec && self->metrics_on) {
                self->commit_latency_us.record(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - sent_at).count()));
            }
            offset_commit_response resp;
            if (!ec) ec = net::decode_response(frame, resp);
            if (!ec) {
                for (const auto& t : resp.topics)
                    for (const auto& p : t.partitions)
                        if (p.error_code != 0 && !ec) ec = static_cast<broker_errc>(p.error_code);
            }
            if (!ec) co_return error_code{};
            if (coordinator_lost(ec) && self->group.coordinator == node) self->group.coordinator = -1;
        }
        const bool retry = coordinator_lost(ec) || ec == broker_errc::coordinator_load_in_progress ||
                           ec == broker_errc::request_timed_out || (by_epoch && ec == broker_errc::stale_member_epoch);
        if (!retry || std::chrono::steady_clock::now() + self->cfg.retry_backoff >= deadline) co_return ec;
        if (ec == broker_errc::stale_member_epoch) {
            g.next_heartbeat = std::chrono::steady_clock::now();  // learn the new epoch now
            g.wake.cancel();
        }
        co_await net::sleep_for(self->strand, self->cfg.retry_backoff);
    }
}

asio::awaitable<std::pair<error_code, std::vector<partition_offset>>> consumer::impl::fetch_committed(
    std::shared_ptr<impl> self, std::vector<topic_partition> partitions) {
    using result = std::pair<error_code, std::vector<partition_offset>>;
    if (self->cfg.group_id.empty()) co_return result{client_errc::invalid_config, {}};
    offset_fetch_request req;
    req.group_id = self->cfg.group_id;  // versions 0-7
    // KIP-447: a read_committed member waits (UNSTABLE_OFFSET_COMMIT, retried) for offsets a
    // transaction has sent but not yet committed or aborted, as Java does; otherwise, right
    // after a rebalance, it would start from the offsets before that transaction and copy its
    // records again once the transaction commits.
    req.require_stable = self->cfg.isolation == isolation_level::read_committed;
    req.topics.emplace();
    auto& group = req.groups.emplace_back();  // versions 8+
    group.group_id = self->cfg.group_id;
    group.topics.emplace();
    std::map<std::string, std::size_t> topic_index;
    for (const auto& tp : partitions) {
        auto [it, added] = topic_index.try_emplace(tp.topic, req.topics->size());
        if (added) {
            req.topics->emplace_back().name = tp.topic;
            group.topics->emplace_back().name = tp.topic;
        }
        (*req.topics)[it->second].partition_indexes.push_back(tp.partition);
        (*group.topics)[it->second].partition_indexes.push_back(tp.partition);
    }
    const auto deadline = std::chrono::steady_clock::now() + self->cfg.connection.request_timeout;
    for (;;) {
        if (self->closed) co_return result{asio::error::operation_aborted, {}};
        error_code ec;
        if (self->group.coordinator < 0) ec = co_await find_coordinator(self);
        std::unordered_map<topic_partition, std::int64_t> found;
        if (!ec) {
            const std::int32_t node = self->group.coordinator;
            auto [rec, frame] =
                co_await self->pool.async_request(node, net::purpose::blocking, req, by_name, nothrow_awaitable);
            ec = rec;
            offset_fetch_response resp;
            if (!ec) ec = net::decode_response(frame, resp);
            auto take = [&](std::int16_t code, const auto& topics) {
                if (code != 0 && !ec) ec = static_cast<broker_errc>(code);
                for (const auto& t : topics)
                    for (const auto& p : t.partitions) {
                        if (p.error_code != 0 && !ec) ec = static_cast<broker_errc>(p.error_code);
                        found[topic_partition{t.name, p.partition_index}] = p.committed_offset;
                    }
            };
            if (!ec) {
                if (frame.api_version >= 8) {
                    for (const auto& g : resp.groups) take(g.error_code, g.topics);
                } else {
                    take(resp.error_code, resp.topics);
                }
            }
            if (!ec) {
                std::vector<partition_offset> out;
                for (const auto& tp : partitions) {
                    auto it = found.find(tp);
                    out.push_back(partition_offset{tp.topic, tp.partition, it == found.end() ? -1 : it->second, {}});
                }
                co_return result{error_code{}, std::move(out)};
            }
            if (coordinator_lost(ec) && self->group.coordinator == node) self->group.coordinator = -1;
        }
        const bool retry = coordinator_lost(ec) || ec == broker_errc::coordinator_load_in_progress ||
                           ec == broker_errc::unstable_offset_commit || ec == broker_errc::request_timed_out;
        if (!retry || std::chrono::steady_clock::now() + self->cfg.retry_backoff >= deadline)
            co_return result{ec, {}};
        co_await net::sleep_for(self->strand, self->cfg.retry_backoff);
    }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

void consumer::start_commit(std::optional<std::vector<partition_offset>> offsets, done_handler handler) {
    auto op = net::abandonable_op<>::make(std::move(handler), impl_->strand);
    asio::post(impl_->strand, [self = impl_, o = std::move(offsets), op = std::move(op)]() mutable {
        std::vector<partition_offset> list = o ? std::move(*o) : self->positions_to_commit(nullptr);
        auto ex = self->strand;
        asio::co_spawn(ex, impl::commit_offsets(self, std::move(list)),
                       [self, op = std::move(op)](std::exception_ptr e, error_code ec) mutable {
                           if (e) ec = client_errc::internal_error;
                           error_context context;
                           context.api = "OffsetCommit";
                           if (!op->done()) self->note_error(ec, context);
                           op->complete(ec);
                       });
    });
}

void consumer::start_committed(std::vector<topic_partition> partitions, committed_handler handler) {
    auto op = net::abandonable_op<std::vector<partition_offset>>::make(std::move(handler), impl_->strand);
    asio::post(impl_->strand, [self = impl_, p = std::move(partitions), op = std::move(op)]() mutable {
        auto ex = self->strand;
        asio::co_spawn(ex, impl::fetch_committed(self, std::move(p)),
                       [self, op = std::move(op)](std::exception_ptr e,
                                                  std::pair<error_code, std::vector<partition_offset>> r) mutable {
                           if (e) r.first = client_errc::internal_error;
                           error_context context;
                           context.api = "OffsetFetch";
                           if (!op->done()) self->note_error(r.first, context);
                           op->complete(r.first, std::move(r.second));
                       });
    });
}

}  // namespace kasio

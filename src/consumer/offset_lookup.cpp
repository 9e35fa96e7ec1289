// The consumer's offset queries (async_beginning_offsets, async_end_offsets,
// async_offsets_for_times): a Metadata request of their own for the leaders (the partitions
// need not be assigned), then one ListOffsets per leader. They leave the fetch state alone.
//
// runs on: pool strand.
#include "consumer/consumer_impl.hpp"
#include "net/completion.hpp"

#include "cluster/metadata_query.hpp"
#include "net/abandonable_op.hpp"
#include "protocol/messages.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>

#if defined(__GNUC__) && !defined(__clang__)
// g++ 12 reports -Wmismatched-new-delete for coroutine frames (awaitable frames use Asio's
// recycling allocator for both; a false positive, as in fetcher.cpp).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace kasio {
namespace {

using net::nothrow_awaitable;
using clock = std::chrono::steady_clock;

// Errors after which asking the partition's (possibly new) leader again may succeed.
bool worth_retrying(const error_code& ec) {
    return is_retriable(ec) || ec == broker_errc::not_leader_or_follower || ec == broker_errc::leader_not_available ||
           ec == broker_errc::fenced_leader_epoch || ec == broker_errc::unknown_leader_epoch ||
           ec == broker_errc::offset_not_available || ec == broker_errc::replica_not_available ||
           ec == client_errc::connection_closed || ec == client_errc::timed_out;
}

}  // namespace

asio::awaitable<std::pair<error_code, std::vector<listed_offset>>> consumer::impl::lookup_offsets(
    std::shared_ptr<impl> self, std::vector<partition_timestamp> query, bool by_time, error_context& where) {
    using result = std::pair<error_code, std::vector<listed_offset>>;
    std::vector<listed_offset> out(query.size());
    std::vector<bool> done(query.size(), false);
    for (std::size_t i = 0; i < query.size(); ++i) out[i].partition = query[i].partition;
    const auto deadline = clock::now() + self->cfg.connection.request_timeout;
    const auto bootstrap = cluster::split_bootstrap(self->cfg.bootstrap_servers);
    error_code last_retriable = client_errc::timed_out;
    while (true) {
        std::vector<std::string> topics;
        for (std::size_t i = 0; i < query.size(); ++i)
            if (!done[i]) topics.push_back(query[i].partition.topic);
        if (topics.empty()) co_return result{error_code{}, std::move(out)};

        auto [mec, md] = co_await cluster::query_metadata(self->pool, self->refresher, bootstrap, topics, where);
        if (mec == asio::error::operation_aborted || self->closed) co_return result{asio::error::operation_aborted, {}};
        // Per leader: the indices of the query it answers.
        std::map<std::int32_t, std::vector<std::size_t>> by_leader;
        if (!mec) {
            for (std::size_t i = 0; i < query.size(); ++i) {
                if (done[i]) continue;
                const auto& tp = query[i].partition;
                const topic_description* t = md.topic(tp.topic);
                error_code ec = t ? t->error : error_code(broker_errc::unknown_topic_or_partition);
                const partition_description* p = nullptr;
                if (!ec && t) {
                    for (const auto& pi : t->partitions)
                        if (pi.partition == tp.partition) p = &pi;
                    // A partition past the topic's count does not exist.
                    if (!p) ec = broker_errc::unknown_topic_or_partition;
                }
                // Unknown: at once, as librdkafka's query_watermark_offsets (Java waits out its timeout).
                if (ec && (ec == broker_errc::unknown_topic_or_partition || !worth_retrying(ec))) {
                    where = error_context{};
                    where.api = "Metadata";
                    where.topic = tp.topic;
                    where.partition = tp.partition;
                    where.message = ec == broker_errc::unknown_topic_or_partition
                                        ? "the cluster has no partition " + std::to_string(tp.partition) + " of " + tp.topic
                                        : std::string("the topic's metadata says ") + ec.message();
                    co_return result{ec, {}};
                }
                if (ec || p->leader < 0) {
                    last_retriable = ec ? ec : error_code(broker_errc::leader_not_available);
                    continue;
                }
                by_leader[p->leader].push_back(i);
            }
        } else {
            last_retriable = mec;
        }

        // A partition asked about twice (two times) waits for the next round: a broker refuses a
        // request naming a partition twice (INVALID_REQUEST).
        bool deferred = false;
        for (auto& [node, all_indices] : by_leader) {
            protocol::msg::list_offsets_request req;
            req.replica_id = -1;
            req.isolation_level = static_cast<std::int8_t>(self->cfg.isolation);
            // v10+ (KIP-1075): how long the broker may wait on remote storage; Java sends request.timeout.ms.
            req.timeout_ms = static_cast<std::int32_t>(self->cfg.connection.request_timeout.count());
            std::vector<std::size_t> indices;
            for (std::size_t i : all_indices) {
                const auto& tp = query[i].partition;
                const bool twice = std::any_of(indices.begin(), indices.end(),
                                               [&](std::size_t j) { return query[j].partition == tp; });
                if (twice) {
                    deferred = true;
                    continue;
                }
                indices.push_back(i);
                auto t = std::find_if(req.topics.begin(), req.topics.end(), [&](const auto& x) { return x.name == tp.topic; });
                if (t == req.topics.end()) {
                    t = req.topics.emplace(req.topics.end());
                    t->name = tp.topic;
                }
                auto& rp = t->partitions.emplace_back();
                rp.partition_index = tp.partition;
                rp.timestamp = query[i].timestamp_ms;
            }
            ++self->list_offsets_requests;
            auto [ec, frame] = co_await self->pool.async_request(node, net::purpose::long_poll, std::move(req), nothrow_awaitable);
            if (ec == asio::error::operation_aborted || self->closed) co_return result{asio::error::operation_aborted, {}};
            protocol::msg::list_offsets_response resp;
            if (!ec) ec = net::decode_response(frame, resp);
            for (std::size_t i : indices) {
                const auto& tp = query[i].partition;
                error_code pec = ec ? ec : error_code(broker_errc::unknown_topic_or_partition);
                if (!ec) {
                    for (const auto& t : resp.topics) {
                        if (t.name != tp.topic) continue;
                        for (const auto& rp : t.partitions) {
                            if (rp.partition_index != tp.partition) continue;
                            pec = rp.error_code ? error_code(static_cast<broker_errc>(rp.error_code)) : error_code{};
                            const std::int64_t offset =
                                frame.api_version == 0 ? (rp.old_style_offsets.empty() ? -1 : rp.old_style_offsets[0])
                                                       : rp.offset;
                            if (!pec) {
                                if (offset >= 0) out[i].offset = offset;
                                out[i].timestamp = by_time && offset >= 0 ? rp.timestamp : -1;
                                if (rp.leader_epoch >= 0) out[i].leader_epoch = rp.leader_epoch;
                            }
                        }
                    }
                }
                if (!pec && (by_time || out[i].offset)) {
                    done[i] = true;
                    continue;
                }
                if (!pec) pec = broker_errc::offset_not_available;  // no offset for the start or end
                if (!worth_retrying(pec)) {
                    where = error_context{};
                    where.api = "ListOffsets";
                    where.node_id = node;
                    where.topic = tp.topic;
                    where.partition = tp.partition;
                    co_return result{pec, {}};
                }
                last_retriable = pec;
            }
        }
        if (std::all_of(done.begin(), done.end(), [](bool d) { return d; })) co_return result{error_code{}, std::move(out)};
        if (deferred) continue;
        if (clock::now() >= deadline) {
            if (where.message.empty())
                where.message = "still failing after request.timeout.ms with: " + last_retriable.message();
            where.property = "request.timeout.ms";
            co_return result{client_errc::timed_out, {}};
        }
        co_await net::sleep_for(self->strand, self->cfg.retry_backoff);
    }
}

void consumer::start_list_offsets(std::vector<partition_timestamp> query, bool by_time, offsets_handler handler) {
    auto op = net::abandonable_op<std::vector<listed_offset>>::make(std::move(handler), impl_->strand);
    if (by_time) {
        for (const auto& q : query) {
            if (q.timestamp_ms >= 0) continue;
            error_context context;
            context.topic = q.partition.topic;
            context.partition = q.partition.partition;
            context.message = "offsets_for_times: negative timestamp " + std::to_string(q.timestamp_ms);
            impl_->note_error(client_errc::invalid_value, context);
            asio::post(impl_->strand, [op] { op->complete(client_errc::invalid_value, {}); });
            return;
        }
    }
    asio::post(impl_->strand, [self = impl_, q = std::move(query), by_time, op = std::move(op)]() mutable {
        if (op->done()) return;
        if (self->closed) return op->complete(asio::error::operation_aborted, {});
        auto where = std::make_shared<error_context>();
        asio::co_spawn(self->strand, impl::lookup_offsets(self, std::move(q), by_time, *where),
                       [self, where, op](std::exception_ptr e, std::pair<error_code, std::vector<listed_offset>> r) {
                           if (e) r.first = client_errc::internal_error;
                           if (!op->done()) self->note_error(r.first, *where);
                           op->complete(r.first, std::move(r.second));
                       });
    });
}

}  // namespace kasio

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

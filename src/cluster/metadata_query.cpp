// runs on: pool strand.
#include "cluster/metadata_query.hpp"

#include "net/abandonable_op.hpp"
#include "protocol/messages.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#if defined(__GNUC__) && !defined(__clang__)
// g++ 12 reports -Wmismatched-new-delete for coroutine frames (awaitable frames use Asio's
// recycling allocator for both; a false positive, as in fetcher.cpp).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace kasio::cluster {
namespace {

namespace asio = boost::asio;
constexpr auto nothrow_awaitable = asio::as_tuple(asio::use_awaitable);

error_code broker_error(std::int16_t code) {
    return code ? error_code(static_cast<broker_errc>(code)) : error_code{};
}

cluster_metadata to_public(const protocol::msg::metadata_response& resp) {
    cluster_metadata md;
    md.cluster_id = resp.cluster_id;
    md.controller_id = resp.controller_id;
    for (const auto& b : resp.brokers) md.brokers.push_back(broker_description{b.node_id, b.host, b.port, b.rack});
    std::sort(md.brokers.begin(), md.brokers.end(),
              [](const broker_description& a, const broker_description& b) { return a.node_id < b.node_id; });
    for (const auto& t : resp.topics) {
        topic_description ti;
        ti.name = t.name.value_or(std::string());
        ti.is_internal = t.is_internal;
        ti.topic_id.bytes = t.topic_id.bytes;
        ti.error = broker_error(t.error_code);
        for (const auto& p : t.partitions) {
            partition_description pi;
            pi.partition = p.partition_index;
            pi.leader = p.leader_id;
            pi.leader_epoch = p.leader_epoch;
            pi.replicas = p.replica_nodes;
            pi.isr = p.isr_nodes;
            pi.offline_replicas = p.offline_replicas;
            pi.error = broker_error(p.error_code);
            ti.partitions.push_back(std::move(pi));
        }
        std::sort(ti.partitions.begin(), ti.partitions.end(),
                  [](const partition_description& a, const partition_description& b) { return a.partition < b.partition; });
        md.topics.push_back(std::move(ti));
    }
    std::sort(md.topics.begin(), md.topics.end(), [](const topic_description& a, const topic_description& b) { return a.name < b.name; });
    return md;
}

}  // namespace

asio::awaitable<std::pair<error_code, cluster_metadata>> query_metadata(net::broker_pool& pool,
                                                                        const metadata_refresher& refresher,
                                                                        std::vector<std::string> bootstrap,
                                                                        std::vector<std::string> topics,
                                                                        error_context& where) {
    protocol::msg::metadata_request req;
    if (!topics.empty()) {
        std::sort(topics.begin(), topics.end());
        topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
        req.topics.emplace();
        for (auto& t : topics) req.topics->emplace_back().name = std::move(t);
    } else {
        req.topics.reset();  // null: every topic (Metadata v1+)
    }
    req.allow_auto_topic_creation = false;

    std::vector<std::int32_t> nodes;
    for (const auto& b : refresher.cache().brokers()) nodes.push_back(b.node_id);
    where = error_context{};
    where.api = "Metadata";
    where.message = "no broker address known (bootstrap.servers is empty)";
    error_code last = client_errc::connection_closed;
    const std::size_t candidates = nodes.size() + bootstrap.size();
    for (std::size_t i = 0; i < candidates; ++i) {
        error_code ec;
        net::response_frame frame;
        const bool known = i < nodes.size();
        if (known)
            std::tie(ec, frame) = co_await pool.async_request(nodes[i], net::purpose::general, req, nothrow_awaitable);
        else
            std::tie(ec, frame) = co_await pool.async_bootstrap_request(bootstrap[i - nodes.size()], req, nothrow_awaitable);
        protocol::msg::metadata_response resp;
        if (!ec) ec = net::decode_response(frame, resp);
        if (!ec) {
            for (const auto& b : resp.brokers) pool.set_broker(b.node_id, b.host, b.port);
            cluster_metadata md = to_public(resp);
            md.answered_by = known ? nodes[i] : -1;
            where = error_context{};
            co_return std::pair{error_code{}, std::move(md)};
        }
        if (ec == asio::error::operation_aborted) co_return std::pair{ec, cluster_metadata{}};
        last = ec;
        where.node_id = known ? nodes[i] : -1;
        where.broker = known ? std::string() : bootstrap[i - nodes.size()];
        where.message = "the last broker tried failed with: " + ec.message();
    }
    co_return std::pair{last, cluster_metadata{}};
}

void start_metadata_query(std::shared_ptr<void> owner, net::broker_pool& pool, const metadata_refresher& refresher,
                          std::vector<std::string> bootstrap, std::vector<std::string> topics,
                          metadata_handler handler) {
    const auto strand = pool.get_executor();
    // Made on the caller's thread: a cancellation emitted right after the call is seen.
    auto op = net::abandonable_op<cluster_metadata>::make(std::move(handler), strand);
    asio::post(strand, [owner = std::move(owner), &pool, &refresher, strand, b = std::move(bootstrap),
                        t = std::move(topics), op = std::move(op)]() mutable {
        if (op->done()) return;
        auto where = std::make_shared<error_context>();
        asio::co_spawn(strand, query_metadata(pool, refresher, b, std::move(t), *where),
                       [owner, where, op](std::exception_ptr e, std::pair<error_code, cluster_metadata> r) {
                           if (e) r.first = client_errc::internal_error;
                           op->complete(r.first, std::move(r.second));
                       });
    });
}

}  // namespace kasio::cluster

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

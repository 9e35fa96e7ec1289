#pragma once
// The admin client's shared state and the few things every operation does: pick the broker that
// must answer (any, the controller, a coordinator, a partition's leader), send one request to it
// within the operation's deadline, wait before a retry, and give up an item when the deadline
// has passed. Each operation (topic_ops.cpp, config_ops.cpp, offset_ops.cpp, group_ops.cpp) is
// one coroutine that batches its pending items per broker, keeps the items whose error retrying
// can fix and sends them again.
//
// runs on: pool strand (every coroutine and every completion).
#include "cluster/coordinator_lookup.hpp"
#include "cluster/metadata_query.hpp"
#include "cluster/metadata_refresher.hpp"
#include "net/broker_pool.hpp"
#include "net/statistics.hpp"
#include "net/abandonable_op.hpp"
#include "net/completion.hpp"
#include "net/response_frame.hpp"

#include <kasio/admin.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace kasio::admin_detail {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

/// A broker chosen for a request, or why none could be.
struct node_pick {
    error_code ec;
    std::int32_t node = -1;
    std::string message;  ///< the broker's message (a coordinator lookup), or kasio's
};

/// One item's outcome as an operation keeps it while it retries.
struct item_state {
    error_code ec;
    std::string message;
    bool done = false;
};

struct admin_state : std::enable_shared_from_this<admin_state> {
    admin_state(asio::any_io_executor ex, admin_config c);

    admin_config cfg;
    net::broker_pool pool;
    cluster::metadata_refresher refresher;
    asio::any_io_executor strand;  // the pool strand
    bool closed = false;           // strand only
    std::size_t next_any = 0;      // round robin of any_broker() (strand only)

    mutable std::mutex mutex;
    error_info last_error;  // under mutex

    // Statistics (statistics.interval.ms): the client's name in them, when it was made.
    const std::string stats_name;
    const clock::time_point created;
    net::statistics_timer statistics;  // strand
    std::string statistics_json() const;

    /// When an operation started now must end.
    clock::time_point deadline() const { return clock::now() + cfg.default_api_timeout; }

    /// Some broker to ask: the brokers known round robin (after a metadata refresh when none is).
    asio::awaitable<node_pick> any_broker();
    /// The controller the cluster's metadata names (KRaft: a broker that forwards to it).
    asio::awaitable<node_pick> controller();
    /// Broker `id` itself (its own configuration), after a metadata refresh when the cluster's
    /// metadata does not list it yet, as in a new admin: the pool knows only listed brokers.
    asio::awaitable<node_pick> broker(std::int32_t id);
    /// The coordinator of a group or transactional id.
    asio::awaitable<node_pick> coordinator(cluster::coordinator_type type, std::string key);
    /// Metadata of these topics (every topic when empty), from any broker; creates none.
    asio::awaitable<std::pair<error_code, cluster_metadata>> metadata(std::vector<std::string> topics,
                                                                      error_context& where);

    /// Sends `req` to `node` and decodes its answer into `resp`, within the deadline (the
    /// request's own timeout is cut to what is left of it). `where` names the broker and API on
    /// an error. Versions above max_version (-1: none) are not used.
    template <class Request>
    asio::awaitable<error_code> call(std::int32_t node, Request req, typename Request::response_type& resp,
                                     clock::time_point deadline, error_context& where, std::int16_t max_version = -1) {
        where = error_context{};
        where.api = std::string(Request::api_name);
        where.node_id = node;
        net::request_options options;
        options.max_version = max_version;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left <= std::chrono::milliseconds(0)) co_return make_error_code(client_errc::timed_out);
        if (left < cfg.connection.request_timeout) options.timeout = left;
        auto [ec, frame] = co_await pool.async_request(node, net::purpose::general, std::move(req), options,
                                                       net::nothrow_awaitable);
        if (!ec) ec = net::decode_response(frame, resp);
        if (ec) where.message = "request to broker " + std::to_string(node) + " failed: " + ec.message();
        co_return ec;
    }

    /// Waits retry.backoff.ms before the next attempt. False (nothing waited) when the attempt
    /// would start past the deadline or the admin is closed.
    asio::awaitable<bool> backoff(clock::time_point deadline);

    /// Runs one operation: completes `handler` with what `work` returns, on its executor (the
    /// strand when it has none), once; a cancellation of any type abandons the wait.
    template <class Result>
    void launch(asio::any_completion_handler<void(error_code, Result)> handler,
                asio::awaitable<std::pair<error_code, Result>> work, const char* name);

    /// Keeps ec and its context for last_error().
    void note_error(const error_code& ec, std::string message, const char* operation);
};

using state_ptr = std::shared_ptr<admin_state>;

/// The broker error code as an error_code (0: none).
error_code broker_error(std::int16_t code);
/// Kafka's description of a broker code ("The group id does not exist."), as Java's exception
/// message says it when the broker sends none; the message of any other code.
std::string default_message(const error_code& ec);
/// The broker's message, or default_message(ec) when the broker sent none.
std::string message_or_default(const std::optional<std::string>& broker_message, const error_code& ec);

/// Retrying may fix it: a transport error (connection refused or closed, a request timed out)
/// or a broker saying it is not the one to ask or not ready (not_controller, not_coordinator,
/// coordinator_not_available / load_in_progress, not_leader_or_follower, leader_not_available,
/// request_timed_out, throttling_quota_exceeded). Not unknown_topic_or_partition, which an admin
/// reports as it is.
bool worth_retrying(const error_code& ec);
/// The error means the node picked is stale: refresh metadata (or find the coordinator again).
bool node_moved(const error_code& ec);

/// Marks every item not done as given up: client_errc::timed_out with its last error in the
/// message, or `closed` when the admin was closed.
void give_up(std::vector<item_state>& items, const admin_state& self);

/// The first error among the items (Java's all()), in the order asked.
template <class Item>
error_code first_error(const std::vector<Item>& items) {
    for (const auto& i : items)
        if (i.error) return i.error;
    return {};
}

/// Copies the item states into the results' error and message members.
template <class Item>
void apply_states(std::vector<Item>& out, const std::vector<item_state>& st) {
    for (std::size_t i = 0; i < out.size() && i < st.size(); ++i) {
        out[i].error = st[i].ec;
        out[i].message = st[i].message;
    }
}

/// Topic, then partition: the order results are sorted in.
inline bool partition_less(const topic_partition& a, const topic_partition& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
}

/// Items of a request its response did not mention (seen[i] false): incomplete_response, done.
void left_out(std::vector<item_state>& items, const std::vector<std::size_t>& idx, const std::vector<bool>& seen,
              std::string_view api);

/// A request's own timeout_ms field: what is left of the operation's time, as Java's admin sends.
std::int32_t remaining_ms(clock::time_point deadline);

/// Indices of the items not done yet.
std::vector<std::size_t> pending(const std::vector<item_state>& items);

/// Records an item's answer: done unless retrying may fix `ec` (then it is tried again, and a
/// stale controller, coordinator or leader is looked up again first).
void settle(admin_state& self, item_state& item, error_code ec, std::string message);

/// Which broker a request of send_until_done goes to.
enum class target : std::uint8_t { any, controller };

/// The loop of the operations whose items all go to one broker (the controller, or any): sends
/// the pending items in one request (build(indices) makes it), lets read(response, indices)
/// settle() each, and sends what is left again after retry.backoff.ms until the deadline.
/// `build` and `read` are named callables (g++ 12 destroys temporaries in a co_await operand
/// twice).
template <class Request, class Build, class Read>
asio::awaitable<void> send_until_done(state_ptr self, target to, std::vector<item_state>& items,
                                      clock::time_point deadline, Build& build, Read& read) {
    for (;;) {
        const std::vector<std::size_t> idx = pending(items);
        if (idx.empty()) co_return;
        node_pick pick;
        if (to == target::controller)
            pick = co_await self->controller();
        else
            pick = co_await self->any_broker();
        if (pick.ec) {
            for (std::size_t i : idx) settle(*self, items[i], pick.ec, pick.message);
        } else {
            Request req = build(idx);
            typename Request::response_type resp;
            error_context where;
            const error_code ec = co_await self->call(pick.node, std::move(req), resp, deadline, where);
            if (ec) {
                for (std::size_t i : idx) settle(*self, items[i], ec, where.message);
            } else {
                read(resp, idx);
            }
        }
        if (pending(items).empty()) co_return;
        if (!co_await self->backoff(deadline)) {
            give_up(items, *self);
            co_return;
        }
    }
}

/// The loop of the operations whose items go to different brokers (a broker's own
/// configuration, partition leaders, group coordinators): route(indices, picks) picks a broker
/// for each pending item (a coroutine: it may look leaders or coordinators up), the items going
/// to one broker share one request (build(indices)), read(response, indices) settles them; what
/// is left is sent again after retry.backoff.ms until the deadline. Brokers are asked one after
/// the other. Named callables only (see send_until_done).
template <class Request, class Route, class Build, class Read>
asio::awaitable<void> send_per_node(state_ptr self, std::vector<item_state>& items, clock::time_point deadline,
                                    Route& route, Build& build, Read& read, std::int16_t max_version = -1) {
    for (;;) {
        const std::vector<std::size_t> idx = pending(items);
        if (idx.empty()) co_return;
        std::vector<node_pick> picks(idx.size());
        co_await route(idx, picks);
        std::map<std::int32_t, std::vector<std::size_t>> by_node;
        for (std::size_t k = 0; k < idx.size(); ++k) {
            if (picks[k].ec)
                settle(*self, items[idx[k]], picks[k].ec, picks[k].message);
            else
                by_node[picks[k].node].push_back(idx[k]);
        }
        for (const auto& [node, group] : by_node) {
            Request req = build(group);
            typename Request::response_type resp;
            error_context where;
            const error_code ec = co_await self->call(node, std::move(req), resp, deadline, where, max_version);
            if (ec) {
                for (std::size_t i : group) settle(*self, items[i], ec, where.message);
            } else if constexpr (std::is_invocable_v<Read&, const typename Request::response_type&,
                                                     const std::vector<std::size_t>&, std::int32_t>) {
                read(resp, group, node);  // a reader that wants to know who answered
            } else {
                read(resp, group);
            }
        }
        if (pending(items).empty()) co_return;
        if (!co_await self->backoff(deadline)) {
            give_up(items, *self);
            co_return;
        }
    }
}

template <class Result>
void admin_state::launch(asio::any_completion_handler<void(error_code, Result)> handler,
                         asio::awaitable<std::pair<error_code, Result>> work, const char* name) {
    // Made on the caller's thread: a cancellation emitted right after the call is seen.
    auto op = net::abandonable_op<Result>::make(std::move(handler), strand);
    asio::post(strand, [self = shared_from_this(), op = std::move(op), work = std::move(work), name]() mutable {
        if (op->done()) return;
        if (self->closed) {
            op->complete(asio::error::operation_aborted, Result{});
            return;
        }
        asio::co_spawn(self->strand, std::move(work),
                       [self, op, name](std::exception_ptr e, std::pair<error_code, Result> r) {
                           if (e) {
                               r.first = client_errc::internal_error;
                               self->note_error(r.first, "the operation stopped on an exception", name);
                           } else if (r.first) {
                               self->note_error(r.first, {}, name);
                           }
                           op->complete(r.first, std::move(r.second));
                       });
    });
}

}  // namespace kasio::admin_detail

namespace kasio {
struct admin::impl : admin_detail::admin_state {
    using admin_state::admin_state;
};
}  // namespace kasio

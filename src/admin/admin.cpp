// The admin client's construction and close, and the shared steps of its operations: picking
// a broker, backing off, giving up at the deadline.
//
// runs on: pool strand, except the public constructor and destructor (any thread).
#include "admin/admin_state.hpp"

#include "config/properties.hpp"
#include "net/loop_exit.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/error.hpp>

#include <algorithm>

#if defined(__GNUC__) && !defined(__clang__)
// g++ 12 reports -Wmismatched-new-delete for coroutine frames (Asio's recycling allocator
// allocates and frees them both; a false positive, as in fetcher.cpp).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace kasio {
namespace admin_detail {
namespace {

net::pool_config make_pool_config(const admin_config& c) {
    net::pool_config pc;
    pc.connection = c.connection;
    pc.connections_per_broker = c.connections_per_broker;
    pc.reconnect.initial = c.reconnect_backoff;
    pc.reconnect.max = c.reconnect_backoff_max;
    pc.connections_max_idle = c.connections_max_idle;
    return pc;
}

cluster::refresher_config make_refresher_config(const admin_config& c) {
    cluster::refresher_config rc;
    rc.bootstrap_servers = c.bootstrap_servers;
    rc.metadata_max_age = c.metadata_max_age;
    rc.allow_auto_topic_creation = false;  // an admin never creates a topic by looking at it
    return rc;
}

admin_config validated(admin_config c) {
    if (error_info e = c.validate()) throw config_error(std::move(e));
    return net::with_contained_log(std::move(c));
}

}  // namespace

admin_state::admin_state(asio::any_io_executor ex, admin_config c)
    : cfg(validated(std::move(c))),
      pool(std::move(ex), make_pool_config(cfg)),
      refresher(pool, make_refresher_config(cfg)),
      strand(pool.get_executor()),
      stats_name(net::instance_name(cfg.connection.client_id, "admin")),
      created(clock::now()) {}

asio::awaitable<node_pick> admin_state::any_broker() {
    if (refresher.cache().brokers().empty()) {
        auto [ec] = co_await refresher.async_refresh(net::nothrow_awaitable);
        if (ec) co_return node_pick{ec, -1, "no broker answered a Metadata request: " + ec.message()};
    }
    const auto& brokers = refresher.cache().brokers();
    if (brokers.empty()) co_return node_pick{client_errc::all_brokers_down, -1, "the cluster listed no broker"};
    co_return node_pick{{}, brokers[next_any++ % brokers.size()].node_id, {}};
}

asio::awaitable<node_pick> admin_state::controller() {
    if (refresher.cache().controller_id() < 0 || refresher.cache().broker(refresher.cache().controller_id()) == nullptr) {
        auto [ec] = co_await refresher.async_refresh(net::nothrow_awaitable);
        if (ec) co_return node_pick{ec, -1, "no broker answered a Metadata request: " + ec.message()};
    }
    const std::int32_t id = refresher.cache().controller_id();
    if (id < 0) co_return node_pick{broker_errc::not_controller, -1, "the cluster's metadata names no controller"};
    co_return node_pick{{}, id, {}};
}

asio::awaitable<node_pick> admin_state::broker(std::int32_t id) {
    if (refresher.cache().broker(id) == nullptr) {
        auto [ec] = co_await refresher.async_refresh(net::nothrow_awaitable);
        if (ec) co_return node_pick{ec, -1, "no broker answered a Metadata request: " + ec.message()};
    }
    if (refresher.cache().broker(id) == nullptr)
        co_return node_pick{broker_errc::broker_not_available, -1,
                            "the cluster's metadata lists no broker " + std::to_string(id)};
    co_return node_pick{{}, id, {}};
}

asio::awaitable<node_pick> admin_state::coordinator(cluster::coordinator_type type, std::string key) {
    auto answer = co_await cluster::find_coordinator(pool, refresher, type, std::move(key), &closed);
    node_pick out{answer.ec, answer.node, std::move(answer.message)};
    if (out.ec && out.message.empty()) out.message = "FindCoordinator failed: " + out.ec.message();
    co_return out;
}

asio::awaitable<std::pair<error_code, cluster_metadata>> admin_state::metadata(std::vector<std::string> topics,
                                                                               error_context& where) {
    auto split = cluster::split_bootstrap(cfg.bootstrap_servers);
    co_return co_await cluster::query_metadata(pool, refresher, std::move(split), std::move(topics), where);
}

asio::awaitable<bool> admin_state::backoff(clock::time_point deadline) {
    if (closed || clock::now() + cfg.retry_backoff >= deadline) co_return false;
    co_await net::sleep_for(strand, cfg.retry_backoff);
    co_return !closed;
}

void admin_state::note_error(const error_code& ec, std::string message, const char* operation) {
    std::lock_guard lock(mutex);
    last_error.code = ec;
    last_error.context = error_context{};
    last_error.context.message = std::move(message);
    last_error.context.api = operation;
}

error_code broker_error(std::int16_t code) {
    return code ? error_code(static_cast<broker_errc>(code)) : error_code{};
}

std::string default_message(const error_code& ec) {
    if (!ec) return {};
    std::string text = ec.message();
    // Kafka's description alone ("The group id does not exist."), as the Java client's
    // exception says it; the code's name is the error_code's own.
    if (ec.category() == broker_category()) {
        const auto colon = text.find(": ");
        if (colon != std::string::npos) text.erase(0, colon + 2);
    }
    return text;
}

std::string message_or_default(const std::optional<std::string>& broker_message, const error_code& ec) {
    if (broker_message && !broker_message->empty()) return *broker_message;
    return default_message(ec);
}

bool worth_retrying(const error_code& ec) {
    if (!ec || ec == asio::error::operation_aborted) return false;
    if (ec.category() == broker_category()) {
        switch (static_cast<broker_errc>(ec.value())) {
            case broker_errc::not_controller:
            case broker_errc::not_coordinator:
            case broker_errc::coordinator_not_available:
            case broker_errc::coordinator_load_in_progress:
            case broker_errc::not_leader_or_follower:
            case broker_errc::leader_not_available:
            case broker_errc::request_timed_out:
            case broker_errc::throttling_quota_exceeded:
            case broker_errc::network_exception:
                return true;
            default:
                return false;
        }
    }
    if (ec == client_errc::invalid_config) return false;
    return is_retriable(ec) || ec.category() != client_category();  // sockets: refused, reset, ...
}

bool node_moved(const error_code& ec) {
    return ec == broker_errc::not_controller || ec == broker_errc::not_coordinator ||
           ec == broker_errc::not_leader_or_follower || ec == broker_errc::leader_not_available ||
           ec.category() != broker_category();
}

void give_up(std::vector<item_state>& items, const admin_state& self) {
    for (auto& i : items) {
        if (i.done) continue;
        i.done = true;
        if (self.closed) {
            i.ec = asio::error::operation_aborted;
            i.message = "the admin client was closed";
            continue;
        }
        std::string last = i.ec ? i.ec.message() : std::string("no answer");
        if (!i.message.empty() && i.message != last) last += ": " + i.message;
        i.ec = client_errc::timed_out;
        i.message = "gave up after default.api.timeout.ms (" + std::to_string(self.cfg.default_api_timeout.count()) +
                    " ms); last error: " + last;
    }
}

void settle(admin_state& self, item_state& item, error_code ec, std::string message) {
    item.ec = ec;
    item.message = std::move(message);
    item.done = !worth_retrying(ec);
    if (!item.done && node_moved(ec)) self.refresher.request_refresh();
}

void left_out(std::vector<item_state>& items, const std::vector<std::size_t>& idx, const std::vector<bool>& seen,
              std::string_view api) {
    for (std::size_t i : idx)
        if (!seen[i])
            items[i] = item_state{client_errc::incomplete_response, "the " + std::string(api) + " response left it out", true};
}

std::int32_t remaining_ms(clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    return static_cast<std::int32_t>(std::clamp<std::int64_t>(left, 0, INT32_MAX));
}

std::vector<std::size_t> pending(const std::vector<item_state>& items) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < items.size(); ++i)
        if (!items[i].done) out.push_back(i);
    return out;
}

}  // namespace admin_detail

admin::admin(executor_type ex, admin_config config)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(config))) {
    const log_config& log = impl_->cfg.connection.log;
    if (log.enabled(log_level::debug)) log.sink(log_level::debug, "admin: configuration: " + config::describe(impl_->cfg.dump()));
    impl_->refresher.start();
    impl_->statistics.start(impl_->strand, impl_->cfg.connection, [weak = std::weak_ptr<impl>(impl_)]() -> std::optional<std::string> {
        if (auto self = weak.lock()) return self->statistics_json();
        return std::nullopt;
    });
}

admin::~admin() {
    boost::asio::post(impl_->strand, [self = impl_] {
        self->closed = true;
        self->statistics.stop();
        self->refresher.stop();
        self->pool.close();
    });
}

admin::executor_type admin::get_executor() const noexcept { return impl_->pool.get_executor(); }

error_info admin::last_error() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->last_error;
}

admin_stats admin::stats() const { return admin_stats{impl_->pool.metrics()}; }

std::string admin::statistics_json() const { return impl_->statistics_json(); }

namespace admin_detail {

std::string admin_state::statistics_json() const {
    std::string out;
    metrics::json_writer w(out);
    w.begin_object();
    net::write_header(w, stats_name, cfg.connection.client_id, "admin", created);
    net::write_brokers(w, pool.metrics());
    w.end_object();
    return out;
}

}  // namespace admin_detail

}  // namespace kasio

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

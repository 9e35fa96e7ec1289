// The metadata refresh loop: one coroutine on the pool strand (// runs on: pool strand).
#include "cluster/metadata_refresher.hpp"

#include "config/properties.hpp"
#include "net/completion.hpp"
#include "net/loop_exit.hpp"

#include "protocol/messages.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>

namespace kasio::cluster {
namespace {

using clock = std::chrono::steady_clock;
using protocol::msg::metadata_request;
using protocol::msg::metadata_response;
using net::complete_on;
using net::nothrow_awaitable;
using net::tracked_executor;

}  // namespace

std::vector<std::string> split_bootstrap(const std::vector<std::string>& servers) {
    std::vector<std::string> out;
    for (std::string_view list : servers) {
        config::for_each_list_item(list, [&](std::string_view item) {
            out.emplace_back(item);
            return true;
        });
    }
    return out;
}

struct metadata_refresher::impl : std::enable_shared_from_this<impl> {
    struct waiter {
        refresh_handler handler;
        asio::any_completion_executor work;
        std::uint64_t id = 0;
    };
    // Where one Metadata request may go: a known broker or a bootstrap address.
    struct candidate {
        std::int32_t node_id = -1;
        std::string address;
    };

    impl(net::broker_pool& p, refresher_config c)
        : pool(p),
          cfg(std::move(c)),
          bootstrap(split_bootstrap(cfg.bootstrap_servers)),
          wake(p.get_executor()),
          retry(cfg.retry, std::random_device{}()) {}

    net::broker_pool& pool;
    refresher_config cfg;  // all_topics changes with the subscription (set_all_topics)
    const std::vector<std::string> bootstrap;
    asio::steady_timer wake;  // the loop sleeps on it; cancel() wakes it
    net::backoff retry;
    metadata_cache cache;
    std::vector<std::string> topics;  // sorted, unique
    std::vector<waiter> waiters;      // for the next request to go out
    std::vector<waiter> serving;      // served by the request out now
    std::uint64_t next_waiter_id = 1;
    bool running = false;
    bool stopped = false;
    bool wanted = true;               // a refresh was asked for (the first one: bootstrap)
    clock::time_point earliest{};     // no requested refresh before this
    clock::time_point next_periodic{};
    std::atomic<std::uint64_t> sent{0};
    mutable std::mutex refusal_mutex;  // refusal() and health() are read from any thread
    error_code last_refusal;
    error_info last_health;
    std::atomic<std::uint64_t> outage_count{0};
    bool down = false;  // strand: the last round reached no broker
    bool last_ok = false;       // strand: the last round was applied, with nothing to ask again
    bool topics_added = false;  // strand: a topic was added since the current round began
    // Cancels the request out now when the refresher stops: a destroyed client leaves no
    // Metadata request behind it (whose handler would keep this object and the coroutine alive).
    asio::cancellation_signal in_flight;
    std::function<void()> listener;

    // An error that the same request will meet again, however often it is retried.
    static bool is_refusal(const error_code& ec) {
        if (ec.category() == broker_category()) return !is_retriable(ec);
        if (ec.category() != client_category()) return false;  // sockets: a broker may come back
        switch (static_cast<client_errc>(ec.value())) {
        case client_errc::certificate_verify_failed:
        case client_errc::tls_handshake_failed:
        case client_errc::invalid_config:
        case client_errc::no_common_version: return true;
        default: return false;
        }
    }

    const log_config& logcfg() const { return pool.config().connection.log; }
    template <class MakeLine>
    void log(log_level level, MakeLine&& make) const {
        if (logcfg().enabled(level)) logcfg().sink(level, "metadata: " + make());
    }

    void ask() {
        wanted = true;
        wake.cancel();
    }

    void add_waiter(refresh_handler handler) {
        auto work = tracked_executor(handler, pool.get_executor());
        if (stopped) {
            asio::post(pool.get_executor(), [work, h = std::move(handler)]() mutable {
                complete_on(work, std::move(h), error_code(asio::error::operation_aborted));
            });
            return;
        }
        const std::uint64_t id = next_waiter_id++;
        auto slot = asio::get_associated_cancellation_slot(handler);
        if (slot.is_connected()) {
            slot.assign([weak = weak_from_this(), id](asio::cancellation_type) {
                if (auto self = weak.lock())
                    asio::post(self->pool.get_executor(), [self, id] { self->cancel_waiter(id); });
            });
        }
        waiters.push_back(waiter{std::move(handler), std::move(work), id});
        ask();
    }

    void cancel_waiter(std::uint64_t id) {
        auto it = std::find_if(waiters.begin(), waiters.end(), [id](const waiter& w) { return w.id == id; });
        if (it == waiters.end()) return;  // its refresh already went out: it completes with that
        waiter w = std::move(*it);
        waiters.erase(it);
        finish(w, asio::error::operation_aborted);
    }

    static void finish(waiter& w, error_code ec) {
        asio::get_associated_cancellation_slot(w.handler).clear();
        complete_on(w.work, std::move(w.handler), ec);
    }

    void shutdown() {
        if (stopped) return;
        stopped = true;
        wake.cancel();
        in_flight.emit(asio::cancellation_type::terminal);
        for (auto& w : std::exchange(waiters, {})) finish(w, asio::error::operation_aborted);
    }

    // Known brokers, those with a ready group connection first and those in reconnect backoff
    // last; then the bootstrap servers.
    std::vector<candidate> candidates() const {
        std::vector<std::pair<int, candidate>> ranked;
        for (const auto& b : cache.brokers()) {
            int rank = 1;
            switch (pool.state(b.node_id, net::purpose::general)) {
            case net::connection_state::ready: rank = 0; break;
            case net::connection_state::backoff: rank = 2; break;
            default: break;
            }
            ranked.push_back({rank, candidate{b.node_id, {}}});
        }
        std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<candidate> out;
        for (auto& r : ranked) out.push_back(std::move(r.second));
        for (const auto& a : bootstrap) out.push_back(candidate{-1, a});
        return out;
    }

    metadata_request make_request() const {
        metadata_request req;
        if (cfg.all_topics) {
            req.topics.reset();
        } else {
            req.topics.emplace();
            for (const auto& t : topics) req.topics->emplace_back().name = t;
        }
        req.allow_auto_topic_creation = cfg.allow_auto_topic_creation;
        return req;
    }

    // One refresh: each candidate in turn until one answers.
    static asio::awaitable<std::pair<error_code, apply_result>> refresh_once(std::shared_ptr<impl> self,
                                                                             error_context& where) {
        const metadata_request req = self->make_request();
        const std::vector<std::string> asked = self->topics;
        error_code last = client_errc::connection_closed;  // when there is nobody to ask
        where = error_context{};
        where.api = "Metadata";
        where.message = "no broker address known (bootstrap.servers is empty)";
        for (const candidate& c : self->candidates()) {
            if (self->stopped) co_return std::pair{error_code(asio::error::operation_aborted), apply_result{}};
            self->sent.fetch_add(1, std::memory_order_relaxed);
            error_code ec;
            net::response_frame frame;
            if (c.node_id >= 0) {
                std::tie(ec, frame) = co_await self->pool.async_request(
                    c.node_id, net::purpose::general, req,
                    asio::bind_cancellation_slot(self->in_flight.slot(), nothrow_awaitable));
            } else {
                std::tie(ec, frame) = co_await self->pool.async_bootstrap_request(
                    c.address, req, asio::bind_cancellation_slot(self->in_flight.slot(), nothrow_awaitable));
            }
            if (self->stopped) co_return std::pair{error_code(asio::error::operation_aborted), apply_result{}};
            metadata_response resp;
            if (!ec) ec = net::decode_response(frame, resp);
            if (!ec) {
                const apply_result r =
                    self->cache.apply(resp, frame.api_version, self->cfg.all_topics ? nullptr : &asked, clock::now());
                for (const auto& b : self->cache.brokers()) self->pool.set_broker(b.node_id, b.host, b.port);
                co_return std::pair{error_code{}, r};
            }
            self->log(log_level::info, [&] {
                return "request to " + (c.node_id >= 0 ? "node " + std::to_string(c.node_id) : c.address) +
                       " failed: " + ec.message();
            });
            last = ec;
            where.node_id = c.node_id;
            where.broker = c.address;
            if (c.node_id >= 0)
                if (const auto* b = self->cache.broker(c.node_id)) where.broker = b->host + ":" + std::to_string(b->port);
            where.message = "the last broker tried failed with: " + ec.message();
        }
        co_return std::pair{last, apply_result{}};
    }

    // Runs the loop; an exception that ends it (bad_alloc, a bug) fails the waiters with
    // internal_error and starts it again after the retry backoff: the clients keep their
    // metadata source.
    void spawn() {
        asio::co_spawn(pool.get_executor(), run(shared_from_this()),
                       net::on_loop_exit(logcfg(), "metadata: refresh loop", [self = shared_from_this()](const std::string&) {
                           for (auto& w : std::exchange(self->serving, {})) finish(w, client_errc::internal_error);
                           for (auto& w : std::exchange(self->waiters, {})) finish(w, client_errc::internal_error);
                           if (self->stopped) return;
                           self->wanted = true;
                           self->earliest = clock::now() + self->retry.next();
                           self->spawn();
                       }));
    }

    static asio::awaitable<void> run(std::shared_ptr<impl> self) {
        while (!self->stopped) {
            const auto now = clock::now();
            const auto due = self->wanted ? self->earliest : self->next_periodic;
            if (now < due) {
                self->wake.expires_at(due);
                co_await self->wake.async_wait(nothrow_awaitable);
                continue;  // woken early by a request, or due: decide again
            }
            // Everyone waiting now is served by this request; later callers get the next one.
            self->serving = std::exchange(self->waiters, {});
            self->wanted = false;
            self->topics_added = false;
            error_context where;
            auto [ec, result] = co_await refresh_once(self, where);
            if (self->stopped) {
                for (auto& w : std::exchange(self->serving, {})) finish(w, asio::error::operation_aborted);
                co_return;
            }
            const auto end = clock::now();
            self->last_ok = false;
            const bool refused = is_refusal(ec);
            const bool now_down = ec && !refused;
            const bool new_outage = now_down && !self->down;
            if (new_outage) {
                self->log(log_level::error, [&] { return error_info{client_errc::all_brokers_down, where}.describe(); });
            } else if (!ec && self->down) {
                self->log(log_level::info, [] { return std::string("a broker answered again"); });
            }
            self->down = now_down;
            {
                std::lock_guard lock(self->refusal_mutex);
                self->last_refusal = refused ? ec : error_code{};
                if (refused) self->last_health = error_info{ec, where};
                else if (now_down) self->last_health = error_info{client_errc::all_brokers_down, where};
                else self->last_health = error_info{};
                if (new_outage) self->outage_count.fetch_add(1, std::memory_order_acq_rel);
            }
            if (ec) {
                const auto delay = self->retry.next();
                self->next_periodic = self->earliest = end + delay;
                self->log(self->down && !new_outage ? log_level::info : log_level::warning, [&, err = ec] {
                    return "refresh failed on every broker (" + err.message() + "); retrying in " +
                           std::to_string(delay.count()) + " ms";
                });
            } else if (result.refresh_soon) {
                // Elections or stale epochs: ask again, backing off while it lasts.
                self->wanted = true;
                self->earliest = end + self->retry.next();
                self->next_periodic = end + self->cfg.metadata_max_age;
            } else {
                self->retry.reset();
                self->last_ok = true;
                // A topic added while this round was out is not in its answer: asked at once.
                self->earliest = self->topics_added ? end : end + self->cfg.retry.initial;
                self->next_periodic = end + self->cfg.metadata_max_age;
            }
            for (auto& w : std::exchange(self->serving, {})) finish(w, ec);
            if (self->listener) self->listener();
        }
    }
};

metadata_refresher::metadata_refresher(net::broker_pool& pool, refresher_config cfg)
    : impl_(std::make_shared<impl>(pool, std::move(cfg))) {}

metadata_refresher::~metadata_refresher() { stop(); }

void metadata_refresher::start() {
    asio::dispatch(impl_->pool.get_executor(), [self = impl_] {
        if (self->running || self->stopped) return;
        self->running = true;
        self->spawn();
    });
}

void metadata_refresher::stop() {
    asio::dispatch(impl_->pool.get_executor(), [self = impl_] { self->shutdown(); });
}

void metadata_refresher::add_topics(std::vector<std::string> topics) {
    asio::dispatch(impl_->pool.get_executor(), [self = impl_, ts = std::move(topics)]() mutable {
        bool added = false;
        for (auto& t : ts) {
            auto it = std::lower_bound(self->topics.begin(), self->topics.end(), t);
            if (it != self->topics.end() && *it == t) continue;
            self->topics.insert(it, std::move(t));
            added = true;
        }
        if (!added) return;
        self->topics_added = true;
        // A new topic is asked for at once, not retry.backoff.ms after the last refresh (the
        // Java client's requestUpdateForNewTopics): a first send waited 100 ms for it. Only
        // after a refresh that went well: failures keep their backoff.
        if (self->last_ok) self->earliest = clock::now();
        self->ask();
    });
}

void metadata_refresher::remove_topics(std::vector<std::string> topics) {
    asio::dispatch(impl_->pool.get_executor(), [self = impl_, ts = std::move(topics)] {
        for (const auto& t : ts) {
            auto it = std::lower_bound(self->topics.begin(), self->topics.end(), t);
            if (it != self->topics.end() && *it == t) self->topics.erase(it);
        }
    });
}

void metadata_refresher::set_all_topics(bool all) {
    asio::dispatch(impl_->pool.get_executor(), [self = impl_, all] {
        if (self->cfg.all_topics == all) return;
        self->cfg.all_topics = all;
        if (!self->stopped) self->ask();
    });
}

void metadata_refresher::request_refresh() {
    asio::dispatch(impl_->pool.get_executor(), [self = impl_] {
        if (!self->stopped) self->ask();
    });
}

void metadata_refresher::start_refresh(const std::shared_ptr<impl>& self, refresh_handler handler) {
    asio::dispatch(self->pool.get_executor(),
                   [self, h = std::move(handler)]() mutable { self->add_waiter(std::move(h)); });
}

const metadata_cache& metadata_refresher::cache() const noexcept { return impl_->cache; }

error_code metadata_refresher::refusal() const {
    std::lock_guard lock(impl_->refusal_mutex);
    return impl_->last_refusal;
}

error_info metadata_refresher::health() const {
    std::lock_guard lock(impl_->refusal_mutex);
    return impl_->last_health;
}

std::uint64_t metadata_refresher::outages() const noexcept {
    return impl_->outage_count.load(std::memory_order_acquire);
}

void metadata_refresher::set_listener(std::function<void()> on_refresh) { impl_->listener = std::move(on_refresh); }

std::uint64_t metadata_refresher::requests_sent() const noexcept { return impl_->sent.load(std::memory_order_relaxed); }

}  // namespace kasio::cluster

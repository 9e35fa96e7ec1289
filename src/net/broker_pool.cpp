// The broker pool's state: brokers, their connection slots, and the queue of requests waiting
// for a slot to be ready (connected, out of backoff, not throttled).
//
// Everything in broker_pool::impl runs on the pool strand. Connections run on their own
// strands; every callback from them is bound to the pool strand.
#include "net/broker_pool.hpp"
#include "net/completion.hpp"

#include "net/throttle.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <kasio/broker_errc.hpp>

#include <algorithm>
#include <deque>
#include <random>
#include <unordered_map>
#include <vector>

namespace kasio::net {
namespace {

using clock = std::chrono::steady_clock;

// What a request waiting for a failed connection attempt completes with. Socket-level errors
// (refused, reset, unreachable, DNS) all mean "that broker cannot be reached now": callers act on
// the retriable client_errc::connection_closed; the original is logged.
error_code connect_failure(const error_code& ec) {
    if (ec.category() == client_category() || ec.category() == broker_category() ||
        ec == asio::error::operation_aborted)
        return ec;
    return client_errc::connection_closed;
}

}  // namespace

std::string_view to_string(purpose p) noexcept {
    switch (p) {
    case purpose::bulk: return "bulk";
    case purpose::long_poll: return "long_poll";
    case purpose::general: return "general";
    case purpose::blocking: return "blocking";
    }
    return "?";
}

bool split_host_port(std::string_view address, std::string& host, std::string& port) {
    std::string_view h, p;
    if (!address.empty() && address.front() == '[') {
        const auto close = address.find(']');
        if (close == std::string_view::npos || address.substr(close + 1, 1) != ":") return false;
        h = address.substr(1, close - 1);
        p = address.substr(close + 2);
    } else {
        const auto colon = address.rfind(':');
        if (colon == std::string_view::npos) return false;
        h = address.substr(0, colon);
        p = address.substr(colon + 1);
    }
    if (h.empty() || p.empty() || !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    host = h;
    port = p;
    return true;
}

struct broker_pool::impl : std::enable_shared_from_this<impl> {
    struct pending {
        issue_fn issue;
        request_handler handler;
        asio::any_completion_executor work;  // the handler's executor, work tracked
        std::uint64_t id = 0;
    };

    // One connection of one broker and the requests waiting for it.
    struct slot {
        enum class state : std::uint8_t { idle, connecting, ready };
        slot(const asio::strand<executor_type>& s, const backoff_config& b, std::uint64_t seed)
            : retry(b, seed), timer(s), idle_timer(s) {}
        state st = state::idle;
        std::shared_ptr<connection> conn;
        std::uint64_t generation = 0;  // bumped per connection: callbacks of older ones are ignored
        backoff retry;
        clock::time_point retry_at{};  // no connection attempt before this
        throttle_window throttle;
        std::deque<pending> queue;
        std::size_t in_flight = 0;  // handed to a connection, not completed yet
        clock::time_point last_active{};
        asio::steady_timer timer;       // wakes pump() at retry_at or the throttle's end
        asio::steady_timer idle_timer;  // connections.max.idle.ms
        std::string name;               // for logs and errors: "node 1 bulk#0"
        std::size_t index = 0;          // bulk connection number
        bool refusing = false;          // the queue is full; logged once per episode
        std::uint64_t connects = 0;
        connection_stats retired;       // summed counters of this slot's closed connections
        std::shared_ptr<broker_counters> counters;  // its broker's; null with metrics off

        // The queue changed by delta requests: the broker's `waiting` gauge follows.
        void waiting(std::int64_t delta) const noexcept {
            if (counters) counters->waiting_changed(delta);
        }
    };

    struct broker {
        std::int32_t node_id = -1;  // -1 for a bootstrap address
        std::string host, port;
        std::vector<std::unique_ptr<slot>> bulk;
        std::unique_ptr<slot> long_poll, general, blocking;
        std::size_t next_bulk = 0;
        std::shared_ptr<broker_counters> counters;  // made with its first slot
    };

    impl(const executor_type& ex, pool_config c)
        : strand(asio::make_strand(ex)), cfg(std::move(c)), seeds(std::random_device{}()) {
        cfg.connections_per_broker = std::max<std::size_t>(cfg.connections_per_broker, 1);
        cfg.max_queued_requests = std::max(cfg.max_queued_requests, cfg.connection.max_in_flight);
    }

    asio::strand<executor_type> strand;
    pool_config cfg;
    std::mt19937_64 seeds;  // one jitter seed per slot
    bool closed = false;
    std::uint64_t next_id = 1;
    // Slots are never erased before the pool dies: callbacks hold plain slot pointers.
    std::unordered_map<std::int32_t, broker> nodes;
    std::unordered_map<std::string, broker> bootstraps;
    metrics_registry registry;  // read by broker_pool::metrics() on any thread

    template <class MakeLine>
    void debug(MakeLine&& make) const {
        if (cfg.connection.log.debug_enabled(debug_context::broker)) cfg.connection.log.sink(log_level::debug, make());
    }
    template <class MakeLine>
    void log(log_level level, MakeLine&& make) const {
        if (cfg.connection.log.enabled(level)) cfg.connection.log.sink(level, make());
    }

    slot& get_slot(broker& b, std::string_view owner, purpose p) {
        if (!b.counters && cfg.connection.metrics_enabled) b.counters = registry.get(b.node_id, b.host + ":" + b.port);
        auto make = [&](std::string suffix) {
            auto s = std::make_unique<slot>(strand, cfg.reconnect, seeds());
            s->name = std::string(owner) + " " + std::string(to_string(p)) + suffix;
            s->counters = b.counters;
            return s;
        };
        switch (p) {
        case purpose::bulk: {
            if (b.bulk.empty()) {
                for (std::size_t i = 0; i < cfg.connections_per_broker; ++i) {
                    b.bulk.push_back(make("#" + std::to_string(i)));
                    b.bulk.back()->index = i;
                }
            }
            slot& s = *b.bulk[b.next_bulk];
            b.next_bulk = (b.next_bulk + 1) % b.bulk.size();
            return s;
        }
        case purpose::long_poll:
            if (!b.long_poll) b.long_poll = make("");
            return *b.long_poll;
        case purpose::blocking:
            if (!b.blocking) b.blocking = make("");
            return *b.blocking;
        case purpose::general:
            break;
        }
        if (!b.general) b.general = make("");
        return *b.general;
    }

    // Every slot of a broker (those made so far).
    template <class F>
    static void for_each_slot(broker& b, F&& f) {
        for (auto& s : b.bulk) f(*s);
        if (b.long_poll) f(*b.long_poll);
        if (b.general) f(*b.general);
        if (b.blocking) f(*b.blocking);
    }

    // ---- requests

    void submit(std::int32_t node_id, std::string bootstrap, purpose p, issue_fn issue, request_handler handler) {
        auto work = tracked_executor(handler, strand);
        error_code ec;
        broker* b = nullptr;
        std::string owner;
        if (closed) {
            ec = client_errc::connection_closed;
        } else if (bootstrap.empty()) {
            auto it = nodes.find(node_id);
            if (it == nodes.end()) ec = broker_errc::broker_not_available;
            else b = &it->second;
            owner = "node " + std::to_string(node_id);
        } else {
            owner = "bootstrap " + bootstrap;
            auto it = bootstraps.find(bootstrap);
            if (it == bootstraps.end()) {
                broker nb;
                if (split_host_port(bootstrap, nb.host, nb.port)) it = bootstraps.emplace(bootstrap, std::move(nb)).first;
                else ec = client_errc::invalid_config;
            }
            if (it != bootstraps.end()) b = &it->second;
        }
        if (ec) {
            // Never complete inside the initiating function.
            asio::post(strand, [work, h = std::move(handler), ec]() mutable {
                complete_on(work, std::move(h), ec, response_frame{});
            });
            return;
        }
        slot& s = get_slot(*b, owner, p);
        if (s.queue.size() >= cfg.max_queued_requests)
            return refuse(s, *b, std::move(work), std::move(handler));
        s.refusing = false;
        const std::uint64_t id = next_id++;
        auto cs = asio::get_associated_cancellation_slot(handler);
        if (cs.is_connected()) {
            cs.assign([weak = weak_from_this(), sp = &s, id](asio::cancellation_type) {
                if (auto self = weak.lock()) asio::post(self->strand, [self, sp, id] { self->cancel_queued(*sp, id); });
            });
        }
        s.queue.push_back(pending{std::move(issue), std::move(handler), std::move(work), id});
        s.waiting(1);
        pump(s, *b);
    }

    // The slot's queue is full (its broker is slow to connect, down, or throttling us): the
    // request fails now instead of adding to memory that nothing bounds.
    void refuse(slot& s, const broker& b, asio::any_completion_executor work, request_handler handler) {
        auto why = where(b, s.name + ": " + std::to_string(s.queue.size()) +
                                " requests already wait for this connection (" + waiting_for(s) +
                                "); max_queued_requests is " + std::to_string(cfg.max_queued_requests));
        if (!std::exchange(s.refusing, true))
            log(log_level::warning, [&] { return "refusing requests: " + why->message; });
        response_frame f;
        f.failure = std::move(why);
        asio::post(strand, [work = std::move(work), h = std::move(handler), f = std::move(f)]() mutable {
            complete_on(work, std::move(h), error_code(client_errc::queue_full), std::move(f));
        });
    }

    // What a slot's queue waits for, in words.
    static std::string waiting_for(const slot& s) {
        switch (s.st) {
        case slot::state::connecting: return "connecting";
        case slot::state::ready: return "throttled by the broker";
        case slot::state::idle: break;
        }
        return "reconnect backoff after a failed attempt";
    }

    // Why a request failed in the pool, and on which broker.
    static std::shared_ptr<const error_context> where(const broker& b, std::string why) {
        auto c = std::make_shared<error_context>();
        c->message = std::move(why);
        c->broker = b.host + ":" + b.port;
        c->node_id = b.node_id;
        return c;
    }

    // A queued request was cancelled: it never reached a connection.
    void cancel_queued(slot& s, std::uint64_t id) {
        auto it = std::find_if(s.queue.begin(), s.queue.end(), [id](const pending& q) { return q.id == id; });
        if (it == s.queue.end()) return;  // already handed to its connection (or completed)
        pending q = std::move(*it);
        s.queue.erase(it);
        s.waiting(-1);
        fail(q, asio::error::operation_aborted);
        maybe_arm_idle(s);
    }

    static void fail(pending& q, error_code ec, std::shared_ptr<const error_context> why = nullptr) {
        asio::get_associated_cancellation_slot(q.handler).clear();
        response_frame f;
        f.failure = std::move(why);
        complete_on(q.work, std::move(q.handler), ec, std::move(f));
    }

    // Moves queued requests on as far as the slot's state allows.
    void pump(slot& s, broker& b) {
        if (closed || s.queue.empty()) return;
        const auto now = clock::now();
        switch (s.st) {
        case slot::state::connecting: return;
        case slot::state::idle:
            if (now < s.retry_at) return wake_at(s, b, s.retry_at);
            return connect(s, b);
        case slot::state::ready:
            if (!s.throttle.open(now)) return wake_at(s, b, s.throttle.until());
            while (!s.queue.empty()) {
                pending q = std::move(s.queue.front());
                s.queue.pop_front();
                s.waiting(-1);
                forward(s, std::move(q));
            }
            return;
        }
    }

    void wake_at(slot& s, broker& b, clock::time_point at) {
        s.timer.expires_at(at);  // cancels an earlier wait: its handler sees operation_aborted
        s.timer.async_wait([self = shared_from_this(), sp = &s, bp = &b](error_code ec) {
            if (!ec) self->pump(*sp, *bp);
        });
    }

    void forward(slot& s, pending q) {
        ++s.in_flight;
        s.last_active = clock::now();
        // The caller's cancellation slot goes along: the connection takes it over.
        auto cs = asio::get_associated_cancellation_slot(q.handler);
        // Handlers stored in a connection hold the pool weakly: the pool owns its connections,
        // and a strong reference back would keep both alive if the io_context were destroyed
        // before the pool's close ran.
        auto on_done = [weak = weak_from_this(), sp = &s, gen = s.generation, h = std::move(q.handler),
                        work = std::move(q.work)](error_code ec, response_frame f) mutable {
            if (auto self = weak.lock()) self->on_response(*sp, gen, ec, f);
            complete_on(work, std::move(h), ec, std::move(f));
        };
        q.issue(*s.conn, request_handler(asio::bind_cancellation_slot(cs, asio::bind_executor(strand, std::move(on_done)))));
    }

    void on_response(slot& s, std::uint64_t gen, const error_code& ec, const response_frame& f) {
        --s.in_flight;
        const auto now = clock::now();
        s.last_active = now;
        if (!ec && gen == s.generation) {
            const std::int32_t ms = client_throttle_ms(f);
            if (ms > 0 && s.counters) s.counters->throttled(ms);
            if (ms > 0) {
                s.throttle.on_response(now, ms);
                debug([&] { return s.name + ": throttled by the broker for " + std::to_string(ms) + " ms"; });
            }
        }
        maybe_arm_idle(s);
    }

    // ---- connection life

    // Keeps the counters of a connection the slot lets go of.
    static void retire(slot& s) {
        if (!s.conn) return;
        const connection_stats c = s.conn->stats();
        s.retired.requests += c.requests;
        s.retired.responses += c.responses;
        s.retired.bytes_out += c.bytes_out;
        s.retired.bytes_in += c.bytes_in;
        s.retired.reauthentications += c.reauthentications;
        s.retired.peak_in_flight = std::max(s.retired.peak_in_flight, c.peak_in_flight);
        s.retired.peak_read_buffer_bytes = std::max(s.retired.peak_read_buffer_bytes, c.peak_read_buffer_bytes);
        s.retired.last_rtt = c.last_rtt;
        s.conn.reset();
    }

    void connect(slot& s, broker& b) {
        s.st = slot::state::connecting;
        const std::uint64_t gen = ++s.generation;
        ++s.connects;
        s.conn = std::make_shared<connection>(strand.get_inner_executor(), cfg.connection, s.counters);
        debug([&] { return s.name + ": connecting to " + b.host + ":" + b.port; });
        s.conn->async_connect(b.host, b.port,
                              asio::bind_executor(strand, [weak = weak_from_this(), sp = &s, bp = &b, gen](error_code ec) {
                                  if (auto self = weak.lock()) self->on_connected(*sp, *bp, gen, ec);
                              }));
    }

    void on_connected(slot& s, broker& b, std::uint64_t gen, error_code ec) {
        if (gen != s.generation || closed) return;  // closed or replaced meanwhile
        if (ec) {
            retire(s);
            s.st = slot::state::idle;
            const auto delay = s.retry.next();
            s.retry_at = clock::now() + delay;
            log(log_level::info, [&] {
                return s.name + ": connecting to " + b.host + ":" + b.port + " failed: " + ec.message() +
                       "; next attempt in " + std::to_string(delay.count()) + " ms at the earliest";
            });
            // Each request waits for one attempt only; the caller picks what to do next.
            const error_code reported = connect_failure(ec);
            const auto why = where(b, s.name + ": connecting failed: " + ec.message());
            s.waiting(-static_cast<std::int64_t>(s.queue.size()));
            for (auto& q : std::exchange(s.queue, {})) fail(q, reported, why);
            return;
        }
        s.st = slot::state::ready;
        s.retry.reset();
        s.last_active = clock::now();
        s.conn->async_wait_closed(asio::bind_executor(strand, [weak = weak_from_this(), sp = &s, gen](error_code why) {
            if (auto self = weak.lock()) self->on_closed(*sp, gen, why);
        }));
        pump(s, b);
        maybe_arm_idle(s);
    }

    // The connection closed by itself (socket lost, request timeout, broken stream).
    void on_closed(slot& s, std::uint64_t gen, error_code why) {
        if (gen != s.generation || closed) return;  // closed by the pool itself
        retire(s);
        s.idle_timer.cancel();
        s.st = slot::state::idle;
        // As the Java client: the first reconnect after a loss waits reconnect.backoff.ms too.
        const auto delay = s.retry.next();
        s.retry_at = clock::now() + delay;
        log(log_level::info, [&] {
            return s.name + ": connection lost (" + why.message() + "); reconnecting on next use, not before " +
                   std::to_string(delay.count()) + " ms";
        });
        // Nothing is queued on a ready slot unless it waits for a throttle; its timer still runs.
    }

    // Closes a connection the pool no longer wants (idle, moved broker). Not a failure: no backoff.
    void drop(slot& s, std::string_view why) {
        if (s.st == slot::state::idle) return;
        debug([&] { return s.name + ": closing connection (" + std::string(why) + ")"; });
        ++s.generation;
        if (s.conn) s.conn->close();
        retire(s);
        s.st = slot::state::idle;
        s.idle_timer.cancel();
    }

    void maybe_arm_idle(slot& s) {
        if (cfg.connections_max_idle.count() <= 0 || s.st != slot::state::ready || s.in_flight != 0 || !s.queue.empty())
            return;
        s.idle_timer.expires_at(s.last_active + cfg.connections_max_idle);
        s.idle_timer.async_wait([self = shared_from_this(), sp = &s, gen = s.generation](error_code ec) {
            slot& sl = *sp;
            if (ec || gen != sl.generation || sl.in_flight != 0 || !sl.queue.empty()) return;
            if (clock::now() < sl.last_active + self->cfg.connections_max_idle) return self->maybe_arm_idle(sl);
            self->drop(sl, "idle for connections.max.idle.ms");
        });
    }

    void set_broker(std::int32_t node_id, std::string host, std::string port) {
        if (closed) return;
        auto [it, inserted] = nodes.try_emplace(node_id);
        broker& b = it->second;
        b.node_id = node_id;
        if (!inserted && b.host == host && b.port == port) return;
        if (!inserted) {
            log(log_level::info, [&] {
                return "node " + std::to_string(node_id) + " moved from " + b.host + ":" + b.port + " to " + host + ":" +
                       port;
            });
        }
        b.host = std::move(host);
        b.port = std::move(port);
        for_each_slot(b, [&](slot& s) {
            drop(s, "broker address changed");
            s.retry.reset();
            s.retry_at = {};
            pump(s, b);
        });
    }

    void shutdown() {
        if (closed) return;
        closed = true;
        auto close_all = [this](broker& b) {
            for_each_slot(b, [this](slot& s) {
                drop(s, "pool closed");
                s.timer.cancel();
                s.idle_timer.cancel();
                s.waiting(-static_cast<std::int64_t>(s.queue.size()));
                for (auto& q : std::exchange(s.queue, {})) fail(q, client_errc::connection_closed);
            });
        };
        for (auto& [id, b] : nodes) close_all(b);
        for (auto& [addr, b] : bootstraps) close_all(b);
    }

    std::vector<pooled_connection_stats> stats() const {
        std::vector<pooled_connection_stats> out;
        auto add = [&](std::int32_t node, const broker& b) {
            auto one = [&](const slot& s, purpose p) {
                pooled_connection_stats e;
                e.node_id = node;
                e.address = b.host + ":" + b.port;
                e.p = p;
                e.index = s.index;
                e.connected = s.st == slot::state::ready;
                e.connects = s.connects;
                e.counters = s.retired;
                e.counters.last_rtt = {};
                if (s.conn) {
                    const connection_stats c = s.conn->stats();
                    e.counters.requests += c.requests;
                    e.counters.responses += c.responses;
                    e.counters.bytes_out += c.bytes_out;
                    e.counters.bytes_in += c.bytes_in;
                    e.counters.reauthentications += c.reauthentications;
                    e.counters.in_flight = c.in_flight;
                    e.counters.peak_in_flight = std::max(e.counters.peak_in_flight, c.peak_in_flight);
                    e.counters.peak_read_buffer_bytes =
                        std::max(e.counters.peak_read_buffer_bytes, c.peak_read_buffer_bytes);
                    e.counters.last_rtt = c.last_rtt;
                }
                out.push_back(std::move(e));
            };
            for (const auto& s : b.bulk) one(*s, purpose::bulk);
            if (b.long_poll) one(*b.long_poll, purpose::long_poll);
            if (b.general) one(*b.general, purpose::general);
            if (b.blocking) one(*b.blocking, purpose::blocking);
        };
        std::vector<std::int32_t> ids;
        for (const auto& [id, b] : nodes) ids.push_back(id);
        std::sort(ids.begin(), ids.end());
        for (auto id : ids) add(id, nodes.at(id));
        std::vector<std::string> addrs;
        for (const auto& [a, b] : bootstraps) addrs.push_back(a);
        std::sort(addrs.begin(), addrs.end());
        for (const auto& a : addrs) add(-1, bootstraps.at(a));
        return out;
    }

    connection_state state_of(std::int32_t node_id, purpose p) const {
        auto it = nodes.find(node_id);
        if (it == nodes.end()) return connection_state::unknown;
        const broker& b = it->second;
        const slot* s = p == purpose::bulk        ? (b.bulk.empty() ? nullptr : b.bulk.front().get())
                        : p == purpose::long_poll ? b.long_poll.get()
                        : p == purpose::blocking  ? b.blocking.get()
                                                  : b.general.get();
        if (s == nullptr) return connection_state::idle;
        switch (s->st) {
        case slot::state::ready: return connection_state::ready;
        case slot::state::connecting: return connection_state::connecting;
        case slot::state::idle: break;
        }
        return clock::now() < s->retry_at ? connection_state::backoff : connection_state::idle;
    }
};

broker_pool::broker_pool(executor_type ex, pool_config cfg) : impl_(std::make_shared<impl>(ex, std::move(cfg))) {}

broker_pool::~broker_pool() { close(); }

broker_pool::executor_type broker_pool::get_executor() const noexcept { return impl_->strand; }

const pool_config& broker_pool::config() const noexcept { return impl_->cfg; }

void broker_pool::set_broker(std::int32_t node_id, std::string host, std::int32_t port) {
    asio::dispatch(impl_->strand, [self = impl_, node_id, h = std::move(host), p = std::to_string(port)]() mutable {
        self->set_broker(node_id, std::move(h), std::move(p));
    });
}

void broker_pool::start_request(const std::shared_ptr<impl>& self, std::int32_t node_id, std::string bootstrap,
                                purpose p, issue_fn issue, request_handler handler) {
    asio::dispatch(self->strand, [self, node_id, b = std::move(bootstrap), p, i = std::move(issue),
                                  h = std::move(handler)]() mutable {
        self->submit(node_id, std::move(b), p, std::move(i), std::move(h));
    });
}

connection_state broker_pool::state(std::int32_t node_id, purpose p) const { return impl_->state_of(node_id, p); }

std::vector<broker_metrics> broker_pool::metrics() const { return impl_->registry.snapshot(); }

void broker_pool::start_stats(const std::shared_ptr<impl>& self, stats_handler handler) {
    auto work = tracked_executor(handler, self->strand);
    // Posted, never dispatched: the initiating function must not complete inline.
    asio::post(self->strand, [self, work, h = std::move(handler)]() mutable {
        complete_on(work, std::move(h), self->stats());
    });
}

void broker_pool::close() {
    asio::dispatch(impl_->strand, [self = impl_] { self->shutdown(); });
}

}  // namespace kasio::net

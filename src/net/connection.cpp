// The broker connection's I/O: set-up, writer, reader and timeout coroutines.
//
// Everything in connection::impl runs on its strand (// runs on: connection strand), except
// the atomic counters and the version table, which async_connect publishes before completing.
#include "net/connection.hpp"
#include "net/completion.hpp"
#include "net/loop_exit.hpp"

#include "net/multiplexer.hpp"
#include "net/negotiator.hpp"
#include "net/scram.hpp"
#include "net/tls.hpp"
#include "protocol/api_table.hpp"
#include "protocol/headers.hpp"
#include "protocol/messages.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <functional>
#include <mutex>
#include <optional>
#include <queue>
#include <tuple>
#include <utility>
#include <unordered_map>
#include <vector>

namespace kasio::net {
namespace {

using tcp = asio::ip::tcp;
using clock = std::chrono::steady_clock;

std::string api_name(std::int16_t api_key) {
    if (const auto* api = protocol::find_api(api_key)) return std::string(api->name);
    return "api " + std::to_string(api_key);
}

std::string format_ms(clock::duration d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f ms",
                  static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(d).count()) / 1000.0);
    return buf;
}

// Completes a handler on its own executor, keeping that executor's work alive meanwhile.
}  // namespace

struct connection::impl : std::enable_shared_from_this<impl> {
    struct waiter {
        request_handler handler;
        asio::any_completion_executor work;  // the handler's executor, work tracked
        clock::time_point deadline;
        std::int16_t api_key = 0;
        std::int16_t api_version = 0;
        std::size_t request_size = 0;
    };
    struct deadline_entry {
        clock::time_point at;
        std::int32_t correlation_id;
        bool operator>(const deadline_entry& o) const noexcept { return at > o.at; }
    };
    enum class state { idle, connecting, ready, closed };

    impl(const executor_type& ex, connection_config c, std::shared_ptr<broker_counters> bc)
        : strand(asio::make_strand(ex)),
          cfg(std::move(c)),
          counters(cfg.metrics_enabled ? std::move(bc) : nullptr),
          hooks(cfg.metrics_enabled ? cfg.hooks.get() : nullptr),
          resolver(strand),
          socket(strand),
          write_signal(strand),
          timeout_timer(strand),
          setup_timer(strand),
          reauth_timer(strand),
          mpx({.max_in_flight = cfg.max_in_flight,
               .max_frame_size = cfg.receive_message_max_bytes,
               .tls = cfg.uses_tls()}) {}

    asio::strand<executor_type> strand;
    const connection_config cfg;
    // Metrics and hooks; both null when metrics.enabled is false.
    const std::shared_ptr<broker_counters> counters;
    client_hooks* const hooks;
    clock::time_point setup_started{};
    tcp::resolver resolver;
    tcp::socket socket;               // moved into `tls` when security.protocol=ssl
    std::unique_ptr<asio::ssl::context> tls_context;
    std::unique_ptr<tls_stream> tls;  // set once the TCP connection is up, for ssl only
    asio::steady_timer write_signal;   // the writer sleeps on it; cancel() wakes it
    asio::steady_timer timeout_timer;  // expires at the earliest request deadline
    asio::steady_timer setup_timer;    // connect_timeout
    asio::steady_timer reauth_timer;   // the next SASL re-authentication (KIP-368)
    std::chrono::milliseconds session_lifetime{0};  // the broker's last grant; 0: none
    multiplexer mpx;
    state st = state::idle;

    // Written request frames kept for the next requests to encode into (take_frame_buffer).
    // A Produce frame of a few hundred KiB, freed and allocated again, came back from the
    // kernel as fresh pages each time (glibc maps blocks that large): faulting them in cost
    // more than encoding the request. Bounded in count and bytes: what is kept stays resident.
    struct frame_recycler {
        // Enough for a burst of max.in.flight.requests.per.connection frames, all encoded
        // before the first is written; bounded in bytes too.
        static constexpr std::size_t keep = 8;
        static constexpr std::size_t max_bytes = std::size_t{2} << 20;
        std::mutex mu;  // taken on the pool's strand, given back on this one
        std::vector<protocol::byte_buffer> free;
        std::size_t kept_bytes = 0;

        protocol::byte_buffer take() {
            std::lock_guard lock(mu);
            if (free.empty()) return {};
            auto largest = std::max_element(free.begin(), free.end(), [](const auto& a, const auto& b) {
                return a.capacity() < b.capacity();
            });
            std::swap(*largest, free.back());
            protocol::byte_buffer b = std::move(free.back());
            free.pop_back();
            kept_bytes -= b.capacity();
            return b;
        }
        // Keeps what fits of `written` and empties it.
        void give(std::vector<protocol::byte_buffer>& written) {
            std::lock_guard lock(mu);
            for (auto& f : written) {
                if (free.size() == keep || kept_bytes + f.capacity() > max_bytes || f.capacity() == 0) continue;
                f.clear();
                kept_bytes += f.capacity();
                free.push_back(std::move(f));
            }
            written.clear();
        }
    } recycler;
    error_code close_reason;
    std::string broker;  // host:port, for logs
    version_table versions;          // written once, before `negotiated` is set
    std::atomic<bool> negotiated{false};
    std::unordered_map<std::int32_t, waiter> waiters;
    std::vector<std::pair<connect_handler, asio::any_completion_executor>> close_waiters;
    std::priority_queue<deadline_entry, std::vector<deadline_entry>, std::greater<>> deadlines;

    std::atomic<std::uint64_t> n_requests{0}, n_responses{0}, n_bytes_out{0}, n_bytes_in{0};
    std::atomic<std::uint32_t> n_in_flight{0};
    std::atomic<std::uint32_t> n_peak_in_flight{0};  // written only on the strand
    std::atomic<std::int64_t> last_rtt_us{0};
    std::atomic<std::uint64_t> n_peak_read_buffer{0};  // written only on the strand
    std::atomic<std::uint64_t> n_reauthentications{0};  // written only on the strand

    broker_ref ref() const noexcept { return counters ? counters->ref() : broker_ref{-1, broker}; }

    // A hook that throws is logged and forgotten: the connection goes on.
    template <class F>
    void call_hook(const char* name, F&& f) {
        try {
            f(*hooks);
        } catch (...) {
            log_line(cfg.log, log_level::error,
                     broker + ": hook " + name + " threw: " + describe_exception(std::current_exception()));
        }
    }

    // ---- logging: the level is checked before anything is formatted
    template <class MakeLine>
    void log(log_level level, MakeLine&& make) const {
        if (cfg.log.enabled(level)) cfg.log.sink(level, broker + ": " + make());
    }
    template <class MakeLine>
    void debug(debug_context ctx, MakeLine&& make) const {
        if (cfg.log.debug_enabled(ctx)) cfg.log.sink(log_level::debug, broker + ": " + make());
    }

    // runs on: connection strand
    // internal: the connection's own request (set-up, re-authentication), written ahead of
    // queued application requests.
    void enqueue(protocol::byte_buffer frame, std::int16_t api_key, std::int16_t version, bool expects_response,
                 request_options options, request_handler handler, bool internal = false) {
        error_code ec;
        if (st == state::closed || (frame.empty() && st != state::ready)) ec = client_errc::connection_closed;
        else if (frame.empty()) ec = client_errc::no_common_version;
        if (ec) {
            // Never complete inside the initiating function: post (the handler then runs on its
            // own associated executor).
            asio::post(strand, asio::append(std::move(handler), ec, response_frame{}));
            return;
        }
        const std::size_t size = frame.size();
        const std::int32_t id = mpx.enqueue(std::move(frame),
            request_info{api_key, version, protocol::response_header_version(api_key, version), expects_response,
                         internal});
        const auto deadline = clock::now() + (options.timeout.count() > 0 ? options.timeout : cfg.request_timeout);

        auto slot = asio::get_associated_cancellation_slot(handler);
        if (slot.is_connected()) {
            slot.assign([weak = weak_from_this(), id](asio::cancellation_type type) {
                // Emitted from the canceller's context: hop to the strand, never complete inline.
                if (auto self = weak.lock())
                    asio::post(self->strand, [self, id, type] { self->cancel_request(id, type); });
            });
        }
        auto work = tracked_executor(handler, strand);
        waiters.emplace(id, waiter{std::move(handler), std::move(work), deadline, api_key, version, size});
        debug(debug_context::protocol, [&] {
            return "send " + api_name(api_key) + " v" + std::to_string(version) + " cid " + std::to_string(id) +
                   " (" + std::to_string(size) + " bytes)";
        });
        if (deadlines.empty() || deadline < deadlines.top().at) timeout_timer.cancel();
        deadlines.push({deadline, id});
        write_signal.cancel();
    }

    // Completes the waiter of a finished request (if it still waits).
    // runs on: connection strand
    void finish(std::int32_t id, error_code ec, response_frame frame, clock::time_point sent_at) {
        auto it = waiters.find(id);
        if (it == waiters.end()) return;
        waiter w = std::move(it->second);
        waiters.erase(it);
        asio::get_associated_cancellation_slot(w.handler).clear();
        const auto rtt = sent_at == clock::time_point{} ? clock::duration{} : clock::now() - sent_at;
        if (!ec) last_rtt_us.store(std::chrono::duration_cast<std::chrono::microseconds>(rtt).count(),
                                   std::memory_order_relaxed);
        const std::size_t in_bytes = ec ? 0 : frame.data.size() + 4;
        if (counters) counters->completed(w.api_key, w.request_size, in_bytes, rtt, ec);
        if (hooks) {
            call_hook("on_response_read", [&](client_hooks& h) {
                h.on_response_read(response_event{ref(), w.api_key, w.api_version, id, in_bytes,
                                                  std::chrono::duration_cast<std::chrono::microseconds>(rtt), ec});
            });
        }
        debug(debug_context::protocol, [&] {
            std::string line = "recv " + api_name(w.api_key) + " v" + std::to_string(w.api_version) + " cid " +
                               std::to_string(id);
            if (ec) return line + ": " + ec.message();
            return line + " (" + std::to_string(frame.data.size() + 4) + " bytes, rtt " + format_ms(rtt) + ")";
        });
        complete_on(w.work, std::move(w.handler), ec, std::move(frame));
    }

    void finish_all(std::vector<completion>& done) {
        for (auto& c : done) finish(c.correlation_id, c.ec, std::move(c.frame), c.sent_at);
        count_in_flight();
    }

    // runs on: connection strand
    void count_in_flight() {
        const auto now = static_cast<std::uint32_t>(mpx.in_flight());
        const auto before = n_in_flight.exchange(now, std::memory_order_relaxed);
        if (counters && now != before)
            counters->in_flight_changed(static_cast<std::int64_t>(now) - static_cast<std::int64_t>(before));
        if (now > n_peak_in_flight.load(std::memory_order_relaxed))
            n_peak_in_flight.store(now, std::memory_order_relaxed);
    }

    // runs on: connection strand
    void cancel_request(std::int32_t id, asio::cancellation_type type) {
        if (!waiters.contains(id)) return;
        const bool abandon = (type & (asio::cancellation_type::terminal | asio::cancellation_type::partial)) !=
                             asio::cancellation_type::none;
        const auto r = mpx.cancel(id, abandon);
        if (r == multiplexer::cancel_result::written || r == multiplexer::cancel_result::not_found) return;
        finish(id, asio::error::operation_aborted, {}, clock::now());
    }

    // Closes everything once; every waiter completes with ec.
    // runs on: connection strand
    // The end of one of the connection's coroutines: an exception closes the connection with
    // client_errc::internal_error, failing what is in flight (nothing waits forever).
    static auto on_failure(const std::shared_ptr<impl>& self, const char* what) {
        return on_loop_exit(self->cfg.log, self->broker + ": " + what, [self](const std::string& why) {
            self->shutdown(client_errc::internal_error, "exception: " + why);
        });
    }

    void shutdown(error_code ec, std::string_view why) {
        if (st == state::closed) return;
        const bool was_ready = st == state::ready;
        st = state::closed;
        close_reason = ec;
        if (was_ready) {
            if (counters) counters->disconnected();
            if (hooks) call_hook("on_disconnect", [&](client_hooks& h) { h.on_disconnect(ref(), ec); });
        }
        // A broken stream (bad frame, unknown correlation id) deserves more than a routine close;
        // a peer that is no Kafka broker (an HTTP server, a TLS listener reached in plaintext)
        // is a configuration mistake to report even when it shows during set-up.
        const auto level = ec == client_errc::connection_closed ? log_level::info : log_level::warning;
        if (was_ready || ec == client_errc::not_kafka_peer)
            log(level, [&] { return "connection closed: " + std::string(why); });
        else debug(debug_context::broker, [&] { return "connection closed: " + std::string(why); });
        std::vector<completion> done;
        mpx.close(ec, done);
        finish_all(done);
        for (auto& [handler, work] : std::exchange(close_waiters, {})) complete_on(work, std::move(handler), ec);
        error_code ignored;
        resolver.cancel();
        // Closing the TCP socket under a TLS stream ends its pending operations too; a TLS
        // close_notify is not worth waiting for on a connection being dropped.
        lowest_layer().close(ignored);
        write_signal.cancel();
        timeout_timer.cancel();
        setup_timer.cancel();
        reauth_timer.cancel();
    }

    tcp::socket& lowest_layer() noexcept { return tls ? tls->next_layer() : socket; }

    // Socket errors all mean the same to callers: the connection is gone, try again.
    void lost(error_code io_error, std::string_view during) {
        if (st == state::closed) return;
        shutdown(client_errc::connection_closed, std::string(during) + ": " + io_error.message());
    }

    // ---- coroutines (each holds the impl alive until it returns)

    // A write of these frames finished: counted, and told to the hooks (each frame's header
    // says which request it is). Before commit_write, which frees the frames.
    void written(std::span<const protocol::bytes_view> frames, std::size_t bytes) {
        if (counters) counters->written(frames.size(), bytes);
        if (!hooks) return;
        for (const auto f : frames) {
            if (f.size() < 12) continue;
            auto be16 = [&](std::size_t at) { return static_cast<std::int16_t>((f[at] << 8) | f[at + 1]); };
            const auto cid = static_cast<std::int32_t>((std::uint32_t{f[8]} << 24) | (std::uint32_t{f[9]} << 16) |
                                                       (std::uint32_t{f[10]} << 8) | std::uint32_t{f[11]});
            call_hook("on_request_written", [&](client_hooks& h) {
                h.on_request_written(request_event{ref(), be16(4), be16(6), cid, f.size()});
            });
        }
    }

    static asio::awaitable<void> writer(std::shared_ptr<impl> self) {
        std::vector<asio::const_buffer> buffers;
        std::vector<protocol::byte_buffer> written_frames;
        while (self->st != state::closed) {
            if (!self->mpx.want_write()) {
                self->write_signal.expires_at(clock::time_point::max());
                co_await self->write_signal.async_wait(nothrow_awaitable);
                continue;
            }
            auto frames = self->mpx.prepare_write(clock::now());
            buffers.clear();
            for (auto f : frames) buffers.emplace_back(f.data(), f.size());
            // Counted now: the answers may be read before this write's completion runs.
            self->n_requests.fetch_add(frames.size(), std::memory_order_relaxed);
            self->count_in_flight();
            std::tuple<error_code, std::size_t> written;
            if (self->tls) written = co_await asio::async_write(*self->tls, buffers, nothrow_awaitable);
            else written = co_await asio::async_write(self->socket, buffers, nothrow_awaitable);
            auto [ec, n] = written;
            std::vector<completion> done;
            // A failed write fails its requests first: commit_write would complete the ones that
            // expect no response (acks=0) as if they had gone out.
            if (ec) self->lost(ec, "write");
            else self->written(frames, n);
            self->mpx.commit_write(done, written_frames);
            self->recycler.give(written_frames);
            if (ec) co_return;
            self->n_bytes_out.fetch_add(n, std::memory_order_relaxed);
            self->finish_all(done);
        }
    }

    static asio::awaitable<void> reader(std::shared_ptr<impl> self) {
        while (self->st != state::closed) {
            auto into = self->mpx.prepare_read();
            // Measured here, where a frame being assembled holds its whole buffer.
            const std::uint64_t held = self->mpx.read_buffer_bytes();
            if (held > self->n_peak_read_buffer.load(std::memory_order_relaxed))
                self->n_peak_read_buffer.store(held, std::memory_order_relaxed);
            const auto buffer = asio::buffer(into.data(), into.size());
            std::tuple<error_code, std::size_t> got;
            if (self->tls) got = co_await self->tls->async_read_some(buffer, nothrow_awaitable);
            else got = co_await self->socket.async_read_some(buffer, nothrow_awaitable);
            auto [ec, n] = got;
            if (self->st == state::closed) co_return;
            if (ec) co_return self->lost(ec, "read");
            self->n_bytes_in.fetch_add(n, std::memory_order_relaxed);
            if (self->counters) self->counters->read(n);
            std::vector<completion> done;
            const error_code broken = self->mpx.commit_read(n, done);
            self->n_responses.fetch_add(
                static_cast<std::uint64_t>(std::count_if(done.begin(), done.end(), [](auto& c) { return !c.ec; })),
                std::memory_order_relaxed);
            if (broken) {
                // Closed before the waiters complete: one may resume inline (set-up's ApiVersions)
                // and must find the connection closed for this reason, logged with what the peer
                // spoke when it was not Kafka (HTTP, TLS).
                std::string why = broken.message();
                if (const auto detail = self->mpx.failure_detail(); !detail.empty()) why += ": " + std::string(detail);
                self->shutdown(broken, why);
                self->finish_all(done);
                co_return;
            }
            self->finish_all(done);
            if (self->mpx.want_write()) self->write_signal.cancel();
        }
    }

    static asio::awaitable<void> expirer(std::shared_ptr<impl> self) {
        while (self->st != state::closed) {
            // Entries whose waiter finished are dropped lazily here.
            auto& q = self->deadlines;
            while (!q.empty()) {
                auto it = self->waiters.find(q.top().correlation_id);
                if (it != self->waiters.end() && it->second.deadline == q.top().at) break;
                q.pop();
            }
            self->timeout_timer.expires_at(q.empty() ? clock::time_point::max() : q.top().at);
            co_await self->timeout_timer.async_wait(nothrow_awaitable);
            const auto now = clock::now();
            while (self->st != state::closed && !q.empty() && q.top().at <= now) {
                const auto id = q.top().correlation_id;
                q.pop();
                if (self->waiters.contains(id)) self->expire(id);
            }
        }
    }

    // A request outlived request_timeout. Written requests close the connection: Kafka answers
    // in order, so every later response is stuck behind this one (Java client, librdkafka).
    void expire(std::int32_t id) {
        const auto r = mpx.cancel(id, true);
        finish(id, client_errc::timed_out, {}, clock::now());
        if (r == multiplexer::cancel_result::abandoned)
            shutdown(client_errc::connection_closed, "request cid " + std::to_string(id) + " timed out");
    }

    // An internal request (the handshake) on the same path as async_request.
    template <class Token>
    auto async_submit(protocol::byte_buffer frame, std::int16_t api_key, std::int16_t version, Token&& token) {
        return asio::async_initiate<Token, void(error_code, response_frame)>(
            [this](auto handler, protocol::byte_buffer f, std::int16_t k, std::int16_t v) {
                enqueue(std::move(f), k, v, true, request_options{}, request_handler(std::move(handler)), true);
            },
            token, std::move(frame), api_key, version);
    }

    // TLS over the connected socket: the context, then the handshake, which verifies the chain
    // and (ssl.endpoint.identification.algorithm=https) the host name.
    asio::awaitable<error_code> handshake(const std::string& host) {
        std::string why;
        error_code ec = make_tls_context(cfg, tls_context, why);
        if (!ec) {
            tls = std::make_unique<tls_stream>(std::move(socket), *tls_context);
            ec = prepare_tls_stream(*tls, host, cfg.ssl_verify_hostname);
            if (ec) why = "cannot set up TLS for host " + host;
        }
        if (!ec) {
            auto [hec] = co_await tls->async_handshake(asio::ssl::stream_base::client, nothrow_awaitable);
            if (hec && st != state::closed) ec = tls_handshake_error(*tls, hec, why);
            else if (hec) ec = hec;  // closed meanwhile (timeout, cancel): the close reason wins
        }
        if (ec && !why.empty()) log(log_level::error, [&] { return why; });
        else if (!ec)
            debug(debug_context::broker, [&] { return "TLS handshake done: " + tls_session_info(*tls); });
        co_return ec;
    }

    // One internal request/response on the set-up path, decoded.
    template <class Request, class Response>
    asio::awaitable<error_code> exchange(const Request& request, std::int16_t version, Response& out) {
        protocol::byte_buffer frame;
        protocol::encode_request_frame(frame, request, version, 0, std::string_view(cfg.client_id));
        auto [ec, response] = co_await async_submit(std::move(frame), Request::api_key, version, nothrow_awaitable);
        if (ec) co_return ec;
        co_return decode_response(response, out);
    }

    // SASL after ApiVersions (KIP-152: SaslHandshake v1, then the tokens in SaslAuthenticate),
    // and again on the open connection to renew the session (KIP-368, `again`). Sets
    // session_lifetime from the broker's last answer. Log lines name the mechanism and the
    // broker's message, never the username or password.
    asio::awaitable<error_code> authenticate(const version_table& vt, bool again) {
        using protocol::msg::sasl_authenticate_request;
        using protocol::msg::sasl_authenticate_response;
        using protocol::msg::sasl_handshake_request;
        using protocol::msg::sasl_handshake_response;
        const std::int16_t hv = vt.version(sasl_handshake_request::api_key);
        const std::int16_t av = vt.version(sasl_authenticate_request::api_key);
        if (hv < 1 || av < 0) {
            log(log_level::error,
                [] { return std::string("broker lacks SaslHandshake v1 / SaslAuthenticate (Kafka 1.0+)"); });
            co_return client_errc::no_common_version;
        }
        sasl_exchange sasl(cfg.sasl, cfg.sasl_username, cfg.sasl_password);
        const std::string what =
            "SASL " + std::string(sasl.mechanism()) + (again ? " re-authentication" : " authentication");
        auto refuse = [&](const error_code& ec, const std::string& why) {
            log(log_level::error, [&] { return what + " failed: " + why; });
            return ec;
        };
        std::string token, why;
        if (auto ec = sasl.start(token, why)) co_return refuse(ec, why);

        sasl_handshake_request hr;
        hr.mechanism = sasl.mechanism();
        sasl_handshake_response hs;
        if (auto ec = co_await exchange(hr, hv, hs)) co_return ec;
        if (hs.error_code != 0) {
            log(log_level::error, [&] {
                std::string line = "SASL mechanism " + hr.mechanism + " refused; the broker offers:";
                for (const auto& m : hs.mechanisms) line += " " + m;
                return line;
            });
            co_return error_code(static_cast<broker_errc>(hs.error_code));
        }
        for (bool done = false; !done;) {
            sasl_authenticate_request ar;
            ar.auth_bytes.assign(token.begin(), token.end());
            sasl_authenticate_response as;
            if (auto ec = co_await exchange(ar, av, as)) co_return ec;
            if (as.error_code != 0)
                co_return refuse(static_cast<broker_errc>(as.error_code), as.error_message.value_or("(no message)"));
            session_lifetime = std::chrono::milliseconds(std::max<std::int64_t>(as.session_lifetime_ms, 0));
            const std::string_view server(reinterpret_cast<const char*>(as.auth_bytes.data()), as.auth_bytes.size());
            if (auto ec = sasl.on_response(server, token, done, why)) co_return refuse(ec, why);
        }
        debug(debug_context::broker, [&] {
            return what + " done; session lifetime " +
                   (session_lifetime.count() > 0 ? std::to_string(session_lifetime.count()) + " ms" : "unlimited");
        });
        co_return error_code{};
    }

    // KIP-368: a broker with a session lifetime ends the session when it runs out; the client
    // renews it on the same connection before, at a random point between 85 % and 95 % of it
    // (as the Java client). The exchange goes out between requests: ones already written are
    // answered first (the broker handles a connection's requests in order), ones queued or
    // issued meanwhile wait in the multiplexer, held, and go out after it in their order. A
    // failed re-authentication closes the connection with its error.
    static asio::awaitable<void> reauthenticator(std::shared_ptr<impl> self) {
        while (self->st == state::ready && self->session_lifetime.count() > 0) {
            self->reauth_timer.expires_after(sasl_reauthentication_delay(self->session_lifetime));
            co_await self->reauth_timer.async_wait(nothrow_awaitable);
            if (self->st != state::ready) co_return;
            self->mpx.hold(true);
            const error_code ec = co_await self->authenticate(self->versions, true);
            if (self->st != state::ready) co_return;
            if (ec) co_return self->shutdown(ec, "SASL re-authentication failed: " + ec.message());
            self->n_reauthentications.fetch_add(1, std::memory_order_relaxed);
            self->mpx.hold(false);
            self->write_signal.cancel();
        }
    }

    // TCP to host:port. A numeric host (IPv4 or IPv6 literal) with a numeric port is connected
    // to directly: asio's resolver runs the blocking getaddrinfo on a thread it starts for the
    // io_context, and kasio promises no threads of its own where none is needed. A host name
    // still goes through the resolver, trying each address in turn.
    asio::awaitable<std::pair<error_code, tcp::endpoint>> open_tcp(const std::string& host, const std::string& port) {
        error_code aec;
        const auto address = asio::ip::make_address(host, aec);
        std::uint16_t port_number = 0;
        const auto [end, pec] = std::from_chars(port.data(), port.data() + port.size(), port_number);
        if (!aec && pec == std::errc{} && end == port.data() + port.size()) {
            const tcp::endpoint endpoint(address, port_number);
            auto [cec] = co_await socket.async_connect(endpoint, nothrow_awaitable);
            co_return std::pair{cec, endpoint};
        }
        auto [rec, endpoints] = co_await resolver.async_resolve(host, port, nothrow_awaitable);
        if (rec) co_return std::pair{rec, tcp::endpoint{}};
        auto [cec, endpoint] = co_await asio::async_connect(socket, endpoints, nothrow_awaitable);
        co_return std::pair{cec, endpoint};
    }

    asio::awaitable<error_code> setup(std::string host, std::string port) {
        auto [cec, endpoint] = co_await open_tcp(host, port);
        if (cec) co_return cec;
        error_code ec;
        socket.set_option(tcp::no_delay(true), ec);
        if (!ec && cfg.socket_send_buffer_bytes > 0)
            socket.set_option(asio::socket_base::send_buffer_size(cfg.socket_send_buffer_bytes), ec);
        if (!ec && cfg.socket_receive_buffer_bytes > 0)
            socket.set_option(asio::socket_base::receive_buffer_size(cfg.socket_receive_buffer_bytes), ec);
        if (ec) co_return ec;
        debug(debug_context::broker, [&, ep = endpoint] { return "connected to " + ep.address().to_string(); });
        if (cfg.uses_tls()) {
            if (auto tec = co_await handshake(host)) co_return tec;
        }

        auto self = shared_from_this();
        asio::co_spawn(strand, reader(self), on_failure(self, "reader"));
        asio::co_spawn(strand, writer(self), on_failure(self, "writer"));
        asio::co_spawn(strand, expirer(self), on_failure(self, "request expirer"));

        using protocol::msg::api_versions_request;
        negotiator n;
        for (;;) {
            const std::int16_t v = n.request_version();
            protocol::byte_buffer frame;
            protocol::encode_request_frame(frame, n.request(), v, 0, std::string_view(cfg.client_id));
            auto [ec2, response] =
                co_await async_submit(std::move(frame), api_versions_request::api_key, v, nothrow_awaitable);
            if (ec2) co_return ec2;
            switch (n.on_response(response.body(), ec2)) {
            case negotiator::result::resend:
                debug(debug_context::feature, [&] {
                    return "ApiVersions v" + std::to_string(v) + " not supported: retrying at v" +
                           std::to_string(n.request_version());
                });
                continue;
            case negotiator::result::failed: co_return ec2;
            case negotiator::result::done: break;
            }
            break;
        }
        // Published only once authenticated: until then async_request refuses to send.
        const version_table table = n.versions();
        if (cfg.uses_sasl()) {
            if (auto aec = co_await authenticate(table, false)) co_return aec;
        }
        versions = table;
        negotiated.store(true, std::memory_order_release);
        debug(debug_context::feature, [&] {
            std::string line = "negotiated (api: broker range -> version):";
            for (const auto& r : n.broker_ranges()) {
                line += " " + api_name(r.api_key) + " " + std::to_string(r.min_version) + ".." +
                        std::to_string(r.max_version) + "->" + std::to_string(versions.version(r.api_key));
            }
            return line;
        });
        co_return error_code{};
    }

    static asio::awaitable<void> connect(std::shared_ptr<impl> self, std::string host, std::string port,
                                         connect_handler handler) {
        auto work = tracked_executor(handler, self->strand);
        error_code ec;
        try {
            ec = co_await self->setup(std::move(host), std::move(port));
        } catch (...) {
            // The handler must complete: the pool slot waiting on it would stay "connecting".
            const std::string why = describe_exception(std::current_exception());
            log_line(self->cfg.log, log_level::error, self->broker + ": connection set-up stopped by an exception: " + why);
            self->shutdown(client_errc::internal_error, "set-up threw: " + why);
            ec = client_errc::internal_error;
        }
        self->setup_timer.cancel();
        if (self->st == state::closed) ec = self->close_reason;  // timed out, cancelled, closed
        else if (ec) self->shutdown(ec, "set-up failed: " + ec.message());
        else self->st = state::ready;
        if (self->counters) {
            if (ec) self->counters->connect_failed();
            else self->counters->connected();
        }
        if (self->hooks) {
            const auto took = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - self->setup_started);
            self->call_hook("on_connect", [&](client_hooks& h) { h.on_connect(self->ref(), ec, took); });
        }
        if (self->st == state::ready && self->session_lifetime.count() > 0)
            asio::co_spawn(self->strand, reauthenticator(self), on_failure(self, "re-authenticator"));
        asio::get_associated_cancellation_slot(handler).clear();
        complete_on(work, std::move(handler), ec);
    }

    // runs on: connection strand
    void wait_closed(connect_handler handler) {
        if (st == state::closed) {
            asio::post(strand, asio::append(std::move(handler), close_reason));
            return;
        }
        auto work = tracked_executor(handler, strand);
        close_waiters.emplace_back(std::move(handler), std::move(work));
    }

    void start_connect(std::string host, std::string port, connect_handler handler) {
        if (st != state::idle) {
            const error_code ec = st == state::closed ? error_code(client_errc::connection_closed)
                                                      : error_code(asio::error::already_started);
            asio::post(strand, asio::append(std::move(handler), ec));
            return;
        }
        st = state::connecting;
        setup_started = clock::now();
        broker = host + ":" + port;
        auto slot = asio::get_associated_cancellation_slot(handler);
        if (slot.is_connected()) {
            slot.assign([weak = weak_from_this()](asio::cancellation_type) {
                if (auto self = weak.lock())
                    asio::post(self->strand, [self] {
                        self->shutdown(asio::error::operation_aborted, "connect cancelled");
                    });
            });
        }
        setup_timer.expires_after(cfg.connect_timeout);
        setup_timer.async_wait([weak = weak_from_this()](error_code ec) {
            auto self = weak.lock();
            if (!ec && self && self->st == state::connecting)
                self->shutdown(client_errc::timed_out, "connection set-up timed out");
        });
        asio::co_spawn(strand, connect(shared_from_this(), std::move(host), std::move(port), std::move(handler)),
                       on_failure(shared_from_this(), "connection set-up"));
    }
};

connection::connection(executor_type ex, connection_config cfg, std::shared_ptr<broker_counters> counters)
    : impl_(std::make_shared<impl>(ex, std::move(cfg), std::move(counters))) {}

connection::~connection() { close(); }

connection::executor_type connection::get_executor() const noexcept { return impl_->strand; }

std::string_view connection::client_id() const noexcept { return impl_->cfg.client_id; }

protocol::byte_buffer connection::take_frame_buffer() { return impl_->recycler.take(); }

void connection::start_connect(const std::shared_ptr<impl>& self, std::string host, std::string port,
                               connect_handler handler) {
    asio::dispatch(self->strand, [self, h = std::move(host), p = std::move(port), hd = std::move(handler)]() mutable {
        self->start_connect(std::move(h), std::move(p), std::move(hd));
    });
}

void connection::start_wait_closed(const std::shared_ptr<impl>& self, connect_handler handler) {
    asio::dispatch(self->strand, [self, h = std::move(handler)]() mutable { self->wait_closed(std::move(h)); });
}

void connection::start_request(const std::shared_ptr<impl>& self, protocol::byte_buffer frame, std::int16_t api_key,
                               std::int16_t version, bool expects_response, request_options options,
                               request_handler handler) {
    asio::dispatch(self->strand, [self, f = std::move(frame), api_key, version, expects_response, options,
                                  h = std::move(handler)]() mutable {
        self->enqueue(std::move(f), api_key, version, expects_response, options, std::move(h));
    });
}

std::int16_t connection::negotiated_version(std::int16_t api_key) const noexcept {
    // Any thread: the table is immutable once published.
    if (!impl_->negotiated.load(std::memory_order_acquire)) return -1;
    return impl_->versions.version(api_key);
}

connection_stats connection::stats() const noexcept {
    const auto& i = *impl_;
    connection_stats s;
    s.requests = i.n_requests.load(std::memory_order_relaxed);
    s.responses = i.n_responses.load(std::memory_order_relaxed);
    s.bytes_out = i.n_bytes_out.load(std::memory_order_relaxed);
    s.bytes_in = i.n_bytes_in.load(std::memory_order_relaxed);
    s.in_flight = i.n_in_flight.load(std::memory_order_relaxed);
    s.peak_in_flight = i.n_peak_in_flight.load(std::memory_order_relaxed);
    s.peak_read_buffer_bytes = i.n_peak_read_buffer.load(std::memory_order_relaxed);
    s.last_rtt = std::chrono::microseconds(i.last_rtt_us.load(std::memory_order_relaxed));
    s.reauthentications = i.n_reauthentications.load(std::memory_order_relaxed);
    return s;
}

void connection::close() {
    asio::post(impl_->strand, [self = impl_] {
        self->shutdown(client_errc::connection_closed, "closed by the application");
    });
}

}  // namespace kasio::net

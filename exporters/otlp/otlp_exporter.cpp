// otlp_exporter: one HTTP/1.1 POST per export, on a fresh connection (an export every few
// seconds does not need a kept-alive one, and a fresh one never finds a half-closed socket).
#include <kasio/exporters/otlp.hpp>
#include <kasio/version.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <atomic>
#include <mutex>
#include <optional>

namespace kasio::exporters {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// error_category's destructor is protected and non-virtual on purpose (categories are never
// deleted through a base pointer).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class otlp_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "kasio.otlp"; }
    std::string message(int ev) const override {
        switch (static_cast<otlp_errc>(ev)) {
        case otlp_errc::ok: return "success";
        case otlp_errc::invalid_endpoint: return "OTLP endpoint is not http://host:port[/path]";
        case otlp_errc::http_status: return "OTLP collector answered with an HTTP error status";
        }
        return "unknown OTLP exporter error";
    }
};
#pragma GCC diagnostic pop

struct endpoint {
    std::string host;
    std::string port;
    std::string target;
};

// "http://host:port/path", "http://[::1]:4318"; nullopt for anything else (https included).
std::optional<endpoint> parse_endpoint(std::string_view url) {
    constexpr std::string_view scheme = "http://";
    if (!url.starts_with(scheme)) return std::nullopt;
    url.remove_prefix(scheme.size());
    const auto slash = url.find('/');
    const std::string_view authority = url.substr(0, slash);
    endpoint e;
    e.target = slash == std::string_view::npos ? "/v1/metrics" : std::string(url.substr(slash));
    std::string_view host = authority;
    std::string_view port = "80";
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = authority.substr(1, close - 1);
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') return std::nullopt;
            port = authority.substr(close + 2);
        }
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty() || port.empty()) return std::nullopt;
    e.host = host;
    e.port = port;
    return e;
}

std::uint64_t unix_nano_now() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

error_code error_of(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& x) {
        return x.code();
    } catch (...) {
        return client_errc::internal_error;
    }
}

}  // namespace

const boost::system::error_category& otlp_category() noexcept {
    static const otlp_category_impl category;
    return category;
}

struct detail::otlp_state {
    otlp_state(asio::any_io_executor ex, std::shared_ptr<metric_sources> s, otlp_options o)
        : strand(asio::make_strand(std::move(ex))), sources(std::move(s)), options(std::move(o)),
          target(parse_endpoint(options.endpoint)), start_unix_nano(unix_nano_now()), timer(strand) {}

    void log(std::string_view what) const {
        if (options.log.enabled(log_level::warning)) options.log.sink(log_level::warning, what);
    }
    void record(error_code ec) {
        if (ec) failures.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock(mutex);
        last_error = ec;
    }

    asio::strand<asio::any_io_executor> strand;
    std::shared_ptr<metric_sources> sources;
    const otlp_options options;
    const std::optional<endpoint> target;
    const std::uint64_t start_unix_nano;
    asio::steady_timer timer;  // runs on: strand
    std::uint64_t generation = 0;  // runs on: strand; a new start() or stop() ends older loops
    bool running = false;          // runs on: strand
    std::atomic<std::uint64_t> failures{0};
    mutable std::mutex mutex;
    error_code last_error;  // guarded by mutex
};

namespace {

// A resolve the export may stop waiting for: getaddrinfo cannot be interrupted, so on timeout
// the export returns and this state, kept by the resolve's handler, outlives it.
struct pending_resolve {
    explicit pending_resolve(const asio::any_io_executor& ex) : resolver(ex), done(ex) {}
    tcp::resolver resolver;
    asio::steady_timer done;  // expires at the deadline; cancelled when the resolve completes
    bool finished = false;
    error_code ec;
    tcp::resolver::results_type results;
};

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// One POST of the sources' metrics. Every wait is bounded: resolving and connecting by one
// timeout, writing and reading the response by another.
asio::awaitable<error_code> post_metrics(std::shared_ptr<detail::otlp_state> s) {
    if (!s->target) co_return otlp_errc::invalid_endpoint;
    const auto& target = *s->target;
    const auto families = s->sources->collect();
    const auto now = unix_nano_now();
    http::request<http::string_body> req{http::verb::post, target.target, 11};
    req.set(http::field::host, target.host + ":" + target.port);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::user_agent, std::string("kasio/") + version_string);
    req.body() = otlp_json(families, s->options.resource, s->start_unix_nano, now);
    req.prepare_payload();

    auto ex = co_await asio::this_coro::executor;
    const auto deadline = std::chrono::steady_clock::now() + s->options.timeout;
    auto r = std::make_shared<pending_resolve>(ex);
    r->done.expires_at(deadline);
    r->resolver.async_resolve(target.host, target.port,
                              [r](error_code ec, tcp::resolver::results_type results) {
                                  r->ec = ec;
                                  r->results = std::move(results);
                                  r->finished = true;
                                  r->done.cancel();
                              });
    auto [wait_ec] = co_await r->done.async_wait(asio::as_tuple(asio::use_awaitable));
    (void)wait_ec;  // cancelled: resolved; expired: not yet
    if (!r->finished) {
        r->resolver.cancel();
        co_return client_errc::timed_out;
    }
    if (r->ec) co_return r->ec;

    beast::tcp_stream stream(ex);
    stream.expires_at(deadline);
    auto [connect_ec, peer] = co_await stream.async_connect(r->results, asio::as_tuple(asio::use_awaitable));
    (void)peer;
    if (connect_ec == beast::error::timeout) co_return client_errc::timed_out;
    if (connect_ec) co_return connect_ec;

    stream.expires_after(s->options.timeout);
    auto [write_ec, written] = co_await http::async_write(stream, req, asio::as_tuple(asio::use_awaitable));
    (void)written;
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    error_code read_ec = write_ec;
    if (!write_ec) {
        auto [ec, read] = co_await http::async_read(stream, buffer, res, asio::as_tuple(asio::use_awaitable));
        (void)read;
        read_ec = ec;
    }
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (read_ec == beast::error::timeout) co_return client_errc::timed_out;
    if (read_ec) co_return read_ec;
    if (res.result_int() < 200 || res.result_int() >= 300) {
        s->log("OTLP export to " + s->options.endpoint + ": HTTP " + std::to_string(res.result_int()) + " " +
               res.body().substr(0, 200));
        co_return otlp_errc::http_status;
    }
    co_return error_code{};
}

asio::awaitable<void> export_loop(std::shared_ptr<detail::otlp_state> s, std::uint64_t generation) {
    while (s->running && s->generation == generation) {
        s->timer.expires_after(s->options.interval);
        auto [wait_ec] = co_await s->timer.async_wait(asio::as_tuple(asio::use_awaitable));
        (void)wait_ec;  // cancelled by stop(), or due
        if (!s->running || s->generation != generation) co_return;
        const error_code ec = co_await post_metrics(s);
        s->record(ec);
        if (ec) s->log("OTLP export to " + s->options.endpoint + " failed: " + ec.message());
    }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace

otlp_exporter::otlp_exporter(asio::any_io_executor ex, std::shared_ptr<metric_sources> sources, otlp_options options)
    : state_(std::make_shared<detail::otlp_state>(std::move(ex), std::move(sources), std::move(options))) {}

otlp_exporter::~otlp_exporter() { stop(); }

void otlp_exporter::start_export(std::shared_ptr<detail::otlp_state> s, export_handler h) {
    asio::co_spawn(s->strand, post_metrics(s), [s, h = std::move(h)](std::exception_ptr e, error_code ec) mutable {
        if (e) ec = error_of(e);
        s->record(ec);
        if (ec) s->log("OTLP export to " + s->options.endpoint + " failed: " + ec.message());
        auto ex = asio::get_associated_executor(h, s->strand);
        asio::dispatch(ex, asio::append(std::move(h), ec));
    });
}

void otlp_exporter::start() {
    asio::dispatch(state_->strand, [s = state_] {
        if (s->running) return;
        s->running = true;
        const auto generation = ++s->generation;
        asio::co_spawn(s->strand, export_loop(s, generation), [s](std::exception_ptr e) {
            if (!e) return;
            s->record(error_of(e));
            s->log("OTLP periodic export stopped: " + error_of(e).message());
        });
    });
}

void otlp_exporter::stop() {
    asio::dispatch(state_->strand, [s = state_] {
        s->running = false;
        ++s->generation;
        s->timer.cancel();
    });
}

std::uint64_t otlp_exporter::failures() const noexcept { return state_->failures.load(std::memory_order_relaxed); }

error_code otlp_exporter::last_error() const {
    std::lock_guard lock(state_->mutex);
    return state_->last_error;
}

}  // namespace kasio::exporters

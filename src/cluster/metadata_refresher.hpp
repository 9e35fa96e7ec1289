#pragma once
// Keeps a metadata_cache up to date: bootstrap, periodic refresh, refresh on demand.
//
// One coroutine on the broker pool's strand sends Metadata requests on the pool's group
// connections. It asks the brokers it knows, those with a ready connection first and those in
// reconnect backoff last, then the bootstrap servers in the order given; the first answer
// wins. Before the first answer only the bootstrap servers are known.
//
// Refreshes happen at start(), every metadata.max.age.ms after the last success, after a failure
// (retry.backoff.ms doubling up to retry.backoff.max.ms, KIP-580), and when asked:
// request_refresh() / async_refresh() from code that saw NOT_LEADER_OR_FOLLOWER,
// UNKNOWN_TOPIC_OR_PARTITION or a newer leader epoch. Requests made before a Metadata request
// goes out are coalesced into it: a thousand partitions failing at once cost one request. One
// made while a request is in flight gets the next one (the answer in flight may predate what it
// saw). Consecutive requested refreshes are at least retry.backoff.ms apart, as in the Java
// client, so a burst of errors cannot turn into a storm of Metadata requests; a topic added
// after a good refresh is asked for at once (Java's requestUpdateForNewTopics).
//
// runs on: pool strand (the cache and every handler of the refresher's own work).
#include "cluster/metadata_cache.hpp"
#include "net/backoff.hpp"
#include "net/broker_pool.hpp"

#include <kasio/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kasio::cluster {

namespace asio = boost::asio;

struct refresher_config {
    /// `bootstrap.servers`: "host:port" entries, each possibly a comma-separated list.
    std::vector<std::string> bootstrap_servers;
    /// `metadata.max.age.ms`: refresh at least this often.
    std::chrono::milliseconds metadata_max_age{300000};
    /// `retry.backoff.ms` / `retry.backoff.max.ms`: after a failed refresh, and the least time
    /// between two requested ones.
    net::backoff_config retry{std::chrono::milliseconds(100), std::chrono::milliseconds(1000)};
    /// Ask for every topic (a regex subscription) instead of the topics added.
    bool all_topics = false;
    /// `allow.auto.create.topics`: let the broker create topics the request names.
    bool allow_auto_topic_creation = false;
};

/// Thread safety: every member may be called from any thread except cache(), which must run on
/// the pool strand. Lifetime: the pool must outlive the refresher; destroying the refresher
/// stops it (waiters complete with operation_aborted).
class metadata_refresher {
public:
    using refresh_handler = asio::any_completion_handler<void(error_code)>;

    metadata_refresher(net::broker_pool& pool, refresher_config cfg);
    ~metadata_refresher();
    metadata_refresher(const metadata_refresher&) = delete;
    metadata_refresher& operator=(const metadata_refresher&) = delete;

    /// Starts the refresh loop with a bootstrap refresh.
    void start();
    /// Stops it; waiting async_refresh operations complete with operation_aborted and the
    /// Metadata request out now is cancelled (nothing of the refresher's is left waiting).
    void stop();

    /// Includes these topics in every later Metadata request; refreshes soon if one is new.
    void add_topics(std::vector<std::string> topics);
    /// Leaves these topics out of later Metadata requests (the cache keeps what it knows).
    void remove_topics(std::vector<std::string> topics);

    /// Asks for every topic from now on (a regex subscription), or again only for those added;
    /// refreshes soon when it changes.
    void set_all_topics(bool all);

    /// Asks for a refresh (coalesced with the others) without waiting for it.
    void request_refresh();

    /// Asks for a refresh and completes when a Metadata response requested after this call has
    /// been applied to the cache (ec clear), or when that refresh failed on every broker (the
    /// last broker's error; the loop keeps retrying in the background).
    ///
    /// Cancellation: any type; the waiter completes with operation_aborted, the refresh goes on.
    template <asio::completion_token_for<void(error_code)> CompletionToken = asio::deferred_t>
    auto async_refresh(CompletionToken&& token = {}) {
        return asio::async_initiate<CompletionToken, void(error_code)>(
            [impl = impl_](auto handler) { start_refresh(impl, refresh_handler(std::move(handler))); }, token);
    }

    /// The cache. runs on: pool strand (call it only from there, or with the io_context idle).
    const metadata_cache& cache() const noexcept;

    /// The error of the last refresh when retrying cannot fix it (wrong credentials, a broker
    /// certificate that does not verify, a refused request); clear after a refresh succeeds or
    /// fails for a passing reason. Callers waiting for metadata fail with it instead of waiting
    /// out their timeout (any thread).
    error_code refusal() const;

    /// Why the cluster cannot be used now: the refusal above, or client_errc::all_brokers_down
    /// when the last refresh reached no broker at all (every known broker and bootstrap address
    /// failed to connect or answer). The context names the last broker tried and its error.
    /// Clear after a refresh succeeds (any thread).
    error_info health() const;

    /// Counts the times the cluster went from reachable (or not tried yet) to all brokers down:
    /// a client reports each such outage once (any thread).
    std::uint64_t outages() const noexcept;

    /// Called on the pool strand after every refresh round, applied or failed, so that what
    /// depends on leaders or on the cluster's health acts at once instead of polling the cache.
    /// Set it before start(); it must not block.
    void set_listener(std::function<void()> on_refresh);

    /// Metadata requests handed to the pool so far, one per broker tried (any thread).
    std::uint64_t requests_sent() const noexcept;

    struct impl;

private:
    static void start_refresh(const std::shared_ptr<impl>& impl, refresh_handler handler);

    std::shared_ptr<impl> impl_;
};

/// Splits bootstrap.servers entries ("h1:p1,h2:p2" each) into "host:port" addresses, trimmed.
std::vector<std::string> split_bootstrap(const std::vector<std::string>& servers);

}  // namespace kasio::cluster

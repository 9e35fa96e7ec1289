#pragma once
// The public metadata call (producer::async_metadata, consumer::async_metadata) and the leader
// lookups of the consumer's offset queries: one Metadata request of their own, apart from the
// refresher's, so that the topics an application asks about do not join the set refreshed for
// ever, and asking for every topic does not turn the client into a regex subscriber.
//
// runs on: pool strand (the refresher's cache is read there).
#include "cluster/metadata_refresher.hpp"
#include "net/broker_pool.hpp"

#include <kasio/error.hpp>
#include <kasio/metadata.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kasio::cluster {

/// Asks the brokers the refresher knows (then the bootstrap addresses) in turn until one
/// answers, for `topics` (all topics when empty), without creating any. Sets the address of
/// every broker listed in the pool. Errors: the last broker's when none answered (`where` names
/// it); a topic's own error is in its topic_description.
boost::asio::awaitable<std::pair<error_code, cluster_metadata>> query_metadata(
    net::broker_pool& pool, const metadata_refresher& refresher, std::vector<std::string> bootstrap,
    std::vector<std::string> topics, error_context& where);

using metadata_handler = boost::asio::any_completion_handler<void(error_code, cluster_metadata)>;

/// Runs query_metadata for a public call: completes `handler` on its executor (the strand when
/// it has none), once; cancellation of any type abandons the wait. `owner` keeps the pool and
/// the refresher alive meanwhile. Any thread.
void start_metadata_query(std::shared_ptr<void> owner, net::broker_pool& pool, const metadata_refresher& refresher,
                          std::vector<std::string> bootstrap, std::vector<std::string> topics,
                          metadata_handler handler);

}  // namespace kasio::cluster

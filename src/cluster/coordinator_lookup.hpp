#pragma once
// FindCoordinator: which broker coordinates a consumer group or a transactional id. Shared by
// the consumer's group code and the transactional producer.
//
// runs on: pool strand (the refresher's cache is read there).
#include "cluster/metadata_refresher.hpp"
#include "net/broker_pool.hpp"

#include <kasio/error.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>

namespace kasio::cluster {

/// FindCoordinator's key_type.
enum class coordinator_type : std::int8_t { group = 0, transaction = 1 };

struct coordinator_answer {
    /// The broker's error for the key (coordinator_not_available while it loads, an
    /// authorization refusal), or the last transport error when no broker answered.
    error_code ec;
    std::int32_t node = -1;
    std::string message;  ///< the broker's error message, when it sent one
};

/// Asks the brokers the refresher knows in turn (after a refresh when it knows none) until one
/// answers for `key`; registers the coordinator's address with the pool. `stop`, when given,
/// is read between brokers: true ends the lookup with operation_aborted.
boost::asio::awaitable<coordinator_answer> find_coordinator(net::broker_pool& pool, metadata_refresher& refresher,
                                                            coordinator_type type, std::string key,
                                                            const bool* stop = nullptr);

}  // namespace kasio::cluster

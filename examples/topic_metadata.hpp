#pragma once
// Partition count of a topic, for the tools that assign every partition (kasio-perf consume,
// kasio-cli consume without --partition). The consumer has manual assignment only and no
// metadata call of its own yet, so this asks a bootstrap broker directly with the internal
// connection, as `kasio-cli metadata` does.
#include "net/connection.hpp"
#include "protocol/messages.hpp"

#include <kasio/config.hpp>
#include <kasio/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tools {

/// Splits "h:p,h:p" (and repeated entries) into host:port strings.
inline std::vector<std::string> split_brokers(std::string_view list) {
    std::vector<std::string> out;
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        if (comma != 0) out.emplace_back(list.substr(0, comma));
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return out;
}

/// The partition count of `topic`, asking the bootstrap brokers in order until one answers.
/// A broker that does not know the topic answers with its error (unknown_topic_or_partition);
/// auto-creation is not requested.
inline boost::asio::awaitable<std::pair<kasio::error_code, std::int32_t>> partition_count(
    const std::vector<std::string>& brokers, const kasio::connection_config& cfg, std::string topic) {
    namespace asio = boost::asio;
    using kasio::error_code;
    error_code last_error = kasio::make_error_code(kasio::client_errc::invalid_config);
    auto ex = co_await asio::this_coro::executor;
    for (const std::string& broker : brokers) {
        const std::size_t colon = broker.rfind(':');
        const std::string host = colon == std::string::npos ? broker : broker.substr(0, colon);
        const std::string port = colon == std::string::npos ? "9092" : broker.substr(colon + 1);
        kasio::net::connection conn(ex, cfg);
        auto [ec] = co_await conn.async_connect(host, port, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            last_error = ec;
            continue;
        }
        kasio::protocol::msg::metadata_request request;
        request.topics->emplace_back().name = topic;
        request.allow_auto_topic_creation = false;
        auto [req_ec, frame] = co_await conn.async_request(request, asio::as_tuple(asio::use_awaitable));
        kasio::protocol::msg::metadata_response response;
        if (!req_ec) req_ec = kasio::net::decode_response(frame, response);
        if (req_ec) {
            last_error = req_ec;
            continue;
        }
        for (const auto& t : response.topics) {
            if (!t.name || *t.name != topic) continue;
            if (t.error_code != 0)
                co_return std::pair{kasio::make_error_code(static_cast<kasio::broker_errc>(t.error_code)), 0};
            co_return std::pair{error_code{}, static_cast<std::int32_t>(t.partitions.size())};
        }
        last_error = kasio::make_error_code(kasio::client_errc::invalid_value);
    }
    co_return std::pair{last_error, 0};
}

}  // namespace tools

// FindCoordinator with both answer shapes: v0-3 one key at top level, v4+ a list (KIP-699).
//
// runs on: pool strand.
#include "cluster/coordinator_lookup.hpp"

#include "net/completion.hpp"
#include "protocol/messages.hpp"

#include <kasio/broker_errc.hpp>

#include <vector>

namespace kasio::cluster {

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

boost::asio::awaitable<coordinator_answer> find_coordinator(net::broker_pool& pool, metadata_refresher& refresher,
                                                            coordinator_type type, std::string key,
                                                            const bool* stop) {
    coordinator_answer out;
    if (refresher.cache().brokers().empty()) {
        auto [ec] = co_await refresher.async_refresh(net::nothrow_awaitable);
        if (ec) {
            out.ec = ec;
            co_return out;
        }
    }
    protocol::msg::find_coordinator_request req;
    req.key = key;                      // versions 0-3
    req.key_type = static_cast<std::int8_t>(type);
    req.coordinator_keys = {key};       // versions 4+
    out.ec = broker_errc::coordinator_not_available;
    std::vector<std::int32_t> nodes;
    for (const auto& b : refresher.cache().brokers()) nodes.push_back(b.node_id);
    for (const std::int32_t node : nodes) {
        if (stop != nullptr && *stop) {
            out.ec = boost::asio::error::operation_aborted;
            co_return out;
        }
        auto [ec, frame] = co_await pool.async_request(node, net::purpose::general, req, net::nothrow_awaitable);
        protocol::msg::find_coordinator_response resp;
        if (!ec) ec = net::decode_response(frame, resp);
        if (ec) {
            out.ec = ec;
            continue;
        }
        std::int16_t code = resp.error_code;
        std::int32_t id = resp.node_id;
        std::string host = resp.host;
        std::int32_t port = resp.port;
        std::optional<std::string> message = resp.error_message;
        if (frame.api_version >= 4) {
            if (resp.coordinators.empty()) {
                out.ec = client_errc::incomplete_response;  // v4+ answers per key: ours is missing
                continue;
            }
            const auto& c = resp.coordinators.front();
            code = c.error_code;
            id = c.node_id;
            host = c.host;
            port = c.port;
            message = c.error_message;
        }
        out.message = message.value_or(std::string());
        if (code != 0) {
            out.ec = static_cast<broker_errc>(code);
            co_return out;
        }
        pool.set_broker(id, host, port);
        out.ec = {};
        out.node = id;
        co_return out;
    }
    co_return out;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace kasio::cluster

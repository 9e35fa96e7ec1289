// consumer_config::set: the consumer's Kafka property names; the rest go to the pool and
// connection configuration (checked on a copy of a pool_config, replayed when the consumer starts).
#include "consumer/group/assignor.hpp"
#include "net/broker_pool.hpp"
#include "net/property_parse.hpp"

#include <kasio/consumer.hpp>

#include <charconv>
#include <limits>

namespace kasio {
namespace {

using detail::int32_max;
using detail::parse_bool;
using detail::parse_int;

}  // namespace

error_code consumer_config::set(std::string_view name, std::string_view value) {
    const error_code invalid = client_errc::invalid_config;
    std::int64_t n = 0;
    if (name == "bootstrap.servers" || name == "metadata.broker.list") {
        bootstrap_servers = {std::string(value)};
    } else if (name == "group.id") {
        group_id = value;
    } else if (name == "group.instance.id") {
        group_instance_id = value;
    } else if (name == "session.timeout.ms") {
        if (!parse_int(value, 1, 3600000, n)) return invalid;
        session_timeout = std::chrono::milliseconds(n);
    } else if (name == "heartbeat.interval.ms") {
        if (!parse_int(value, 1, 3600000, n)) return invalid;
        heartbeat_interval = std::chrono::milliseconds(n);
    } else if (name == "max.poll.interval.ms") {
        if (!parse_int(value, 1, 86400000, n)) return invalid;
        max_poll_interval = std::chrono::milliseconds(n);
    } else if (name == "partition.assignment.strategy") {
        std::vector<std::string> names;
        std::string_view rest = value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            std::string_view item = rest.substr(0, comma);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
            while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
            if (item.empty()) continue;
            auto a = consumer_detail::make_assignor(item);
            if (!a) return invalid;
            names.emplace_back(a->name());
        }
        if (names.empty()) return invalid;
        assignment_strategies = std::move(names);
    } else if (name == "enable.auto.commit") {
        bool b = false;
        if (!parse_bool(value, b)) return invalid;
        enable_auto_commit = b;
    } else if (name == "auto.commit.interval.ms") {
        if (!parse_int(value, 0, int32_max, n)) return invalid;
        auto_commit_interval = std::chrono::milliseconds(n);
    } else if (name == "auto.offset.reset") {
        if (value == "earliest" || value == "smallest" || value == "beginning") auto_offset_reset = offset_reset::earliest;
        else if (value == "latest" || value == "largest" || value == "end") auto_offset_reset = offset_reset::latest;
        else if (value == "none" || value == "error") auto_offset_reset = offset_reset::none;
        else return invalid;
    } else if (name == "fetch.min.bytes") {
        if (!parse_int(value, 1, 100000000, n)) return invalid;
        fetch_min_bytes = static_cast<std::int32_t>(n);
    } else if (name == "fetch.max.bytes") {
        if (!parse_int(value, 1, 2147483135, n)) return invalid;
        fetch_max_bytes = static_cast<std::int32_t>(n);
    } else if (name == "fetch.max.wait.ms" || name == "fetch.wait.max.ms") {
        if (!parse_int(value, 0, 300000, n)) return invalid;
        fetch_max_wait = std::chrono::milliseconds(n);
    } else if (name == "max.partition.fetch.bytes" || name == "fetch.message.max.bytes") {
        if (!parse_int(value, 1, 1000000000, n)) return invalid;
        max_partition_fetch_bytes = static_cast<std::int32_t>(n);
    } else if (name == "check.crcs") {
        bool b = false;
        if (!parse_bool(value, b)) return invalid;
        check_crcs = b;
    } else if (name == "isolation.level") {
        if (value == "read_uncommitted") isolation = isolation_level::read_uncommitted;
        else if (value == "read_committed") isolation = isolation_level::read_committed;
        else return invalid;
    } else if (name == "max.poll.records") {
        if (!parse_int(value, 1, int32_max, n)) return invalid;
        max_poll_records = static_cast<std::size_t>(n);
    } else if (name == "queued.max.messages.kbytes") {
        if (!parse_int(value, 1, 2097151, n)) return invalid;
        queued_max_kbytes = static_cast<std::size_t>(n);
    } else if (name == "retry.backoff.ms") {
        if (!parse_int(value, 1, 300000, n)) return invalid;
        retry_backoff = std::chrono::milliseconds(n);
    } else if (name == "allow.auto.create.topics") {
        bool b = false;
        if (!parse_bool(value, b)) return invalid;
        allow_auto_create_topics = b;
    } else if (name == "metadata.max.age.ms") {
        if (!parse_int(value, 1, 86400000, n)) return invalid;
        metadata_max_age = std::chrono::milliseconds(n);
    } else if (name == "reconnect.backoff.ms" || name == "reconnect.backoff.max.ms" ||
               name == "connections.max.idle.ms" || name == "connections.per.broker") {
        net::pool_config probe;
        if (auto ec = probe.set(name, value)) return ec;
        pool_properties.emplace_back(name, value);
    } else {
        // connection_config::set rejects unknown names with invalid_config.
        connection_config copy = connection;
        if (auto ec = copy.set(name, value)) return ec;
        connection = std::move(copy);
    }
    return {};
}

}  // namespace kasio

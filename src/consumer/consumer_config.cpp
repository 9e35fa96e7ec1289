// consumer_config::set and validate(): the consumer's rows of the property table and Java's
// rules between them. Pool rows are kept in pool_properties (replayed when the consumer is
// made); connection rows go to net::apply().
#include "config/properties.hpp"
#include "consumer/config_rules.hpp"
#include "net/broker_pool.hpp"
#include "net/connection_properties.hpp"

#include <kasio/consumer.hpp>

#include <algorithm>
#include <string>

namespace kasio {
namespace {

using config::prop;

bool apply(consumer_config& c, const config::property& row, const config::parsed_value& v) {
    const auto ms = std::chrono::milliseconds(v.number);
    switch (row.id) {
        case prop::bootstrap_servers: c.bootstrap_servers = {std::string(v.text)}; break;
        case prop::group_id: c.group_id = v.text; break;
        case prop::group_instance_id: c.group_instance_id = v.text; break;
        case prop::session_timeout_ms: c.session_timeout = ms; break;
        case prop::heartbeat_interval_ms: c.heartbeat_interval = ms; break;
        case prop::max_poll_interval_ms: c.max_poll_interval = ms; break;
        case prop::partition_assignment_strategy: {
            std::vector<std::string> names;
            for (const std::int64_t item : v.items) names.emplace_back(config::choice_name(row, item));
            c.assignment_strategies = std::move(names);
            break;
        }
        case prop::enable_auto_commit: c.enable_auto_commit = v.number != 0; break;
        case prop::auto_commit_interval_ms: c.auto_commit_interval = ms; break;
        case prop::auto_offset_reset: c.auto_offset_reset = static_cast<offset_reset>(v.number); break;
        case prop::fetch_min_bytes: c.fetch_min_bytes = static_cast<std::int32_t>(v.number); break;
        case prop::fetch_max_bytes: c.fetch_max_bytes = static_cast<std::int32_t>(v.number); break;
        case prop::fetch_max_wait_ms: c.fetch_max_wait = ms; break;
        case prop::max_partition_fetch_bytes: c.max_partition_fetch_bytes = static_cast<std::int32_t>(v.number); break;
        case prop::check_crcs: c.check_crcs = v.number != 0; break;
        case prop::isolation_level: c.isolation = static_cast<isolation_level>(v.number); break;
        case prop::max_poll_records: c.max_poll_records = static_cast<std::size_t>(v.number); break;
        case prop::queued_max_messages_kbytes: c.queued_max_kbytes = static_cast<std::size_t>(v.number); break;
        case prop::retry_backoff_ms: c.retry_backoff = ms; break;
        case prop::metadata_max_age_ms: c.metadata_max_age = ms; break;
        case prop::allow_auto_create_topics: c.allow_auto_create_topics = v.number != 0; break;
        case prop::connections_per_broker: c.connections_per_broker = static_cast<std::size_t>(v.number); break;
        case prop::reconnect_backoff_ms: c.reconnect_backoff = ms; break;
        case prop::reconnect_backoff_max_ms: c.reconnect_backoff_max = ms; break;
        case prop::connections_max_idle_ms: c.connections_max_idle = ms; break;
        default: return net::apply(c.connection, row, v);
    }
    return true;
}

}  // namespace

error_code consumer_config::set(std::string_view name, std::string_view value, error_context& why) {
    const config::property* row = nullptr;
    config::parsed_value v;
    if (auto ec = config::parse(name, value, config::clients::consumer, row, v, why)) return ec;
    consumer_config copy = *this;  // a refused value leaves the configuration unchanged
    if (!apply(copy, *row, v)) return config::not_held(*row, name, "consumer", why);
    *this = std::move(copy);
    return {};
}

error_code consumer_config::set(std::string_view name, std::string_view value) {
    error_context why;
    return set(name, value, why);
}

error_info consumer_config::validate() const {
    error_info e;
    const bool no_servers =
        bootstrap_servers.empty() ||
        std::all_of(bootstrap_servers.begin(), bootstrap_servers.end(), [](const std::string& s) { return s.empty(); });
    if (no_servers) return config::conflict("bootstrap.servers", "bootstrap.servers must not be empty");
    (void)(config::check_number(prop::session_timeout_ms, session_timeout.count(), e) &&
           config::check_number(prop::heartbeat_interval_ms, heartbeat_interval.count(), e) &&
           config::check_number(prop::max_poll_interval_ms, max_poll_interval.count(), e) &&
           config::check_number(prop::auto_commit_interval_ms, auto_commit_interval.count(), e) &&
           config::check_choice(prop::auto_offset_reset, static_cast<std::int64_t>(auto_offset_reset), e) &&
           config::check_number(prop::fetch_min_bytes, fetch_min_bytes, e) &&
           config::check_number(prop::fetch_max_bytes, fetch_max_bytes, e) &&
           config::check_number(prop::fetch_max_wait_ms, fetch_max_wait.count(), e) &&
           config::check_number(prop::max_partition_fetch_bytes, max_partition_fetch_bytes, e) &&
           config::check_choice(prop::isolation_level, static_cast<std::int64_t>(isolation), e) &&
           config::check_size(prop::max_poll_records, max_poll_records, e) &&
           config::check_size(prop::queued_max_messages_kbytes, queued_max_kbytes, e) &&
           config::check_number(prop::retry_backoff_ms, retry_backoff.count(), e) &&
           config::check_number(prop::metadata_max_age_ms, metadata_max_age.count(), e));
    if (e) return e;
    if (assignment_strategies.empty())
        return config::conflict("partition.assignment.strategy", "partition.assignment.strategy must not be empty");
    for (const std::string& name : assignment_strategies)
        if (!config::check_text(prop::partition_assignment_strategy, name, e)) return e;
    if (!(config::check_size(prop::connections_per_broker, connections_per_broker, e) &&
          config::check_number(prop::reconnect_backoff_ms, reconnect_backoff.count(), e) &&
          config::check_number(prop::reconnect_backoff_max_ms, reconnect_backoff_max.count(), e) &&
          config::check_number(prop::connections_max_idle_ms, connections_max_idle.count(), e)))
        return e;
    if (e = connection.validate(); e) return e;

    // Java's Heartbeat: "Heartbeat must be set lower than the session timeout".
    if (heartbeat_interval >= session_timeout) {
        return config::conflict("heartbeat.interval.ms",
                                "heartbeat.interval.ms (" + std::to_string(heartbeat_interval.count()) +
                                    ") must be lower than session.timeout.ms (" +
                                    std::to_string(session_timeout.count()) + ")");
    }
    // A static member (KIP-345) is a member of a group: there is none without group.id.
    if (!group_instance_id.empty() && group_id.empty())
        return config::conflict("group.instance.id", "group.instance.id needs group.id; group.id is not set");
    return e;
}

namespace consumer_detail {

consumer_config validated(consumer_config c) {
    if (error_info e = c.validate()) throw config_error(std::move(e));
    return c;
}

}  // namespace consumer_detail

}  // namespace kasio

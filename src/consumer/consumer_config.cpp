// consumer_config::set and validate(): the consumer's rows of the property table and Java's
// rules between them; the pool's and connection's rows are net/client_properties.hpp's.
#include "config/member.hpp"
#include "config/properties.hpp"
#include "consumer/config_rules.hpp"
#include "net/client_properties.hpp"

#include <kasio/consumer.hpp>

#include <algorithm>
#include <string>

namespace kasio {
namespace {

using config::prop;

// The consumer's rows and their members, for set() and get() alike.
template <class Config, class F>
bool visit(Config& c, prop id, F&& f) {
    switch (id) {
        case prop::bootstrap_servers: return f(c.bootstrap_servers);
        case prop::group_id: return f(c.group_id);
        case prop::group_instance_id: return f(c.group_instance_id);
        case prop::group_protocol: return f(c.protocol);
        case prop::group_remote_assignor: return f(c.remote_assignor);
        case prop::session_timeout_ms: return f(c.session_timeout);
        case prop::heartbeat_interval_ms: return f(c.heartbeat_interval);
        case prop::max_poll_interval_ms: return f(c.max_poll_interval);
        case prop::partition_assignment_strategy: return f(c.assignment_strategies);
        case prop::enable_auto_commit: return f(c.enable_auto_commit);
        case prop::auto_commit_interval_ms: return f(c.auto_commit_interval);
        case prop::auto_offset_reset: return f(c.auto_offset_reset);
        case prop::fetch_min_bytes: return f(c.fetch_min_bytes);
        case prop::fetch_max_bytes: return f(c.fetch_max_bytes);
        case prop::fetch_max_wait_ms: return f(c.fetch_max_wait);
        case prop::max_partition_fetch_bytes: return f(c.max_partition_fetch_bytes);
        case prop::check_crcs: return f(c.check_crcs);
        case prop::isolation_level: return f(c.isolation);
        case prop::max_poll_records: return f(c.max_poll_records);
        case prop::queued_max_messages_kbytes: return f(c.queued_max_kbytes);
        case prop::retry_backoff_ms: return f(c.retry_backoff);
        case prop::metadata_max_age_ms: return f(c.metadata_max_age);
        case prop::allow_auto_create_topics: return f(c.allow_auto_create_topics);
        default: return false;  // the pool's rows and the connection's: net/client_properties.hpp
    }
}

// visit() as a callable for net::set_client_property and friends.
constexpr auto own_rows = [](auto& c, prop id, auto&& f) { return visit(c, id, f); };

}  // namespace

error_code consumer_config::set(std::string_view name, std::string_view value, error_context& why) {
    return net::set_client_property(*this, name, value, config::clients::consumer, "consumer", own_rows, why);
}

error_code consumer_config::set(std::string_view name, std::string_view value) {
    error_context why;
    return set(name, value, why);
}

std::optional<std::string> consumer_config::get(std::string_view name) const {
    return net::get_client_property(*this, name, config::clients::consumer, own_rows);
}

std::vector<std::pair<std::string, std::string>> consumer_config::dump() const {
    return net::dump_client_properties(*this, config::clients::consumer, own_rows);
}

error_info consumer_config::validate() const {
    error_info e;
    if (!config::check_bootstrap(bootstrap_servers, e)) return e;
    (void)(config::check_number(prop::session_timeout_ms, session_timeout.count(), e) &&
           config::check_number(prop::heartbeat_interval_ms, heartbeat_interval.count(), e) &&
           config::check_choice(prop::group_protocol, static_cast<std::int64_t>(protocol), e) &&
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
    if (!net::check_pool_rows(*this, e)) return e;
    if (e = connection.validate(); e) return e;

    // Java's Heartbeat: "Heartbeat must be set lower than the session timeout".
    if (heartbeat_interval >= session_timeout) {
        return config::conflict("heartbeat.interval.ms",
                                "heartbeat.interval.ms (" + std::to_string(heartbeat_interval.count()) +
                                    ") must be lower than session.timeout.ms (" +
                                    std::to_string(session_timeout.count()) + ")");
    }
    if (protocol == kasio::group_protocol::consumer) {
        // The coordinator decides these under KIP-848; Java's ConsumerConfig refuses them when set.
        // kasio cannot tell a value set to its default from one never set, so only a change is refused.
        const consumer_config defaults;
        auto refuse = [](const char* name) {
            return config::conflict(name, std::string(name) +
                                              " does not apply with group.protocol=consumer: the group coordinator "
                                              "decides it (leave it unset, or use group.protocol=classic)");
        };
        if (session_timeout != defaults.session_timeout) return refuse("session.timeout.ms");
        if (heartbeat_interval != defaults.heartbeat_interval) return refuse("heartbeat.interval.ms");
        if (assignment_strategies != defaults.assignment_strategies) return refuse("partition.assignment.strategy");
    } else if (!remote_assignor.empty()) {
        return config::conflict("group.remote.assignor",
                                "group.remote.assignor needs group.protocol=consumer (classic groups use "
                                "partition.assignment.strategy)");
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

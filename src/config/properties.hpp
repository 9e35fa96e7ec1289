#pragma once
// The property table: every Kafka configuration name kasio takes, with its librdkafka aliases,
// type, range or allowed values, default, the clients that take it and one line of doc
// (librdkafka's rdkafka_conf.c keeps one such table). Every set() parses through parse() below,
// every validate() checks members with check_*(), and docs/CONFIGURATION.md is generated from it
// (kasio-config-doc), so a name, range or default is written once, here.
//
// This is the lowest layer (plain data, no Asio): the connection configuration reads it too.
#include <kasio/error.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kasio::config {

/// One row of the table each; the configurations' set() switch on it.
enum class prop : std::uint8_t {
    // connection_config
    client_id,
    request_timeout_ms,
    socket_connection_setup_timeout_ms,
    max_in_flight,
    receive_message_max_bytes,
    socket_send_buffer_bytes,
    socket_receive_buffer_bytes,
    security_protocol,
    sasl_mechanism,
    sasl_username,
    sasl_password,
    ssl_ca_location,
    ssl_certificate_location,
    ssl_key_location,
    ssl_key_password,
    ssl_endpoint_identification_algorithm,
    debug,
    statistics_interval_ms,
    metrics_enabled,
    // net::pool_config
    connections_per_broker,
    reconnect_backoff_ms,
    reconnect_backoff_max_ms,
    connections_max_idle_ms,
    // both clients
    bootstrap_servers,
    retry_backoff_ms,
    metadata_max_age_ms,
    allow_auto_create_topics,
    // admin_config
    default_api_timeout_ms,
    // producer_config
    acks,
    linger_ms,
    batch_size,
    buffer_memory,
    max_block_ms,
    delivery_timeout_ms,
    retries,
    enable_idempotence,
    compression_type,
    compression_level,
    partitioner,
    metadata_max_idle_ms,
    max_request_size,
    transactional_id,
    transaction_timeout_ms,
    // consumer_config
    group_id,
    group_instance_id,
    group_protocol,
    group_remote_assignor,
    session_timeout_ms,
    heartbeat_interval_ms,
    max_poll_interval_ms,
    partition_assignment_strategy,
    enable_auto_commit,
    auto_commit_interval_ms,
    auto_offset_reset,
    fetch_min_bytes,
    fetch_max_bytes,
    fetch_max_wait_ms,
    max_partition_fetch_bytes,
    check_crcs,
    isolation_level,
    max_poll_records,
    queued_max_messages_kbytes,
};

/// How a value is written. `milliseconds` is an integer documented as a duration; a `list` is
/// comma-separated, each item one of the choices.
enum class value_type : std::uint8_t { integer, milliseconds, boolean, enumeration, string, list };

std::string_view to_string(value_type t) noexcept;

/// Which clients take a property: a set of bits (connection and pool properties: all).
enum class clients : std::uint8_t { producer = 1, consumer = 2, both = 3, admin = 4, all = 7 };

constexpr bool takes(clients c, clients who) noexcept {
    return (static_cast<std::uint8_t>(c) & static_cast<std::uint8_t>(who)) != 0;
}

/// An allowed spelling of an enumeration or list item and the value it stands for; spellings
/// with the same value are synonyms (the first one is the canonical name).
struct choice {
    std::string_view text;
    std::int64_t value;
};

struct property {
    prop id;
    std::string_view name;     ///< Kafka's (Java client's) name
    std::string_view aliases;  ///< librdkafka's other names, comma-separated; may be empty
    value_type type;
    clients who;
    /// integer/ms: the range; string: the length range; list: the number of items.
    std::int64_t lo;
    std::int64_t hi;
    std::span<const choice> choices;  ///< enumeration and list values
    bool case_insensitive;            ///< for choices
    bool secret;                      ///< the value is never echoed in a message
    std::string_view default_text;    ///< as documented; empty for none
    std::string_view doc;
};

/// A name Java or librdkafka takes that kasio does not implement; `name` ending in '*' is a prefix.
struct unsupported_property {
    std::string_view name;
    std::string_view reason;
};

std::span<const property> properties() noexcept;
std::span<const unsupported_property> unsupported_properties() noexcept;

/// The row named `name` (its Kafka name or an alias); nullptr when there is none.
const property* find(std::string_view name) noexcept;
const property& get(prop id) noexcept;
/// The canonical spelling of a choice value ("earliest" for auto.offset.reset 0).
std::string_view choice_name(const property& p, std::int64_t value) noexcept;

/// A parsed value. number: integer, ms, bool (0/1), enumeration (the choice's value); text:
/// string (as given); items: list (each item's choice value, in order, duplicates kept).
struct parsed_value {
    std::int64_t number = 0;
    std::string_view text;
    std::vector<std::int64_t> items;
};

/// Looks `name` up and parses `value` for a client of kind `who` (both: a connection or pool
/// configuration, which any client may hold). On success sets `row` and `out`. Otherwise returns
/// client_errc::invalid_config with why.property and why.message set: "unknown property X",
/// "X is not supported by kasio ...", "X is a producer property, not a consumer one",
/// "linger.ms: 1000000 is out of range 0..900000", "acks: 'foo' is not one of all, -1, 0, 1".
error_code parse(std::string_view name, std::string_view value, clients who, const property*& row,
                 parsed_value& out, error_context& why);

/// For a row that parsed but that this configuration does not hold (a producer name given to
/// connection_config::set): "linger.ms is not a <where> property".
error_code not_held(const property& row, std::string_view name, std::string_view where, error_context& why);

/// Checks a member set directly in a struct against the row's range (integer, ms, string
/// length) or choices, with the same message as parse(). True when it is valid.
bool check_number(prop id, std::int64_t value, error_info& out);
bool check_size(prop id, std::size_t value, error_info& out);
bool check_choice(prop id, std::int64_t value, error_info& out);
bool check_length(prop id, std::string_view value, error_info& out);
/// An enumeration kept as its text in the struct (compression.type): one of the choices.
bool check_text(prop id, std::string_view value, error_info& out);

/// An invalid_config error_info for a rule between properties; `property` is the first named.
error_info conflict(std::string_view property, std::string message);

/// A client configuration's set(): parses `value` for the row `name` names (refused when the
/// client `who` does not take it), applies it to a copy with apply(copy, row, parsed) and keeps
/// the copy only when apply held it, so a refused value leaves `cfg` unchanged.
template <class Config, class Apply>
error_code set_property(Config& cfg, std::string_view name, std::string_view value, clients who,
                        std::string_view where, Apply&& apply, error_context& why) {
    const property* row = nullptr;
    parsed_value v;
    if (auto ec = parse(name, value, who, row, v, why)) return ec;
    Config copy = cfg;
    if (!apply(copy, *row, v)) return not_held(*row, name, where, why);
    cfg = std::move(copy);
    return {};
}

/// A client configuration's get(): the value of the row `name` names, as read(row, out) renders
/// it from the members; "[hidden]" for a secret that is set; nullopt when `who` does not take it.
template <class Read>
std::optional<std::string> get_property(std::string_view name, clients who, Read&& read) {
    const property* row = find(name);
    std::string out;
    if (row == nullptr || !takes(row->who, who) || !read(*row, out)) return std::nullopt;
    if (row->secret && !out.empty()) out = "[hidden]";
    return out;
}

/// A client configuration's dump(): every row `who` takes, by its Kafka name, with get()'s value.
template <class Read>
std::vector<std::pair<std::string, std::string>> dump_properties(clients who, Read&& read) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const property& row : properties()) {
        std::string value;
        if (!takes(row.who, who) || !read(row, value)) continue;
        if (row.secret && !value.empty()) value = "[hidden]";
        out.emplace_back(std::string(row.name), std::move(value));
    }
    return out;
}

/// "name=value, ..." of a dump(), for the debug line a client logs when it starts.
inline std::string describe(const std::vector<std::pair<std::string, std::string>>& dump) {
    std::string out;
    for (const auto& [name, value] : dump) out += (out.empty() ? "" : ", ") + name + "=" + value;
    return out;
}

/// bootstrap.servers refused when it names no server (empty, or only empty entries).
bool check_bootstrap(const std::vector<std::string>& servers, error_info& out);

/// `s` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view s) noexcept;

/// Calls f(item) for each item of a comma-separated list, trimmed, empty ones skipped, until f
/// returns false; returns false when f did. The one reader of list values (properties,
/// aliases, bootstrap.servers).
template <class F>
bool for_each_list_item(std::string_view list, F&& f) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        const std::string_view item = trim(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        if (!item.empty() && !f(item)) return false;
    }
    return true;
}

}  // namespace kasio::config

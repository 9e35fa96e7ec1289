// The property table and its one parser. Names, aliases, ranges and defaults are the Java
// client's (4.x) unless a row's doc says otherwise; aliases are librdkafka's names.
#include "config/properties.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace kasio::config {
namespace {

constexpr std::int64_t i32 = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t i64 = std::numeric_limits<std::int64_t>::max();

constexpr choice security_choices[] = {
    {"plaintext", 0}, {"ssl", 1}, {"sasl_plaintext", 2}, {"sasl_ssl", 3}};
constexpr choice sasl_choices[] = {{"PLAIN", 0}, {"SCRAM-SHA-256", 1}, {"SCRAM-SHA-512", 2}};
constexpr choice endpoint_choices[] = {{"https", 1}, {"none", 0}};
// Values are debug_context bits (include/kasio/log.hpp); "all" is every bit.
constexpr choice debug_choices[] = {{"broker", 1}, {"protocol", 2}, {"feature", 4}, {"all", 7}};
constexpr choice acks_choices[] = {{"all", -1}, {"-1", -1}, {"0", 0}, {"1", 1}};
constexpr choice bool_choices[] = {{"true", 1}, {"false", 0}, {"1", 1}, {"0", 0}};
// Values are compression::codec ids.
constexpr choice codec_choices[] = {{"none", 0}, {"gzip", 1}, {"snappy", 2}, {"lz4", 3}, {"zstd", 4}};
// Values are partitioner_type.
constexpr choice partitioner_choices[] = {{"murmur2_random", 0}, {"default", 0}, {"round_robin", 1}};
constexpr choice assignor_choices[] = {
    {"range", 0},
    {"roundrobin", 1},
    {"cooperative-sticky", 2},
    {"org.apache.kafka.clients.consumer.RangeAssignor", 0},
    {"org.apache.kafka.clients.consumer.RoundRobinAssignor", 1},
    {"org.apache.kafka.clients.consumer.CooperativeStickyAssignor", 2},
};
// Values are offset_reset.
constexpr choice reset_choices[] = {{"earliest", 0}, {"latest", 1},   {"none", 2},  {"smallest", 0},
                                    {"beginning", 0}, {"largest", 1}, {"end", 1},   {"error", 2}};
// Values are isolation_level.
constexpr choice group_protocol_choices[] = {{"classic", 0}, {"consumer", 1}};
constexpr choice isolation_choices[] = {{"read_uncommitted", 0}, {"read_committed", 1}};

using vt = value_type;
constexpr clients P = clients::producer;
constexpr clients C = clients::consumer;
constexpr clients B = clients::both;
constexpr clients A = clients::all;
constexpr clients AD = clients::admin;

// "a producer", "a consumer", "an admin", "a producer or consumer", "a client"; for refusals.
std::string owner_text(clients c) {
    switch (c) {
        case clients::producer: return "a producer";
        case clients::consumer: return "a consumer";
        case clients::admin: return "an admin";
        case clients::both: return "a producer and consumer";
        case clients::all: return "a client";
    }
    return "a client";
}

// clang-format off
constexpr property table[] = {
    // id, name, aliases, type, clients, lo, hi, choices, case-insensitive, secret, default, doc
    {prop::bootstrap_servers, "bootstrap.servers", "metadata.broker.list", vt::string, A, 1, i64, {}, false, false, "",
     "Brokers to start from: host:port entries, comma-separated. Required."},
    {prop::client_id, "client.id", "", vt::string, A, 0, 32767, {}, false, false, "kasio",
     "Sent in every request header; brokers use it in logs and quotas."},
    {prop::request_timeout_ms, "request.timeout.ms", "", vt::milliseconds, A, 1, 900000, {}, false, false, "30000",
     "How long a sent request waits for its response; a timed-out request closes its connection."},
    {prop::socket_connection_setup_timeout_ms, "socket.connection.setup.timeout.ms", "", vt::milliseconds, A, 1000, i32,
     {}, false, false, "30000", "Resolve, TCP connect and the ApiVersions handshake together."},
    {prop::max_in_flight, "max.in.flight.requests.per.connection", "max.in.flight", vt::integer, A, 1, 1000000, {},
     false, false, "5", "Requests written but not yet answered per connection (at most 5 with idempotence)."},
    {prop::receive_message_max_bytes, "receive.message.max.bytes", "", vt::integer, A, 1000, i32, {}, false, false,
     "100000000", "A larger response frame closes the connection before any of it is allocated."},
    {prop::socket_send_buffer_bytes, "socket.send.buffer.bytes", "", vt::integer, A, 0, 100000000, {}, false, false,
     "0", "SO_SNDBUF; 0 keeps the system default."},
    {prop::socket_receive_buffer_bytes, "socket.receive.buffer.bytes", "", vt::integer, A, 0, 100000000, {}, false,
     false, "0", "SO_RCVBUF; 0 keeps the system default."},
    {prop::security_protocol, "security.protocol", "", vt::enumeration, A, 0, 0, security_choices, true, false,
     "plaintext", "How connections are secured (case-insensitive)."},
    {prop::sasl_mechanism, "sasl.mechanism", "sasl.mechanisms", vt::enumeration, A, 0, 0, sasl_choices, false, false,
     "PLAIN", "SASL mechanism for sasl_plaintext and sasl_ssl."},
    {prop::sasl_username, "sasl.username", "", vt::string, A, 0, i64, {}, false, true, "",
     "SASL user name; never logged."},
    {prop::sasl_password, "sasl.password", "", vt::string, A, 0, i64, {}, false, true, "",
     "SASL password; never logged nor put in error text."},
    {prop::ssl_ca_location, "ssl.ca.location", "", vt::string, A, 0, i64, {}, false, false, "",
     "PEM file of the CAs that sign broker certificates; empty: the system's trust store."},
    {prop::ssl_certificate_location, "ssl.certificate.location", "", vt::string, A, 0, i64, {}, false, false, "",
     "PEM client certificate (chain), for brokers that authenticate clients by certificate."},
    {prop::ssl_key_location, "ssl.key.location", "", vt::string, A, 0, i64, {}, false, false, "",
     "PEM private key of ssl.certificate.location."},
    {prop::ssl_key_password, "ssl.key.password", "", vt::string, A, 0, i64, {}, false, true, "",
     "Passphrase of ssl.key.location; never logged nor put in error text."},
    {prop::ssl_endpoint_identification_algorithm, "ssl.endpoint.identification.algorithm", "", vt::enumeration, A, 0, 0,
     endpoint_choices, true, false, "https",
     "https checks that the broker certificate names the host; none skips that check (the chain is still verified)."},
    {prop::debug, "debug", "", vt::list, A, 0, i64, debug_choices, false, false, "",
     "librdkafka's debug contexts kasio logs (raises the log level to debug)."},
    {prop::statistics_interval_ms, "statistics.interval.ms", "", vt::milliseconds, A, 0, 86400000, {}, false, false,
     "0", "How often the statistics callback gets a JSON snapshot of the client's metrics; 0: never (librdkafka's)."},
    {prop::metrics_enabled, "metrics.enabled", "", vt::boolean, A, 0, 0, bool_choices, false, false, "true",
     "Histograms, per-broker counters and hooks; false leaves them out (kasio's own, for measuring their cost)."},
    {prop::connections_per_broker, "connections.per.broker", "", vt::integer, A, 1, 128, {}, false, false, "1",
     "Produce connections per broker, used round-robin (kasio's own)."},
    {prop::reconnect_backoff_ms, "reconnect.backoff.ms", "", vt::milliseconds, A, 0, 3600000, {}, false, false, "50",
     "Wait before reconnecting to a broker; doubles up to reconnect.backoff.max.ms."},
    {prop::reconnect_backoff_max_ms, "reconnect.backoff.max.ms", "", vt::milliseconds, A, 0, 3600000, {}, false, false,
     "1000", "The longest reconnect backoff."},
    {prop::connections_max_idle_ms, "connections.max.idle.ms", "", vt::milliseconds, A, 0, i32, {}, false, false,
     "540000", "A connection with nothing queued or in flight for this long is closed; 0 keeps it."},
    {prop::retry_backoff_ms, "retry.backoff.ms", "", vt::milliseconds, A, 1, 300000, {}, false, false, "100",
     "Wait before retrying a failed batch (producer) or fetching a partition again after an error (consumer)."},
    {prop::metadata_max_age_ms, "metadata.max.age.ms", "", vt::milliseconds, A, 1, 86400000, {}, false, false,
     "300000", "Refresh metadata at least this often."},
    {prop::allow_auto_create_topics, "allow.auto.create.topics", "", vt::boolean, B, 0, 0, bool_choices, false, false,
     "true",
     "Metadata requests let the broker create a topic they name that it does not have (if its "
     "auto.create.topics.enable is on); true as in the Java clients (librdkafka's consumer: false)."},
    {prop::default_api_timeout_ms, "default.api.timeout.ms", "", vt::milliseconds, AD, 1, i32, {}, false, false,
     "60000", "How long an admin operation may take, retries included."},
    {prop::acks, "acks", "request.required.acks", vt::enumeration, P, 0, 0, acks_choices, true, false, "all",
     "Acknowledgements a Produce request waits for: all (-1) in-sync replicas, the leader (1) or none (0)."},
    {prop::linger_ms, "linger.ms", "queue.buffering.max.ms", vt::milliseconds, P, 0, 900000, {}, false, false, "5",
     "How long a batch waits for more records."},
    {prop::batch_size, "batch.size", "", vt::integer, P, 1, i32, {}, false, false, "16384",
     "Bytes per partition batch, uncompressed."},
    {prop::buffer_memory, "buffer.memory", "", vt::integer, P, 1, i64, {}, false, false, "33554432",
     "Bytes of all queued batches; sends wait for memory beyond it."},
    {prop::max_block_ms, "max.block.ms", "", vt::milliseconds, P, 0, i64 / 1000000, {}, false, false, "60000",
     "How long a send waits for buffer memory or topic metadata."},
    {prop::delivery_timeout_ms, "delivery.timeout.ms", "message.timeout.ms", vt::milliseconds, P, 1, i32, {}, false,
     false, "120000", "A record not delivered this long after its send fails."},
    {prop::retries, "retries", "message.send.max.retries", vt::integer, P, 0, i32, {}, false, false, "2147483647",
     "Attempts after the first for a retriable error; 0 disables idempotence unless it is set."},
    {prop::enable_idempotence, "enable.idempotence", "", vt::boolean, P, 0, 0, bool_choices, false, false, "true",
     "Exactly once per partition (KIP-98). Unset, it yields to acks other than all and retries=0; set, those conflicts "
     "are errors. Needs max.in.flight.requests.per.connection <= 5."},
    {prop::compression_type, "compression.type", "compression.codec", vt::enumeration, P, 0, 0, codec_choices, false,
     false, "none", "Codec of produced batches."},
    {prop::compression_level, "compression.level", "", vt::integer, P, -131072, 22, {}, false, false, "",
     "The codec's level (gzip 1..9 or -1, lz4 1..17, zstd -131072..22); unset: the codec's default."},
    {prop::partitioner, "partitioner", "", vt::enumeration, P, 0, 0, partitioner_choices, false, false,
     "murmur2_random", "Placement of records without a partition: murmur2 of the key, sticky for null keys "
     "(KIP-794), or round_robin."},
    {prop::metadata_max_idle_ms, "metadata.max.idle.ms", "", vt::milliseconds, P, 5000, 86400000, {}, false, false,
     "300000", "A topic nothing was sent to this long leaves the Metadata requests until the next send to it."},
    {prop::max_request_size, "max.request.size", "message.max.bytes", vt::integer, P, 1000, 1000000000, {}, false,
     false, "1048576", "The largest Produce request; a larger record fails at once."},
    {prop::transactional_id, "transactional.id", "", vt::string, P, 0, i64, {}, false, false, "",
     "Makes the producer transactional (KIP-98); a newer producer with the same id fences this one. Needs "
     "idempotence. Empty: not transactional."},
    {prop::transaction_timeout_ms, "transaction.timeout.ms", "", vt::milliseconds, P, 1, i32, {}, false, false, "60000",
     "The coordinator aborts a transaction open longer than this (at most the broker's "
     "transaction.max.timeout.ms)."},
    {prop::group_id, "group.id", "", vt::string, C, 0, i64, {}, false, false, "",
     "The consumer group subscribe() joins and offsets are committed to."},
    {prop::group_instance_id, "group.instance.id", "", vt::string, C, 0, i64, {}, false, false, "",
     "Static membership (KIP-345); needs group.id. Empty: a dynamic member."},
    {prop::group_protocol, "group.protocol", "", vt::enumeration, C, 0, 0, group_protocol_choices, false, false,
     "classic", "classic: JoinGroup/SyncGroup, members assign; consumer: KIP-848, the coordinator assigns and "
     "members heartbeat with ConsumerGroupHeartbeat (Kafka 4.0+)."},
    {prop::group_remote_assignor, "group.remote.assignor", "", vt::string, C, 0, i64, {}, false, false, "",
     "group.protocol=consumer: the broker's assignor the group uses (uniform, range); empty: the broker's default."},
    {prop::session_timeout_ms, "session.timeout.ms", "", vt::milliseconds, C, 1, 3600000, {}, false, false, "45000",
     "The coordinator drops a member silent for this long; must exceed heartbeat.interval.ms. "
     "group.protocol=classic only (the broker's group.consumer.session.timeout.ms otherwise)."},
    {prop::heartbeat_interval_ms, "heartbeat.interval.ms", "", vt::milliseconds, C, 1, 3600000, {}, false, false,
     "3000", "Between heartbeats to the coordinator; must be lower than session.timeout.ms. group.protocol=classic "
     "only (the coordinator sets the interval otherwise)."},
    {prop::max_poll_interval_ms, "max.poll.interval.ms", "", vt::milliseconds, C, 1, 86400000, {}, false, false,
     "300000", "A member that does not poll for this long leaves the group; also the rebalance timeout."},
    {prop::partition_assignment_strategy, "partition.assignment.strategy", "", vt::list, C, 1, i64, assignor_choices,
     false, false, "range,cooperative-sticky",
     "Assignors in order of preference (Java class names accepted); cooperative when all are. "
     "group.protocol=classic only (see group.remote.assignor)."},
    {prop::enable_auto_commit, "enable.auto.commit", "", vt::boolean, C, 0, 0, bool_choices, false, false, "true",
     "Commit positions every auto.commit.interval.ms, before a revocation and on close."},
    {prop::auto_commit_interval_ms, "auto.commit.interval.ms", "", vt::milliseconds, C, 0, i32, {}, false, false,
     "5000", "Between automatic commits."},
    {prop::auto_offset_reset, "auto.offset.reset", "", vt::enumeration, C, 0, 0, reset_choices, false, false, "latest",
     "Where a partition without a valid position starts; none fails the poll."},
    {prop::fetch_min_bytes, "fetch.min.bytes", "", vt::integer, C, 1, 100000000, {}, false, false, "1",
     "The broker answers a Fetch once this much data is there."},
    {prop::fetch_max_bytes, "fetch.max.bytes", "", vt::integer, C, 1, 2147483135, {}, false, false, "52428800",
     "Per Fetch response (the first batch may exceed it, KIP-74)."},
    {prop::fetch_max_wait_ms, "fetch.max.wait.ms", "fetch.wait.max.ms", vt::milliseconds, C, 0, 300000, {}, false,
     false, "500", "How long the broker may wait for fetch.min.bytes."},
    {prop::max_partition_fetch_bytes, "max.partition.fetch.bytes", "fetch.message.max.bytes", vt::integer, C, 1,
     1000000000, {}, false, false, "1048576", "Per partition per Fetch."},
    {prop::check_crcs, "check.crcs", "", vt::boolean, C, 0, 0, bool_choices, false, false, "true",
     "Verify record batch CRCs."},
    {prop::isolation_level, "isolation.level", "", vt::enumeration, C, 0, 0, isolation_choices, false, false,
     "read_uncommitted", "read_committed hides aborted and open transactions' records."},
    {prop::max_poll_records, "max.poll.records", "", vt::integer, C, 1, i32, {}, false, false, "500",
     "Records per poll at most."},
    {prop::queued_max_messages_kbytes, "queued.max.messages.kbytes", "", vt::integer, C, 1, 2097151, {}, false, false,
     "65536", "Fetched KiB waiting for poll at most; fetching stops beyond it."},
};
// clang-format on

constexpr unsupported_property unsupported[] = {
    {"interceptor.classes", "no interceptors: wrap async_send and async_poll"},
    {"key.serializer", "records are bytes: serialize in the application"},
    {"value.serializer", "records are bytes: serialize in the application"},
    {"key.deserializer", "records are bytes: deserialize in the application"},
    {"value.deserializer", "records are bytes: deserialize in the application"},
    {"partitioner.class", "use partitioner_type::custom and partition_function"},
    {"sasl.jaas.config", "use sasl.username and sasl.password"},
    {"sasl.kerberos.*", "GSSAPI (Kerberos) is not implemented"},
    {"sasl.oauthbearer.*", "OAUTHBEARER is not implemented"},
    {"sasl.login.*", "no login modules: use sasl.username and sasl.password"},
    {"sasl.client.callback.handler.class", "no callback handlers: use sasl.username and sasl.password"},
    {"ssl.keystore.*", "PEM files only: use ssl.certificate.location and ssl.key.location"},
    {"ssl.truststore.*", "PEM files only: use ssl.ca.location"},
    {"ssl.certificate.pem", "PEM files only: use ssl.certificate.location"},
    {"ssl.key.pem", "PEM files only: use ssl.key.location"},
    {"ssl.ca.pem", "PEM files only: use ssl.ca.location"},
    {"ssl.cipher.suites", "OpenSSL's default ciphers, TLS 1.2 or later"},
    {"ssl.enabled.protocols", "OpenSSL's default ciphers, TLS 1.2 or later"},
    {"client.rack", "fetching from the closest replica (KIP-392) is not implemented"},
    {"metric.reporters", "no metrics reporters: read stats(), or use the kasio_prometheus / kasio_otlp exporters"},
    {"metrics.*", "Java's metric sampling settings: kasio's histograms keep every value (stats())"},
    {"enable.metrics.push", "client telemetry (KIP-714) is not implemented"},
    {"config.providers", "no configuration providers: pass values to set()"},
};

bool equals(std::string_view a, std::string_view b, bool case_insensitive) noexcept {
    if (a.size() != b.size()) return false;
    if (!case_insensitive) return a == b;
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

bool has_alias(const property& p, std::string_view name) noexcept {
    return !for_each_list_item(p.aliases, [&](std::string_view alias) { return alias != name; });
}

std::string choice_list(const property& p) {
    std::string out;
    for (const choice& c : p.choices) {
        if (!out.empty()) out += ", ";
        out += c.text;
    }
    return out;
}

const choice* find_choice(const property& p, std::string_view text) noexcept {
    for (const choice& c : p.choices)
        if (equals(c.text, text, p.case_insensitive)) return &c;
    return nullptr;
}

error_code fail(std::string_view property, std::string message, error_context& why) {
    why.property = property;
    why.message = std::move(message);
    return client_errc::invalid_config;
}

std::string quoted(const property& p, std::string_view value) {
    if (p.secret) return "(the value given)";
    return "'" + std::string(value) + "'";
}

std::string out_of_range(std::string_view name, std::int64_t v, const property& p) {
    return std::string(name) + ": " + std::to_string(v) + " is out of range " + std::to_string(p.lo) + ".." +
           std::to_string(p.hi);
}

// The value checks shared by parse() and check_*(): message in `why`, false when refused.
bool check_in_range(const property& p, std::string_view name, std::int64_t v, error_context& why) {
    if (v >= p.lo && v <= p.hi) return true;
    fail(p.name, out_of_range(name, v, p), why);
    return false;
}

bool check_string(const property& p, std::string_view name, std::string_view v, error_context& why) {
    const auto n = static_cast<std::int64_t>(v.size());
    if (n == 0 && p.lo > 0) {
        fail(p.name, std::string(name) + " must not be empty", why);
        return false;
    }
    if (n > p.hi) {
        fail(p.name, std::string(name) + ": " + std::to_string(n) + " characters, more than " + std::to_string(p.hi),
             why);
        return false;
    }
    return true;
}

}  // namespace

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string_view to_string(value_type t) noexcept {
    switch (t) {
        case value_type::integer: return "int";
        case value_type::milliseconds: return "ms";
        case value_type::boolean: return "bool";
        case value_type::enumeration: return "enum";
        case value_type::string: return "string";
        case value_type::list: return "list";
    }
    return "?";
}

std::span<const property> properties() noexcept { return table; }
std::span<const unsupported_property> unsupported_properties() noexcept { return unsupported; }

const property* find(std::string_view name) noexcept {
    for (const property& p : table)
        if (p.name == name || has_alias(p, name)) return &p;
    return nullptr;
}

const property& get(prop id) noexcept {
    // The table lists every prop once; a missing one is a bug caught by properties_test.
    for (const property& p : table)
        if (p.id == id) return p;
    return table[0];
}

std::string_view choice_name(const property& p, std::int64_t value) noexcept {
    for (const choice& c : p.choices)
        if (c.value == value) return c.text;
    return {};
}

error_code parse(std::string_view name, std::string_view value, clients who, const property*& row, parsed_value& out,
                 error_context& why) {
    const property* p = find(name);
    if (p == nullptr) {
        for (const unsupported_property& u : unsupported) {
            const bool prefix = u.name.ends_with('*');
            if (prefix ? name.starts_with(u.name.substr(0, u.name.size() - 1)) : name == u.name)
                return fail(name, std::string(name) + " is not supported by kasio (" + std::string(u.reason) + ")",
                            why);
        }
        return fail(name, "unknown property " + std::string(name), why);
    }
    if (!takes(p->who, who)) {
        return fail(p->name, std::string(name) + " is " + owner_text(p->who) + " property, not " + owner_text(who) + " one",
                    why);
    }
    parsed_value v;
    switch (p->type) {
        case value_type::integer:
        case value_type::milliseconds: {
            const std::string_view t = trim(value);
            std::int64_t n = 0;
            const char* end = t.data() + t.size();
            auto [at, ec] = std::from_chars(t.data(), end, n);
            if (ec == std::errc::result_out_of_range)
                return fail(p->name, std::string(name) + ": " + std::string(t) + " is out of range " +
                                         std::to_string(p->lo) + ".." + std::to_string(p->hi),
                            why);
            if (t.empty() || ec != std::errc{} || at != end)
                return fail(p->name, std::string(name) + ": " + quoted(*p, value) + " is not an integer", why);
            if (!check_in_range(*p, name, n, why)) return client_errc::invalid_config;
            v.number = n;
            break;
        }
        case value_type::boolean:
        case value_type::enumeration: {
            const choice* c = find_choice(*p, trim(value));
            if (c == nullptr)
                return fail(p->name, std::string(name) + ": " + quoted(*p, value) + " is not one of " + choice_list(*p),
                            why);
            v.number = c->value;
            break;
        }
        case value_type::string:
            if (!check_string(*p, name, value, why)) return client_errc::invalid_config;
            v.text = value;
            break;
        case value_type::list: {
            std::string_view unknown;
            for_each_list_item(value, [&](std::string_view item) {
                const choice* c = find_choice(*p, item);
                if (c == nullptr) unknown = item;
                else v.items.push_back(c->value);
                return c != nullptr;
            });
            if (!unknown.empty())
                return fail(p->name, std::string(name) + ": " + quoted(*p, unknown) + " is not one of " + choice_list(*p),
                            why);
            if (static_cast<std::int64_t>(v.items.size()) < p->lo)
                return fail(p->name, std::string(name) + " needs at least one of " + choice_list(*p), why);
            break;
        }
    }
    row = p;
    out = std::move(v);
    return {};
}

bool check_bootstrap(const std::vector<std::string>& servers, error_info& out) {
    if (std::any_of(servers.begin(), servers.end(), [](const std::string& s) { return !s.empty(); })) return true;
    out = conflict("bootstrap.servers", "bootstrap.servers must not be empty");
    return false;
}

error_code not_held(const property& row, std::string_view name, std::string_view where, error_context& why) {
    return fail(row.name, std::string(name) + " is not a " + std::string(where) + " property", why);
}

bool check_number(prop id, std::int64_t value, error_info& out) {
    const property& p = get(id);
    if (check_in_range(p, p.name, value, out.context)) return true;
    out.code = client_errc::invalid_config;
    return false;
}

bool check_size(prop id, std::size_t value, error_info& out) {
    const auto v = value > static_cast<std::size_t>(i64) ? i64 : static_cast<std::int64_t>(value);
    return check_number(id, v, out);
}

bool check_choice(prop id, std::int64_t value, error_info& out) {
    const property& p = get(id);
    if (std::any_of(p.choices.begin(), p.choices.end(), [&](const choice& c) { return c.value == value; }))
        return true;
    out.code = fail(p.name, std::string(p.name) + ": " + std::to_string(value) + " is not one of " + choice_list(p),
                    out.context);
    return false;
}

bool check_length(prop id, std::string_view value, error_info& out) {
    const property& p = get(id);
    if (check_string(p, p.name, value, out.context)) return true;
    out.code = client_errc::invalid_config;
    return false;
}

bool check_text(prop id, std::string_view value, error_info& out) {
    const property& p = get(id);
    if (find_choice(p, value) != nullptr) return true;
    out.code = fail(p.name, std::string(p.name) + ": " + quoted(p, value) + " is not one of " + choice_list(p),
                    out.context);
    return false;
}

error_info conflict(std::string_view property, std::string message) {
    error_info e;
    e.code = client_errc::invalid_config;
    e.context.property = property;
    e.context.message = std::move(message);
    return e;
}

}  // namespace kasio::config

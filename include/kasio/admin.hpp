#pragma once
/// @file
/// The kasio admin client: topics, partitions, configurations, offsets, consumer groups, ACLs,
/// leaders and reassignments, log directories, producers, transactions and SCRAM users, with
/// operations named after the Java Admin client's (createTopics -> async_create_topics).
///
/// Each operation sends its requests to the brokers that must answer them: the controller for
/// topic creation and deletion, the broker itself for its own configuration, partition leaders
/// for offsets and record deletion, a group's coordinator for the group. Items going to one
/// broker share one request. Each result item has its own error and the broker's message;
/// errors that retrying can fix (a coordinator or leader moving, a controller being elected, a
/// broker down) are retried, after retry.backoff.ms, until default.api.timeout.ms has passed
/// since the call; an item still failing then gets client_errc::timed_out with the last error in
/// its message.
///
/// Every operation's handler is `void(kasio::error_code, Result)`. The error_code is the first
/// item's error, in the order asked (Java's `all()`), or the operation's own failure; the items
/// are returned either way.
///
/// @par Executor
/// Handlers run on their associated executor; the admin's strand for a handler without one.
///
/// @par Thread safety
/// Any member may be called from any thread, operations overlap freely.
///
/// @par Cancellation
/// Any type, for every operation: it completes at once with operation_aborted and no items.
/// Requests already sent are not undone (a topic may still be created).
#include <kasio/admin_cluster_types.hpp>
#include <kasio/admin_types.hpp>
#include <kasio/config.hpp>
#include <kasio/detail/nodiscard_op.hpp>
#include <kasio/error.hpp>
#include <kasio/metrics.hpp>
#include <kasio/metadata.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kasio {

/// Configuration of an admin client. set() takes the Java/librdkafka property names; names it
/// does not know go to the connection configuration (client.id, request.timeout.ms, debug, ...).
struct admin_config {
    /// `bootstrap.servers`: "host:port" entries, each possibly a comma-separated list.
    std::vector<std::string> bootstrap_servers;
    /// `default.api.timeout.ms`: how long an operation may take, retries included (default
    /// 60000, as Java's Admin).
    std::chrono::milliseconds default_api_timeout{60000};
    /// `retry.backoff.ms`: wait before retrying a request that failed with a retriable error.
    std::chrono::milliseconds retry_backoff{100};
    /// `metadata.max.age.ms`: refresh the broker list at least this often (default 300000).
    std::chrono::milliseconds metadata_max_age{300000};
    /// Connection settings: client.id, request.timeout.ms, security, debug, log, ...
    connection_config connection;
    /// `connections.per.broker`: connections per broker (1..128; the admin uses one).
    std::size_t connections_per_broker = 1;
    /// `reconnect.backoff.ms`: wait before reconnecting to a broker; doubles after each failure.
    std::chrono::milliseconds reconnect_backoff{50};
    /// `reconnect.backoff.max.ms`: the longest reconnect wait.
    std::chrono::milliseconds reconnect_backoff_max{1000};
    /// `connections.max.idle.ms`: a connection idle this long is closed (default 300000, as
    /// Java's Admin; 0 keeps it).
    std::chrono::milliseconds connections_max_idle{300000};

    /// Sets the member named by its Kafka property name or librdkafka alias from its text form
    /// (docs/CONFIGURATION.md). Returns client_errc::invalid_config for an unknown name, a
    /// producer or consumer property, or a bad or out-of-range value, leaving the configuration
    /// unchanged; `why` then names the property and the fault.
    error_code set(std::string_view name, std::string_view value, error_context& why);
    /// As set(name, value, why), without the explanation.
    error_code set(std::string_view name, std::string_view value);
    /// The value of an admin property in the text set() takes; "[hidden]" for a secret that is
    /// set. nullopt for a name that is not an admin property.
    std::optional<std::string> get(std::string_view name) const;
    /// Every admin property by its Kafka name with get()'s value.
    std::vector<std::pair<std::string, std::string>> dump() const;
    /// Checks every member against its property's range and that bootstrap.servers is not
    /// empty. Empty when valid; the admin's constructor throws it otherwise.
    error_info validate() const;
};

/// What admin::stats() returns.
struct admin_stats {
    std::vector<broker_metrics> brokers;  ///< empty with metrics.enabled=false
};

/// An admin client: one connection pool to the cluster, shared by every operation.
///
/// Destroying it closes its connections; operations still pending complete with
/// operation_aborted.
class admin {
public:
    /// The executor the admin runs on.
    using executor_type = boost::asio::any_io_executor;

    /// Starts connecting to bootstrap.servers in the background. Throws config_error when the
    /// configuration is refused (see admin_config::validate()).
    admin(executor_type ex, admin_config config);
    /// Closes the connections; pending operations complete with operation_aborted.
    ~admin();
    admin(const admin&) = delete;
    admin& operator=(const admin&) = delete;

    /// The executor given to the constructor.
    executor_type get_executor() const noexcept;

    /// The type-erased handler of an operation returning items of type T.
    template <class T>
    using items_handler = boost::asio::any_completion_handler<void(error_code, std::vector<T>)>;

    // ---- Topics and partitions

    /// Creates topics (CreateTopics, to the controller). Per topic: topic_already_exists,
    /// invalid_partitions, invalid_replication_factor, invalid_config (an unknown or bad topic
    /// configuration), policy_violation, ... with the broker's message.
    template <boost::asio::completion_token_for<void(error_code, std::vector<created_topic>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_create_topics(std::vector<new_topic> topics, create_options options,
                                                Token&& token = {}) {
        return initiate<created_topic>(token, &admin::start_create_topics, std::move(topics), options);
    }
    /// As above with default options.
    template <boost::asio::completion_token_for<void(error_code, std::vector<created_topic>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_create_topics(std::vector<new_topic> topics, Token&& token = {}) {
        return async_create_topics(std::move(topics), create_options{}, std::forward<Token>(token));
    }

    /// Deletes topics by name (DeleteTopics, to the controller). Per topic:
    /// unknown_topic_or_partition, topic_deletion_disabled, ...
    template <boost::asio::completion_token_for<void(error_code, std::vector<topic_outcome>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_delete_topics(std::vector<std::string> names, Token&& token = {}) {
        return initiate<topic_outcome>(token, &admin::start_delete_topics, std::move(names));
    }

    /// Adds partitions to topics (CreatePartitions, to the controller). Per topic:
    /// invalid_partitions (not more than now), invalid_replica_assignment, ...
    template <boost::asio::completion_token_for<void(error_code, std::vector<topic_outcome>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_create_partitions(std::vector<new_partitions> partitions, create_options options,
                                                    Token&& token = {}) {
        return initiate<topic_outcome>(token, &admin::start_create_partitions, std::move(partitions), options);
    }
    /// As above with default options.
    template <boost::asio::completion_token_for<void(error_code, std::vector<topic_outcome>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_create_partitions(std::vector<new_partitions> partitions, Token&& token = {}) {
        return async_create_partitions(std::move(partitions), create_options{}, std::forward<Token>(token));
    }

    /// The cluster's topics, sorted by name (Metadata for all topics).
    template <boost::asio::completion_token_for<void(error_code, std::vector<topic_listing>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_list_topics(list_topics_options options, Token&& token = {}) {
        return initiate<topic_listing>(token, &admin::start_list_topics, options);
    }
    /// As above without internal topics.
    template <boost::asio::completion_token_for<void(error_code, std::vector<topic_listing>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_list_topics(Token&& token = {}) {
        return async_list_topics(list_topics_options{}, std::forward<Token>(token));
    }

    /// The partitions of these topics with leaders, replicas and in-sync replicas, in the order
    /// asked (Metadata). A topic the cluster does not have: unknown_topic_or_partition in its
    /// topic_description::error. Leaderless partitions are reported as they are, not retried.
    template <boost::asio::completion_token_for<void(error_code, std::vector<topic_description>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_describe_topics(std::vector<std::string> names, Token&& token = {}) {
        return initiate<topic_description>(token, &admin::start_describe_topics, std::move(names));
    }

    /// The cluster id, the controller and the brokers (DescribeCluster when the brokers have
    /// it, Metadata otherwise). Handler: `void(error_code, cluster_description)`.
    template <boost::asio::completion_token_for<void(error_code, cluster_description)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_describe_cluster(Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(error_code, cluster_description)>(
            [this](auto handler) { start_describe_cluster(cluster_handler(std::move(handler))); }, token);
    }

    // ---- Configurations

    /// The configuration of topics and brokers (DescribeConfigs: broker resources to that
    /// broker, topics to any), in the order asked, entries sorted by name.
    template <boost::asio::completion_token_for<void(error_code, std::vector<config_description>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_describe_configs(std::vector<config_resource> resources,
                                                   describe_configs_options options, Token&& token = {}) {
        return initiate<config_description>(token, &admin::start_describe_configs, std::move(resources), options);
    }
    /// As above with default options.
    template <boost::asio::completion_token_for<void(error_code, std::vector<config_description>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_describe_configs(std::vector<config_resource> resources, Token&& token = {}) {
        return async_describe_configs(std::move(resources), describe_configs_options{}, std::forward<Token>(token));
    }

    /// Sets, deletes, appends to or subtracts from configuration values
    /// (IncrementalAlterConfigs: a broker's to that broker, the rest to any broker). Per
    /// resource: invalid_config (unknown name, bad value; the message names it),
    /// unknown_topic_or_partition, ...
    template <boost::asio::completion_token_for<void(error_code, std::vector<config_outcome>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_incremental_alter_configs(std::vector<config_alteration> alterations,
                                                            create_options options, Token&& token = {}) {
        return initiate<config_outcome>(token, &admin::start_alter_configs, std::move(alterations), options);
    }
    /// As above with default options.
    template <boost::asio::completion_token_for<void(error_code, std::vector<config_outcome>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_incremental_alter_configs(std::vector<config_alteration> alterations,
                                                            Token&& token = {}) {
        return async_incremental_alter_configs(std::move(alterations), create_options{}, std::forward<Token>(token));
    }

    // ---- Offsets and records

    /// Offsets by spec (ListOffsets to each partition's leader), in the order asked.
    template <boost::asio::completion_token_for<void(error_code, std::vector<partition_offsets>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_list_offsets(std::vector<offset_query> queries, list_offsets_options options,
                                               Token&& token = {}) {
        return initiate<partition_offsets>(token, &admin::start_list_offsets, std::move(queries), options);
    }
    /// As above, read_uncommitted.
    template <boost::asio::completion_token_for<void(error_code, std::vector<partition_offsets>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_list_offsets(std::vector<offset_query> queries, Token&& token = {}) {
        return async_list_offsets(std::move(queries), list_offsets_options{}, std::forward<Token>(token));
    }

    /// Deletes the records before each offset (partition_offset::offset; -1: up to the high
    /// watermark), with DeleteRecords to each leader. Per partition: the new low watermark or
    /// offset_out_of_range, policy_violation, ...
    template <boost::asio::completion_token_for<void(error_code, std::vector<deleted_records>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_delete_records(std::vector<partition_offset> before, Token&& token = {}) {
        return initiate<deleted_records>(token, &admin::start_delete_records, std::move(before));
    }

    // ---- Consumer groups

    /// The groups of every broker's coordinator (ListGroups to each broker), sorted by id.
    template <boost::asio::completion_token_for<void(error_code, std::vector<group_listing>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_list_groups(list_groups_options options, Token&& token = {}) {
        return initiate<group_listing>(token, &admin::start_list_groups, std::move(options));
    }
    /// As above, every group.
    template <boost::asio::completion_token_for<void(error_code, std::vector<group_listing>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_list_groups(Token&& token = {}) {
        return async_list_groups(list_groups_options{}, std::forward<Token>(token));
    }

    /// Describes groups, in the order asked: consumer-protocol groups with
    /// ConsumerGroupDescribe, classic ones with DescribeGroups, at each group's coordinator.
    /// A group nobody uses: state "Dead" (classic) or group_id_not_found.
    template <boost::asio::completion_token_for<void(error_code, std::vector<group_description>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_describe_groups(std::vector<std::string> group_ids, Token&& token = {}) {
        return initiate<group_description>(token, &admin::start_describe_groups, std::move(group_ids));
    }

    /// Deletes groups and their offsets (DeleteGroups at each coordinator). Per group:
    /// non_empty_group while it has members, group_id_not_found, ...
    template <boost::asio::completion_token_for<void(error_code, std::vector<group_outcome>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_delete_groups(std::vector<std::string> group_ids, Token&& token = {}) {
        return initiate<group_outcome>(token, &admin::start_delete_groups, std::move(group_ids));
    }

    /// A group's committed offsets (OffsetFetch at its coordinator): of these partitions, or of
    /// every partition it has committed when empty; sorted by topic and partition.
    template <boost::asio::completion_token_for<void(error_code, std::vector<committed_offset>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_list_consumer_group_offsets(std::string group_id,
                                                              std::vector<topic_partition> partitions,
                                                              Token&& token = {}) {
        return initiate<committed_offset>(token, &admin::start_list_group_offsets, std::move(group_id),
                                          std::move(partitions));
    }

    /// Commits offsets for a group that has no active member (OffsetCommit at its
    /// coordinator, as Java's alterConsumerGroupOffsets). Per partition:
    /// unknown_member_id while the group has members, ...
    template <boost::asio::completion_token_for<void(error_code, std::vector<partition_outcome>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_alter_consumer_group_offsets(std::string group_id,
                                                               std::vector<partition_offset> offsets,
                                                               Token&& token = {}) {
        return initiate<partition_outcome>(token, &admin::start_alter_group_offsets, std::move(group_id),
                                           std::move(offsets));
    }

    /// Deletes a group's committed offsets of these partitions (OffsetDelete). Per partition:
    /// group_subscribed_to_topic while a member consumes it, ...
    template <boost::asio::completion_token_for<void(error_code, std::vector<partition_outcome>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_delete_consumer_group_offsets(std::string group_id,
                                                                std::vector<topic_partition> partitions,
                                                                Token&& token = {}) {
        return initiate<partition_outcome>(token, &admin::start_delete_group_offsets, std::move(group_id),
                                           std::move(partitions));
    }

    // ---- ACLs

    /// Creates ACLs (CreateAcls). Per ACL: invalid_request (e.g. a pattern type filters only
    /// use), security_disabled without an authorizer, cluster_authorization_failed, ...
    template <boost::asio::completion_token_for<void(error_code, std::vector<acl_outcome>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_create_acls(std::vector<acl_binding> acls, Token&& token = {}) {
        return initiate<acl_outcome>(token, &admin::start_create_acls, std::move(acls));
    }
    /// The ACLs that match a filter (DescribeAcls), sorted. The error: the broker's
    /// (security_disabled, cluster_authorization_failed).
    template <boost::asio::completion_token_for<void(error_code, std::vector<acl_binding>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_describe_acls(acl_filter filter, Token&& token = {}) {
        return initiate<acl_binding>(token, &admin::start_describe_acls, std::move(filter));
    }
    /// Deletes the ACLs matching each filter (DeleteAcls); per filter, the ACLs removed.
    template <boost::asio::completion_token_for<void(error_code, std::vector<deleted_acls>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_delete_acls(std::vector<acl_filter> filters, Token&& token = {}) {
        return initiate<deleted_acls>(token, &admin::start_delete_acls, std::move(filters));
    }

    // ---- Leaders, replicas, log directories

    /// Elects leaders (ElectLeaders) of these partitions, or of every partition when empty.
    /// Per partition: election_not_needed when the leader is already the one asked for,
    /// eligible_leaders_not_available, ...
    template <boost::asio::completion_token_for<void(error_code, std::vector<partition_outcome>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_elect_leaders(election_type type, std::vector<topic_partition> partitions,
                                                Token&& token = {}) {
        return initiate<partition_outcome>(token, &admin::start_elect_leaders, type, std::move(partitions));
    }
    /// Moves partitions to new replicas, or cancels a move (AlterPartitionReassignments).
    /// Per partition: no_reassignment_in_progress (a cancel with none), invalid_replica_assignment, ...
    template <boost::asio::completion_token_for<void(error_code, std::vector<partition_outcome>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_alter_partition_reassignments(std::vector<reassignment_target> targets,
                                                                Token&& token = {}) {
        return initiate<partition_outcome>(token, &admin::start_alter_reassignments, std::move(targets));
    }
    /// The reassignments in progress (ListPartitionReassignments), of these partitions or of
    /// all when empty; sorted.
    template <boost::asio::completion_token_for<void(error_code, std::vector<partition_reassignment>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_list_partition_reassignments(std::vector<topic_partition> partitions,
                                                               Token&& token = {}) {
        return initiate<partition_reassignment>(token, &admin::start_list_reassignments, std::move(partitions));
    }
    /// The log directories of these brokers (every broker when empty) with their replicas
    /// (DescribeLogDirs to each broker); sorted by broker and path. A broker that fails: one
    /// item with its error and no path.
    template <boost::asio::completion_token_for<void(error_code, std::vector<log_dir_description>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_describe_log_dirs(std::vector<std::int32_t> brokers, Token&& token = {}) {
        return initiate<log_dir_description>(token, &admin::start_describe_log_dirs, std::move(brokers));
    }

    // ---- Producers and transactions

    /// The producers writing to these partitions, as each leader knows them
    /// (DescribeProducers), in the order asked.
    template <boost::asio::completion_token_for<void(error_code, std::vector<partition_producers>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_describe_producers(std::vector<topic_partition> partitions, Token&& token = {}) {
        return initiate<partition_producers>(token, &admin::start_describe_producers, std::move(partitions));
    }
    /// Every coordinator's transactions (ListTransactions to each broker), sorted by id.
    template <boost::asio::completion_token_for<void(error_code, std::vector<transaction_listing>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_list_transactions(list_transactions_options options, Token&& token = {}) {
        return initiate<transaction_listing>(token, &admin::start_list_transactions, std::move(options));
    }
    /// Describes transactions at their coordinators (DescribeTransactions), in the order asked.
    template <boost::asio::completion_token_for<void(error_code, std::vector<transaction_description>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_describe_transactions(std::vector<std::string> transactional_ids,
                                                        Token&& token = {}) {
        return initiate<transaction_description>(token, &admin::start_describe_transactions,
                                                 std::move(transactional_ids));
    }

    // ---- SCRAM credentials

    /// The SCRAM credentials of these users, or of every user with one when empty
    /// (DescribeUserScramCredentials). A user without any: resource_not_found.
    template <boost::asio::completion_token_for<void(error_code, std::vector<user_scram_description>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_describe_user_scram_credentials(std::vector<std::string> users, Token&& token = {}) {
        return initiate<user_scram_description>(token, &admin::start_describe_scram, std::move(users));
    }
    /// Adds, replaces and removes SCRAM credentials (AlterUserScramCredentials); one item per
    /// user named. The passwords are salted and hashed before they leave the client. A broker
    /// takes one change per user per request: a user named twice gets duplicate_resource.
    template <boost::asio::completion_token_for<void(error_code, std::vector<user_outcome>)> Token =
                  boost::asio::deferred_t>
    KASIO_NODISCARD_OP auto async_alter_user_scram_credentials(std::vector<scram_upsertion> upsertions,
                                                               std::vector<scram_deletion> deletions,
                                                               Token&& token = {}) {
        return initiate<user_outcome>(token, &admin::start_alter_scram, std::move(upsertions), std::move(deletions));
    }

    /// The last error an operation completed with, with its context; empty before any.
    error_info last_error() const;

    /// Every broker's connection metrics (kasio/metrics.hpp): requests and latency by API,
    /// bytes, connects, failures. Thread safety: any thread.
    admin_stats stats() const;
    /// The statistics the statistics callback gets (statistics.interval.ms) as JSON: the
    /// header and `brokers` of docs/observability.md, type "admin". Thread safety: any thread.
    std::string statistics_json() const;

private:
    struct impl;  // src/admin/admin_impl.hpp
    using cluster_handler = boost::asio::any_completion_handler<void(error_code, cluster_description)>;

    // Wraps the handler into items_handler<T> and calls (this->*start)(args..., handler).
    template <class T, class Token, class Start, class... Args>
    auto initiate(Token& token, Start start, Args&&... args) {
        return boost::asio::async_initiate<Token, void(error_code, std::vector<T>)>(
            [this, start](auto handler, auto... a) { (this->*start)(std::move(a)..., items_handler<T>(std::move(handler))); },
            token, std::forward<Args>(args)...);
    }

    void start_create_topics(std::vector<new_topic> topics, create_options options, items_handler<created_topic> h);
    void start_delete_topics(std::vector<std::string> names, items_handler<topic_outcome> h);
    void start_create_partitions(std::vector<new_partitions> partitions, create_options options,
                                 items_handler<topic_outcome> h);
    void start_list_topics(list_topics_options options, items_handler<topic_listing> h);
    void start_describe_topics(std::vector<std::string> names, items_handler<topic_description> h);
    void start_describe_cluster(cluster_handler h);
    void start_describe_configs(std::vector<config_resource> resources, describe_configs_options options,
                                items_handler<config_description> h);
    void start_alter_configs(std::vector<config_alteration> alterations, create_options options,
                             items_handler<config_outcome> h);
    void start_list_offsets(std::vector<offset_query> queries, list_offsets_options options,
                            items_handler<partition_offsets> h);
    void start_delete_records(std::vector<partition_offset> before, items_handler<deleted_records> h);
    void start_list_groups(list_groups_options options, items_handler<group_listing> h);
    void start_describe_groups(std::vector<std::string> ids, items_handler<group_description> h);
    void start_delete_groups(std::vector<std::string> ids, items_handler<group_outcome> h);
    void start_list_group_offsets(std::string group, std::vector<topic_partition> partitions,
                                  items_handler<committed_offset> h);
    void start_alter_group_offsets(std::string group, std::vector<partition_offset> offsets,
                                   items_handler<partition_outcome> h);
    void start_delete_group_offsets(std::string group, std::vector<topic_partition> partitions,
                                    items_handler<partition_outcome> h);

    void start_create_acls(std::vector<acl_binding> acls, items_handler<acl_outcome> h);
    void start_describe_acls(acl_filter filter, items_handler<acl_binding> h);
    void start_delete_acls(std::vector<acl_filter> filters, items_handler<deleted_acls> h);
    void start_elect_leaders(election_type type, std::vector<topic_partition> partitions,
                             items_handler<partition_outcome> h);
    void start_alter_reassignments(std::vector<reassignment_target> targets, items_handler<partition_outcome> h);
    void start_list_reassignments(std::vector<topic_partition> partitions, items_handler<partition_reassignment> h);
    void start_describe_log_dirs(std::vector<std::int32_t> brokers, items_handler<log_dir_description> h);
    void start_describe_producers(std::vector<topic_partition> partitions, items_handler<partition_producers> h);
    void start_list_transactions(list_transactions_options options, items_handler<transaction_listing> h);
    void start_describe_transactions(std::vector<std::string> ids, items_handler<transaction_description> h);
    void start_describe_scram(std::vector<std::string> users, items_handler<user_scram_description> h);
    void start_alter_scram(std::vector<scram_upsertion> upsertions, std::vector<scram_deletion> deletions,
                           items_handler<user_outcome> h);

    std::shared_ptr<impl> impl_;
};

}  // namespace kasio

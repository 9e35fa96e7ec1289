#pragma once
/// @file
/// What kasio::admin's cluster-keeping operations take and return: ACLs, leader elections,
/// partition reassignments, log directories, producers and transactions seen by the brokers,
/// and SCRAM credentials; named after the Java Admin client's classes (AclBinding,
/// PartitionReassignment, LogDirDescription, ProducerState, TransactionDescription,
/// UserScramCredentialsDescription). Plain values, like admin_types.hpp's.
#include <kasio/error.hpp>
#include <kasio/topic_partition.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kasio {

// ---- ACLs

/// What an ACL protects (Java's ResourceType).
enum class acl_resource_type : std::int8_t {
    unknown = 0,
    any = 1,  ///< filters only
    topic = 2,
    group = 3,
    cluster = 4,  ///< name "kafka-cluster"
    transactional_id = 5,
    delegation_token = 6,
    user = 7,
};

/// How an ACL's resource name matches (Java's PatternType).
enum class acl_pattern_type : std::int8_t {
    unknown = 0,
    any = 1,    ///< filters only: literal or prefixed
    match = 2,  ///< filters only: every ACL that applies to the name
    literal = 3,
    prefixed = 4,
};

/// What an ACL allows or denies (Java's AclOperation).
enum class acl_operation : std::int8_t {
    unknown = 0,
    any = 1,  ///< filters only
    all = 2,
    read = 3,
    write = 4,
    create = 5,
    remove = 6,  ///< DELETE
    alter = 7,
    describe = 8,
    cluster_action = 9,
    describe_configs = 10,
    alter_configs = 11,
    idempotent_write = 12,
    create_tokens = 13,
    describe_tokens = 14,
    two_phase_commit = 15,
};

/// Allow or deny (Java's AclPermissionType).
enum class acl_permission : std::int8_t { unknown = 0, any = 1, deny = 2, allow = 3 };

/// One ACL (Java's AclBinding): principal may (not) do operation on the resource from host.
struct acl_binding {
    acl_resource_type resource_type = acl_resource_type::topic;  ///< what it protects
    std::string resource_name;                         ///< its name (or prefix)
    acl_pattern_type pattern = acl_pattern_type::literal;  ///< literal or prefixed
    std::string principal;                             ///< e.g. "User:alice"
    std::string host = "*";                            ///< "*": any host
    acl_operation operation = acl_operation::read;     ///< what it is about
    acl_permission permission = acl_permission::allow;  ///< allow or deny
    /// Field by field.
    friend bool operator==(const acl_binding&, const acl_binding&) = default;
};

/// Which ACLs to describe or delete (Java's AclBindingFilter); unset fields match any.
struct acl_filter {
    acl_resource_type resource_type = acl_resource_type::any;  ///< any, or one type
    std::optional<std::string> resource_name;                  ///< nullopt: any name
    acl_pattern_type pattern = acl_pattern_type::any;          ///< any, match, literal, prefixed
    std::optional<std::string> principal;                      ///< nullopt: any principal
    std::optional<std::string> host;                           ///< nullopt: any host
    acl_operation operation = acl_operation::any;              ///< any, or one operation
    acl_permission permission = acl_permission::any;           ///< any, allow or deny
};

/// One ACL's outcome of async_create_acls, or one ACL async_delete_acls removed.
struct acl_outcome {
    acl_binding acl;      ///< as asked, or as deleted
    error_code error;     ///< e.g. broker_errc::invalid_request, cluster_authorization_failed
    std::string message;  ///< the broker's message, or Kafka's description
};

/// One filter's outcome of async_delete_acls: the ACLs it removed.
struct deleted_acls {
    acl_filter filter;    ///< as asked
    error_code error;     ///< the filter's own error
    std::string message;  ///< the broker's message, or Kafka's description
    std::vector<acl_outcome> deleted;  ///< the ACLs that matched, each with its own outcome
};

// ---- Leaders and replicas

/// Which leader an election picks (Java's ElectionType).
enum class election_type : std::int8_t {
    preferred = 0,  ///< the first replica of the assignment, if in sync
    unclean = 1,    ///< any live replica, even out of sync (data may be lost)
};

/// A partition's new replicas for async_alter_partition_reassignments.
struct reassignment_target {
    topic_partition partition;  ///< which
    /// The replicas to move to, the preferred leader first; nullopt cancels a reassignment in
    /// progress.
    std::optional<std::vector<std::int32_t>> replicas;
};

/// A reassignment in progress (Java's PartitionReassignment).
struct partition_reassignment {
    topic_partition partition;           ///< which
    std::vector<std::int32_t> replicas;  ///< the replicas now, the target ones included
    std::vector<std::int32_t> adding;    ///< being added
    std::vector<std::int32_t> removing;  ///< being removed
};

/// A partition's replica in a log directory (Java's ReplicaInfo).
struct replica_info {
    topic_partition partition;    ///< which
    std::int64_t size = 0;        ///< bytes on disk
    std::int64_t offset_lag = 0;  ///< how far a future replica trails the current one
    bool is_future = false;       ///< a replica being moved into this directory
};

/// A broker's log directory (Java's LogDirDescription).
struct log_dir_description {
    std::int32_t broker = -1;  ///< the broker
    std::string path;          ///< the directory; empty when the broker itself failed
    error_code error;          ///< e.g. broker_errc::kafka_storage_error for an offline directory
    std::string message;       ///< Kafka's description, or kasio's
    std::vector<replica_info> replicas;  ///< sorted by topic and partition
    std::int64_t total_bytes = -1;   ///< the volume's size (v4+); -1 when not told
    std::int64_t usable_bytes = -1;  ///< free space (v4+); -1 when not told
};

// ---- Producers and transactions

/// A producer writing to a partition, as its leader knows it (Java's ProducerState).
struct producer_state {
    std::int64_t producer_id = -1;      ///< the producer's id
    std::int32_t producer_epoch = -1;   ///< its epoch
    std::int32_t last_sequence = -1;    ///< the last sequence number written
    std::int64_t last_timestamp = -1;   ///< the last record's timestamp
    std::int32_t coordinator_epoch = -1;  ///< -1 for an idempotent, non-transactional producer
    std::optional<std::int64_t> current_transaction_start_offset;  ///< an open transaction's first offset
};

/// The producers of one partition (async_describe_producers).
struct partition_producers {
    topic_partition partition;  ///< as asked
    error_code error;           ///< e.g. broker_errc::unknown_topic_or_partition
    std::string message;        ///< the broker's message, or Kafka's description
    std::vector<producer_state> producers;  ///< sorted by producer id
};

/// A transaction as async_list_transactions lists it (Java's TransactionListing).
struct transaction_listing {
    std::string transactional_id;  ///< its id
    std::int64_t producer_id = -1;  ///< its producer
    std::string state;             ///< e.g. "Ongoing", "CompleteCommit"
    std::int32_t coordinator = -1;  ///< the broker that answered for it
};

/// Filters of async_list_transactions (the coordinators apply them; empty: all).
struct list_transactions_options {
    std::vector<std::string> states;         ///< e.g. {"Ongoing"}
    std::vector<std::int64_t> producer_ids;  ///< only these producers
    std::int64_t duration_ms = -1;           ///< only transactions open longer (v1+, KIP-994); -1: any
};

/// A transaction as its coordinator describes it (Java's TransactionDescription).
struct transaction_description {
    std::string transactional_id;  ///< as asked
    error_code error;              ///< e.g. broker_errc::transactional_id_not_found
    std::string message;           ///< Kafka's description, or kasio's
    std::int32_t coordinator = -1;  ///< its coordinator's node id
    std::string state;             ///< e.g. "Ongoing", "PrepareCommit", "CompleteAbort"
    std::int64_t producer_id = -1;  ///< its producer
    std::int16_t producer_epoch = -1;  ///< the producer's epoch
    std::int32_t timeout_ms = 0;    ///< transaction.timeout.ms
    std::int64_t start_time_ms = -1;  ///< when the open transaction began; -1 when none is open
    std::vector<topic_partition> partitions;  ///< the open transaction's partitions, sorted
};

// ---- SCRAM credentials

/// A SCRAM mechanism (Java's ScramMechanism).
enum class scram_mechanism : std::int8_t { unknown = 0, sha_256 = 1, sha_512 = 2 };

/// One credential of a user, without its secret (Java's ScramCredentialInfo).
struct scram_credential_info {
    scram_mechanism mechanism = scram_mechanism::unknown;  ///< SCRAM-SHA-256 or -512
    std::int32_t iterations = 0;                           ///< PBKDF2 iterations
};

/// A user's SCRAM credentials (Java's UserScramCredentialsDescription).
struct user_scram_description {
    std::string user;     ///< the user name
    error_code error;     ///< e.g. broker_errc::resource_not_found for a user with none
    std::string message;  ///< the broker's message, or Kafka's description
    std::vector<scram_credential_info> credentials;  ///< sorted by mechanism
};

/// A credential to add or replace (Java's UserScramCredentialUpsertion). The password is
/// salted and hashed here (PBKDF2, RFC 5802); only the result is sent.
struct scram_upsertion {
    std::string user;                                      ///< the user name
    scram_mechanism mechanism = scram_mechanism::sha_256;  ///< SCRAM-SHA-256 or -512
    std::int32_t iterations = 4096;                        ///< PBKDF2 iterations (the broker's minimum is 4096)
    std::string password;                                  ///< never logged nor sent
    std::string salt;  ///< empty: 32 random bytes
};

/// A credential to remove (Java's UserScramCredentialDeletion).
struct scram_deletion {
    std::string user;                                      ///< the user name
    scram_mechanism mechanism = scram_mechanism::sha_256;  ///< which of its credentials
};

/// One user's outcome of async_alter_user_scram_credentials.
struct user_outcome {
    std::string user;     ///< as asked
    error_code error;     ///< e.g. broker_errc::resource_not_found, unacceptable_credential
    std::string message;  ///< the broker's message, or Kafka's description
};

}  // namespace kasio

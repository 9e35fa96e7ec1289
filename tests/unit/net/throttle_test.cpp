// KIP-219 throttling: where throttle_time_ms is read from each response kasio speaks, from which
// version the client waits, and the window that holds requests back (times given, no clock).
#include "net/throttle.hpp"

#include "protocol/headers.hpp"
#include "protocol/messages.hpp"

#include <gtest/gtest.h>

#include <tuple>

namespace kasio::net {
namespace {

using namespace protocol::msg;
using std::chrono::milliseconds;
using clock = std::chrono::steady_clock;

// A response as the multiplexer hands it over: encoded at `version`, header decoded.
template <class Response>
response_frame frame_of(const Response& body, std::int16_t version) {
    protocol::byte_buffer bytes;
    protocol::encode_response_frame(bytes, body, version, 7);
    response_frame f;
    f.data.assign(bytes.begin() + 4, bytes.end());
    protocol::reader r(f.data);
    EXPECT_FALSE(decode(r, f.header, protocol::response_header_version(Response::api_key, version)));
    f.body_offset = r.position();
    f.api_key = Response::api_key;
    f.api_version = version;
    return f;
}

// The first version whose throttle_time_ms the client must honour: KIP-219's version bumps, as
// the Java client's AbstractResponse.shouldClientThrottle overrides list them.
template <class R> constexpr std::int16_t client_waits_from = -1;
template <> constexpr std::int16_t client_waits_from<produce_response> = 6;
template <> constexpr std::int16_t client_waits_from<fetch_response> = 8;
template <> constexpr std::int16_t client_waits_from<list_offsets_response> = 3;
template <> constexpr std::int16_t client_waits_from<metadata_response> = 6;
template <> constexpr std::int16_t client_waits_from<offset_commit_response> = 4;
template <> constexpr std::int16_t client_waits_from<offset_fetch_response> = 4;
template <> constexpr std::int16_t client_waits_from<find_coordinator_response> = 2;
template <> constexpr std::int16_t client_waits_from<join_group_response> = 3;
template <> constexpr std::int16_t client_waits_from<heartbeat_response> = 2;
template <> constexpr std::int16_t client_waits_from<leave_group_response> = 2;
template <> constexpr std::int16_t client_waits_from<sync_group_response> = 2;
template <> constexpr std::int16_t client_waits_from<api_versions_response> = 2;
template <> constexpr std::int16_t client_waits_from<create_topics_response> = 3;
template <> constexpr std::int16_t client_waits_from<delete_topics_response> = 2;
template <> constexpr std::int16_t client_waits_from<init_producer_id_response> = 1;
template <> constexpr std::int16_t client_waits_from<add_partitions_to_txn_response> = 1;
template <> constexpr std::int16_t client_waits_from<add_offsets_to_txn_response> = 1;
template <> constexpr std::int16_t client_waits_from<end_txn_response> = 1;
template <> constexpr std::int16_t client_waits_from<txn_offset_commit_response> = 1;
template <> constexpr std::int16_t client_waits_from<describe_configs_response> = 2;
template <> constexpr std::int16_t client_waits_from<describe_groups_response> = 2;
template <> constexpr std::int16_t client_waits_from<list_groups_response> = 2;
template <> constexpr std::int16_t client_waits_from<delete_records_response> = 1;
template <> constexpr std::int16_t client_waits_from<describe_acls_response> = 1;
template <> constexpr std::int16_t client_waits_from<create_acls_response> = 1;
template <> constexpr std::int16_t client_waits_from<delete_acls_response> = 1;
template <> constexpr std::int16_t client_waits_from<describe_log_dirs_response> = 1;
template <> constexpr std::int16_t client_waits_from<create_partitions_response> = 1;
template <> constexpr std::int16_t client_waits_from<delete_groups_response> = 1;
template <> constexpr std::int16_t client_waits_from<elect_leaders_response> = 0;
template <> constexpr std::int16_t client_waits_from<incremental_alter_configs_response> = 0;
template <> constexpr std::int16_t client_waits_from<alter_partition_reassignments_response> = 0;
template <> constexpr std::int16_t client_waits_from<list_partition_reassignments_response> = 0;
template <> constexpr std::int16_t client_waits_from<offset_delete_response> = 0;
template <> constexpr std::int16_t client_waits_from<describe_user_scram_credentials_response> = 0;
template <> constexpr std::int16_t client_waits_from<alter_user_scram_credentials_response> = 0;
// No override in Java 4.4: AbstractResponse.shouldClientThrottle holds wherever the field exists.
template <> constexpr std::int16_t client_waits_from<describe_cluster_response> = 0;
template <> constexpr std::int16_t client_waits_from<describe_producers_response> = 0;
template <> constexpr std::int16_t client_waits_from<describe_transactions_response> = 0;
template <> constexpr std::int16_t client_waits_from<list_transactions_response> = 0;
template <> constexpr std::int16_t client_waits_from<consumer_group_heartbeat_response> = 0;
template <> constexpr std::int16_t client_waits_from<consumer_group_describe_response> = 0;

template <class Response>
void check_every_version() {
    Response body;
    body.throttle_time_ms = 1234;
    if constexpr (std::is_same_v<Response, produce_response>) {
        // Produce puts the field after its responses: give it something to skip.
        auto& t = body.responses.emplace_back();
        t.name = "topic";
        t.partition_responses.emplace_back().index = 3;
    }
    if constexpr (std::is_same_v<Response, api_versions_response>) body.api_keys.emplace_back().api_key = 3;
    const std::int16_t from = client_waits_from<Response>;
    ASSERT_GE(from, 0);
    for (std::int16_t v = Response::min_version; v <= Response::max_version; ++v) {
        const auto f = frame_of(body, v);
        EXPECT_EQ(client_throttle_ms(f), v >= from ? 1234 : 0) << Response::api_name << " v" << v;
    }
}

TEST(throttle, reads_throttle_time_ms_of_every_api_from_the_kip_219_version_on) {
    check_every_version<produce_response>();
    check_every_version<fetch_response>();
    check_every_version<list_offsets_response>();
    check_every_version<metadata_response>();
    check_every_version<offset_commit_response>();
    check_every_version<offset_fetch_response>();
    check_every_version<find_coordinator_response>();
    check_every_version<join_group_response>();
    check_every_version<heartbeat_response>();
    check_every_version<leave_group_response>();
    check_every_version<sync_group_response>();
    check_every_version<api_versions_response>();
    check_every_version<create_topics_response>();
    check_every_version<delete_topics_response>();
    check_every_version<init_producer_id_response>();
    check_every_version<add_partitions_to_txn_response>();
    check_every_version<add_offsets_to_txn_response>();
    check_every_version<end_txn_response>();
    check_every_version<txn_offset_commit_response>();
    check_every_version<describe_configs_response>();
    check_every_version<describe_groups_response>();
    check_every_version<list_groups_response>();
    check_every_version<delete_records_response>();
    check_every_version<describe_acls_response>();
    check_every_version<create_acls_response>();
    check_every_version<delete_acls_response>();
    check_every_version<describe_log_dirs_response>();
    check_every_version<create_partitions_response>();
    check_every_version<delete_groups_response>();
    check_every_version<elect_leaders_response>();
    check_every_version<incremental_alter_configs_response>();
    check_every_version<alter_partition_reassignments_response>();
    check_every_version<list_partition_reassignments_response>();
    check_every_version<offset_delete_response>();
    check_every_version<describe_user_scram_credentials_response>();
    check_every_version<alter_user_scram_credentials_response>();
    check_every_version<describe_cluster_response>();
    check_every_version<describe_producers_response>();
    check_every_version<describe_transactions_response>();
    check_every_version<list_transactions_response>();
    check_every_version<consumer_group_heartbeat_response>();
    check_every_version<consumer_group_describe_response>();
}

TEST(throttle, apis_without_the_field_and_short_bodies_read_zero) {
    sasl_handshake_response h;
    EXPECT_EQ(client_throttle_ms(frame_of(h, 1)), 0);
    metadata_response m;
    m.throttle_time_ms = 50;
    auto f = frame_of(m, 12);
    f.data.resize(f.body_offset + 2);  // half of the int32
    EXPECT_EQ(client_throttle_ms(f), 0);
    m.throttle_time_ms = -5;
    EXPECT_EQ(client_throttle_ms(frame_of(m, 12)), 0);
}

TEST(throttle, window_holds_requests_until_the_throttle_ends) {
    throttle_window w;
    const clock::time_point t0{milliseconds(1000)};
    EXPECT_TRUE(w.open(t0));
    w.on_response(t0, 100);
    EXPECT_FALSE(w.open(t0));
    EXPECT_FALSE(w.open(t0 + milliseconds(99)));
    EXPECT_TRUE(w.open(t0 + milliseconds(100)));
    EXPECT_EQ(w.until(), t0 + milliseconds(100));
}

TEST(throttle, a_shorter_later_throttle_does_not_cut_the_window) {
    throttle_window w;
    const clock::time_point t0{milliseconds(1000)};
    w.on_response(t0, 500);
    w.on_response(t0 + milliseconds(10), 20);
    EXPECT_EQ(w.until(), t0 + milliseconds(500));
    w.on_response(t0 + milliseconds(400), 300);
    EXPECT_EQ(w.until(), t0 + milliseconds(700));
}

TEST(throttle, zero_or_negative_throttle_changes_nothing) {
    throttle_window w;
    const clock::time_point t0{milliseconds(1000)};
    w.on_response(t0, 0);
    w.on_response(t0, -1);
    EXPECT_TRUE(w.open(t0));
    w.on_response(t0, 10);
    w.clear();
    EXPECT_TRUE(w.open(t0));
}

}  // namespace
}  // namespace kasio::net

// The generated api table and broker error table, and their agreement with the message types.
#include "protocol/api_table.hpp"
#include "protocol/broker_errors.hpp"
#include "protocol/messages_testing.hpp"

#include <kasio/broker_errc.hpp>
#include <kasio/error.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace kasio::protocol {
namespace {

TEST(protocol_api_table, apis_are_sorted_and_findable) {
    auto apis = all_apis();
    ASSERT_FALSE(apis.empty());
    EXPECT_TRUE(std::is_sorted(apis.begin(), apis.end(), [](const auto& a, const auto& b) { return a.key < b.key; }));
    for (const api_info& a : apis) {
        EXPECT_EQ(find_api(a.key), &a);
        EXPECT_LE(a.min_version, a.max_version);
        EXPECT_TRUE(a.first_flexible_version == -1 ||
                    (a.first_flexible_version >= a.min_version && a.first_flexible_version <= a.max_version));
    }
    EXPECT_EQ(find_api(-1), nullptr);
    EXPECT_EQ(find_api(9999), nullptr);
}

TEST(protocol_api_table, known_apis_have_their_kafka_shape) {
    const api_info* av = find_api(18);
    ASSERT_NE(av, nullptr);
    EXPECT_EQ(av->name, "api_versions");
    EXPECT_EQ(av->first_flexible_version, 3);
    EXPECT_EQ(av->route, api_route::any);
    const api_info* fetch = find_api(1);
    ASSERT_NE(fetch, nullptr);
    EXPECT_EQ(fetch->route, api_route::leader);
    EXPECT_EQ(msg::fetch_request::first_flexible_version, fetch->first_flexible_version);
    static_assert(std::is_same_v<msg::fetch_request::response_type, msg::fetch_response>);
}

TEST(protocol_api_table, every_api_has_a_request_and_a_response_type) {
    for (const api_info& a : all_apis()) {
        for (bool is_request : {true, false}) {
            const auto* t = testing::find_message_type(a.key, is_request);
            ASSERT_NE(t, nullptr) << a.name;
            EXPECT_EQ(t->api_name, a.name);
            EXPECT_EQ(t->min_version, a.min_version);
            EXPECT_EQ(t->max_version, a.max_version);
            EXPECT_EQ(t->first_flexible_version, a.first_flexible_version);
        }
    }
    EXPECT_EQ(testing::all_message_types().size(), 2 * all_apis().size());
}

TEST(protocol_broker_errors, codes_have_names_messages_and_retriability) {
    const auto* none = find_broker_error(0);
    ASSERT_NE(none, nullptr);
    EXPECT_STREQ(none->name, "none");
    const auto* unknown = find_broker_error(-1);
    ASSERT_NE(unknown, nullptr);
    EXPECT_STREQ(unknown->name, "unknown_server_error");
    EXPECT_EQ(find_broker_error(100000), nullptr);

    error_code nlf = make_error_code(broker_errc::not_leader_or_follower);
    EXPECT_EQ(nlf.value(), 6);
    EXPECT_NE(nlf.message().find("not_leader_or_follower"), std::string::npos);
    EXPECT_TRUE(is_retriable(nlf));
    EXPECT_FALSE(is_retriable(make_error_code(broker_errc::topic_authorization_failed)));
    EXPECT_TRUE(is_fatal(make_error_code(broker_errc::producer_fenced)));
    // The metadata flag (errors.ks): Java's InvalidMetadataException family, always retriable.
    EXPECT_TRUE(needs_metadata_refresh(nlf));
    EXPECT_TRUE(needs_metadata_refresh(make_error_code(broker_errc::unknown_topic_id)));
    EXPECT_FALSE(needs_metadata_refresh(make_error_code(broker_errc::not_enough_replicas)));
    EXPECT_FALSE(needs_metadata_refresh(make_error_code(broker_errc::topic_authorization_failed)));
    EXPECT_FALSE(needs_metadata_refresh(make_error_code(client_errc::connection_closed)));
    for (int code = -1; code < 200; ++code) {
        if (const auto* e = find_broker_error(code); e != nullptr && e->metadata) {
            EXPECT_TRUE(e->retriable) << e->name;
        }
    }
    EXPECT_NE(make_error_code(static_cast<broker_errc>(31337)).message().find("31337"), std::string::npos);
}

}  // namespace
}  // namespace kasio::protocol

// The refresher's sans-io helper; the refresh loop itself runs against the mock cluster
// (tests/integration/metadata_test.cpp).
#include "cluster/metadata_refresher.hpp"

#include <gtest/gtest.h>

namespace kasio::cluster {
namespace {

TEST(split_bootstrap, splits_comma_lists_and_trims) {
    const auto out = split_bootstrap({"a:1, b:2,,c:3 ", " d:4"});
    EXPECT_EQ(out, (std::vector<std::string>{"a:1", "b:2", "c:3", "d:4"}));
    EXPECT_TRUE(split_bootstrap({"", " , "}).empty());
}

}  // namespace
}  // namespace kasio::cluster

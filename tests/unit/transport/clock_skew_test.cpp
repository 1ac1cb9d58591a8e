#include "transport/clock_skew.h"

#include <gtest/gtest.h>

namespace edgesync::transport {
namespace {

TEST(ClockSkewTest, SkewIsPeerMinusLocal) {
  EXPECT_EQ(ClockSkewMs(10'000, 4'000), 6'000);
  EXPECT_EQ(ClockSkewMs(4'000, 10'000), -6'000);
}

TEST(ClockSkewTest, NotableOnlyBeyondTheThreshold) {
  using std::chrono::milliseconds;
  EXPECT_FALSE(ClockSkewIsNotable(5'000, milliseconds(5'000)));
  EXPECT_TRUE(ClockSkewIsNotable(5'001, milliseconds(5'000)));
  EXPECT_TRUE(ClockSkewIsNotable(-5'001, milliseconds(5'000)));
  EXPECT_FALSE(ClockSkewIsNotable(-20, milliseconds(5'000)));
}

TEST(ClockSkewTest, DescriptionSaysDirectionAndScale) {
  EXPECT_EQ(DescribeClockSkew(-2'500), "its clock is 2.5 s behind ours");
  EXPECT_EQ(DescribeClockSkew(730LL * 86'400'000), "its clock is 730.0 days ahead of ours (63072000 s)");
}

TEST(ClockSkewTest, NodeSkewIsMinusTheMedianPeerSkew) {
  EXPECT_FALSE(NodeClockSkewMs({}).has_value());
  // Two honest peers and one far ahead: the median ignores the outlier.
  EXPECT_EQ(NodeClockSkewMs({120, -80, 63'072'000'000}), -120);
  // Every peer sees us 2 s ahead of them: they are 2 s behind.
  EXPECT_EQ(NodeClockSkewMs({-2'000, -2'010, -1'990}), 2'000);
}

TEST(ClockSkewTest, UtcTimeText) { EXPECT_EQ(UtcTimeText(0), "1970-01-01T00:00:00Z"); }

}  // namespace
}  // namespace edgesync::transport

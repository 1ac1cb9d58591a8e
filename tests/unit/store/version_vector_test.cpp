#include "store/version_vector.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

TEST(VersionVectorTest, FourOutcomes) {
  VersionVector a({{"a", 2}, {"b", 1}});
  VersionVector b({{"a", 1}, {"b", 1}});
  VersionVector c({{"a", 1}, {"b", 2}});
  EXPECT_EQ(a.Compare(a), VectorOrder::kEqual);
  EXPECT_EQ(a.Compare(b), VectorOrder::kDominates);
  EXPECT_EQ(b.Compare(a), VectorOrder::kDominated);
  EXPECT_EQ(a.Compare(c), VectorOrder::kConcurrent);
  EXPECT_EQ(VersionVector({{"x", 1}}).Compare(VersionVector({{"y", 1}})), VectorOrder::kConcurrent);
  EXPECT_EQ(VersionVector({{"x", 1}}).Compare(VersionVector()), VectorOrder::kDominates);
}

TEST(VersionVectorTest, MergeIncrementAndText) {
  VersionVector a({{"a", 2}, {"b", 1}});
  a.MergeFrom(VersionVector({{"b", 5}, {"c", 1}}));
  a.Increment("a");
  EXPECT_EQ(a.ToString(), "a:3,b:5,c:1");
  auto parsed = VersionVector::Parse(a.ToString());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, a);
  EXPECT_FALSE(VersionVector::Parse("a:0").ok());
  EXPECT_FALSE(VersionVector::Parse("a:1,a:2").ok());
  EXPECT_FALSE(VersionVector::Parse("a:x").ok());
  EXPECT_FALSE(VersionVector::Parse(":1").ok());
}

}  // namespace
}  // namespace edgesync

#include "base/json_depth.h"

#include <gtest/gtest.h>

#include <string>

namespace edgesync {
namespace {

TEST(JsonDepthTest, CountsNestingOfArraysAndObjects) {
  EXPECT_TRUE(JsonDepthWithin("{}", 1));
  EXPECT_TRUE(JsonDepthWithin(R"({"a":[1,{"b":2}]})", 3));
  EXPECT_FALSE(JsonDepthWithin(R"({"a":[1,{"b":2}]})", 2));
  EXPECT_TRUE(JsonDepthWithin("[[]][[]][[]]", 2));  // siblings do not add up
  EXPECT_TRUE(JsonDepthWithin("42", 0));
}

TEST(JsonDepthTest, IgnoresBracketsInsideStrings) {
  EXPECT_TRUE(JsonDepthWithin(R"({"a":"[[[[{{{{"})", 1));
  EXPECT_TRUE(JsonDepthWithin(R"({"a":"\"[[[["})", 1));   // an escaped quote stays in the string
  EXPECT_FALSE(JsonDepthWithin(R"({"a\\":[[["]]]"]]]})", 2));  // an escaped backslash ends it
}

TEST(JsonDepthTest, DefaultLimitRefusesHostileNesting) {
  EXPECT_TRUE(JsonDepthWithin(std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']')));
  EXPECT_FALSE(JsonDepthWithin(std::string(kMaxJsonDepth + 1, '[')));
}

}  // namespace
}  // namespace edgesync

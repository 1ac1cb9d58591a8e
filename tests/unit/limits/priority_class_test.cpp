#include "limits/priority_class.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace edgesync::limits {
namespace {

TEST(PriorityClassTest, ParsesTheThreeClasses) {
  EXPECT_EQ(*ParsePriorityClass("urgent"), PriorityClass::kUrgent);
  EXPECT_EQ(*ParsePriorityClass("normal"), PriorityClass::kNormal);
  EXPECT_EQ(*ParsePriorityClass("bulk"), PriorityClass::kBulk);
  auto unknown = ParsePriorityClass("critical");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown priority class 'critical' (urgent, normal or bulk)"),
            std::string::npos);
}

TEST(PriorityClassTest, FirstMatchingGlobWinsAndOthersAreNormal) {
  const std::vector<PriorityRule> rules = {{"model/*-hotfix", PriorityClass::kUrgent},
                                           {"model/*", PriorityClass::kNormal},
                                           {"dataset/*", PriorityClass::kBulk}};
  EXPECT_EQ(ClassOf(rules, "model/helmet-hotfix"), PriorityClass::kUrgent);
  EXPECT_EQ(ClassOf(rules, "model/helmet"), PriorityClass::kNormal);
  EXPECT_EQ(ClassOf(rules, "dataset/voc/2026"), PriorityClass::kBulk) << "'*' crosses '/'";
  EXPECT_EQ(ClassOf(rules, "meta/acl"), PriorityClass::kNormal);
  EXPECT_EQ(ClassOf({}, "model/x"), PriorityClass::kNormal);
}

TEST(PriorityClassTest, ClassesOrderUrgentNormalBulk) {
  std::vector<PriorityClass> classes = {PriorityClass::kBulk, PriorityClass::kUrgent, PriorityClass::kNormal};
  std::sort(classes.begin(), classes.end());
  EXPECT_EQ(classes, (std::vector<PriorityClass>{PriorityClass::kUrgent, PriorityClass::kNormal,
                                                 PriorityClass::kBulk}));
}

}  // namespace
}  // namespace edgesync::limits

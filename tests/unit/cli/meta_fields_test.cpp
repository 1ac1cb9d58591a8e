#include "cli/meta_fields.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

using nlohmann::json;

TEST(MetaFieldsTest, ValuesAreJsonWhenTheyParseElseStrings) {
  Result<json> fields = ParseFieldAssignments(
      {"model=keep-both", "model/helmet*=best-metric:mAP", "cameras=4", "on=true",
       "tags=[\"a\",\"b\"]", "quoted=\"4\"", "empty="});
  ASSERT_TRUE(fields.ok()) << fields.status().ToString();
  EXPECT_EQ(*fields, json({{"model", "keep-both"},
                           {"model/helmet*", "best-metric:mAP"},
                           {"cameras", 4},
                           {"on", true},
                           {"tags", {"a", "b"}},
                           {"quoted", "4"},
                           {"empty", ""}}));
}

TEST(MetaFieldsTest, NameEndsAtTheFirstEquals) {
  Result<json> fields = ParseFieldAssignments({"expr=a=b"});
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ(*fields, json({{"expr", "a=b"}}));
}

TEST(MetaFieldsTest, WordsWithoutFieldNameAreRefused) {
  EXPECT_FALSE(ParseFieldAssignments({"novalue"}).ok());
  EXPECT_FALSE(ParseFieldAssignments({"=4"}).ok());
}

TEST(MetaFieldsTest, ValueTextShowsStringsBare) {
  EXPECT_EQ(FieldValueText(json("lww")), "lww");
  EXPECT_EQ(FieldValueText(json(4)), "4");
  EXPECT_EQ(FieldValueText(json({1, 2})), "[1,2]");
}

}  // namespace
}  // namespace edgesync

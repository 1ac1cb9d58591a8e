#include "store/object_key.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

TEST(ObjectKeyTest, ParsesKindsAndNamespaces) {
  auto k = ObjectKey::Parse("model/helmet");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->kind(), ObjectKind::kModel);
  EXPECT_EQ(k->name(), "helmet");
  EXPECT_EQ(k->ns(), "");
  auto n = ObjectKey::Parse("dataset/site-a/hard-examples");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->kind(), ObjectKind::kDataset);
  EXPECT_EQ(n->ns(), "site-a");
  EXPECT_EQ(n->name(), "hard-examples");
  EXPECT_EQ(n->str(), "dataset/site-a/hard-examples");
  EXPECT_TRUE(ObjectKey::Parse("meta/policy").ok());
}

TEST(ObjectKeyTest, RejectsBadKeysWithClearErrors) {
  struct Case { std::string key, expect; } cases[] = {
      {"model/../x", "'.' or '..'"},
      {"model/..", "'.' or '..'"},
      {"/model/x", "absolute"},
      {"blob/x", "unknown kind 'blob'"},
      {"model", "must be <kind>/<name>"},
      {"model/a/b/c", "must be <kind>/<name>"},
      {"model//x", "empty segment"},
      {"model/a\x01", "control character"},
      {std::string("model/a\0b", 9), "NUL"},
      {"model/" + std::string(300, 'a'), "longer than"},
      {"model/a\\b", "backslash"},
  };
  for (const auto& c : cases) {
    auto k = ObjectKey::Parse(c.key);
    ASSERT_FALSE(k.ok()) << c.key;
    EXPECT_EQ(k.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(k.status().message().find(c.expect), std::string::npos) << k.status().message();
  }
}

TEST(ObjectKeyTest, RelativePaths) {
  EXPECT_TRUE(ValidateRelativePath("weights/model.onnx").ok());
  EXPECT_TRUE(ValidateRelativePath("a..b/c").ok());
  EXPECT_FALSE(ValidateRelativePath("../x").ok());
  EXPECT_FALSE(ValidateRelativePath("a/../../x").ok());
  EXPECT_FALSE(ValidateRelativePath("/etc/passwd").ok());
  EXPECT_FALSE(ValidateRelativePath("a/./b").ok());
  EXPECT_FALSE(ValidateRelativePath("").ok());
  EXPECT_FALSE(ValidateRelativePath("a\nb").ok());
  EXPECT_FALSE(ValidateRelativePath("a/").ok());
  // NAME_MAX and PATH_MAX: what a file system holds, so every stored file can be written out.
  EXPECT_TRUE(ValidateRelativePath(std::string(255, 'n')).ok());
  EXPECT_NE(ValidateRelativePath("dir/" + std::string(256, 'n')).message().find("256 bytes"),
            std::string::npos);
  std::string deep;
  while (deep.size() <= 4096) deep += std::string(200, 'd') + "/";
  EXPECT_NE(ValidateRelativePath(deep + "f").message().find("longer than the 4096"),
            std::string::npos);
}

}  // namespace
}  // namespace edgesync

#include "objectstore/ini_file.h"

#include <gtest/gtest.h>

namespace edgesync::objectstore {
namespace {

TEST(IniFileTest, SectionsKeysCommentsAndNesting) {
  Result<IniFile> file = IniFile::Parse(
      "# comment\n"
      "[default]\n"
      "aws_access_key_id = AKIDEFAULT\n"
      "; another comment\n"
      "region=eu-west-1\r\n"
      "\n"
      "[profile edge]\n"
      "s3 =\n"
      "    addressing_style = path\n"
      "    max_concurrent_requests = 4\n"
      "region = us-east-2\n",
      "config");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const IniFile::Section* def = file->Find("default");
  ASSERT_NE(def, nullptr);
  EXPECT_EQ(def->at("aws_access_key_id"), "AKIDEFAULT");
  EXPECT_EQ(def->at("region"), "eu-west-1");
  const IniFile::Section* edge = file->Find("profile edge");
  ASSERT_NE(edge, nullptr);
  EXPECT_EQ(edge->at("s3.addressing_style"), "path");
  EXPECT_EQ(edge->at("s3.max_concurrent_requests"), "4");
  EXPECT_EQ(edge->at("region"), "us-east-2");
  EXPECT_EQ(file->Find("missing"), nullptr);
}

TEST(IniFileTest, ErrorsNameTheLineButNeverShowIt) {
  Result<IniFile> file =
      IniFile::Parse("[default]\naws_secret_access_key wJalrXUtnFEMI\n", "/home/u/.aws/credentials");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find("/home/u/.aws/credentials line 2"), std::string::npos);
  EXPECT_EQ(file.status().message().find("wJalr"), std::string::npos);
  EXPECT_FALSE(IniFile::Parse("key = value\n", "f").ok());
  EXPECT_FALSE(IniFile::Parse("[unclosed\n", "f").ok());
}

}  // namespace
}  // namespace edgesync::objectstore

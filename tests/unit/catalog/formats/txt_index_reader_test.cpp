#include "catalog/formats/txt_index_reader.h"

#include <gtest/gtest.h>

#include "tests/unit/catalog/formats/temp_tree.h"

namespace edgesync::formats {
namespace {

const DatasetTree kTree = DatasetTree::FromFiles(
    {{"train.txt", 1}, {"images/a.jpg", 1}, {"images/b.jpg", 1}, {"images/my cat.jpg", 1}, {"sub/c.jpg", 1}});

DatasetStats Parse(std::string_view text, std::string_view file = "train.txt") {
  DatasetStats stats;
  ParseTxtIndex(text, file, kTree, stats);
  return stats;
}

TEST(TxtIndexReaderTest, CountsLinesAndLabels) {
  auto stats = Parse("images/a.jpg cat\n\n  images/b.jpg\tdog  \r\nimages/my cat.jpg cat\n");
  EXPECT_EQ(stats.samples, 3u);
  EXPECT_EQ(stats.classes, (decltype(stats.classes){{"cat", 2}, {"dog", 1}}));
  EXPECT_TRUE(stats.problems.empty()) << stats.problems[0].ToString();
}

TEST(TxtIndexReaderTest, ReportsMissingFiles) {
  auto stats = Parse("images/a.jpg 0\nimages/zzz.jpg 1\n");
  EXPECT_EQ(stats.samples, 2u);
  ASSERT_EQ(stats.problems.size(), 1u);
  EXPECT_EQ(stats.problems[0].file, "train.txt");
  EXPECT_EQ(stats.problems[0].line, 2u);
  EXPECT_EQ(stats.problems[0].message, "referenced file 'images/zzz.jpg' is not in the dataset");
}

TEST(TxtIndexReaderTest, ReportsTraversalAndAbsolutePathsWithoutFollowing) {
  auto stats = Parse("../../etc/passwd 0\n/etc/passwd 1\nimages/../images/a.jpg 2\n");
  EXPECT_EQ(stats.samples, 3u);
  ASSERT_EQ(stats.problems.size(), 3u);
  EXPECT_EQ(stats.problems[0].line, 1u);
  EXPECT_NE(stats.problems[0].message.find("unsafe path, not followed"), std::string::npos);
  EXPECT_NE(stats.problems[0].message.find("'..'"), std::string::npos);
  EXPECT_EQ(stats.problems[1].line, 2u);
  EXPECT_NE(stats.problems[1].message.find("is absolute"), std::string::npos);
  EXPECT_EQ(stats.problems[2].line, 3u);
}

TEST(TxtIndexReaderTest, ReportsLinesWithoutALabel) {
  auto stats = Parse("images/a.jpg\n");
  EXPECT_EQ(stats.samples, 1u);
  ASSERT_EQ(stats.problems.size(), 1u);
  EXPECT_EQ(stats.problems[0].message, "expected '<relative/path> <label>', got 'images/a.jpg'");
  EXPECT_TRUE(stats.classes.empty());
}

TEST(TxtIndexReaderTest, ResolvesPathsBesideTheIndexFile) {
  auto stats = Parse("c.jpg x\nimages/a.jpg y\n", "sub/index.txt");
  EXPECT_TRUE(stats.problems.empty()) << stats.problems[0].ToString();
}

TEST(TxtIndexReaderTest, HugeLineIsOneProblemWithAShortExcerpt) {
  std::string huge(1 << 20, 'x');
  auto stats = Parse(huge);
  ASSERT_EQ(stats.problems.size(), 1u);
  EXPECT_LT(stats.problems[0].message.size(), 200u);
}

TEST(TxtIndexReaderTest, ReadsIndexFilesButNotClassLists) {
  testing::TempTree t;
  t.Write("train.txt", "img/a.jpg cat\nimg/b.jpg dog\n");
  t.Write("test.txt", "img/a.jpg cat\n");
  t.Write("classes.txt", "cat\ndog\n");
  t.Write("img/a.jpg", "");
  t.Write("img/b.jpg", "");
  DatasetStats stats;
  auto tree = DatasetTree::Scan(t.root(), stats);
  ASSERT_TRUE(tree.ok());
  ReadTxtIndexDataset(*tree, stats);
  EXPECT_EQ(stats.samples, 3u);
  EXPECT_EQ(stats.classes["cat"], 2u);
  EXPECT_TRUE(stats.problems.empty());
}

}  // namespace
}  // namespace edgesync::formats

#include "catalog/formats/dataset_tree.h"

#include <gtest/gtest.h>

#include "tests/unit/catalog/formats/temp_tree.h"

namespace edgesync::formats {
namespace {

using testing::TempTree;

TEST(DatasetTreeTest, ScanListsRegularFilesSortedWithSizes) {
  TempTree t;
  t.Write("b/two.txt", "22");
  t.Write("a.txt", "1");
  t.Write("b/c/three.bin", "333");
  DatasetStats stats;
  auto tree = DatasetTree::Scan(t.root(), stats);
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  ASSERT_EQ(tree->files().size(), 3u);
  EXPECT_EQ(tree->files()[0].path, "a.txt");
  EXPECT_EQ(tree->files()[1].path, "b/c/three.bin");
  EXPECT_EQ(tree->files()[2].path, "b/two.txt");
  EXPECT_EQ(tree->files()[1].size, 3u);
  EXPECT_EQ(stats.files, 3u);
  EXPECT_EQ(stats.bytes, 6u);
  EXPECT_TRUE(stats.problems.empty());
  auto read = tree->Read(tree->files()[2]);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "22");
  EXPECT_EQ(*tree->Read(tree->files()[1], 2), "33");
}

TEST(DatasetTreeTest, SymlinksAreReportedAndNotFollowed) {
  TempTree outside, t;
  outside.Write("secret/passwd", "root:x:0:0");
  t.Write("real.txt", "x");
  std::filesystem::create_directory_symlink(outside.root() / "secret", t.root() / "linkdir");
  std::filesystem::create_symlink(outside.root() / "secret/passwd", t.root() / "link.txt");
  DatasetStats stats;
  auto tree = DatasetTree::Scan(t.root(), stats);
  ASSERT_TRUE(tree.ok());
  ASSERT_EQ(tree->files().size(), 1u);
  EXPECT_EQ(tree->files()[0].path, "real.txt");
  ASSERT_EQ(stats.problems.size(), 2u);
  EXPECT_EQ(stats.problems[0].message, "symbolic link, not followed");
  EXPECT_FALSE(tree->Contains("linkdir/passwd"));
  EXPECT_EQ(stats.files, 1u);
}

TEST(DatasetTreeTest, ScanRejectsAMissingRoot) {
  DatasetStats stats;
  auto tree = DatasetTree::Scan("/nonexistent/edgesync/dataset", stats);
  ASSERT_FALSE(tree.ok());
  EXPECT_EQ(tree.status().code(), Status::Code::kInvalidArgument);
}

TEST(DatasetTreeTest, CheckReferenceResolvesBesideTheIndexThenAtTheRoot) {
  auto tree = DatasetTree::FromFiles({{"index/img/a.jpg", 1}, {"img/b.jpg", 1}});
  EXPECT_EQ(tree.CheckReference("index/train.txt", "img/a.jpg"), "");
  EXPECT_EQ(tree.CheckReference("index/train.txt", "img/b.jpg"), "");
  EXPECT_EQ(tree.CheckReference("index/train.txt", "img/c.jpg"), "referenced file 'img/c.jpg' is not in the dataset");
}

TEST(DatasetTreeTest, CheckReferenceRejectsTraversalAndAbsolutePaths) {
  auto tree = DatasetTree::FromFiles({{"a.jpg", 1}});
  EXPECT_NE(tree.CheckReference("i.txt", "../../etc/passwd").find("unsafe path"), std::string::npos);
  EXPECT_NE(tree.CheckReference("i.txt", "/etc/passwd").find("is absolute"), std::string::npos);
  EXPECT_NE(tree.CheckReference("i.txt", "a\\b.jpg").find("backslash"), std::string::npos);
}

TEST(DatasetTreeTest, ExtensionAndNameLookups) {
  auto tree = DatasetTree::FromFiles({{"x/y/classes.txt", 1}, {"classes.txt", 1}, {"A.XML", 1}, {"b.xml", 1}});
  EXPECT_EQ(tree.WithExtension(".xml").size(), 2u);
  auto named = tree.Named("classes.txt");
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0]->path, "classes.txt");
  EXPECT_EQ(BaseName("a/b/c.txt"), "c.txt");
  EXPECT_EQ(DirName("a/b/c.txt"), "a/b/");
  EXPECT_EQ(DirName("c.txt"), "");
}

}  // namespace
}  // namespace edgesync::formats

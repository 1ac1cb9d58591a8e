#include "catalog/formats/txt_boxes_reader.h"

#include <gtest/gtest.h>

#include "tests/unit/catalog/formats/temp_tree.h"

namespace edgesync::formats {
namespace {

const DatasetTree kTree = DatasetTree::FromFiles({{"a.jpg", 1}, {"b.jpg", 1}, {"c.jpg", 1}});

DatasetStats Parse(std::string_view text, const std::optional<ClassNames>& names = std::nullopt) {
  DatasetStats stats;
  ParseTxtBoxes(text, "train.txt", kTree, names, stats);
  return stats;
}

TEST(TxtBoxesReaderTest, CountsImagesAndBoxesPerClassId) {
  auto stats = Parse("a.jpg 10,20,30,40,0 1,2,3,4,1\nb.jpg 5.5,6,7.25,8,0\nc.jpg\n");
  EXPECT_EQ(stats.samples, 3u);
  EXPECT_EQ(stats.objects, 3u);
  EXPECT_EQ(stats.classes, (decltype(stats.classes){{"0", 2}, {"1", 1}}));
  EXPECT_TRUE(stats.problems.empty()) << stats.problems[0].ToString();
}

TEST(TxtBoxesReaderTest, UsesClassNamesWhenGiven) {
  auto stats = Parse("a.jpg 1,1,2,2,0 1,1,2,2,1 1,1,2,2,1\n", ClassNames{"helmet", "head"});
  EXPECT_EQ(stats.classes, (decltype(stats.classes){{"head", 2}, {"helmet", 1}}));
  EXPECT_EQ(stats.objects, 3u);
}

TEST(TxtBoxesReaderTest, ReportsEachBadBox) {
  auto stats = Parse(
      "a.jpg 1,2,3,4 1,2,3,4,0\n"   // 4 fields
      "b.jpg x,2,3,4,0\n"           // non-numeric
      "c.jpg 5,2,3,4,0\n"           // x2 < x1
      "c.jpg 1,9,3,4,0\n"           // y2 < y1
      "c.jpg 1,2,3,4,-1\n"          // negative class
      "c.jpg 1,2,3,4,7\n",          // class id not in the names list
      ClassNames{"helmet", "head"});
  EXPECT_EQ(stats.samples, 6u);
  EXPECT_EQ(stats.objects, 1u);
  ASSERT_EQ(stats.problems.size(), 6u);
  EXPECT_EQ(stats.problems[0].line, 1u);
  EXPECT_EQ(stats.problems[0].message, "box 1: expected x1,y1,x2,y2,class, got '1,2,3,4'");
  EXPECT_EQ(stats.problems[1].message, "box 1: non-numeric coordinate in 'x,2,3,4,0'");
  EXPECT_EQ(stats.problems[2].message, "box 1: x2 < x1 in '5,2,3,4,0'");
  EXPECT_EQ(stats.problems[3].message, "box 1: y2 < y1 in '1,9,3,4,0'");
  EXPECT_EQ(stats.problems[4].message, "box 1: class id must be a non-negative integer in '1,2,3,4,-1'");
  EXPECT_EQ(stats.problems[5].line, 6u);
  EXPECT_EQ(stats.problems[5].message, "box 1: class id 7 is not in the class list (2 names)");
}

TEST(TxtBoxesReaderTest, ReportsMissingAndUnsafeImages) {
  auto stats = Parse("missing.jpg 1,2,3,4,0\n../x.jpg\n");
  ASSERT_EQ(stats.problems.size(), 2u);
  EXPECT_EQ(stats.problems[0].message, "referenced file 'missing.jpg' is not in the dataset");
  EXPECT_NE(stats.problems[1].message.find("unsafe path"), std::string::npos);
  EXPECT_EQ(stats.objects, 1u);
}

TEST(TxtBoxesReaderTest, ReadsClassesFileFromTheTree) {
  testing::TempTree t;
  t.Write("train_data.txt", "img/a.jpg 1,1,5,5,1 2,2,6,6,0\n");
  t.Write("classes.txt", "helmet\nno_helmet\n");
  t.Write("img/a.jpg", "");
  DatasetStats stats;
  auto tree = DatasetTree::Scan(t.root(), stats);
  ASSERT_TRUE(tree.ok());
  ReadTxtBoxesDataset(*tree, stats);
  EXPECT_EQ(stats.samples, 1u);
  EXPECT_EQ(stats.classes, (decltype(stats.classes){{"helmet", 1}, {"no_helmet", 1}}));
  EXPECT_TRUE(stats.problems.empty());
}

}  // namespace
}  // namespace edgesync::formats

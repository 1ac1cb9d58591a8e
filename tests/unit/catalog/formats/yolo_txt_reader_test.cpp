#include "catalog/formats/yolo_txt_reader.h"

#include <gtest/gtest.h>

#include "tests/unit/catalog/formats/temp_tree.h"

namespace edgesync::formats {
namespace {

DatasetStats ParseLabels(std::string_view text, const std::optional<ClassNames>& names = std::nullopt) {
  DatasetStats stats;
  ParseYoloLabels(text, "labels/a.txt", names, stats);
  return stats;
}

TEST(YoloTxtReaderTest, CountsObjectsPerClass) {
  auto stats = ParseLabels("0 0.5 0.5 0.2 0.2\n1 0.1 0.1 0.05 0.05\r\n\n0 1 1 0 0\n", ClassNames{"cat", "dog"});
  EXPECT_EQ(stats.samples, 1u);
  EXPECT_EQ(stats.objects, 3u);
  EXPECT_EQ(stats.classes, (decltype(stats.classes){{"cat", 2}, {"dog", 1}}));
  EXPECT_TRUE(stats.problems.empty());
}

TEST(YoloTxtReaderTest, EmptyLabelFileIsASampleWithoutObjects) {
  auto stats = ParseLabels("");
  EXPECT_EQ(stats.samples, 1u);
  EXPECT_EQ(stats.objects, 0u);
}

TEST(YoloTxtReaderTest, ReportsBadLines) {
  auto stats = ParseLabels(
      "0 0.5 0.5 0.2\n"        // 4 fields
      "0 1.5 0.5 0.2 0.2\n"    // outside [0,1]
      "0 0.5 -0.1 0.2 0.2\n"   // negative
      "x 0.5 0.5 0.2 0.2\n"    // class not an integer
      "0 0.5 nan 0.2 0.2\n"    // not a finite number
      "2 0.5 0.5 0.2 0.2\n",   // class out of range
      ClassNames{"cat", "dog"});
  EXPECT_EQ(stats.objects, 0u);
  ASSERT_EQ(stats.problems.size(), 6u);
  EXPECT_EQ(stats.problems[0].line, 1u);
  EXPECT_EQ(stats.problems[0].message, "expected 'class cx cy w h' (5 fields), got 4");
  EXPECT_EQ(stats.problems[1].message, "cx 1.5 is outside [0,1]");
  EXPECT_EQ(stats.problems[2].message, "cy -0.1 is outside [0,1]");
  EXPECT_EQ(stats.problems[3].message, "class id 'x' is not a non-negative integer");
  EXPECT_EQ(stats.problems[4].message, "cy 'nan' is not a number");
  EXPECT_EQ(stats.problems[5].line, 6u);
  EXPECT_EQ(stats.problems[5].message, "class id 2 is out of range (2 class names)");
}

TEST(YoloTxtReaderTest, DataYamlNamesAsListOrMap) {
  DatasetStats stats;
  auto list = ParseYoloDataYaml("train: images/train\nnc: 2\nnames: [cat, dog]\n", "data.yaml", stats);
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, (ClassNames{"cat", "dog"}));
  auto map = ParseYoloDataYaml("names:\n  1: dog\n  0: cat\n", "data.yaml", stats);
  ASSERT_TRUE(map);
  EXPECT_EQ(*map, (ClassNames{"cat", "dog"}));
  EXPECT_TRUE(stats.problems.empty());
}

TEST(YoloTxtReaderTest, DataYamlProblems) {
  DatasetStats stats;
  EXPECT_FALSE(ParseYoloDataYaml("train: x\n", "data.yaml", stats));
  EXPECT_FALSE(ParseYoloDataYaml("names: [a, b\n", "data.yaml", stats));
  EXPECT_FALSE(ParseYoloDataYaml("names:\n  0: a\n  2: c\n", "data.yaml", stats));
  EXPECT_TRUE(ParseYoloDataYaml("nc: 3\nnames: [a, b]\n", "data.yaml", stats));
  ASSERT_EQ(stats.problems.size(), 4u);
  EXPECT_EQ(stats.problems[0].message, "no 'names' entry");
  EXPECT_NE(stats.problems[1].message.find("YAML error"), std::string::npos);
  EXPECT_GT(stats.problems[1].line, 0u);
  EXPECT_EQ(stats.problems[2].message, "class ids must be 0..1");
  EXPECT_EQ(stats.problems[3].element, "nc");
}

TEST(YoloTxtReaderTest, ReadsLabelsDirectoryWithDataYaml) {
  testing::TempTree t;
  t.Write("data.yaml", "names: [helmet, head]\n");
  t.Write("train.txt", "images/a.jpg\nimages/b.jpg\n");  // an image list, not a label file
  t.Write("labels/train/a.txt", "0 0.5 0.5 0.1 0.1\n1 0.5 0.5 0.1 0.1\n");
  t.Write("labels/train/b.txt", "");
  t.Write("labels/train/c.txt", "5 0.5 0.5 0.1 0.1\n");
  DatasetStats stats;
  auto tree = DatasetTree::Scan(t.root(), stats);
  ASSERT_TRUE(tree.ok());
  ReadYoloTxtDataset(*tree, stats);
  EXPECT_EQ(stats.samples, 3u);
  EXPECT_EQ(stats.objects, 2u);
  EXPECT_EQ(stats.classes, (decltype(stats.classes){{"head", 1}, {"helmet", 1}}));
  ASSERT_EQ(stats.problems.size(), 1u);
  EXPECT_EQ(stats.problems[0].file, "labels/train/c.txt");
}

TEST(YoloTxtReaderTest, FallsBackToClassesTxtThenIds) {
  testing::TempTree t;
  t.Write("classes.txt", "person\n");
  t.Write("a.txt", "0 0.5 0.5 0.1 0.1\n");
  DatasetStats stats;
  auto tree = DatasetTree::Scan(t.root(), stats);
  ASSERT_TRUE(tree.ok());
  ReadYoloTxtDataset(*tree, stats);
  EXPECT_EQ(stats.classes, (decltype(stats.classes){{"person", 1}}));

  DatasetStats by_id;
  ParseYoloLabels("3 0.5 0.5 0.1 0.1\n", "a.txt", std::nullopt, by_id);
  EXPECT_EQ(by_id.classes, (decltype(by_id.classes){{"3", 1}}));
}

}  // namespace
}  // namespace edgesync::formats

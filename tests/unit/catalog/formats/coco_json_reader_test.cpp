#include "catalog/formats/coco_json_reader.h"

#include <gtest/gtest.h>

#include "tests/unit/catalog/formats/temp_tree.h"

namespace edgesync::formats {
namespace {

constexpr std::string_view kCoco = R"({
  "images": [{"id": 1, "file_name": "a.jpg"}, {"id": 2, "file_name": "b.jpg"}],
  "annotations": [
    {"id": 1, "image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4]},
    {"id": 2, "image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4]},
    {"id": 3, "image_id": 2, "category_id": 7, "bbox": [1, 2, 3, 4]}
  ],
  "categories": [{"id": 3, "name": "person"}, {"id": 7, "name": "car"}]
})";

TEST(CocoJsonReaderTest, CountsImagesAndAnnotationsPerCategoryName) {
  DatasetStats stats;
  EXPECT_TRUE(ParseCocoJson(kCoco, "ann.json", stats));
  EXPECT_EQ(stats.samples, 2u);
  EXPECT_EQ(stats.objects, 3u);
  EXPECT_EQ(stats.classes, (decltype(stats.classes){{"car", 1}, {"person", 2}}));
  EXPECT_TRUE(stats.problems.empty());
}

TEST(CocoJsonReaderTest, ReportsUnknownCategoryAndImageIds) {
  DatasetStats stats;
  EXPECT_TRUE(ParseCocoJson(R"({"images": [{"id": 1}],
    "annotations": [{"image_id": 1, "category_id": 9}, {"image_id": 5, "category_id": 1},
                    {"image_id": 1, "category_id": "1"}],
    "categories": [{"id": 1, "name": "dog"}, {"id": 1, "name": "cat"}, {"name": "x"}]})",
                            "c.json", stats));
  EXPECT_EQ(stats.samples, 1u);
  EXPECT_EQ(stats.objects, 1u);
  ASSERT_EQ(stats.problems.size(), 5u);
  EXPECT_EQ(stats.problems[0].element, "categories[1]");
  EXPECT_EQ(stats.problems[0].message, "duplicate category id 1");
  EXPECT_EQ(stats.problems[1].element, "categories[2]");
  EXPECT_EQ(stats.problems[2].element, "annotations[0].category_id");
  EXPECT_EQ(stats.problems[2].message, "unknown category id 9");
  EXPECT_EQ(stats.problems[3].element, "annotations[1].image_id");
  EXPECT_EQ(stats.problems[4].element, "annotations[2].category_id");
  EXPECT_EQ(stats.problems[4].message, "missing or not an integer");
}

TEST(CocoJsonReaderTest, ReportsParseErrorsWithByteAndLine) {
  DatasetStats stats;
  EXPECT_FALSE(ParseCocoJson("{\"images\": [\n{\"id\": 1},\n{\"id\": }]}", "t.json", stats));
  ASSERT_EQ(stats.problems.size(), 1u);
  EXPECT_EQ(stats.problems[0].line, 3u);
  EXPECT_NE(stats.problems[0].message.find("JSON parse error at byte 31"), std::string::npos)
      << stats.problems[0].message;
  EXPECT_FALSE(ParseCocoJson(kCoco.substr(0, 100), "cut.json", stats));
  EXPECT_FALSE(ParseCocoJson("", "empty.json", stats));
  EXPECT_EQ(stats.problems.size(), 3u);
}

TEST(CocoJsonReaderTest, ReportsNumbersTooLargeForADouble) {  // found by fuzz_coco_json
  DatasetStats stats;
  EXPECT_FALSE(ParseCocoJson(R"({"images": 8888e888888})", "big.json", stats));
  ASSERT_EQ(stats.problems.size(), 1u);
  EXPECT_NE(stats.problems[0].message.find("number overflow"), std::string::npos) << stats.problems[0].message;
}

TEST(CocoJsonReaderTest, IgnoresOtherJsonDocuments) {
  DatasetStats stats;
  EXPECT_FALSE(ParseCocoJson(R"({"name": "config", "images": 3})", "config.json", stats));
  EXPECT_FALSE(ParseCocoJson("[1, 2]", "list.json", stats));
  EXPECT_TRUE(stats.problems.empty());
  EXPECT_EQ(stats.samples, 0u);
}

TEST(CocoJsonReaderTest, ReadsAnnotationFilesOfTheTree) {
  testing::TempTree t;
  t.Write("annotations/instances_train.json", kCoco);
  t.Write("annotations/instances_val.json", kCoco);
  t.Write("meta.json", R"({"version": 1})");
  DatasetStats stats;
  auto tree = DatasetTree::Scan(t.root(), stats);
  ASSERT_TRUE(tree.ok());
  ReadCocoJsonDataset(*tree, stats);
  EXPECT_EQ(stats.samples, 4u);
  EXPECT_EQ(stats.objects, 6u);
  EXPECT_TRUE(stats.problems.empty());
}

}  // namespace
}  // namespace edgesync::formats

#include "catalog/formats/format_detect.h"

#include <gtest/gtest.h>

#include "tests/unit/catalog/formats/temp_tree.h"

namespace edgesync::formats {
namespace {

using testing::TempTree;

Result<DatasetStats> Compute(const TempTree& t, std::string format = "", bool strict = false,
                             std::string label_column = "") {
  return ComputeDatasetStats(t.root(), DatasetFormatOptions{format, label_column, strict});
}

std::string Detected(const TempTree& t) {
  auto stats = Compute(t);
  return stats.ok() ? stats->format : stats.status().ToString();
}

TEST(FormatDetectTest, DetectsEachFormat) {
  {
    TempTree t;
    t.Write("data.csv", "a,b\n1,2\n");
    EXPECT_EQ(Detected(t), "csv");
  }
  {
    TempTree t;
    t.Write("train.txt", "images/a.jpg cat\n");
    t.Write("images/a.jpg", "");
    EXPECT_EQ(Detected(t), "txt-index");
  }
  {
    TempTree t;
    t.Write("train_data.txt", "a.jpg 1,2,3,4,0\n");
    t.Write("classes.txt", "helmet\n");
    EXPECT_EQ(Detected(t), "txt-boxes");
  }
  {
    TempTree t;
    t.Write("Annotations/1.xml", "<?xml version=\"1.0\"?>\n<annotation></annotation>");
    t.Write("ImageSets/Main/train.txt", "000001\n");
    t.Write("ImageSets/Main/dog_train.txt", "000001 -1\n");
    EXPECT_EQ(Detected(t), "voc-xml");
  }
  {
    TempTree t;
    t.Write("annotations/instances.json", R"({"images": [], "annotations": [], "categories": []})");
    t.Write("README.txt", "This dataset is licensed under CC-BY.\n");
    EXPECT_EQ(Detected(t), "coco-json");
  }
  {
    TempTree t;
    t.Write("labels/a.txt", "0 0.5 0.5 0.1 0.1\n");
    t.Write("data.yaml", "names: [a]\n");
    EXPECT_EQ(Detected(t), "yolo-txt");
  }
}

TEST(FormatDetectTest, AmbiguousTreeListsTheCandidates) {
  TempTree t;
  t.Write("a.csv", "x\n1\n");
  t.Write("ann.json", R"({"images": []})");
  auto stats = Compute(t);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(stats.status().message().find("ambiguous dataset format"), std::string::npos);
  EXPECT_NE(stats.status().message().find("coco-json (ann.json)"), std::string::npos);
  EXPECT_NE(stats.status().message().find("csv (a.csv)"), std::string::npos);
  EXPECT_TRUE(Compute(t, "csv").ok());  // an explicit format settles it
}

TEST(FormatDetectTest, NothingDetectableIsNotFound) {
  TempTree t;
  t.Write("a.jpg", "\xff\xd8");
  auto stats = Compute(t);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), Status::Code::kNotFound);
  EXPECT_NE(stats.status().message().find("no dataset format detected"), std::string::npos);
}

TEST(FormatDetectTest, UnknownFormatNameListsTheValidOnes) {
  TempTree t;
  auto stats = Compute(t, "parquet");
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().message(),
            "unknown dataset format 'parquet'; valid formats: csv, txt-index, txt-boxes, voc-xml, coco-json, yolo-txt");
}

TEST(FormatDetectTest, CsvLabelColumnGivesTheClassHistogramOfEveryFile) {
  TempTree t;
  t.Write("train.csv", "sepal,species\n5.1,setosa\n7.0,versicolor\n");
  t.Write("extra/test.csv", "species,sepal\nsetosa,4.9\n");
  auto detected = Compute(t, "", /*strict=*/true, "species");
  ASSERT_TRUE(detected.ok()) << detected.status().ToString();
  EXPECT_EQ(detected->format, "csv");
  EXPECT_EQ(detected->samples, 3u);
  EXPECT_EQ(detected->classes, (decltype(detected->classes){{"setosa", 2}, {"versicolor", 1}}));
  auto without = Compute(t, "csv");
  ASSERT_TRUE(without.ok());
  EXPECT_TRUE(without->classes.empty());
}

TEST(FormatDetectTest, LabelColumnOnlyForCsv) {
  TempTree t;
  t.Write("a.xml", "<annotation/>");
  auto stats = Compute(t, "voc-xml", false, "label");
  ASSERT_FALSE(stats.ok());
  EXPECT_NE(stats.status().message().find("only to the csv format"), std::string::npos);
}

TEST(FormatDetectTest, NonStrictReturnsProblemsStrictFailsOnTheFirst) {
  TempTree t;
  t.Write("train.txt", "img/a.jpg cat\nimg/missing.jpg dog\n../../etc/passwd x\n");
  t.Write("img/a.jpg", "12345");
  auto loose = Compute(t, "txt-index");
  ASSERT_TRUE(loose.ok()) << loose.status().ToString();
  EXPECT_EQ(loose->format, "txt-index");
  EXPECT_EQ(loose->samples, 3u);
  EXPECT_EQ(loose->files, 2u);
  EXPECT_EQ(loose->bytes, 5u + 53u  /* a.jpg + train.txt */);
  EXPECT_EQ(loose->problems.size(), 2u);
  EXPECT_EQ(loose->ToJson()["stats"]["classes"], nlohmann::json({{"cat", 1}, {"dog", 1}, {"x", 1}}));

  auto strict = Compute(t, "txt-index", true);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(strict.status().message(),
            "train.txt:2: referenced file 'img/missing.jpg' is not in the dataset (and 1 more problems)");
}

TEST(FormatDetectTest, SymlinkInTheTreeIsAProblem) {
  TempTree t;
  t.Write("a.csv", "x\n1\n");
  std::filesystem::create_symlink("/etc/passwd", t.root() / "b.csv");
  auto stats = Compute(t);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->samples, 1u);
  ASSERT_EQ(stats->problems.size(), 1u);
  EXPECT_EQ(stats->problems[0].file, "b.csv");
  EXPECT_EQ(stats->problems[0].message, "symbolic link, not followed");
}

TEST(FormatDetectTest, GarbageInEveryFormatNeverFails) {
  std::string garbage;
  for (int i = 0; i < 20000; ++i) garbage.push_back(static_cast<char>((i * 7919) % 251));
  TempTree t;
  for (const char* name : {"a.csv", "b.txt", "c.xml", "d.json", "classes.txt", "data.yaml", "e.names"})
    t.Write(name, garbage);
  t.Write("empty.xml", "");
  for (auto format : kDatasetFormatNames) {
    auto stats = Compute(t, std::string(format));
    ASSERT_TRUE(stats.ok()) << format << ": " << stats.status().ToString();
    EXPECT_NO_THROW(stats->ToJson().dump());
  }
}

}  // namespace
}  // namespace edgesync::formats

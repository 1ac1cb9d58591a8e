#include "catalog/formats/dataset_stats.h"

#include <gtest/gtest.h>

namespace edgesync::formats {
namespace {

DatasetStats Example() {
  DatasetStats stats;
  stats.format = "voc-xml";
  stats.samples = 2;
  stats.AddObject("helmet");
  stats.AddObject("helmet");
  stats.AddObject("head");
  stats.files = 4;
  stats.bytes = 1234;
  stats.AddProblem("a.xml", 3, "XML parse error");
  stats.AddElementProblem("b.xml", "annotation/object[1]/name", "object without a class name");
  return stats;
}

TEST(DatasetStatsTest, ToJsonHasTheDocumentedShape) {
  const nlohmann::json expected = nlohmann::json::parse(R"({
    "format": "voc-xml",
    "stats": {
      "samples": 2, "objects": 3, "classes": {"head": 1, "helmet": 2}, "files": 4, "bytes": 1234,
      "problems": [
        {"file": "a.xml", "line": 3, "message": "XML parse error"},
        {"file": "b.xml", "element": "annotation/object[1]/name", "message": "object without a class name"}
      ],
      "problems_truncated": 0
    }
  })");
  EXPECT_EQ(Example().ToJson(), expected);
}

TEST(DatasetStatsTest, ClassificationFormatsHaveNoObjectsKey) {
  DatasetStats stats;
  stats.format = "csv";
  stats.AddClass("cat");
  EXPECT_FALSE(stats.ToJson()["stats"].contains("objects"));
}

TEST(DatasetStatsTest, FromJsonReadsBackToJson) {
  const DatasetStats original = Example();
  auto parsed = DatasetStats::FromJson(nlohmann::json::parse(original.ToJson().dump()));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, original);
}

TEST(DatasetStatsTest, FromJsonRejectsMalformedDocuments) {
  auto json = Example().ToJson();
  json["stats"]["samples"] = -1;
  auto negative = DatasetStats::FromJson(json);
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("stats.samples"), std::string::npos);

  json = Example().ToJson();
  json["stats"]["problems"][0].erase("message");
  EXPECT_FALSE(DatasetStats::FromJson(json).ok());
  EXPECT_FALSE(DatasetStats::FromJson(nlohmann::json::array()).ok());
  EXPECT_FALSE(DatasetStats::FromJson({{"format", "csv"}}).ok());
}

TEST(DatasetStatsTest, ProblemsAreBoundedAndCounted) {
  DatasetStats stats;
  for (int i = 0; i < 1005; ++i) stats.AddProblem("x.txt", static_cast<uint64_t>(i + 1), "bad");
  EXPECT_EQ(stats.problems.size(), DatasetStats::kMaxProblems);
  EXPECT_EQ(stats.problems_truncated, 5u);
  EXPECT_EQ(stats.ProblemCount(), 1005u);
  EXPECT_EQ(stats.ToJson()["stats"]["problems_truncated"], 5);
}

TEST(DatasetStatsTest, InvalidUtf8IsReplacedSoJsonCanBeDumped) {
  DatasetStats stats;
  stats.AddClass("ca\xfft");
  stats.AddProblem("f\xc3.txt", 1, "bad \xed\xa0\x80 surrogate");
  EXPECT_EQ(stats.classes.count("ca\xEF\xBF\xBDt"), 1u);
  EXPECT_EQ(stats.problems[0].file, "f\xEF\xBF\xBD.txt");
  EXPECT_NO_THROW(stats.ToJson().dump());
  EXPECT_EQ(ToValidUtf8("h\xC3\xA9llo \xF0\x9F\x98\x80"), "h\xC3\xA9llo \xF0\x9F\x98\x80");
  EXPECT_EQ(ToValidUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
}

TEST(DatasetStatsTest, ProblemToStringNamesFileAndPlace) {
  EXPECT_EQ((DatasetProblem{"a.csv", 7, "", "bad"}).ToString(), "a.csv:7: bad");
  EXPECT_EQ((DatasetProblem{"c.json", 0, "annotations[1]", "bad"}).ToString(), "c.json (annotations[1]): bad");
  EXPECT_EQ((DatasetProblem{"d", 0, "", "bad"}).ToString(), "d: bad");
}

TEST(DatasetStatsTest, SednaViewCarriesSamplesAndCallerTime) {
  const auto status = ToSednaDatasetStatus(Example(), "2026-01-02T03:04:05Z");
  EXPECT_EQ(status, nlohmann::json({{"numberOfSamples", 2}, {"updateTime", "2026-01-02T03:04:05Z"}}));
}

}  // namespace
}  // namespace edgesync::formats

#include "catalog/dataset_spec.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

using json = nlohmann::json;

TEST(DatasetSpecTest, JsonNamesAndRoundTrip) {
  DatasetSpec spec;
  spec.stats.format = "voc-xml";
  spec.stats.samples = 3;
  spec.stats.AddObject("helmet");
  spec.stats.AddObject("helmet");
  spec.stats.files = 6;
  spec.stats.bytes = 1234;
  spec.declared.label_column = "label";
  spec.declared.splits = {{"train", "train.txt"}};
  spec.declared.source = {"/data/train.txt", "edge-1", ""};
  json j = spec.ToJson();
  EXPECT_EQ(j["kind"], "dataset");
  EXPECT_EQ(j["format"], "voc-xml");
  EXPECT_EQ(j["stats"]["samples"], 3);
  EXPECT_EQ(j["stats"]["classes"], json({{"helmet", 2}}));
  EXPECT_EQ(j["stats"]["objects"], 2);
  EXPECT_EQ(j["stats"]["files"], 6);
  EXPECT_EQ(j["stats"]["bytes"], 1234);
  EXPECT_EQ(j["stats"]["problems"], json::array());
  EXPECT_EQ(j["label_column"], "label");
  EXPECT_EQ(j["splits"], json({{"train", "train.txt"}}));
  EXPECT_EQ(j["source"], json({{"url", "/data/train.txt"}, {"nodeName", "edge-1"}}));
  auto back = DatasetSpec::Parse(spec.ToCanonicalJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, spec);
}

TEST(DatasetSpecTest, SednaStatus) {
  DatasetSpec spec;
  spec.stats.samples = 42;
  EXPECT_EQ(spec.SednaStatus(1714564800123),
            json({{"numberOfSamples", 42}, {"updateTime", "2024-05-01T12:00:00.123Z"}}));
}

TEST(DatasetSpecTest, Errors) {
  EXPECT_EQ(DatasetSpec::Parse("nope").status().message(), "dataset spec is not valid JSON");
  EXPECT_EQ(DatasetSpec::Parse(R"({"kind":"model"})").status().message(),
            "dataset spec: field 'kind' must be \"dataset\"");
  EXPECT_EQ(DatasetSpec::Parse(R"({"format":"csv","stats":{"samples":1,"files":1,"bytes":1,)"
                               R"("classes":{},"problems":[]},"source":{"url":3}})").status().message(),
            "dataset spec: field 'source.url' must be a string");
}

}  // namespace
}  // namespace edgesync

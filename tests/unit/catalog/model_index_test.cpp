#include "catalog/model_index.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

ModelSpec Spec(const std::string& json) {
  auto s = ModelSpec::Parse(json);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return *s;
}

std::vector<std::string> Keys(const std::vector<std::shared_ptr<const SelectedModel>>& models) {
  std::vector<std::string> out;
  for (const auto& m : models) out.push_back(m->key);
  return out;
}

class ModelIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    index_.Upsert("model/a", "v1", Spec(R"({"task":"object_detection","labels":["car","plane","ship"],
        "metrics":{"precision":0.9,"mAP":0.7,"latency_ms":30},"metadata":{"site":"x"}})"), 0);
    index_.Upsert("model/b", "v1", Spec(R"({"task":"object_detection","labels":["plane","car"],
        "metrics":{"precision":0.85,"mAP":0.8,"latency_ms":12}})"), 0);
    index_.Upsert("model/c", "v1", Spec(R"({"task":"object_detection","labels":["car"],
        "metrics":{"precision":0.95,"mAP":0.9}})"), 0);
    index_.Upsert("model/d", "v1", Spec(R"({"task":"image_classification","labels":["car","plane"],
        "metrics":{"precision":0.99}})"), 0);
    index_.Upsert("model/e", "v1", Spec(R"({"task":"object_detection","labels":["car","plane"],
        "metrics":{"precision":0.7,"mAP":0.95}})"), 0);
  }
  ModelIndex index_;
};

TEST_F(ModelIndexTest, IssueExample) {
  auto q = ModelQuery::ParseText(
      "--task object_detection --labels-all car,plane --metric precision>=0.8 --order mAP");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(Keys(index_.Select(*q)), (std::vector<std::string>{"model/b", "model/a"}));
}

TEST_F(ModelIndexTest, LowerIsBetterOrderingAndMissingMetricLast) {
  auto q = ModelQuery::ParseText("--task object_detection --order latency_ms");
  EXPECT_EQ(Keys(index_.Select(*q)),
            (std::vector<std::string>{"model/b", "model/a", "model/c", "model/e"}));
  q = ModelQuery::ParseText("--task object_detection --order latency_ms --limit 1");
  EXPECT_EQ(Keys(index_.Select(*q)), (std::vector<std::string>{"model/b"}));
}

TEST_F(ModelIndexTest, LabelsAnyMetadataAndPrefix) {
  EXPECT_EQ(Keys(index_.Select(*ModelQuery::ParseText("--labels-any ship,boat"))),
            (std::vector<std::string>{"model/a"}));
  EXPECT_EQ(Keys(index_.Select(*ModelQuery::ParseText("--meta site=x"))),
            (std::vector<std::string>{"model/a"}));
  EXPECT_EQ(Keys(index_.Select(*ModelQuery::ParseText("--metric mAP>0.85 --limit 10"))),
            (std::vector<std::string>{"model/c", "model/e"}));
  EXPECT_EQ(index_.Select(*ModelQuery::ParseText("--prefix model/z")).size(), 0u);
}

TEST_F(ModelIndexTest, NewerSequenceWinsAndEraseSticks) {
  index_.Upsert("model/a", "v2", Spec(R"({"task":"face_recognition"})"), 5);
  index_.Upsert("model/a", "v1", Spec(R"({"task":"object_detection"})"), 0);  // stale scan
  auto a = index_.Select(*ModelQuery::ParseText("--prefix model/a"));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->version_id, "v2");
  EXPECT_EQ(a[0]->task, "face_recognition");
  index_.Erase("model/a", 6);
  index_.Upsert("model/a", "v1", Spec("{}"), 0);
  EXPECT_EQ(index_.size(), 4u);
  index_.Upsert("model/a", "v3", Spec("{}"), 7);
  EXPECT_EQ(index_.size(), 5u);
}

}  // namespace
}  // namespace edgesync

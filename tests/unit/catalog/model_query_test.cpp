#include "catalog/model_query.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

TEST(ModelQueryTest, ParsesTheIssueExample) {
  auto q = ModelQuery::ParseText(
      "--task object_detection --labels-all car,plane --metric 'precision>=0.8' --order mAP --limit 5");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->task, "object_detection");
  EXPECT_EQ(q->labels_all, (std::vector<std::string>{"car", "plane"}));
  ASSERT_EQ(q->metrics.size(), 1u);
  EXPECT_EQ(q->metrics[0], (MetricCondition{"precision", CompareOp::kGreaterEqual, 0.8}));
  EXPECT_EQ(q->order_by, "mAP");
  EXPECT_EQ(q->limit, 5u);
}

TEST(ModelQueryTest, EqualsFormAndRepeatedFlags) {
  auto q = ModelQuery::Parse({"--labels-any=dog,cat", "--meta", "team=vision", "--meta=site=a",
                              "--metric", "latency_ms<20", "--metric=recall>0.5", "--prefix", "model/x/"});
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->labels_any, (std::vector<std::string>{"dog", "cat"}));
  EXPECT_EQ(q->metadata, (std::map<std::string, std::string>{{"site", "a"}, {"team", "vision"}}));
  EXPECT_EQ(q->metrics[0], (MetricCondition{"latency_ms", CompareOp::kLess, 20}));
  EXPECT_EQ(q->metrics[1], (MetricCondition{"recall", CompareOp::kGreater, 0.5}));
  EXPECT_EQ(q->key_prefix, "model/x/");
}

TEST(ModelQueryTest, ConditionOperators) {
  EXPECT_TRUE(MetricCondition::Parse("a<=1")->Matches(1));
  EXPECT_FALSE(MetricCondition::Parse("a<1")->Matches(1));
  EXPECT_TRUE(MetricCondition::Parse("a>=1")->Matches(1));
  EXPECT_FALSE(MetricCondition::Parse("a>1")->Matches(1));
}

TEST(ModelQueryTest, Errors) {
  EXPECT_EQ(MetricCondition::Parse("precision=0.8").status().message(),
            "metric condition 'precision=0.8' needs an operator: >=, <=, > or <");
  EXPECT_EQ(MetricCondition::Parse("precision>=high").status().message(),
            "metric condition 'precision>=high': 'high' is not a finite number");
  EXPECT_EQ(MetricCondition::Parse(">=1").status().message(),
            "metric condition '>=1': metric name is empty");
  EXPECT_EQ(ModelQuery::Parse({"--limit", "-1"}).status().message(),
            "query: --limit '-1' is not a non-negative integer");
  EXPECT_EQ(ModelQuery::Parse({"--colour", "red"}).status().message(), "query: unknown flag '--colour'");
  EXPECT_EQ(ModelQuery::Parse({"--task"}).status().message(), "query: --task needs a value");
  EXPECT_EQ(ModelQuery::Parse({"task"}).status().message(),
            "query: unexpected word 'task' (flags start with --)");
  EXPECT_EQ(ModelQuery::Parse({"--meta", "novalue"}).status().message(),
            "query: --meta 'novalue' must be key=value");
  EXPECT_EQ(ModelQuery::ParseText("--task 'x").status().message(), "query: unterminated quote");
}

}  // namespace
}  // namespace edgesync

#include "catalog/model_spec.h"

#include <gtest/gtest.h>

#include <cmath>

namespace edgesync {
namespace {

TEST(ModelSpecTest, ParsesAndCanonicalizesJointModel) {
  auto spec = ModelSpec::Parse(R"({
    "format": "onnx", "task": "object_detection", "labels": ["helmet", "head"],
    "metrics": {"mAP": 0.81, "latency_ms": 23, "loss": {"value": 0.2, "direction": "higher"}},
    "devices": ["ascend310"], "metadata": {"team": "vision"},
    "parts": {"edge": {"preprocess": "resize.py", "entrypoints": ["run.sh"]},
              "cloud": {"postprocess": "nms.py", "placement": {"role": "cloud", "gpu": "yes"}}}})");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->metrics.at("mAP").direction, MetricDirection::kHigherIsBetter);
  EXPECT_EQ(spec->metrics.at("latency_ms").direction, MetricDirection::kLowerIsBetter);
  EXPECT_EQ(spec->metrics.at("loss").direction, MetricDirection::kHigherIsBetter);  // declared
  EXPECT_EQ(spec->parts.at("edge").placement, (std::map<std::string, std::string>{{"role", "edge"}}));
  EXPECT_EQ(spec->ToCanonicalJson(),
            R"({"devices":["ascend310"],"format":"onnx","kind":"model","labels":["helmet","head"],)"
            R"("metadata":{"team":"vision"},"metric_directions":{"latency_ms":"lower","loss":"higher",)"
            R"("mAP":"higher"},"metrics":{"latency_ms":23.0,"loss":0.2,"mAP":0.81},"parts":{"cloud":)"
            R"({"placement":{"gpu":"yes","role":"cloud"},"postprocess":"nms.py"},"edge":{"entrypoints":)"
            R"(["run.sh"],"placement":{"role":"edge"},"preprocess":"resize.py"}},"task":"object_detection"})");
  auto again = ModelSpec::Parse(spec->ToCanonicalJson());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *spec);
}

TEST(ModelSpecTest, DefaultDirections) {
  EXPECT_EQ(DefaultMetricDirection("latency_ms"), MetricDirection::kLowerIsBetter);
  EXPECT_EQ(DefaultMetricDirection("val_loss"), MetricDirection::kLowerIsBetter);
  EXPECT_EQ(DefaultMetricDirection("WER"), MetricDirection::kLowerIsBetter);
  EXPECT_EQ(DefaultMetricDirection("precision"), MetricDirection::kHigherIsBetter);
  EXPECT_EQ(DefaultMetricDirection("mAP@0.5"), MetricDirection::kHigherIsBetter);
}

void ExpectError(const std::string& json, const std::string& message) {
  auto spec = ModelSpec::Parse(json);
  ASSERT_FALSE(spec.ok()) << json;
  EXPECT_EQ(spec.status().message(), message);
}

TEST(ModelSpecTest, RejectsBadFields) {
  ExpectError(R"({"metrics": {"mAP": "high"}})", "model spec: field 'metrics.mAP' must be a number");
  EXPECT_EQ(ModelSpec::FromJson({{"metrics", {{"mAP", std::nan("")}}}}).status().message(),
            "model spec: field 'metrics.mAP' must be a finite number");
  ExpectError(R"({"metrics": {"a b": 1}})",
              "model spec: field 'metrics.a b': metric name 'a b' contains whitespace, a control character or one of <>=,");
  ExpectError(R"({"metrics": {"x": {"value": 1, "direction": "up"}}})",
              "model spec: field 'metrics.x.direction' must be \"higher\" or \"lower\"");
  ExpectError(R"({"labels": ["car", "car"]})", "model spec: field 'labels' lists 'car' twice");
  ExpectError(R"({"tsak": "x"})", "model spec: unknown field 'tsak'");
  ExpectError(R"({"parts": {"tiny": {}}})",
              "model spec: field 'parts.tiny.placement' is required (only parts 'edge' and 'cloud' have a default)");
  ExpectError(R"({"parts": {"Edge/x": {}}})",
              "model spec: field 'parts.Edge/x' has an invalid name (use a-z, 0-9, '-', '_')");
  ExpectError(R"({"metric_directions": {"mAP": "lower"}})",
              "model spec: field 'metric_directions.mAP' names a metric that is not in 'metrics'");
  ExpectError("[1]", "model spec must be a JSON object");
  EXPECT_FALSE(ModelSpec::Parse("{").ok());
}

TEST(ModelSpecTest, ValidatesReferencedFiles) {
  auto spec = ModelSpec::Parse(R"({"preprocess": "pre/resize.py", "entrypoints": ["bin/run"],
      "parts": {"edge": {"postprocess": "nms.py"}}})");
  ASSERT_TRUE(spec.ok());
  std::set<std::string> files = {"pre/resize.py", "bin/run", "edge/nms.py", "edge/model.onnx"};
  EXPECT_TRUE(spec->ValidateFiles(files).ok());

  files.erase("edge/nms.py");
  EXPECT_EQ(spec->ValidateFiles(files).message(),
            "model spec: field 'parts.edge.postprocess' names 'edge/nms.py', which is not a file of the model");
  files.erase("edge/model.onnx");
  EXPECT_EQ(spec->ValidateFiles(files).message(),
            "model spec: part 'edge' has no files (expected files under 'edge/')");
  files.erase("bin/run");
  EXPECT_EQ(spec->ValidateFiles(files).message(),
            "model spec: field 'entrypoints' names 'bin/run', which is not a file of the model");

  auto escape = ModelSpec::Parse(R"({"preprocess": "../x.py"})");
  ASSERT_TRUE(escape.ok());
  EXPECT_EQ(escape->ValidateFiles({}).message(),
            "model spec: field 'preprocess': path '../x.py' may not contain '.' or '..' segments");
}

}  // namespace
}  // namespace edgesync

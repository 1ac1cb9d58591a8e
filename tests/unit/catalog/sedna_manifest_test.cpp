#include "catalog/sedna_manifest.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

constexpr const char* kTwoDocs = R"(
apiVersion: sedna.io/v1alpha1
kind: Model
metadata:
  name: helmet
  namespace: vision
  labels: {team: safety}
  annotations:
    edgesync.io/task: object_detection
    edgesync.io/labels: helmet,head
spec:
  url: ./export
  format: onnx
  device_soc_versions: [ascend310, x86_64]
status:
  metrics:
    - key: mAP
      value: "0.81"
    - key: latency_ms
      value: "23"
---
apiVersion: sedna.io/v1alpha1
kind: Dataset
metadata:
  name: hard-examples
spec:
  url: file:///data/site-a/train.txt
  format: txt
  nodeName: edge-1
  credentialName: s3-cred
---
)";

TEST(SednaManifestTest, ParsesModelAndDataset) {
  auto objects = ParseSednaManifests(kTwoDocs);
  ASSERT_TRUE(objects.ok()) << objects.status().ToString();
  ASSERT_EQ(objects->size(), 2u);
  const auto& m = (*objects)[0];
  EXPECT_EQ(m.kind, SednaKind::kModel);
  EXPECT_EQ(m.Key()->str(), "model/vision/helmet");
  EXPECT_EQ(m.url, "./export");
  EXPECT_EQ(m.format, "onnx");
  EXPECT_EQ(m.device_soc_versions, (std::vector<std::string>{"ascend310", "x86_64"}));
  EXPECT_EQ(m.metrics, (std::map<std::string, double>{{"latency_ms", 23}, {"mAP", 0.81}}));
  EXPECT_EQ(m.task, "object_detection");
  EXPECT_EQ(m.model_labels, (std::vector<std::string>{"helmet", "head"}));
  EXPECT_EQ(m.labels, (std::map<std::string, std::string>{{"team", "safety"}}));
  const auto& d = (*objects)[1];
  EXPECT_EQ(d.kind, SednaKind::kDataset);
  EXPECT_EQ(d.Key()->str(), "dataset/default/hard-examples");
  EXPECT_EQ(d.node_name, "edge-1");
  EXPECT_EQ(d.credential_name, "s3-cred");
}

void ExpectError(const std::string& yaml, const std::string& message) {
  auto objects = ParseSednaManifests(yaml);
  ASSERT_FALSE(objects.ok()) << yaml;
  EXPECT_EQ(objects.status().message(), message);
}

TEST(SednaManifestTest, DatasetLabelColumnAnnotation) {
  auto objects = ParseSednaManifests(
      "apiVersion: sedna.io/v1alpha1\nkind: Dataset\n"
      "metadata: {name: d, annotations: {edgesync.io/label-column: comfort, other.io/y: z}}\n"
      "spec: {url: /x/train.csv, format: csv, nodeName: n}\n");
  ASSERT_TRUE(objects.ok()) << objects.status().ToString();
  EXPECT_EQ((*objects)[0].label_column, "comfort");
}

TEST(SednaManifestTest, Errors) {
  ExpectError("apiVersion: sedna.io/v1alpha1\nkind: Job\nmetadata: {name: x}\n",
              "sedna document 1: field 'kind' 'Job' is not supported (expected Model or Dataset)");
  ExpectError("apiVersion: sedna.io/v2\nkind: Model\n",
              "sedna document 1: field 'apiVersion' 'sedna.io/v2' is not supported (expected sedna.io/v1alpha1)");
  ExpectError("kind: Model\n", "sedna document 1: field 'apiVersion' is required");
  ExpectError("---\napiVersion: sedna.io/v1alpha1\nkind: Dataset\nmetadata: {name: d}\nspec: {url: /x, format: csv}\n",
              "sedna document 1: field 'spec.nodeName' is required");
  ExpectError("apiVersion: sedna.io/v1alpha1\nkind: Model\nmetadata: {name: m}\nspec: {url: /x, format: pb}\n"
              "status: {metrics: [{key: acc, value: high}]}\n",
              "sedna document 1: field 'status.metrics.acc' value 'high' is not a finite number");
  ExpectError("apiVersion: sedna.io/v1alpha1\nkind: Model\nmetadata: {name: 'a/b'}\nspec: {url: /x, format: pb}\n",
              "sedna document 1: object key 'model/default/a/b' must be <kind>/<name> or <kind>/<namespace>/<name>");
  ExpectError("apiVersion: sedna.io/v1alpha1\nkind: Dataset\n"
              "metadata: {name: d, annotations: {edgesync.io/label-colum: x, other.io/y: z}}\n"
              "spec: {url: /x, format: csv, nodeName: n}\n",
              "sedna document 1: field 'metadata.annotations.edgesync.io/label-colum' is not an "
              "edgesync.io annotation of this kind (known: edgesync.io/label-column)");
  ExpectError("apiVersion: sedna.io/v1alpha1\nkind: Model\n"
              "metadata: {name: m, annotations: {edgesync.io/label-column: x}}\nspec: {url: /x, format: pb}\n",
              "sedna document 1: field 'metadata.annotations.edgesync.io/label-column' is not an "
              "edgesync.io annotation of this kind (known: edgesync.io/task, edgesync.io/labels)");
  ExpectError("", "sedna manifest holds no documents");
  auto bad = ParseSednaManifests("a: [1, 2");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().message().starts_with("sedna manifest is not valid YAML: "));
}

TEST(SednaManifestTest, ResolveLocalUrl) {
  EXPECT_EQ(ResolveLocalUrl("/data/x", "/base").value(), "/data/x");
  EXPECT_EQ(ResolveLocalUrl("rel/./y", "/base").value(), "/base/rel/y");
  EXPECT_EQ(ResolveLocalUrl("file:///data/x", "/base").value(), "/data/x");
  EXPECT_EQ(ResolveLocalUrl("file://localhost/data/x", "/base").value(), "/data/x");
  auto s3 = ResolveLocalUrl("s3://bucket/model", "/base");
  EXPECT_EQ(s3.status().code(), Status::Code::kUnsupported);
  EXPECT_EQ(s3.status().message(),
            "url 's3://bucket/model': scheme 's3' is not supported yet (only local paths and file://)");
  EXPECT_EQ(ResolveLocalUrl("file://host/x", "/b").status().message(),
            "url 'file://host/x': file:// urls need an absolute path (file:///...)");
}

}  // namespace
}  // namespace edgesync

namespace edgesync {
namespace {

TEST(SednaManifestTest, RefusesAnchorsAliasesAndDeepNesting) {
  auto aliased = ParseSednaManifests("a: &x [1, 2]\nb: *x\n");
  ASSERT_FALSE(aliased.ok());
  EXPECT_NE(aliased.status().message().find("anchors and aliases are not supported (line 1)"), std::string::npos);
  std::string deep = std::string(100, '[') + std::string(100, ']');
  auto nested = ParseSednaManifests(deep);
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(nested.status().message().find("nesting deeper than 64"), std::string::npos);
  EXPECT_FALSE(ParseSednaManifests(std::string((1u << 20) + 1, ' ')).ok());
}

}  // namespace
}  // namespace edgesync

namespace edgesync {
namespace {

TEST(SednaManifestTest, InputThatMakesTheYamlParserLoopIsRefused) {
  // Found by fuzz_sedna: yaml-cpp 0.7 emits null events forever on this input.
  std::string input = ", A Sedna Mol: s3://b/" + std::string(31, '\x8d') +
                      "m\n  forsion: sedna.io/v1alph  labels:\n    team: safety\n  annotations:\n e: edge-1\n";
  auto parsed = ParseSednaManifests(input);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("does not terminate"), std::string::npos) << parsed.status().message();
}

}  // namespace
}  // namespace edgesync

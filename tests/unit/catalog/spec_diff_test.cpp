#include "catalog/spec_diff.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

FileEntry File(const std::string& path, char hash, uint32_t mode = 0644) {
  FileEntry f;
  f.path = path;
  f.sha256 = std::string(64, hash);
  f.mode = mode;
  return f;
}

TEST(SpecDiffTest, MetricsAndFiles) {
  Manifest before, after;
  before.spec_json = R"({"kind":"model","metrics":{"mAP":0.78},"labels":["car"]})";
  after.spec_json = R"({"kind":"model","metrics":{"mAP":0.81,"recall":0.5},"labels":["car","plane"]})";
  before.files = {File("a", '1'), File("b", '2')};
  after.files = {File("a", '1'), File("b", '3'), File("c", '4'), File("d", '5')};
  EXPECT_EQ(SummarizeChange(&before, after),
            R"(labels ["car"] -> ["car","plane"]; metrics.mAP 0.78 -> 0.81; +metrics.recall 0.5; +2 files; 1 file changed)");
}

TEST(SpecDiffTest, RemovalsModeChangesAndNoChange) {
  EXPECT_EQ(DiffSpecs(R"({"task":"x","format":"onnx"})", R"({"task":"y"})"),
            (std::vector<std::string>{"task x -> y", "-format"}));
  EXPECT_EQ(DiffFiles({File("a", '1'), File("b", '1')}, {File("a", '1', 0755)}),
            (std::vector<std::string>{"-1 file", "1 file changed"}));
  Manifest m;
  m.spec_json = "{}";
  EXPECT_EQ(SummarizeChange(&m, m), "no changes");
  m.files = {File("x", '1')};
  EXPECT_EQ(SummarizeChange(nullptr, m), "created; 1 file");
}

TEST(SpecDiffTest, MetaDocumentsCompareTheirView) {
  std::string before = R"({"kind":"meta","fields":{"a":{"hlc":1,"node":"n","value":1}}})";
  std::string after = R"({"kind":"meta","fields":{"a":{"hlc":5,"node":"n","deleted":true},)"
                      R"("b":{"hlc":5,"node":"n","value":"x"}}})";
  EXPECT_EQ(DiffSpecs(before, after), (std::vector<std::string>{"+fields.b x", "-fields.a"}));
}

}  // namespace
}  // namespace edgesync

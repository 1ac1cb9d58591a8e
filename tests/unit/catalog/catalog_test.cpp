#include "catalog/catalog.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/temp_dir.h"
#include "tests/unit/catalog/catalog_test_util.h"

namespace edgesync {
namespace {

using json = nlohmann::json;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;
namespace fs = std::filesystem;

ObjectKey Key(const std::string& text) { return *ObjectKey::Parse(text); }

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(StoreOptions{.path = dir_.path() / "store", .node_id = "node-a"});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    Reopen();
  }
  void Reopen(CatalogOptions options = {}) {
    catalog_.reset();
    auto catalog = Catalog::Open(*store_, std::move(options));
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(catalog).value();
  }
  // A joint model: edge and cloud parts with their scripts.
  fs::path JointModelDir() {
    fs::path d = dir_.path() / "joint";
    WriteFile(d / "edge/model.onnx", "small");
    WriteFile(d / "edge/resize.py", "resize");
    WriteFile(d / "edge/run.sh", "#!/bin/sh\n", 0755);
    WriteFile(d / "cloud/model.onnx", "large");
    WriteFile(d / "cloud/nms.py", "nms");
    WriteFile(d / "README", "joint");
    return d;
  }
  std::vector<std::string> SelectKeys(const std::string& query) {
    std::vector<std::string> out;
    for (const auto& m : catalog_->Select(*ModelQuery::ParseText(query))) out.push_back(m->key);
    return out;
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Catalog> catalog_;
};

constexpr const char* kJointSpec = R"({"task":"object_detection","labels":["helmet","head"],
  "metrics":{"mAP":0.81},"parts":{"edge":{"preprocess":"resize.py","entrypoints":["run.sh"]},
  "cloud":{"postprocess":"nms.py"}}})";

TEST_F(CatalogTest, JointModelIsOneKeyWithPartReads) {
  auto v = catalog_->PutModel(Key("model/helmet"), JointModelDir(), kJointSpec);
  ASSERT_TRUE(v.ok()) << v.status().ToString();

  fs::path edge = dir_.path() / "out-edge";
  ASSERT_TRUE(catalog_->GetModel(Key("model/helmet"), edge, "edge").ok());
  EXPECT_EQ(ReadFile(edge / "model.onnx"), "small");
  EXPECT_EQ(ReadFile(edge / "resize.py"), "resize");
  EXPECT_FALSE(fs::exists(edge / "nms.py"));
  EXPECT_TRUE((fs::status(edge / "run.sh").permissions() & fs::perms::owner_exec) != fs::perms::none);

  fs::path all = dir_.path() / "out-all";
  ASSERT_TRUE(catalog_->GetModel(Key("model/helmet"), all).ok());
  EXPECT_EQ(ReadFile(all / "cloud/model.onnx"), "large");
  EXPECT_EQ(ReadFile(all / "README"), "joint");

  EXPECT_EQ(catalog_->GetModel(Key("model/helmet"), dir_.path() / "x", "gpu").message(),
            "model 'model/helmet' has no part 'gpu' (parts: cloud, edge)");

  auto shown = catalog_->Show(Key("model/helmet"));
  ASSERT_TRUE(shown.ok()) << shown.status().ToString();
  EXPECT_EQ((*shown)["parts"]["edge"],
            json({{"files", 3}, {"bytes", 5 + 6 + 10}, {"placement", {{"role", "edge"}}}}));
  EXPECT_EQ((*shown)["spec"]["parts"]["cloud"]["placement"], json({{"role", "cloud"}}));
  EXPECT_EQ((*shown)["summary"], json({{"task", "object_detection"}, {"labels", {"helmet", "head"}},
                                       {"metrics", {{"mAP", 0.81}}}}));

  ASSERT_TRUE(catalog_->Delete(Key("model/helmet")).ok());
  EXPECT_TRUE(catalog_->GetModel(Key("model/helmet"), edge, "edge").IsNotFound());
  EXPECT_TRUE(SelectKeys("--task object_detection").empty());
}

TEST_F(CatalogTest, PutModelValidatesAgainstFiles) {
  fs::path d = dir_.path() / "m";
  WriteFile(d / "w.bin", "w");
  auto r = catalog_->PutModel(Key("model/x"), d, R"({"preprocess":"pre.py"})");
  EXPECT_EQ(r.status().message(),
            "put model/x: model spec: field 'preprocess' names 'pre.py', which is not a file of the model");
  r = catalog_->PutModel(Key("model/x"), d, R"({"metrics":{"acc":"0.9"}})");
  EXPECT_EQ(r.status().message(), "put model/x: model spec: field 'metrics.acc' must be a number");
  r = catalog_->PutModel(Key("meta/x"), d, "{}");
  EXPECT_EQ(r.status().message(), "key 'meta/x' is not a model key");
  r = catalog_->PutModel(Key("model/x"), dir_.path() / "missing", "{}");
  EXPECT_EQ(r.status().message(), "put model/x: '" + (dir_.path() / "missing").string() + "' does not exist");
}

TEST_F(CatalogTest, SelectionFollowsWritesAndSurvivesReopen) {
  fs::path d = dir_.path() / "m";
  WriteFile(d / "w.bin", "w");
  auto put = [&](const std::string& key, const std::string& spec) {
    ASSERT_TRUE(catalog_->PutModel(Key(key), d, spec).ok()) << key;
  };
  put("model/a", R"({"task":"object_detection","labels":["car","plane"],"metrics":{"precision":0.9,"mAP":0.7}})");
  put("model/b", R"({"task":"object_detection","labels":["car","plane"],"metrics":{"precision":0.85,"mAP":0.8}})");
  put("model/c", R"({"task":"object_detection","labels":["car"],"metrics":{"precision":0.95,"mAP":0.9}})");
  const std::string q = "--task object_detection --labels-all car,plane --metric precision>=0.8 --order mAP";
  EXPECT_EQ(SelectKeys(q), (std::vector<std::string>{"model/b", "model/a"}));
  put("model/a", R"({"task":"object_detection","labels":["car","plane"],"metrics":{"precision":0.9,"mAP":0.95}})");
  EXPECT_EQ(SelectKeys(q), (std::vector<std::string>{"model/a", "model/b"}));
  Reopen();
  EXPECT_EQ(SelectKeys(q), (std::vector<std::string>{"model/a", "model/b"}));
  EXPECT_EQ(SelectKeys(q + " --limit 1"), (std::vector<std::string>{"model/a"}));
}

TEST_F(CatalogTest, HistorySummariesAndRollback) {
  fs::path d = dir_.path() / "m";
  WriteFile(d / "w.bin", "v1");
  auto v1 = catalog_->PutModel(Key("model/h"), d, R"({"metrics":{"mAP":0.78}})");
  ASSERT_TRUE(v1.ok());
  WriteFile(d / "pre.py", "p");
  WriteFile(d / "post.py", "q");
  auto v2 = catalog_->PutModel(Key("model/h"), d, R"({"metrics":{"mAP":0.81}})");
  ASSERT_TRUE(v2.ok());

  auto history = catalog_->History(Key("model/h"));
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].version_id, v2->id);
  EXPECT_EQ((*history)[0].summary, "metrics.mAP 0.78 -> 0.81; +2 files");
  EXPECT_EQ((*history)[0].vector, store_->actor() + ":2");
  EXPECT_EQ((*history)[0].author, "node-a");
  EXPECT_EQ((*history)[1].summary, "created; 1 file");

  auto back = catalog_->Rollback(Key("model/h"), v1->id);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  history = catalog_->History(Key("model/h"));
  EXPECT_EQ((*history)[0].summary, "metrics.mAP 0.81 -> 0.78; -2 files");
  EXPECT_EQ(SelectKeys("--metric mAP<0.8"), (std::vector<std::string>{"model/h"}));

  ASSERT_TRUE(catalog_->Delete(Key("model/h")).ok());
  history = catalog_->History(Key("model/h"));
  EXPECT_TRUE((*history)[0].deleted);
  EXPECT_EQ((*history)[0].summary, "deleted");
}

TEST_F(CatalogTest, MetadataDocuments) {
  const ObjectKey key = Key("meta/policy/helmet");
  ASSERT_TRUE(catalog_->SetMetaFields(key, {{"policy", "best-metric:mAP"}, {"owner", "ana"}}).ok());
  ASSERT_TRUE(catalog_->DeleteMetaFields(key, {"owner"}).ok());
  ASSERT_TRUE(catalog_->SetMetaFields(key, {{"note", {{"a", 1}}}}).ok());
  EXPECT_EQ(*catalog_->ReadMetaDocument(key), json({{"note", {{"a", 1}}}, {"policy", "best-metric:mAP"}}));

  auto latest = store_->Latest(key);
  auto doc = MetadataDocument::Parse(*store_->ReadSpec(latest->record.manifest_id));
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(doc->fields().at("owner").deleted);
  EXPECT_EQ(doc->fields().at("owner").stamp.node, "node-a");
  EXPECT_LT(doc->fields().at("policy").stamp, doc->fields().at("owner").stamp);

  auto shown = catalog_->Show(key);
  EXPECT_EQ((*shown)["document"], json({{"note", {{"a", 1}}}, {"policy", "best-metric:mAP"}}));
  EXPECT_EQ((*shown)["summary"], json({{"fields", 2}}));
  EXPECT_EQ(catalog_->SetMetaFields(key, json::array()).status().message(),
            "set meta/policy/helmet: fields must be a non-empty JSON object");
  EXPECT_EQ(catalog_->SetMetaFields(Key("model/x"), {{"a", 1}}).status().message(),
            "key 'model/x' is not a meta key");
}

TEST_F(CatalogTest, DatasetStatsAndList) {
  fs::path d = fs::path(EDGESYNC_CATALOG_TEST_DATA) / "sedna-example/dataset";
  DatasetDeclaration declared;
  declared.format = "txt-index";
  auto v = catalog_->PutDataset(Key("dataset/site-a/hard"), d, declared);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  auto shown = catalog_->Show(Key("dataset/site-a/hard"));
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ((*shown)["format"], "txt-index");
  EXPECT_EQ((*shown)["stats"]["samples"], 3);
  EXPECT_EQ((*shown)["stats"]["classes"], json({{"head", 1}, {"helmet", 2}}));
  EXPECT_EQ((*shown)["stats"]["files"], 4);
  EXPECT_EQ((*shown)["stats"]["bytes"], 12 + 58);
  EXPECT_EQ((*shown)["stats"]["problems"], json::array());
  EXPECT_EQ((*shown)["sedna"]["numberOfSamples"], 3);
  EXPECT_TRUE((*shown)["sedna"]["updateTime"].get<std::string>().ends_with("Z"));

  ASSERT_TRUE(catalog_->SetMetaFields(Key("meta/x"), {{"a", 1}}).ok());
  auto rows = catalog_->List("");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].key, "dataset/site-a/hard");
  EXPECT_EQ((*rows)[0].kind, "dataset");
  EXPECT_EQ((*rows)[0].summary, json({{"format", "txt-index"}, {"samples", 3}, {"classes", 2}}));
  EXPECT_EQ((*rows)[1].summary, json({{"fields", 1}}));

  fs::path bad = dir_.path() / "bad";
  WriteFile(bad / "train.txt", "missing.jpg cat\n");
  auto strict = catalog_->PutDataset(Key("dataset/bad"), bad, declared, /*strict=*/true);
  EXPECT_EQ(strict.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(strict.status().message().starts_with("put dataset/bad: ")) << strict.status().message();
  EXPECT_TRUE(store_->Heads(Key("dataset/bad")).status().IsNotFound());
}

TEST_F(CatalogTest, CsvDatasetWithLabelColumnHasAClassHistogramAndSplits) {
  fs::path d = dir_.path() / "iris";
  WriteFile(d / "train.csv", "sepal,species\n5.1,setosa\n7.0,versicolor\n6.3,setosa\n");
  WriteFile(d / "test.csv", "sepal,species\n4.9,setosa\n");
  auto declared = DatasetDeclaration::Parse(
      R"({"kind":"dataset","format":"csv","label_column":"species",)"
      R"("splits":{"train":"train.csv","test":"test.csv"}})");
  ASSERT_TRUE(declared.ok()) << declared.status().ToString();
  auto v = catalog_->PutDataset(Key("dataset/iris"), d, *declared, /*strict=*/true);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  auto shown = catalog_->Show(Key("dataset/iris"));
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ((*shown)["stats"]["samples"], 4);
  EXPECT_EQ((*shown)["stats"]["classes"], json({{"setosa", 3}, {"versicolor", 1}}));
  EXPECT_EQ((*shown)["spec"]["label_column"], "species");
  EXPECT_EQ((*shown)["spec"]["splits"], json({{"test", "test.csv"}, {"train", "train.csv"}}));

  declared->splits["validation"] = "val.csv";
  auto missing = catalog_->PutDataset(Key("dataset/iris"), d, *declared);
  EXPECT_EQ(missing.status().message(),
            "put dataset/iris: dataset spec: field 'splits.validation' names 'val.csv', which is "
            "not a file of the dataset");
  declared->splits.erase("validation");
  declared->label_column = "kind";
  auto wrong_column = catalog_->PutDataset(Key("dataset/iris"), d, *declared, /*strict=*/true);
  EXPECT_EQ(wrong_column.status().message(),
            "put dataset/iris: test.csv:1: no column named 'kind' in the header (and 1 more problems)");
}

TEST_F(CatalogTest, ApplySednaCsvDatasetWithLabelColumnAnnotation) {
  WriteFile(dir_.path() / "thermal/train.csv", "temp,comfort\n21,ok\n30,hot\n22,ok\n");
  const std::string yaml =
      "apiVersion: sedna.io/v1alpha1\nkind: Dataset\n"
      "metadata: {name: thermal, annotations: {edgesync.io/label-column: comfort}}\n"
      "spec: {url: ./thermal/train.csv, format: csv, nodeName: edge-1}\n";
  auto applied = catalog_->ApplySedna(yaml, dir_.path());
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  auto shown = catalog_->Show(Key("dataset/default/thermal"));
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ((*shown)["stats"]["classes"], json({{"hot", 1}, {"ok", 2}}));
  EXPECT_EQ((*shown)["spec"]["label_column"], "comfort");

  const std::string not_csv =
      "apiVersion: sedna.io/v1alpha1\nkind: Dataset\n"
      "metadata: {name: t2, annotations: {edgesync.io/label-column: comfort}}\n"
      "spec: {url: ./thermal/train.csv, format: txt, nodeName: edge-1}\n";
  EXPECT_EQ(catalog_->ApplySedna(not_csv, dir_.path()).status().message(),
            "Dataset default/t2: annotation 'edgesync.io/label-column' applies only to the csv "
            "format, not txt-index");
}

TEST_F(CatalogTest, ApplySednaExample) {
  fs::path base = fs::path(EDGESYNC_CATALOG_TEST_DATA) / "sedna-example";
  auto applied = catalog_->ApplySedna(ReadFile(base / "apply.yaml"), base);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  ASSERT_EQ(applied->size(), 2u);
  EXPECT_EQ((*applied)[0].key, "model/vision/helmet-detection");
  EXPECT_EQ((*applied)[1].key, "dataset/site-a/hard-examples");
  auto model = catalog_->Show(Key("model/vision/helmet-detection"));
  EXPECT_EQ((*model)["spec"], json::parse(R"({"kind":"model","format":"onnx","task":"object_detection",
      "labels":["helmet","head"],"devices":["ascend310"],"metadata":{"team":"safety"},
      "metrics":{"mAP":0.81,"latency_ms":23.0},"metric_directions":{"mAP":"higher","latency_ms":"lower"}})"));
  EXPECT_EQ((*model)["files"][1]["mode"], "0755");
  auto dataset = catalog_->Show(Key("dataset/site-a/hard-examples"));
  EXPECT_EQ((*dataset)["stats"]["samples"], 3);
  EXPECT_EQ((*dataset)["spec"]["source"], json({{"url", "./dataset/train.txt"}, {"nodeName", "edge-1"}}));
  EXPECT_EQ(SelectKeys("--task object_detection --labels-all helmet --order latency_ms"),
            (std::vector<std::string>{"model/vision/helmet-detection"}));
}

TEST_F(CatalogTest, ApplySednaErrorsWriteNothing) {
  const std::string yaml =
      "apiVersion: sedna.io/v1alpha1\nkind: Model\nmetadata: {name: ok}\nspec: {url: /tmp, format: pb}\n"
      "---\napiVersion: sedna.io/v1alpha1\nkind: Model\nmetadata: {name: m}\n"
      "spec: {url: 's3://bucket/m', format: pb}\n";
  auto r = catalog_->ApplySedna(yaml, dir_.path());
  EXPECT_EQ(r.status().code(), Status::Code::kUnsupported);
  EXPECT_EQ(r.status().message(),
            "Model default/m: url 's3://bucket/m': this node reads no URLs");
  EXPECT_TRUE(catalog_->List("model/")->empty());
  auto missing = catalog_->ApplySedna(
      "apiVersion: sedna.io/v1alpha1\nkind: Model\nmetadata: {name: m}\nspec: {url: nope, format: pb}\n",
      dir_.path());
  EXPECT_EQ(missing.status().message(),
            "Model default/m: url 'nope': '" + (dir_.path() / "nope").string() + "' does not exist");
}

TEST_F(CatalogTest, HistoryMirrorThroughCatalog) {
  CatalogOptions options;
  options.history_path = dir_.path() / "history.git";
  options.history_background = false;
  Reopen(options);
  ASSERT_TRUE(catalog_->SetMetaFields(Key("meta/x"), {{"a", 1}}).ok());
  auto n = catalog_->SyncHistory();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1u);
  Reopen();
  EXPECT_EQ(catalog_->SyncHistory().status().message(), "catalog has no history mirror configured");
}

}  // namespace
}  // namespace edgesync

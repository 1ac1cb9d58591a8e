#include "control/conflict_commands.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "catalog/catalog.h"
#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

using nlohmann::json;

ObjectKey Key(const std::string& s) { return ObjectKey::Parse(s).value(); }

struct Node {
  std::unique_ptr<Store> store;
  std::unique_ptr<conflict::ConflictMonitor> monitor;  // never resolves by itself
};

class ConflictCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 2; ++i) {
      StoreOptions options;
      options.path = tmp_ / ("store-" + std::to_string(i));
      options.node_id = i == 0 ? "node-a" : "node-b";
      auto store = Store::Open(options);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      nodes_[i].store = std::move(*store);
      nodes_[i].monitor = std::make_unique<conflict::ConflictMonitor>(
          *nodes_[i].store, [](std::function<void()>) {}, [](int, const std::string&) {});
    }
    RegisterConflictCommands(dispatcher_, *nodes_[0].store, *nodes_[0].monitor);
  }

  // Copies every head of `key` from node `from` to node `to`, chunks first, as replication does.
  void Deliver(int from, int to, const std::string& key) {
    Store& src = *nodes_[from].store;
    Store& dst = *nodes_[to].store;
    std::vector<VersionInfo> heads = src.Heads(Key(key)).value();
    for (const VersionInfo& head : heads) {
      Manifest manifest;
      if (!head.record.tombstone) {
        manifest = src.ReadManifest(head.record.manifest_id).value();
        for (const FileEntry& file : manifest.files) {
          for (const auto& chunk : file.chunks) {
            std::string bytes;
            ASSERT_TRUE(src.chunks().Get(chunk.id, &bytes).ok());
            ASSERT_TRUE(dst.chunks().Put(chunk.id, bytes).ok());
          }
        }
      }
      ASSERT_TRUE(dst.ApplyRemote(Key(key), head.record, manifest).ok());
    }
  }

  VersionInfo Put(int node, const std::string& key, const std::string& content,
                  const std::string& spec) {
    std::filesystem::path file = tmp_ / ("w" + std::to_string(++files_)) / "weights.bin";
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << content;
    return nodes_[node].store->Put(Key(key), file.parent_path(), spec).value();
  }

  Result<json> Call(const std::string& method, const json& params) {
    CommandContext context;
    context.cancellation = std::make_shared<CancellationToken>();
    return dispatcher_.Find(method)->handler(params, context);
  }

  // model/helmet: base on a, delivered to b; then concurrent edits on both, b's delivered to a.
  void MakeModelConflict() {
    base_ = Put(0, "model/helmet", "base", R"({"metrics":{"mAP":0.5}})");
    Deliver(0, 1, "model/helmet");
    from_a_ = Put(0, "model/helmet", "from-a", R"({"metrics":{"mAP":0.81}})");
    from_b_ = Put(1, "model/helmet", "from-b", R"({"metrics":{"mAP":0.78},"task":"x"})");
    Deliver(1, 0, "model/helmet");
    ASSERT_EQ(nodes_[0].store->Heads(Key("model/helmet"))->size(), 2u);
  }

  testing::TempDir tmp_;
  Node nodes_[2];
  CommandDispatcher dispatcher_;
  VersionInfo base_, from_a_, from_b_;
  int files_ = 0;
};

TEST_F(ConflictCommandsTest, ListsHeadsWithChangesAgainstTheCommonAncestor) {
  MakeModelConflict();
  Result<json> listed = Call("conflicts", json::object());
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ((*listed)["conflicts"].size(), 1u) << *listed;
  const json& c = (*listed)["conflicts"][0];
  EXPECT_EQ(c["key"], "model/helmet");
  EXPECT_EQ(c["policy"], "keep-both");
  EXPECT_EQ(c["ancestor"], base_.id);
  ASSERT_EQ(c["heads"].size(), 2u);
  for (const json& head : c["heads"]) {
    EXPECT_EQ(head["against"], base_.id);
    std::string changes = head["changes"].dump();
    EXPECT_NE(changes.find("mAP"), std::string::npos) << head;
    EXPECT_NE(changes.find("file"), std::string::npos) << head;  // weights.bin changed
    if (head["version"] == from_b_.id) {
      EXPECT_NE(changes.find("task"), std::string::npos) << head;
    }
    EXPECT_TRUE(head.contains("metrics")) << head;
  }
}

TEST_F(ConflictCommandsTest, KeepWritesADominatingVersionWithThatContent) {
  MakeModelConflict();
  Result<json> refused = Call("resolve", {{"key", "model/helmet"}, {"keep", base_.id}});
  EXPECT_EQ(refused.status().code(), Status::Code::kInvalidArgument);
  Result<json> kept = Call("resolve", {{"key", "model/helmet"}, {"keep", from_b_.id}});
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  auto heads = nodes_[0].store->Heads(Key("model/helmet")).value();
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0].id, (*kept)["version"]);
  EXPECT_EQ(heads[0].record.author, "node-a");
  EXPECT_EQ(heads[0].record.manifest_id, from_b_.record.manifest_id);
  Result<json> again = Call("resolve", {{"key", "model/helmet"}, {"keep", from_b_.id}});
  EXPECT_EQ(again.status().code(), Status::Code::kFailedPrecondition);
}

TEST_F(ConflictCommandsTest, MergeFollowsThePolicyAndRefusesKeepBothModels) {
  MakeModelConflict();
  Result<json> refused = Call("resolve", {{"key", "model/helmet"}, {"merge", true}});
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_FALSE(Call("resolve", {{"key", "model/helmet"}}).ok());  // neither keep nor merge

  auto catalog = Catalog::Open(*nodes_[0].store).value();
  ASSERT_TRUE(catalog->SetMetaFields(Key("meta/policy"), {{"model", "best-metric:mAP"}}).ok());
  Result<json> resolved = Call("resolve", {{"key", "model/helmet"}, {"merge", true}});
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ((*resolved)["winner"], from_a_.id);  // better mAP, though b's is not older
  auto heads = nodes_[0].store->Heads(Key("model/helmet")).value();
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0].record.manifest_id, from_a_.record.manifest_id);
  EXPECT_EQ(heads[0].record.author, conflict::kResolvedAuthor);
}

TEST_F(ConflictCommandsTest, MergeMergesMetadataEvenUnderKeepBoth) {
  auto catalog_a = Catalog::Open(*nodes_[0].store).value();
  auto catalog_b = Catalog::Open(*nodes_[1].store).value();
  ASSERT_TRUE(catalog_a->SetMetaFields(Key("meta/policy"), {{"meta", "keep-both"}}).ok());
  ASSERT_TRUE(catalog_b->SetMetaFields(Key("meta/site"), {{"owner", "bob"}, {"cameras", 4}}).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a's stamp is clearly later
  ASSERT_TRUE(catalog_a->SetMetaFields(Key("meta/site"), {{"owner", "alice"}}).ok());
  Deliver(1, 0, "meta/site");
  ASSERT_EQ(nodes_[0].store->Heads(Key("meta/site"))->size(), 2u);
  Result<json> resolved = Call("resolve", {{"key", "meta/site"}, {"merge", true}});
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ((*resolved)["policy"], "merge");
  EXPECT_EQ(nodes_[0].store->Heads(Key("meta/site"))->size(), 1u);
  EXPECT_EQ(catalog_a->ReadMetaDocument(Key("meta/site")).value(),
            json({{"owner", "alice"}, {"cameras", 4}}));
}

}  // namespace
}  // namespace edgesync

#include "catalog/history_mirror.h"

#include <gtest/gtest.h>

#include <chrono>
#include <sys/wait.h>

#include <cstdio>

#include "store/sha256.h"
#include "tests/support/poll_until.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/catalog/catalog_test_util.h"

namespace edgesync {
namespace {

using testing::TempDir;

// Runs a shell command; returns its exit status and fills *out with its stdout.
int RunCommand(const std::string& cmd, std::string* out = nullptr) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  std::string text;
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  int status = pclose(p);
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Shard(const std::string& name) { return Sha256::HexOf(name.data(), name.size()).substr(0, 2); }

class HistoryMirrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(StoreOptions{.path = dir_.path() / "store", .node_id = "node-a"});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    git_dir_ = (dir_.path() / "history.git").string();
  }
  void Put(const std::string& key, const std::string& spec) {
    auto r = store_->PutFiles(*ObjectKey::Parse(key), {}, spec);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  std::unique_ptr<HistoryMirror> OpenMirror(size_t batch = 1000) {
    auto m = HistoryMirror::Open(*store_, {.path = git_dir_, .max_changes_per_commit = batch,
                                           .batch_delay = std::chrono::milliseconds(20)});
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return std::move(m).value();
  }
  std::string Git(const std::string& args, int expect_rc = 0) {
    std::string out;
    EXPECT_EQ(RunCommand("git --git-dir=" + git_dir_ + " " + args, &out), expect_rc) << args << "\n" << out;
    return out;
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::string git_dir_;
};

TEST_F(HistoryMirrorTest, KeyDirIsShardedAndUnambiguous) {
  EXPECT_EQ(HistoryMirror::KeyDir(*ObjectKey::Parse("model/helmet")), "models/_/" + Shard("helmet") + "/helmet");
  EXPECT_EQ(HistoryMirror::KeyDir(*ObjectKey::Parse("dataset/site-a/hard")), "datasets/site-a/" + Shard("hard") + "/hard");
  EXPECT_EQ(HistoryMirror::KeyDir(*ObjectKey::Parse("meta/_/p")), "meta/__/" + Shard("p") + "/p");
}

TEST_F(HistoryMirrorTest, MirrorsReadableFilesThatStockGitAccepts) {
  Put("model/vision/helmet", R"({"kind":"model","metrics":{"mAP":0.81}})");
  Put("dataset/site-a/hard", R"({"kind":"dataset","format":"csv","stats":{"samples":7}})");
  Put("meta/policy", R"({"kind":"meta","fields":{"x":{"hlc":1,"node":"n","value":"lww"}}})");
  auto mirror = OpenMirror();
  auto n = mirror->Sync();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 3u);
  EXPECT_EQ(*mirror->Checkpoint(), store_->LastSeq());
  EXPECT_EQ(*mirror->Sync(), 0u);  // nothing new: no empty commit

  Git("fsck --strict");
  EXPECT_EQ(Git("log --format=%an%x20%s main"), "node-a edgesync: 3 keys, changes 1..3\n");
  const std::string model_dir = "models/vision/" + Shard("helmet") + "/helmet";
  EXPECT_EQ(Git("show main:" + model_dir + "/spec.json"),
            "{\n  \"kind\": \"model\",\n  \"metrics\": {\n    \"mAP\": 0.81\n  }\n}\n");
  EXPECT_EQ(Git("show main:datasets/site-a/" + Shard("hard") + "/hard/stats.json"),
            "{\n  \"format\": \"csv\",\n  \"stats\": {\n    \"samples\": 7\n  }\n}\n");
  EXPECT_EQ(Git("show main:meta/_/" + Shard("policy") + "/policy/document.json"), "{\n  \"x\": \"lww\"\n}\n");
  std::string message = Git("log -1 --format=%b main");
  EXPECT_NE(message.find("model/vision/helmet "), std::string::npos) << message;

  ASSERT_TRUE(store_->Delete(*ObjectKey::Parse("model/vision/helmet")).ok());
  EXPECT_EQ(*mirror->Sync(), 1u);
  Git("cat-file -e main:" + model_dir, 128);
  Git("fsck --strict");
  EXPECT_NE(Git("log -1 --format=%b main").find("model/vision/helmet deleted"), std::string::npos);
}

TEST_F(HistoryMirrorTest, BatchesAndCatchesUpAfterRestart) {
  for (int i = 0; i < 5; ++i) Put("model/m" + std::to_string(i), "{}");
  {
    auto mirror = OpenMirror(/*batch=*/2);
    EXPECT_EQ(*mirror->Sync(), 5u);
  }
  EXPECT_EQ(Git("rev-list --count main"), "3\n");
  Put("model/late", "{}");  // written while no mirror runs
  auto mirror = OpenMirror();
  EXPECT_EQ(*mirror->Checkpoint(), 5u);
  EXPECT_EQ(*mirror->Sync(), 1u);
  EXPECT_EQ(Git("rev-list --count main"), "4\n");
  Git("fsck --strict");
}

TEST_F(HistoryMirrorTest, BackgroundThreadFollowsChanges) {
  auto mirror = OpenMirror();
  mirror->StartBackground();
  for (int i = 0; i < 10; ++i) Put("meta/doc" + std::to_string(i), "{}");
  testing::PollUntil([&] { return *mirror->Checkpoint() == store_->LastSeq(); }, std::chrono::seconds(10));
  EXPECT_EQ(*mirror->Checkpoint(), 10u);
  Git("fsck --strict");
}

}  // namespace
}  // namespace edgesync

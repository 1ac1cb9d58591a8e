// Retention as the store applies it: at commits, in EnforceRetention and in RetentionPlan.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

#include "store/store.h"
#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

constexpr uint64_t kDay = 24ull * 3600 * 1000;

class RetentionSweepTest : public ::testing::Test {
 protected:
  void Open(RetentionPolicy policy) {
    StoreOptions options;
    options.path = data_ / "store";
    options.node_id = "node-a";
    options.retention = std::move(policy);
    options.wall_clock_ms = [this] { return now_ms_.load(); };
    store_ = Store::Open(options).value();
  }
  VersionInfo Put(const std::string& content) {
    std::ofstream(src_ / "f", std::ios::binary) << content;
    now_ms_ += 1000;
    return store_->Put(key_, src_ / "f", "{}").value();
  }
  std::vector<std::string> Retained() {
    std::vector<std::string> ids;
    const std::vector<VersionInfo> history = store_->History(key_).value();
    for (const VersionInfo& v : history) ids.push_back(v.id);
    return ids;
  }

  testing::TempDir data_, src_;
  std::atomic<uint64_t> now_ms_{1'800'000'000'000};
  ObjectKey key_ = ObjectKey::Parse("model/m").value();
  std::unique_ptr<Store> store_;
};

TEST_F(RetentionSweepTest, CommitsDropVersionsBeyondTheCountButNotPinnedOrHeldOnes) {
  Open({{3, 0}, {}});
  VersionInfo pinned = Put("v1"), held = Put("v2"), plain = Put("v3");
  ASSERT_TRUE(store_->Pin(pinned.record.manifest_id, 60'000).ok());
  store_->SetRetentionHolds({{key_.str(), {held.id}}});
  VersionInfo v4 = Put("v4"), v5 = Put("v5"), v6 = Put("v6");
  EXPECT_EQ(Retained(), (std::vector<std::string>{v6.id, v5.id, v4.id, held.id, pinned.id}));
  std::map<std::string, std::string> why;
  const std::vector<RetentionVerdict> plan = store_->RetentionPlan(key_).value();
  for (const RetentionVerdict& v : plan) why[v.version_id] = v.why;
  EXPECT_EQ(why[pinned.id], "pinned");
  EXPECT_EQ(why[held.id], "held");
  EXPECT_EQ(why[v6.id], "head");
  EXPECT_FALSE(why.count(plain.id));
}

TEST_F(RetentionSweepTest, EnforceRetentionDropsVersionsThatAgedOutAndGcReclaimsThem) {
  Open({{10, kDay}, {}});
  VersionInfo old = Put(std::string(300'000, 'o')), head = Put("new");
  auto plan = store_->RetentionPlan(key_).value();
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[1].drops_at_ms, (old.record.hlc >> 16) + kDay);
  EXPECT_EQ(*store_->EnforceRetention(), 0u);
  now_ms_ += 2 * kDay;
  EXPECT_EQ(*store_->EnforceRetention(), 1u);
  EXPECT_EQ(Retained(), std::vector<std::string>{head.id});  // the head stays however old
  EXPECT_GT(store_->CollectGarbage()->bytes_deleted, 0u);
}

TEST_F(RetentionSweepTest, AShrunkPolicyAppliesAtTheNextSweepAndOverridesMatchByGlob) {
  Open({{10, 0}, {}});
  for (int i = 0; i < 5; ++i) Put("v" + std::to_string(i));
  store_->SetRetentionPolicy({{10, 0}, {{"model/*", {2, 0}}}});
  EXPECT_EQ(*store_->EnforceRetention(), 3u);
  EXPECT_EQ(Retained().size(), 2u);
}

}  // namespace
}  // namespace edgesync

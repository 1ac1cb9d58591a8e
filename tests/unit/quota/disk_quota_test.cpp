#include "quota/disk_quota.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "quota/evicted_refetch.h"
#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

using testing::RandomBytes;
using testing::TempDir;

constexpr uint64_t kMiB = 1 << 20;

// An edge store receiving versions a cloud store wrote, with the disk quota in front of it as
// replication and puts use it.
class DiskQuotaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cloud_ = Open("cloud", cloud_dir_);
    edge_ = Open("edge", edge_dir_);
    DiskQuota::Options options;
    options.limits.max_bytes = 3 * kMiB + kMiB / 2;
    options.store_dir = edge_dir_.path();
    options.peer_holds = [this](const std::string& key, const std::string&) { return !peer_gone_.count(key); };
    options.now_ms = [this] { return ++now_ms_; };
    quota_ = std::make_unique<DiskQuota>(*edge_, options);
    edge_->AddChangeListener([this](const Change& c) { quota_->Committed(c.key); });
  }

  std::unique_ptr<Store> Open(const std::string& node, const TempDir& dir) {
    StoreOptions options;
    options.path = dir / "store";
    options.node_id = node;
    if (node == "edge")
      options.admit_local_put = [this](const ObjectKey& key, uint64_t bytes) {
        return quota_->Admit(key.str(), bytes, false);
      };
    return Store::Open(options).value();
  }

  void CopyChunks(const Manifest& manifest) {
    for (const FileEntry& f : manifest.files)
      for (const ChunkRef& c : f.chunks) {
        std::string data;
        ASSERT_TRUE(cloud_->chunks().Get(c.id, &data).ok());
        ASSERT_TRUE(edge_->chunks().Put(c.id, data).ok());
      }
  }

  // The cloud writes `key`; the edge admits and applies it as replication would.
  Result<VersionInfo> Replicate(const std::string& key, uint64_t bytes, int seed) {
    std::ofstream(src_ / "f", std::ios::binary) << RandomBytes(bytes, seed);
    VersionInfo v = cloud_->Put(ObjectKey::Parse(key).value(), src_ / "f", "{}").value();
    Manifest manifest = cloud_->ReadManifest(v.record.manifest_id).value();
    EDGESYNC_RETURN_IF_ERROR(quota_->Admit(key, manifest.TotalBytes(), true));
    CopyChunks(manifest);
    auto applied = edge_->ApplyRemote(ObjectKey::Parse(key).value(), v.record, manifest);
    if (!applied.ok()) return applied.status();
    return v;
  }

  std::set<std::string> Evicted() {
    std::set<std::string> keys;
    const auto evicted = edge_->EvictedVersions().value();
    for (const auto& [key, ids] : evicted) keys.insert(key);
    return keys;
  }

  TempDir cloud_dir_, edge_dir_, src_, out_;
  std::unique_ptr<Store> cloud_, edge_;
  std::unique_ptr<DiskQuota> quota_;
  std::set<std::string> peer_gone_;
  uint64_t now_ms_ = 2'000'000'000'000;
};

TEST_F(DiskQuotaTest, ReplicatedVersionsEvictTheLeastRecentlyUsedAndUsageStaysUnderTheLimit) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Replicate("dataset/d" + std::to_string(i), kMiB, i).ok());
  EXPECT_TRUE(Evicted().empty());
  // d0 is read: d1 is now the least recently used.
  auto d0 = edge_->Latest(ObjectKey::Parse("dataset/d0").value()).value();
  quota_->Touched(d0.key, d0.id);
  for (int i = 3; i < 5; ++i) {
    ASSERT_TRUE(Replicate("dataset/d" + std::to_string(i), kMiB, i).ok());
    EXPECT_LE(*edge_->StoredChunkBytes(), 3 * kMiB + kMiB / 2);
  }
  EXPECT_EQ(Evicted(), (std::set<std::string>{"dataset/d1", "dataset/d2"}));
  const QuotaUsage usage = quota_->Usage();
  EXPECT_TRUE(usage.enabled);
  EXPECT_EQ(usage.evicted_versions, 2u);
  EXPECT_EQ(usage.evictions, 2u);
  EXPECT_LE(usage.peak_bytes, 3 * kMiB + kMiB / 2);
  // Evicted versions stay listed.
  EXPECT_EQ(edge_->ListKeys("dataset/").value().size(), 5u);
}

TEST_F(DiskQuotaTest, PinnedVersionsAndVersionsNoPeerHoldsAreNeverEvicted) {
  auto d0 = Replicate("dataset/d0", kMiB, 0);
  ASSERT_TRUE(d0.ok());
  ASSERT_TRUE(edge_->Pin(d0->record.manifest_id, 60'000).ok());
  ASSERT_TRUE(Replicate("dataset/d1", kMiB, 1).ok());
  peer_gone_.insert("dataset/d1");
  ASSERT_TRUE(Replicate("dataset/d2", kMiB, 2).ok());
  ASSERT_TRUE(Replicate("dataset/d3", kMiB, 3).ok());
  EXPECT_EQ(Evicted(), std::set<std::string>{"dataset/d2"});
}

TEST_F(DiskQuotaTest, APutThatCannotFitIsRefusedNamingTheLimitAndUsageAndStoresNothing) {
  ASSERT_TRUE(Replicate("dataset/d0", kMiB, 0).ok());
  peer_gone_.insert("dataset/d0");  // no peer could give it back: it stays
  std::ofstream(src_ / "big", std::ios::binary) << RandomBytes(3 * kMiB, 9);
  auto put = edge_->Put(ObjectKey::Parse("model/big").value(), src_ / "big", "{}");
  ASSERT_EQ(put.status().code(), Status::Code::kNoSpace) << put.status().ToString();
  EXPECT_NE(put.status().message().find("quota exceeded: storage.max_bytes allows 3.5 MiB"), std::string::npos)
      << put.status().message();
  EXPECT_NE(put.status().message().find("1.0 MiB is used"), std::string::npos) << put.status().message();
  EXPECT_TRUE(edge_->Latest(ObjectKey::Parse("model/big").value()).status().IsNotFound());
  EXPECT_EQ(quota_->Usage().refusals, 1u);
  EXPECT_FALSE(quota_->Usage().paused);  // a local put does not pause replication
  // A replicated version that cannot fit pauses replication until one fits.
  EXPECT_EQ(Replicate("dataset/huge", 4 * kMiB, 7).status().code(), Status::Code::kNoSpace);
  EXPECT_TRUE(quota_->Usage().paused);
  ASSERT_TRUE(Replicate("dataset/small", kMiB, 8).ok());
  EXPECT_FALSE(quota_->Usage().paused);
}

TEST_F(DiskQuotaTest, AnEvictedVersionIsFetchedAgainWhenMaterialized) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Replicate("dataset/d" + std::to_string(i), kMiB, i).ok());
  ASSERT_EQ(Evicted(), std::set<std::string>{"dataset/d0"});
  VersionInfo d0 = edge_->Latest(ObjectKey::Parse("dataset/d0").value()).value();
  Status refused = edge_->Materialize(d0, out_ / "d0");
  EXPECT_EQ(refused.code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(refused.message().find("evicted"), std::string::npos) << refused.message();

  int fetches = 0;
  EvictedRefetch refetch(*edge_, *quota_,
                         [&](const std::string& key, const VersionRecord& record, std::function<void(Status)> done) {
                           ++fetches;
                           Manifest m = cloud_->ReadManifest(record.manifest_id).value();
                           EXPECT_TRUE(quota_->Admit(key, m.TotalBytes(), true).ok());
                           CopyChunks(m);
                           done(Status::Ok());
                           return Status::Ok();
                         });
  edge_->SetVersionReadHook([&](const VersionInfo& v, bool evicted, const GetOptions& o) {
    return refetch.OnRead(v, evicted, o);
  });
  ASSERT_TRUE(edge_->Materialize(d0, out_ / "d0").ok());
  EXPECT_EQ(fetches, 1);
  EXPECT_FALSE(Evicted().count("dataset/d0"));
  EXPECT_LE(*edge_->StoredChunkBytes(), 3 * kMiB + kMiB / 2);  // another version made room
  EXPECT_EQ(Evicted().size(), 1u);
}

TEST_F(DiskQuotaTest, LimitsBelowWhatCannotBeEvictedAreRefused) {
  std::ofstream(src_ / "mine", std::ios::binary) << RandomBytes(2 * kMiB, 5);
  ASSERT_TRUE(edge_->Put(ObjectKey::Parse("model/mine").value(), src_ / "mine", "{}").ok());
  DiskQuotaLimits small;
  small.max_bytes = kMiB;
  Status st = quota_->CheckLimits(small);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("storage.max_bytes leaves 1.0 MiB"), std::string::npos) << st.message();
  DiskQuotaLimits enough;
  enough.max_bytes = 3 * kMiB;
  EXPECT_TRUE(quota_->CheckLimits(enough).ok());
}

}  // namespace
}  // namespace edgesync

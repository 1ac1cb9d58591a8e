// A store whose chunk bytes live in packs on a real S3 server (s3rver on 127.0.0.1), through
// remote/'s S3TierBucket: puts become a few pack uploads, reads with a cold cache come back
// byte-identical through ranged GETs, a failed pack upload leaves nothing visible, GC retires
// and rewrites packs and deletes them only after a newer metadata checkpoint, orphan packs are
// swept, and an empty directory restored from the bucket serves the same versions.
#include <gtest/gtest.h>

#include <fstream>

#include "objectstore/s3_settings.h"
#include "remote/s3_tier_bucket.h"
#include "store/store.h"
#include "tests/support/s3rver_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_content.h"

namespace edgesync {
namespace {

namespace fs = std::filesystem;
using objectstore::testing::S3rverServer;
using testing::TempDir;

constexpr uint64_t kPackBytes = 4u << 20;

// Fails every pack upload after the first `allowed`, as a bucket that becomes unreachable in the
// middle of a put; all other calls reach the real server.
class FailingPuts : public TierBucket {
 public:
  FailingPuts(TierBucket& real, int allowed) : real_(real), allowed_(allowed) {}
  std::string Describe() const override { return real_.Describe(); }
  Status Put(const std::string& name, std::string_view bytes) override {
    if (name.rfind("packs/", 0) == 0 && allowed_-- <= 0) return Status::IoError("injected: the endpoint went away");
    return real_.Put(name, bytes);
  }
  Status PutFile(const std::string& name, const fs::path& file) override { return real_.PutFile(name, file); }
  Status Read(const std::string& name, uint64_t offset, std::optional<uint64_t> length,
              const std::function<Status(std::string_view)>& sink) override {
    return real_.Read(name, offset, length, sink);
  }
  Result<std::vector<TierBlob>> List(const std::string& prefix) override { return real_.List(prefix); }
  Status Delete(const std::string& name) override { return real_.Delete(name); }

 private:
  TierBucket& real_;
  std::atomic<int> allowed_;
};

class ChunkTierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    objectstore::S3Settings settings{server_.endpoint(), "us-east-1", true, "", ""};
    objectstore::S3Environment env;
    env.vars = {{"AWS_ACCESS_KEY_ID", server_.access_key()}, {"AWS_SECRET_ACCESS_KEY", server_.secret()}};
    env.home = dir_.path().string();
    auto bucket = S3TierBucket::Create(std::string("s3://") + server_.bucket() + "/tier/node-a", settings, env);
    ASSERT_TRUE(bucket.ok()) << bucket.status().ToString();
    bucket_ = std::shared_ptr<TierBucket>(std::move(bucket).value());
  }

  StoreOptions Options(const fs::path& path, std::shared_ptr<TierBucket> bucket, uint64_t cache_bytes = 64u << 20) {
    StoreOptions o;
    o.path = path;
    o.node_id = "node-a";
    o.retention.defaults.keep_versions = 1;
    o.chunk_tier.bucket = std::move(bucket);
    o.chunk_tier.pack_bytes = kPackBytes;
    o.chunk_tier.cache_bytes = cache_bytes;
    o.chunk_tier.readahead_bytes = 1u << 20;
    return o;
  }

  std::unique_ptr<Store> Open(const StoreOptions& options) {
    auto store = Store::Open(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  size_t PacksInBucket() {
    auto packs = bucket_->List("packs/");
    EXPECT_TRUE(packs.ok()) << packs.status().ToString();
    return packs.ok() ? packs->size() : 0;
  }

  fs::path Source(const std::string& name, uint64_t bytes, uint64_t seed) {
    fs::path dir = dir_ / name;
    fs::create_directories(dir);
    std::mt19937_64 rng(seed);
    testing::WriteRandomFile(dir / "weights.bin", rng, bytes);
    return dir;
  }

  // Puts `src` as model/a; an empty version when the put failed (after a failed expectation).
  static VersionInfo PutModel(Store& store, const fs::path& src, const std::string& spec = "{}") {
    auto put = store.Put(ObjectKey::Parse("model/a").value(), src, spec);
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    return put.ok() ? *put : VersionInfo{};
  }

  std::string ReadAll(Store& store, const VersionInfo& version) {
    auto manifest = store.ReadManifest(version.record.manifest_id);
    EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
    std::string out;
    for (const auto& file : manifest->files) {
      Status s = store.ReadFile(file, [&](std::string_view bytes) {
        out.append(bytes);
        return Status::Ok();
      });
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    return out;
  }

  static std::string FileText(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  S3rverServer server_;
  TempDir dir_;
  std::shared_ptr<TierBucket> bucket_;
};

TEST_F(ChunkTierTest, PutUploadsFewPacksAndColdReadsAreIdentical) {
  const fs::path src = Source("model", 20u << 20, 1);
  VersionInfo version;
  {
    auto store = Open(Options(dir_ / "store", bucket_));
    ASSERT_TRUE(store);
    version = PutModel(*store, src);
    ASSERT_FALSE(version.id.empty());
    auto stats = store->Stats();
    ASSERT_TRUE(stats.ok() && stats->tier);
    // 20 MiB in 4 MiB packs: five or six uploads, not one per chunk.
    EXPECT_GE(stats->tier->pack_uploads, 5u);
    EXPECT_LE(stats->tier->pack_uploads, 6u);
    EXPECT_EQ(stats->tier->packs, stats->tier->pack_uploads);
    EXPECT_EQ(PacksInBucket(), stats->tier->packs);
  }
  // Nothing cached: every read goes to the bucket, with read-ahead.
  fs::remove_all(dir_ / "store" / "tier-cache");
  auto store = Open(Options(dir_ / "store", bucket_));
  ASSERT_TRUE(store);
  EXPECT_EQ(ReadAll(*store, version), FileText(src / "weights.bin"));
  auto stats = store->Stats();
  EXPECT_GT(stats->tier->range_reads, 0u);
  EXPECT_LE(stats->tier->range_reads, 20u + 6u) << "1 MiB read-ahead: about one GET per MiB";
  const uint64_t reads = stats->tier->range_reads;
  EXPECT_EQ(ReadAll(*store, version), FileText(src / "weights.bin"));
  EXPECT_EQ(store->Stats()->tier->range_reads, reads) << "the second read is served by the cache";
}

TEST_F(ChunkTierTest, DamagedCacheFilesAreFetchedAgain) {
  const fs::path src = Source("model", 6u << 20, 9);
  auto store = Open(Options(dir_ / "store", bucket_));
  ASSERT_TRUE(store);
  auto put = store->Put(ObjectKey::Parse("model/a").value(), src, "{}");
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  // Flip one byte in every cached range (sizes unchanged, so the cache still adopts them).
  size_t damaged = 0;
  for (const auto& entry : fs::directory_iterator(dir_ / "store" / "tier-cache")) {
    std::fstream file(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    char c = 0;
    file.seekg(100);
    file.get(c);
    file.seekp(100);
    file.put(static_cast<char>(c ^ 0x5a));
    ++damaged;
  }
  ASSERT_GT(damaged, 0u);
  EXPECT_EQ(ReadAll(*store, *put), FileText(src / "weights.bin"));
  EXPECT_GT(store->Stats()->tier->range_reads, 0u);
}

TEST_F(ChunkTierTest, FailedPackUploadLeavesNothingVisible) {
  const fs::path src = Source("model", 12u << 20, 2);
  auto failing = std::make_shared<FailingPuts>(*bucket_, 1);
  auto store = Open(Options(dir_ / "store", failing));
  ASSERT_TRUE(store);
  auto put = store->Put(ObjectKey::Parse("model/a").value(), src, "{}");
  ASSERT_FALSE(put.ok());
  EXPECT_NE(put.status().message().find("injected"), std::string::npos) << put.status().ToString();
  EXPECT_TRUE(store->Latest(ObjectKey::Parse("model/a").value()).status().IsNotFound());
  // The pack that did go up holds chunks no version names: GC retires it, and the next
  // checkpoint deletes it.
  auto gc = store->CollectGarbage();
  ASSERT_TRUE(gc.ok()) << gc.status().ToString();
  EXPECT_EQ(gc->packs_retired, 1u);
  ASSERT_TRUE(store->CheckpointTier().ok());
  EXPECT_EQ(PacksInBucket(), 0u);
}

TEST_F(ChunkTierTest, GcDeletesPacksNoRecordNames) {
  auto store = Open(Options(dir_ / "store", bucket_));
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Put(ObjectKey::Parse("model/a").value(), Source("model", 1u << 20, 8), "{}").ok());
  // What a crash between a pack's upload and its record leaves behind.
  ASSERT_TRUE(bucket_->Put("packs/00000000000000ab.pack", "left by a crash").ok());
  ASSERT_EQ(PacksInBucket(), 2u);
  auto gc = store->CollectGarbage();
  ASSERT_TRUE(gc.ok()) << gc.status().ToString();
  EXPECT_EQ(gc->orphan_packs_deleted, 1u);
  EXPECT_EQ(PacksInBucket(), 1u);
}

TEST_F(ChunkTierTest, GcRetiresPacksAndDeletesThemAfterTheNextCheckpoint) {
  auto store = Open(Options(dir_ / "store", bucket_));
  ASSERT_TRUE(store);
  const auto key = ObjectKey::Parse("model/a").value();
  ASSERT_TRUE(store->Put(key, Source("v1", 10u << 20, 3), "{}").ok());
  ASSERT_TRUE(store->CheckpointTier().ok());
  const size_t v1_packs = PacksInBucket();
  auto v2 = store->Put(key, Source("v2", 10u << 20, 4), "{}");  // retain 1: v1 becomes garbage
  ASSERT_TRUE(v2.ok());
  auto gc = store->CollectGarbage();
  ASSERT_TRUE(gc.ok()) << gc.status().ToString();
  EXPECT_EQ(gc->packs_retired, v1_packs);
  EXPECT_EQ(PacksInBucket(), 2 * v1_packs) << "retired packs stay until a checkpoint no longer needs them";
  auto saved = store->CheckpointTier();
  ASSERT_TRUE(saved.ok() && *saved) << saved.status().ToString();
  EXPECT_EQ(PacksInBucket(), v1_packs);
  EXPECT_EQ(ReadAll(*store, *v2), FileText(dir_ / "v2" / "weights.bin"));
  auto again = store->CheckpointTier();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again) << "nothing changed, nothing uploaded";
}

TEST_F(ChunkTierTest, GcRewritesASparsePackKeepingItsLiveChunks) {
  auto store = Open(Options(dir_ / "store", bucket_));
  ASSERT_TRUE(store);
  // Two small models in one writer's pack is not possible (one pack per put when small), so
  // one directory of two files shares a pack and one file is then dropped from the key.
  fs::path src = Source("both", 1u << 20, 5);
  std::mt19937_64 rng(6);
  testing::WriteRandomFile(src / "big.bin", rng, 2u << 20);
  const auto key = ObjectKey::Parse("model/a").value();
  ASSERT_TRUE(store->Put(key, src, "{}").ok());
  ASSERT_EQ(PacksInBucket(), 1u);
  fs::remove(src / "big.bin");
  auto v2 = store->Put(key, src, "{}");  // weights.bin's chunks are deduplicated: no new pack
  ASSERT_TRUE(v2.ok());
  ASSERT_EQ(PacksInBucket(), 1u);
  auto gc = store->CollectGarbage();
  ASSERT_TRUE(gc.ok()) << gc.status().ToString();
  EXPECT_EQ(gc->packs_rewritten, 1u);
  ASSERT_TRUE(store->CheckpointTier().ok());
  ASSERT_EQ(PacksInBucket(), 1u) << "the rewritten pack replaced the sparse one";
  fs::remove_all(dir_ / "store" / "tier-cache");  // read from the new pack in the bucket
  auto reopened = (store.reset(), Open(Options(dir_ / "store", bucket_)));
  ASSERT_TRUE(reopened);
  EXPECT_EQ(ReadAll(*reopened, *v2), FileText(src / "weights.bin"));
}

TEST_F(ChunkTierTest, RestoreFromTheBucketServesTheSameVersions) {
  const fs::path src = Source("model", 9u << 20, 7);
  VersionInfo version;
  {
    auto store = Open(Options(dir_ / "store", bucket_));
    ASSERT_TRUE(store);
    version = PutModel(*store, src, "{\"task\":\"detect\"}");
    ASSERT_FALSE(version.id.empty());
    auto saved = store->CheckpointTier();
    ASSERT_TRUE(saved.ok() && *saved) << saved.status().ToString();
  }
  fs::remove_all(dir_ / "store");  // the disk is lost
  Status refused = Store::RestoreFromTier(*bucket_, dir_.path());
  EXPECT_EQ(refused.code(), Status::Code::kFailedPrecondition) << "never into a non-empty directory";
  Status restored = Store::RestoreFromTier(*bucket_, dir_ / "store");
  ASSERT_TRUE(restored.ok()) << restored.ToString();
  auto store = Open(Options(dir_ / "store", bucket_));
  ASSERT_TRUE(store);
  auto latest = store->Latest(ObjectKey::Parse("model/a").value());
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ(latest->id, version.id);
  EXPECT_EQ(ReadAll(*store, *latest), FileText(src / "weights.bin"));
}

TEST_F(ChunkTierTest, RefusesAStoreWithoutItsTierAndARootOfAnotherNode) {
  {
    auto store = Open(Options(dir_ / "store", bucket_));
    ASSERT_TRUE(store);
  }
  StoreOptions without = Options(dir_ / "store", nullptr);
  auto opened = Store::Open(without);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("tier/node-a"), std::string::npos) << opened.status().ToString();

  StoreOptions other = Options(dir_ / "other", bucket_);
  other.node_id = "node-b";
  auto shared = Store::Open(other);
  ASSERT_FALSE(shared.ok());
  EXPECT_NE(shared.status().message().find("node-a"), std::string::npos) << shared.status().ToString();
}

TEST_F(ChunkTierTest, RestoreWithoutACheckpointSaysSo) {
  Status s = Store::RestoreFromTier(*bucket_, dir_ / "empty");
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find("no metadata checkpoint"), std::string::npos);
}

}  // namespace
}  // namespace edgesync

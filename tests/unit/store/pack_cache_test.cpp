// The local cache of tier packs: ranges read back as written, the budget holds by evicting the
// least recently used range, a reopened cache adopts its files and drops torn ones.
#include <gtest/gtest.h>

#include <fstream>

#include "store/pack_cache.h"
#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

using testing::RandomBytes;
using testing::TempDir;

std::unique_ptr<PackCache> Open(const std::filesystem::path& dir, uint64_t capacity) {
  auto cache = PackCache::Open(dir, capacity);
  EXPECT_TRUE(cache.ok()) << cache.status().ToString();
  return cache.ok() ? std::move(cache).value() : nullptr;
}

TEST(PackCacheTest, ReadsAnyStretchInsideACachedRange) {
  TempDir dir;
  auto cache = Open(dir.path(), 1u << 20);
  const std::string bytes = RandomBytes(10000, 1);
  cache->Insert(7, 5000, bytes);
  std::string out;
  ASSERT_TRUE(cache->Read(7, 5000, 100, &out));
  EXPECT_EQ(out, bytes.substr(0, 100));
  ASSERT_TRUE(cache->Read(7, 9000, 6000, &out));
  EXPECT_EQ(out, bytes.substr(4000, 6000));
  EXPECT_FALSE(cache->Read(7, 4999, 10, &out)) << "starts before the range";
  EXPECT_FALSE(cache->Read(7, 14990, 20, &out)) << "ends after the range";
  EXPECT_FALSE(cache->Read(8, 5000, 10, &out)) << "another pack";
  PackCacheStats stats = cache->Stats();
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.misses, 3u);
  cache->DropPack(7);
  EXPECT_FALSE(cache->Read(7, 5000, 100, &out));
  EXPECT_EQ(cache->Stats().bytes, 0u);
}

TEST(PackCacheTest, EvictsTheLeastRecentlyUsedToStayInBudget) {
  TempDir dir;
  auto cache = Open(dir.path(), 3000);
  cache->Insert(1, 0, RandomBytes(1000, 1));
  cache->Insert(2, 0, RandomBytes(1000, 2));
  cache->Insert(3, 0, RandomBytes(1000, 3));
  std::string out;
  ASSERT_TRUE(cache->Read(1, 0, 10, &out));  // 1 is now the most recent
  cache->Insert(4, 0, RandomBytes(1000, 4));
  EXPECT_TRUE(cache->Read(1, 0, 10, &out));
  EXPECT_FALSE(cache->Read(2, 0, 10, &out)) << "the least recently used went";
  EXPECT_TRUE(cache->Read(4, 0, 10, &out));
  EXPECT_LE(cache->Stats().bytes, 3000u);
  cache->Insert(5, 0, RandomBytes(4000, 5));
  EXPECT_FALSE(cache->Read(5, 0, 10, &out)) << "larger than the whole budget: not cached";
}

TEST(PackCacheTest, ReopenAdoptsRangesAndDropsStrayFiles) {
  TempDir dir;
  const std::string bytes = RandomBytes(2000, 9);
  {
    auto cache = Open(dir.path(), 1u << 20);
    cache->Insert(42, 100, bytes);
  }
  std::ofstream(dir / ".tmp-1-0") << "an interrupted write";
  std::ofstream(dir / "000000000000002a-0000000000000000-00000000000000ff") << "torn: shorter than named";
  auto cache = Open(dir.path(), 1u << 20);
  std::string out;
  ASSERT_TRUE(cache->Read(42, 100, 2000, &out));
  EXPECT_EQ(out, bytes);
  EXPECT_EQ(cache->Stats().ranges, 1u);
  EXPECT_FALSE(std::filesystem::exists(dir / ".tmp-1-0"));
  EXPECT_FALSE(cache->Read(42, 0, 10, &out));
}

TEST(PackCacheTest, ZeroBudgetCachesNothing) {
  TempDir dir;
  auto cache = Open(dir.path(), 0);
  cache->Insert(1, 0, "abc");
  std::string out;
  EXPECT_FALSE(cache->Read(1, 0, 3, &out));
}

}  // namespace
}  // namespace edgesync

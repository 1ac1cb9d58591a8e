#include "replication/chunk_schedule.h"

#include <gtest/gtest.h>

#include <set>

namespace edgesync::replication {
namespace {

constexpr uint32_t kChunk = 1000;

// `n` distinct chunks at manifest positions 0..n-1.
std::vector<ChunkRef> Chunks(size_t n) {
  std::vector<ChunkRef> out;
  for (size_t i = 0; i < n; ++i) {
    const std::string seed = "chunk" + std::to_string(i);
    out.push_back({ChunkId::Of(seed.data(), seed.size()), kChunk});
  }
  return out;
}

std::vector<uint32_t> Positions(size_t n) {
  std::vector<uint32_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint32_t>(i);
  return out;
}

ChunkSchedule Schedule(const std::string& self, size_t n) { return ChunkSchedule(Chunks(n), Positions(n), self, true); }

// Availability bits with the given positions set.
std::string Bits(size_t n, const std::set<uint32_t>& held) {
  std::string out((n + 7) / 8, '\0');
  for (uint32_t p : held) out[p / 8] = static_cast<char>(out[p / 8] | (1u << (p % 8)));
  return out;
}

std::set<ChunkId> Ids(const std::vector<ChunkRef>& refs) {
  std::set<ChunkId> out;
  for (const auto& r : refs) out.insert(r.id);
  return out;
}

TEST(ChunkScheduleTest, AloneItAsksAFullHolderForEverythingInManifestOrder) {
  ChunkSchedule s = Schedule("edge-a", 10);
  auto first = s.Take("origin", true, 4, UINT64_MAX);
  ASSERT_EQ(first.size(), 4u);
  EXPECT_EQ(first[0], Chunks(10)[0]);
  EXPECT_EQ(first[3], Chunks(10)[3]);
  // The byte budget stops after the chunk that reaches it.
  EXPECT_EQ(s.Take("origin", true, 10, 1500).size(), 2u);
  EXPECT_EQ(s.Take("origin", true, 10, UINT64_MAX).size(), 4u);
  EXPECT_FALSE(s.HasChunksToAsk());
}

TEST(ChunkScheduleTest, FetchersSplitWhatTheyTakeFromFullHoldersWithoutOverlap) {
  const size_t n = 64 * ChunkSchedule::kRunChunks;
  const std::vector<std::string> nodes{"edge-0", "edge-1", "edge-2", "edge-3"};
  std::set<ChunkId> taken;
  size_t total = 0;
  for (const auto& self : nodes) {
    ChunkSchedule s = Schedule(self, n);
    for (const auto& other : nodes)
      if (other != self) s.SetSwarmPeer(other, Bits(n, {}), true);
    auto mine = s.Take("origin", true, n, UINT64_MAX);
    // A share, not everything and not nothing.
    EXPECT_GT(mine.size(), n / 10) << self;
    EXPECT_LT(mine.size(), n / 2) << self;
    total += mine.size();
    for (const auto& c : mine) EXPECT_TRUE(taken.insert(c.id).second) << self << " took a chunk twice";
  }
  EXPECT_EQ(total, n);  // every chunk taken from a full holder exactly once across the four
}

TEST(ChunkScheduleTest, ChunksASwarmPeerHoldsAreAskedOfItRarestFirstNotOfFullHolders) {
  const size_t n = 8;
  ChunkSchedule s = ChunkSchedule(Chunks(n), Positions(n), "edge-a", false);  // no share to defer
  s.SetSwarmPeer("edge-b", Bits(n, {1, 2, 3}), false);
  s.SetSwarmPeer("edge-c", Bits(n, {2, 3, 5}), false);
  // The full holder is left what no swarm peer holds.
  EXPECT_EQ(Ids(s.Take("origin", true, n, UINT64_MAX)), Ids({Chunks(n)[0], Chunks(n)[4], Chunks(n)[6], Chunks(n)[7]}));
  // edge-b: chunk 1 only it holds comes before 2 and 3, which edge-c holds too.
  auto from_b = s.Take("edge-b", false, 1, UINT64_MAX);
  ASSERT_EQ(from_b.size(), 1u);
  EXPECT_EQ(from_b[0], Chunks(n)[1]);
  auto from_c = s.Take("edge-c", false, n, UINT64_MAX);
  EXPECT_EQ(from_c[0], Chunks(n)[5]);
  EXPECT_EQ(from_c.size(), 3u);  // 5, then 2 and 3
  EXPECT_FALSE(s.HasChunksToAsk());
}

TEST(ChunkScheduleTest, ASwarmPeersRarestChunksComeInManifestOrderAfterCommonerOnesBeforeThem) {
  const size_t n = 12;
  ChunkSchedule s = ChunkSchedule(Chunks(n), Positions(n), "edge-a", false);
  s.SetSwarmPeer("edge-b", Bits(n, {0, 1, 2, 4, 5, 7, 8, 10}), false);
  s.SetSwarmPeer("edge-c", Bits(n, {0, 1, 2}), false);
  // 0-2 are held by two peers; 4, 5, 7, 8, 10 by edge-b alone: the first three of those.
  EXPECT_EQ(Ids(s.Take("edge-b", false, 3, UINT64_MAX)), Ids({Chunks(n)[4], Chunks(n)[5], Chunks(n)[7]}));
  EXPECT_EQ(Ids(s.Take("edge-b", false, 3, UINT64_MAX)), Ids({Chunks(n)[8], Chunks(n)[10], Chunks(n)[0]}));
}

TEST(ChunkScheduleTest, ChunksOfADroppedPeerGoBackAndCountOnceWhenStored) {
  const size_t n = 4;
  ChunkSchedule s = ChunkSchedule(Chunks(n), Positions(n), "edge-a", true);
  s.SetSwarmPeer("liar", Bits(n, {0, 1, 2, 3}), true);
  EXPECT_TRUE(s.Take("origin", true, n, UINT64_MAX).empty());  // everything is offered by the swarm
  auto asked = s.Take("liar", false, n, UINT64_MAX);
  ASSERT_EQ(asked.size(), n);
  EXPECT_TRUE(s.IsAsked(asked[0].id));
  s.RemoveSwarmPeer("liar");
  for (const auto& c : asked) s.Return(c.id);
  EXPECT_FALSE(s.IsSwarmPeer("liar"));
  // With the liar gone this node is the only fetcher: the full holder gets everything.
  auto again = s.Take("origin", true, n, UINT64_MAX);
  ASSERT_EQ(again.size(), n);
  EXPECT_TRUE(s.Stored(again[0].id));
  EXPECT_FALSE(s.Stored(again[0].id));  // a second delivery does not count
  s.Return(again[0].id);                // nor does a stored chunk go back
  EXPECT_FALSE(s.HasChunksToAsk());
}

TEST(ChunkScheduleTest, TheEndgameAsksFullHoldersForOtherFetchersShares) {
  const size_t n = 16 * ChunkSchedule::kRunChunks;
  ChunkSchedule s = Schedule("edge-a", n);
  s.SetSwarmPeer("edge-b", Bits(n, {}), true);
  const size_t mine = s.Take("origin", true, n, UINT64_MAX).size();
  ASSERT_LT(mine, n);
  EXPECT_TRUE(s.Take("origin", true, n, UINT64_MAX).empty());  // the rest is edge-b's share
  s.SetEndgame();
  EXPECT_EQ(s.Take("origin", true, n, UINT64_MAX).size(), n - mine);
}

}  // namespace
}  // namespace edgesync::replication

#include "store/chunker.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "store/chunk_id.h"
#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

std::vector<std::string> Split(const Chunker& chunker, const std::string& data) {
  std::vector<std::string> chunks;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t len = chunker.NextCut(reinterpret_cast<const uint8_t*>(data.data()) + pos, data.size() - pos);
    chunks.push_back(data.substr(pos, len));
    pos += len;
  }
  return chunks;
}

TEST(ChunkerTest, RespectsMinAndMaxAndConcatenatesBack) {
  Chunker chunker(ChunkerParams{});
  std::string data = testing::RandomBytes(8 << 20, 1);
  auto chunks = Split(chunker, data);
  std::string joined;
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (i + 1 < chunks.size()) {
      EXPECT_GE(chunks[i].size(), 16u * 1024);
    }
    EXPECT_LE(chunks[i].size(), 256u * 1024);
    joined += chunks[i];
  }
  EXPECT_EQ(joined, data);
  double avg = static_cast<double>(data.size()) / chunks.size();
  EXPECT_GT(avg, 40 * 1024);
  EXPECT_LT(avg, 100 * 1024);
}

TEST(ChunkerTest, ZerosCutAtMaxSize) {
  Chunker chunker(ChunkerParams{});
  std::string data(1 << 20, '\0');
  for (const auto& c : Split(chunker, data)) EXPECT_EQ(c.size(), 256u * 1024);
}

TEST(ChunkerTest, InsertAtStartOf64MiBChangesAtMostTwoChunks) {
  Chunker chunker(ChunkerParams{});
  std::string data = testing::RandomBytes(64 << 20, 7);
  std::set<std::string> before;
  for (const auto& c : Split(chunker, data)) before.insert(ChunkId::Of(c.data(), c.size()).Hex());
  std::string shifted = "x" + data;
  size_t changed = 0;
  for (const auto& c : Split(chunker, shifted))
    if (!before.count(ChunkId::Of(c.data(), c.size()).Hex())) ++changed;
  EXPECT_LE(changed, 2u);
  EXPECT_GE(changed, 1u);
}

TEST(ChunkerTest, ParamsValidation) {
  EXPECT_TRUE(ChunkerParams{}.Validate().ok());
  EXPECT_FALSE((ChunkerParams{16 << 10, 48 << 10, 256 << 10}).Validate().ok());  // not a power of 2
  EXPECT_FALSE((ChunkerParams{128 << 10, 64 << 10, 256 << 10}).Validate().ok());  // min > avg
  EXPECT_FALSE((ChunkerParams{16, 64, 256}).Validate().ok());                     // too small
}

TEST(ChunkerTest, SmallParamsStillBounded) {
  ChunkerParams p{1024, 4096, 16384};
  Chunker chunker(p);
  std::string data = testing::RandomBytes(1 << 20, 3);
  auto chunks = Split(chunker, data);
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    EXPECT_GE(chunks[i].size(), 1024u);
    EXPECT_LE(chunks[i].size(), 16384u);
  }
}

}  // namespace
}  // namespace edgesync

#include "store/chunk_id.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

TEST(ChunkIdTest, KnownXxh3Value) {
  // XXH3-128 of the empty input, canonical (big-endian) form.
  EXPECT_EQ(ChunkId::Of("", 0).Hex(), "99aa06d3014798d86001c324468d497f");
}

TEST(ChunkIdTest, HexRoundTripAndRejects) {
  ChunkId id = ChunkId::Of("abc", 3);
  auto back = ChunkId::FromHex(id.Hex());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, id);
  EXPECT_FALSE(ChunkId::FromHex("zz").has_value());
  EXPECT_FALSE(ChunkId::FromHex(std::string(32, 'g')).has_value());
  EXPECT_FALSE(ChunkId::FromBytes("short").has_value());
  EXPECT_NE(ChunkId::Of("abc", 3), ChunkId::Of("abd", 3));
}

}  // namespace
}  // namespace edgesync

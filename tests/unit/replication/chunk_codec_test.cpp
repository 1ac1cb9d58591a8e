#include "replication/chunk_codec.h"

#include <gtest/gtest.h>

#include <random>

namespace edgesync::replication {
namespace {

std::string RandomChunk(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(64 << 10, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

std::string TextChunk() {
  std::string out;
  while (out.size() < (64u << 10)) out += "label,score,box\ncat,0.93,12 40 88 120\n";
  return out;
}

ChunkDataView ViewOf(const ChunkData& reply) { return {reply.id, reply.found, reply.data, reply.encoding, reply.base}; }

TEST(ChunkCodecTest, CompressibleChunksAreSentCompressedAndDecodeBack) {
  ChunkData reply;
  const std::string text = TextChunk();
  EncodeChunkPayload(text, nullptr, nullptr, &reply);
  EXPECT_EQ(reply.encoding, ChunkEncoding::kZstd);
  EXPECT_LT(reply.data.size(), text.size() / 4);
  std::string scratch;
  auto back = DecodeChunkPayload(ViewOf(reply), nullptr, text.size(), &scratch);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, text);
  EXPECT_FALSE(DecodeChunkPayload(ViewOf(reply), nullptr, text.size() - 1, &scratch).ok());
}

// Within one request, a run of incompressible chunks stops the probing: later chunks go raw
// unprobed, even a compressible one; without a probe state every chunk is probed.
TEST(ChunkCodecTest, AProbeStopsAfterARunOfIncompressibleChunks) {
  CompressionProbe probe;
  for (int i = 0; i < CompressionProbe::kSkipAfter; ++i) {
    ChunkData reply;
    EncodeChunkPayload(RandomChunk(i), nullptr, nullptr, &reply, &probe);
    EXPECT_EQ(reply.encoding, ChunkEncoding::kRaw);
  }
  ChunkData skipped;
  EncodeChunkPayload(TextChunk(), nullptr, nullptr, &skipped, &probe);
  EXPECT_EQ(skipped.encoding, ChunkEncoding::kRaw);
  EXPECT_EQ(skipped.data, TextChunk());
  ChunkData probed;
  EncodeChunkPayload(TextChunk(), nullptr, nullptr, &probed);
  EXPECT_EQ(probed.encoding, ChunkEncoding::kZstd);
}

TEST(ChunkCodecTest, ACompressibleChunkResetsTheRun) {
  CompressionProbe probe;
  for (int i = 0; i + 1 < CompressionProbe::kSkipAfter; ++i) {
    ChunkData reply;
    EncodeChunkPayload(RandomChunk(i), nullptr, nullptr, &reply, &probe);
  }
  ChunkData text;
  EncodeChunkPayload(TextChunk(), nullptr, nullptr, &text, &probe);
  EXPECT_EQ(text.encoding, ChunkEncoding::kZstd);
  EXPECT_EQ(probe.incompressible_in_a_row, 0);
}

}  // namespace
}  // namespace edgesync::replication

#include "store/file_ingest.h"

#include <gtest/gtest.h>

#include <fstream>

#include "store/sha256.h"
#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

TEST(FileIngestTest, ChunksAndHashesLargeFileAcrossBlocks) {
  testing::TempDir dir;
  std::string data = testing::RandomBytes((20 << 20) + 12345, 11);  // spans three read blocks
  { std::ofstream(dir / "f", std::ios::binary) << data; }
  Chunker chunker(ChunkerParams{});
  std::string rebuilt;
  auto entry = IngestFile(dir / "f", "f", 0644, chunker, [&](const ChunkId& id, std::string_view bytes) {
    EXPECT_EQ(ChunkId::Of(bytes.data(), bytes.size()), id);
    rebuilt.append(bytes);
    return Status::Ok();
  });
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(rebuilt, data);
  EXPECT_EQ(entry->size, data.size());
  EXPECT_EQ(entry->sha256, Sha256::HexOf(data.data(), data.size()));
  // The same bytes chunked in memory give the same boundaries.
  size_t pos = 0, i = 0;
  while (pos < data.size()) {
    size_t len = chunker.NextCut(reinterpret_cast<const uint8_t*>(data.data()) + pos, data.size() - pos);
    ASSERT_LT(i, entry->chunks.size());
    EXPECT_EQ(entry->chunks[i++].size, len);
    pos += len;
  }
  EXPECT_EQ(i, entry->chunks.size());
}

TEST(FileIngestTest, EmptyFileAndMissingFile) {
  testing::TempDir dir;
  { std::ofstream(dir / "empty"); }
  Chunker chunker(ChunkerParams{});
  auto sink = [](const ChunkId&, std::string_view) { return Status::Ok(); };
  auto entry = IngestFile(dir / "empty", "empty", 0600, chunker, sink);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->size, 0u);
  EXPECT_TRUE(entry->chunks.empty());
  EXPECT_EQ(entry->sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(IngestFile(dir / "nope", "nope", 0600, chunker, sink).status().code(), Status::Code::kIoError);
}

}  // namespace
}  // namespace edgesync

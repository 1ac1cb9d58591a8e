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

// A stream gives the same entry as the file whatever sizes its pieces come in, including an
// exact multiple of the read block and an empty stream; a failing stream fails the ingest.
TEST(FileIngestTest, StreamMatchesFileForAnySlicing) {
  testing::TempDir dir;
  Chunker chunker(ChunkerParams{});
  auto sink = [](const ChunkId&, std::string_view) { return Status::Ok(); };
  for (size_t size : {size_t{0}, size_t{1000}, size_t{16} << 20, (size_t{20} << 20) + 777}) {
    std::string data = testing::RandomBytes(size, 7);
    { std::ofstream(dir / "f", std::ios::binary) << data; }
    auto from_file = IngestFile(dir / "f", "f", 0755, chunker, sink);
    ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
    for (size_t piece : {size_t{1} << 10, size_t{3} << 20, size_t{8} << 20, size_t{64} << 20}) {
      ByteStream stream = [&](const std::function<Status(std::string_view)>& out) {
        for (size_t pos = 0; pos < data.size(); pos += piece) {
          EDGESYNC_RETURN_IF_ERROR(out(std::string_view(data).substr(pos, piece)));
        }
        return Status::Ok();
      };
      auto from_stream = IngestStream(stream, "f", 0755, chunker, sink);
      ASSERT_TRUE(from_stream.ok()) << from_stream.status().ToString();
      EXPECT_EQ(from_stream->sha256, from_file->sha256) << size << " in pieces of " << piece;
      EXPECT_EQ(from_stream->size, size);
      EXPECT_EQ(from_stream->mode, 0755u);
      ASSERT_EQ(from_stream->chunks.size(), from_file->chunks.size());
      for (size_t i = 0; i < from_file->chunks.size(); ++i) {
        EXPECT_EQ(from_stream->chunks[i].id, from_file->chunks[i].id) << i;
      }
    }
  }
  ByteStream broken = [](const std::function<Status(std::string_view)>& out) {
    EDGESYNC_RETURN_IF_ERROR(out("partial"));
    return Status::IoError("connection reset");
  };
  auto failed = IngestStream(broken, "f", 0644, chunker, sink);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "connection reset");
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

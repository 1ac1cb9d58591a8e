#include "store/rocks_chunk_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/chunk_location.h"
#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

using testing::RandomBytes;
using testing::TempDir;

constexpr size_t kBulkBytes = 8u << 20;

std::unique_ptr<RocksDb> OpenDb(const std::filesystem::path& path) {
  RocksDbOptions options;
  options.path = path;
  return RocksDb::Open(options).value();
}

// Files of the chunks family above the last level (those compaction would rewrite).
uint64_t FilesAboveLastLevel(RocksDb& db) {
  uint64_t files = 0;
  for (int level = 0; level < 6; ++level) {
    std::string count;
    EXPECT_TRUE(db.db()->GetProperty(db.cf(RocksDb::kChunks),
                                     "rocksdb.num-files-at-level" + std::to_string(level), &count));
    files += std::stoull(count);
  }
  return files;
}

TEST(ChunkLocationTest, IndexValueRoundTripsAndRejectsOtherSizes) {
  auto location = DecodeChunkIndexValue(EncodeChunkIndexValue(65536, 42));
  ASSERT_TRUE(location.ok());
  EXPECT_EQ(location->size, 65536u);
  EXPECT_EQ(location->segment, 42u);
  auto legacy = DecodeChunkIndexValue(std::string("\x10\x00\x01\x00", 4));
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(legacy->size, 0x10010u);
  EXPECT_FALSE(legacy->segment.has_value());
  EXPECT_EQ(DecodeChunkIndexValue("abc").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(DecodeChunkIndexValue(EncodeChunkIndexValue(1, ~uint64_t{0})).status().code(),
            Status::Code::kCorruption);
}

TEST(ChunkLocationTest, DataKeysSortBySegmentThenId) {
  const std::string data = "x";
  ChunkId id = ChunkId::Of(data.data(), data.size());
  EXPECT_EQ(ChunkDataKey(id, {1, std::nullopt}), std::string(id.AsBytes()));
  std::string low = ChunkDataKey(id, {1, 255}), high = ChunkDataKey(ChunkId{}, {1, 256});
  EXPECT_LT(low, high);
  EXPECT_EQ(SegmentOfDataKey(low), 255u);
  EXPECT_EQ(SegmentOfDataKey(std::string(id.AsBytes())), std::nullopt);
}

using WrittenChunks = std::vector<std::pair<ChunkId, std::string>>;

// Adds `data` as a chunk through `writer` and remembers it in `written`.
void AddChunk(ChunkWriter& writer, std::string data, WrittenChunks* written) {
  ChunkId id = ChunkId::Of(data.data(), data.size());
  ASSERT_TRUE(writer.Add(id, data).ok());
  written->emplace_back(id, std::move(data));
}

// Every chunk reads back byte-identical and the index agrees on its size.
void ExpectReadBack(RocksChunkStore& store, const WrittenChunks& written) {
  std::string out;
  for (const auto& [id, data] : written) {
    ASSERT_TRUE(store.Get(id, &out).ok());
    ASSERT_EQ(out, data);
    EXPECT_EQ(store.Locate(id).value().size, data.size());
  }
}

// Each large batch is ingested under its own segment, so no file overlaps another: RocksDB
// puts them all in the last level and never rewrites the chunk bytes in compaction.
TEST(RocksChunkStoreTest, IngestedBatchesDoNotOverlap) {
  TempDir dir;
  auto db = OpenDb(dir.path() / "db");
  RocksChunkStore store(db.get(), kBulkBytes);
  WrittenChunks written;
  for (int batch = 0; batch < 4; ++batch) {
    auto writer = store.NewWriter({});
    for (int i = 0; i < 160; ++i) {  // 160 x 64 KiB = 10 MiB: one SST ingestion, then a tail
      ASSERT_NO_FATAL_FAILURE(AddChunk(*writer, RandomBytes(64 << 10, batch * 1000 + i), &written));
    }
    ASSERT_TRUE(writer->Finish().ok());
  }
  EXPECT_EQ(FilesAboveLastLevel(*db), 0u);
  ASSERT_NO_FATAL_FAILURE(ExpectReadBack(store, written));
  std::string out;
  ASSERT_TRUE(store.Erase({written[0].first}).ok());
  EXPECT_EQ(store.Contains(written[0].first).value(), false);
  EXPECT_TRUE(store.Get(written[0].first, &out).IsNotFound());
  EXPECT_EQ(store.Contains(written[1].first).value(), true);
}

TEST(RocksChunkStoreTest, ReopenedStoreContinuesAfterTheHighestSegment) {
  TempDir dir;
  std::string first = RandomBytes(5 << 20, 1), second = RandomBytes(5 << 20, 2);
  ChunkId first_id = ChunkId::Of(first.data(), first.size());
  ChunkId second_id = ChunkId::Of(second.data(), second.size());
  uint64_t first_segment = 0;
  {
    auto db = OpenDb(dir.path() / "db");
    RocksChunkStore store(db.get(), kBulkBytes);
    auto writer = store.NewWriter({});
    ASSERT_TRUE(writer->Add(first_id, first).ok());
    ASSERT_TRUE(writer->Finish().ok());
    first_segment = store.Locate(first_id).value().segment.value();
  }
  auto db = OpenDb(dir.path() / "db");
  RocksChunkStore store(db.get(), kBulkBytes);
  auto writer = store.NewWriter({});
  ASSERT_TRUE(writer->Add(second_id, second).ok());
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_GT(store.Locate(second_id).value().segment.value(), first_segment);
  EXPECT_EQ(FilesAboveLastLevel(*db), 0u);
}

// Several batches in flight at once (4 MiB batches): every chunk reads back byte-identical, the
// index agrees on each size, and no batch overlaps another.
TEST(RocksChunkStoreTest, ManyBatchesInFlightReadBackIntact) {
  TempDir dir;
  auto db = OpenDb(dir.path() / "db");
  RocksChunkStore store(db.get(), kBulkBytes);
  auto writer = store.NewWriter({.batch_bytes = 4u << 20});
  WrittenChunks written;
  for (int i = 0; i < 700; ++i) {  // ~43 MiB: ten 4 MiB batches, then a tail
    ASSERT_NO_FATAL_FAILURE(AddChunk(*writer, RandomBytes(40000 + 77 * i, 5000 + i), &written));
  }
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(FilesAboveLastLevel(*db), 0u);
  ExpectReadBack(store, written);
}

// Stored() names only chunks whose batch is written, so a fetching node advertises nothing it
// cannot serve yet; Finish makes every added chunk stored.
TEST(RocksChunkStoreTest, StoredCountsOnlyChunksWhoseBatchIsWritten) {
  TempDir dir;
  auto db = OpenDb(dir.path() / "db");
  RocksChunkStore store(db.get(), kBulkBytes);
  auto writer = store.NewWriter({.batch_bytes = 4u << 20, .background_writes = 1});
  WrittenChunks written;
  for (int i = 0; i < 4; ++i)  // the fourth chunk seals the first batch (4 MiB)
    ASSERT_NO_FATAL_FAILURE(AddChunk(*writer, RandomBytes(1u << 20, 100 + i), &written));
  for (int i = 0; i < 3; ++i)  // buffered in the second batch
    ASSERT_NO_FATAL_FAILURE(AddChunk(*writer, RandomBytes(1u << 20, 200 + i), &written));
  EXPECT_EQ(writer->added(), 7u);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (writer->Stored() < 4 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(writer->Stored(), 4u);
  std::string out;
  for (size_t i = 0; i < written.size(); ++i)
    EXPECT_EQ(store.Get(written[i].first, &out).ok(), i < 4) << "chunk " << i;
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(writer->Stored(), 7u);
  ExpectReadBack(store, written);
}

// Stores written before segments keyed chunk bytes by id with 4-byte index values.
TEST(RocksChunkStoreTest, ReadsAndErasesChunksOfThePreSegmentLayout) {
  TempDir dir;
  auto db = OpenDb(dir.path() / "db");
  std::string data = RandomBytes(1000, 3);
  ChunkId id = ChunkId::Of(data.data(), data.size());
  rocksdb::WriteBatch legacy;
  rocksdb::Slice key(id.AsBytes().data(), 16);
  legacy.Put(db->cf(RocksDb::kChunks), key, data);
  legacy.Put(db->cf(RocksDb::kChunkIndex), key, std::string("\xe8\x03\x00\x00", 4));
  ASSERT_TRUE(db->WriteUnsynced(&legacy).ok());

  RocksChunkStore store(db.get(), kBulkBytes);
  std::string out;
  ASSERT_TRUE(store.Get(id, &out).ok());
  EXPECT_EQ(out, data);
  EXPECT_EQ(store.Locate(id).value().size, 1000u);
  ASSERT_TRUE(store.Erase({id}).ok());
  EXPECT_TRUE(store.Get(id, &out).IsNotFound());
  std::string raw;
  EXPECT_TRUE(db->Get(RocksDb::kChunks, key, &raw).IsNotFound());
}

}  // namespace
}  // namespace edgesync

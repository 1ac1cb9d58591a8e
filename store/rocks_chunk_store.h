// RocksChunkStore: the ChunkStore on the `chunks` and `chunk_index` column families of a
// RocksDb. The index maps a chunk id to its size and to the segment its bytes are stored under
// (see chunk_location.h); presence checks read only the index.
//
// Small writes go through an unsynced WriteBatch. A writer that accumulates many chunks sorts
// them and writes an SST file that RocksDB ingests, which bypasses the WAL and memtable and so
// doubles put throughput for large objects; it writes up to three batches in the background
// while the caller fills the next. Thread-safe.
#pragma once

#include <atomic>

#include "store/chunk_location.h"
#include "store/chunk_store.h"
#include "store/rocks_db.h"

namespace edgesync {

class RocksChunkStore : public ChunkStore {
 public:
  // `bulk_bytes`: buffered bytes at which a writer ingests an SST file.
  RocksChunkStore(RocksDb* db, size_t bulk_bytes);

  Result<bool> Contains(const ChunkId& id) override;
  Status Get(const ChunkId& id, std::string* out) override;
  Status Put(const ChunkId& id, std::string_view data) override;
  std::unique_ptr<ChunkWriter> NewWriter(const ChunkWriterOptions& options) override;
  Status Erase(const std::vector<ChunkId>& ids) override;

  // NotFound when the chunk is absent.
  Result<ChunkLocation> Locate(const ChunkId& id);
  // Adds the deletes of a chunk's index entry and bytes to `batch` (garbage collection).
  void AddErase(rocksdb::WriteBatch* batch, const ChunkId& id, const ChunkLocation& location);

 private:
  uint64_t NextSegment();

  RocksDb* db_;
  size_t bulk_bytes_;
  std::atomic<uint64_t> next_segment_;
  uint64_t small_segment_ = 0;  // shared by the small writes of this process
};

}  // namespace edgesync

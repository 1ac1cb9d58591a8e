// RocksChunkStore: the ChunkStore on the `chunks` column family of a RocksDb.
//
// Small writes go through an unsynced WriteBatch. A writer that accumulates many chunks sorts
// them and writes an SST file that RocksDB ingests, which bypasses the WAL and memtable and so
// doubles put throughput for large objects; it writes one batch in the background while the
// caller fills the next. Thread-safe.
#pragma once

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
  std::unique_ptr<ChunkWriter> NewWriter() override;
  Status Erase(const std::vector<ChunkId>& ids) override;

 private:
  RocksDb* db_;
  size_t bulk_bytes_;
};

}  // namespace edgesync

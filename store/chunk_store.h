// ChunkStore: content-addressed chunk bytes, behind an interface so that nothing above store/
// sees RocksDB (an object-storage backend can implement it later).
//
// Writes are not synced: a later synced commit in the same database makes them durable (the
// RocksDB implementation shares one WAL), and a chunk is only reachable once that commit
// happened. Implementations are safe for concurrent access.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/chunk_id.h"
#include "base/status.h"

namespace edgesync {

// Accumulates chunks of one writer (a put or a transfer) and stores them in large batches.
// Needs external synchronization.
class ChunkWriter {
 public:
  virtual ~ChunkWriter() = default;
  // Copies `data`; may store earlier buffered chunks before returning.
  virtual Status Add(const ChunkId& id, std::string_view data) = 0;
  // Stores everything still buffered. After Finish the chunks are readable. The writer keeps its
  // batch buffers for the chunks to come (a fresh buffer costs a page fault per 4 KiB).
  virtual Status Finish() = 0;
  // Frees the buffers kept for batches to come; chunks still buffered stay. A long-lived writer
  // calls it when it goes idle.
  virtual void ReleaseBuffers() = 0;
  // How many chunks were added so far. The first Stored() of them are readable (their batch
  // is written), so a caller can say what it holds without forcing a write with Finish.
  // Stored collects the background writes that have finished.
  virtual uint64_t added() const = 0;
  virtual uint64_t Stored() = 0;
};

// How a ChunkWriter batches. A full batch is written in the background while the next one
// fills, up to `background_writes` at once; a crash loses at most the batch filling and those
// being written. Larger and more batches cost fewer, better overlapped writes.
struct ChunkWriterOptions {
  size_t batch_bytes = 0;  // 0: the store's bulk size
  size_t background_writes = 3;
};

class ChunkStore {
 public:
  virtual ~ChunkStore() = default;

  virtual Result<bool> Contains(const ChunkId& id) = 0;
  // NotFound when absent; Corruption when the stored bytes do not hash to `id`.
  virtual Status Get(const ChunkId& id, std::string* out) = 0;
  virtual Status Put(const ChunkId& id, std::string_view data) = 0;
  virtual std::unique_ptr<ChunkWriter> NewWriter(const ChunkWriterOptions& options) = 0;
  virtual Status Erase(const std::vector<ChunkId>& ids) = 0;
};

}  // namespace edgesync

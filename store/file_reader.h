// FileReader: one stored file read by pulling (Read into a buffer), for writers that ask for
// bytes rather than take them: an upload to object storage. Store::ReadFile is the pushing
// form. Chunks are fetched one at a time as the reader reaches them; the file's SHA-256 is
// checked when the last byte has been read, and a mismatch (or a missing or wrong-size chunk)
// fails that Read, so a consumer that completes only on a clean end never publishes bad bytes.
// Needs external synchronization; the store must outlive it.
#pragma once

#include <cstddef>
#include <string>

#include "base/status.h"
#include "store/chunk_store.h"
#include "store/manifest.h"
#include "store/sha256.h"

namespace edgesync {

class FileReader {
 public:
  FileReader(ChunkStore& chunks, FileEntry file) : chunks_(chunks), file_(std::move(file)) {}

  // Copies up to `capacity` bytes into `buffer`; 0 at the end of a file that matched its hash.
  Result<size_t> Read(char* buffer, size_t capacity);

 private:
  ChunkStore& chunks_;
  const FileEntry file_;
  size_t next_chunk_ = 0;
  std::string chunk_;
  size_t offset_ = 0;  // read position in chunk_
  Sha256 sha_;
  bool verified_ = false;
};

}  // namespace edgesync

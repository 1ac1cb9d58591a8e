// Manifest: what one version of an object contains, independent of where it is stored.
//
// A manifest lists files (path, size, mode, chunk ids with sizes, SHA-256) and carries the
// kind-specific spec as a JSON text that store/ does not interpret. Its encoding is canonical
// (sorted keys, no whitespace), so equal manifests have equal ids on every node.
// Plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/chunk_id.h"
#include "base/status.h"

namespace edgesync {

struct ChunkRef {
  ChunkId id;
  uint32_t size = 0;
  bool operator==(const ChunkRef&) const = default;
};

struct FileEntry {
  std::string path;    // relative, validated with ValidateRelativePath
  uint64_t size = 0;
  uint32_t mode = 0644;  // permission bits only; the exec bits are what matters
  std::string sha256;    // lowercase hex
  std::vector<ChunkRef> chunks;
  bool operator==(const FileEntry&) const = default;
};

// How many files a selection holds, and their bytes.
struct FileSelection {
  size_t files = 0;
  uint64_t bytes = 0;
};

struct Manifest {
  std::string spec_json = "{}";  // canonical JSON object, kind-specific
  std::vector<FileEntry> files;  // sorted by path, unique

  uint64_t TotalBytes() const;
  // The files whose path starts with `prefix` ("" = all).
  FileSelection Select(std::string_view prefix) const;

  // Canonical bytes; Decode(Encode()) == *this.
  std::string Encode() const;
  // Validates paths, sizes and chunk lists; never trusts the input.
  static Result<Manifest> Decode(std::string_view bytes);
  // Checks the invariants Decode checks, for manifests built in memory.
  Status Validate() const;

  bool operator==(const Manifest&) const = default;
};

// The manifest's address: XXH3-128 of its canonical encoding.
ChunkId ManifestId(const std::string& encoded);

// Re-serializes a JSON text canonically (sorted keys, compact); errors on invalid JSON or a
// value that is not an object.
Result<std::string> CanonicalJsonObject(std::string_view json);

}  // namespace edgesync

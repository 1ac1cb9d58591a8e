// Uploading a local file or a byte stream as one object: a single PUT up to
// `multipart_threshold`, a multipart upload of `part_size` parts (`parallel` in flight) above
// it, with user metadata. Nothing is visible until the upload completes; a failed or cancelled
// multipart upload is aborted so its parts do not linger.
//
// Skipping unchanged content: when `content_id` is set it is stored as the object's
// x-amz-meta-edgesync-version, and an upload whose destination already carries the same
// content id (and, for a file, the same size) is skipped; ObjectStore::Head gives callers the
// same comparison.
//
// Memory: at most `parallel` parts (or, for a stream, `multipart_threshold` + one part while it
// is still unknown whether the stream is larger than the threshold).
// Thread safety: the functions may run on many threads at once; `source`, `progress` and
// `cancelled` are called only on the calling thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "base/status.h"
#include "objectstore/object_store.h"

namespace edgesync::objectstore {

// The metadata name under which content_id is stored.
inline constexpr char kContentIdMetadata[] = "edgesync-version";

struct UploadOptions {
  uint64_t multipart_threshold = 64ull << 20;
  uint64_t part_size = 16ull << 20;  // at least 5 MiB (S3's minimum for all parts but the last)
  int parallel = 3;
  Metadata metadata;
  std::string content_id;
  std::function<void(uint64_t bytes_done, uint64_t bytes_total)> progress;  // total 0 for a stream
  std::function<bool()> cancelled;
};

struct UploadResult {
  bool skipped = false;  // the destination already had this content_id
  std::string etag;
  uint64_t size = 0;
};

// Fills `buffer` with up to `capacity` bytes; returns how many (0 at the end of the stream).
using ByteSource = std::function<Result<size_t>(char* buffer, size_t capacity)>;

Result<UploadResult> UploadFile(ObjectStore& store, const std::string& bucket, const std::string& key,
                                const std::filesystem::path& file, const UploadOptions& options = {});

Result<UploadResult> UploadStream(ObjectStore& store, const std::string& bucket, const std::string& key,
                                  const ByteSource& source, const UploadOptions& options = {});

}  // namespace edgesync::objectstore

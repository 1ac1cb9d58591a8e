// ExportVersion: writes a stored version's files as plain objects under an s3:// prefix, so any
// S3 client (a Sedna worker, s3cmd) reads them unchanged: <prefix>/<path> per file, large files
// by multipart upload, each carrying the version id, the file's SHA-256 and its permission bits
// as user metadata. A file whose object already carries this version id and size is skipped,
// so exporting an unchanged version again uploads nothing. Bytes come from the store through
// FileReader, checked against the file's hash before the upload completes.
// Thread-compatible: one export per call; `s3` is shared and thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "objectstore/object_store.h"
#include "objectstore/object_url.h"
#include "store/store.h"

namespace edgesync {

struct ExportOptions {
  std::string part;         // only this joint-model part's files, at the top of the prefix
  TransferControl control;  // bytes uploaded (of the selection) and cancellation
};

struct ExportResult {
  size_t files = 0;     // in the selection
  size_t uploaded = 0;  // written this time
  size_t skipped = 0;   // already there with this version id
  uint64_t bytes = 0;   // uploaded this time
};

// REQUIRES: `destination` is an s3:// URL.
Result<ExportResult> ExportVersion(Store& store, const VersionInfo& version,
                                   const objectstore::ObjectUrl& destination, objectstore::ObjectStore& s3,
                                   const ExportOptions& options);

}  // namespace edgesync

// WriteVersionFiles: writes a version's files below a directory through Store::ReadFile, so the
// daemon can report progress, honour cancellation and fsync (checkout needs all three; the
// store's Materialize offers none). Each file is written to a temporary name and renamed, with
// its permission bits (exec bits kept). Thread-compatible: one call per destination.
#pragma once

#include <filesystem>
#include <string>

#include "store/manifest.h"
#include "store/status.h"
#include "store/store.h"
#include "syncd/command_dispatcher.h"
#include "syncd/transfer_progress.h"

namespace edgesync {

struct VersionFilesOptions {
  std::string path_prefix;   // only files under it ("edge/"); empty: all
  bool strip_prefix = false; // write edge/x as x
  bool fsync = false;        // fsync every file and directory before returning
};

// Number of files of `manifest` selected by `options`, and their bytes.
struct FileSelection {
  size_t files = 0;
  uint64_t bytes = 0;
};
FileSelection SelectFiles(const Manifest& manifest, const VersionFilesOptions& options);

Status WriteVersionFiles(Store& store, const Manifest& manifest,
                         const std::filesystem::path& dest, const VersionFilesOptions& options,
                         TransferProgress& progress, const CancellationToken& cancellation);

// fsync(2) of a file or directory by path.
Status FsyncPath(const std::filesystem::path& path);

}  // namespace edgesync

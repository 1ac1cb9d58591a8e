// ListSourceFiles: the one walk of a put's source (a file or a directory tree).
//
// The catalog lists a source once and uses the list to check a spec against the files, to
// total the bytes for progress and to store them; Store::Put lists with it too. Symlinks and
// special files are refused, naming them. Pure function of the filesystem; thread-safe.
#pragma once

#include <filesystem>
#include <vector>

#include "base/status.h"
#include "store/store.h"

namespace edgesync {

// A regular file yields one entry named by its file name; a directory yields every regular
// file below it, by '/'-separated relative path. NotFound when `source` does not exist.
Result<std::vector<SourceFile>> ListSourceFiles(const std::filesystem::path& source);

// The sum of the listed sizes.
uint64_t TotalBytes(const std::vector<SourceFile>& files);

}  // namespace edgesync

// DatasetTree: the regular files of a dataset directory, listed once, read on demand.
//
// Scan walks the tree without following symbolic links: a symlink (to a file or a directory)
// is reported as a problem and left alone, as is anything that is neither a regular file nor a
// directory. Readers ask the tree whether a referenced path exists instead of touching the
// filesystem, so a path from dataset content is never resolved outside the root.
// Immutable after construction; safe for concurrent reads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "catalog/formats/dataset_stats.h"
#include "base/status.h"

namespace edgesync::formats {

struct TreeFile {
  std::string path;  // relative to the root, '/'-separated
  uint64_t size = 0;
};

class DatasetTree {
 public:
  // Files larger than this are reported and not read.
  static constexpr uint64_t kMaxReadBytes = uint64_t{1} << 30;

  // Lists every regular file under `root`; adds files, bytes and symlink problems to `stats`.
  // REQUIRES: root names a directory (following a symlink at the root itself is allowed).
  static Result<DatasetTree> Scan(const std::filesystem::path& root, DatasetStats& stats);
  // A tree over given files, for parsing in-memory content (tests, fuzzing). Nothing is read.
  static DatasetTree FromFiles(std::vector<TreeFile> files);
  // Reads at most `max_bytes` of one listed file from wherever the listing came from.
  using FileReader = std::function<Result<std::string>(const TreeFile& file, uint64_t max_bytes)>;
  // A tree over a listing whose files are not on local disk (objects under an s3:// prefix):
  // Read goes through `read`. Adds the files and bytes to `stats` as Scan does.
  static DatasetTree FromListing(std::vector<TreeFile> files, FileReader read, DatasetStats& stats);

  const std::vector<TreeFile>& files() const { return files_; }  // sorted by path
  bool Contains(std::string_view relative_path) const;

  // Files whose name ends with `extension` (e.g. ".xml"), compared case-insensitively.
  std::vector<const TreeFile*> WithExtension(std::string_view extension) const;
  // Files whose base name equals `name` exactly, shallowest first.
  std::vector<const TreeFile*> Named(std::string_view name) const;

  // Reads at most `max_bytes` of a listed file; refuses it if a symlink has replaced it since.
  Result<std::string> Read(const TreeFile& file, uint64_t max_bytes = kMaxReadBytes) const;

  // Checks a path written inside `referencing_file`: it must be a safe relative path (see
  // ValidateRelativePath) and name a listed file, relative to the referencing file's directory
  // or else to the root. Returns the problem message, or an empty string when it is fine.
  std::string CheckReference(std::string_view referencing_file, std::string_view path) const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::filesystem::path root_;
  FileReader read_;  // set for a listing; otherwise files are read below root_
  std::vector<TreeFile> files_;
  std::unordered_set<std::string, Hash, std::equal_to<>> index_;
};

// Base name of a '/'-separated path ("a/b.txt" -> "b.txt").
std::string_view BaseName(std::string_view path);
// Directory part with a trailing '/', or empty ("a/b.txt" -> "a/").
std::string_view DirName(std::string_view path);

}  // namespace edgesync::formats

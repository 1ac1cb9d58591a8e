// DestinationDir: a directory the daemon writes into (a `get` destination, a checkout's version
// directories), held open by descriptor so that nothing below it is reached through a symlink.
//
// Open resolves the path it is given as written: that is the operator's path, links in it are
// the operator's choice (callers open the parent of a destination this way). Everything below
// is reached one component at a time with openat(O_NOFOLLOW | O_DIRECTORY) from the parent's
// descriptor, missing directories made with mkdirat. A symlink met on that walk is refused with
// FailedPrecondition naming it: never followed, never removed. New files and directories get
// short fixed-length temporary names (".es-tmp-XXXXXX", ".es-stage-XXXXXX", ".es-link-XXXXXX",
// created with O_CREAT | O_EXCL | O_NOFOLLOW, mkdirat or symlinkat) so any name the filesystem holds can be the final
// one; renameat then puts them in place, replacing a link found there rather than writing
// through it.
//
// openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) would check a whole existing path in one call,
// but the walk has to create missing directories as it goes, which openat2 cannot; with one
// component per call O_NOFOLLOW already refuses every link, so there is one way on every kernel.
//
// Owns its descriptor; movable. The const methods are plain system calls on the descriptor and
// may run on several threads at once; callers keep them off each other's names.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "store/file_descriptor.h"
#include "base/status.h"

namespace edgesync {

class DestinationDir {
 public:
  enum class EntryType { kMissing, kDirectory, kSymlink, kOther };

  // A new, empty file under a temporary name in this directory.
  struct TempFile {
    FileDescriptor fd;
    std::string name;
  };

  // Opens the existing directory `path` (absolute), following links in it.
  static Result<DestinationDir> Open(const std::filesystem::path& path);

  // Opens the directory `relative` ('/'-separated, each component a plain name: the caller has
  // validated it) below this one. With `create`, missing directories are made (mode 0755) and
  // their paths relative to this directory appended to `created` (when given), parents first.
  Result<DestinationDir> OpenSubdir(std::string_view relative, bool create,
                                    std::vector<std::string>* created = nullptr) const;

  // What `name` is here, without following a link.
  Result<EntryType> TypeOf(const std::string& name) const;
  // The names in this directory ("." and ".." left out), unsorted.
  Result<std::vector<std::string>> List() const;

  Result<TempFile> CreateTempFile(uint32_t mode) const;
  // Creates an empty directory (mode 0755) under a temporary name; returns the name.
  Result<std::string> CreateTempDir() const;
  // Creates a symlink holding `link_text` under a temporary name; returns the name (a checkout
  // renames it over its link).
  Result<std::string> CreateTempLink(const std::string& link_text) const;

  // renameat(2) of `from` to `to`, both in this directory. With `replace` false an existing
  // `to` is left alone and the result is AlreadyExists (renameat2 RENAME_NOREPLACE).
  Status Rename(const std::string& from, const std::string& to, bool replace) const;
  // Removes the file, link or empty directory `name`.
  Status Remove(const std::string& name) const;
  // Removes `name` and everything below it; links are removed, never followed.
  Status RemoveTree(const std::string& name) const;
  // fsync(2) of the directory.
  Status Sync() const;

  const std::filesystem::path& path() const { return path_; }
  int fd() const { return fd_.get(); }

 private:
  DestinationDir(FileDescriptor fd, std::filesystem::path path)
      : fd_(std::move(fd)), path_(std::move(path)) {}
  // Opens the child directory `name`, or explains why it cannot be opened.
  Result<DestinationDir> OpenChild(const std::string& name) const;
  Status Error(const std::string& what, const std::string& name, int err) const;

  FileDescriptor fd_;
  std::filesystem::path path_;  // for messages only; never opened again by name
};

// True for the names DestinationDir gives temporary files and directories.
bool IsTemporaryName(std::string_view name);

}  // namespace edgesync

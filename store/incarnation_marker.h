// IncarnationMarker: the epoch and last sequence number a store reached, kept in a small file
// outside the store's directory, so that a store restored from an older copy (or swapped for
// another) can tell at open that it is behind what this node already wrote.
//
// The file is overwritten in place (one pwrite of a fixed-size record, no fsync) after every
// commit: it survives a crash of the process; a power loss can only leave it older than the
// store, which weakens the check (a restore to a point after the mark goes unnoticed here) but
// never makes it fire wrongly. Thread-compatible: the store calls it under its commit lock.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"

namespace edgesync {

class IncarnationMarker {
 public:
  struct Mark {
    std::string epoch;
    uint64_t seq = 0;
  };

  // Opens (creating when missing) the marker file. A file that does not parse is an error:
  // the operator must look at it rather than have the check silently skipped.
  static Result<std::unique_ptr<IncarnationMarker>> Open(const std::filesystem::path& path);
  ~IncarnationMarker();
  IncarnationMarker(const IncarnationMarker&) = delete;
  IncarnationMarker& operator=(const IncarnationMarker&) = delete;

  // What the file held when opened; nullopt for a new file.
  const std::optional<Mark>& loaded() const { return loaded_; }
  Status Record(const Mark& mark);

 private:
  IncarnationMarker(std::filesystem::path path, int fd, std::optional<Mark> loaded);

  std::filesystem::path path_;
  int fd_;
  std::optional<Mark> loaded_;
};

}  // namespace edgesync

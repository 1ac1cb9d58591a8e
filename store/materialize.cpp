// StoreImpl::Materialize: a version's files written out of the store into a destination
// directory, all or nothing, never through a symlink (the contract is in store/store.h).
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "store/destination_dir.h"
#include "store/store_impl.h"

namespace edgesync {
namespace {

// "a/b/c" -> ("a/b", "c"); a top-level name is in the directory "".
std::pair<std::string, std::string> SplitParent(const std::string& relative) {
  size_t slash = relative.rfind('/');
  if (slash == std::string::npos) return {"", relative};
  return {relative.substr(0, slash), relative.substr(slash + 1)};
}

Status WriteAll(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == ENOSPC) return Status::NoSpace("writing '" + path.string() + "': no space left on device");
    if (n < 0) return Status::IoError("writing '" + path.string() + "': " + std::strerror(errno));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Writes files below one directory under temporary names and renames them into place only on
// Commit: the two phases that make Materialize all or nothing. Thread-compatible.
class TreeWriter {
 public:
  TreeWriter(Store& store, const DestinationDir& root, const GetOptions& options)
      : store_(store), root_(root), options_(options) {}

  // Writes `file` as `relative` (validated) under a temporary name beside its final one.
  Status Write(const FileEntry& file, const std::string& relative);
  // Renames every written file into place; with fsync, then syncs each directory it changed.
  Status Commit();
  // Removes the temporaries not renamed yet and the directories this writer created (those
  // still empty).
  void Abandon();

 private:
  struct PendingFile {
    std::string dir;  // relative to the root, "" for the root itself
    std::string temp;
    std::string name;
  };
  bool Cancelled() const { return options_.cancelled && options_.cancelled(); }

  Store& store_;
  const DestinationDir& root_;
  const GetOptions& options_;
  std::vector<PendingFile> pending_;
  size_t committed_ = 0;                   // pending_[0, committed_) are in place
  std::vector<std::string> created_dirs_;  // parents first
};

Status TreeWriter::Write(const FileEntry& file, const std::string& relative) {
  if (Cancelled()) return Status::Aborted("cancelled");
  auto [dir_path, name] = SplitParent(relative);
  Result<DestinationDir> dir = root_.OpenSubdir(dir_path, /*create=*/true, &created_dirs_);
  if (!dir.ok()) return dir.status();
  const std::filesystem::path final_path = dir->path() / name;
  Result<DestinationDir::EntryType> existing = dir->TypeOf(name);
  if (!existing.ok()) return existing.status();
  if (*existing == DestinationDir::EntryType::kDirectory) {
    return Status::FailedPrecondition("'" + final_path.string() + "' is a directory; a file of " +
                                      "that name cannot replace it");
  }
  Result<DestinationDir::TempFile> temp = dir->CreateTempFile(0600);
  if (!temp.ok()) return temp.status();
  pending_.push_back({dir_path, temp->name, name});
  int fd = temp->fd.get();
  Status written = store_.ReadFile(file, [&](std::string_view bytes) -> Status {
    if (Cancelled()) return Status::Aborted("cancelled");
    EDGESYNC_RETURN_IF_ERROR(WriteAll(fd, bytes, final_path));
    if (options_.progress) options_.progress(bytes.size());
    return Status::Ok();
  });
  EDGESYNC_RETURN_IF_ERROR(written);
  // Permission bits only: set-id and sticky bits from another node are never applied.
  if (::fchmod(fd, file.mode & 0777) != 0) {
    return Status::IoError("chmod '" + final_path.string() + "': " + std::strerror(errno));
  }
  if (options_.fsync && ::fsync(fd) != 0) {
    return Status::IoError("fsync '" + final_path.string() + "': " + std::strerror(errno));
  }
  if (temp->fd.Reset() != 0) {
    return Status::IoError("close '" + final_path.string() + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

Status TreeWriter::Commit() {
  for (; committed_ < pending_.size(); ++committed_) {
    const PendingFile& file = pending_[committed_];
    Result<DestinationDir> dir = root_.OpenSubdir(file.dir, /*create=*/false);
    if (!dir.ok()) return dir.status();
    EDGESYNC_RETURN_IF_ERROR(dir->Rename(file.temp, file.name, /*replace=*/true));
  }
  if (!options_.fsync) return Status::Ok();
  std::set<std::string> changed;
  for (const PendingFile& file : pending_) changed.insert(file.dir);
  for (const std::string& dir : created_dirs_) changed.insert(SplitParent(dir).first);
  for (const std::string& path : changed) {
    Result<DestinationDir> dir = root_.OpenSubdir(path, /*create=*/false);
    if (!dir.ok()) return dir.status();
    EDGESYNC_RETURN_IF_ERROR(dir->Sync());
  }
  return Status::Ok();
}

void TreeWriter::Abandon() {
  for (size_t i = committed_; i < pending_.size(); ++i) {
    Result<DestinationDir> dir = root_.OpenSubdir(pending_[i].dir, /*create=*/false);
    if (dir.ok()) (void)dir->Remove(pending_[i].temp);
  }
  for (auto it = created_dirs_.rbegin(); it != created_dirs_.rend(); ++it) {
    auto [parent_path, name] = SplitParent(*it);
    Result<DestinationDir> parent = root_.OpenSubdir(parent_path, /*create=*/false);
    if (parent.ok()) (void)parent->Remove(name);  // fails harmlessly when not empty
  }
}

// Writes every selected file below `root` and renames them into place.
Status WriteTree(Store& store, const DestinationDir& root,
                 const std::vector<std::pair<const FileEntry*, std::string>>& files,
                 const GetOptions& options) {
  TreeWriter writer(store, root, options);
  Status status = Status::Ok();
  for (const auto& [file, relative] : files) {
    status = writer.Write(*file, relative);
    if (!status.ok()) break;
  }
  if (status.ok()) status = writer.Commit();
  if (!status.ok()) writer.Abandon();
  return status;
}

}  // namespace

Status StoreImpl::Materialize(const VersionInfo& version, const std::filesystem::path& dest,
                              const GetOptions& options) {
  if (version.record.tombstone) return Status::NotFound(version.key + " version " + version.id + " is a delete");
  Result<bool> evicted = IsEvicted(version.key, version.id);
  if (!evicted.ok()) return evicted.status();
  VersionReadHook hook;
  {
    MutexLock lock(read_hook_mu_);
    hook = read_hook_;
  }
  if (hook) {
    Status read = hook(version, *evicted, options);
    if (!read.ok() && *evicted)
      return Status::FailedPrecondition(version.key + " version " + version.id +
                                        " was evicted to stay under the disk quota and could not be fetched again: " +
                                        read.message());
    EDGESYNC_RETURN_IF_ERROR(read);
  } else if (*evicted) {
    return Status::FailedPrecondition(version.key + " version " + version.id +
                                      " was evicted to stay under the disk quota; it must be fetched again");
  }
  auto manifest = ReadManifest(version.record.manifest_id);
  if (!manifest.ok()) return manifest.status();
  std::vector<std::pair<const FileEntry*, std::string>> files;
  for (const auto& f : manifest->files) {
    if (f.path.compare(0, options.path_prefix.size(), options.path_prefix) != 0) continue;
    std::string relative = options.strip_prefix ? f.path.substr(options.path_prefix.size()) : f.path;
    EDGESYNC_RETURN_IF_ERROR(ValidateRelativePath(relative));  // never write outside dest
    files.emplace_back(&f, std::move(relative));
  }

  std::filesystem::path target = std::filesystem::absolute(dest).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();
  if (!target.has_filename()) return Status::InvalidArgument("cannot write files into '/'");
  std::error_code ec;
  std::filesystem::create_directories(target.parent_path(), ec);
  if (ec) return Status::IoError("cannot create '" + target.parent_path().string() + "': " + ec.message());
  Result<DestinationDir> parent = DestinationDir::Open(target.parent_path());
  if (!parent.ok()) return parent.status();
  const std::string name = target.filename().string();
  Result<DestinationDir::EntryType> type = parent->TypeOf(name);
  if (!type.ok()) return type.status();

  if (*type == DestinationDir::EntryType::kMissing) {
    Result<std::string> staging = parent->CreateTempDir();
    if (!staging.ok()) return staging.status();
    Result<DestinationDir> root = parent->OpenSubdir(*staging, /*create=*/false);
    Status status = root.ok() ? WriteTree(*this, *root, files, options) : root.status();
    if (status.ok()) status = parent->Rename(*staging, name, /*replace=*/false);
    if (!status.ok()) {
      (void)parent->RemoveTree(*staging);
      return status;
    }
  } else {
    // A symlink or a file at `dest` is refused here, naming it.
    Result<DestinationDir> root = parent->OpenSubdir(name, /*create=*/false);
    if (!root.ok()) return root.status();
    EDGESYNC_RETURN_IF_ERROR(WriteTree(*this, *root, files, options));
  }
  if (options.fsync) EDGESYNC_RETURN_IF_ERROR(parent->Sync());
  return Status::Ok();
}

}  // namespace edgesync

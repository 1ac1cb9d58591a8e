#include "syncd/version_files_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <system_error>

namespace edgesync {
namespace {

std::string Errno(int err) { return std::error_code(err, std::generic_category()).message(); }

bool Selected(const FileEntry& file, const VersionFilesOptions& options) {
  return file.path.compare(0, options.path_prefix.size(), options.path_prefix) == 0;
}

// Closes a file descriptor on scope exit.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError("write " + path.string() + ": " + Errno(errno));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

FileSelection SelectFiles(const Manifest& manifest, const VersionFilesOptions& options) {
  FileSelection selection;
  for (const FileEntry& file : manifest.files) {
    if (!Selected(file, options)) continue;
    ++selection.files;
    selection.bytes += file.size;
  }
  return selection;
}

Status FsyncPath(const std::filesystem::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Status::IoError("open " + path.string() + ": " + Errno(errno));
  if (::fsync(fd.get()) != 0) return Status::IoError("fsync " + path.string() + ": " + Errno(errno));
  return Status::Ok();
}

Status WriteVersionFiles(Store& store, const Manifest& manifest,
                         const std::filesystem::path& dest, const VersionFilesOptions& options,
                         TransferProgress& progress, const CancellationToken& cancellation) {
  std::error_code ec;
  std::filesystem::create_directories(dest, ec);
  if (ec) return Status::IoError("create " + dest.string() + ": " + ec.message());
  std::set<std::filesystem::path> directories{dest};

  for (const FileEntry& file : manifest.files) {
    if (!Selected(file, options)) continue;
    if (cancellation.cancelled()) return Status::Aborted("cancelled");
    std::string relative =
        options.strip_prefix ? file.path.substr(options.path_prefix.size()) : file.path;
    std::filesystem::path target = dest / relative;
    std::filesystem::path parent = target.parent_path();
    if (directories.insert(parent).second) {
      std::filesystem::create_directories(parent, ec);
      if (ec) return Status::IoError("create " + parent.string() + ": " + ec.message());
      for (auto p = parent; p != dest && directories.insert(p.parent_path()).second;) {
        p = p.parent_path();
      }
    }
    std::filesystem::path temp = parent / ("." + target.filename().string() + ".edgesync-tmp");
    FileDescriptor fd(
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, file.mode & 0777));
    if (fd.get() < 0) return Status::IoError("create " + temp.string() + ": " + Errno(errno));
    Status written = store.ReadFile(file, [&](std::string_view bytes) -> Status {
      if (cancellation.cancelled()) return Status::Aborted("cancelled");
      EDGESYNC_RETURN_IF_ERROR(WriteAll(fd.get(), bytes, temp));
      progress.Add(bytes.size());
      return Status::Ok();
    });
    if (written.ok() && ::fchmod(fd.get(), file.mode & 0777) != 0) {
      written = Status::IoError("chmod " + temp.string() + ": " + Errno(errno));
    }
    if (written.ok() && options.fsync && ::fsync(fd.get()) != 0) {
      written = Status::IoError("fsync " + temp.string() + ": " + Errno(errno));
    }
    if (::close(fd.release()) != 0 && written.ok()) {
      written = Status::IoError("close " + temp.string() + ": " + Errno(errno));
    }
    if (written.ok() && ::rename(temp.c_str(), target.c_str()) != 0) {
      written = Status::IoError("rename to " + target.string() + ": " + Errno(errno));
    }
    if (!written.ok()) {
      ::unlink(temp.c_str());
      return written.WithContext(file.path);
    }
  }
  if (options.fsync) {
    for (const auto& dir : directories) EDGESYNC_RETURN_IF_ERROR(FsyncPath(dir));
  }
  progress.Finish();
  return Status::Ok();
}

}  // namespace edgesync

#include "store/destination_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace edgesync {
namespace {

constexpr std::string_view kTempFilePrefix = ".es-tmp-";
constexpr std::string_view kTempDirPrefix = ".es-stage-";
constexpr std::string_view kTempLinkPrefix = ".es-link-";
constexpr int kTempNameAttempts = 100;

// Six random letters and digits, as mkstemp(3) uses.
std::string RandomSuffix() {
  static constexpr char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  static thread_local std::mt19937_64 rng(std::random_device{}());
  std::string suffix(6, ' ');
  for (char& c : suffix) c = kAlphabet[rng() % (sizeof kAlphabet - 1)];
  return suffix;
}

Status ErrnoStatus(int err, std::string message) {
  message += ": ";
  if (err == ENAMETOOLONG) return Status::InvalidArgument(message + "name too long for this filesystem");
  if (err == ENOSPC) return Status::NoSpace(message + "no space left on device");
  if (err == EACCES || err == EPERM) return Status::PermissionDenied(message + std::strerror(err));
  if (err == ENOENT) return Status::NotFound(message + std::strerror(err));
  return Status::IoError(message + std::strerror(err));
}

DestinationDir::EntryType TypeOfMode(mode_t mode) {
  if (S_ISDIR(mode)) return DestinationDir::EntryType::kDirectory;
  if (S_ISLNK(mode)) return DestinationDir::EntryType::kSymlink;
  return DestinationDir::EntryType::kOther;
}

}  // namespace

bool IsTemporaryName(std::string_view name) {
  for (std::string_view prefix : {kTempFilePrefix, kTempDirPrefix, kTempLinkPrefix}) {
    if (name.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

Result<DestinationDir> DestinationDir::Open(const std::filesystem::path& path) {
  if (!path.is_absolute()) return Status::InvalidArgument("'" + path.string() + "' is not an absolute path");
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "cannot open directory '" + path.string() + "'");
  return DestinationDir(std::move(fd), path);
}

Result<DestinationDir> DestinationDir::OpenChild(const std::string& name) const {
  FileDescriptor child(
      ::openat(fd_.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (child.valid()) return DestinationDir(std::move(child), name == "." ? path_ : path_ / name);
  int err = errno;
  if (err == ENOTDIR || err == ELOOP) {
    Result<EntryType> type = TypeOf(name);
    if (type.ok() && *type == EntryType::kSymlink) {
      return Status::FailedPrecondition("'" + (path_ / name).string() +
                                        "' is a symlink; edgesync does not write through links");
    }
    return Status::FailedPrecondition("'" + (path_ / name).string() + "' is not a directory");
  }
  return Error("cannot open", name, err);
}

Result<DestinationDir> DestinationDir::OpenSubdir(std::string_view relative, bool create,
                                                  std::vector<std::string>* created) const {
  Result<DestinationDir> dir = OpenChild(".");
  std::string walked;
  size_t start = 0;
  while (dir.ok() && start < relative.size()) {
    size_t slash = relative.find('/', start);
    if (slash == std::string_view::npos) slash = relative.size();
    std::string name(relative.substr(start, slash - start));
    start = slash + 1;
    walked += (walked.empty() ? "" : "/") + name;
    if (create && ::mkdirat(dir->fd(), name.c_str(), 0755) == 0) {
      if (created) created->push_back(walked);
    } else if (create && errno != EEXIST) {
      return dir->Error("cannot create directory", name, errno);
    }
    dir = dir->OpenChild(name);
  }
  return dir;
}

Result<DestinationDir::EntryType> DestinationDir::TypeOf(const std::string& name) const {
  struct stat st;
  if (::fstatat(fd_.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return TypeOfMode(st.st_mode);
  if (errno == ENOENT) return EntryType::kMissing;
  return Error("cannot stat", name, errno);
}

Result<std::vector<std::string>> DestinationDir::List() const {
  int fd = ::openat(fd_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error("cannot list", ".", errno);
  DIR* stream = ::fdopendir(fd);
  if (stream == nullptr) {
    int err = errno;
    ::close(fd);
    return Error("cannot list", ".", err);
  }
  std::vector<std::string> names;
  while (dirent* entry = ::readdir(stream)) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(stream);
  return names;
}

Result<DestinationDir::TempFile> DestinationDir::CreateTempFile(uint32_t mode) const {
  for (int attempt = 0; attempt < kTempNameAttempts; ++attempt) {
    std::string name = std::string(kTempFilePrefix) + RandomSuffix();
    FileDescriptor fd(::openat(fd_.get(), name.c_str(),
                               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0777));
    if (fd.valid()) return TempFile{std::move(fd), std::move(name)};
    if (errno != EEXIST) return Error("cannot create", name, errno);
  }
  return Status::IoError("cannot find a free temporary name in '" + path_.string() + "'");
}

Result<std::string> DestinationDir::CreateTempDir() const {
  for (int attempt = 0; attempt < kTempNameAttempts; ++attempt) {
    std::string name = std::string(kTempDirPrefix) + RandomSuffix();
    if (::mkdirat(fd_.get(), name.c_str(), 0755) == 0) return name;
    if (errno != EEXIST) return Error("cannot create directory", name, errno);
  }
  return Status::IoError("cannot find a free temporary name in '" + path_.string() + "'");
}

Result<std::string> DestinationDir::CreateTempLink(const std::string& link_text) const {
  for (int attempt = 0; attempt < kTempNameAttempts; ++attempt) {
    std::string name = std::string(kTempLinkPrefix) + RandomSuffix();
    if (::symlinkat(link_text.c_str(), fd_.get(), name.c_str()) == 0) return name;
    if (errno != EEXIST) return Error("cannot create symlink", name, errno);
  }
  return Status::IoError("cannot find a free temporary name in '" + path_.string() + "'");
}

Status DestinationDir::Rename(const std::string& from, const std::string& to, bool replace) const {
  unsigned flags = replace ? 0 : RENAME_NOREPLACE;
  if (::renameat2(fd_.get(), from.c_str(), fd_.get(), to.c_str(), flags) == 0) return Status::Ok();
  if (errno == EEXIST) return Status::AlreadyExists("'" + (path_ / to).string() + "' already exists");
  return Error("cannot rename '" + from + "' to", to, errno);
}

Status DestinationDir::Remove(const std::string& name) const {
  Result<EntryType> type = TypeOf(name);
  if (!type.ok()) return type.status();
  if (*type == EntryType::kMissing) return Status::Ok();
  int flags = *type == EntryType::kDirectory ? AT_REMOVEDIR : 0;
  if (::unlinkat(fd_.get(), name.c_str(), flags) != 0) return Error("cannot remove", name, errno);
  return Status::Ok();
}

Status DestinationDir::RemoveTree(const std::string& name) const {
  Result<EntryType> type = TypeOf(name);
  if (!type.ok()) return type.status();
  if (*type == EntryType::kDirectory) {
    Result<DestinationDir> child = OpenChild(name);
    if (!child.ok()) return child.status();
    Result<std::vector<std::string>> names = child->List();
    if (!names.ok()) return names.status();
    for (const std::string& entry : *names) EDGESYNC_RETURN_IF_ERROR(child->RemoveTree(entry));
  }
  return Remove(name);
}

Status DestinationDir::Sync() const {
  if (::fsync(fd_.get()) != 0) return ErrnoStatus(errno, "cannot fsync '" + path_.string() + "'");
  return Status::Ok();
}

Status DestinationDir::Error(const std::string& what, const std::string& name, int err) const {
  return ErrnoStatus(err, what + " '" + (name == "." ? path_ : path_ / name).string() + "'");
}

}  // namespace edgesync

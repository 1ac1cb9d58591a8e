#include "catalog/formats/dataset_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "catalog/formats/text_scan.h"
#include "store/object_key.h"

namespace edgesync::formats {
namespace fs = std::filesystem;

namespace {

size_t Depth(std::string_view path) { return static_cast<size_t>(std::count(path.begin(), path.end(), '/')); }

// Closes a file descriptor when it goes out of scope.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { ::close(fd_); }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

constexpr int kMaxDepth = 128;  // bounds open descriptors: one per level being walked

// Lists the directory open as `fd` (taking ownership) and below. `prefix` is its relative path
// with a trailing '/', or empty for the root. lstat-style: nothing is followed.
void ScanDirectory(int fd, const std::string& prefix, int depth, std::vector<TreeFile>& files,
                   DatasetStats& stats) {
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    stats.AddProblem(prefix.empty() ? "." : prefix, 0, std::string("cannot list: ") + std::strerror(errno));
    ::close(fd);
    return;
  }
  std::vector<std::string> subdirectories;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    std::string relative = prefix + std::string(name);
    struct stat st;
    if (::fstatat(fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      stats.AddProblem(relative, 0, std::string("cannot stat: ") + std::strerror(errno));
    } else if (S_ISLNK(st.st_mode)) {
      stats.AddProblem(relative, 0, "symbolic link, not followed");
    } else if (S_ISREG(st.st_mode)) {
      ++stats.files;
      stats.bytes += static_cast<uint64_t>(st.st_size);
      files.push_back({std::move(relative), static_cast<uint64_t>(st.st_size)});
    } else if (S_ISDIR(st.st_mode)) {
      subdirectories.emplace_back(name);
    } else {
      stats.AddProblem(relative, 0, "not a regular file or directory, skipped");
    }
  }
  for (const std::string& name : subdirectories) {
    const std::string relative = prefix + name;
    if (depth + 1 >= kMaxDepth) {
      stats.AddProblem(relative, 0, "directories nested deeper than " + std::to_string(kMaxDepth) + ", skipped");
      continue;
    }
    const int child = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child < 0) {
      stats.AddProblem(relative, 0, std::string("cannot open directory: ") + std::strerror(errno));
      continue;
    }
    ScanDirectory(child, relative + "/", depth + 1, files, stats);
  }
  ::closedir(dir);
}

}  // namespace

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash + 1);
}

Result<DatasetTree> DatasetTree::Scan(const fs::path& root, DatasetStats& stats) {
  const int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return Status::InvalidArgument("dataset root '" + root.string() + "' is not a readable directory: " +
                                   std::strerror(errno));
  std::vector<TreeFile> files;
  ScanDirectory(fd, "", 0, files, stats);
  DatasetTree tree = FromFiles(std::move(files));
  tree.root_ = root;
  return tree;
}

DatasetTree DatasetTree::FromFiles(std::vector<TreeFile> files) {
  DatasetTree tree;
  tree.files_ = std::move(files);
  std::sort(tree.files_.begin(), tree.files_.end(),
            [](const TreeFile& a, const TreeFile& b) { return a.path < b.path; });
  tree.index_.reserve(tree.files_.size());
  for (const auto& f : tree.files_) tree.index_.insert(f.path);
  return tree;
}

DatasetTree DatasetTree::FromListing(std::vector<TreeFile> files, FileReader read, DatasetStats& stats) {
  for (const TreeFile& file : files) {
    ++stats.files;
    stats.bytes += file.size;
  }
  DatasetTree tree = FromFiles(std::move(files));
  tree.read_ = std::move(read);
  return tree;
}

bool DatasetTree::Contains(std::string_view relative_path) const {
  return index_.find(relative_path) != index_.end();
}

std::vector<const TreeFile*> DatasetTree::WithExtension(std::string_view extension) const {
  std::vector<const TreeFile*> out;
  for (const auto& f : files_)
    if (EndsWithIgnoreCase(f.path, extension)) out.push_back(&f);
  return out;
}

std::vector<const TreeFile*> DatasetTree::Named(std::string_view name) const {
  std::vector<const TreeFile*> out;
  for (const auto& f : files_)
    if (BaseName(f.path) == name) out.push_back(&f);
  std::stable_sort(out.begin(), out.end(),
                   [](const TreeFile* a, const TreeFile* b) { return Depth(a->path) < Depth(b->path); });
  return out;
}

Result<std::string> DatasetTree::Read(const TreeFile& file, uint64_t max_bytes) const {
  if (read_) {
    if (file.size > kMaxReadBytes)
      return Status::Unsupported("file is " + std::to_string(file.size) + " bytes, over the " +
                                 std::to_string(kMaxReadBytes) + "-byte read limit");
    return read_(file, max_bytes);
  }
  if (root_.empty()) return Status::FailedPrecondition("tree has no root directory to read from");
  const std::string full = (root_ / file.path).string();
  const int fd = ::open(full.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Status::IoError(std::string("cannot open: ") + std::strerror(errno));
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::IoError(std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Status::IoError("no longer a regular file");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > kMaxReadBytes)
    return Status::Unsupported("file is " + std::to_string(size) + " bytes, over the " +
                               std::to_string(kMaxReadBytes) + "-byte read limit");
  std::string data(std::min(size, max_bytes), '\0');
  size_t filled = 0;
  while (filled < data.size()) {
    ssize_t n = ::read(fd, data.data() + filled, data.size() - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError(std::string("read failed: ") + std::strerror(errno));
    if (n == 0) break;  // the file shrank since it was listed
    filled += static_cast<size_t>(n);
  }
  data.resize(filled);
  return data;
}

std::string DatasetTree::CheckReference(std::string_view referencing_file, std::string_view path) const {
  Status valid = ValidateRelativePath(path);
  if (!valid.ok()) return "unsafe path, not followed: " + valid.message();
  const std::string_view dir = DirName(referencing_file);
  if (!dir.empty()) {
    std::string beside;
    beside.reserve(dir.size() + path.size());
    beside.append(dir).append(path);
    if (Contains(beside)) return {};
  }
  if (Contains(path)) return {};
  return "referenced file " + Excerpt(path) + " is not in the dataset";
}

}  // namespace edgesync::formats

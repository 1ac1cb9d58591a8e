#include "store/formats/dataset_tree.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "store/formats/text_scan.h"
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
  std::error_code ec;
  if (!fs::is_directory(fs::status(root, ec)))
    return Status::InvalidArgument("dataset root '" + root.string() + "' is not a directory");
  DatasetTree tree;
  std::string prefix = root.string();
  if (prefix.back() != '/') prefix += '/';

  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) return Status::IoError("cannot list '" + root.string() + "': " + ec.message());
  const fs::recursive_directory_iterator end;
  while (it != end) {
    const fs::directory_entry& entry = *it;
    std::string full = entry.path().string();
    std::string relative = full.size() > prefix.size() ? full.substr(prefix.size()) : full;
    const fs::file_type type = entry.symlink_status(ec).type();
    if (ec) {
      stats.AddProblem(relative, 0, "cannot stat: " + ec.message());
    } else if (type == fs::file_type::symlink) {
      stats.AddProblem(relative, 0, "symbolic link, not followed");
    } else if (type == fs::file_type::regular) {
      uint64_t size = entry.file_size(ec);
      if (ec) {
        stats.AddProblem(relative, 0, "cannot stat: " + ec.message());
      } else {
        ++stats.files;
        stats.bytes += size;
        tree.files_.push_back({std::move(relative), size});
      }
    } else if (type != fs::file_type::directory) {
      stats.AddProblem(relative, 0, "not a regular file or directory, skipped");
    }
    it.increment(ec);
    if (ec) {
      stats.AddProblem(".", 0, "directory listing stopped early: " + ec.message());
      break;
    }
  }
  DatasetTree sorted = FromFiles(std::move(tree.files_));
  sorted.root_ = root;
  return sorted;
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

#include "store/source_files.h"

namespace edgesync {

namespace fs = std::filesystem;

Result<std::vector<SourceFile>> ListSourceFiles(const fs::path& source) {
  std::error_code ec;
  auto st = fs::symlink_status(source, ec);
  if (ec || !fs::exists(st)) return Status::NotFound("'" + source.string() + "' does not exist");
  std::vector<SourceFile> files;
  if (fs::is_symlink(st))
    return Status::InvalidArgument("'" + source.string() + "' is a symlink; symlinks are not supported");
  if (fs::is_regular_file(st)) {
    uint64_t size = fs::file_size(source, ec);
    files.push_back({source, source.filename().string(), ec ? 0 : size});
    return files;
  }
  if (!fs::is_directory(st))
    return Status::InvalidArgument("'" + source.string() + "' is not a regular file or directory");
  fs::recursive_directory_iterator it(source, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    auto est = it->symlink_status(ec);
    if (ec) break;
    auto rel = fs::relative(it->path(), source, ec).generic_string();
    if (fs::is_symlink(est))
      return Status::InvalidArgument("'" + rel + "' in '" + source.string() +
                                     "' is a symlink; symlinks are not supported");
    if (fs::is_directory(est)) continue;
    if (!fs::is_regular_file(est))
      return Status::InvalidArgument("'" + rel + "' in '" + source.string() +
                                     "' is not a regular file (device, socket or fifo)");
    uint64_t size = it->file_size(ec);
    if (ec) break;
    files.push_back({it->path(), rel, size});
  }
  if (ec) return Status::IoError("walking '" + source.string() + "': " + ec.message());
  return files;
}

uint64_t TotalBytes(const std::vector<SourceFile>& files) {
  uint64_t total = 0;
  for (const SourceFile& file : files) total += file.size;
  return total;
}

}  // namespace edgesync

// Reading file bytes back out of the store, always verified against SHA-256.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/sha256.h"
#include "store/store_impl.h"

namespace edgesync {
namespace {

Status WriteAll(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (errno == ENOSPC) return Status::NoSpace("writing " + what + ": no space left on device");
      return Status::IoError("writing " + what + ": " + std::strerror(errno));
    }
    data.remove_prefix(n);
  }
  return Status::Ok();
}

}  // namespace

Status StoreImpl::ReadFile(const FileEntry& file, const std::function<Status(std::string_view)>& sink) {
  Sha256 sha;
  std::string chunk;
  for (const auto& c : file.chunks) {
    EDGESYNC_RETURN_IF_ERROR(chunks_->Get(c.id, &chunk).WithContext("file '" + file.path + "'"));
    if (chunk.size() != c.size)
      return Status::Corruption("file '" + file.path + "': chunk " + c.id.Hex() + " has the wrong size");
    sha.Update(chunk.data(), chunk.size());
    EDGESYNC_RETURN_IF_ERROR(sink(chunk));
  }
  if (sha.FinishHex() != file.sha256)
    return Status::Corruption("file '" + file.path + "' does not match its SHA-256");
  return Status::Ok();
}

Status StoreImpl::VerifyFileHashes(const Manifest& manifest, const FileFilter& placed,
                                   const FileFilter& hashed) {
  for (const auto& f : manifest.files)
    if ((!placed || placed(f)) && !(hashed && hashed(f))) EDGESYNC_RETURN_IF_ERROR(ReadFile(f, [](std::string_view) { return Status::Ok(); }));
  return Status::Ok();
}

Status StoreImpl::Materialize(const VersionInfo& version, const std::filesystem::path& dest,
                              const GetOptions& options) {
  if (version.record.tombstone) return Status::NotFound(version.key + " version " + version.id + " is a delete");
  auto manifest = ReadManifest(version.record.manifest_id);
  if (!manifest.ok()) return manifest.status();
  std::error_code ec;
  std::filesystem::create_directories(dest, ec);
  if (ec) return Status::IoError("cannot create '" + dest.string() + "': " + ec.message());
  for (const auto& f : manifest->files) {
    if (f.path.compare(0, options.path_prefix.size(), options.path_prefix) != 0) continue;
    std::string rel = options.strip_prefix ? f.path.substr(options.path_prefix.size()) : f.path;
    EDGESYNC_RETURN_IF_ERROR(ValidateRelativePath(rel));  // never write outside dest
    auto target = dest / rel;
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) return Status::IoError("cannot create '" + target.parent_path().string() + "': " + ec.message());
    auto tmp = target.parent_path() / ("." + target.filename().string() + ".edgesync-tmp");
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return Status::IoError("cannot create '" + tmp.string() + "': " + std::strerror(errno));
    Status s = ReadFile(f, [&](std::string_view bytes) { return WriteAll(fd, bytes, "'" + target.string() + "'"); });
    if (s.ok() && ::fchmod(fd, f.mode) != 0) s = Status::IoError("chmod '" + target.string() + "'");
    ::close(fd);
    if (s.ok() && ::rename(tmp.c_str(), target.c_str()) != 0)
      s = Status::IoError("cannot rename into '" + target.string() + "': " + std::strerror(errno));
    if (!s.ok()) {
      std::filesystem::remove(tmp, ec);
      return s;
    }
  }
  return Status::Ok();
}

}  // namespace edgesync

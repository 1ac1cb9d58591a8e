// Reading file bytes back out of the store, always verified against SHA-256.
#include "store/sha256.h"
#include "store/store_impl.h"

namespace edgesync {

Status StoreImpl::ReadFile(const FileEntry& file, const std::function<Status(std::string_view)>& sink) {
  Sha256 sha;
  std::string chunk;
  for (const auto& c : file.chunks) {
    EDGESYNC_RETURN_IF_ERROR(chunks().Get(c.id, &chunk).WithContext("file '" + file.path + "'"));
    if (chunk.size() != c.size)
      return Status::Corruption("file '" + file.path + "': chunk " + c.id.Hex() + " has the wrong size");
    sha.Update(chunk.data(), chunk.size());
    EDGESYNC_RETURN_IF_ERROR(sink(chunk));
  }
  if (sha.FinishHex() != file.sha256)
    return Status::Corruption("file '" + file.path + "' does not match its SHA-256");
  return Status::Ok();
}

std::unique_ptr<FileReader> StoreImpl::OpenFile(const FileEntry& file) {
  return std::make_unique<FileReader>(chunks(), file);
}

Status StoreImpl::VerifyFileHashes(const Manifest& manifest, const FileFilter& placed,
                                   const FileFilter& hashed) {
  for (const auto& f : manifest.files)
    if ((!placed || placed(f)) && !(hashed && hashed(f))) EDGESYNC_RETURN_IF_ERROR(ReadFile(f, [](std::string_view) { return Status::Ok(); }));
  return Status::Ok();
}

}  // namespace edgesync

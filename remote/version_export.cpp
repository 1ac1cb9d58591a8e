#include "remote/version_export.h"

#include <cstdio>

#include "objectstore/object_writer.h"

namespace edgesync {

namespace os = objectstore;

Result<ExportResult> ExportVersion(Store& store, const VersionInfo& version, const os::ObjectUrl& destination,
                                   os::ObjectStore& s3, const ExportOptions& options) {
  if (version.record.tombstone) {
    return Status::NotFound("version " + version.id + " of " + version.key + " is a deletion");
  }
  Result<Manifest> manifest = store.ReadManifest(version.record.manifest_id);
  if (!manifest.ok()) return manifest.status();
  const std::string part_prefix = options.part.empty() ? "" : options.part + "/";
  FileSelection selection = manifest->Select(part_prefix);
  if (!options.part.empty() && selection.files == 0) {
    return Status::NotFound(version.key + " version " + version.id + " has no " + options.part + " part");
  }
  std::string prefix = destination.key();
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';

  ExportResult result;
  result.files = selection.files;
  uint64_t done = 0;  // bytes of the selection handled, uploaded or skipped
  const TransferControl& control = options.control;
  if (control.progress) control.progress(0, selection.bytes);
  for (const FileEntry& file : manifest->files) {
    if (!file.path.starts_with(part_prefix)) continue;
    const std::string object_key = prefix + file.path.substr(part_prefix.size());
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", file.mode & 07777);

    std::unique_ptr<FileReader> reader = store.OpenFile(file);
    os::UploadOptions upload;
    upload.content_id = version.id;
    upload.metadata = {
        {"edgesync-key", version.key}, {"edgesync-sha256", file.sha256}, {"edgesync-mode", mode}};
    upload.progress = [&](uint64_t bytes, uint64_t) {
      if (control.progress) control.progress(done + bytes, selection.bytes);
    };
    upload.cancelled = control.cancelled;
    Result<os::UploadResult> uploaded = os::UploadStream(
        s3, destination.bucket(), object_key,
        [&reader](char* buffer, size_t capacity) { return reader->Read(buffer, capacity); }, upload);
    if (!uploaded.ok()) return uploaded.status().WithContext("export " + version.key + " " + file.path);
    if (uploaded->skipped) {
      ++result.skipped;
    } else {
      ++result.uploaded;
      result.bytes += file.size;
    }
    done += file.size;
    if (control.progress) control.progress(done, selection.bytes);
  }
  return result;
}

}  // namespace edgesync

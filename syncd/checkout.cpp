#include "syncd/checkout.h"

#include <unistd.h>

#include <cstring>
#include <random>

#include <spdlog/spdlog.h>

#include "syncd/transfer_progress.h"
#include "syncd/version_files_writer.h"

namespace edgesync {
namespace {

std::filesystem::path VersionsDir(const std::filesystem::path& target) {
  std::filesystem::path dir = target;
  dir += ".versions";
  return dir;
}

std::string RandomSuffix() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  return std::to_string(rng() % 1000000000);
}

// REQUIRES: the caller holds the target's mutex.
Status SwitchLink(const std::filesystem::path& target, const std::string& version_id) {
  std::filesystem::path link_text =
      std::filesystem::path(VersionsDir(target).filename()) / version_id;
  std::filesystem::path temp_link =
      target.parent_path() / ("." + target.filename().string() + ".link-" + RandomSuffix());
  if (::symlink(link_text.c_str(), temp_link.c_str()) != 0) {
    return Status::IoError("symlink " + temp_link.string() + ": " + std::strerror(errno));
  }
  if (::rename(temp_link.c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(temp_link.c_str());
    return Status::IoError("rename " + temp_link.string() + " over " + target.string() + ": " +
                           std::strerror(err));
  }
  return FsyncPath(target.parent_path());
}

// Removes version directories other than `keep_current` and `keep_previous`, and leftovers of
// interrupted checkouts.
void RemoveOldVersions(const std::filesystem::path& versions_dir, const std::string& keep_current,
                       const std::string& keep_previous) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(versions_dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name == keep_current || name == keep_previous) continue;
    std::filesystem::remove_all(entry.path(), ec);
    if (ec) spdlog::warn("cannot remove old checkout {}: {}", entry.path().string(), ec.message());
  }
}

}  // namespace

std::string CurrentCheckoutVersion(const std::filesystem::path& target) {
  std::error_code ec;
  if (!std::filesystem::is_symlink(std::filesystem::symlink_status(target, ec))) return "";
  std::filesystem::path link = std::filesystem::read_symlink(target, ec);
  if (ec || link.parent_path() != VersionsDir(target).filename()) return "";
  return link.filename().string();
}

CheckoutSwitcher::CheckoutSwitcher(Store& store, CheckoutPins& pins)
    : store_(store), pins_(pins) {}

std::shared_ptr<std::mutex> CheckoutSwitcher::TargetMutex(const std::filesystem::path& target) {
  std::lock_guard lock(targets_mu_);
  auto& mutex = target_mutexes_[target.string()];
  if (!mutex) mutex = std::make_shared<std::mutex>();
  return mutex;
}

Result<CheckoutResult> CheckoutSwitcher::Checkout(const ObjectKey& key,
                                                  const std::filesystem::path& target,
                                                  const std::string& version_id,
                                                  CommandContext& context) {
  if (!target.is_absolute() || target.filename().empty()) {
    return Status::InvalidArgument("checkout target must be an absolute path to a directory name");
  }
  Result<VersionInfo> version =
      version_id.empty() ? store_.Latest(key) : store_.GetVersion(key, version_id);
  if (!version.ok()) return version.status().WithContext(key.str());
  if (version->record.tombstone) {
    return Status::NotFound("version " + version->id + " of " + key.str() + " is a deletion");
  }
  Result<Manifest> manifest = store_.ReadManifest(version->record.manifest_id);
  if (!manifest.ok()) return manifest.status();

  auto target_mutex = TargetMutex(target);
  std::lock_guard target_lock(*target_mutex);

  std::error_code ec;
  auto link_status = std::filesystem::symlink_status(target, ec);
  if (std::filesystem::exists(link_status) && !std::filesystem::is_symlink(link_status)) {
    return Status::FailedPrecondition(target.string() +
                                      " exists and is not a checkout symlink; remove it or "
                                      "choose another path");
  }
  CheckoutResult result;
  result.key = key.str();
  result.version = version->id;
  result.target = target;
  result.version_dir = VersionsDir(target) / version->id;
  FileSelection selection = SelectFiles(*manifest, {});
  result.files = selection.files;
  result.bytes = selection.bytes;

  std::string previous = CurrentCheckoutVersion(target);
  if (previous == version->id && std::filesystem::is_directory(result.version_dir, ec)) {
    EDGESYNC_RETURN_IF_ERROR(pins_.Replace(target, version->record.manifest_id));
    return result;
  }

  std::filesystem::create_directories(VersionsDir(target), ec);
  if (ec) return Status::IoError("create " + VersionsDir(target).string() + ": " + ec.message());
  if (!std::filesystem::is_directory(result.version_dir, ec)) {
    std::filesystem::path staging =
        VersionsDir(target) / (".tmp-" + version->id + "-" + RandomSuffix());
    TransferProgress progress(context, "checkout", selection.bytes);
    VersionFilesOptions options;
    options.fsync = true;
    Status written =
        WriteVersionFiles(store_, *manifest, staging, options, progress, *context.cancellation);
    if (written.ok() && ::rename(staging.c_str(), result.version_dir.c_str()) != 0) {
      written = Status::IoError("rename " + staging.string() + ": " + std::strerror(errno));
    }
    if (!written.ok()) {
      std::filesystem::remove_all(staging, ec);
      return written;
    }
    EDGESYNC_RETURN_IF_ERROR(FsyncPath(VersionsDir(target)));
  }
  EDGESYNC_RETURN_IF_ERROR(SwitchLink(target, version->id));
  result.switched = true;
  Status pinned = pins_.Replace(target, version->record.manifest_id);
  if (!pinned.ok()) spdlog::warn("checkout {}: {}", target.string(), pinned.ToString());
  RemoveOldVersions(VersionsDir(target), version->id, previous);
  spdlog::info("checked out {} version {} at {}", key.str(), version->id, target.string());
  return result;
}

}  // namespace edgesync
